package echoauth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cognitokit/cognitokit/adapters/echoauth"
	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

func get(url, token string, cookie bool) {
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" && cookie {
		req.AddCookie(&http.Cookie{Name: "token", Value: token})
	} else if token != "" {
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

// Echo with the middleware on every route, a group requirement on /admin,
// and tokens accepted from the Authorization header or a cookie.
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

	e := echo.New()
	e.Use(echoauth.WithConfig(echoauth.Config{
		Verifier:    v,
		Realm:       "shop",
		TokenLookup: "header:Authorization:Bearer ,cookie:token",
	}))
	e.GET("/admin", func(c echo.Context) error {
		claims, ok := echoauth.ClaimsFromContext(c)
		if !ok {
			return echo.ErrUnauthorized
		}
		return c.String(http.StatusOK, "hello "+claims.Username)
	}, echoauth.RequireAnyGroup("admin"))
	api := httptest.NewServer(e)
	defer api.Close()

	get(api.URL+"/admin", pool.MustMintTokens(app.ID, "alice").AccessToken, false)
	get(api.URL+"/admin", pool.MustMintTokens(app.ID, "alice").AccessToken, true)
	get(api.URL+"/admin", pool.MustMintTokens(app.ID, "bob").AccessToken, false)
	get(api.URL+"/admin", "not-a-token", false)
	// Output:
	// 200 hello alice
	// 200 hello alice
	// 403 {"error":"insufficient_scope","error_description":"The token lacks a required group."}
	//   WWW-Authenticate: Bearer realm="shop", error="insufficient_scope", error_description="The token lacks a required group."
	// 401 {"error":"invalid_token","error_description":"The token is malformed."}
	//   WWW-Authenticate: Bearer realm="shop", error="invalid_token", error_description="The token is malformed."
}

// An ErrorHandler that lets anonymous requests through (as echo-jwt does
// with ContinueOnIgnoredError) while still rejecting bad tokens.
func ExampleConfig_ToMiddleware() {
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
	mw, err := echoauth.Config{
		Verifier:               v,
		ContinueOnIgnoredError: true,
		ErrorHandler: func(c echo.Context, err error) error {
			if rej, ok := err.(*auth.Rejection); ok && rej.Kind == auth.KindMissing {
				return nil // anonymous: continue without claims
			}
			return echoauth.ErrorResponse(c, err)
		},
	}.ToMiddleware()
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.Use(mw)
	e.GET("/", func(c echo.Context) error {
		if _, ok := echoauth.ClaimsFromContext(c); ok {
			return c.String(http.StatusOK, "signed in")
		}
		return c.String(http.StatusOK, "anonymous")
	})
	api := httptest.NewServer(e)
	defer api.Close()
	get(api.URL, "", false)
	get(api.URL, "bad", false)
	// Output:
	// 200 anonymous
	// 401 {"error":"invalid_token","error_description":"The token is malformed."}
	//   WWW-Authenticate: Bearer realm="api", error="invalid_token", error_description="The token is malformed."
}
