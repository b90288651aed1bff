package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/verifier"
)

// acceptOne accepts exactly the token "good" and rejects everything else
// as malformed, so the fuzzer explores the middleware, not cryptography.
type acceptOne struct{}

func (acceptOne) Verify(_ context.Context, tok string) (*verifier.Claims, error) {
	if tok == "good" {
		return &verifier.Claims{Subject: "s", TokenUse: verifier.TokenUseAccess, Groups: []string{"admin"}}, nil
	}
	return nil, verifier.ErrMalformed
}

// FuzzMiddleware sends arbitrary Authorization, Cookie and query values,
// and OPTIONS requests with an arbitrary Access-Control-Request-Method,
// through the middleware: it must never panic, must answer only 200, 400
// or 401 (204 for a preflight), must let the request through only with
// exactly the good token and never for a preflight, and must never echo
// the input in the challenge.
func FuzzMiddleware(f *testing.F) {
	f.Add("Bearer good", "", "", "", "")
	f.Add("bearer good", "Bearer good", "good", "t=good", "")
	f.Add("Bearer good extra", "", "tok=bad", "", "")
	f.Add("Basic Z29vZA==", "", "", "t=good&t=good", "")
	f.Add("Bearer", "", "", "", "")
	f.Add("Bearer good", "", "", "", "DELETE")
	f.Add("", "", "", "", "POST")
	mw, err := middleware.New(acceptOne{}, middleware.Config{Cookie: "tok", QueryParam: "t"})
	if err != nil {
		f.Fatal(err)
	}
	ran := false
	h := mw(middleware.RequireAnyGroup("admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran = true
		if c, ok := middleware.ClaimsFromContext(r.Context()); !ok || c.Subject != "s" {
			panic("handler without the claims")
		}
	})))
	f.Fuzz(func(t *testing.T, auth1, auth2, cookie, query, preflight string) {
		r := httptest.NewRequest("GET", "/", nil)
		if preflight != "" {
			r.Method = http.MethodOptions
			r.Header.Set("Access-Control-Request-Method", preflight)
		}
		r.URL.RawQuery = query
		for _, a := range []string{auth1, auth2} {
			if a != "" {
				r.Header.Add("Authorization", a)
			}
		}
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		ran = false
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch w.Code {
		case 204:
			if preflight == "" || ran || w.Body.Len() != 0 || len(w.Header()) != 0 {
				t.Fatalf("204 (preflight %q, handler ran %v, %d body bytes, headers %v)", preflight, ran, w.Body.Len(), w.Header())
			}
		case 200:
			if preflight != "" {
				t.Fatal("a preflight ran the handler")
			}
			if !ran {
				t.Fatal("200 without running the handler")
			}
		case 400, 401:
			if ran {
				t.Fatalf("handler ran for a %d", w.Code)
			}
		default:
			t.Fatalf("status %d", w.Code)
		}
		ch := w.Header().Get("WWW-Authenticate")
		for _, in := range []string{auth1, auth2, cookie, query} {
			if len(in) > 12 && strings.Contains(ch, in) {
				t.Fatalf("challenge %q echoes input %q", ch, in)
			}
		}
	})
}
