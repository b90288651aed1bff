package weblogin

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// The cookie store encodes a session compactly before sealing it, so that
// users in many groups still fit in a few cookies. Measured with the
// emulator, a user in 100 groups with 20 custom attributes has a 5.3 KB
// access token and a 7.8 KB ID token; the session as JSON sealed to 21 KB
// (six cookies). Most of it repeats: the group list appears in the access
// token, in the ID token and in Session.Groups, and group names share
// prefixes. The compact form
//
//   - stores the access token's header and payload as JSON, not base64
//     (a third smaller, and comparable with the ID token's claims);
//   - compresses, with DEFLATE, only what is not secret: the identity
//     fields, the ID token's claims and the access token's header and
//     payload, which a user can read in their own tokens anyway; the
//     access token's signature and the refresh token, the parts that
//     would let someone use the tokens, are stored after the compressed
//     block and never share a compression window with data a user can
//     influence (custom attributes), so the cookie's length cannot leak
//     them (CRIME/BREACH);
//   - stores base64url parts of the tokens as raw bytes.
//
// The same user then needs 5.2 KB (two cookies). The format is
// hand-written because no allowed dependency encodes byte strings without
// base64 (JSON) or reflection over the whole struct (gob, which also
// cannot keep the secret parts out of the compressed block).
//
// Layout (all integers unsigned varints, strings length-prefixed):
//
//	version 2 | flags | times (seconds, nanoseconds)... | size of public |
//	len | DEFLATE(public) | secret
//
// public: subject, username, email, name, claims, access-token header,
// access-token payload, group count, groups. secret: access-token
// signature (or the whole access token when it is not a canonical JWS),
// refresh-token part count, parts.
const (
	codecVersion = 2

	flagSplitAT  = 1 << 0 // the access token is header.payload.signature in canonical base64url
	flagExpiry   = 1 << 1
	flagAuthTime = 1 << 2
	flagCreated  = 1 << 3
	flagRTParts  = 1 << 4 // the refresh token is stored as decoded base64url parts

	// maxPublic bounds the inflated public block: a sealed session is at
	// most 8 cookies of 3800 bytes, and DEFLATE expands at most ~1000x,
	// but nothing legitimate comes near this.
	maxPublic = 256 << 10
)

var errCodec = errors.New("bad session encoding")

// codec compresses session cookies. It pools the DEFLATE state, which is
// large (the writer allocates about 1 MB).
type codec struct {
	writers sync.Pool // *flate.Writer
	readers sync.Pool // io.ReadCloser that is also a flate.Resetter
}

func (c *codec) encode(s *Session) ([]byte, error) {
	var flags byte
	atHeader, atPayload, atSecret := splitJWS(s.AccessToken)
	if atHeader != nil {
		flags |= flagSplitAT
	} else {
		atSecret = []byte(s.AccessToken)
	}
	rtParts, ok := decodeParts(s.RefreshToken)
	if ok {
		flags |= flagRTParts
	}
	out := make([]byte, 0, 256+len(s.AccessToken)+len(s.RefreshToken)+len(s.Claims)/2)
	out = append(out, codecVersion, 0)
	for _, t := range []struct {
		t    time.Time
		flag byte
	}{{s.Expiry, flagExpiry}, {s.AuthTime, flagAuthTime}, {s.CreatedAt, flagCreated}} {
		if t.t.IsZero() {
			continue
		}
		flags |= t.flag
		out = binary.AppendVarint(out, t.t.Unix())
		out = binary.AppendUvarint(out, uint64(t.t.Nanosecond()))
	}
	out[1] = flags

	var pub []byte
	for _, f := range []string{s.Subject, s.Username, s.Email, s.Name} {
		pub = appendString(pub, f)
	}
	pub = appendBytes(pub, s.Claims)
	pub = appendBytes(pub, atHeader)
	pub = appendBytes(pub, atPayload)
	pub = binary.AppendUvarint(pub, uint64(len(s.Groups)))
	for _, g := range s.Groups {
		pub = appendString(pub, g)
	}
	var zbuf bytes.Buffer
	w, _ := c.writers.Get().(*flate.Writer)
	if w == nil {
		var err error
		if w, err = flate.NewWriter(&zbuf, flate.BestCompression); err != nil {
			return nil, err
		}
	} else {
		w.Reset(&zbuf)
	}
	w.Write(pub) // a bytes.Buffer does not fail
	if err := w.Close(); err != nil {
		return nil, err
	}
	c.writers.Put(w)
	out = binary.AppendUvarint(out, uint64(len(pub)))
	out = appendBytes(out, zbuf.Bytes())

	out = appendBytes(out, atSecret)
	if flags&flagRTParts != 0 {
		out = binary.AppendUvarint(out, uint64(len(rtParts)))
		for _, p := range rtParts {
			out = appendBytes(out, p)
		}
	} else {
		out = appendString(out, s.RefreshToken)
	}
	return out, nil
}

