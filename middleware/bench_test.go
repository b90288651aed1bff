package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware"
)

// nopWriter is a ResponseWriter that keeps only the status, so that the
// benchmark measures the middleware, not a recorder.
type nopWriter struct {
	h    http.Header
	code int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(code int)        { w.code = code }

// BenchmarkMiddleware compares, in one run, the bare handler with the
// same handler behind the middleware for a token already in the
// verifier's cache: the difference is the middleware's added cost per
// request (goal: at most 2 µs).
func BenchmarkMiddleware(b *testing.B) {
	f := authtest.Get(b)
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mw, err := middleware.New(f.Steady, middleware.Config{})
	if err != nil {
		b.Fatal(err)
	}
	run := func(h http.Handler, tok string) func(b *testing.B) {
		return func(b *testing.B) {
			r := httptest.NewRequest("GET", "/orders", nil)
			if tok != "" {
				r.Header.Set("Authorization", "Bearer "+tok)
			}
			w := &nopWriter{h: http.Header{}}
			h.ServeHTTP(w, r) // warm the verifier's cache
			if w.code != http.StatusNoContent {
				b.Fatalf("status %d; want 204", w.code)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		}
	}
	b.Run("bare", run(bare, ""))
	b.Run("auth", run(mw(bare), f.AliceAccess))
	b.Run("auth+RequireAnyScope", run(mw(middleware.RequireAnyScope("orders/read")(bare)), f.AliceAccess))
}

// BenchmarkOverhead measures what the middleware adds to a request over
// the cached Verify it cannot avoid. It interleaves batches of four
// variants on the same request, so that all see the same machine load: the
// bare handler; the bare handler plus a cached Verify of the token (the
// floor of any authentication); the handler behind the middleware; and
// the handler behind the middleware and RequireAnyScope. It reports the
// medians over batches: adapter-ns/req is the middleware minus the bare
// handler minus the cached Verify (the goal is at most 300),
// require-ns/req what RequireAnyScope adds on top, and verify-ns/req the
// cached Verify itself.
func BenchmarkOverhead(b *testing.B) {
	f := authtest.Get(b)
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mw, err := middleware.New(f.Steady, middleware.Config{})
	if err != nil {
		b.Fatal(err)
	}
	tok := f.AliceAccess
	verify := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := f.Steady.Verify(r.Context(), tok); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	variants := []http.Handler{bare, verify, mw(bare), mw(middleware.RequireAnyScope("orders/read")(bare))}
	r := httptest.NewRequest("GET", "/orders", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	w := &nopWriter{h: http.Header{}}
	for _, h := range variants {
		h.ServeHTTP(w, r)
		if w.code != http.StatusNoContent {
			b.Fatalf("status %d; want 204", w.code)
		}
	}
	const batch = 32
	times := make([][]float64, len(variants))
	b.ReportAllocs()
	for b.Loop() {
		for i, h := range variants {
			t0 := time.Now()
			for range batch {
				h.ServeHTTP(w, r)
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
