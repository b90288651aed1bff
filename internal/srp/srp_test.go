package srp

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func mustHex(t testing.TB, s string) *big.Int {
	t.Helper()
	v, err := ParseHex(s)
	if err != nil {
		t.Fatalf("ParseHex(%q): %v", s, err)
	}
	return v
}

func TestGroup(t *testing.T) {
	if got, want := params.N.BitLen(), 3072; got != want {
		t.Errorf("N bit length: got %d; want %d", got, want)
	}
	if !params.N.ProbablyPrime(10) {
		t.Error("N is not prime")
	}
	if got, want := len(Pad(params.N)), 385; got != want {
		t.Errorf("len(PAD(N)): got %d; want %d (a 384-byte N is a known emulator bug)", got, want)
	}
	if got, want := fmt.Sprintf("%064x", K()), "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"; got != want {
		t.Errorf("k: got %s; want %s", got, want)
	}
	if params.g.Int64() != 2 {
		t.Errorf("g: got %v; want 2", params.g)
	}
	// The accessors return copies.
	N().SetInt64(5)
	if params.N.BitLen() != 3072 {
		t.Error("N() exposed the package's N")
	}
}

// TestVectors checks the golden vectors of shared/reference/cognito.md §1.
func TestVectors(t *testing.T) {
	v := big.NewInt(1234567890) // a = B = salt
	c, err := NewClientFromPrivate(v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%064x", hashU(c.A(), v)), "0c98b195a479d1a7c70c99dd680f34f5805fe686d0bc716549ff2ed895aa9111"; got != want {
		t.Errorf("u: got %s; want %s", got, want)
	}
	key, err := c.PasswordKey("myPool", "test", "test", v, v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(key), "d96cde6c95dda17175c1293140c5a81f"; got != want {
		t.Errorf("K: got %s; want %s", got, want)
	}
	secretBlock, _ := base64.StdEncoding.DecodeString(base64.StdEncoding.EncodeToString([]byte("secretssecrestssecrets")))
	ts := Timestamp(time.Date(2018, 7, 10, 11, 1, 0, 0, time.UTC))
	if want := "Tue Jul 10 11:01:00 UTC 2018"; ts != want {
		t.Errorf("TIMESTAMP: got %q; want %q", ts, want)
	}
	sig := Signature(key, "myPool", "test", secretBlock, ts)
	if want := "tdvQu/Li/qWl8Nni0aFPs+MwY4rvKZm0kSMrGIMSUHk="; sig != want {
		t.Errorf("signature: got %s; want %s", sig, want)
	}
	if !VerifySignature(key, "myPool", "test", secretBlock, ts, sig) {
		t.Error("VerifySignature rejected the golden signature")
	}
	if got, want := SecretHash("123abd", "clientSecret", "test"), "LoIX/oPJWZzFYv8liJYRo+CHv16FNDY10JlZEDjL3Vg="; got != want {
		t.Errorf("SECRET_HASH: got %s; want %s", got, want)
	}
	if got, want := Timestamp(time.Date(2026, 3, 5, 14, 7, 9, 0, time.UTC)), "Thu Mar 5 14:07:09 UTC 2026"; got != want {
		t.Errorf("TIMESTAMP: got %q; want %q", got, want)
	}
}

func TestPad(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "00"}, {1, "01"}, {20, "14"}, {127, "7f"}, {128, "0080"}, {200, "00c8"}, {255, "00ff"},
		{256, "0100"}, {32767, "7fff"}, {32768, "008000"}, {65535, "00ffff"},
		{-1, "ff"}, {-20, "ec"}, {-127, "81"}, {-128, "80"}, {-129, "ff7f"}, {-200, "ff38"},
		{-255, "ff01"}, {-256, "ff00"}, {-32768, "8000"}, {-32769, "ff7fff"}, {-65536, "ff0000"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.in), func(t *testing.T) {
			i := big.NewInt(tc.in)
			if got := hex.EncodeToString(Pad(i)); got != tc.want {
				t.Errorf("PadHex(%d): got %s; want %s", tc.in, got, tc.want)
			}
			if got := unpad(Pad(i)); got.Cmp(i) != 0 {
				t.Errorf("unpad(Pad(%d)): got %v", tc.in, got)
			}
		})
	}
	if got := hex.EncodeToString(Pad(nil)); got != "00" {
		t.Errorf("hex.EncodeToString(Pad(nil)): got %s; want 00", got)
	}
	if got := unpad(nil); got.Sign() != 0 {
		t.Errorf("unpad(nil): got %v; want 0", got)
	}
}

