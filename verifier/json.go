package verifier

import (
	"hash/maphash"
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
// ignoring case (see repeats and foldSet): such an object means different
// things to different JSON readers, and encoding/json, which callers use
// through [Claims.Decode], matches names to struct fields
// case-insensitively.
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

// strPlain marks the bytes a JSON string holds as themselves: printable
// ASCII other than the quote and the backslash.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

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
		// Plain ASCII runs through one table lookup per byte; the switch
		// handles the rest.
		for i < len(s) && strPlain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
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
		// The first names are kept in this frame (see repeats); the
		// foldSet gets copies, so that a header decoded on the stack
		// stays there.
		var local [8]string
		n := 0
		var set foldSet
		for {
			sc.ws()
			name, ok := sc.str()
			if !ok {
				return false
			}
			switch {
			case set.names != nil:
				ok = set.add(strings.Clone(name))
			case repeats(local[:n], name):
				ok = false
			case n < len(local):
				local[n] = name
				n++
			default:
				set.init(4 * len(local))
				for _, l := range local {
					set.add(strings.Clone(l))
				}
				ok = set.add(strings.Clone(name))
			}
			if !ok {
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

// Member names that repeat.
//
// An object whose member names repeat, exactly or under Unicode simple
// case folding ([strings.EqualFold]), is refused. Folding is exactly the
// equivalence encoding/json uses to match names to struct fields
// ("custom:Role", "CUSTOM:ROLE" and "cu\u017ftom:role" all fill a field
// tagged custom:role), so an object that passes reads the same in every
// JSON decoder, case-sensitive or not.
//
// The first few names of an object are compared pairwise (repeats),
// without allocating; the token's header and payload, and scanner.skip,
// keep them in their own frame, because storing them through a pointer
// would move a header decoded on the stack to the heap. Larger objects
// switch to a foldSet, so that an object of many names costs linear time.

// repeats reports whether name equals one of names ignoring case.
func repeats(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// foldSet is a set of member names compared ignoring case. Names are
// keyed by a hash of their folded form (foldHash), so that names equal
// ignoring case have the same key and are then compared with EqualFold.
// The hash seed is random, so that nobody can choose names whose hashes
// collide; two different names that do collide anyway (one chance in 2^64
// per pair) go to a list searched linearly, so the answer is always exact.
// The zero foldSet is unused; init prepares it.
type foldSet struct {
	seed  maphash.Seed
	names map[uint64]string
	extra []string // names whose hash was taken by a different name
}

func (s *foldSet) init(hint int) {
	s.seed = maphash.MakeSeed()
	s.names = make(map[uint64]string, hint)
}

// add adds name, which the set keeps, and reports whether it was new.
func (s *foldSet) add(name string) (isNew bool) {
	h := foldHash(s.seed, name)
	prev, taken := s.names[h]
	switch {
	case !taken:
		s.names[h] = name
		return true
	case strings.EqualFold(prev, name) || repeats(s.extra, name):
		return false
	}
	s.extra = append(s.extra, name)
	return true
}

// foldHash hashes the folded form of name (valid UTF-8): every rune
// replaced by the smallest rune of its case-folding orbit, as encoding/json
// folds names. Names equal ignoring case have equal hashes.
func foldHash(seed maphash.Seed, name string) uint64 {
	var buf [64]byte
	if len(name) <= len(buf) {
		ascii := true
		for i := 0; i < len(name); i++ {
			c := name[i]
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			buf[i] = byte(foldRune(rune(c)))
		}
		if ascii {
			return maphash.Bytes(seed, buf[:len(name)])
		}
	}
	var h maphash.Hash
	h.SetSeed(seed)
	for _, r := range name {
		h.Write(utf8.AppendRune(buf[:0], foldRune(r)))
	}
	return h.Sum64()
}

// foldRune returns the smallest rune of r's simple case-folding orbit
// ('K' for 'k' and U+212A KELVIN SIGN).
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

// memberNames is the repeat check for paths where allocation does not
// matter (JWKS documents): up to cap(list) names pairwise, then a foldSet.
type memberNames struct {
	list []string
	set  foldSet
}

// add records name and reports whether it repeats an earlier name.
func (m *memberNames) add(name string) (repeated bool) {
	switch {
	case m.set.names != nil:
		return !m.set.add(name)
	case repeats(m.list, name):
		return true
	case len(m.list) < cap(m.list):
		m.list = append(m.list, name)
		return false
	}
	m.set.init(2 * len(m.list))
	for _, n := range m.list {
		m.set.add(n)
	}
	return !m.set.add(name)
}
