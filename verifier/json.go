package verifier

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner is a strict, allocation-free reader of RFC 8259 JSON over a
// string. It accepts exactly the JSON grammar (no comments, no trailing
// commas, no NaN), rejects invalid UTF-8, lone surrogates and control
// characters in strings, and bounds nesting depth. Unescaped strings are
// returned as substrings of the input.
//
// It also refuses any object whose member names repeat, exactly or
// ignoring case (see [memberNames]): such an object means different things
// to different JSON readers, and encoding/json, which callers use through
// [Claims.Decode], matches names to struct fields case-insensitively.
type scanner struct {
	s string
	i int
}

const maxJSONDepth = 32

func (sc *scanner) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// eat consumes c (after whitespace) and reports whether it was there.
func (sc *scanner) eat(c byte) bool {
	sc.ws()
	if sc.i < len(sc.s) && sc.s[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

// str reads a JSON string at the current position.
func (sc *scanner) str() (string, bool) { return sc.scanStr(true) }

// scanStr reads a JSON string; with decode false, an escaped string is only
// validated and "" is returned, without allocating.
func (sc *scanner) scanStr(decode bool) (string, bool) {
	s := sc.s
	i := sc.i
	if i >= len(s) || s[i] != '"' {
		return "", false
	}
	i++
	start := i
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			sc.i = i + 1
			return s[start:i], true
		case c == '\\':
			return sc.strSlow(start, i, decode)
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			i += size
		}
	}
	return "", false
}

// strSlow decodes a string with escapes; s[start:i] is already known clean
// and s[i] is a backslash.
// With build false it only validates the string (for skipped values) and
// returns "".
func (sc *scanner) strSlow(start, i int, build bool) (string, bool) {
	s := sc.s
	// Size the buffer for this string, not for the rest of the input:
	// tokens are parsed before their signature is checked, so a payload of
	// many escaped strings must not cost quadratic memory.
	var scratch [64]byte
	buf := scratch[:0]
	if build {
		buf = make([]byte, 0, i-start+32)
		buf = append(buf, s[start:i]...)
	}
	for i < len(s) {
		if !build {
			buf = buf[:0] // each step appends at most 4 bytes
		}
		c := s[i]
		switch {
		case c == '"':
			sc.i = i + 1
			if !build {
				return "", true
			}
			return string(buf), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if i+1 >= len(s) {
				return "", false
			}
			i++
			switch s[i] {
			case '"', '\\', '/':
				buf = append(buf, s[i])
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(s, i+1)
				if !ok {
					return "", false
				}
				i += 4
				if utf16.IsSurrogate(r) {
					if r >= 0xdc00 || i+6 >= len(s) || s[i+1] != '\\' || s[i+2] != 'u' {
						return "", false // lone surrogate
					}
					r2, ok := hex4(s, i+3)
					if !ok {
						return "", false
					}
					r = utf16.DecodeRune(r, r2)
					if r == utf8.RuneError {
						return "", false
					}
					i += 6
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", false
			}
			i++
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			buf = append(buf, s[i:i+size]...)
			i += size
		}
	}
	return "", false
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// number reads a JSON number and returns its text.
func (sc *scanner) number() (string, bool) {
	s := sc.s
	i := sc.i
	start := i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return "", false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return "", false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return "", false
		}
	}
	sc.i = i
	return s[start:i], true
}

func (sc *scanner) literal(lit string) bool {
	if len(sc.s)-sc.i >= len(lit) && sc.s[sc.i:sc.i+len(lit)] == lit {
		sc.i += len(lit)
		return true
	}
	return false
}

// boolean reads true or false.
func (sc *scanner) boolean() (bool, bool) {
	if sc.literal("true") {
		return true, true
	}
	if sc.literal("false") {
		return false, true
	}
	return false, false
}

