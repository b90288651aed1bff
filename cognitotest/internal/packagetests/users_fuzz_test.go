package packagetests_test

import (
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/users"
)

// FuzzUserFilter checks the ListUsers filter parser.
func FuzzUserFilter(f *testing.F) {
	for _, s := range []string{`username = "a"`, `email ^= "x"`, `name="\u00e9"`, `status = "Enabled"`, `x = "y"`, `email = y`, `= ""`, `email ^= "`} {
		f.Add(s)
	}
	u := &state.User{Username: "a", Attributes: map[string]string{"email": "x@y"}, Enabled: true}
	f.Fuzz(func(t *testing.T, s string) {
		uf, err := users.ParseUserFilter(s)
		if err != nil {
			if err.Type != "InvalidParameterException" {
				t.Fatalf("%q: error type %s", s, err.Type)
			}
			return
		}
		uf.Match(u)
	})
}
