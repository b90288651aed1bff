package packagetests_test

import (
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/testkeys"
)

// jwtTestKey is a fixed key: generating one costs more than the tests.
func jwtTestKey() *rsa.PrivateKey { return testkeys.RSA2048(1)[0] }

func TestSignAndVerify(t *testing.T) {
	for _, alg := range []string{"RS256", "RS512"} {
		tok, err := emulator.SignJWT(jwtTestKey(), alg, map[string]string{"kid": "k", "alg": alg}, map[string]any{"sub": "x"})
		if err != nil {
			t.Fatal(err)
		}
		jwt, err := emulator.ParseJWT(tok, 1<<14)
		if err != nil || jwt.Alg != alg || jwt.Kid != "k" || string(jwt.Payload) != `{"sub":"x"}` {
			t.Fatalf("%s: ParseJWT = %+v, %v", alg, jwt, err)
		}
		if !jwt.Verify(&jwtTestKey().PublicKey) {
			t.Errorf("%s: the signature does not verify", alg)
		}
		tampered := tok[:strings.IndexByte(tok, '.')+1] + "eyJzdWIiOiJ5In0" + tok[strings.LastIndexByte(tok, '.'):]
		if jwt, err := emulator.ParseJWT(tampered, 1<<14); err != nil || jwt.Verify(&jwtTestKey().PublicKey) {
			t.Errorf("%s: a tampered payload verifies (%v)", alg, err)
		}
	}
	if _, err := emulator.SignJWT(jwtTestKey(), "HS256", nil, nil); err == nil {
		t.Error("SignJWT(HS256) works; want an error")
	}
}

// FuzzParseJWT: ParseJWT never panics, and accepts only three base64url
// parts whose header is a JSON object.
func FuzzParseJWT(f *testing.F) {
	tok, err := emulator.SignJWT(jwtTestKey(), "RS256", map[string]string{"kid": "k", "alg": "RS256"}, map[string]any{"sub": "x"})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{tok, "a.b.c", "..", "e30.e30.", "e30.e30.e30.e30", tok + "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		jwt, err := emulator.ParseJWT(s, 1<<14)
		if err != nil {
			return
		}
		if strings.Count(s, ".") != 2 {
			t.Fatalf("ParseJWT(%q) accepted %d dots", s, strings.Count(s, "."))
		}
		jwt.Verify(&jwtTestKey().PublicKey)
	})
}
