package bench

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwa"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/cognitokit/cognitokit/verifier"
)

const (
	poolID   = "us-east-1_BenchPool"
	issuer   = "https://cognito-idp.us-east-1.amazonaws.com/" + poolID
	clientID = "3k8v9ab1c2d3e4f5g6h7i8j9k0"
	kid      = "bench-key"
	nTokens  = 512
)

var (
	now     = time.Date(2026, 3, 5, 14, 7, 9, 0, time.UTC)
	once    sync.Once
	key     *rsa.PrivateKey
	tokens  []string
	jwksDoc []byte
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// fixtures mints nTokens distinct Cognito-shaped access tokens.
func fixtures(b *testing.B) {
	once.Do(func() {
		var err error
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			b.Fatal(err)
		}
		jwksDoc, _ = json.Marshal(map[string]any{"keys": []map[string]any{{
			"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
		}}})
		tokens = mintTokens(b, nTokens, now)
	})
}

// mintTokens mints n distinct Cognito-shaped access tokens, valid from
// at-10min to at+50min, signed with key.
func mintTokens(b *testing.B, n int, at time.Time) []string {
	h, _ := json.Marshal(map[string]string{"kid": kid, "alg": "RS256"})
	out := make([]string, 0, n)
	for i := range n {
		p, _ := json.Marshal(map[string]any{
			"sub": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "cognito:groups": []string{"admin", "ops"},
			"iss": issuer, "version": 2, "client_id": clientID, "origin_jti": "4d7c5a4e-1111-4d6c-9b1a-EXAMPLEorig",
			"event_id": "e1d2c3b4-2222-4c5d-8e9f-EXAMPLEevnt", "token_use": "access",
			"scope":     "openid profile email aws.cognito.signin.user.admin",
			"auth_time": at.Add(-10 * time.Minute).Unix(), "exp": at.Add(50 * time.Minute).Unix(),
			"iat": at.Add(-10 * time.Minute).Unix(), "jti": fmt.Sprintf("9f8e7d6c-3333-4b5a-a1b2-%012d", i),
			"username": "alice",
		})
		in := b64(h) + "." + b64(p)
		d := sha256.Sum256([]byte(in))
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, in+"."+b64(sig))
	}
	return out
}

