package verifier

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// spliceClaims returns the JSON of claims with members appended verbatim
// (members is `"a":1,"b":2`), so that a test can sign names that a Go map
// cannot hold twice.
func spliceClaims(claims map[string]any, members string) []byte {
	p := marshal(claims)
	return append(append(p[:len(p)-1:len(p)-1], ','), members+"}"...)
}

// TestClaimNamesDifferingOnlyInCase: a signed payload whose member names
// differ only by case (or by Unicode case folding) is rejected, so that
// Get, String, the Claims fields and Decode (encoding/json, which matches
// struct fields case-insensitively) can never read different values.
func TestClaimNamesDifferingOnlyInCase(t *testing.T) {
	keys(t)
	sign := func(t *testing.T, claims map[string]any, members string) string {
		return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid), spliceClaims(claims, members))
	}
	rejected := []struct {
		name    string
		claims  map[string]any
		members string
	}{
		{"ASCII case", accessClaims(), `"custom:role":"viewer","custom:Role":"admin"`},
		{"ASCII case, reversed order", accessClaims(), `"custom:Role":"admin","custom:role":"viewer"`},
		{"long s folds to s", accessClaims(), `"custom:scope":"a","custom:\u017fcope":"b"`},
		{"Kelvin sign folds to k", accessClaims(), `"custom:key":"a","custom:\u212aey":"b"`},
		{"escaped name", accessClaims(), `"custom:role":"viewer","custom:\u0052ole":"admin"`},
		{"known claim in another case", with(accessClaims(), "sub", nil), `"SUB":"someoneelse"`},
		{"known claim folded", with(accessClaims(), "scope", nil), `"\u017fcope":"admin"`},
		{"known claim twice", accessClaims(), `"Username":"mallory"`},
		{"nested object, case", accessClaims(), `"custom:x":{"role":"viewer","ROLE":"admin"}`},
		{"nested object, exact", accessClaims(), `"custom:x":[{"a":1,"a":2}]`},
		{"many names, case", manyClaims(40), `"custom:role":"viewer","custom:ROLE":"admin"`},
		{"many names, nested", accessClaims(), `"custom:x":{` + manyMembers(40) + `,"C39":0}`},
	}
	for _, tc := range rejected {
		t.Run(tc.name, func(t *testing.T) {
			v := mustNew(t, staticConfig(TokenUseAccess, keyA))
			tok := sign(t, tc.claims, tc.members)
			_, err := v.Verify(context.Background(), tok)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v; want ErrMalformed", err)
			}
			checkErrorHygiene(t, err, tok)
		})
	}

	// Names that are distinct ignoring case are accepted, and every
	// reading of them agrees.
	v := mustNew(t, staticConfig(TokenUseAccess, keyA))
	tok := sign(t, manyClaims(30), `"custom:role":"viewer","custom:roles":"x","custom:Tenant":"acme","custom:x":{"role":"r","Roles":"s"}`)
	c, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatalf("distinct names: %v", err)
	}
	var mine struct {
		Role   string `json:"custom:role"`
		Roles  string `json:"custom:roles"`
		Tenant string `json:"custom:Tenant"`
		Sub    string `json:"sub"`
		X      struct {
			Role  string `json:"role"`
			Roles string `json:"Roles"`
		} `json:"custom:x"`
	}
	if err := c.Decode(&mine); err != nil {
		t.Fatal(err)
	}
	role, _ := c.String("custom:role")
	tenant, _ := c.String("custom:Tenant")
	if mine.Role != "viewer" || role != "viewer" || mine.Roles != "x" || mine.Tenant != "acme" || tenant != "acme" ||
		mine.Sub != c.Subject || mine.X.Role != "r" || mine.X.Roles != "s" {
		t.Errorf("readings disagree: Decode %+v; String custom:role %q, custom:Tenant %q; Subject %q", mine, role, tenant, c.Subject)
	}
}

// manyClaims is an access token's claims plus n custom members, enough to
// leave the small fixed array of the duplicate check.
func manyClaims(n int) map[string]any {
	m := accessClaims()
	for i := range n {
		m["custom:c"+itoa3(i)] = i
	}
	return m
}

// manyMembers is `"c0":0,"c1":1,...` with n members.
func manyMembers(n int) string {
	s := ""
	for i := range n {
		if i > 0 {
			s += ","
		}
		s += `"c` + itoa3(i)[1:] + `":0`
	}
	return s
}

func TestHeaderNamesDifferingOnlyInCase(t *testing.T) {
	keys(t)
	v := mustNew(t, staticConfig(TokenUseAccess, keyA))
	for _, h := range []string{
		`{"alg":"RS256","kid":"` + keyA.kid + `","KID":"kidB"}`,
		`{"ALG":"none","alg":"RS256","kid":"` + keyA.kid + `"}`,
		`{"alg":"RS256","kid":"` + keyA.kid + `","typ":"JWT","Typ":"at+jwt"}`,
	} {
		tok := signRaw(t, keyA, "RS256", []byte(h), marshal(accessClaims()))
		if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrMalformed) {
			t.Errorf("header %s: got %v; want ErrMalformed", h, err)
		}
	}
}

