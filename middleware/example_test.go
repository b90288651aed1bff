package middleware_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/verifier"
)

// get sends a GET with an optional bearer token and prints the answer.
func get(url, token string) {
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, strings.TrimSpace(string(body)))
	if c := res.Header.Get("WWW-Authenticate"); c != "" {
		fmt.Println("  WWW-Authenticate:", c)
	}
}

// An API protecting /admin with a group and /orders with a scope, against
// the cognitotest emulator.
func Example() {
	idp := cognitotest.NewServer(nil)
	defer idp.Close()
	pool := idp.MustCreatePool(cognitotest.PoolConfig{})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Groups: []string{"admin"}})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: "Passw0rd!"})

	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: pool.ID(), Issuer: pool.Issuer(), JWKSURL: pool.JWKSURL(),
		ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseAccess,
	}}})
	if err != nil {
		panic(err)
	}
	defer v.Close()
	auth, err := middleware.New(v, middleware.Config{Realm: "shop"})
	if err != nil {
		panic(err)
	}

	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := middleware.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", c.Username)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /admin", middleware.RequireAnyGroup("admin")(hello))
	mux.Handle("GET /orders", middleware.RequireAnyScope("orders/read")(hello))
	api := httptest.NewServer(auth(mux))
	defer api.Close()

	alice := pool.MustMintTokens(app.ID, "alice").AccessToken
	bob := pool.MustMintTokens(app.ID, "bob").AccessToken
	get(api.URL+"/admin", alice)
	get(api.URL+"/admin", bob)
	get(api.URL+"/orders", alice)
	get(api.URL+"/admin", "")
	// Output:
	// 200 hello alice
	// 403 {"error":"insufficient_scope","error_description":"The token lacks a required group."}
	//   WWW-Authenticate: Bearer realm="shop", error="insufficient_scope", error_description="The token lacks a required group."
	// 403 {"error":"insufficient_scope","error_description":"The token lacks a required scope."}
	//   WWW-Authenticate: Bearer realm="shop", error="insufficient_scope", error_description="The token lacks a required scope.", scope="orders/read"
	// 401 {"error":"unauthorized","error_description":"A bearer token is required."}
	//   WWW-Authenticate: Bearer realm="shop"
}

// Handlers can decode the verified payload into their own claims type,
// once per request.
func ExampleClaimsAs() {
	idp := cognitotest.NewServer(nil)
	defer idp.Close()
	pool := idp.MustCreatePool(cognitotest.PoolConfig{})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!",
		Email: "alice@example.com", Attributes: map[string]string{"custom:tenant": "acme"}})
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: pool.ID(), Issuer: pool.Issuer(), JWKSURL: pool.JWKSURL(),
		ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseID,
	}}})
	if err != nil {
		panic(err)
	}
	defer v.Close()
	auth, err := middleware.New(v, middleware.Config{})
	if err != nil {
		panic(err)
	}
	type profile struct {
		Email  string `json:"email"`
		Tenant string `json:"custom:tenant"`
	}
	api := httptest.NewServer(auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := middleware.ClaimsAs[profile](r.Context())
		if err != nil {
			http.Error(w, "bad claims", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%s of %s", p.Email, p.Tenant)
	})))
	defer api.Close()
	get(api.URL, pool.MustMintTokens(app.ID, "alice").IDToken)
	// Output:
	// 200 alice@example.com of acme
}

// CORS preflights never reach the application. By default the middleware
// answers them with 204 and nothing else; Config.PreflightHandler hands
// them to your CORS handler instead.
func ExampleConfig_preflightHandler() {
	idp := cognitotest.NewServer(nil)
	defer idp.Close()
	pool := idp.MustCreatePool(cognitotest.PoolConfig{})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: pool.ID(), Issuer: pool.Issuer(), JWKSURL: pool.JWKSURL(),
		ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseAccess,
	}}})
	if err != nil {
		panic(err)
	}
	defer v.Close()
	cors := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") == "https://app.example.com" {
			w.Header().Set("Access-Control-Allow-Origin", "https://app.example.com")
			w.Header().Set("Access-Control-Allow-Methods", "GET, DELETE")
			w.Header().Set("Access-Control-Allow-Headers", "Authorization")
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux := http.NewServeMux()
	mux.HandleFunc("/admin/delete-user", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "user deleted") // never runs without a token
	})
	for _, cfg := range []middleware.Config{{}, {PreflightHandler: cors}} {
		auth, err := middleware.New(v, cfg)
		if err != nil {
			panic(err)
		}
		api := httptest.NewServer(auth(mux))
		req, _ := http.NewRequest(http.MethodOptions, api.URL+"/admin/delete-user", nil)
		req.Header.Set("Origin", "https://app.example.com")
		req.Header.Set("Access-Control-Request-Method", "DELETE")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Printf("%d %q Access-Control-Allow-Origin: %q\n", res.StatusCode, body, res.Header.Get("Access-Control-Allow-Origin"))
		api.Close()
	}
	// Output:
	// 204 "" Access-Control-Allow-Origin: ""
	// 204 "" Access-Control-Allow-Origin: "https://app.example.com"
}
