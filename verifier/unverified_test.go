package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fieldsOnly returns c without its payload and the two fields that are
// not claims, for comparisons.
func fieldsOnly(c *Claims) Claims {
	cp := *c
	cp.raw, cp.UserPoolID, cp.KeyID = "", "", ""
	return cp
}

// ParseUnverifiedClaims reads a payload exactly as Verify does: same
// fields, same payload for Get, String, Decode and MarshalJSON.
func TestParseUnverifiedClaimsReadsLikeVerify(t *testing.T) {
	keys(t)
	for name, tc := range map[string]struct {
		use    TokenUse
		claims map[string]any
	}{"access": {TokenUseAccess, accessClaims()}, "id": {TokenUseID, idClaims()}} {
		t.Run(name, func(t *testing.T) {
			payload := marshal(tc.claims)
			v := mustNew(t, staticConfig(tc.use, keyA))
			want, err := v.Verify(context.Background(), signRaw(t, keyA, keyA.alg, marshal(map[string]any{"kid": keyA.kid, "alg": keyA.alg}), payload))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseUnverifiedClaims(payload)
			if err != nil {
				t.Fatal(err)
			}
			if got.UserPoolID != "" || got.KeyID != "" {
				t.Errorf("UserPoolID %q, KeyID %q; want them empty", got.UserPoolID, got.KeyID)
			}
			if g, w := fieldsOnly(got), fieldsOnly(want); !reflect.DeepEqual(g, w) {
				t.Errorf("got %+v;\nwant %+v", g, w)
			}
			b, err := json.Marshal(got)
			if err != nil || !bytes.Equal(b, payload) {
				t.Errorf("MarshalJSON = %s, %v; want the payload", b, err)
			}
			if b, _ := json.Marshal(*got); !bytes.Equal(b, payload) {
				t.Errorf("MarshalJSON of the value = %s; want the payload", b)
			}
			if sub, ok := got.String("sub"); !ok || sub != want.Subject {
				t.Errorf(`String("sub") = %q, %v`, sub, ok)
			}
			var mine struct {
				Sub    string   `json:"sub"`
				Groups []string `json:"cognito:groups"`
			}
			if err := got.Decode(&mine); err != nil || mine.Sub != want.Subject || !reflect.DeepEqual(mine.Groups, want.Groups) {
				t.Errorf("Decode = %+v, %v", mine, err)
			}
		})
	}
	c, err := ParseUnverifiedClaims(marshal(idClaims()))
	if err != nil {
		t.Fatal(err)
	}
	if tenant, ok := c.String("custom:tenant"); !ok || tenant != "acme" {
		t.Errorf(`String("custom:tenant") = %q, %v; want acme`, tenant, ok)
	}
	if raw, ok := c.Get("email_verified"); !ok || string(raw) != "true" {
		t.Errorf(`Get("email_verified") = %s, %v; want true`, raw, ok)
	}
}

// The payload is copied: the caller may reuse its buffer.
func TestParseUnverifiedClaimsCopiesThePayload(t *testing.T) {
	buf := []byte(`{"sub":"alice","custom:tenant":"acme"}`)
	c, err := ParseUnverifiedClaims(buf)
	if err != nil {
		t.Fatal(err)
	}
	copy(buf, bytes.Repeat([]byte("x"), len(buf)))
	if s, ok := c.String("custom:tenant"); !ok || s != "acme" || c.Subject != "alice" {
		t.Errorf("after reusing the buffer: %q %v %q", s, ok, c.Subject)
	}
}

