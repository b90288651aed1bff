package verifier_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/verifier"
)

// cognitoIdentities is the identities claim of a real Cognito ID token
// after a Google sign-in: primary and dateCreated are strings, issuer null.
const cognitoIdentities = `[{"dateCreated":"1642699117273","userId":"115404421377373211311","providerName":"Google","providerType":"Google","issuer":null,"primary":"true"}]`

func identitiesClaims(t *testing.T, identities string) *verifier.Claims {
	t.Helper()
	payload := `{"sub":"s","token_use":"id","aud":"c","cognito:username":"Google_115404421377373211311"`
	if identities != "" {
		payload += `,"identities":` + identities
	}
	c, err := verifier.ParseUnverifiedClaims([]byte(payload + "}"))
	if err != nil {
		t.Fatalf("ParseUnverifiedClaims: %v", err)
	}
	return c
}

func TestIdentities(t *testing.T) {
	google := verifier.Identity{UserID: "115404421377373211311", ProviderName: "Google", ProviderType: "Google",
		Primary: true, DateCreated: time.UnixMilli(1642699117273).UTC()}
	oidc := verifier.Identity{UserID: "u-1", ProviderName: "Corp", ProviderType: "OIDC", Issuer: "https://idp.example.com",
		DateCreated: time.UnixMilli(1700000000000).UTC()}
	tests := []struct {
		name   string
		claim  string
		want   []verifier.Identity
		errIs  error
		wantNo bool
	}{
		{name: "absent", wantNo: true},
		{name: "null", claim: "null", wantNo: true},
		{name: "cognito array", claim: cognitoIdentities, want: []verifier.Identity{google}},
		{name: "string-encoded array", claim: strconv.Quote(cognitoIdentities), want: []verifier.Identity{google}},
		{name: "empty string", claim: `""`, wantNo: true},
		{name: "empty array", claim: `[]`, want: []verifier.Identity{}},
		{name: "booleans and numbers", claim: `[{"userId":"u-1","providerName":"Corp","providerType":"OIDC","issuer":"https://idp.example.com","primary":false,"dateCreated":1700000000000}]`, want: []verifier.Identity{oidc}},
		{name: "two, unknown members ignored", claim: `[` + cognitoIdentities[1:len(cognitoIdentities)-1] + `,{"userId":"u-1","providerName":"Corp","providerType":"OIDC","issuer":"https://idp.example.com","primary":"false","dateCreated":"1700000000000","extra":[1,2]}]`, want: []verifier.Identity{google, oidc}},
		{name: "object, not array", claim: `{"userId":"x"}`, errIs: verifier.ErrMalformed},
		{name: "array of strings", claim: `["x"]`, errIs: verifier.ErrMalformed},
		{name: "null entry", claim: `[null]`, errIs: verifier.ErrMalformed},
		{name: "number userId", claim: `[{"userId":1}]`, errIs: verifier.ErrMalformed},
		{name: "bad primary", claim: `[{"primary":"yes"}]`, errIs: verifier.ErrMalformed},
		{name: "bad dateCreated", claim: `[{"dateCreated":"yesterday"}]`, errIs: verifier.ErrMalformed},
		{name: "negative dateCreated", claim: `[{"dateCreated":-1}]`, errIs: verifier.ErrMalformed},
		{name: "string with bad JSON", claim: `"[{"`, errIs: verifier.ErrMalformed},
		{name: "number", claim: `7`, errIs: verifier.ErrMalformed},
		{name: "too many", claim: "[" + strings.Repeat(`{},`, verifier.MaxIdentities) + "{}]", errIs: verifier.ErrMalformed},
		{name: "long field", claim: `[{"userId":"` + strings.Repeat("a", 2049) + `"}]`, errIs: verifier.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := identitiesClaims(t, tc.claim).Identities()
			if tc.errIs != nil {
				if !errors.Is(err, tc.errIs) || got != nil {
					t.Fatalf("Identities() = %v, %v; want %v", got, err, tc.errIs)
				}
				return
			}
			if err != nil {
				t.Fatalf("Identities: %v", err)
			}
			if tc.wantNo {
				if got != nil {
					t.Fatalf("Identities() = %v; want nil", got)
				}
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Identities() = %+v; want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("Identities()[%d] = %+v; want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
	var nilClaims *verifier.Claims
	if got, err := nilClaims.Identities(); got != nil || err != nil {
		t.Errorf("nil Claims: %v, %v; want nil, nil", got, err)
	}
	// Struct-literal Claims carry no identities.
	if got, err := (&verifier.Claims{Subject: "s"}).Identities(); got != nil || err != nil {
		t.Errorf("literal Claims: %v, %v; want nil, nil", got, err)
	}
}

func FuzzIdentities(f *testing.F) {
	for _, s := range []string{cognitoIdentities, strconv.Quote(cognitoIdentities), "null", "[]", `[{"primary":true,"dateCreated":1}]`, `"[{\"userId\":\"x\"}]"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, claim string) {
		c, err := verifier.ParseUnverifiedClaims([]byte(`{"sub":"s","identities":` + claim + `}`))
		if err != nil {
			return
		}
		ids, err := c.Identities()
		if err != nil {
			if !errors.Is(err, verifier.ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		if len(ids) > verifier.MaxIdentities {
			t.Fatalf("%d identities", len(ids))
		}
		for _, id := range ids {
			if len(id.UserID) > 2048 || len(id.ProviderName) > 2048 || len(id.ProviderType) > 2048 || len(id.Issuer) > 2048 {
				t.Fatal("oversized field accepted")
			}
		}
	})
}
