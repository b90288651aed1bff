package middleware_test

import (
	"net/http"
	"net/http/httptest"
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

// BenchmarkOverhead interleaves batches of bare and protected requests in
// one loop, so that both see the same machine load, and reports the added
// cost per request as added-ns/req (the goal: at most 2000).
func BenchmarkOverhead(b *testing.B) {
	f := authtest.Get(b)
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mw, err := middleware.New(f.Steady, middleware.Config{})
	if err != nil {
		b.Fatal(err)
	}
	protected := mw(middleware.RequireAnyScope("orders/read")(bare))
	r := httptest.NewRequest("GET", "/orders", nil)
	r.Header.Set("Authorization", "Bearer "+f.AliceAccess)
	w := &nopWriter{h: http.Header{}}
	protected.ServeHTTP(w, r)
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
			protected.ServeHTTP(w, r)
		}
		t2 := time.Now()
		bareNS += int64(t1.Sub(t0))
		authNS += int64(t2.Sub(t1))
		n += batch
	}
	b.ReportMetric(float64(authNS-bareNS)/float64(n), "added-ns/req")
}