// refPad is an independent reference for Pad: the minimal two's-complement
// length is found by trying lengths until the value fits.
func refPad(i *big.Int) []byte {
	for l := 1; ; l++ {
		lim := new(big.Int).Lsh(big.NewInt(1), uint(8*l-1))
		min := new(big.Int).Neg(lim)
		if i.Cmp(min) >= 0 && i.Cmp(lim) < 0 {
			v := new(big.Int).Set(i)
			if v.Sign() < 0 {
				v.Add(v, new(big.Int).Lsh(big.NewInt(1), uint(8*l)))
			}
			return v.FillBytes(make([]byte, l))
		}
	}
}

func TestPadRandom(t *testing.T) {
	r := mrand.New(mrand.NewPCG(1, 2))
	for n := 0; n < 5000; n++ {
		b := make([]byte, 1+r.IntN(48))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		b[0] >>= uint(r.IntN(8)) // vary the top bits, including leading zero nibbles
		i := new(big.Int).SetBytes(b)
		if r.IntN(2) == 0 {
			i.Neg(i)
		}
		got, want := Pad(i), refPad(i)
		if !bytes.Equal(got, want) {
			t.Fatalf("Pad(%x): got %x; want %x", i, got, want)
		}
		if back := unpad(got); back.Cmp(i) != 0 {
			t.Fatalf("unpad(Pad(%x)): got %x", i, back)
		}
	}
}

func TestParseHex(t *testing.T) {
	long := strings.Repeat("a", MaxHexLen)
	tests := []struct {
		in      string
		want    string // decimal; empty means an error
		wantErr bool
	}{
		{in: "0", want: "0"},
		{in: "00ff", want: "255"},
		{in: "FF", want: "255"},
		{in: "aBcD", want: "43981"},
		{in: "-14", want: "-20"},
		{in: "-0", want: "0"},
		{in: "-00c8", want: "-200"},
		{in: "499602d2", want: "1234567890"},
		{in: long, want: mustDecimal(long)},
		{in: "-" + long, want: "-" + mustDecimal(long)},
		{in: "", wantErr: true},
		{in: "-", wantErr: true},
		{in: "--1", wantErr: true},
		{in: "+1", wantErr: true},
		{in: "0x1f", wantErr: true},
		{in: " 1f", wantErr: true},
		{in: "1f ", wantErr: true},
		{in: "1_f", wantErr: true},
		{in: "1g", wantErr: true},
		{in: "é", wantErr: true},
		{in: "1\x00", wantErr: true},
		{in: long + "a", wantErr: true},
		{in: "-" + long + "a", wantErr: true},
	}
	for _, tc := range tests {
		name := tc.in
		if len(name) > 20 {
			name = fmt.Sprintf("%.10s...(%d)", name, len(name))
		}
		t.Run(name, func(t *testing.T) {
			got, err := ParseHex(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidHex) {
					t.Fatalf("ParseHex: got %v, %v; want ErrInvalidHex", got, err)
				}
				if len(err.Error()) > 200 {
					t.Errorf("error message is %d bytes; it must not echo the input", len(err.Error()))
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseHex: %v", err)
			}
			if got.String() != tc.want {
				t.Errorf("ParseHex(%q): got %v; want %s", name, got, tc.want)
			}
		})
	}
}

func mustDecimal(h string) string {
	v, _ := new(big.Int).SetString(h, 16)
	return v.String()
}

func TestTimestampEveryDayAndHour(t *testing.T) {
	days := []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	months := []string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	est := time.FixedZone("EST", -5*3600)
	for _, month := range []time.Month{time.January, time.October, time.December} {
		for day := 1; day <= 31; day++ {
			for hour := 0; hour < 24; hour++ {
				ut := time.Date(2027, month, day, hour, 4, 5, 999, time.UTC)
				want := fmt.Sprintf("%s %s %d %02d:04:05 UTC 2027", days[ut.Weekday()], months[month], day, hour)
				if got := Timestamp(ut); got != want {
					t.Fatalf("Timestamp(%v): got %q; want %q", ut, got, want)
				}
				// The same instant in another zone formats identically.
				if got := Timestamp(ut.In(est)); got != want {
					t.Fatalf("Timestamp(%v in EST): got %q; want %q", ut, got, want)
				}
				back, err := ParseTimestamp(want)
				if err != nil || !back.Equal(ut.Truncate(time.Second)) {
					t.Fatalf("ParseTimestamp(%q): got %v, %v; want %v", want, back, err, ut.Truncate(time.Second))
				}
			}
		}
	}
}

