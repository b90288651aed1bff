package userpool

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// RuneClass matches strings of Min to Max runes (by
// [utf8.RuneCountInString], so an invalid byte counts as one rune, as it
// does for a regexp) that each belong to a regexp character class: what
// `^[class]{min,max}$` matches, without its cost. Go's regexp compiles a
// counted repetition into one copy of the class per repetition: for
// `[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}` that is 5 MB and 5 ms (40 ms under
// the race detector) when the package loads, in every process that imports
// the emulator. A RuneClass compiles the class once.
type RuneClass struct {
	re       *regexp.Regexp // ^class*$
	min, max int
}

// MustRuneClass returns the RuneClass of class (a bracketed regexp class
// such as `[\p{L}_-]`) from min to max runes. It panics if class does not
// compile.
func MustRuneClass(class string, min, max int) RuneClass {
	return RuneClass{re: regexp.MustCompile(`^` + class + `*$`), min: min, max: max}
}

// MustRunePattern returns the RuneClass that matches what the anchored
// regexp pattern matches, when it has min to max runes: pattern
// `^[a][b][c]*$` with 2 and 32 stands for `^[a][b][c]{0,30}$`. It panics
// if pattern does not compile.
func MustRunePattern(pattern string, min, max int) RuneClass {
	return RuneClass{re: regexp.MustCompile(pattern), min: min, max: max}
}

// MatchString reports whether s has Min to Max runes, all in the class.
func (c RuneClass) MatchString(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= c.min && n <= c.max && c.re.MatchString(s)
}

// EmailPattern matches `^[^@\s]{1,64}@[^@\s]{1,255}$` (see RuneClass for
// why it is not that regexp): a local part and a domain, neither with an
// @ or white space.
type EmailPattern struct{ local, domain RuneClass }

// MatchString reports whether s is an address of the pattern.
func (p EmailPattern) MatchString(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && p.local.MatchString(local) && p.domain.MatchString(domain)
}
