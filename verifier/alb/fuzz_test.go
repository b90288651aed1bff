package alb

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/verifier"
)

// FuzzVerify feeds the parser the corpus and its mutations: no panic, every
// error is one of the sentinels, never contains the token, and only a
// token signed by the ALB's key with the right claims verifies.
func FuzzVerify(f *testing.F) {
	b, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		f.Fatal(err)
	}
	var cases []corpusCase
	if err := json.Unmarshal(b, &cases); err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.Token)
	}
	ks := newKeyServer(f, &loadKey(f, "alb-key.pem").PublicKey)
	v := testVerifier(f, ks.URL, nil)
	if _, err := v.Verify(context.Background(), cases[0].Token); err != nil { // warm the key
		f.Fatal(err)
	}
	sentinels := []error{verifier.ErrMalformed, verifier.ErrTooLarge, verifier.ErrUnsupportedAlg, verifier.ErrBadSignature,
		verifier.ErrWrongIssuer, verifier.ErrWrongClient, verifier.ErrExpired, verifier.ErrUnknownKey, verifier.ErrKeysUnavailable}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(context.Background(), tok)
		if err == nil {
			if c.Subject == "" || c.ClientID != testClient {
				t.Fatalf("verified claims %+v", c)
			}
			return
		}
		known := false
		for _, s := range sentinels {
			known = known || errors.Is(err, s)
		}
		if !known {
			t.Fatalf("error %v matches no sentinel", err)
		}
		if len(tok) > 16 && strings.Contains(err.Error(), tok) {
			t.Fatalf("error %q contains the token", err)
		}
	})
}

// FuzzParseHeader checks the header parser alone.
func FuzzParseHeader(f *testing.F) {
	f.Add([]byte(`{"typ":"JWT","kid":"` + testKid + `","alg":"ES256","iss":"x","client":"c","signer":"s","exp":1}`))
	f.Add([]byte(`{"alg":"ES256","ALG":"none"}`))
	f.Add([]byte(`{"exp":"1"}`))
	f.Add([]byte(`{"a":{"b":[1,2,{"c":null}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHeader(b)
		if err != nil {
			if !errors.Is(err, verifier.ErrMalformed) && !errors.Is(err, verifier.ErrUnsupportedAlg) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if h.alg != "ES256" || !kidForm.MatchString(h.kid) || h.signer == "" {
			t.Fatalf("accepted %+v", h)
		}
	})
}
