package userpool

import (
	"regexp"
	"strings"
	"testing"
)

// runeClassCases are RuneClasses of the emulator, each with the counted
// regexp it stands for.
var runeClassCases = []struct {
	class, counted string
	min, max       int
}{
	{`[\p{L}\p{M}\p{S}\p{N}\p{P}]`, `^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`, 1, 128},
	{`[\p{L}\p{Z}\p{N}_.:/=+@-]`, `^[\p{L}\p{Z}\p{N}_.:/=+@-]{0,256}$`, 0, 256},
	{`[\p{L}\p{Z}\p{N}_.:/=+\-@]`, `^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`, 1, 128},
	{`[\w+]`, `^[\w+]{1,128}$`, 1, 128},
	{`[\w]`, `^[\w]{1,128}$`, 1, 128},
	{`[\w._-]`, `^[\w._-]{1,128}$`, 1, 128},
	{`[\w._:/-]`, `^[\w._:/-]{1,128}$`, 1, 128},
	{`[\w\s+=,.@-]`, `^[\w\s+=,.@-]{1,128}$`, 1, 128},
	{`[\w\s+=,.@-]`, `^[\w\s+=,.@-]{1,256}$`, 1, 256},
	{`[\x09-\x0D\x20-\x7E]`, `^[\x09-\x0D\x20-\x7E]{1,256}$`, 1, 256},
	{`[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]`, `^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$`, 1, 256},
	{`[#%\w\s.,()!+/'"-]`, `^[#%\w\s.,()!+/'"-]{0,256}$`, 0, 256},
}

func runeClassSeeds() []string {
	return []string{
		"", "a", "alice", "Ünïcødé", "日本語", "a b", "a\tb", "a\nb", "tag:key/=+@-", "_", "user@example.com",
		"\xff", "a\xffb", "\xe6\x97", "€", "\U0001F600", "-", "a$", "(x)",
		strings.Repeat("a", 128), strings.Repeat("a", 129), strings.Repeat("é", 128), strings.Repeat("é", 129),
		strings.Repeat("\xff", 128), strings.Repeat("\xff", 129), strings.Repeat("b", 256), strings.Repeat("b", 257),
		strings.Repeat("日", 256) + "x", strings.Repeat("a", 127) + " ", strings.Repeat("a", 127) + "\n",
		"a+b", "x_y.z-1", "cognito:users/1", "#fff 10px", "rgba(0,0,0,.5)", "a\"b'c", "\x00", "\x7f", "~!", "\\",
	}
}

// TestRuneClassMatchesCounted: a RuneClass accepts exactly what the
// counted regexp it replaces accepts.
func TestRuneClassMatchesCounted(t *testing.T) {
	for _, tc := range runeClassCases {
		rc, counted := MustRuneClass(tc.class, tc.min, tc.max), regexp.MustCompile(tc.counted)
		for _, s := range runeClassSeeds() {
			if got, want := rc.MatchString(s), counted.MatchString(s); got != want {
				t.Errorf("%s: MatchString(%q) = %v; want %v as %s", tc.class, s, got, want, tc.counted)
			}
		}
	}
}

// TestEmailPatternMatchesCounted: EmailRE accepts exactly what the regexp
// it replaces accepts.
func TestEmailPatternMatchesCounted(t *testing.T) {
	counted := regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]{1,255}$`)
	for _, s := range emailSeeds() {
		if got, want := EmailRE.MatchString(s), counted.MatchString(s); got != want {
			t.Errorf("EmailRE.MatchString(%q) = %v; want %v", s, got, want)
		}
	}
}

func emailSeeds() []string {
	return []string{
		"a@b", "ann@example.com", "@example.com", "ann@", "ann", "a@b@c", "a b@c", "a@b c", "a\t@b", "\xff@\xfe", "é@ü",
		strings.Repeat("a", 64) + "@b", strings.Repeat("a", 65) + "@b", "a@" + strings.Repeat("b", 255), "a@" + strings.Repeat("b", 256),
		strings.Repeat("é", 64) + "@" + strings.Repeat("ü", 255), "a@b\n", "\na@b", "a@@b",
	}
}

func FuzzEmailPattern(f *testing.F) {
	for _, s := range emailSeeds() {
		f.Add(s)
	}
	counted := regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]{1,255}$`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := EmailRE.MatchString(s), counted.MatchString(s); got != want {
			t.Errorf("EmailRE.MatchString(%q) = %v; want %v", s, got, want)
		}
	})
}

func FuzzRuneClass(f *testing.F) {
	for _, s := range runeClassSeeds() {
		f.Add(s)
	}
	rcs := make([]RuneClass, len(runeClassCases))
	counted := make([]*regexp.Regexp, len(runeClassCases))
	for i, tc := range runeClassCases {
		rcs[i], counted[i] = MustRuneClass(tc.class, tc.min, tc.max), regexp.MustCompile(tc.counted)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := range rcs {
			if got, want := rcs[i].MatchString(s), counted[i].MatchString(s); got != want {
				t.Errorf("%s: MatchString(%q) = %v; want %v", runeClassCases[i].counted, s, got, want)
			}
		}
	})
}
