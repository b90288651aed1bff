package weblogin_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
)

// Mount the handler and protect routes. The emulator stands in for Cognito.
func Example() {
	srv := cognitotest.NewServer(nil)
	defer srv.Close()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Example"})
	app := pool.MustCreateClient(cognitotest.ClientConfig{
		GenerateSecret: true, CallbackURLs: []string{"http://localhost:8080/auth/callback"},
		LogoutURLs: []string{"http://localhost:8080/"}, AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid", "email"}, AllowedOAuthFlowsUserPoolClient: true,
	})
	client, err := oauth.New(oauth.Config{
		Domain: srv.OAuthDomain(), ClientID: app.ID, ClientSecret: app.Secret,
		RedirectURL: "http://localhost:8080/auth/callback", Scopes: []string{"openid", "email"},
		UserPoolID: pool.ID(), Issuer: pool.Issuer(), JWKSURL: pool.JWKSURL(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	key, _ := weblogin.NewKey() // in production: weblogin.ParseKeys(os.Getenv("COOKIE_KEYS"))
	wl, err := weblogin.New(weblogin.Config{
		Client: client, Keys: [][]byte{key}, PostLogoutURL: "http://localhost:8080/",
		InsecureCookies: true, // plain http://localhost only
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", wl)
	mux.Handle("/me", wl.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := weblogin.SessionFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", s.Username)
	})))

	// An anonymous browser is sent to sign in, and brought back afterwards.
	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Accept", "text/html")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Location"))

	// An API client gets 401.
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/me", nil))
	fmt.Println(rec.Code)
	// Output:
	// 302 /auth/login?return_to=%2Fme
	// 401
}

func ExampleLocalPath() {
	for _, p := range []string{"/me?tab=2", "//evil.com", "https://evil.com", `/\evil.com`, "/%2F%2Fevil.com"} {
		fmt.Println(p, weblogin.LocalPath(p))
	}
	// Output:
	// /me?tab=2 true
	// //evil.com false
	// https://evil.com false
	// /\evil.com false
	// /%2F%2Fevil.com false
}

// A handler behind RequireLogin reads a custom attribute of the signed-in
// user from the session's ID token claims.
func ExampleSession_IDClaims() {
	me := func(w http.ResponseWriter, r *http.Request) {
		sess, ok := weblogin.SessionFromContext(r.Context())
		if !ok {
			http.Error(w, "not signed in", http.StatusInternalServerError)
			return
		}
		claims, err := sess.IDClaims()
		if err != nil {
			http.Error(w, "no claims", http.StatusInternalServerError)
			return
		}
		tenant, _ := claims.String("custom:tenant")
		fmt.Fprintf(w, "%s of %s, in %v", claims.Username, tenant, claims.Groups)
	}

	// In a test, put a session in the request's context.
	sess := &weblogin.Session{Subject: "u1", Claims: []byte(`{"sub":"u1","cognito:username":"alice","custom:tenant":"acme","cognito:groups":["staff"]}`)}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/me", nil)
	me(rec, req.WithContext(weblogin.NewContext(req.Context(), sess)))
	fmt.Println(rec.Body.String())
	// Output: alice of acme, in [staff]
}
