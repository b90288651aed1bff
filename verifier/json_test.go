package verifier

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestFoldRuneMatchesEqualFold: foldRune gives one representative per
// case-folding orbit, so foldHash agrees with strings.EqualFold.
func TestFoldRuneMatchesEqualFold(t *testing.T) {
	for r := rune(0); r <= 0x1ffff; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		f := foldRune(r)
		for o := unicode.SimpleFold(r); o != r; o = unicode.SimpleFold(o) {
			if foldRune(o) != f {
				t.Fatalf("%U and %U are in one orbit but fold to %U and %U", r, o, f, foldRune(o))
			}
		}
		if f != r && !strings.EqualFold(string(f), string(r)) {
			t.Fatalf("%U folds to %U, which EqualFold says differs", r, f)
		}
	}
}

func TestFoldSet(t *testing.T) {
	var s foldSet
	s.init(4)
	for _, tc := range []struct {
		name string
		new  bool
	}{
		{"custom:role", true}, {"custom:Role", false}, {"CUSTOM:ROLE", false}, {"custom:roles", true},
		{"key", true}, {"\u212aey", false}, {"s", true}, {"\u017f", false}, {"\u0131d", true}, {"id", true},
		{strings.Repeat("a", 100), true}, {strings.Repeat("A", 100), false}, {"\u00e9t\u00e9", true}, {"\u00c9T\u00c9", false},
	} {
		if got := s.add(tc.name); got != tc.new {
			t.Errorf("add(%q): got new=%v; want %v", tc.name, got, tc.new)
		}
	}
	// A different name whose hash is taken (a 64-bit collision, forced
	// here) is still told apart, and repeats of it are still found.
	var c foldSet
	c.init(4)
	c.names[foldHash(c.seed, "beta")] = "alpha"
	if !c.add("beta") || c.add("BETA") || !c.add("gamma") {
		t.Errorf("collision handling: extra %q", c.extra)
	}
}

// FuzzFoldMatchesEncodingJSON checks the repeat rule against encoding/json
// itself: a member named b fills a struct field tagged a exactly when the
// scanner would call a and b repeats of each other.
func FuzzFoldMatchesEncodingJSON(f *testing.F) {
	for _, p := range [][2]string{{"custom:role", "custom:Role"}, {"key", "\u212aey"}, {"s", "\u017f"}, {"id", "\u0131d"},
		{"sub", "SUB"}, {"a", "b"}, {"-", "-"}, {"\u00e9", "\u00c9"}, {"custom:ro_le", "custom:role"}} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !validTag(a) || !utf8.ValidString(b) || b == "" {
			return
		}
		typ := reflect.StructOf([]reflect.StructField{{Name: "F", Type: reflect.TypeFor[int](), Tag: jsonTag(a)}})
		v := reflect.New(typ)
		doc, _ := json.Marshal(map[string]int{b: 1})
		if err := json.Unmarshal(doc, v.Interface()); err != nil {
			t.Fatal(err)
		}
		filled := v.Elem().Field(0).Int() == 1
		var s foldSet
		s.init(2)
		s.add(a)
		if repeated := !s.add(b); repeated != filled || repeats([]string{a}, b) != filled {
			t.Fatalf("names %q and %q: encoding/json matches them: %v; the scanner's repeat check says %v", a, b, filled, repeated)
		}
	})
}

// jsonTag is the struct tag that names a field name for encoding/json
// ("-" alone would mean "skip this field").
func jsonTag(name string) reflect.StructTag {
	if name == "-" {
		return `json:"-,"`
	}
	return reflect.StructTag(`json:"` + name + `"`)
}

// validTag mirrors encoding/json's rule for names it accepts in tags.
func validTag(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
