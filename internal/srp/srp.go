package srp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
)

// nHex is the 3072-bit prime of RFC 5054 / RFC 3526 group 15.
const nHex = "" +
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// MaxHexLen is the longest hex integer [ParseHex] accepts, not counting a
// leading '-'. It leaves room above the 768 hex digits of N.
const MaxHexLen = 1024

// group holds the immutable protocol constants. It is created once by
// newGroup and never modified; every function reads it only.
type group struct {
	N, g, k *big.Int
	nLen    int // len(Pad(N)) == 385
}

var params = newGroup()

func newGroup() *group {
	n, ok := new(big.Int).SetString(nHex, 16)
	if !ok {
		panic("srp: bad N constant")
	}
	g := big.NewInt(2)
	h := sha256.New()
	h.Write(Pad(n))
	h.Write(Pad(g))
	k := new(big.Int).SetBytes(h.Sum(nil))
	return &group{N: n, g: g, k: k, nLen: len(Pad(n))}
}

// N returns a copy of the group's prime modulus.
func N() *big.Int { return new(big.Int).Set(params.N) }

// K returns a copy of the multiplier k = H(PAD(N) || PAD(g)).
func K() *big.Int { return new(big.Int).Set(params.k) }

// Pad returns the shortest two's-complement big-endian encoding of i, exactly
// like Java's BigInteger.toByteArray: a non-negative value whose top bit
// would be set gets a leading 0x00, and a negative value is encoded in the
// fewest bytes that keep its sign (Pad(-128) is 0x80, Pad(-200) is 0xff38).
// Pad(0) and Pad(nil) are a single 0x00 byte.
func Pad(i *big.Int) []byte {
	return appendPad(nil, i)
}

// appendPad appends Pad(i) to dst.
func appendPad(dst []byte, i *big.Int) []byte {
	if i == nil || i.Sign() == 0 {
		return append(dst, 0)
	}
	if i.Sign() > 0 {
		n := (i.BitLen() + 7) / 8
		pad := 0
		if i.BitLen()%8 == 0 {
			pad = 1 // top bit set: add a sign byte
		}
		start := len(dst)
		dst = append(dst, make([]byte, n+pad)...)
		i.FillBytes(dst[start+pad:])
		return dst
	}
	// Negative: L is the smallest byte count with i >= -2^(8L-1), that is
	// BitLen(|i|-1) <= 8L-1. The encoding is 2^(8L) + i.
	m := new(big.Int).Neg(i)
	m.Sub(m, bigOne)
	l := m.BitLen()/8 + 1
	v := new(big.Int).Lsh(bigOne, uint(8*l))
	v.Add(v, i)
	start := len(dst)
	dst = append(dst, make([]byte, l)...)
	v.FillBytes(dst[start:])
	return dst
}

var bigOne = big.NewInt(1)

// ParseHex parses a hex integer as Cognito sends it in SRP_A, SRP_B and SALT:
// an optional leading '-' followed by 1 to [MaxHexLen] hex digits of either
// case. Anything else, including '+', whitespace, "0x" and underscores, is
// rejected with an error wrapping [ErrInvalidHex]. Negative values are
// legitimate: Cognito has sent negative salts.
func ParseHex(s string) (*big.Int, error) {
	digits := strings.TrimPrefix(s, "-")
	switch {
	case digits == "":
		return nil, fmt.Errorf("%w: empty value", ErrInvalidHex)
	case len(digits) > MaxHexLen:
		return nil, fmt.Errorf("%w: %d hex digits; at most %d are allowed", ErrInvalidHex, len(digits), MaxHexLen)
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, fmt.Errorf("%w: byte %d is not a hex digit (want an optional '-' and hex digits only)", ErrInvalidHex, i+len(s)-len(digits))
		}
	}
	v, ok := new(big.Int).SetString(digits, 16)
	if !ok { // unreachable after the checks above
		return nil, fmt.Errorf("%w: not a hex integer", ErrInvalidHex)
	}
	if len(digits) != len(s) {
		v.Neg(v)
	}
	return v, nil
}

// timestampLayout is Cognito's TIMESTAMP format: English names, day of month
// not padded, 24-hour clock, always UTC.
const timestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// Timestamp formats t, in UTC, as Cognito expects in the TIMESTAMP challenge
// response: "Thu Mar 5 14:07:09 UTC 2026". The day is not padded.
func Timestamp(t time.Time) string {
	return t.UTC().Format(timestampLayout)
}

// ParseTimestamp parses a TIMESTAMP strictly: it accepts exactly the strings
// [Timestamp] produces, and rejects zero- or space-padded days, 12-hour
// clocks and other zones with an error wrapping [ErrInvalidTimestamp].
func ParseTimestamp(s string) (time.Time, error) {
	if len(s) > 64 {
		return time.Time{}, fmt.Errorf("%w: %d bytes is too long", ErrInvalidTimestamp, len(s))
	}
	t, err := time.Parse(timestampLayout, s)
	if err != nil || Timestamp(t) != s {
		return time.Time{}, fmt.Errorf("%w: %q is not in the format %q", ErrInvalidTimestamp, s, timestampLayout)
	}
	return t, nil
}

