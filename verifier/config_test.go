package verifier

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewRejectsBadConfig(t *testing.T) {
	keys(t)
	good := func() Pool {
		return Pool{UserPoolID: testPoolID, ClientIDs: []string{testClientID}, TokenUse: TokenUseAccess}
	}
	pool := func(f func(p *Pool)) Config {
		p := good()
		f(&p)
		return Config{Pools: []Pool{p}}
	}
	dir := t.TempDir()
	tests := []struct {
		name    string
		cfg     Config
		wantMsg string
	}{
		{"no pools", Config{}, "Pools is empty"},
		{"empty pool ID", pool(func(p *Pool) { p.UserPoolID = "" }), "UserPoolID is empty"},
		{"bad pool ID", pool(func(p *Pool) { p.UserPoolID = "useast1_abc" }), "not a Cognito user pool ID"},
		{"pool ID with path", pool(func(p *Pool) { p.UserPoolID = "us-east-1_abc/../x" }), "not a Cognito user pool ID"},
		{"pool ID without suffix", pool(func(p *Pool) { p.UserPoolID = "us-east-1_" }), "not a Cognito user pool ID"},
		{"no clients", pool(func(p *Pool) { p.ClientIDs = nil }), "ClientIDs is empty"},
		{"blank client", pool(func(p *Pool) { p.ClientIDs = []string{"ok", " "} }), "non-printable"},
		{"no token use", pool(func(p *Pool) { p.TokenUse = "" }), "TokenUse is empty"},
		{"unknown token use", pool(func(p *Pool) { p.TokenUse = "refresh" }), "TokenUse \"refresh\" is unknown"},
		{"issuer not URL", pool(func(p *Pool) { p.Issuer = "cognito-idp.example" }), "absolute http"},
		{"issuer trailing slash", pool(func(p *Pool) { p.Issuer = "http://localhost:9229/local_abc/" }), "ends with a slash"},
		{"issuer with query", pool(func(p *Pool) { p.Issuer = "http://localhost:9229/x?y=1" }), "query"},
		{"issuer and issuer format", pool(func(p *Pool) { p.Issuer = "http://127.0.0.1:9229/x_y"; p.IssuerFormat = IssuerCognitoIDP }), "both Issuer and IssuerFormat"},
		{"bad issuer format", pool(func(p *Pool) { p.IssuerFormat = 9 }), "IssuerFormat"},
		{"plain http JWKS URL", pool(func(p *Pool) { p.JWKSURL = "http://keys.example.com/jwks.json" }), "plain http"},
		{"ftp JWKS URL", pool(func(p *Pool) { p.JWKSURL = "ftp://example.com/jwks" }), "absolute http"},
		{"two key sources", pool(func(p *Pool) { p.JWKSURL = "https://example.com/jwks"; p.JWKS = jwksOf(keyA) }), "more than one"},
		{"empty static JWKS", pool(func(p *Pool) { p.JWKS = []byte{} }), "JWKS is empty"},
		{"garbage static JWKS", pool(func(p *Pool) { p.JWKS = []byte("nope") }), "static JWKS"},
		{"static JWKS without usable keys", pool(func(p *Pool) { p.JWKS = jwksOf(keySmall) }), "no usable signing key"},
		{"missing JWKS file", pool(func(p *Pool) { p.JWKSFile = filepath.Join(dir, "none.json") }), "JWKSFile cannot be read"},
		{"empty policy group", pool(func(p *Pool) { p.Policy.AnyGroups = []string{""} }), "empty group or scope"},
		{"duplicate issuer", Config{Pools: []Pool{good(), good()}}, "both use issuer"},
		{"negative leeway", Config{Pools: []Pool{good()}, Leeway: -time.Second}, "Leeway"},
		{"huge leeway", Config{Pools: []Pool{good()}, Leeway: time.Hour}, "Leeway"},
		{"negative token size", Config{Pools: []Pool{good()}, MaxTokenSize: -1}, "MaxTokenSize"},
		{"negative timeout", Config{Pools: []Pool{good()}, FetchTimeout: -1}, "FetchTimeout"},
		{"negative cooldown", Config{Pools: []Pool{good()}, RefetchCooldown: -1}, "RefetchCooldown"},
		{"min above max refresh", Config{Pools: []Pool{good()}, MinRefreshInterval: 2 * time.Hour}, "MinRefreshInterval"},
		{"negative JWKS size", Config{Pools: []Pool{good()}, MaxJWKSSize: -1}, "MaxJWKSSize"},
		{"negative staleness", Config{Pools: []Pool{good()}, MaxStaleness: -1}, "MaxStaleness"},
		{"negative cache bytes", Config{Pools: []Pool{good()}, CacheMaxBytes: -1}, "CacheMaxBytes"},
		{"issuer with the issuer-cognito-idp format", pool(func(p *Pool) { p.Issuer = "http://127.0.0.1:9229/x_y"; p.IssuerFormat = IssuerIssuerCognitoIDP }), "both Issuer and IssuerFormat"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := New(tc.cfg)
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("got %v; want ErrInvalidConfig", err)
			}
			if v != nil {
				t.Errorf("got a verifier with an error")
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tc.wantMsg)
			}
		})
	}
}

