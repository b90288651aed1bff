package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/oauth"
)

func ExampleNewEndpoints() {
	ep, err := oauth.NewEndpoints("myapp.auth.eu-west-1.amazoncognito.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ep.AuthURL)
	fmt.Println(ep.TokenURL)
	fmt.Println(ep.LogoutURL)

	_, err = oauth.NewEndpoints("http://auth.example.com")
	fmt.Println(errors.Is(err, oauth.ErrInvalidConfig))
	// Output:
	// https://myapp.auth.eu-west-1.amazoncognito.com/oauth2/authorize
	// https://myapp.auth.eu-west-1.amazoncognito.com/oauth2/token
	// https://myapp.auth.eu-west-1.amazoncognito.com/logout
	// true
}

func ExampleClient_AuthCodeURL() {
	c, err := oauth.New(oauth.Config{
		Domain:      "https://auth.example.com",
		ClientID:    "3k8v9ab1c2d3e4f5g6h7i8j9k0",
		RedirectURL: "https://app.example.com/auth/callback",
		UserPoolID:  "eu-west-1_AbC123",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	req := oauth.AuthRequest{State: "st", Nonce: "no", CodeVerifier: strings.Repeat("v", 43)}
	u, err := c.AuthCodeURL(req, oauth.IdentityProvider("COGNITO"), oauth.LoginHint("alice"))
	if err != nil {
		log.Fatal(err)
	}
	parsed, _ := url.Parse(u)
	q := parsed.Query()
	for _, k := range []string{"response_type", "scope", "state", "nonce", "code_challenge_method", "identity_provider", "login_hint"} {
		fmt.Printf("%s=%s\n", k, q.Get(k))
	}
	// Output:
	// response_type=code
	// scope=openid email profile
	// state=st
	// nonce=no
	// code_challenge_method=S256
	// identity_provider=COGNITO
	// login_hint=alice
}

// The whole authorization code flow against the emulator, with an HTTP
// client standing in for the browser.
func ExampleClient_Exchange() {
	srv := cognitotest.NewServer(nil)
	defer srv.Close()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Example"})
	app := pool.MustCreateClient(cognitotest.ClientConfig{
		GenerateSecret: true, CallbackURLs: []string{"http://localhost:8080/callback"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"},
		AllowedOAuthFlowsUserPoolClient: true,
	})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Alice-Passw0rd!", Email: "alice@example.com"})

	client, err := oauth.New(oauth.Config{
		Domain: srv.OAuthDomain(), ClientID: app.ID, ClientSecret: app.Secret,
		RedirectURL: "http://localhost:8080/callback",
		UserPoolID:  pool.ID(), Issuer: pool.Issuer(), JWKSURL: pool.JWKSURL(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	req, _ := oauth.NewAuthRequest()
	authURL, _ := client.AuthCodeURL(req)
	code := signInWithForm(authURL, "alice", "Alice-Passw0rd!")

	tok, err := client.Exchange(context.Background(), code, req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.IDClaims.Username, tok.IDClaims.Email)

	_, err = client.Exchange(context.Background(), code, req) // codes are single-use
	fmt.Println(errors.Is(err, oauth.ErrInvalidGrant))
	// Output:
	// alice alice@example.com
	// true
}

// signInWithForm fills in the emulator's sign-in form and returns the code
// of the callback.
func signInWithForm(authURL, username, password string) string {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if r.URL.Host == "localhost:8080" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := hc.Get(authURL)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	form := url.Values{"request": {resp.Request.URL.Query().Get("request")}, "username": {username}, "password": {password}}
	resp, err = hc.PostForm(resp.Request.URL.Scheme+"://"+resp.Request.URL.Host+"/login", form)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	return loc.Query().Get("code")
}

func ExampleClient_ClientCredentials() {
	srv := cognitotest.NewServer(nil)
	defer srv.Close()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Example"})
	pool.CreateResourceServer(cognitotest.ResourceServerConfig{Identifier: "orders", Scopes: map[string]string{"read": "read orders"}})
	svc := pool.MustCreateClient(cognitotest.ClientConfig{
		GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"},
		AllowedOAuthScopes: []string{"orders/read"}, AllowedOAuthFlowsUserPoolClient: true,
	})
	// Client credentials issue no ID token: no UserPoolID is needed.
	client, err := oauth.New(oauth.Config{Domain: srv.OAuthDomain(), ClientID: svc.ID, ClientSecret: svc.Secret})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ts, err := client.ClientCredentials("orders/read")
	if err != nil {
		log.Fatal(err)
	}
	t1, err := ts.Token() // fetched
	if err != nil {
		log.Fatal(err)
	}
	t2, _ := ts.Token() // cached
	fmt.Println(t1.TokenType, t1.AccessToken == t2.AccessToken)

	_, err = oauth.New(oauth.Config{Domain: srv.OAuthDomain(), ClientID: svc.ID, UserPoolID: pool.ID()})
	fmt.Println(err == nil)
	// Output:
	// Bearer true
	// true
}
