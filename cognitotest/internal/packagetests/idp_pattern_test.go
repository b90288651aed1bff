package packagetests_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/idp"
)

// providerNameCounted is the regexp providerNameRE stands for.
var providerNameCounted = regexp.MustCompile(`^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]{0,30}$`)

func providerNameSeeds() []string {
	return []string{"", "a", "ab", "Corp", "Google", "_ab", "a_b", "ab_", " ab", "a b", "a\u00a0b", "aé", "é\xff", "\xffa", "a\xff",
		"a" + strings.Repeat("b", 31), "a" + strings.Repeat("b", 32), "日本" + strings.Repeat("語", 30), "日本" + strings.Repeat("語", 31), "a\tb", "a\nb"}
}

// TestProviderNamePattern: ProviderNameRE accepts exactly what the regexp
// it replaces accepts.
func TestProviderNamePattern(t *testing.T) {
	for _, s := range providerNameSeeds() {
		checkSameMatches(t, "ProviderNameRE", idp.ProviderNameRE, providerNameCounted, s)
	}
}

func FuzzProviderNamePattern(f *testing.F) {
	for _, s := range providerNameSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSameMatches(t, "ProviderNameRE", idp.ProviderNameRE, providerNameCounted, s)
	})
}