// SecretHash returns base64(HMAC-SHA256(clientSecret, username || clientID)),
// the SECRET_HASH of an app client with a secret. username must be exactly the
// USERNAME sent in the same request: after the first challenge that is
// USER_ID_FOR_SRP, not the alias the user typed.
func SecretHash(clientID, clientSecret, username string) string {
	m := hmac.New(sha256.New, []byte(clientSecret))
	io.WriteString(m, username)
	io.WriteString(m, clientID)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifySecretHash reports, in constant time, whether got is the SECRET_HASH
// for the given client and username.
func VerifySecretHash(clientID, clientSecret, username, got string) bool {
	want := SecretHash(clientID, clientSecret, username)
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// Signature returns PASSWORD_CLAIM_SIGNATURE:
// base64(HMAC-SHA256(key, poolName || userID || secretBlock || timestamp)).
// key is the 16-byte key from [Client.PasswordKey], poolName the part of the
// pool ID after '_' (or the DeviceGroupKey for device SRP), userID the
// USER_ID_FOR_SRP (or the DeviceKey), secretBlock the base64-decoded
// SECRET_BLOCK and timestamp the exact TIMESTAMP string sent.
func Signature(key []byte, poolName, userID string, secretBlock []byte, timestamp string) string {
	var sum [sha256.Size]byte
	return base64.StdEncoding.EncodeToString(computeSignature(sum[:0], key, poolName, userID, secretBlock, timestamp))
}

func computeSignature(dst, key []byte, poolName, userID string, secretBlock []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, poolName)
	io.WriteString(m, userID)
	m.Write(secretBlock)
	io.WriteString(m, timestamp)
	return m.Sum(dst)
}

// VerifySignature reports, in constant time, whether signature is the valid
// base64 PASSWORD_CLAIM_SIGNATURE for the given key and inputs.
func VerifySignature(key []byte, poolName, userID string, secretBlock []byte, timestamp, signature string) bool {
	var sum [sha256.Size]byte
	want := base64.StdEncoding.EncodeToString(computeSignature(sum[:0], key, poolName, userID, secretBlock, timestamp))
	return subtle.ConstantTimeCompare([]byte(want), []byte(signature)) == 1
}

// PoolName returns the part of a user pool ID after the '_'
// ("us-east-1_AbC123" gives "AbC123"), which SRP hashes as the pool name. It
// returns the whole ID if it has no '_'.
func PoolName(userPoolID string) string {
	if _, after, ok := strings.Cut(userPoolID, "_"); ok {
		return after
	}
	return userPoolID
}

// hashU returns u = H(PAD(A) || PAD(B)) as an integer.
func hashU(A, B *big.Int) *big.Int {
	h := sha256.New()
	buf := make([]byte, 0, 2*params.nLen)
	buf = appendPad(buf, A)
	buf = appendPad(buf, B)
	h.Write(buf)
	return new(big.Int).SetBytes(h.Sum(nil))
}

// hashX returns x = H(PAD(salt) || H(poolName || userID || ":" || password)).
func hashX(poolName, userID, password string, salt *big.Int) *big.Int {
	inner := sha256.New()
	io.WriteString(inner, poolName)
	io.WriteString(inner, userID)
	io.WriteString(inner, ":")
	io.WriteString(inner, password)
	var ih [sha256.Size]byte
	outer := sha256.New()
	outer.Write(Pad(salt))
	outer.Write(inner.Sum(ih[:0]))
	return new(big.Int).SetBytes(outer.Sum(nil))
}

// deriveKey returns the 16-byte session key HKDF-SHA256(ikm = PAD(S),
// salt = PAD(u), info = "Caldera Derived Key"), first block truncated.
func deriveKey(u, S *big.Int) []byte {
	prk := hmac.New(sha256.New, Pad(u))
	prk.Write(Pad(S))
	m := hmac.New(sha256.New, prk.Sum(nil))
	io.WriteString(m, "Caldera Derived Key\x01")
	return m.Sum(nil)[:16]
}

// checkU returns an error wrapping [ErrInvalidU] if u is zero.
func checkU(u *big.Int) error {
	if u.Sign() == 0 {
		return fmt.Errorf("%w: aborting", ErrInvalidU)
	}
	return nil
}

// checkPublic returns whether 0 < v < N, the range of a valid public value.
func checkPublic(v *big.Int) bool {
	return v != nil && v.Sign() > 0 && v.Cmp(params.N) < 0
}

// Sizes of the private exponents, in bytes. The client's a is 128 bytes,
// as in Amazon's SDKs (amazon-cognito-identity-js, Amplify). The server's b
// is 32 bytes: RFC 5054's minimum of 256 bits, which holds the discrete
// logarithm of B to about 2^128 work, as the 3072-bit group does; Cognito
// does not say what it uses, and nothing a client sees depends on it. It
// makes the emulator's half of a handshake about three times cheaper.
const (
	clientPrivateBytes = 128
	serverPrivateBytes = 32
)

// readPrivate reads a private exponent of n bytes from r.
func readPrivate(r io.Reader, n int) (*big.Int, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil random source", ErrInvalidArgument)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRandom, err)
	}
	return new(big.Int).SetBytes(buf), nil
}