func TestParseTimestampRejects(t *testing.T) {
	for _, s := range []string{
		"Thu Mar 05 14:07:09 UTC 2026", // zero-padded day
		"Thu Mar  5 14:07:09 UTC 2026", // space-padded day
		"Thu Mar 5 02:07:09 UTC 2026",  // 12-hour clock for 14:07 is still a valid 24h string...
		"Thu Mar 5 14:07:09 GMT 2026",
		"Thu Mar 5 14:07:09 UTC 2026 ",
		"Fri Mar 5 14:07:09 UTC 2026", // wrong weekday
		"thu mar 5 14:07:09 utc 2026",
		"Thu Mar 5 14:7:09 UTC 2026",
		"",
		strings.Repeat("x", 100),
	} {
		if s == "Thu Mar 5 02:07:09 UTC 2026" {
			// 02:07 is a well-formed 24-hour time; it must parse as 02:07,
			// not as 14:07.
			got, err := ParseTimestamp(s)
			if err != nil || got.Hour() != 2 {
				t.Errorf("ParseTimestamp(%q): got %v, %v; want hour 2", s, got, err)
			}
			continue
		}
		if _, err := ParseTimestamp(s); !errors.Is(err, ErrInvalidTimestamp) {
			t.Errorf("ParseTimestamp(%q): got %v; want ErrInvalidTimestamp", s, err)
		}
	}
}

func TestSecretHash(t *testing.T) {
	h := SecretHash("123abd", "clientSecret", "test")
	if !VerifySecretHash("123abd", "clientSecret", "test", h) {
		t.Error("VerifySecretHash rejected a valid hash")
	}
	for _, tc := range []struct{ id, secret, user string }{
		{"123abd", "clientSecret", "Test"},
		{"123abc", "clientSecret", "test"},
		{"123abd", "clientSecreT", "test"},
		{"23abd", "clientSecret", "test1"}, // same concatenation, different split
	} {
		if VerifySecretHash(tc.id, tc.secret, tc.user, h) {
			if tc.user+tc.id == "test123abd" {
				continue // the hash covers username||clientId; this split is indistinguishable by design
			}
			t.Errorf("VerifySecretHash(%+v) accepted another input's hash", tc)
		}
	}
}

func TestPoolName(t *testing.T) {
	for in, want := range map[string]string{
		"us-east-1_AbC123": "AbC123",
		"eu-west-1_myPool": "myPool",
		"noUnderscore":     "noUnderscore",
		"a_b_c":            "b_c",
	} {
		if got := PoolName(in); got != want {
			t.Errorf("PoolName(%q): got %q; want %q", in, got, want)
		}
	}
}

// randomSalt returns a random salt of 1..32 bytes, positive or negative,
// often with leading zero nibbles or a top bit that needs a sign byte.
func randomSalt(r *mrand.Rand) *big.Int {
	b := make([]byte, 1+r.IntN(32))
	for j := range b {
		b[j] = byte(r.Uint32())
	}
	switch r.IntN(4) {
	case 0:
		b[0] &= 0x0f // leading zero nibble
	case 1:
		b[0] |= 0x80 // needs a sign byte when positive
	}
	s := new(big.Int).SetBytes(b)
	if r.IntN(2) == 0 {
		s.Neg(s)
	}
	return s
}

func randomString(r *mrand.Rand, n int) string {
	alphabets := [][]rune{
		[]rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
		[]rune("!@#$%^&*()_+-=[]{};':\",./<>?\\| "),
		[]rune("éüßçñøåæ日本語中文한국어ДжЩЖΩπ€😀🔐👩‍💻"),
	}
	var sb strings.Builder
	for range n {
		a := alphabets[r.IntN(len(alphabets))]
		sb.WriteRune(a[r.IntN(len(a))])
	}
	return sb.String()
}

// TestClientServerRoundTrip runs full handshakes between the client half and
// the server half: the keys agree, with each other and with an independent
// reference (refPad, crypto/hkdf), and the signature verifies; in every
// third picked handshake (every tenth random one) a wrong password, or the
// alias instead of the internal user ID, gives another key.
//
// The handshakes are picked, not drawn: handshakeCases covers, for A, B,
// u and S, every way Pad can encode them (see padShape), including the ones
// a random handshake meets once in 256 or 512, with salts of both signs;
// the verifier of every salt shape of saltShapes (sign, sign byte, odd hex
// length, leading zeros in the hex) is checked against the reference.
// Then a few handshakes with random users, unicode passwords and salts,
// and random SRP secrets, come from a fixed seed; COGNITOKIT_TEST_SEED
// explores others, COGNITOKIT_SOAK=1 runs 4,000 of them, and
// FuzzClientServerRoundTrip runs as many as you let it
// (go test -fuzz FuzzClientServerRoundTrip).
func TestClientServerRoundTrip(t *testing.T) {
	t.Run("picked", func(t *testing.T) {
		t.Parallel()
		for _, hex := range saltShapes {
			salt := mustHex(t, hex)
			if v, rv := Verifier("AbC123", "üser:1", "pässword", salt), referenceVerifier("AbC123", "üser:1", "pässword", salt); v.Cmp(rv) != 0 {
				t.Errorf("salt %s: verifier %x; the reference computes %x", hex, v, rv)
			}
		}
		var seen [4][4]bool // [A, B, u, S][padShape]
		for i, hc := range handshakeCases {
			got := hc.run(t, i)
			for v, s := range got {
				seen[v][s] = true
			}
		}
		for v, shapes := range seen {
			for s, ok := range shapes {
				if !ok {
					t.Errorf("no picked handshake has %s %v; add one (handshakeCase.want)", handshakeValues[v], padShape(s))
				}
			}
		}
	})
	n := 4
	switch {
	case os.Getenv("COGNITOKIT_SOAK") != "":
		n = 4000
	case testing.Short():
		n = 2
	}
	seed := testSeed(t, 42)
	// Two parallel shards of n/2 handshakes each, beside the picked ones,
	// to use both cores.
	for shard := range 2 {
		t.Run(fmt.Sprintf("random%d", shard), func(t *testing.T) {
			t.Parallel()
			roundTrips(t, mrand.New(mrand.NewPCG(seed, uint64(shard))), n/2)
		})
	}
}

