package cognitotest

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzParsePublicURL: any string is refused with ErrInvalidConfig or
// accepted as scheme://host[:port] (http or https, a host, no path, query
// or user information), which parses again to itself.
func FuzzParsePublicURL(f *testing.F) {
	for _, s := range []string{"http://cognito:9229", "HTTPS://Auth.Example.com/", "http://[::1]:9229", "cognito:9229", "http://", "http://a/b", "http://u@a", "http://a:0", "http://a?x", "ftp://a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := parsePublicURL(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("%q: %v; want ErrInvalidConfig", raw, err)
			}
			return
		}
		if raw == "" {
			if u != nil {
				t.Fatalf("empty URL gave %v", u)
			}
			return
		}
		s := u.String()
		if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") || u.Hostname() == "" || u.Path != "" || u.User != nil || u.RawQuery != "" {
			t.Fatalf("%q accepted as %q", raw, s)
		}
		again, err := parsePublicURL(s)
		if err != nil || again.String() != s {
			t.Fatalf("%q -> %q -> %v, %v", raw, s, again, err)
		}
		if _, err := url.Parse(s + "/us-east-1_X/.well-known/jwks.json"); err != nil {
			t.Fatalf("issuer of %q does not parse: %v", s, err)
		}
	})
}
