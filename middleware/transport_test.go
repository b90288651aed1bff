package middleware_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware"
)

// newServer builds the net/http side of the shared table: one route per
// authtest.Route, each behind the middleware and its route policy.
func newServer(t testing.TB, f *authtest.Fixture) *httptest.Server {
	t.Helper()
	mw, err := middleware.New(f.Verifier, middleware.Config{
		Realm:   authtest.Realm,
		Skipper: func(r *http.Request) bool { return r.URL.Path == "/public" },
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for _, route := range authtest.Routes {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f.Hits.Add(1)
			c, ok := middleware.ClaimsFromContext(r.Context())
			if route == authtest.RouteStream {
				fl := w.(http.Flusher)
				for i := range 3 {
					fmt.Fprintf(w, "chunk %d for %s\n", i, c.Subject)
					fl.Flush()
				}
				return
			}
			if ok {
				fmt.Fprintf(w, "hello %s", c.Subject)
			} else {
				fmt.Fprint(w, "hello anonymous")
			}
		})
		if route == authtest.RoutePublic {
			mux.Handle("/"+string(route), h)
			continue
		}
		mux.Handle("/"+string(route), middleware.Require(authtest.Policy(t, route))(h))
	}
	srv := httptest.NewServer(mw(mux))
	t.Cleanup(srv.Close)
	return srv
}

func TestSharedTable(t *testing.T) {
	f := authtest.Get(t)
	srv := newServer(t, f)
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