// padShape is how [Pad] encodes a value that is at most width bits wide
// (3072 for A, B and S, 256 for u): the cases a padding mistake confuses.
type padShape int

const (
	shapeSignByte     padShape = iota // top bit set: Pad prepends a 0x00 sign byte (width/8+1 bytes)
	shapeFull                         // top bit clear, first byte nonzero (width/8 bytes)
	shapeZeroThenSign                 // first byte zero, next top bit set: the 0x00 stays, as the sign byte (width/8 bytes)
	shapeShort                        // first byte zero, next top bit clear: fewer than width/8 bytes
)

func (s padShape) String() string {
	return [...]string{"with its top bit set", "with its top bit clear", "with a zero first byte and the next top bit set", "with a zero first byte (short)"}[s]
}

func shapeOf(x *big.Int, width int) padShape {
	switch n := x.BitLen(); {
	case n == width:
		return shapeSignByte
	case n > width-8:
		return shapeFull
	case n == width-8:
		return shapeZeroThenSign
	default:
		return shapeShort
	}
}

// The values whose encoding a handshake's key depends on.
const (
	valueA = iota
	valueB
	valueU
	valueS
)

var handshakeValues = [...]string{"A", "B", "u", "S"}

// handshakeCase is one picked handshake. Its private values are
// private(a) and private(b): a and b were searched for so that the value
// named in want has that shape.
type handshakeCase struct {
	pool, user, password string
	saltHex              string // as the server sends SALT
	a, b                 uint64
	want                 map[int]padShape // value (valueA...) -> shape
}

// handshakeCases: between them, every shape of A, B, u and S
// (TestClientServerRoundTrip checks that none is missing), salts of both
// signs.
// User IDs and passwords mix ASCII, symbols (':' is the separator in x),
// accents, CJK and emoji, short and long.
var handshakeCases = []handshakeCase{
	{pool: "AbC123", user: "7d0e6b4e-2b1c-4f0e-9a51-0c7a4a1c9f11", password: "correct horse battery staple", saltHex: "7a3f9c2e11d04b5f8e6a2c1d9b0f3e47",
		a: 226, b: 200, want: map[int]padShape{valueA: shapeShort}},
	{pool: "x", user: "u", password: "p", saltHex: "1",
		a: 9, b: 201, want: map[int]padShape{valueA: shapeZeroThenSign}},
	{pool: "myPool", user: "alice:admin", password: "pass:word", saltHex: "7f",
		a: 102, b: 822, want: map[int]padShape{valueB: shapeShort}},
	{pool: "Pool_9", user: "bob@example.com", password: "Ünïcödé-Pässwörd-ß", saltHex: "80",
		a: 103, b: 799, want: map[int]padShape{valueB: shapeZeroThenSign}},
	{pool: "p", user: "日本語ユーザー", password: "パスワード中文한국어", saltHex: "ff",
		a: 264, b: 204, want: map[int]padShape{valueU: shapeShort}},
	{pool: "EmojiPool", user: "👩‍💻🔐", password: "😀 🔐 👩‍💻 ДжЩЖ Ωπ €", saltHex: "f",
		a: 92, b: 205, want: map[int]padShape{valueU: shapeZeroThenSign}},
	{pool: "AbC123", user: "carol", password: strings.Repeat("long password ", 4) + "!@#$%^&*()_+-=[]{};'\\",
		saltHex: "80000000000000000000000000000000", a: 840, b: 206, want: map[int]padShape{valueS: shapeShort}},
	{pool: "AbC123", user: "dave", password: " leading and trailing spaces ", saltHex: "00ff",
		a: 653, b: 207, want: map[int]padShape{valueS: shapeZeroThenSign}},
	{pool: "AbC123", user: "grace", password: "grâce-pw", saltHex: "-80", a: 110, b: 210},
	{pool: "AbC123", user: "olivia", password: "olivia-pw", saltHex: "-00c8", a: 116, b: 216},
	{pool: "AbC123", user: "peggy", password: "peggy-pw", saltHex: "-ffffffffffffffffffffffffffffffff", a: 117, b: 217},
	{pool: "AbC123", user: "sybil", password: "sybil-pw", saltHex: "c5e1a0b2d3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0", a: 119, b: 219},
}