// The strict rules of Verify apply (issue 11: one reading of the claims).
func TestParseUnverifiedClaimsErrors(t *testing.T) {
	tests := []struct {
		name, payload string
		want          error
	}{
		{"not an object", `["sub"]`, ErrMalformed},
		{"not JSON", `{"sub":`, ErrMalformed},
		{"trailing data", `{"sub":"a"} x`, ErrMalformed},
		{"repeated name", `{"sub":"a","sub":"b"}`, ErrMalformed},
		{"names equal ignoring case", `{"custom:role":"viewer","custom:Role":"admin"}`, ErrMalformed},
		{"nested names equal ignoring case", `{"x":{"k":1,"\u212a":2}}`, ErrMalformed},
		{"a known claim in another case", `{"SUB":"a"}`, ErrMalformed},
		{"a known claim folded", `{"\u017fcope":"admin"}`, ErrMalformed},
		{"wrong type", `{"exp":"tomorrow"}`, ErrMalformed},
		{"negative time", `{"exp":-1}`, ErrMalformed},
		{"groups not strings", `{"cognito:groups":[1]}`, ErrMalformed},
		{"usernames disagree", `{"username":"a","cognito:username":"b"}`, ErrMalformed},
		{"refresh token", `{"token_use":"refresh"}`, ErrWrongTokenUse},
		{"any", `{"token_use":"any"}`, ErrWrongTokenUse},
		{"too large", `{"x":"` + strings.Repeat("a", maxTokenSizeCap) + `"}`, ErrTooLarge},
		{"empty", ``, ErrMalformed},
	}
	for _, tc := range tests {
		c, err := ParseUnverifiedClaims([]byte(tc.payload))
		if !errors.Is(err, tc.want) || c != nil {
			t.Errorf("%s: got %v, %v; want %v", tc.name, c, err, tc.want)
		}
	}
	for _, ok := range []string{`{}`, `{"sub":"s"}`, ` {"aud":["a","b"]} `} {
		if _, err := ParseUnverifiedClaims([]byte(ok)); err != nil {
			t.Errorf("%s: %v; want no error (nothing is required)", ok, err)
		}
	}
}

// ClientID comes from aud or client_id as in Verify, and from whichever
// is there when token_use is absent.
func TestParseUnverifiedClaimsClientID(t *testing.T) {
	for payload, want := range map[string]string{
		`{"token_use":"id","aud":"web"}`:                       "web",
		`{"token_use":"id","aud":["web"]}`:                     "web",
		`{"token_use":"id","aud":["web","other"]}`:             "",
		`{"token_use":"access","client_id":"cli","aud":"x"}`:   "cli",
		`{"client_id":"cli"}`:                                  "cli",
		`{"aud":"web"}`:                                        "web",
		`{"client_id":"cli","aud":"web"}`:                      "cli",
		`{"token_use":"access","aud":"web"}`:                   "",
		`{"token_use":"id","aud":"web","client_id":"ignored"}`: "web",
	} {
		c, err := ParseUnverifiedClaims([]byte(payload))
		if err != nil || c.ClientID != want {
			t.Errorf("%s: ClientID %q, %v; want %q", payload, c.ClientID, err, want)
		}
	}
}

// Claims built as a struct literal marshal their fields under the claim
// names, and every reader reads that payload.
func TestClaimsLiteral(t *testing.T) {
	exp := time.Unix(1767225600, 0)
	lit := &Claims{
		Subject: "s-1", Username: "alice", ClientID: "cli", Issuer: "https://issuer.example/pool",
		TokenUse: TokenUseAccess, Groups: []string{"admin", "ops"}, Scopes: []string{"orders/read", "openid"},
		JTI: "j", OriginJTI: "o", EventID: "e", DeviceKey: "d",
		IssuedAt: exp.Add(-time.Hour), AuthTime: exp.Add(-2 * time.Hour), ExpiresAt: exp,
		NotBefore:  exp.Add(-time.Hour + 500*time.Millisecond),
		UserPoolID: "not-a-claim", KeyID: "not-a-claim",
	}
	b, err := json.Marshal(lit)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "not-a-claim") {
		t.Errorf("MarshalJSON includes UserPoolID or KeyID: %s", b)
	}
	if v, _ := json.Marshal(*lit); !bytes.Equal(v, b) {
		t.Errorf("value and pointer marshal differently: %s and %s", v, b)
	}
	back, err := ParseUnverifiedClaims(b)
	if err != nil {
		t.Fatalf("ParseUnverifiedClaims(%s): %v", b, err)
	}
	if g, w := fieldsOnly(back), fieldsOnly(lit); !reflect.DeepEqual(g, w) {
		t.Errorf("round trip through %s:\ngot  %+v\nwant %+v", b, g, w)
	}
	if u, ok := lit.String("username"); !ok || u != "alice" {
		t.Errorf(`String("username") = %q, %v`, u, ok)
	}
	if raw, ok := lit.Get("scope"); !ok || string(raw) != `"orders/read openid"` {
		t.Errorf(`Get("scope") = %s, %v`, raw, ok)
	}
	if raw, ok := lit.Get("nbf"); !ok || string(raw) != "1767222000.5" {
		t.Errorf(`Get("nbf") = %s, %v; want 1767222000.5`, raw, ok)
	}
	var mine struct {
		Sub    string   `json:"sub"`
		Groups []string `json:"cognito:groups"`
		Exp    int64    `json:"exp"`
	}
	if err := lit.Decode(&mine); err != nil || mine.Sub != "s-1" || len(mine.Groups) != 2 || mine.Exp != exp.Unix() {
		t.Errorf("Decode = %+v, %v", mine, err)
	}
	if string(lit.Raw()) != string(b) {
		t.Errorf("Raw = %s; want %s", lit.Raw(), b)
	}

	id := &Claims{Subject: "s", Username: "bob", ClientID: "web", TokenUse: TokenUseID, Email: "b@example.com",
		PhoneNumber: "+15555550100", PhoneNumberVerified: true, Groups: []string{}}
	b, _ = json.Marshal(id)
	want := `{"sub":"s","token_use":"id","aud":"web","cognito:username":"bob","cognito:groups":[],"email":"b@example.com","email_verified":false,"phone_number":"+15555550100","phone_number_verified":true}`
	if string(b) != want {
		t.Errorf("ID token literal = %s;\nwant %s", b, want)
	}
	if back, err := ParseUnverifiedClaims(b); err != nil || !reflect.DeepEqual(fieldsOnly(back), fieldsOnly(id)) {
		t.Errorf("ID round trip: %+v, %v", back, err)
	}
	if b, _ := json.Marshal(Claims{}); string(b) != "{}" {
		t.Errorf("zero Claims = %s; want {}", b)
	}
}

