package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/verifier"
)

// newAPI wires the routes: /healthz outside the middleware, everything else
// behind it, with per-route requirements.
func newAPI(v *verifier.Verifier) (http.Handler, error) {
	authenticate, err := middleware.New(v, middleware.Config{Realm: "nethttp-example"})
	if err != nil {
		return nil, err
	}
	api := http.NewServeMux()
	api.HandleFunc("GET /me", me)
	api.Handle("GET /admin/users", middleware.RequireAnyGroup("admin")(http.HandlerFunc(listUsers)))
	// Either a machine client with demo-api/read or an administrator.
	api.Handle("GET /orders", middleware.RequireFunc(func(_ context.Context, c *verifier.Claims) error {
		if c.HasScope("demo-api/read") || c.HasGroup("admin") {
			return nil
		}
		return errors.New("needs scope demo-api/read or group admin")
	})(http.HandlerFunc(listOrders)))
	api.Handle("POST /orders", middleware.RequireAnyScope("demo-api/write")(http.HandlerFunc(createOrder)))

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	root.Handle("/", authenticate(api))
	return root, nil
}

func me(w http.ResponseWriter, r *http.Request) {
	c, ok := middleware.ClaimsFromContext(r.Context())
	if !ok { // only when a route is wired outside the middleware
		http.Error(w, "no verified claims", http.StatusInternalServerError)
		return
	}
	writeJSON(w, 200, map[string]any{"sub": c.Subject, "username": c.Username, "groups": c.Groups, "scopes": c.Scopes, "machine": c.IsMachine()})
}

func listUsers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"users": []string{"alice", "bob"}})
}

func listOrders(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"orders": []string{"o-1", "o-2"}})
}

func createOrder(w http.ResponseWriter, r *http.Request) {
	c, ok := middleware.ClaimsFromContext(r.Context())
	if !ok {
		http.Error(w, "no verified claims", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"order": "o-3", "created_by": c.ClientID})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
