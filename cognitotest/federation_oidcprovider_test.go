package cognitotest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/cognitotest/oidcprovider"
	"github.com/cognitokit/cognitokit/verifier"
)

// googleUser is a user of the stand-in Google, with Google's claims.
var googleUser = oidcprovider.User{Subject: "108123456789012345678", Email: "ann@example.com", EmailVerified: true, Name: "Ann Lee",
	Picture: "https://example.com/ann.png", Claims: map[string]any{"hd": "example.com", "given_name": "Ann", "family_name": "Lee", "locale": "en"}}

// googleMapping maps Google's claims as a typical pool does.
var googleMapping = map[string]string{"email": "email", "email_verified": "email_verified", "name": "name", "given_name": "given_name",
	"family_name": "family_name", "picture": "picture", "locale": "locale", "custom:hd": "hd"}

// newStandIn starts an oidcprovider standing in for Google, whose
// redirect URI is srv's /oauth2/idpresponse.
func newStandIn(t testing.TB, srv *cognitotest.Server, cfg oidcprovider.Config) *oidcprovider.Provider {
	t.Helper()
	cfg.Clients = []oidcprovider.Client{{ID: "google-client", Secret: "google-secret", RedirectURIs: []string{srv.URL() + "/oauth2/idpresponse"}}}
	cfg.Users = []oidcprovider.User{googleUser}
	cfg.Key = standInKey()
	idp, err := oidcprovider.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	return idp
}

// googlePool returns a pool with a Google provider that points at idp,
// and an app client allowing it.
func googlePool(t testing.TB, srv *cognitotest.Server, idp *oidcprovider.Provider, typ string) (*cognitotest.Pool, cognitotest.AppClient) {
	t.Helper()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_GoogleApp", CustomAttributes: []cognitotest.CustomAttribute{{Name: "hd", Type: "String"}}})
	name, details := "Google", map[string]string{"client_id": "google-client", "client_secret": "google-secret", "authorize_scopes": "openid email profile",
		// The stand-in's endpoints instead of Google's.
		"authorize_url": idp.AuthorizeURL(), "token_url": idp.TokenURL(), "attributes_url": idp.UserInfoURL(), "jwks_uri": idp.JWKSURL(), "oidc_issuer": idp.Issuer()}
	if typ == cognitotest.ProviderOIDC {
		// An OIDC provider: discovered from the issuer.
		name, details = "Corp", map[string]string{"client_id": "google-client", "client_secret": "google-secret", "authorize_scopes": "openid email profile",
			"attributes_request_method": "GET", "oidc_issuer": idp.Issuer()}
	}
	pool.MustCreateIdentityProvider(cognitotest.IdentityProviderConfig{Name: name, Type: typ, Details: details, AttributeMapping: googleMapping})
	app := pool.MustCreateClient(cognitotest.ClientConfig{Name: "app", GenerateSecret: true, CallbackURLs: []string{oauthCallback},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"}, AllowedOAuthFlowsUserPoolClient: true,
		SupportedIdentityProviders: []string{"COGNITO", name}})
	return pool, app
}

func checkGoogleClaims(t testing.TB, id *verifier.Claims, pool *cognitotest.Pool, provider, typ string) {
	t.Helper()
	want := map[string]string{"cognito:username": provider + "_" + googleUser.Subject, "email": googleUser.Email, "name": googleUser.Name,
		"given_name": "Ann", "family_name": "Lee", "picture": googleUser.Picture, "locale": "en", "custom:hd": "example.com"}
	for k, v := range want {
		if got, _ := id.String(k); got != v {
			t.Errorf("%s = %q; want %q", k, got, v)
		}
	}
	if raw, _ := id.Get("email_verified"); string(raw) != "true" {
		t.Errorf("email_verified = %s; want true", raw)
	}
	if !id.HasGroup(pool.ID() + "_" + provider) {
		t.Errorf("cognito:groups = %v; want %s_%s", id.Groups, pool.ID(), provider)
	}
	ids, err := id.Identities()
	if err != nil || len(ids) != 1 || ids[0].UserID != googleUser.Subject || ids[0].ProviderName != provider || ids[0].ProviderType != typ || !ids[0].Primary {
		t.Errorf("identities = %+v, %v", ids, err)
	}
}