// FuzzParseUnverifiedClaims: whatever it accepts, MarshalJSON returns
// unchanged, and the fields, marshaled on their own, read back the same.
func FuzzParseUnverifiedClaims(f *testing.F) {
	f.Add(string(marshal(accessClaims())))
	f.Add(string(marshal(idClaims())))
	f.Add(`{"sub":"a\u00e9\ud83d\ude00","exp":1.5e9,"cognito:groups":[],"x":[{"y":null}]}`)
	f.Add(`{"aud":["c"],"email_verified":"false","scope":"  a  b "}`)
	f.Add(`{"token_use":"id","aud":["a","b"],"nbf":1700000000.123}`)
	f.Add(`{"client_id":"x","username":"u","cognito:username":"u"}`)
	f.Add(`{"custom:role":"viewer","custom:Role":"admin"}`)
	f.Fuzz(func(t *testing.T, payload string) {
		c, err := ParseUnverifiedClaims([]byte(payload))
		if err != nil {
			if r := Reason(err); r != "malformed" && r != "wrong_token_use" && r != "too_large" {
				t.Fatalf("error outside the sentinels: %v", err)
			}
			return
		}
		// (json.Marshal would compact and HTML-escape what MarshalJSON
		// returns.)
		if b, _ := c.MarshalJSON(); string(b) != payload {
			t.Fatalf("MarshalJSON = %s; want the payload %s", b, payload)
		}
		lit := fieldsOnly(c)
		b, err := json.Marshal(&lit)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseUnverifiedClaims(b)
		if err != nil {
			t.Fatalf("the fields of %s marshal to %s, which does not parse: %v", payload, b, err)
		}
		got := fieldsOnly(back)
		// Fractional seconds go through a float64: compare times to the
		// microsecond.
		for _, p := range [][2]*time.Time{{&got.IssuedAt, &lit.IssuedAt}, {&got.AuthTime, &lit.AuthTime},
			{&got.ExpiresAt, &lit.ExpiresAt}, {&got.NotBefore, &lit.NotBefore}} {
			if d := p[0].Sub(*p[1]); d > time.Microsecond || d < -time.Microsecond {
				t.Fatalf("time %v read back as %v through %s", *p[1], *p[0], b)
			}
			*p[0] = *p[1]
		}
		if !reflect.DeepEqual(got, lit) {
			t.Fatalf("fields of %s:\n%+v\nread back through %s as\n%+v", payload, lit, b, got)
		}
	})
}
