package verifier

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
)

func TestParseJWKSSkipsUnusableKeys(t *testing.T) {
	keys(t)
	jwkWith := func(k *testKey, kv ...any) map[string]any {
		m := k.jwk()
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	priv := keyB.jwk()
	priv["kid"] = "private"
	priv["d"] = b64u(keyB.rsa.D.Bytes())
	doc := map[string]any{"keys": []any{
		keyA.jwk(),
		jwkWith(keyB, "kid", "enc", "use", "enc"),
		jwkWith(keyB, "kid", "noverify", "key_ops", []string{"encrypt"}),
		jwkWith(keyB, "kid", "hs", "alg", "HS256"),
		jwkWith(keyB, "kid", "", "alg", "RS256"),
		jwkWith(keyB, "kid", "rs512", "alg", "RS512"),
		jwkWith(keyB, "kid", "noalg", "alg", nil),
		jwkWith(keyEC, "kid", "ec-wrong-alg", "alg", "ES384"),
		jwkWith(keyEC, "kid", "ec-noalg", "alg", nil),
		jwkWith(keyC, "kid", "dup"),
		jwkWith(keyPS, "kid", "dup"),
		priv,
		map[string]any{"kty": "oct", "kid": "oct", "k": "c2VjcmV0"},
		map[string]any{"kty": "OKP", "kid": "okp", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
		"not an object",
		jwkSmall(),
	}}
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseJWKS(body, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]algorithm{keyA.kid: algRS256, "rs512": algRS512, "noalg": algRS256, "ec-noalg": algES256}
	if len(got) != len(want) {
		kids := []string{}
		for k := range got {
			kids = append(kids, k)
		}
		t.Fatalf("kept %v; want %v", kids, want)
	}
	for kid, alg := range want {
		if k := got[kid]; k == nil || k.alg != alg {
			t.Errorf("key %q: got %v; want alg %v", kid, k, alg)
		}
	}
}

func jwkSmall() map[string]any { return keySmall.jwk() }

func TestAlgorithmsWhereTheKeySaysSo(t *testing.T) {
	keys(t)
	ec384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k384 := &testKey{kid: "ec384", alg: "ES384", ec: ec384}
	rs512 := &testKey{kid: "rs512", alg: "RS512", rsa: keyB.rsa}
	ps384 := &testKey{kid: "ps384", alg: "PS384", rsa: keyC.rsa}
	ec384jwk := func() map[string]any {
		m := map[string]any{"kty": "EC", "crv": "P-384", "kid": "ec384", "use": "sig",
			"x": b64u(ec384.X.FillBytes(make([]byte, 48))), "y": b64u(ec384.Y.FillBytes(make([]byte, 48)))}
		return m
	}
	doc, _ := json.Marshal(map[string]any{"keys": []any{rs512.jwk(), ps384.jwk(), ec384jwk()}})
	cfg := staticConfig(TokenUseAccess)
	cfg.Pools[0].JWKS = doc
	v := mustNew(t, cfg)
	for _, k := range []*testKey{rs512, ps384, k384} {
		if _, err := v.Verify(context.Background(), mint(t, k, accessClaims())); err != nil {
			t.Errorf("%s: %v", k.alg, err)
		}
	}
	// The same keys refuse the other algorithms of their family.
	for _, tc := range []struct {
		k   *testKey
		alg string
	}{{rs512, "RS256"}, {ps384, "PS256"}, {ps384, "RS384"}, {rs512, "PS512"}} {
		tok := signRaw(t, tc.k, tc.alg, hdr("alg", tc.alg, "kid", tc.k.kid), marshal(accessClaims()))
		if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrUnsupportedAlg) {
			t.Errorf("%s key with %s: got %v; want ErrUnsupportedAlg", tc.k.alg, tc.alg, err)
		}
	}
}
