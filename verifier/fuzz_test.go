package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
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
	for _, s := range []string{`{}`, `[1,2,{"a":"b"}]`, `"x\n"`, `-0.5e+3`, `tru`, `[1,]`, `{"a" 1}`, `01`, "\"\x01\""} {
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
	_ = time.Second
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
