package verifier

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/testkeys"
)

// Test fixtures shared by the tests, benchmarks and examples of this
// package. Keys are generated once per test binary because 2048-bit RSA
// generation is slow.

const (
	testPoolID   = "us-east-1_TestPool1"
	testIssuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
	testClientID = "3k8v9ab1c2d3e4f5g6h7i8j9k0"
	testClient2  = "7abcdefghijklmnopqrstuvwxy"
)

// testEpoch is the fixed "now" of the table tests.
var testEpoch = time.Date(2026, 3, 5, 14, 7, 9, 0, time.UTC)

type testKey struct {
	kid        string
	alg        string // JWS alg the key signs with
	rsa        *rsa.PrivateKey
	ec         *ecdsa.PrivateKey
	noAlgInJWK bool
}

var (
	keysOnce sync.Once
	keyA     *testKey // the main RS256 key
	keyB     *testKey // a second RS256 key (rotation, wrong key)
	keyC     *testKey // a third RS256 key
	keyEC    *testKey // ES256
	keyPS    *testKey // PS256 (RSA)
	keySmall *testKey // 1024-bit RSA, must be ignored
)

func keys(tb testing.TB) {
	tb.Helper()
	keysOnce.Do(func() {
		// Fixed RSA keys: generating four 2048-bit keys takes a second
		// under -race.
		rsaKeys := testkeys.RSA2048(4)
		keyA = &testKey{kid: "kidA+abcdefghijklmnopqrstuvwxyz0123456789/=", alg: "RS256", rsa: rsaKeys[0]}
		keyB = &testKey{kid: "kidB", alg: "RS256", rsa: rsaKeys[1]}
		keyC = &testKey{kid: "kidC", alg: "RS256", rsa: rsaKeys[2]}
		keyPS = &testKey{kid: "kidPS", alg: "PS256", rsa: rsaKeys[3]}
		ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		keyEC = &testKey{kid: "kidEC", alg: "ES256", ec: ec}
		// 1024-bit keys are below Go's default minimum; build one by hand
		// only for the JWKS document (it is never used to sign).
		keySmall = &testKey{kid: "kidSmall", alg: "RS256", rsa: &rsa.PrivateKey{PublicKey: rsa.PublicKey{
			N: new(big.Int).Lsh(big.NewInt(1), 1023).Add(new(big.Int).Lsh(big.NewInt(1), 1023), big.NewInt(1)), E: 65537}}}
	})
}

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwk returns the public JWK of k as a map.
func (k *testKey) jwk() map[string]any {
	m := map[string]any{"kid": k.kid, "use": "sig"}
	if !k.noAlgInJWK {
		m["alg"] = k.alg
	}
	if k.rsa != nil {
		m["kty"] = "RSA"
		m["n"] = b64u(k.rsa.N.Bytes())
		m["e"] = b64u(big.NewInt(int64(k.rsa.E)).Bytes())
	} else {
		m["kty"] = "EC"
		m["crv"] = "P-256"
		x, y := k.ec.X.FillBytes(make([]byte, 32)), k.ec.Y.FillBytes(make([]byte, 32))
		m["x"] = b64u(x)
		m["y"] = b64u(y)
	}
	return m
}

// jwksOf returns a JWKS document with the public keys of ks.
func jwksOf(ks ...*testKey) []byte {
	list := make([]map[string]any, len(ks))
	for i, k := range ks {
		list[i] = k.jwk()
	}
	b, err := json.Marshal(map[string]any{"keys": list})
	if err != nil {
		panic(err)
	}
	return b
}

// accessClaims returns Cognito-shaped access token claims valid at testEpoch.
func accessClaims() map[string]any {
	return map[string]any{
		"sub":            "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
		"cognito:groups": []string{"admin", "ops"},
		"iss":            testIssuer,
		"version":        2,
		"client_id":      testClientID,
		"origin_jti":     "4d7c5a4e-1111-4d6c-9b1a-EXAMPLEorig",
		"event_id":       "e1d2c3b4-2222-4c5d-8e9f-EXAMPLEevnt",
		"token_use":      "access",
		"scope":          "openid profile email aws.cognito.signin.user.admin",
		"auth_time":      testEpoch.Add(-10 * time.Minute).Unix(),
		"exp":            testEpoch.Add(50 * time.Minute).Unix(),
		"iat":            testEpoch.Add(-10 * time.Minute).Unix(),
		"jti":            "9f8e7d6c-3333-4b5a-a1b2-EXAMPLEjti01",
		"username":       "alice",
		"device_key":     "us-east-1_device-1111",
	}
}

