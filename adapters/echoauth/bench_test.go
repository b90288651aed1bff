package echoauth_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
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

// BenchmarkOverhead measures what the middleware adds to a request over
// the cached Verify it cannot avoid. It interleaves batches of four Echo
// instances serving the same request, so that all see the same machine
// load: a bare route; a route whose handler also runs a cached Verify of
// the token (the floor of any authentication); the route behind the
// middleware; and the route behind the middleware and RequireAnyScope. It
// reports the medians over batches: adapter-ns/req is the middleware minus
// the bare route minus the cached Verify (the goal is at most 300),
// require-ns/req what RequireAnyScope adds on top, and verify-ns/req the
// cached Verify itself.
func BenchmarkOverhead(b *testing.B) {
	f := authtest.Get(b)
	tok := f.AliceAccess
	h := func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
	bare := echo.New()
	bare.GET("/orders", h)
	verify := echo.New()
	verify.GET("/orders", func(c echo.Context) error {
		if _, err := f.Steady.Verify(c.Request().Context(), tok); err != nil {
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.NoContent(http.StatusNoContent)
	})
	auth := echo.New()
	auth.Use(echoauth.WithConfig(echoauth.Config{Verifier: f.Steady}))
	auth.GET("/orders", h)
	scoped := echo.New()
	scoped.Use(echoauth.WithConfig(echoauth.Config{Verifier: f.Steady}))
	scoped.GET("/orders", h, echoauth.RequireAnyScope("orders/read"))
	variants := []*echo.Echo{bare, verify, auth, scoped}
	r := httptest.NewRequest("GET", "/orders", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	w := &nopWriter{h: http.Header{}}
	for _, e := range variants {
		e.ServeHTTP(w, r)
		if w.code != http.StatusNoContent {
			b.Fatalf("status %d; want 204", w.code)
		}
	}
	const batch = 32
	times := make([][]float64, len(variants))
	b.ReportAllocs()
	for b.Loop() {
		for i, e := range variants {
			t0 := time.Now()
			for range batch {
				e.ServeHTTP(w, r)
			}
			times[i] = append(times[i], float64(time.Since(t0))/batch)
		}
	}
	m := make([]float64, len(times))
	for i := range times {
		slices.Sort(times[i])
		m[i] = times[i][len(times[i])/2]
	}
	b.ReportMetric(m[1]-m[0], "verify-ns/req")
	b.ReportMetric(m[2]-m[1], "adapter-ns/req")
	b.ReportMetric(m[3]-m[2], "require-ns/req")
}
