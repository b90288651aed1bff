package oauth_test

import (
	"errors"
	"testing"

	"github.com/cognitokit/cognitokit/oauth"
)

var endpointCases = []struct {
	domain string
	want   string // Domain, or "" for an error
}{
	{"https://myapp.auth.us-east-1.amazoncognito.com", "https://myapp.auth.us-east-1.amazoncognito.com"},
	{"myapp.auth.us-east-1.amazoncognito.com", "https://myapp.auth.us-east-1.amazoncognito.com"},
	{"https://MyApp.Auth.us-east-1.amazoncognito.com/", "https://myapp.auth.us-east-1.amazoncognito.com"},
	{"https://auth.example.com", "https://auth.example.com"},
	{"https://auth.example.com:8443", "https://auth.example.com:8443"},
	{"http://127.0.0.1:41234", "http://127.0.0.1:41234"},
	{"http://localhost:9229", "http://localhost:9229"},
	{"http://[::1]:9229", "http://[::1]:9229"},
	{"", ""},
	{"http://auth.example.com", ""},
	{"ftp://auth.example.com", ""},
	{"https://auth.example.com/oauth2", ""},
	{"https://auth.example.com?x=1", ""},
	{"https://auth.example.com#f", ""},
	{"https://user:pw@auth.example.com", ""},
	{"https://auth example.com", ""},
	{"https://auth.example.com\\@evil.com", ""},
	{"https://-bad-.example.com", ""},
	{"https://cognito-idp.us-east-1.amazonaws.com", ""},
	{"https://auth.example.com:99999", ""},
	{"https://auth.example.com:", ""},
	{"https://", ""},
	{"javascript:alert(1)", ""},
	{"https://auth.exa\x00mple.com", ""},
}

func TestNewEndpoints(t *testing.T) {
	for _, tc := range endpointCases {
		t.Run(tc.domain, func(t *testing.T) {
			ep, err := oauth.NewEndpoints(tc.domain)
			if tc.want == "" {
				if !errors.Is(err, oauth.ErrInvalidConfig) {
					t.Fatalf("NewEndpoints(%q) = %+v, %v; want ErrInvalidConfig", tc.domain, ep, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewEndpoints(%q): %v", tc.domain, err)
			}
			if ep.Domain != tc.want || ep.TokenURL != tc.want+"/oauth2/token" || ep.UserInfoURL != tc.want+"/oauth2/userInfo" || ep.RevokeURL != tc.want+"/oauth2/revoke" {
				t.Fatalf("NewEndpoints(%q) = %+v; want domain %s", tc.domain, ep, tc.want)
			}
		})
	}
}

func TestCognitoDomain(t *testing.T) {
	if d, err := oauth.CognitoDomain("my-app", "eu-west-1"); err != nil || d != "https://my-app.auth.eu-west-1.amazoncognito.com" {
		t.Fatalf("CognitoDomain = %q, %v", d, err)
	}
	for _, tc := range [][2]string{{"My_App", "eu-west-1"}, {"", "eu-west-1"}, {"app", "europe"}, {"-app", "eu-west-1"}} {
		if _, err := oauth.CognitoDomain(tc[0], tc[1]); !errors.Is(err, oauth.ErrInvalidConfig) {
			t.Errorf("CognitoDomain(%q, %q): err = %v; want ErrInvalidConfig", tc[0], tc[1], err)
		}
	}
}

func TestNewConfigErrors(t *testing.T) {
	base := oauth.Config{Domain: "https://auth.example.com", ClientID: "abc", UserPoolID: "us-east-1_Abc", RedirectURL: "https://app.example.com/cb"}
	tests := map[string]func(*oauth.Config){
		"no domain":           func(c *oauth.Config) { c.Domain = "" },
		"no client ID":        func(c *oauth.Config) { c.ClientID = "" },
		"client ID with :":    func(c *oauth.Config) { c.ClientID = "a:b" },
		"secret with CRLF":    func(c *oauth.Config) { c.ClientSecret = "a\r\nb" },
		"issuer without pool": func(c *oauth.Config) { c.UserPoolID, c.Issuer = "", "http://127.0.0.1:1/p" },
		"jwks without pool":   func(c *oauth.Config) { c.UserPoolID, c.JWKSURL = "", "http://127.0.0.1:1/jwks" },
		"bad pool":            func(c *oauth.Config) { c.UserPoolID = "nope" },
		"relative redirect":   func(c *oauth.Config) { c.RedirectURL = "/cb" },
		"http redirect":       func(c *oauth.Config) { c.RedirectURL = "http://app.example.com/cb" },
		"scope with space":    func(c *oauth.Config) { c.Scopes = []string{"openid email"} },
		"empty scope":         func(c *oauth.Config) { c.Scopes = []string{""} },
		"negative early exp":  func(c *oauth.Config) { c.EarlyExpiry = -1 },
	}
	for name, mod := range tests {
		cfg := base
		mod(&cfg)
		if _, err := oauth.New(cfg); !errors.Is(err, oauth.ErrInvalidConfig) {
			t.Errorf("%s: err = %v; want ErrInvalidConfig", name, err)
		}
	}
	c, err := oauth.New(base)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.LogoutURL("not a url"); !errors.Is(err, oauth.ErrInvalidInput) {
		t.Errorf("LogoutURL: err = %v; want ErrInvalidInput", err)
	}
	if u, err := c.LogoutURL("https://app.example.com/bye"); err != nil || u != "https://auth.example.com/logout?client_id=abc&logout_uri=https%3A%2F%2Fapp.example.com%2Fbye" {
		t.Errorf("LogoutURL = %q, %v", u, err)
	}
	req, _ := oauth.NewAuthRequest()
	for name, opt := range map[string]oauth.AuthOption{"empty prompt": oauth.Prompt(""), "bad scope": oauth.WithScopes("a b"), "no scopes": oauth.WithScopes()} {
		if _, err := c.AuthCodeURL(req, opt); !errors.Is(err, oauth.ErrInvalidInput) {
			t.Errorf("%s: err = %v; want ErrInvalidInput", name, err)
		}
	}
}
