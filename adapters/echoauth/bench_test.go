package echoauth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

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
	scoped.GET("/orders", h, echoauth.RequireAnyScope("orders/read"))
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
	b.Run("auth+RequireAnyScope", run(scoped, f.AliceAccess))
}

// BenchmarkOverhead interleaves batches of requests to a bare Echo and to
// one behind the middleware and RequireAnyScope, and reports the added cost
// per request as added-ns/req.
func BenchmarkOverhead(b *testing.B) {
	f := authtest.Get(b)
	h := func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
	bare := echo.New()
	bare.GET("/orders", h)
	auth := echo.New()
	auth.Use(echoauth.WithConfig(echoauth.Config{Verifier: f.Steady}))
	auth.GET("/orders", h, echoauth.RequireAnyScope("orders/read"))
	r := httptest.NewRequest("GET", "/orders", nil)
	r.Header.Set("Authorization", "Bearer "+f.AliceAccess)
	w := &nopWriter{h: http.Header{}}
	auth.ServeHTTP(w, r)
	if w.code != http.StatusNoContent {
		b.Fatalf("status %d; want 204", w.code)
	}
	b.ReportAllocs()
	var bareNS, authNS, n int64
	for b.Loop() {
		const batch = 32
		t0 := time.Now()
		for range batch {
			bare.ServeHTTP(w, r)
		}
		t1 := time.Now()
		for range batch {
			auth.ServeHTTP(w, r)
		}
		t2 := time.Now()
		bareNS += int64(t1.Sub(t0))
		authNS += int64(t2.Sub(t1))
		n += batch
	}
	b.ReportMetric(float64(authNS-bareNS)/float64(n), "added-ns/req")
}
