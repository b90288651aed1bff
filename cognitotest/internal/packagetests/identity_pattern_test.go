package packagetests_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/identity"
)

// roleARNCounted is the regexp RoleARNRE stands for.
var roleARNCounted = regexp.MustCompile(`^arn:aws(-[a-z]+)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)

func roleARNSeeds() []string {
	return []string{"", "arn:aws:iam::123456789012:role/r", "arn:aws-cn:iam::123456789012:role/path/r", "arn:aws-:iam::123456789012:role/r",
		"arn:aws:iam::12345678901:role/r", "arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:role/a:role/b",
		"arn:aws:iam::123456789012:role/a b", "arn:aws:iam::123456789012:user/r", "arn:aws:iam::123456789012:role/r\n",
		"arn:aws:iam::123456789012:role/" + strings.Repeat("r", 512), "arn:aws:iam::123456789012:role/" + strings.Repeat("r", 513),
		"arn:aws:iam::123456789012:role/é", "x:role/r", ":role/", "arn:aws:iam::１23456789012:role/r"}
}

// TestRoleARNPattern: RoleARNRE accepts exactly what the regexp it
// replaces accepts.
func TestRoleARNPattern(t *testing.T) {
	for _, s := range roleARNSeeds() {
		checkSameMatches(t, "RoleARNRE", identity.RoleARNRE, roleARNCounted, s)
	}
}

func FuzzRoleARNPattern(f *testing.F) {
	for _, s := range roleARNSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSameMatches(t, "RoleARNRE", identity.RoleARNRE, roleARNCounted, s)
	})
}
