package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/verifier"
)

// newAPI is the protected API of the scene: every route needs a valid
// access token of the pool; /admin also needs group admin and /reports the
// scope demo-api/read (held by machine clients).
func newAPI(v *verifier.Verifier) (http.Handler, error) {
	authenticate, err := middleware.New(v, middleware.Config{Realm: "quickstart"})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /me", me)
	mux.Handle("GET /admin", middleware.RequireAnyGroup("admin")(http.HandlerFunc(admin)))
	mux.Handle("GET /reports", middleware.RequireAnyScope("demo-api/read")(http.HandlerFunc(reports)))
	return authenticate(mux), nil
}

// me answers the caller's verified claims.
func me(w http.ResponseWriter, r *http.Request) {
	c, ok := middleware.ClaimsFromContext(r.Context())
	if !ok { // only when a route is wired outside the middleware
		http.Error(w, "no verified claims", http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]any{
		"sub":        c.Subject,
		"username":   c.Username,
		"groups":     orEmpty(c.Groups),
		"scopes":     orEmpty(c.Scopes),
		"client_id":  c.ClientID,
		"expires_at": c.ExpiresAt.UTC().Format(time.RFC3339),
	})
}

func admin(w http.ResponseWriter, r *http.Request) {
	c, ok := middleware.ClaimsFromContext(r.Context())
	if !ok {
		http.Error(w, "no verified claims", http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]any{"message": "welcome to the admin area, " + c.Username})
}

func reports(w http.ResponseWriter, r *http.Request) {
	c, ok := middleware.ClaimsFromContext(r.Context())
	if !ok {
		http.Error(w, "no verified claims", http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]any{"report": "42 orders today", "client": c.ClientID, "machine": c.IsMachine()})
}

// orEmpty makes a nil list encode as [] rather than null.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// demo is the running stage of the scene: the emulator, the verifier and the
// API server.
type demo struct {
	srv       *cognitotest.Server
	pool      *cognitotest.Pool
	seed      *cognitotest.Seed
	public    cognitotest.AppClient // users sign in through it
	m2m       cognitotest.AppClient // the confidential client: client credentials
	v         *verifier.Verifier
	api       *http.Server
	apiURL    string
	apiClosed chan struct{}
}

// startDemo starts the emulator with the demo pool of "cognito local" (users
// alice in group admin and bob without groups, a public and a confidential
// app client, the resource server demo-api) and the API on addr.
func startDemo(addr string) (_ *demo, err error) {
	d := &demo{}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if d.srv, err = cognitotest.Start(nil); err != nil {
		return nil, fmt.Errorf("starting the emulator: %w", err)
	}
	d.seed = d.srv.DemoSeed()
	pools, err := d.srv.ApplySeed(d.seed)
	if err != nil {
		return nil, fmt.Errorf("creating the demo pool: %w", err)
	}
	d.pool = pools[0]
	if d.public, err = d.pool.Client(cognitotest.DemoPublicClientID); err != nil {
		return nil, err
	}
	if d.m2m, err = d.pool.Client(cognitotest.DemoConfidentialClientID); err != nil {
		return nil, err
	}

	// The verifier trusts the pool's access tokens from both app clients.
	// Against real Cognito, Issuer is left empty: it follows from the pool ID.
	d.v, err = verifier.New(verifier.Config{
		Pools: []verifier.Pool{{
			UserPoolID: d.pool.ID(),
			ClientIDs:  []string{d.public.ID, d.m2m.ID},
			TokenUse:   verifier.TokenUseAccess,
			Issuer:     d.pool.Issuer(),
		}},
		Leeway: 5 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	h, err := newAPI(d.v)
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("API: %w", err)
	}
	d.api = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	d.apiURL = "http://" + lis.Addr().String()
	d.apiClosed = make(chan struct{})
	go func() {
		defer close(d.apiClosed)
		if err := d.api.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("quickstart: API server:", err)
		}
	}()
	return d, nil
}

// Close stops the API, the verifier and the emulator.
func (d *demo) Close() {
	if d.api != nil {
		d.api.Close()
		<-d.apiClosed
	}
	if d.v != nil {
		d.v.Close()
	}
	if d.srv != nil {
		d.srv.Close()
	}
}

// password returns the demo password of a seed user.
func (d *demo) password(username string) string {
	for _, u := range d.seed.Pools[0].Users {
		if u.Username == username {
			return u.Password
		}
	}
	return ""
}