// skip reads and discards any JSON value at the current position.
func (sc *scanner) skip(depth int) bool {
	if sc.i >= len(sc.s) {
		return false
	}
	switch c := sc.s[sc.i]; {
	case c == '"':
		_, ok := sc.scanStr(false)
		return ok
	case c == 't':
		return sc.literal("true")
	case c == 'f':
		return sc.literal("false")
	case c == 'n':
		return sc.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, ok := sc.number()
		return ok
	case c == '[':
		if depth >= maxJSONDepth {
			return false
		}
		sc.i++
		if sc.eat(']') {
			return true
		}
		for {
			sc.ws()
			if !sc.skip(depth + 1) {
				return false
			}
			if sc.eat(',') {
				continue
			}
			return sc.eat(']')
		}
	case c == '{':
		if depth >= maxJSONDepth {
			return false
		}
		sc.i++
		if sc.eat('}') {
			return true
		}
		var buf [8]string
		names := memberNames{list: buf[:0]}
		for {
			sc.ws()
			name, ok := sc.str()
			if !ok || names.add(name) {
				return false
			}
			if !sc.eat(':') {
				return false
			}
			sc.ws()
			if !sc.skip(depth + 1) {
				return false
			}
			if sc.eat(',') {
				continue
			}
			return sc.eat('}')
		}
	}
	return false
}

// stringArray reads an array of strings.
func (sc *scanner) stringArray() ([]string, bool) {
	if sc.i >= len(sc.s) || sc.s[sc.i] != '[' {
		return nil, false
	}
	sc.i++
	if sc.eat(']') {
		return []string{}, true
	}
	// Count the elements first so the slice is allocated once.
	save := sc.i
	n := 0
	for {
		sc.ws()
		if _, ok := sc.str(); !ok {
			return nil, false
		}
		n++
		if sc.eat(',') {
			continue
		}
		if !sc.eat(']') {
			return nil, false
		}
		break
	}
	sc.i = save
	out := make([]string, 0, n)
	for range n {
		sc.ws()
		v, _ := sc.str()
		out = append(out, v)
		sc.eat(',')
	}
	sc.eat(']')
	return out, true
}

// maxNumericDate is 9999-12-31T23:59:59Z.
const maxNumericDate = 253402300799

// numericDate reads a JWT NumericDate: a non-negative JSON number of
// seconds since the epoch, possibly fractional.
func (sc *scanner) numericDate() (sec, nsec int64, ok bool) {
	t, ok := sc.number()
	if !ok || t[0] == '-' {
		return 0, 0, false
	}
	// Fast path: plain integer.
	if len(t) <= 12 {
		var n int64
		plain := true
		for i := 0; i < len(t); i++ {
			c := t[i]
			if c < '0' || c > '9' {
				plain = false
				break
			}
			n = n*10 + int64(c-'0')
		}
		if plain {
			if n > maxNumericDate {
				return 0, 0, false
			}
			return n, 0, true
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f > maxNumericDate {
		return 0, 0, false
	}
	sec = int64(f)
	nsec = int64((f - float64(sec)) * 1e9)
	return sec, nsec, true
}

// memberNames detects a member name that repeats an earlier one of the
// same object, exactly or under Unicode simple case folding
// ([strings.EqualFold]). That is exactly the equivalence encoding/json
// uses to match names to struct fields ("custom:Role", "CUSTOM:ROLE" and
// "cu\u017ftom:role" all fill a field tagged custom:role), so an object
// that passes reads the same in every JSON decoder, case-sensitive or not.
//
// The first cap(list) names are compared pairwise without allocating;
// larger objects switch to a set of folded copies, so that a payload of
// many names costs linear time.
type memberNames struct {
	list   []string            // names so far, while len(list) < cap(list)
	folded map[string]struct{} // foldName of every name, once list is full
}

// add records name and reports whether it repeats an earlier name.
func (m *memberNames) add(name string) (repeated bool) {
	if m.folded == nil {
		for _, n := range m.list {
			if strings.EqualFold(n, name) {
				return true
			}
		}
		if n := len(m.list); n < cap(m.list) {
			m.list = m.list[:n+1]
			m.list[n] = name
			return false
		}
		m.folded = make(map[string]struct{}, 2*cap(m.list)+1)
		for _, n := range m.list {
			m.folded[foldName(n)] = struct{}{}
		}
	}
	k := foldName(name)
	if _, dup := m.folded[k]; dup {
		return true
	}
	m.folded[k] = struct{}{}
	return false
}

// foldName returns a new string in which every rune of s (valid UTF-8)
// is replaced by one representative of its simple case-folding orbit, so
// that foldName(a) == foldName(b) exactly when strings.EqualFold(a, b).
// The result never shares memory with s, so names read from a buffer on
// the stack do not escape through it.
func foldName(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = utf8.AppendRune(b, foldRune(r))
	}
	return bytesString(b)
}

// foldRune returns the smallest rune of r's simple case-folding orbit
// ('K' for 'k' and U+212A KELVIN SIGN), as encoding/json does.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
