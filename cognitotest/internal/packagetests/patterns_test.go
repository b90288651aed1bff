package packagetests_test

import (
	"regexp"
	"testing"
)

// matcher is a pattern: a regexp, or the rune-class check that replaced
// one in the emulator (regexps cost every test binary's start).
type matcher interface{ MatchString(string) bool }

// checkSameMatches fails t when got, named name, and the regexp it
// replaced disagree on s.
func checkSameMatches(t *testing.T, name string, got matcher, replaced *regexp.Regexp, s string) {
	t.Helper()
	if g, w := got.MatchString(s), replaced.MatchString(s); g != w {
		t.Errorf("%s.MatchString(%q) = %v; the regexp it replaces says %v", name, s, g, w)
	}
}
