package verifier

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
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

// TestParseJWKSReadsMembersCaseSensitively: JWK member names are
// case-sensitive (RFC 7517), as jwx reads the key material. kid, use, alg
// and key_ops are read the same way, and a key whose members repeat
// (exactly or ignoring case) is ignored rather than guessed at.
func TestParseJWKSReadsMembersCaseSensitively(t *testing.T) {
	keys(t)
	// member splices extra members into keyB's JWK under kid.
	member := func(kid, extra string) string {
		m := keyB.jwk()
		m["kid"] = kid
		b := marshal(m)
		return string(b[:len(b)-1]) + "," + extra + "}"
	}
	log := slog.New(slog.DiscardHandler)
	ignored := []struct{ name, jwk string }{
		{"use enc, USE sig", member("k1", `"use":"enc","USE":"sig"`)},
		{"key_ops encrypt, KEY_OPS verify", member("k2", `"key_ops":["encrypt"],"KEY_OPS":["verify"]`)},
		{"alg RS512, Alg RS256", strings.Replace(member("k3", `"Alg":"RS256"`), `"alg":"RS256"`, `"alg":"RS512"`, 1)},
		{"kid k, Kid other", member("k4", `"Kid":"other"`)},
		{"kid twice", member("k5", `"kid":"other"`)},
		{"use twice", member("k6", `"use":"sig"`)},
		{"n twice", member("k7", `"n":"AQAB"`)},
		{"Kelvin-sign kty", member("k8", `"\u212aty":"EC"`)},
	}
	for _, tc := range ignored {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"keys":[` + keyA.jwkJSON() + `,` + tc.jwk + `]}`
			got, err := parseJWKS([]byte(doc), log)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[keyA.kid] == nil {
				kids := []string{}
				for k := range got {
					kids = append(kids, k)
				}
				t.Errorf("kept %q; want only %q", kids, keyA.kid)
			}
		})
	}
	// Unknown members that only look like known ones are ignored, as jwx
	// ignores them: the key is kept under its kid and its alg.
	lone := strings.Replace(member("kept", `"USE":"enc","KEY_OPS":["encrypt"]`), `"use":"sig",`, "", 1)
	doc := `{"keys":[` + lone + `]}`
	got, err := parseJWKS([]byte(doc), log)
	if err != nil {
		t.Fatal(err)
	}
	if k := got["kept"]; k == nil || k.alg != algRS256 {
		t.Errorf("key with unknown upper-case members: got %v; want kid kept with RS256", got)
	}
	// The document's keys member is read case-sensitively too, and only
	// once.
	for _, doc := range []string{
		`{"KEYS":[` + keyA.jwkJSON() + `]}`,
		`{"keys":[` + keyA.jwkJSON() + `],"Keys":[]}`,
		`{"keys":[],"keys":[` + keyA.jwkJSON() + `]}`,
	} {
		if got, err := parseJWKS([]byte(doc), log); err == nil {
			t.Errorf("document %.40s...: got %d keys; want an error", doc, len(got))
		}
	}
}

// jwkJSON is the public JWK of k as JSON.
func (k *testKey) jwkJSON() string { return string(marshal(k.jwk())) }
