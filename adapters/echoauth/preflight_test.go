package echoauth_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/cognitokit/cognitokit/adapters/echoauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
)

// Routes on e.Any and e.Match with OPTIONS run for preflights: an
// unauthenticated preflight must never reach them (issue 11, item 1).
func TestPreflightNeverReachesTheApplication(t *testing.T) {
	f := authtest.Get(t)
	var ran atomic.Int32
	h := func(c echo.Context) error {
		ran.Add(1)
		return c.String(http.StatusOK, "user deleted")
	}
	newSrv := func(cfg echoauth.Config) *httptest.Server {
		cfg.Verifier = f.Verifier
		e := echo.New()
		e.Use(echoauth.WithConfig(cfg))
		e.Any("/admin/delete-user", h)
		e.Match([]string{http.MethodOptions, http.MethodPost}, "/admin/match", h)
		e.Any("/admin/group-only", h, echoauth.RequireAnyGroup("admin"))
		srv := httptest.NewServer(e)
		t.Cleanup(srv.Close)
		return srv
	}
	preflight := func(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		r, _ := http.NewRequest(http.MethodOptions, url, nil)
		r.Header.Set("Access-Control-Request-Method", "POST")
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b)
	}
	paths := []string{"/admin/delete-user", "/admin/match", "/admin/group-only"}

	t.Run("default", func(t *testing.T) {
		ran.Store(0)
		srv := newSrv(echoauth.Config{})
		for _, path := range paths {
			for _, hdr := range []map[string]string{nil, {"Origin": "https://evil.example"}} {
				res, body := preflight(t, srv.URL+path, hdr)
				if ran.Load() != 0 {
					t.Fatalf("OPTIONS %s ran the handler (status %d, body %q)", path, res.StatusCode, body)
				}
				if res.StatusCode != http.StatusNoContent || body != "" {
					t.Errorf("OPTIONS %s: %d %q; want 204 and no body", path, res.StatusCode, body)
				}
				for k := range res.Header {
					if k != "Date" {
						t.Errorf("OPTIONS %s: header %s: %q; want nothing but Date", path, k, res.Header.Get(k))
					}
				}
			}
			// Plain OPTIONS needs a token.
			r, _ := http.NewRequest(http.MethodOptions, srv.URL+path, nil)
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized || ran.Load() != 0 {
				t.Errorf("plain OPTIONS %s: %d; want 401 without running the handler", path, res.StatusCode)
			}
		}
	})

	t.Run("PreflightHandler with Echo's CORS middleware", func(t *testing.T) {
		ran.Store(0)
		cors := echomw.CORSWithConfig(echomw.CORSConfig{AllowOrigins: []string{"https://app.example.com"}})
		srv := newSrv(echoauth.Config{PreflightHandler: cors(func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })})
		for _, path := range paths {
			res, _ := preflight(t, srv.URL+path, map[string]string{"Origin": "https://app.example.com"})
			if ran.Load() != 0 {
				t.Fatalf("OPTIONS %s ran the handler", path)
			}
			if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
				t.Errorf("OPTIONS %s: %d %v; want the CORS middleware's answer", path, res.StatusCode, res.Header)
			}
		}
	})

	t.Run("AuthenticatePreflight", func(t *testing.T) {
		ran.Store(0)
		srv := newSrv(echoauth.Config{AuthenticatePreflight: true})
		for _, path := range paths {
			if res, _ := preflight(t, srv.URL+path, nil); res.StatusCode != http.StatusUnauthorized || ran.Load() != 0 {
				t.Errorf("OPTIONS %s: %d; want 401 without running the handler", path, res.StatusCode)
			}
		}
	})

	t.Run("Optional and ContinueOnIgnoredError", func(t *testing.T) {
		ran.Store(0)
		srv := newSrv(echoauth.Config{Optional: true, ContinueOnIgnoredError: true, ErrorHandler: func(echo.Context, error) error { return nil }})
		for _, path := range paths {
			if res, _ := preflight(t, srv.URL+path, nil); res.StatusCode != http.StatusNoContent || ran.Load() != 0 {
				t.Errorf("OPTIONS %s: %d, handler ran %d times; want 204 and not run", path, res.StatusCode, ran.Load())
			}
		}
	})
}

func TestPreflightConfig(t *testing.T) {
	f := authtest.Get(t)
	_, err := echoauth.Config{Verifier: f.Verifier, AuthenticatePreflight: true,
		PreflightHandler: func(c echo.Context) error { return nil }}.ToMiddleware()
	if !errors.Is(err, echoauth.ErrInvalidConfig) {
		t.Fatalf("AuthenticatePreflight with a PreflightHandler: err = %v; want ErrInvalidConfig", err)
	}
}