func (c *codec) decode(data []byte) (*Session, error) {
	if len(data) > 0 && data[0] == '{' { // sealed by an earlier version
		var s Session
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, err
		}
		return &s, nil
	}
	d := reader{b: data}
	if d.byte() != codecVersion {
		return nil, fmt.Errorf("%w: unknown version", errCodec)
	}
	flags := d.byte()
	var s Session
	for _, t := range []struct {
		t    *time.Time
		flag byte
	}{{&s.Expiry, flagExpiry}, {&s.AuthTime, flagAuthTime}, {&s.CreatedAt, flagCreated}} {
		if flags&t.flag != 0 {
			sec, nsec := d.varint(), d.uvarint()
			if nsec >= 1e9 {
				d.fail()
			}
			*t.t = time.Unix(sec, int64(nsec))
		}
	}
	size := d.uvarint()
	zpub := d.bytes()
	if d.err != nil {
		return nil, d.err
	}
	pub, err := c.inflate(zpub, size)
	if err != nil {
		return nil, err
	}
	// The strings of the public block are substrings of one string: one
	// allocation instead of one per group.
	all := string(pub)
	p := reader{b: pub}
	str := func() string {
		b := p.bytes()
		if len(b) == 0 {
			return ""
		}
		off := len(pub) - len(p.b) - len(b)
		return all[off : off+len(b)]
	}
	s.Subject, s.Username, s.Email, s.Name = str(), str(), str(), str()
	if claims := p.bytes(); len(claims) > 0 {
		s.Claims = json.RawMessage(claims)
	}
	atHeader, atPayload := p.bytes(), p.bytes()
	if n := p.count(); n > 0 {
		s.Groups = make([]string, n)
		for i := range s.Groups {
			s.Groups[i] = str()
		}
	}
	if p.err != nil || len(p.b) != 0 {
		return nil, fmt.Errorf("%w: public block", errCodec)
	}
	atSecret := d.bytes()
	if flags&flagSplitAT != 0 {
		s.AccessToken = joinJWS(atHeader, atPayload, atSecret)
	} else {
		s.AccessToken = string(atSecret)
	}
	if flags&flagRTParts != 0 {
		n := d.count()
		parts := make([][]byte, 0, min(n, 8))
		for range n {
			parts = append(parts, d.bytes())
		}
		s.RefreshToken = joinParts(parts)
	} else {
		s.RefreshToken = d.string()
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, fmt.Errorf("%w: trailing or missing data", errCodec)
	}
	return &s, nil
}

// inflate decompresses z, which must inflate to exactly size bytes.
func (c *codec) inflate(z []byte, size uint64) ([]byte, error) {
	if size > maxPublic {
		return nil, fmt.Errorf("%w: public block too large", errCodec)
	}
	src := bytes.NewReader(z)
	r, _ := c.readers.Get().(io.ReadCloser)
	if r == nil {
		r = flate.NewReader(src)
	} else if err := r.(flate.Resetter).Reset(src, nil); err != nil {
		return nil, err
	}
	defer c.readers.Put(r)
	out := make([]byte, size)
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, fmt.Errorf("%w: compressed block", errCodec)
	}
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return nil, fmt.Errorf("%w: compressed block longer than announced", errCodec)
	}
	return out, nil
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendString(b []byte, v string) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// reader reads the compact form; the first error sticks, and every read
// after it returns zero values.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errCodec
	}
	r.b = nil
}

func (r *reader) byte() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a count of items that take at least one byte each, so it
// can never exceed the bytes left.
func (r *reader) count() int {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > uint64(len(r.b)-n) {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

func (r *reader) bytes() []byte {
	l := r.count()
	if r.err != nil {
		return nil
	}
	if l > len(r.b) {
		r.fail()
		return nil
	}
	v := r.b[:l:l]
	r.b = r.b[l:]
	return v
}

func (r *reader) string() string { return string(r.bytes()) }

// splitJWS splits a compact JWS whose three parts are canonical unpadded
// base64url (so that joinJWS gives back the same string) into the decoded
// header, payload and signature; nil when tok is not one.
func splitJWS(tok string) (header, payload, sig []byte) {
	parts, ok := decodeParts(tok)
	if !ok || len(parts) != 3 {
		return nil, nil, nil
	}
	return parts[0], parts[1], parts[2]
}

func joinJWS(header, payload, sig []byte) string {
	return joinParts([][]byte{header, payload, sig})
}

// decodeParts decodes a string of dot-separated canonical unpadded
// base64url parts (a JWS or a JWE such as Cognito's refresh token). It
// reports false for anything that would not encode back to the same
// string, and for more than 8 parts.
func decodeParts(s string) ([][]byte, bool) {
	if s == "" || strings.Count(s, ".") > 7 {
		return nil, false
	}
	enc := base64.RawURLEncoding.Strict()
	var parts [][]byte
	for p := range strings.SplitSeq(s, ".") {
		b, err := enc.DecodeString(p)
		if err != nil || enc.EncodedLen(len(b)) != len(p) {
			return nil, false
		}
		parts = append(parts, b)
	}
	return parts, true
}

func joinParts(parts [][]byte) string {
	var b strings.Builder
	n := len(parts)
	for _, p := range parts {
		n += base64.RawURLEncoding.EncodedLen(len(p))
	}
	b.Grow(n)
	buf := make([]byte, 0, 512)
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('.')
		}
		buf = base64.RawURLEncoding.AppendEncode(buf[:0], p)
		b.Write(buf)
	}
	return b.String()
}