// idClaims returns Cognito-shaped ID token claims valid at testEpoch.
func idClaims() map[string]any {
	return map[string]any{
		"sub":                   "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
		"cognito:groups":        []string{"admin"},
		"email_verified":        true,
		"iss":                   testIssuer,
		"cognito:username":      "alice",
		"origin_jti":            "4d7c5a4e-1111-4d6c-9b1a-EXAMPLEorig",
		"aud":                   testClientID,
		"event_id":              "e1d2c3b4-2222-4c5d-8e9f-EXAMPLEevnt",
		"token_use":             "id",
		"auth_time":             testEpoch.Add(-10 * time.Minute).Unix(),
		"exp":                   testEpoch.Add(50 * time.Minute).Unix(),
		"iat":                   testEpoch.Add(-10 * time.Minute).Unix(),
		"jti":                   "1a2b3c4d-4444-4e5f-a6b7-EXAMPLEjti02",
		"email":                 "alice@example.com",
		"phone_number":          "+15555550100",
		"phone_number_verified": false,
		"custom:tenant":         "acme",
		"custom:plan":           "gold",
	}
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// signRaw signs headerJSON.payloadJSON with k (or with HMAC when hmacKey is
// set) and returns the compact token.
func signRaw(tb testing.TB, k *testKey, alg string, headerJSON, payloadJSON []byte) string {
	tb.Helper()
	input := b64u(headerJSON) + "." + b64u(payloadJSON)
	return input + "." + b64u(signBytes(tb, k, alg, []byte(input)))
}

func signBytes(tb testing.TB, k *testKey, alg string, input []byte) []byte {
	tb.Helper()
	var h crypto.Hash
	switch alg[2:] {
	case "256":
		h = crypto.SHA256
	case "384":
		h = crypto.SHA384
	case "512":
		h = crypto.SHA512
	default:
		tb.Fatalf("bad alg %q", alg)
	}
	var digest []byte
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(input)
		digest = d[:]
	case crypto.SHA384:
		d := sha512.Sum384(input)
		digest = d[:]
	default:
		d := sha512.Sum512(input)
		digest = d[:]
	}
	var sig []byte
	var err error
	switch alg[:2] {
	case "RS":
		sig, err = rsa.SignPKCS1v15(rand.Reader, k.rsa, h, digest)
	case "PS":
		sig, err = rsa.SignPSS(rand.Reader, k.rsa, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "ES":
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, k.ec, digest)
		if err == nil {
			size := (k.ec.Curve.Params().BitSize + 7) / 8
			sig = append(r.FillBytes(make([]byte, size)), s.FillBytes(make([]byte, size))...)
		}
	case "HS":
		m := hmac.New(h.New, []byte(k.kid))
		m.Write(input)
		sig = m.Sum(nil)
	default:
		tb.Fatalf("bad alg %q", alg)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return sig
}

// mint signs claims with k under k's alg and a Cognito-shaped header.
func mint(tb testing.TB, k *testKey, claims map[string]any) string {
	tb.Helper()
	hdr := marshal(map[string]any{"kid": k.kid, "alg": k.alg})
	return signRaw(tb, k, k.alg, hdr, marshal(claims))
}

// staticConfig returns a Config with one pool using a static JWKS of ks,
// the fixed clock testEpoch, and the given token use.
func staticConfig(use TokenUse, ks ...*testKey) Config {
	return Config{
		Pools: []Pool{{
			UserPoolID: testPoolID,
			ClientIDs:  []string{testClientID},
			TokenUse:   use,
			JWKS:       jwksOf(ks...),
		}},
		Now: func() time.Time { return testEpoch },
	}
}

func mustNew(tb testing.TB, cfg Config) *Verifier {
	tb.Helper()
	v, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(func() { v.Close() })
	return v
}