func TestNewAcceptsVariants(t *testing.T) {
	keys(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(file, jwksOf(keyA), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name string
		pool Pool
		iss  string
	}{
		{"JWKS file", Pool{UserPoolID: testPoolID, ClientIDs: []string{testClientID}, TokenUse: TokenUseAccess, JWKSFile: file}, testIssuer},
		{"issuer-cognito-idp host", Pool{UserPoolID: testPoolID, ClientIDs: []string{testClientID}, TokenUse: TokenUseAccess,
			IssuerFormat: IssuerIssuerCognitoIDP, JWKS: jwksOf(keyA)}, "https://issuer-cognito-idp.us-east-1.amazonaws.com/" + testPoolID},
		{"either host, standard", Pool{UserPoolID: testPoolID, ClientIDs: []string{testClientID}, TokenUse: TokenUseAccess,
			IssuerFormat: IssuerEither, JWKS: jwksOf(keyA)}, testIssuer},
		{"either host, issuer-cognito-idp", Pool{UserPoolID: testPoolID, ClientIDs: []string{testClientID}, TokenUse: TokenUseAccess,
			IssuerFormat: IssuerEither, JWKS: jwksOf(keyA)}, "https://issuer-cognito-idp.us-east-1.amazonaws.com/" + testPoolID},
		{"emulator issuer and pool ID", Pool{UserPoolID: "local_4Abc12", ClientIDs: []string{testClientID}, TokenUse: TokenUseAccess,
			Issuer: "http://127.0.0.1:9229/local_4Abc12", JWKS: jwksOf(keyA)}, "http://127.0.0.1:9229/local_4Abc12"},
		{"GovCloud", Pool{UserPoolID: "us-gov-west-1_Abc", ClientIDs: []string{testClientID}, TokenUse: TokenUseAccess,
			JWKS: jwksOf(keyA)}, "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_Abc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := mustNew(t, Config{Pools: []Pool{tc.pool}, Now: func() time.Time { return testEpoch }})
			if _, err := v.Verify(ctx, mint(t, keyA, with(accessClaims(), "iss", tc.iss))); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
	// The default JWKS URL follows the issuer.
	v := mustNew(t, Config{Pools: []Pool{{UserPoolID: "eu-west-1_X1", ClientIDs: []string{"c"}, TokenUse: TokenUseID}}})
	if got, want := v.keySets[0].url, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X1/.well-known/jwks.json"; got != want {
		t.Errorf("default JWKS URL: got %s; want %s", got, want)
	}
}

func TestReason(t *testing.T) {
	if Reason(nil) != "" || Reason(errors.New("x")) != "other" || Reason(context.Canceled) != "other" {
		t.Errorf("Reason of nil/foreign errors wrong")
	}
	cooldown := &rejection{sentinel: ErrCooldown, also: ErrUnknownKey}
	if Reason(cooldown) != "cooldown" || !errors.Is(cooldown, ErrUnknownKey) {
		t.Errorf("cooldown: Reason %q", Reason(cooldown))
	}
	seen := map[string]bool{}
	for _, s := range sentinels {
		if seen[s.label] {
			t.Errorf("duplicate label %s", s.label)
		}
		seen[s.label] = true
		if got := Reason(reject(s.err, "x")); got != s.label {
			t.Errorf("Reason(%v): got %s; want %s", s.err, got, s.label)
		}
	}
}

// TestBothAWSIssuersByDefault: a pool's tokens carry
// https://cognito-idp.{region}.amazonaws.com/{pool} or, when the pool is
// configured for it, https://issuer-cognito-idp.{region}.amazonaws.com/{pool};
// both are Cognito's own and are accepted unless IssuerFormat narrows them.
func TestBothAWSIssuersByDefault(t *testing.T) {
	keys(t)
	std := testIssuer
	alt := "https://issuer-cognito-idp.us-east-1.amazonaws.com/" + testPoolID
	tests := []struct {
		name   string
		format IssuerFormat
		accept []string
		reject []string
	}{
		{"default", 0, []string{std, alt}, []string{"https://cognito-idp.us-west-2.amazonaws.com/" + testPoolID,
			"https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_Other", "https://evil.example/" + testPoolID}},
		{"IssuerEither", IssuerEither, []string{std, alt}, nil},
		{"IssuerCognitoIDP only", IssuerCognitoIDP, []string{std}, []string{alt}},
		{"IssuerIssuerCognitoIDP only", IssuerIssuerCognitoIDP, []string{alt}, []string{std}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := staticConfig(TokenUseAccess, keyA)
			cfg.Pools[0].IssuerFormat = tc.format
			v := mustNew(t, cfg)
			for _, iss := range tc.accept {
				c, err := v.Verify(context.Background(), mint(t, keyA, with(accessClaims(), "iss", iss)))
				if err != nil {
					t.Errorf("iss %s: %v", iss, err)
				} else if c.Issuer != iss || c.UserPoolID != testPoolID {
					t.Errorf("iss %s: got Issuer %s, UserPoolID %s", iss, c.Issuer, c.UserPoolID)
				}
			}
			for _, iss := range tc.reject {
				if _, err := v.Verify(context.Background(), mint(t, keyA, with(accessClaims(), "iss", iss))); !errors.Is(err, ErrWrongIssuer) {
					t.Errorf("iss %s: got %v; want ErrWrongIssuer", iss, err)
				}
			}
		})
	}
}
