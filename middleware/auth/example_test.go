package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// tableVerifier is a custom auth.TokenVerifier: it accepts the tokens of
// a table, a stand-in for tokens checked by other means. It builds its
// claims with verifier.ParseUnverifiedClaims from the payload it trusts,
// so handlers read them like the claims of a verifier.Verifier.
type tableVerifier map[string]string // token → payload

func (t tableVerifier) Verify(_ context.Context, token string) (*verifier.Claims, error) {
	payload, ok := t[token]
	if !ok {
		return nil, fmt.Errorf("%w: not a token of the table", verifier.ErrMalformed)
	}
	return verifier.ParseUnverifiedClaims([]byte(payload))
}

var tokens = tableVerifier{
	"alice-token": `{"sub":"1","token_use":"access","username":"alice","cognito:groups":["admin"],"custom:tenant":"acme"}`,
	"bob-token":   `{"sub":"2","token_use":"access","username":"bob"}`,
}

// serve sends a GET with an optional bearer token to h and prints the
// answer.
func serve(h http.Handler, token string) {
	r := httptest.NewRequest("GET", "/admin", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Printf("%d %s", w.Code, w.Body)
}

// An ErrorHandler that answers each kind of rejection its own way.
func ExampleRejection() {
	authenticate, err := middleware.New(tokens, middleware.Config{
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, rej *auth.Rejection) {
			switch rej.Kind {
			case auth.KindForbidden:
				http.Error(w, "Ask an admin for access.", rej.Status)
			case auth.KindMissing:
				w.Header().Set("WWW-Authenticate", rej.Challenge)
				http.Error(w, "Sign in first.", rej.Status)
			default:
				middleware.WriteError(w, rej) // the RFC 6750 answer
			}
		},
	})
	if err != nil {
		panic(err)
	}
	admin := middleware.RequireAnyGroup("admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := middleware.ClaimsFromContext(r.Context())
		if !ok {
			http.Error(w, "no claims", http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "hello", c.Username)
	}))
	h := authenticate(admin)
	serve(h, "alice-token")
	serve(h, "bob-token")
	serve(h, "")
	serve(h, "forged")
	// Output:
	// 200 hello alice
	// 403 Ask an admin for access.
	// 401 Sign in first.
	// 401 {"error":"invalid_token","error_description":"The token is malformed."}
}

// A custom TokenVerifier in place of a verifier.Verifier: its claims work
// with ClaimsFromContext, ClaimsAs, Get and String.
func ExampleTokenVerifier() {
	authenticate, err := middleware.New(tokens, middleware.Config{})
	if err != nil {
		panic(err)
	}
	h := authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		type profile struct {
			Tenant string `json:"custom:tenant"`
		}
		p, err := middleware.ClaimsAs[profile](r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		c, _ := middleware.ClaimsFromContext(r.Context())
		fmt.Fprintln(w, c.Username, "of", p.Tenant, c.HasGroup("admin"))
	}))
	serve(h, "alice-token")
	// Output:
	// 200 alice of acme true
}
