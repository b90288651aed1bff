package verifier

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"math/big"
	"strings"
	"unsafe"
)

// algorithm is a JWS alg on the allow-list.
type algorithm uint8

const (
	algInvalid algorithm = iota
	algRS256
	algRS384
	algRS512
	algPS256
	algPS384
	algPS512
	algES256
	algES384
	algES512
)

var algNames = [...]string{"", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}

func (a algorithm) String() string {
	if int(a) < len(algNames) && a != algInvalid {
		return algNames[a]
	}
	return "invalid"
}

func parseAlg(s string) algorithm {
	switch s {
	case "RS256":
		return algRS256
	case "RS384":
		return algRS384
	case "RS512":
		return algRS512
	case "PS256":
		return algPS256
	case "PS384":
		return algPS384
	case "PS512":
		return algPS512
	case "ES256":
		return algES256
	case "ES384":
		return algES384
	case "ES512":
		return algES512
	}
	return algInvalid
}

func (a algorithm) isRSA() bool { return a >= algRS256 && a <= algPS512 }
func (a algorithm) isEC() bool  { return a >= algES256 && a <= algES512 }

// b64 is strict unpadded base64url. Strict rejects non-zero trailing bits;
// validSegmentChars rejects the CR/LF that the decoder would skip.
var b64 = base64.RawURLEncoding.Strict()

// b64url marks the bytes allowed in a compact JWS: the base64url alphabet
// and the two dots.
var b64url = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['_'], t['.'] = true, true, true
	return t
}()

// splitToken splits a compact JWS into its three segments. It returns the
// indexes of the two dots. The base64url decoder rejects every byte outside
// the alphabet except CR and LF, which it would skip, so those are refused
// here; badSegment explains other bad bytes once decoding has failed.
func splitToken(token string) (dot1, dot2 int, err error) {
	if strings.IndexByte(token, '\n') >= 0 || strings.IndexByte(token, '\r') >= 0 {
		return 0, 0, reject(ErrMalformed, "the token contains a line break")
	}
	dot1 = strings.IndexByte(token, '.')
	if dot1 < 0 {
		return 0, 0, reject(ErrMalformed, "the token is not a compact JWS (header.payload.signature)")
	}
	rest := strings.IndexByte(token[dot1+1:], '.')
	if rest < 0 {
		return 0, 0, reject(ErrMalformed, "the token is not a compact JWS (header.payload.signature)")
	}
	dot2 = dot1 + 1 + rest
	if strings.IndexByte(token[dot2+1:], '.') >= 0 {
		return 0, 0, reject(ErrMalformed, "the token has more than three segments (an encrypted JWE is not supported)")
	}
	if dot1 == 0 || dot2 == dot1+1 {
		return 0, 0, reject(ErrMalformed, "the token has an empty header or payload")
	}
	// An empty signature is left to the header checks, so that alg "none"
	// is reported as ErrUnsupportedAlg.
	return dot1, dot2, nil
}

// badSegment explains why segment seg (named what) failed to decode.
func badSegment(what, seg string) error {
	for i := 0; i < len(seg); i++ {
		if !b64url[seg[i]] {
			switch c := seg[i]; {
			case c == '=':
				return rejectf(ErrMalformed, "the %s has base64 padding; JWS uses unpadded base64url", what)
			case c == '+' || c == '/':
				return rejectf(ErrMalformed, "the %s uses the standard base64 alphabet; JWS uses base64url", what)
			default:
				return rejectf(ErrMalformed, "the %s has characters outside base64url (whitespace, a Bearer prefix or quotes?)", what)
			}
		}
	}
	return rejectf(ErrMalformed, "the %s is not valid unpadded base64url (bad length or non-zero trailing bits)", what)
}

// stringBytes returns the bytes of s without copying. The result must
// never be modified.
func stringBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// bytesString returns b as a string without copying. b must never be
// modified afterwards.
func bytesString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

const maxHeaderSize = 1024

// header is the parsed protected header.
type header struct {
	alg    algorithm
	algRaw string
	kid    string
}