// saltShapes are salts of every shape, as the server sends them: for
// each, TestClientServerRoundTrip checks Verifier against the reference
// (handshakeCases runs full handshakes with some of them).
var saltShapes = []string{
	"1", "f", "7f", "80", "ff", "100", "00ff", "8000", "7a3f9c2e11d04b5f8e6a2c1d9b0f3e47", "80000000000000000000000000000000",
	"c5e1a0b2d3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0",
	"-1", "-f", "-7f", "-80", "-81", "-ff", "-100", "-00c8", "-8000", "-8001", "-7a3f9c2e11d04b5f8e6a2c1d9b0f3e47",
	"-80000000000000000000000000000000", "-ffffffffffffffffffffffffffffffff",
	"-0c5e1a0b2d3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a",
}

// private returns the private value numbered i: 128 fixed, random-looking
// bytes, like the ones NewClient and NewServer draw.
func private(i uint64) *big.Int {
	var key [32]byte
	copy(key[:], "cognitokit srp test private")
	binary.LittleEndian.PutUint64(key[24:], i)
	p, err := readPrivate(mrand.NewChaCha8(key), clientPrivateBytes)
	if err != nil {
		panic(err)
	}
	return p
}

// reference computes what a handshake with the public values A and B, the
// verifier v and the server's private value b must give, the way an
// independent implementation would: padding by refPad, the HKDF by
// crypto/hkdf, plain big.Int arithmetic. It returns u, S and the key.
func reference(A, B, v, b *big.Int) (u, S *big.Int, key []byte) {
	h := sha256.New()
	h.Write(refPad(A))
	h.Write(refPad(B))
	u = new(big.Int).SetBytes(h.Sum(nil))
	// S = (A * v^u)^b mod N
	S = new(big.Int).Exp(v, u, params.N)
	S.Mul(S, A)
	S.Mod(S, params.N)
	S.Exp(S, b, params.N)
	key, err := hkdf.Key(sha256.New, refPad(S), refPad(u), "Caldera Derived Key", 16)
	if err != nil {
		panic(err)
	}
	return u, S, key
}

// referenceVerifier is Verifier computed independently: g^x with
// x = H(refPad(salt) || H(pool || user || ":" || password)).
func referenceVerifier(pool, user, password string, salt *big.Int) *big.Int {
	inner := sha256.Sum256([]byte(pool + user + ":" + password))
	outer := sha256.Sum256(append(refPad(salt), inner[:]...))
	return new(big.Int).Exp(big.NewInt(2), new(big.Int).SetBytes(outer[:]), params.N)
}

func shapesOf(A, B, u, S *big.Int) [4]padShape {
	return [4]padShape{shapeOf(A, 3072), shapeOf(B, 3072), shapeOf(u, 256), shapeOf(S, 3072)}
}

