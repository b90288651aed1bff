package packagetests_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/upstream"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/idp"
)

var fuzzTypes = []string{userpool.ProviderOIDC, userpool.ProviderGoogle, userpool.ProviderFacebook, userpool.ProviderAmazon,
	userpool.ProviderApple, userpool.ProviderSAML, "Nonsense"}

// FuzzProviderConfig checks the validation of a provider's name,
// ProviderDetails, AttributeMapping and IdpIdentifiers, all from outside
// (CreateIdentityProvider, UpdateIdentityProvider, a seed): nothing
// panics; what passes has every required detail, only allowed ones,
// endpoints the emulator will call, a username mapping for the types that
// sign in, and identifiers that are unique.
func FuzzProviderConfig(f *testing.F) {
	f.Add(uint8(0), "Corp", `{"client_id":"c","authorize_scopes":"openid email","attributes_request_method":"GET","oidc_issuer":"https://idp.example.com"}`,
		`{"email":"email","username":"sub"}`, `["example.com","corp"]`)
	f.Add(uint8(1), "Google", `{"client_id":"c","client_secret":"s","authorize_scopes":"openid email profile","authorize_url":"http://127.0.0.1:9/a"}`,
		`{"email":"email","custom:hd":"hd"}`, `[]`)
	f.Add(uint8(2), "Facebook", `{"client_id":"c","client_secret":"s","authorize_scopes":"public_profile,email","api_version":"v17.0"}`, `{"name":"name"}`, `null`)
	f.Add(uint8(4), "SignInWithApple", `{"client_id":"c","team_id":"t","key_id":"k","private_key":"nope","authorize_scopes":"email name"}`, `{}`, `["a","A"]`)
	f.Add(uint8(5), "Okta", `{"MetadataFile":"<EntityDescriptor/>","IDPSignout":"true"}`, `{"email":"http://schemas/email"}`, `[]`)
	f.Add(uint8(0), "Cognito", `{"client_id":"","authorize_scopes":"x y"}`, `{"sub":"sub","identities":"x"}`, `["bad id!"]`)
	up := upstream.New(time.Now)
	pool := &state.Pool{ID: "us-east-1_Fuzz"}
	f.Fuzz(func(t *testing.T, typeIndex uint8, name, detailsJSON, mappingJSON, idsJSON string) {
		typ := fuzzTypes[int(typeIndex)%len(fuzzTypes)]
		_ = idp.CheckName(name, typ)
		var details, mapping map[string]string
		var ids []string
		if json.Unmarshal([]byte(detailsJSON), &details) != nil || json.Unmarshal([]byte(mappingJSON), &mapping) != nil || json.Unmarshal([]byte(idsJSON), &ids) != nil {
			return
		}
		if typ == userpool.ProviderOIDC && details != nil {
			// Discovery would call the issuer: give the endpoints, so the
			// fuzzer makes no network calls.
			for _, k := range []string{"authorize_url", "token_url", "jwks_uri"} {
				if details[k] == "" {
					details[k] = "https://idp.example.com/" + k
				}
			}
		}
		d, werr := idp.CheckDetails(context.Background(), up, typ, details)
		if werr == nil {
			sp := idp.Specs[typ]
			for _, k := range sp.Required {
				if strings.TrimSpace(d[k]) == "" {
					t.Fatalf("%s accepted without %s: %v", typ, k, d)
				}
			}
			for k := range details {
				if !slices.Contains(sp.Required, k) && !slices.Contains(sp.Optional, k) {
					t.Fatalf("%s accepted the detail %q", typ, k)
				}
			}
			for _, k := range idp.EndpointKeys {
				if v := d[k]; v != "" {
					if err := upstream.CheckURL(v); err != nil {
						t.Fatalf("%s accepted the endpoint %s=%q: %v", typ, k, v, err)
					}
				}
			}
			if typ != userpool.ProviderSAML && len(strings.Fields(d["authorize_scopes"])) == 0 {
				t.Fatalf("%s accepted without scopes", typ)
			}
		}
		m, werr := idp.CheckMapping(pool, typ, mapping)
		if werr == nil {
			if _, ok := idp.Specs[typ]; ok && typ != userpool.ProviderSAML && m["username"] == "" {
				t.Fatalf("%s mapping without username: %v", typ, m)
			}
			if m["sub"] != "" || m[userpool.IdentitiesAttribute] != "" || len(m) > idp.MaxMappings+1 {
				t.Fatalf("mapping accepted: %v", m)
			}
		}
		if idp.CheckIdentifiers(ids) == nil {
			seen := map[string]bool{}
			for _, id := range ids {
				if seen[strings.ToLower(id)] || id == "" || len(id) > 40 {
					t.Fatalf("identifiers accepted: %q", ids)
				}
				seen[strings.ToLower(id)] = true
			}
		}
	})
}
