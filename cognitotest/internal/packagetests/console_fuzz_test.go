package packagetests_test

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/console"
)

// FuzzFilterOf: any query string parses into a filter or a message, never
// a panic; an accepted filter has only known parameters, a non-negative
// after and a positive or absent limit.
func FuzzFilterOf(f *testing.F) {
	for _, s := range []string{"", "pool=us-east-1_X&user=ann", "after=3&limit=1", "kind=SignUp", "usr=a", "after=-1", "limit=0", "user=a&user=b", "%zz", "after=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, bad := console.FilterOf(q)
		if bad != "" {
			return
		}
		if fl.After < 0 || fl.Limit < 0 {
			t.Fatalf("accepted %q as %+v", raw, fl)
		}
		if s := q.Get("after"); s != "" && strconv.FormatInt(fl.After, 10) != s {
			if n, err := strconv.ParseInt(s, 10, 64); err != nil || n != fl.After {
				t.Fatalf("after %q parsed as %d", s, fl.After)
			}
		}
	})
}