// run runs the handshake and returns the shapes of its A, B, u and S.
func (hc handshakeCase) run(t *testing.T, i int) [4]padShape {
	t.Helper()
	salt := mustHex(t, hc.saltHex)
	v := Verifier(hc.pool, hc.user, hc.password, salt)
	srv, err := NewServerFromPrivate(v, private(hc.b))
	if err != nil {
		t.Fatal(err)
	}
	cli, err := NewClientFromPrivate(private(hc.a))
	if err != nil {
		t.Fatal(err)
	}
	// The values travel as hex.
	B, A := mustHex(t, srv.BHex()), mustHex(t, cli.AHex())
	ck, err := cli.PasswordKey(hc.pool, hc.user, hc.password, B, mustHex(t, hc.saltHex))
	if err != nil {
		t.Fatalf("handshake %d: client: %v", i, err)
	}
	sk, err := srv.PasswordKey(A)
	if err != nil {
		t.Fatalf("handshake %d: server: %v", i, err)
	}
	if !bytes.Equal(ck, sk) {
		t.Fatalf("handshake %d (salt %s): client key %x != server key %x", i, hc.saltHex, ck, sk)
	}
	block := bytes.Repeat([]byte{byte(i), 0xff, 0}, 1+i)
	ts := Timestamp(time.Date(2026, time.Month(1+i%12), 1+i, 3*i%24, 4, 5, 0, time.UTC))
	sig := Signature(ck, hc.pool, hc.user, block, ts)
	if !VerifySignature(sk, hc.pool, hc.user, block, ts, sig) {
		t.Fatalf("handshake %d: server rejected the client's signature", i)
	}
	if i%3 == 0 {
		// A wrong password gives another key and a rejected signature.
		wk, err := cli.PasswordKey(hc.pool, hc.user, hc.password+"x", B, salt)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(wk, sk) || VerifySignature(sk, hc.pool, hc.user, block, ts, Signature(wk, hc.pool, hc.user, block, ts)) {
			t.Fatalf("handshake %d: a wrong password was accepted", i)
		}
		// The alias instead of the internal user ID fails too.
		ak, _ := cli.PasswordKey(hc.pool, hc.user+"@example.com", hc.password, B, salt)
		if bytes.Equal(ak, sk) {
			t.Fatalf("handshake %d: another user ID gave the same key", i)
		}
	}

	if rv := referenceVerifier(hc.pool, hc.user, hc.password, salt); rv.Cmp(v) != 0 {
		t.Fatalf("handshake %d (salt %s): verifier %x; the reference computes %x", i, hc.saltHex, v, rv)
	}
	u, S, key := reference(A, B, v, private(hc.b))
	if !bytes.Equal(key, sk) {
		t.Fatalf("handshake %d: key %x; the reference computes %x", i, sk, key)
	}
	got := shapesOf(A, B, u, S)
	for value, want := range hc.want {
		if got[value] != want {
			t.Errorf("handshake %d: %s is %v; want it %v (%s)", i, handshakeValues[value], got[value], want, hc.search(t, value, want))
		}
	}
	return got
}

// search finds private values that give the handshake a value of the
// wanted shape, for a changed handshakeCase.
func (hc handshakeCase) search(t *testing.T, value int, want padShape) string {
	v := Verifier(hc.pool, hc.user, hc.password, mustHex(t, hc.saltHex))
	for i := range uint64(1 << 12) {
		a, b := hc.a, hc.b
		if value == valueB {
			b = i
		} else {
			a = i
		}
		A, B := expG(private(a)), expG(private(b))
		B.Add(B, new(big.Int).Mul(params.k, v))
		B.Mod(B, params.N)
		u, S, _ := reference(A, B, v, private(b))
		if shapesOf(A, B, u, S)[value] == want {
			return fmt.Sprintf("use a: %d, b: %d", a, b)
		}
	}
	return "no private values found"
}

// FuzzClientServerRoundTrip is the soak of TestClientServerRoundTrip: each
// input seeds one handshake.
func FuzzClientServerRoundTrip(f *testing.F) {
	for _, seed := range []uint64{0, 1, 42, 1 << 63} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		roundTrips(t, mrand.New(mrand.NewPCG(seed, 7)), 1)
	})
}

// testSeed returns the seed of a randomized test: fixed, so that every run
// checks the same inputs, unless COGNITOKIT_TEST_SEED sets another one to
// explore. The seed is logged, to reproduce a failure.
func testSeed(t *testing.T, fixed uint64) uint64 {
	t.Helper()
	seed := fixed
	if s := os.Getenv("COGNITOKIT_TEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("COGNITOKIT_TEST_SEED=%q: want an unsigned integer", s)
		}
		seed = v
	}
	t.Logf("seed %d (set COGNITOKIT_TEST_SEED to change it)", seed)
	return seed
}

// seededReader is a deterministic stand-in for crypto/rand drawn from r,
// so that a seed fixes the SRP secrets too.
func seededReader(r *mrand.Rand) io.Reader {
	var key [32]byte
	for i := range key {
		key[i] = byte(r.Uint32())
	}
	return mrand.NewChaCha8(key)
}

