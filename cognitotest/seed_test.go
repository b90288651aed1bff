package cognitotest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
)

func TestParseSeed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, seed, path string
	}{
		{"ok", `{"pools":[{"id":"us-east-1_Ok","clients":[{"id":"c1"}],"users":[{"username":"a","password":"Passw0rd!"}]}]}`, ""},
		{"unknown top-level", `{"pool":[]}`, "pool"},
		{"unknown client field", `{"pools":[{"id":"us-east-1_X","clients":[{"client_id":"c"}]}]}`, "pools[0].clients[0].client_id"},
		{"groups not a list", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","password":"p","groups":"admin"}]}]}`, "pools[0].users[0].groups"},
		{"alias without email", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","password":"p","alias_email":true}]}]}`, "pools[0].users[0].alias_email"},
		{"duplicate pool", `{"pools":[{"id":"us-east-1_X"},{"id":"us-east-1_X"}]}`, "pools[1].id"},
		{"bad client id", `{"pools":[{"id":"us-east-1_X","clients":[{"id":"a b"}]}]}`, "pools[0].clients[0].id"},
		{"number as string", `{"pools":[{"id":5}]}`, "pools[0].id"},
		{"no pools", `{}`, "pools"},
		{"unknown nested field", `{"pools":[{"id":"us-east-1_X","password_policy":{"min_length":8}}]}`, "pools[0].password_policy.min_length"},
		{"bad duration", `{"pools":[{"id":"us-east-1_X","clients":[{"token_validity":{"access":"2 hours"}}]}]}`, "pools[0].clients[0].token_validity.access"},
		{"duration out of range", `{"pools":[{"id":"us-east-1_X","clients":[{"token_validity":{"refresh":"5m"}}]}]}`, "pools[0].clients[0].token_validity.refresh"},
		{"unknown flow", `{"pools":[{"id":"us-east-1_X","clients":[{"explicit_auth_flows":["ALLOW_MAGIC"]}]}]}`, "pools[0].clients[0].explicit_auth_flows[0]"},
		{"temporary and status", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","password":"p","temporary":true,"status":"CONFIRMED"}]}]}`, "pools[0].users[0].temporary"},
		{"password and verifier", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","password":"p","password_verifier":{"salt":"1","verifier":"2"}}]}]}`, "pools[0].users[0].password_verifier"},
		{"verifier not hex", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","password_verifier":{"salt":"xyz","verifier":"2"}}]}]}`, "pools[0].users[0].password_verifier.salt"},
		{"email in attributes", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","password":"p","attributes":{"email":"a@b.c"}}]}]}`, "pools[0].users[0].attributes.email"},
		{"no password", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a"}]}]}`, "pools[0].users[0].password"},
		{"custom attribute type", `{"pools":[{"id":"us-east-1_X","custom_attributes":[{"name":"n","type":"Text"}]}]}`, "pools[0].custom_attributes[0].type"},
		{"precedence too large", `{"pools":[{"id":"us-east-1_X","groups":[{"name":"g","precedence":4294967296}]}]}`, "pools[0].groups[0].precedence"},
		{"identity pool id", `{"pools":[],"identity_pools":[{"id":"nope"}]}`, "identity_pools[0].id"},
		{"role mapping field", `{"pools":[],"identity_pools":[{"role_mappings":{"p":{"typ":"Token"}}}]}`, "identity_pools[0].role_mappings.p.typ"},
		{"mfa", `{"pools":[{"id":"us-east-1_X","mfa":"MAYBE"}]}`, "pools[0].mfa"},
		{"link ok", `{"pools":[{"id":"us-east-1_X","identity_providers":[{"name":"G","type":"Google"}],"users":[{"username":"a","password":"p","links":[{"provider":"G","attribute_value":"123"}]}]}]}`, ""},
		{"link to an unknown provider", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","password":"p","links":[{"provider":"G","attribute_value":"123"}]}]}]}`, "pools[0].users[0].links[0].provider"},
		{"link without a value", `{"pools":[{"id":"us-east-1_X","identity_providers":[{"name":"G","type":"Google"}],"users":[{"username":"a","password":"p","links":[{"provider":"G"}]}]}]}`, "pools[0].users[0].links[0].attribute_value"},
		{"link field", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","password":"p","links":[{"provider_name":"G"}]}]}]}`, "pools[0].users[0].links[0].provider_name"},
		{"provider user linked twice", `{"pools":[{"id":"us-east-1_X","identity_providers":[{"name":"G","type":"Google"}],"users":[
			{"username":"a","password":"p","links":[{"provider":"G","attribute_value":"123"}]},
			{"username":"b","password":"p","links":[{"provider":"G","attribute_name":"Cognito_Subject","attribute_value":"123"}]}]}]}`, "pools[0].users[1].links[0]"},
		{"six links", `{"pools":[{"id":"us-east-1_X","identity_providers":[{"name":"G","type":"Google"}],"users":[{"username":"a","password":"p","links":[
			{"provider":"G","attribute_value":"1"},{"provider":"G","attribute_value":"2"},{"provider":"G","attribute_value":"3"},
			{"provider":"G","attribute_value":"4"},{"provider":"G","attribute_value":"5"},{"provider":"G","attribute_value":"6"}]}]}]}`, "pools[0].users[0].links"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cognitotest.ParseSeed([]byte(tc.seed))
			if tc.path == "" {
				noErr(t, err)
				return
			}
			var se *cognitotest.SeedError
			if !errors.As(err, &se) || se.Path != tc.path || !errors.Is(err, cognitotest.ErrInvalidConfig) {
				t.Errorf("got %v; want a *SeedError at %s", err, tc.path)
			}
		})
	}
}

func TestApplySeed(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	seed := must(cognitotest.ParseSeed([]byte(`{"pools":[{"id":"us-east-1_Seed","mfa":"OPTIONAL","resource_servers":[{"identifier":"api","scopes":["read"]}],
	  "clients":[{"id":"web","callback_urls":["http://localhost/cb"],"oauth_flows":["code"],"oauth_scopes":["openid","api/read"]},{"id":"srv","generate_secret":true}],
	  "users":[{"email":"p@example.com","password":"Passw0rd!","alias_email":true,"attributes":{"custom:tier":"gold"}},
	           {"username":"q","password":"Passw0rd!","temporary":true,"groups":["ops"]}]}]}`)))
	pools := must(srv.ApplySeed(seed))
	p := pools[0]
	if c := must(p.Client("srv")); c.Secret == "" {
		t.Error("generate_secret: no secret")
	}
	pu := must(p.User("p@example.com"))
	if pu.Username != pu.Sub || pu.Attributes["custom:tier"] != "gold" {
		t.Errorf("seeded alias user: %+v", pu)
	}
	if q := must(p.User("q")); q.Status != cognitotest.StatusForceChangePassword || q.Groups[0] != "ops" {
		t.Errorf("seeded temporary user: %+v", q)
	}
	if _, err := p.MintM2MToken("srv", []string{"api/read"}); err != nil {
		t.Errorf("seeded resource server scope: %v", err)
	}
	// Applying it again collides, naming the pool.
	_, err := srv.ApplySeed(seed)
	var se *cognitotest.SeedError
	if !errors.As(err, &se) || se.Path != "pools[0]" {
		t.Errorf("second ApplySeed: %v", err)
	}
	// A link ParseSeed cannot judge (an attribute other than the subject,
	// for a provider that is not SAML) is refused by AdminLinkProviderForUser
	// when the seed is applied, naming the link.
	badLink := must(cognitotest.ParseSeed([]byte(`{"pools":[{"id":"us-east-1_Links","identity_providers":[{"name":"Google","type":"Google","details":{"client_id":"g","client_secret":"s","authorize_scopes":"openid"}}],
	  "users":[{"username":"a","password":"Passw0rd!","links":[{"provider":"Google","attribute_name":"email","attribute_value":"a@example.com"}]}]}]}`)))
	_, err = srv.ApplySeed(badLink)
	if !errors.As(err, &se) || se.Path != "pools[0].users[0].links[0]" || !strings.Contains(err.Error(), "Cognito_Subject") {
		t.Errorf("ApplySeed of a Google link by email: %v; want a *SeedError at pools[0].users[0].links[0] naming Cognito_Subject", err)
	}

	demo := srv.DemoSeed()
	dp := must(srv.ApplySeed(demo))[0]
	if dp.ID() != cognitotest.DemoPoolID {
		t.Fatalf("demo pool %s", dp.ID())
	}
	alice := must(dp.User("alice@example.com"))
	if alice.Username != "alice" || len(alice.Groups) != 1 || alice.Groups[0] != "admin" {
		t.Errorf("demo alice: %+v", alice)
	}
	if c := must(dp.Client(cognitotest.DemoConfidentialClientID)); c.Secret == "" {
		t.Error("demo confidential client without a secret")
	}
}
