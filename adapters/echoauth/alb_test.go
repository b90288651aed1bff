package echoauth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cognitokit/cognitokit/adapters/echoauth"
	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/albtoken/albtest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/alb"
)

func TestALBMode(t *testing.T) {
	srv := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pool := srv.MustCreatePool(cognitotest.PoolConfig{})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Groups: []string{"admin"}})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: "Passw0rd!"})
	fx := albtest.NewFixture(t, app.ID, pool.Issuer())
	av, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: pool.ID(), Issuer: pool.Issuer(),
		ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseAccess, JWKS: pool.JWKS()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer av.Close()
	v, err := alb.New(alb.Config{ALBARNs: []string{fx.ARN}, ClientIDs: []string{app.ID}, Issuer: pool.Issuer(), KeyURL: fx.KeyURL, AccessTokens: av})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (echoauth.Config{ALB: v, Verifier: av}).ToMiddleware(); !errors.Is(err, echoauth.ErrInvalidConfig) {
		t.Errorf("ALB with Verifier: err = %v; want ErrInvalidConfig", err)
	}
	e := echo.New()
	e.Use(echoauth.WithConfig(echoauth.Config{ALB: v}))
	e.GET("/admin", func(c echo.Context) error {
		cl, ok := echoauth.ClaimsFromContext(c)
		id, ok2 := alb.IdentityFromContext(c.Request().Context())
		if !ok || !ok2 {
			return c.String(500, "no claims")
		}
		return c.String(200, cl.Username+" "+id.User.Email)
	}, echoauth.RequireAnyGroup("admin"))
	headers := func(name string) http.Header {
		u, err := pool.User(name)
		if err != nil {
			t.Fatal(err)
		}
		data := fx.Token(t, map[string]any{"sub": u.Sub, "email": name + "@example.com", "username": name, "exp": time.Now().Add(time.Minute).Unix()})
		return http.Header{alb.HeaderData: {data}, alb.HeaderAccessToken: {pool.MustMintTokens(app.ID, name).AccessToken}}
	}
	tests := []struct {
		name   string
		hdr    http.Header
		status int
		body   string
	}{
		{"alice", headers("alice"), 200, "alice alice@example.com"},
		{"bob, not in the group", headers("bob"), 403, ""},
		{"nothing", http.Header{}, 401, ""},
		{"bare identity header", http.Header{alb.HeaderIdentity: {"alice"}}, 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/admin", nil)
			r.Header = tc.hdr
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if w.Code != tc.status || (tc.body != "" && w.Body.String() != tc.body) {
				t.Errorf("got %d %q; want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
		})
	}
}
