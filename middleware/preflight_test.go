package middleware_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware"
)

// preflightRequest sends what any script can send: OPTIONS with
// Access-Control-Request-Method (no Origin is needed) and no credentials.
func preflightRequest(t *testing.T, url string, extra map[string]string) *http.Response {
	t.Helper()
	r, err := http.NewRequest(http.MethodOptions, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Access-Control-Request-Method", "DELETE")
	for k, v := range extra {
		r.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A route registered without a method runs for every method, OPTIONS
// included: an unauthenticated preflight must never reach it (issue 11,
// item 1).
func TestPreflightNeverReachesTheApplication(t *testing.T) {
	f := authtest.Get(t)
	var ran atomic.Int32
	h := func(w http.ResponseWriter, r *http.Request) {
		ran.Add(1)
		io.WriteString(w, "user deleted")
	}
	newSrv := func(cfg middleware.Config) *httptest.Server {
		mux := http.NewServeMux()
		mux.HandleFunc("/admin/delete-user", h)
		mux.Handle("/admin/group-only", middleware.RequireAnyGroup("admin")(http.HandlerFunc(h)))
		srv := httptest.NewServer(mustNew(t, f.Verifier, cfg)(mux))
		t.Cleanup(srv.Close)
		return srv
	}

	t.Run("default", func(t *testing.T) {
		ran.Store(0)
		srv := newSrv(middleware.Config{})
		for _, path := range []string{"/admin/delete-user", "/admin/group-only"} {
			for _, hdr := range []map[string]string{nil, {"Origin": "https://evil.example"}, {"Origin": "null", "Access-Control-Request-Headers": "authorization"}} {
				res := preflightRequest(t, srv.URL+path, hdr)
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if ran.Load() != 0 {
					t.Fatalf("OPTIONS %s %v ran the handler (status %d, body %q)", path, hdr, res.StatusCode, body)
				}
				if res.StatusCode != http.StatusNoContent || len(body) != 0 {
					t.Errorf("OPTIONS %s: %d %q; want 204 and no body", path, res.StatusCode, body)
				}
				for k := range res.Header {
					if k != "Date" {
						t.Errorf("OPTIONS %s: header %s: %q; want nothing but Date", path, k, res.Header.Get(k))
					}
				}
			}
		}
		// A token on a preflight changes nothing: browsers never send one.
		res := preflightRequest(t, srv.URL+"/admin/delete-user", map[string]string{"Authorization": "Bearer " + f.AliceAccess})
		res.Body.Close()
		if ran.Load() != 0 || res.StatusCode != http.StatusNoContent {
			t.Errorf("preflight with a token: %d, handler ran %d times; want 204 and not run", res.StatusCode, ran.Load())
		}
		// Plain OPTIONS (no Access-Control-Request-Method) is an ordinary
		// request: it needs a token.
		r, _ := http.NewRequest(http.MethodOptions, srv.URL+"/admin/delete-user", nil)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || ran.Load() != 0 {
			t.Errorf("plain OPTIONS: %d; want 401 without running the handler", res.StatusCode)
		}
	})

	t.Run("PreflightHandler", func(t *testing.T) {
		ran.Store(0)
		var cors atomic.Int32
		srv := newSrv(middleware.Config{PreflightHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cors.Add(1)
			w.Header().Set("Access-Control-Allow-Origin", "https://app.example.com")
			w.Header().Set("Access-Control-Allow-Methods", "GET, DELETE")
			w.WriteHeader(http.StatusNoContent)
		})})
		res := preflightRequest(t, srv.URL+"/admin/delete-user", map[string]string{"Origin": "https://app.example.com"})
		res.Body.Close()
		if ran.Load() != 0 || cors.Load() != 1 {
			t.Fatalf("handler ran %d times, CORS handler %d; want 0 and 1", ran.Load(), cors.Load())
		}
		if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
			t.Errorf("preflight: %d %v; want the CORS handler's answer", res.StatusCode, res.Header)
		}
		// The request the preflight announced still needs a token.
		r, _ := http.NewRequest(http.MethodDelete, srv.URL+"/admin/delete-user", nil)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || ran.Load() != 0 {
			t.Errorf("DELETE without a token: %d; want 401", res.StatusCode)
		}
	})

	t.Run("AuthenticatePreflight", func(t *testing.T) {
		ran.Store(0)
		srv := newSrv(middleware.Config{AuthenticatePreflight: true})
		res := preflightRequest(t, srv.URL+"/admin/delete-user", nil)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || ran.Load() != 0 {
			t.Errorf("preflight: %d; want 401 without running the handler", res.StatusCode)
		}
	})

	t.Run("Optional", func(t *testing.T) {
		ran.Store(0)
		// Optional lets anonymous requests through, but a preflight is
		// still answered by the middleware.
		srv := newSrv(middleware.Config{Optional: true})
		res := preflightRequest(t, srv.URL+"/admin/delete-user", nil)
		res.Body.Close()
		if res.StatusCode != http.StatusNoContent || ran.Load() != 0 {
			t.Errorf("preflight with Optional: %d, handler ran %d times; want 204 and not run", res.StatusCode, ran.Load())
		}
	})
}

func TestPreflightConfig(t *testing.T) {
	f := authtest.Get(t)
	_, err := middleware.New(f.Verifier, middleware.Config{AuthenticatePreflight: true, PreflightHandler: http.NotFoundHandler()})
	if !errors.Is(err, middleware.ErrInvalidConfig) {
		t.Fatalf("AuthenticatePreflight with a PreflightHandler: err = %v; want ErrInvalidConfig", err)
	}
}
