package oauth_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/oauth"
)

func providerClient(t *testing.T) *oauth.Client {
	t.Helper()
	c, err := oauth.New(oauth.Config{Domain: "https://auth.example.com", ClientID: "abc", RedirectURL: "https://app.example.com/cb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestProviderOptions(t *testing.T) {
	c := providerClient(t)
	req, _ := oauth.NewAuthRequest()
	tests := []struct {
		name    string
		opts    []oauth.AuthOption
		wantKey string
		wantVal string
	}{
		{"google", []oauth.AuthOption{oauth.IdentityProvider("Google")}, "identity_provider", "Google"},
		{"cognito", []oauth.AuthOption{oauth.IdentityProvider("COGNITO")}, "identity_provider", "COGNITO"},
		{"oidc name with punctuation", []oauth.AuthOption{oauth.IdentityProvider("Corp-IdP.eu")}, "identity_provider", "Corp-IdP.eu"},
		{"non-ASCII name", []oauth.AuthOption{oauth.IdentityProvider("Société")}, "identity_provider", "Société"},
		{"underscore second", []oauth.AuthOption{oauth.IdentityProvider("a_b")}, "identity_provider", "a_b"},
		{"32 characters", []oauth.AuthOption{oauth.IdentityProvider(strings.Repeat("é", 32))}, "identity_provider", strings.Repeat("é", 32)},
		{"identifier", []oauth.AuthOption{oauth.IDPIdentifier("example.com")}, "idp_identifier", "example.com"},
		{"identifier with space", []oauth.AuthOption{oauth.IDPIdentifier("corp sso+1=a@b")}, "idp_identifier", "corp sso+1=a@b"},
		{"same option twice: the last wins", []oauth.AuthOption{oauth.IdentityProvider("COGNITO"), oauth.IdentityProvider("Google")}, "identity_provider", "Google"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := c.AuthCodeURL(req, tc.opts...)
			if err != nil {
				t.Fatalf("AuthCodeURL: %v", err)
			}
			pu, _ := url.Parse(u)
			if got := pu.Query()[tc.wantKey]; len(got) != 1 || got[0] != tc.wantVal {
				t.Errorf("%s = %q; want [%q]", tc.wantKey, got, tc.wantVal)
			}
		})
	}
}

func TestProviderOptionsRefused(t *testing.T) {
	c := providerClient(t)
	req, _ := oauth.NewAuthRequest()
	tests := []struct {
		name string
		opts []oauth.AuthOption
	}{
		{"empty name", []oauth.AuthOption{oauth.IdentityProvider("")}},
		{"33 characters", []oauth.AuthOption{oauth.IdentityProvider(strings.Repeat("a", 33))}},
		{"space", []oauth.AuthOption{oauth.IdentityProvider("My IdP")}},
		{"leading underscore", []oauth.AuthOption{oauth.IdentityProvider("_Google")}},
		{"underscore third", []oauth.AuthOption{oauth.IdentityProvider("Go_ogle")}},
		{"control character", []oauth.AuthOption{oauth.IdentityProvider("Goo\ngle")}},
		{"invalid UTF-8", []oauth.AuthOption{oauth.IdentityProvider("Goo\xffgle")}},
		{"empty identifier", []oauth.AuthOption{oauth.IDPIdentifier("")}},
		{"41-byte identifier", []oauth.AuthOption{oauth.IDPIdentifier(strings.Repeat("a", 41))}},
		{"identifier with slash", []oauth.AuthOption{oauth.IDPIdentifier("a/b")}},
		{"identifier with a leading space", []oauth.AuthOption{oauth.IDPIdentifier(" ab")}},
		{"identifier with a tab", []oauth.AuthOption{oauth.IDPIdentifier("a\tb")}},
		{"both, provider first", []oauth.AuthOption{oauth.IdentityProvider("Google"), oauth.IDPIdentifier("example.com")}},
		{"both, identifier first", []oauth.AuthOption{oauth.IDPIdentifier("example.com"), oauth.IdentityProvider("Google")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := c.AuthCodeURL(req, tc.opts...)
			if !errors.Is(err, oauth.ErrInvalidInput) || u != "" {
				t.Fatalf("AuthCodeURL = %q, %v; want ErrInvalidInput", u, err)
			}
		})
	}
}

func FuzzCheckProviderName(f *testing.F) {
	for _, s := range []string{"Google", "COGNITO", "a_b", "_x", "My IdP", "Société", "\xff", strings.Repeat("a", 33)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if oauth.CheckProviderName(name) != nil {
			return
		}
		if strings.ContainsAny(name, " \t\r\n") || strings.HasPrefix(name, "_") || len([]rune(name)) > oauth.MaxProviderNameLen {
			t.Fatalf("CheckProviderName(%q) accepted", name)
		}
		c := providerClient(t)
		req, _ := oauth.NewAuthRequest()
		u, err := c.AuthCodeURL(req, oauth.IdentityProvider(name))
		if err != nil {
			t.Fatal(err)
		}
		pu, err := url.Parse(u)
		if err != nil || pu.Query().Get("identity_provider") != name {
			t.Fatalf("round trip of %q: %v %q", name, err, pu.Query().Get("identity_provider"))
		}
	})
}
