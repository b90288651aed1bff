package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary strings to Verify: it must never panic, every
// error must be one of the sentinels, and an accepted token must carry a
// payload that encoding/json agrees is valid JSON with the same claims.
func FuzzVerify(f *testing.F) {
	keys(f)
	for _, tc := range tokenCases() {
		tok := tc.token(f)
		if len(tok) < 8<<10 {
			f.Add(tok)
		}
	}
	for _, name := range []string{"example_access_token.txt", "example_id_token.txt", "example_m2m_token.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(strings.TrimSpace(string(b)))
	}
	// Issue 11: names repeated in another case, nested repeats, scopes
	// with other whitespace, the issuer-cognito-idp issuer.
	for _, members := range []string{`"custom:role":"viewer","custom:Role":"admin"`, `"SUB":"x"`,
		`"custom:x":{"a":1,"A":2}`, `"custom:\u212aey":"k","custom:key":"v"`, `"custom:ok":{"a":1,"b":[{"c":2}]}`} {
		f.Add(signRaw(f, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid), spliceClaims(accessClaims(), members)))
	}
	f.Add(mint(f, keyA, with(accessClaims(), "scope", "orders/read\u00a0admin\tx  y")))
	f.Add(mint(f, keyA, with(accessClaims(), "iss", "https://issuer-cognito-idp.us-east-1.amazonaws.com/"+testPoolID)))
	f.Add(signRaw(f, keyA, "RS256", []byte(`{"alg":"RS256","kid":"`+keyA.kid+`","KID":"x"}`), marshal(accessClaims())))
	cfg := staticConfig(TokenUseAny, keyA, keyPS, keyEC)
	cfg.Pools[0].ClientIDs = []string{testClientID, testClient2}
	v, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { v.Close() })
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(context.Background(), tok)
		if err != nil {
			if Reason(err) == "other" {
				t.Fatalf("error outside the closed set: %v", err)
			}
			if len(tok) >= 16 && strings.Contains(err.Error(), tok) {
				t.Fatalf("error contains the token")
			}
			return
		}
		checkAgainstEncodingJSON(t, c.Raw(), c)
		if !testEpoch.Before(c.ExpiresAt) {
			t.Fatalf("accepted a token expiring at %v", c.ExpiresAt)
		}
	})
}

// FuzzClaimsJSON checks the hand-written claims decoder against
// encoding/json: whatever it accepts must be valid JSON and decode to the
// same claim values.
func FuzzClaimsJSON(f *testing.F) {
	f.Add(string(marshal(accessClaims())))
	f.Add(string(marshal(idClaims())))
	f.Add(`{"sub":"a\u00e9\ud83d\ude00","exp":1.5e9,"cognito:groups":[],"x":[{"y":null}]}`)
	f.Add(`{"aud":["c"],"email_verified":"false","scope":"  a  b "}`)
	f.Add(`{"a":1,"a":2}`)
	f.Add(`{"sub":"\ud800"}`)
	f.Add(` {"exp":0} `)
	f.Add(`{"custom:role":"viewer","custom:Role":"admin"}`)
	f.Add(`{"Sub":"x","iss":"y"}`)
	f.Add(`{"\u017fcope":"admin"}`)
	f.Add(`{"x":{"k":1,"\u212a":2}}`)
	f.Add(`{"x":[{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"A":10}]}`)
	f.Add(`{"scope":"a\u00a0b\tc  d ","a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1,` +
		`"n":1,"o":1,"p":1,"q":1,"r":1,"s":1,"t":1,"u":1,"v":1,"w":1,"x":1,"y":1,"Y":1}`)
	f.Fuzz(func(t *testing.T, payload string) {
		var c Claims
		var pc parsedClaims
		if err := parsePayload(payload, &c, &pc); err != nil {
			if Reason(err) != "malformed" {
				t.Fatalf("parse error outside ErrMalformed: %v", err)
			}
			return
		}
		checkAgainstEncodingJSON(t, []byte(payload), &c)
	})
}