// TestScopesSplitOnSpaceOnly: RFC 6749 §3.3 separates scopes with U+0020
// only; other whitespace is part of a scope token.
func TestScopesSplitOnSpaceOnly(t *testing.T) {
	keys(t)
	tests := []struct {
		scope string
		want  []string
	}{
		{"orders/read\u00a0admin", []string{"orders/read\u00a0admin"}},
		{"orders/read\tadmin", []string{"orders/read\tadmin"}},
		{"orders/read\nadmin", []string{"orders/read\nadmin"}},
		{"orders/read\u2003admin \u3000admin", []string{"orders/read\u2003admin", "\u3000admin"}},
		{"orders/read\u0085admin", []string{"orders/read\u0085admin"}},
		{"openid  email ", []string{"openid", "email"}},
		{" ", []string{}},
		{"", []string{}},
	}
	for _, tc := range tests {
		cfg := staticConfig(TokenUseAccess, keyA)
		v := mustNew(t, cfg)
		c, err := v.Verify(context.Background(), mint(t, keyA, with(accessClaims(), "scope", tc.scope)))
		if err != nil {
			t.Fatalf("scope %q: %v", tc.scope, err)
		}
		if !slices.Equal(c.Scopes, tc.want) || c.Scopes == nil {
			t.Errorf("scope %q: got %q; want %q", tc.scope, c.Scopes, tc.want)
		}
		if c.HasScope("admin") || c.HasAnyScope("admin", "x") {
			t.Errorf("scope %q: HasScope(admin) is true", tc.scope)
		}
	}
	// A policy requiring admin refuses the token.
	cfg := staticConfig(TokenUseAccess, keyA)
	cfg.Pools[0].Policy = Policy{AnyScopes: []string{"admin"}}
	v := mustNew(t, cfg)
	_, err := v.Verify(context.Background(), mint(t, keyA, with(accessClaims(), "scope", "orders/read\u00a0admin")))
	var pe *PolicyError
	if !errors.As(err, &pe) || !errors.Is(err, ErrMissingScope) {
		t.Errorf("policy AnyScopes admin: got %v; want a *PolicyError for ErrMissingScope", err)
	}
}

// TestShadowsClaim: every claim the verifier reads is refused in another
// case, and its repeat is refused, while other names pass.
func TestShadowsClaim(t *testing.T) {
	known := []string{"iss", "sub", "token_use", "aud", "client_id", "exp", "nbf", "iat", "auth_time", "username",
		"cognito:username", "scope", "cognito:groups", "email", "email_verified", "phone_number",
		"phone_number_verified", "jti", "origin_jti", "event_id", "device_key"}
	var all uint32
	for _, k := range known {
		bit := claimBit(k)
		if bit == 0 || all&bit != 0 {
			t.Fatalf("claimBit(%q) = %#x", k, bit)
		}
		all |= bit
		for _, variant := range []string{strings.ToUpper(k), strings.ToUpper(k[:1]) + k[1:],
			strings.ReplaceAll(k, "s", "\u017f"), strings.ReplaceAll(strings.ReplaceAll(k, "k", "\u212a"), "e", "E")} {
			if variant == k {
				continue
			}
			if claimBit(variant) != 0 || !shadowsClaim(variant) {
				t.Errorf("%q: claimBit %#x, shadowsClaim %v; want 0, true", variant, claimBit(variant), shadowsClaim(variant))
			}
		}
	}
	if all != claimDeviceKey<<1-1 {
		t.Errorf("the known list covers bits %#x; claimBit knows %#x", all, claimDeviceKey<<1-1)
	}
	for _, other := range []string{"custom:Tenant", "Version", "\u0131ss", "SUBJECT", "cognito:Roles", "", "x",
		"\u00e9mail", strings.Repeat("S", 40)} {
		if shadowsClaim(other) {
			t.Errorf("shadowsClaim(%q) = true", other)
		}
	}
	var c Claims
	var pc parsedClaims
	value := func(k string) string {
		switch k {
		case "exp", "nbf", "iat", "auth_time":
			return "1"
		case "cognito:groups":
			return `["g"]`
		case "email_verified", "phone_number_verified":
			return "true"
		}
		return `"v"`
	}
	for _, k := range known {
		payload := `{"` + k + `":` + value(k) + `,"` + k + `":` + value(k) + `}`
		if err := parsePayload(payload, &c, &pc); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "repeats") {
			t.Errorf("%s twice: got %v; want ErrMalformed for a repeat", k, err)
		}
	}
}
