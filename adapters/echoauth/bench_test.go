package echoauth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/cognitokit/cognitokit/adapters/echoauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
)

type nopWriter struct {
	h    http.Header
	code int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(code int)        { w.code = code }

// BenchmarkEcho compares, in one run, a bare Echo route with the same route
// behind the middleware for a token in the verifier's cache.
func BenchmarkEcho(b *testing.B) {
	f := authtest.Get(b)
	h := func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
	bare := echo.New()
	bare.GET("/orders", h)
	auth := echo.New()
	auth.Use(echoauth.WithConfig(echoauth.Config{Verifier: f.Steady}))
	auth.GET("/orders", h)
	scoped := echo.New()
	scoped.Use(echoauth.WithConfig(echoauth.Config{Verifier: f.Steady}))
	scoped.GET("/orders", h, echoauth.RequireScopes("orders/read"))
	run := func(e *echo.Echo, tok string) func(b *testing.B) {
		return func(b *testing.B) {
			r := httptest.NewRequest("GET", "/orders", nil)
			if tok != "" {
				r.Header.Set("Authorization", "Bearer "+tok)
			}
			w := &nopWriter{h: http.Header{}}
			e.ServeHTTP(w, r)
			if w.code != http.StatusNoContent {
				b.Fatalf("status %d; want 204", w.code)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				e.ServeHTTP(w, r)
			}
		}
	}
	b.Run("bare", run(bare, ""))
	b.Run("auth", run(auth, f.AliceAccess))
	b.Run("auth+RequireScopes", run(scoped, f.AliceAccess))
}