// FuzzScanner checks that the skipping scanner accepts only valid JSON.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{`{}`, `[1,2,{"a":"b"}]`, `"x\n"`, `-0.5e+3`, `tru`, `[1,]`, `{"a" 1}`, `01`, "\"\x01\"",
		`{"a":1,"A":2}`, `[{"\u017f":1,"S":2}]`, `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"I":0}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc := scanner{s: s}
		sc.ws()
		ok := sc.skip(0)
		sc.ws()
		if ok && sc.i == len(s) && !json.Valid([]byte(s)) {
			t.Fatalf("scanner accepted invalid JSON %q", s)
		}
	})
}

func checkAgainstEncodingJSON(t *testing.T, raw []byte, c *Claims) {
	t.Helper()
	if !json.Valid(raw) {
		t.Fatalf("accepted payload is not valid JSON: %q", raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("encoding/json rejects accepted payload: %v", err)
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	for _, x := range []struct{ got, name string }{
		{c.Subject, "sub"}, {c.Issuer, "iss"}, {c.Email, "email"}, {c.JTI, "jti"}, {c.OriginJTI, "origin_jti"},
		{c.EventID, "event_id"}, {c.DeviceKey, "device_key"}, {c.PhoneNumber, "phone_number"},
	} {
		if x.got != str(x.name) {
			t.Fatalf("claim %s: got %q; encoding/json says %q", x.name, x.got, str(x.name))
		}
	}
	if u := str("username"); u != "" && c.Username != u {
		t.Fatalf("username: got %q; want %q", c.Username, u)
	}
	if g, ok := m["cognito:groups"].([]any); ok {
		if len(g) != len(c.Groups) {
			t.Fatalf("groups: got %v; encoding/json says %v", c.Groups, g)
		}
		for i := range g {
			if g[i] != c.Groups[i] {
				t.Fatalf("group %d: got %q; want %q", i, c.Groups[i], g[i])
			}
		}
	}
	if e, ok := m["exp"].(float64); ok {
		if d := float64(c.ExpiresAt.Unix()) + float64(c.ExpiresAt.Nanosecond())/1e9 - e; d > 1e-3 || d < -1e-3 {
			t.Fatalf("exp: got %v; encoding/json says %v", c.ExpiresAt.Unix(), e)
		}
	}
	for k, v := range m {
		raw, ok := c.Get(k)
		if !ok {
			t.Fatalf("Get(%q) found nothing", k)
		}
		var got any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("Get(%q) returned invalid JSON %q", k, raw)
		}
		if gs, ok := got.(string); ok && gs != v {
			t.Fatalf("Get(%q): got %q; want %q", k, gs, v)
		}
	}
	checkDecodeAgrees(t, c, m)
	_ = time.Second
}

// checkDecodeAgrees checks that Decode, which matches names to struct
// fields ignoring case, reads what Get and the Claims fields read: the
// repeat rule of the scanner must leave no member for encoding/json to
// choose differently. Each name gets a struct of its own, a field tagged
// with it alone, as a caller's claims type would have.
func checkDecodeAgrees(t *testing.T, c *Claims, m map[string]any) {
	t.Helper()
	names := []string{"sub", "iss", "email", "jti", "username", "cognito:username", "scope", "client_id", "token_use"}
	for k := range m {
		names = append(names, k)
	}
	for _, k := range names {
		if !validTag(k) {
			continue
		}
		v := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "F",
			Type: reflect.TypeFor[json.RawMessage](), Tag: jsonTag(k)}}))
		if err := c.Decode(v.Interface()); err != nil {
			t.Fatalf("Decode: %v", err)
		}
		got := v.Elem().Field(0).Interface().(json.RawMessage)
		want, _ := c.Get(k)
		if string(got) != string(want) {
			t.Fatalf("member %q: Decode reads %s; Get reads %s", k, got, want)
		}
	}
	for _, sc := range c.Scopes {
		if sc == "" || strings.Contains(sc, " ") {
			t.Fatalf("scopes %q: an empty scope or one with a space", c.Scopes)
		}
	}
}

// FuzzParseJWKS feeds arbitrary documents to the JWKS parser: no panics,
// and every key it keeps is a usable, allow-listed verification key.
func FuzzParseJWKS(f *testing.F) {
	// Seeds come from testdata, not from generated keys: RSA key
	// generation is slow under fuzzing instrumentation.
	doc, err := os.ReadFile(filepath.Join("testdata", "example_jwks.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	f.Add(bytes.Replace(doc, []byte(`"RS256"`), []byte(`"PS384"`), 1))
	f.Add(bytes.Replace(doc, []byte(`"sig"`), []byte(`"enc"`), 1))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"ec1","use":"sig",` +
		`"x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"AAAA","kid":"h"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA","kid":"e"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Add(bytes.Replace(doc, []byte(`"use":"sig"`), []byte(`"use":"enc","USE":"sig"`), 1))
	f.Add(bytes.Replace(doc, []byte(`"use":"sig"`), []byte(`"USE":"enc"`), 1))
	f.Add(bytes.Replace(doc, []byte(`"alg":"RS256"`), []byte(`"alg":"RS512","Alg":"RS256"`), 1))
	f.Add(bytes.Replace(doc, []byte(`"use":"sig"`), []byte(`"use":"sig","key_ops":["encrypt"],"KEY_OPS":["verify"]`), 1))
	f.Add(bytes.Replace(doc, []byte(`"keys"`), []byte(`"KEYS"`), 1))
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, doc []byte) {
		keys, err := parseJWKS(doc, log)
		if err != nil {
			if len(keys) != 0 {
				t.Fatalf("keys with an error")
			}
			return
		}
		if len(keys) == 0 {
			t.Fatalf("no keys and no error")
		}
		// Read case-sensitively, as jwx reads the key material: every
		// kept key is the one JWK whose exact kid member names it, and
		// that JWK's exact use and key_ops allow verification.
		var m struct {
			Keys []any `json:"keys"`
		}
		_ = json.Unmarshal(doc, &m)
		for kid := range keys {
			n := 0
			for _, e := range m.Keys {
				jwk, _ := e.(map[string]any)
				if jwk["kid"] != kid {
					continue
				}
				n++
				if use, ok := jwk["use"]; ok && use != "sig" {
					t.Fatalf("kept kid %q whose use is %v", kid, use)
				}
				if ops, ok := jwk["key_ops"].([]any); ok && !slices.Contains(ops, any("verify")) {
					t.Fatalf("kept kid %q whose key_ops are %v", kid, ops)
				}
				if _, ok := jwk["d"]; ok {
					t.Fatalf("kept private key %q", kid)
				}
			}
			if n != 1 {
				t.Fatalf("kept kid %q, which %d JWKs name exactly", kid, n)
			}
		}
		for kid, k := range keys {
			switch {
			case kid == "" || k.kid != kid:
				t.Fatalf("bad kid %q/%q", kid, k.kid)
			case k.rsa != nil && (!k.alg.isRSA() || k.rsa.N.BitLen() < minRSABits):
				t.Fatalf("bad RSA key %s %d bits", k.alg, k.rsa.N.BitLen())
			case k.ec != nil && !k.alg.isEC():
				t.Fatalf("bad EC key %s", k.alg)
			case k.rsa == nil && k.ec == nil:
				t.Fatalf("key without material")
			}
		}
	})
}

func TestEscapedStringsAllocateLinearly(t *testing.T) {
	// 2000 escaped strings in one payload: memory must stay proportional
	// to the payload, not to its square. Unknown claims are only
	// validated, so they allocate nothing.
	var b strings.Builder
	b.WriteString(`{"iss":"x\/y"`)
	for i := range 2000 {
		fmt.Fprintf(&b, `,"c%d":"\n\u00e9"`, i)
	}
	b.WriteString(`}`)
	payload := b.String()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 10
	for range runs {
		var c Claims
		var pc parsedClaims
		if err := parsePayload(payload, &c, &pc); err != nil {
			t.Fatal(err)
		}
		if c.Issuer != "x/y" {
			t.Fatalf("iss: got %q", c.Issuer)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > uint64(8*len(payload)) {
		t.Errorf("parsing a %d-byte payload allocated %d bytes", len(payload), per)
	}
}