func roundTrips(t *testing.T, r *mrand.Rand, n int) {
	for i := range n {
		pool := PoolName("us-east-1_" + randomString(r, 1+r.IntN(8)))
		user := randomString(r, 1+r.IntN(40))
		password := randomString(r, 1+r.IntN(64))
		salt := randomSalt(r)
		// The salt travels as hex, possibly with a leading '-' and leading zeros.
		saltHex := salt.Text(16)
		if r.IntN(2) == 0 {
			saltHex = strings.Replace(saltHex, salt.Abs(salt).Text(16), "00"+salt.Abs(salt).Text(16), 1)
			salt = mustHex(t, saltHex)
		}
		if !utf8.ValidString(password) {
			t.Fatal("invalid test password")
		}
		v := Verifier(pool, user, password, salt)
		srv, err := NewServer(seededReader(r), v)
		if err != nil {
			t.Fatal(err)
		}
		cli, err := NewClient(seededReader(r))
		if err != nil {
			t.Fatal(err)
		}
		B := mustHex(t, srv.BHex())
		clientSalt := mustHex(t, saltHex)
		ck, err := cli.PasswordKey(pool, user, password, B, clientSalt)
		if err != nil {
			t.Fatalf("handshake %d: client: %v", i, err)
		}
		sk, err := srv.PasswordKey(mustHex(t, cli.AHex()))
		if err != nil {
			t.Fatalf("handshake %d: server: %v", i, err)
		}
		if !bytes.Equal(ck, sk) {
			t.Fatalf("handshake %d (salt %s): client key %x != server key %x", i, saltHex, ck, sk)
		}
		if _, _, rk := reference(cli.A(), B, v, srv.b); !bytes.Equal(rk, sk) {
			t.Fatalf("handshake %d (salt %s): key %x; the reference computes %x", i, saltHex, sk, rk)
		}
		block := make([]byte, 1+r.IntN(64))
		for j := range block {
			block[j] = byte(r.Uint32())
		}
		ts := Timestamp(time.Unix(r.Int64N(4e9), 0))
		sig := Signature(ck, pool, user, block, ts)
		if !VerifySignature(sk, pool, user, block, ts, sig) {
			t.Fatalf("handshake %d: server rejected the client's signature", i)
		}
		if i%10 == 0 {
			// A wrong password gives another key and a rejected signature.
			wk, err := cli.PasswordKey(pool, user, password+"x", B, clientSalt)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(wk, sk) || VerifySignature(sk, pool, user, block, ts, Signature(wk, pool, user, block, ts)) {
				t.Fatalf("handshake %d: a wrong password was accepted", i)
			}
			// The alias instead of the internal user ID fails too.
			ak, _ := cli.PasswordKey(pool, user+"@example.com", password, B, clientSalt)
			if bytes.Equal(ak, sk) {
				t.Fatalf("handshake %d: another user ID gave the same key", i)
			}
		}
	}
}

