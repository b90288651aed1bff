package weblogin_test

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
	"github.com/cognitokit/cognitokit/verifier"
)

func TestSignInWithProvider(t *testing.T) {
	s := newSite(t, siteOpt{mod: func(c *weblogin.Config) {
		c.IdentityProviders = []string{"Google", "COGNITO"}
		c.IDPIdentifiers = []string{"example.com"}
	}})
	tests := []struct {
		name    string
		query   string
		status  int
		wantKey string
		wantVal string
	}{
		{"allowed provider", "identity_provider=Google", 302, "identity_provider", "Google"},
		{"allowed identifier", "idp_identifier=example.com", 302, "idp_identifier", "example.com"},
		{"no provider", "", 302, "", ""},
		{"unknown provider", "identity_provider=Evil", 400, "", ""},
		{"case differs", "identity_provider=google", 400, "", ""},
		{"empty provider", "identity_provider=", 400, "", ""},
		{"unknown identifier", "idp_identifier=evil.com", 400, "", ""},
		{"both", "identity_provider=Google&idp_identifier=example.com", 400, "", ""},
		{"repeated", "identity_provider=Google&identity_provider=COGNITO", 400, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.h.ServeHTTP(rec, httptest.NewRequest("GET", "/auth/login?return_to=%2Fme&"+tc.query, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d; want %d: %.200s", rec.Code, tc.status, rec.Body.String())
			}
			if tc.status != 302 {
				if rec.Header().Get("Set-Cookie") != "" {
					t.Error("a refused sign-in link set a login-state cookie")
				}
				return
			}
			loc, _ := url.Parse(rec.Header().Get("Location"))
			q := loc.Query()
			if tc.wantKey == "" {
				if q.Has("identity_provider") || q.Has("idp_identifier") {
					t.Errorf("authorize URL names a provider: %s", loc.Redacted())
				}
				return
			}
			if got := q[tc.wantKey]; len(got) != 1 || got[0] != tc.wantVal {
				t.Errorf("%s = %q; want %q", tc.wantKey, got, tc.wantVal)
			}
		})
	}

	u, err := s.h.ProviderLoginURL("Google", "/me")
	if err != nil || u != "/auth/login?identity_provider=Google&return_to=%2Fme" {
		t.Errorf("ProviderLoginURL = %q, %v", u, err)
	}
	if u, err := s.h.ProviderLoginURL("Evil", "/me"); !errors.Is(err, weblogin.ErrUnknownProvider) || u != "" {
		t.Errorf("ProviderLoginURL(Evil) = %q, %v; want ErrUnknownProvider", u, err)
	}
	if u, _ := s.h.ProviderLoginURL("Google", "//evil.com"); u != "/auth/login?identity_provider=Google&return_to=%2F" {
		t.Errorf("ProviderLoginURL with a foreign return_to = %q; want the default", u)
	}

	// The whole sign-in through the emulator, which federates to COGNITO
	// itself: the provider link reaches the callback and signs in.
	a := s.agent()
	cu, _ := s.h.ProviderLoginURL("COGNITO", "/me")
	_, body := a.get(s.ts.URL + cu)
	resp, body := a.signIn(body, "alice", alicePass)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/me" {
		t.Fatalf("after sign-in: %d at %s: %.200s", resp.StatusCode, resp.Request.URL, body)
	}
}

func TestProviderConfigRefused(t *testing.T) {
	tests := map[string]func(*weblogin.Config){
		"bad name":       func(c *weblogin.Config) { c.IdentityProviders = []string{"My IdP"} },
		"empty name":     func(c *weblogin.Config) { c.IdentityProviders = []string{""} },
		"bad identifier": func(c *weblogin.Config) { c.IDPIdentifiers = []string{"a/b"} },
		"conflicting options": func(c *weblogin.Config) {
			c.IdentityProviders = []string{"Google"}
			c.AuthOptions = []oauth.AuthOption{oauth.IDPIdentifier("x")}
		},
		"too many": func(c *weblogin.Config) { c.IdentityProviders = make([]string, 65) },
	}
	s := newSite(t, siteOpt{})
	for name, mod := range tests {
		t.Run(name, func(t *testing.T) {
			keys := [][]byte{make([]byte, 32)}
			cfg := weblogin.Config{Client: s.client, Keys: keys, InsecureCookies: true}
			mod(&cfg)
			if _, err := weblogin.New(cfg); !errors.Is(err, weblogin.ErrInvalidConfig) {
				t.Fatalf("New: %v; want ErrInvalidConfig", err)
			}
		})
	}
}

// TestSessionIdentities reads a federated user's identities through the
// session's claims, as a handler behind RequireLogin does.
func TestSessionIdentities(t *testing.T) {
	claims := `{"sub":"s-1","token_use":"id","aud":"c","cognito:username":"Google_1234",` +
		`"identities":[{"userId":"1234","providerName":"Google","providerType":"Google","issuer":null,"primary":"true","dateCreated":"1700000000000"}]}`
	sess := &weblogin.Session{Subject: "s-1", Claims: json.RawMessage(claims)}
	c, err := sess.IDClaims()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := c.Identities()
	if err != nil || len(ids) != 1 || ids[0].ProviderName != "Google" || ids[0].UserID != "1234" || !ids[0].Primary {
		t.Fatalf("Identities() = %+v, %v; want the Google identity", ids, err)
	}
	bad := &weblogin.Session{Claims: json.RawMessage(`{"sub":"s","identities":{"x":1}}`)}
	if c, err := bad.IDClaims(); err != nil {
		t.Fatal(err)
	} else if _, err := c.Identities(); !errors.Is(err, verifier.ErrMalformed) {
		t.Fatalf("malformed identities: %v; want ErrMalformed", err)
	}
}
