package echoauth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/cognitokit/cognitokit/adapters/echoauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware"
)

// newEcho builds the Echo side of the shared table: a real Echo instance
// with the middleware in e.Use and one route per authtest.Route.
func newEcho(t testing.TB, f *authtest.Fixture) *echo.Echo {
	t.Helper()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(echoauth.WithConfig(echoauth.Config{
		Verifier: f.Verifier,
		Realm:    authtest.Realm,
		Skipper:  func(c echo.Context) bool { return c.Path() == "/public" },
	}))
	for _, route := range authtest.Routes {
		h := func(c echo.Context) error {
			f.Hits.Add(1)
			claims, ok := echoauth.ClaimsFromContext(c)
			if ctxClaims, _ := middleware.ClaimsFromContext(c.Request().Context()); ctxClaims != claims {
				return fmt.Errorf("claims in echo.Context %p and request context %p differ", claims, ctxClaims)
			}
			if route == authtest.RouteStream {
				c.Response().WriteHeader(http.StatusOK)
				for i := range 3 {
					fmt.Fprintf(c.Response(), "chunk %d for %s\n", i, claims.Subject)
					c.Response().Flush()
				}
				return nil
			}
			if ok {
				return c.String(http.StatusOK, "hello "+claims.Subject)
			}
			return c.String(http.StatusOK, "hello anonymous")
		}
		if route == authtest.RoutePublic {
			e.GET("/"+string(route), h)
			continue
		}
		e.GET("/"+string(route), h, echoauth.Require(authtest.Policy(t, route)))
	}
	return e
}

func TestSharedTable(t *testing.T) {
	f := authtest.Get(t)
	srv := httptest.NewServer(newEcho(t, f))
	defer srv.Close()
	for _, c := range f.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			req, err := http.NewRequest("GET", srv.URL+"/"+string(c.Route), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range c.AuthHeaders() {
				req.Header.Add("Authorization", h)
			}
			before := f.Hits.Load()
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			authtest.CheckHTTP(t, c, resp, body, f.Hits.Load()-before)
			if c.Route == authtest.RouteStream && c.Want.Handler {
				if want := "chunk 0 for sub-alice\nchunk 1 for sub-alice\nchunk 2 for sub-alice\n"; string(body) != want {
					t.Errorf("stream body = %q; want %q", body, want)
				}
			}
		})
	}
}