// parseHeader parses the decoded protected header strictly: a JSON object
// whose member names are unique even ignoring case, alg on the allow-list, a kid, and none of the
// headers that would let the token choose its own key.
func parseHeader(h string) (out header, err error) {
	sc := scanner{s: h}
	if !sc.eat('{') {
		return out, reject(ErrMalformed, "the header is not a JSON object")
	}
	// Member names seen so far, for the duplicate check. A fixed array
	// indexed by hand (not append) keeps the header on the stack.
	var names [8]string
	nnames := 0
	var hasAlg, hasKid bool
	if !sc.eat('}') {
		for {
			sc.ws()
			name, ok := sc.str()
			if !ok {
				return out, reject(ErrMalformed, "the header is not valid JSON")
			}
			for _, n := range names[:nnames] {
				if strings.EqualFold(n, name) {
					return out, reject(ErrMalformed, "the header repeats a member name, exactly or in another case; refusing to guess which one counts")
				}
			}
			if nnames == len(names) {
				return out, reject(ErrMalformed, "the header has too many members")
			}
			names[nnames] = name
			nnames++
			if !sc.eat(':') {
				return out, reject(ErrMalformed, "the header is not valid JSON")
			}
			sc.ws()
			switch name {
			case "alg":
				out.algRaw, ok = sc.str()
				hasAlg = true
			case "kid":
				out.kid, ok = sc.str()
				hasKid = true
			case "jku", "x5u", "jwk", "x5c", "crit":
				return out, reject(ErrMalformed, forbiddenHeader(name))
			default:
				ok = sc.skip(1)
			}
			if !ok {
				return out, reject(ErrMalformed, "the header is not valid JSON or a member has the wrong type")
			}
			if sc.eat(',') {
				continue
			}
			if sc.eat('}') {
				break
			}
			return out, reject(ErrMalformed, "the header is not valid JSON")
		}
	}
	sc.ws()
	if sc.i != len(h) {
		return out, reject(ErrMalformed, "the header has data after the JSON object")
	}
	if !hasAlg {
		return out, reject(ErrMalformed, "the header has no alg")
	}
	out.alg = parseAlg(out.algRaw)
	if out.alg == algInvalid {
		return out, reject(ErrUnsupportedAlg, "alg is not one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 (none and HMAC are never accepted)")
	}
	if !hasKid || out.kid == "" {
		return out, reject(ErrMalformed, "the header has no kid; Cognito tokens always name their key")
	}
	return out, nil
}

// forbiddenHeader returns the message for a refused header member. It
// returns constants so that the decoded header (kept on the stack by
// verifyFull) does not escape into an error.
func forbiddenHeader(name string) string {
	switch name {
	case "jku":
		return `the header has "jku", which is not accepted: keys come only from the configured JWKS`
	case "x5u":
		return `the header has "x5u", which is not accepted: keys come only from the configured JWKS`
	case "jwk":
		return `the header has "jwk", which is not accepted: keys come only from the configured JWKS`
	case "x5c":
		return `the header has "x5c", which is not accepted: keys come only from the configured JWKS`
	}
	return `the header has "crit", which is not accepted: no critical extension is supported`
}

// verifySignature checks sig over signingInput with key k under alg a.
//
// RS256, RS384 and RS512 go through internal/rsaverify, which keeps the
// Montgomery constants of each modulus from the JWKS parse instead of
// recomputing them on every call as rsa.VerifyPKCS1v15 does (about a
// third of its time); its verdicts are crypto/rsa's, which the tests
// check differentially. PS256, PS384 and PS512 use rsa.VerifyPSS, and the
// ES algorithms crypto/ecdsa.
func verifySignature(k *publicKey, a algorithm, signingInput string, sig []byte) bool {
	in := stringBytes(signingInput)
	switch a {
	case algRS256:
		d := sha256.Sum256(in)
		return k.pkcs1.VerifyPKCS1v15(crypto.SHA256, d[:], sig) == nil
	case algRS384:
		d := sha512.Sum384(in)
		return k.pkcs1.VerifyPKCS1v15(crypto.SHA384, d[:], sig) == nil
	case algRS512:
		d := sha512.Sum512(in)
		return k.pkcs1.VerifyPKCS1v15(crypto.SHA512, d[:], sig) == nil
	case algPS256:
		d := sha256.Sum256(in)
		return rsa.VerifyPSS(k.rsa, crypto.SHA256, d[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	case algPS384:
		d := sha512.Sum384(in)
		return rsa.VerifyPSS(k.rsa, crypto.SHA384, d[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	case algPS512:
		d := sha512.Sum512(in)
		return rsa.VerifyPSS(k.rsa, crypto.SHA512, d[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	case algES256:
		d := sha256.Sum256(in)
		return verifyECDSA(k.ec, d[:], sig)
	case algES384:
		d := sha512.Sum384(in)
		return verifyECDSA(k.ec, d[:], sig)
	case algES512:
		d := sha512.Sum512(in)
		return verifyECDSA(k.ec, d[:], sig)
	}
	return false
}

// verifyECDSA verifies a JWS ECDSA signature: r and s as fixed-size
// big-endian integers, concatenated (RFC 7518 §3.4).
func verifyECDSA(pub *ecdsa.PublicKey, digest, sig []byte) bool {
	size := (pub.Curve.Params().BitSize + 7) / 8
	if len(sig) != 2*size {
		return false
	}
	r := new(big.Int).SetBytes(sig[:size])
	s := new(big.Int).SetBytes(sig[size:])
	return ecdsa.Verify(pub, digest, r, s)
}

// sigSize is the exact signature length alg a requires under key k.
func sigSize(k *publicKey, a algorithm) int {
	if a.isRSA() {
		return k.rsa.Size()
	}
	return 2 * ((k.ec.Curve.Params().BitSize + 7) / 8)
}