// measure runs b's loop body and reports allocations and CPU time per op.
func measure(b *testing.B, body func(i int)) {
	b.ReportAllocs()
	start := processCPU()
	i := 0
	for b.Loop() {
		body(i)
		i++
	}
	if d := processCPU() - start; d > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkFloor is SHA-256 of the signing input plus rsa.VerifyPKCS1v15.
func BenchmarkFloor(b *testing.B) {
	fixtures(b)
	tok := tokens[0]
	dot := strings.LastIndexByte(tok, '.')
	input := []byte(tok[:dot])
	sig, _ := base64.RawURLEncoding.DecodeString(tok[dot+1:])
	measure(b, func(int) {
		d := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, d[:], sig); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkCognitokit(b *testing.B) {
	fixtures(b)
	v, err := verifier.New(verifier.Config{
		Pools:     []verifier.Pool{{UserPoolID: poolID, ClientIDs: []string{clientID}, TokenUse: verifier.TokenUseAccess, JWKS: jwksDoc}},
		Now:       func() time.Time { return now },
		CacheSize: -1,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	ctx := context.Background()
	measure(b, func(i int) {
		if _, err := v.Verify(ctx, tokens[i%nTokens]); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkGolangJWTv5(b *testing.B) {
	fixtures(b)
	p := gojwt.NewParser(gojwt.WithValidMethods([]string{"RS256"}), gojwt.WithIssuer(issuer),
		gojwt.WithExpirationRequired(), gojwt.WithTimeFunc(func() time.Time { return now }))
	keyFunc := func(t *gojwt.Token) (any, error) {
		if t.Header["kid"] != kid {
			return nil, fmt.Errorf("unknown kid")
		}
		return &key.PublicKey, nil
	}
	measure(b, func(i int) {
		tok, err := p.Parse(tokens[i%nTokens], keyFunc)
		if err != nil || !tok.Valid {
			b.Fatal(err)
		}
		if tok.Claims.(gojwt.MapClaims)["client_id"] != clientID {
			b.Fatal("client_id")
		}
	})
}

func BenchmarkGoOIDC(b *testing.B) {
	fixtures(b)
	v := oidc.NewVerifier(issuer, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{&key.PublicKey}},
		&oidc.Config{SkipClientIDCheck: true, Now: func() time.Time { return now }})
	ctx := context.Background()
	measure(b, func(i int) {
		if _, err := v.Verify(ctx, tokens[i%nTokens]); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkJWXParse(b *testing.B) {
	fixtures(b)
	clock := jwxjwt.ClockFunc(func() time.Time { return now })
	measure(b, func(i int) {
		if _, err := jwxjwt.Parse([]byte(tokens[i%nTokens]), jwxjwt.WithKey(jwa.RS256(), &key.PublicKey),
			jwxjwt.WithClock(clock), jwxjwt.WithIssuer(issuer)); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkVersusFloor verifies the same distinct tokens with the floor
// (SHA-256 and rsa.VerifyPKCS1v15 of the signing input), cognitokit and
// each other library in turn, op by op, and reports each one's median time
// over the floor's ("<library>/floor") and the floor's median time. Pairing
// and medians make the ratios hold on a shared machine, where load changes
// between separate benchmarks and preemption adds outliers.
func BenchmarkVersusFloor(b *testing.B) {
	fixtures(b)
	type floorInput struct{ in, sig []byte }
	floors := make([]floorInput, nTokens)
	for i, tok := range tokens {
		dot := strings.LastIndexByte(tok, '.')
		sig, err := base64.RawURLEncoding.DecodeString(tok[dot+1:])
		if err != nil {
			b.Fatal(err)
		}
		floors[i] = floorInput{[]byte(tok[:dot]), sig}
	}
	v, err := verifier.New(verifier.Config{
		Pools:     []verifier.Pool{{UserPoolID: poolID, ClientIDs: []string{clientID}, TokenUse: verifier.TokenUseAccess, JWKS: jwksDoc}},
		Now:       func() time.Time { return now },
		CacheSize: -1,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	ctx := context.Background()
	gp := gojwt.NewParser(gojwt.WithValidMethods([]string{"RS256"}), gojwt.WithIssuer(issuer),
		gojwt.WithExpirationRequired(), gojwt.WithTimeFunc(func() time.Time { return now }))
	keyFunc := func(*gojwt.Token) (any, error) { return &key.PublicKey, nil }
	ov := oidc.NewVerifier(issuer, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{&key.PublicKey}},
		&oidc.Config{SkipClientIDCheck: true, Now: func() time.Time { return now }})
	clock := jwxjwt.ClockFunc(func() time.Time { return now })

	libs := []struct {
		name   string
		verify func(i int) error
	}{
		{"floor", func(i int) error {
			d := sha256.Sum256(floors[i].in)
			return rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, d[:], floors[i].sig)
		}},
		{"cognitokit", func(i int) error { _, err := v.Verify(ctx, tokens[i]); return err }},
		{"golang-jwt", func(i int) error { _, err := gp.Parse(tokens[i], keyFunc); return err }},
		{"go-oidc", func(i int) error { _, err := ov.Verify(ctx, tokens[i]); return err }},
		{"jwx", func(i int) error {
			_, err := jwxjwt.Parse([]byte(tokens[i]), jwxjwt.WithKey(jwa.RS256(), &key.PublicKey),
				jwxjwt.WithClock(clock), jwxjwt.WithIssuer(issuer))
			return err
		}},
	}
	times := make([][]float64, len(libs))
	i := 0
	for b.Loop() {
		j := i % nTokens
		for k, lib := range libs {
			t0 := time.Now()
			if err := lib.verify(j); err != nil {
				b.Fatalf("%s: %v", lib.name, err)
			}
			times[k] = append(times[k], float64(time.Since(t0)))
		}
		i++
	}
	floor := medianF(times[0])
	b.ReportMetric(floor, "floor-ns")
	for k, lib := range libs[1:] {
		b.ReportMetric(medianF(times[k+1])/floor, lib.name+"/floor")
	}
}
