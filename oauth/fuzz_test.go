package oauth_test

import (
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/oauth"
)

// FuzzNewEndpoints checks that every accepted domain yields well-formed
// endpoint URLs on the same host, https unless loopback.
func FuzzNewEndpoints(f *testing.F) {
	for _, tc := range endpointCases {
		f.Add(tc.domain)
	}
	f.Fuzz(func(t *testing.T, domain string) {
		ep, err := oauth.NewEndpoints(domain)
		if err != nil {
			return
		}
		u, err := url.Parse(ep.AuthURL)
		if err != nil || u.Path != "/oauth2/authorize" || u.RawQuery != "" || u.User != nil || u.Fragment != "" {
			t.Fatalf("NewEndpoints(%q).AuthURL = %q: not a clean URL", domain, ep.AuthURL)
		}
		if u.Scheme != "https" {
			h := u.Hostname()
			if ip := net.ParseIP(h); h != "localhost" && (ip == nil || !ip.IsLoopback()) {
				t.Fatalf("NewEndpoints(%q): plain http to %q", domain, h)
			}
		}
		for _, e := range []string{ep.TokenURL, ep.UserInfoURL, ep.RevokeURL, ep.LogoutURL} {
			if !strings.HasPrefix(e, ep.Domain+"/") {
				t.Fatalf("endpoint %q is not under %q", e, ep.Domain)
			}
		}
	})
}