// TestDeviceSecretRoundTrip: device secrets from a fixed random source
// give keys both halves agree on, for salts of 17 bytes (a sign byte) and
// of 16.
func TestDeviceSecretRoundTrip(t *testing.T) {
	random := mrand.NewChaCha8([32]byte{'d', 'e', 'v', 'i', 'c', 'e'})
	saltLens := map[int]bool{}
	for i := range 6 {
		groupKey := fmt.Sprintf("-group%d", i)
		deviceKey := fmt.Sprintf("us-east-1_%08x-aaaa-bbbb", i)
		password, salt, verifier, err := NewDeviceSecret(random, groupKey, deviceKey)
		if err != nil {
			t.Fatal(err)
		}
		if raw, err := base64.StdEncoding.DecodeString(password); err != nil || len(raw) != 40 {
			t.Fatalf("device password: got %d bytes, %v; want 40 bytes of base64", len(raw), err)
		}
		if len(salt) < 1 || len(salt) > 17 || salt[0]&0x80 != 0 {
			t.Fatalf("device salt %x: want the PAD of 16 random bytes", salt)
		}
		saltLens[len(salt)] = true
		// The server sees the base64-decoded salt and verifier.
		v := unpad(verifier)
		srv, err := NewServer(random, v)
		if err != nil {
			t.Fatal(err)
		}
		cli, err := NewClient(random)
		if err != nil {
			t.Fatal(err)
		}
		ck, err := cli.PasswordKey(groupKey, deviceKey, password, mustHex(t, srv.BHex()), mustHex(t, DeviceSaltHex(salt)))
		if err != nil {
			t.Fatal(err)
		}
		sk, err := srv.PasswordKey(cli.A())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ck, sk) {
			t.Fatalf("device %d: client key %x != server key %x", i, ck, sk)
		}
	}
	if !saltLens[16] || !saltLens[17] {
		t.Errorf("salt lengths %v: want devices with 16- and 17-byte salts (change the random source's key)", saltLens)
	}
	if _, _, _, err := NewDeviceSecret(rand.Reader, "", "k"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("empty group key: got %v; want ErrInvalidArgument", err)
	}
	if _, _, _, err := NewDeviceSecret(failingReader{}, "g", "k"); !errors.Is(err, ErrRandom) {
		t.Errorf("failing rand: got %v; want ErrRandom", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy exhausted") }

func TestAborts(t *testing.T) {
	cli, err := NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	salt := big.NewInt(99)
	n := N()
	for name, B := range map[string]*big.Int{
		"nil":      nil,
		"zero":     big.NewInt(0),
		"N":        n,
		"2N":       new(big.Int).Lsh(n, 1),
		"-N":       new(big.Int).Neg(n),
		"negative": big.NewInt(-5),
		"N+1":      new(big.Int).Add(n, big.NewInt(1)),
	} {
		if _, err := cli.PasswordKey("pool", "user", "pw", B, salt); !errors.Is(err, ErrInvalidB) {
			t.Errorf("B=%s: got %v; want ErrInvalidB", name, err)
		}
	}
	if _, err := cli.PasswordKey("pool", "user", "pw", big.NewInt(7), nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("nil salt: got %v; want ErrInvalidArgument", err)
	}
	srv, err := NewServer(rand.Reader, Verifier("pool", "user", "pw", salt))
	if err != nil {
		t.Fatal(err)
	}
	for name, A := range map[string]*big.Int{
		"nil":      nil,
		"zero":     big.NewInt(0),
		"N":        n,
		"3N":       new(big.Int).Mul(n, big.NewInt(3)),
		"negative": big.NewInt(-1),
	} {
		if _, err := srv.PasswordKey(A); !errors.Is(err, ErrInvalidA) {
			t.Errorf("A=%s: got %v; want ErrInvalidA", name, err)
		}
	}
	for name, v := range map[string]*big.Int{"nil": nil, "zero": big.NewInt(0), "N": n} {
		if _, err := NewServer(rand.Reader, v); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("verifier %s: got %v; want ErrInvalidArgument", name, err)
		}
	}
	if _, err := NewClient(failingReader{}); !errors.Is(err, ErrRandom) {
		t.Errorf("client with failing rand: got %v; want ErrRandom", err)
	}
	if _, err := NewClient(io.LimitReader(rand.Reader, 10)); !errors.Is(err, ErrRandom) {
		t.Errorf("client with short rand: got %v; want ErrRandom", err)
	}
	if _, err := NewClient(nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("client with nil rand: got %v; want ErrInvalidArgument", err)
	}
	if _, err := NewServer(failingReader{}, big.NewInt(5)); !errors.Is(err, ErrRandom) {
		t.Errorf("server with failing rand: got %v; want ErrRandom", err)
	}
	for _, a := range []*big.Int{nil, big.NewInt(0), big.NewInt(-3)} {
		if _, err := NewClientFromPrivate(a); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("NewClientFromPrivate(%v): got %v; want ErrInvalidArgument", a, err)
		}
	}
	// u == 0 cannot be produced from real inputs (it needs a SHA-256
	// preimage of zero); checkU is the check both halves use.
	if err := checkU(new(big.Int)); !errors.Is(err, ErrInvalidU) {
		t.Errorf("checkU(0): got %v; want ErrInvalidU", err)
	}
	if err := checkU(big.NewInt(1)); err != nil {
		t.Errorf("checkU(1): got %v; want nil", err)
	}
}

// TestErrorsHoldNoSecrets checks that no error message carries the password.
func TestErrorsHoldNoSecrets(t *testing.T) {
	cli, _ := NewClient(rand.Reader)
	const pw = "hunter2-super-secret"
	_, err := cli.PasswordKey("pool", "user", pw, big.NewInt(0), big.NewInt(1))
	if err == nil || strings.Contains(err.Error(), pw) {
		t.Errorf("error %v: want an error without the password", err)
	}
}

// unpad is the inverse of Pad: it reads b as a big-endian two's-complement
// integer, like Java's new BigInteger(byte[]). An empty b is zero.
func unpad(b []byte) *big.Int {
	v := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return v
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestPrivateSizes: NewClient draws a 128-byte a, as Amazon's SDKs do, and
// NewServer a 32-byte b (Example shows the two agree on the key).
func TestPrivateSizes(t *testing.T) {
	var key [32]byte
	copy(key[:], "cognitokit srp private sizes")
	cr := &countingReader{r: mrand.NewChaCha8(key)}
	if _, err := NewClient(cr); err != nil || cr.n != clientPrivateBytes {
		t.Fatalf("NewClient read %d bytes (%v); want %d", cr.n, err, clientPrivateBytes)
	}
	v := expG(private(7))
	sr := &countingReader{r: mrand.NewChaCha8(key)}
	s, err := NewServer(sr, v)
	if err != nil || sr.n != serverPrivateBytes || s.b.BitLen() > 8*serverPrivateBytes {
		t.Fatalf("NewServer read %d bytes (%v), b has %d bits; want %d bytes", sr.n, err, s.b.BitLen(), serverPrivateBytes)
	}
	if s.b.BitLen() < 8*serverPrivateBytes-16 {
		t.Errorf("b has %d bits; want about %d", s.b.BitLen(), 8*serverPrivateBytes)
	}
}