// TestFederationWithOIDCProvider signs in through oidcprovider standing in
// for Google (a Google provider whose endpoints point at it) and as a
// corporate OIDC provider (discovered from its issuer), with Google's
// claims mapped onto the pool's attributes.
func TestFederationWithOIDCProvider(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{cognitotest.ProviderGoogle, cognitotest.ProviderOIDC} {
		t.Run(typ, func(t *testing.T) {
			srv := cognitotest.NewServer(t, fastKeys())
			idp := newStandIn(t, srv, oidcprovider.Config{AutoApprove: googleUser.Subject})
			pool, app := googlePool(t, srv, idp, typ)
			provider := map[string]string{cognitotest.ProviderGoogle: "Google", cognitotest.ProviderOIDC: "Corp"}[typ]
			conf := &oauth2.Config{ClientID: app.ID, ClientSecret: app.Secret, RedirectURL: oauthCallback, Scopes: []string{"openid", "email", "profile"},
				Endpoint: oauth2.Endpoint{AuthURL: srv.OAuthDomain() + "/oauth2/authorize", TokenURL: srv.OAuthDomain() + "/oauth2/token"}}
			v := oauth2.GenerateVerifier()
			resp, err := browser().Get(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("identity_provider", provider)))
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			cb, err := resp.Location()
			if err != nil || cb.Query().Get("code") == "" || cb.Query().Get("state") != "st" {
				t.Fatalf("status %d, callback %v: %.300s", resp.StatusCode, cb, body)
			}
			tok, err := conf.Exchange(ctx(), cb.Query().Get("code"), oauth2.VerifierOption(v))
			if err != nil {
				t.Fatal(err)
			}
			vf, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: pool.ID(), ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseID,
				Issuer: pool.Issuer(), JWKSURL: pool.JWKSURL()}}, HTTPClient: srv.HTTPClient()})
			if err != nil {
				t.Fatal(err)
			}
			defer vf.Close()
			id, err := vf.Verify(ctx(), tok.Extra("id_token").(string))
			if err != nil {
				t.Fatal(err)
			}
			checkGoogleClaims(t, id, pool, provider, typ)
		})
	}
}

// TestFederationBrowser: headless Chromium goes from an app to managed
// login, clicks "Sign in with Google", picks the user on oidcprovider's
// "Sign in as" page, and lands back in the app signed in, the mapped
// attributes in its ID token.
func TestFederationBrowser(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, nil)
	srv := cognitotest.NewServer(t, fastKeys())
	idp := newStandIn(t, srv, oidcprovider.Config{})
	pool, _ := googlePool(t, srv, idp, cognitotest.ProviderGoogle)

	// The app: / starts the sign-in, /callback redeems the code and
	// shows the verified ID token's claims.
	var conf *oauth2.Config
	var vf *verifier.Verifier
	verif := oauth2.GenerateVerifier()
	appSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			http.Redirect(w, r, conf.AuthCodeURL("browser-state", oauth2.S256ChallengeOption(verif)), http.StatusFound)
		case "/callback":
			if r.URL.Query().Get("state") != "browser-state" {
				http.Error(w, "bad state: "+r.URL.RawQuery, http.StatusBadRequest)
				return
			}
			tok, err := conf.Exchange(r.Context(), r.URL.Query().Get("code"), oauth2.VerifierOption(verif))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			id, err := vf.Verify(r.Context(), tok.Extra("id_token").(string))
			if err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			b, _ := json.Marshal(id)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><title>signed in</title><pre id="claims">%s</pre>`, strings.ReplaceAll(string(b), "<", `\u003c`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer appSrv.Close()
	// The app's callback must be a callback URL of the client.
	app2 := pool.MustCreateClient(cognitotest.ClientConfig{Name: "browser-app", GenerateSecret: true, CallbackURLs: []string{appSrv.URL + "/callback"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"}, AllowedOAuthFlowsUserPoolClient: true,
		SupportedIdentityProviders: []string{"COGNITO", "Google"}})
	conf = &oauth2.Config{ClientID: app2.ID, ClientSecret: app2.Secret, RedirectURL: appSrv.URL + "/callback", Scopes: []string{"openid", "email", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: srv.OAuthDomain() + "/oauth2/authorize", TokenURL: srv.OAuthDomain() + "/oauth2/token"}}
	vf, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: pool.ID(), ClientIDs: []string{app2.ID}, TokenUse: verifier.TokenUseID,
		Issuer: pool.Issuer(), JWKSURL: pool.JWKSURL()}}, HTTPClient: srv.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	defer vf.Close()

	googleButton := `a[data-provider="Google"]`
	userButton := `button[data-sub="` + googleUser.Subject + `"]`
	err = chromedp.Do(bctx,
		chromedp.Navigate(appSrv.URL+"/"),
		chromedp.WaitVisible(googleButton), // managed login's sign-in page
		chromedp.Click(googleButton),
		chromedp.WaitVisible(userButton), // oidcprovider's "Sign in as" page
		chromedp.Click(userButton),
		chromedp.WaitVisible(chromedp.ID("claims")), // back in the app
	)
	if err != nil {
		loc, _ := chromedp.Run(bctx, chromedp.Location())
		t.Fatalf("browser flow: %v (at %s)", err, loc)
	}
	claimsJSON, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("claims")))
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal([]byte(claimsJSON), &claims); err != nil {
		t.Fatalf("the app's page: %q: %v", claimsJSON, err)
	}
	if claims["cognito:username"] != "Google_"+googleUser.Subject || claims["email"] != googleUser.Email || claims["given_name"] != "Ann" || claims["custom:hd"] != "example.com" {
		t.Errorf("the app signed in with claims %v", claims)
	}
}
