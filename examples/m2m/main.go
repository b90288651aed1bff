// Command m2m shows service-to-service calls with OAuth 2.0 client
// credentials: a worker gets access tokens for resource-server scopes from
// the user pool's token endpoint (cached until shortly before they expire)
// and calls an orders API that checks the scopes with the cognitokit
// middleware.
//
//	GET  /orders   scope demo-api/read  (--read-scope)
//	POST /orders   scope demo-api/write (--write-scope)
//
//	go run ./examples/m2m                 # API on 127.0.0.1:8081, worker calls it, keeps serving
//	go run ./examples/m2m --self-check    # exit 0 when every call got the expected answer
//
// With no Cognito configuration in the environment it starts the embedded
// emulator with the demo pool of "cognito local" (its confidential client
// may use client_credentials with demo-api/read and demo-api/write).
// Against real Cognito set COGNITO_USER_POOL_ID, COGNITO_DOMAIN
// (https://PREFIX.auth.REGION.amazoncognito.com), COGNITO_CLIENT_ID and
// COGNITO_CLIENT_SECRET of an app client allowed the client_credentials
// flow, and pass your resource server's scopes with --read-scope and
// --write-scope.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/verifier"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

type options struct {
	readScope, writeScope string
}

var usage = stage.Usage{
	Name:     "m2m",
	Synopsis: "[--addr 127.0.0.1:8081] [--self-check] [--read-scope S] [--write-scope S]",
	About:    "Service-to-service calls with OAuth 2.0 client credentials: a worker gets access tokens for resource-server scopes from the token endpoint and calls an orders API that checks the scopes with the cognitokit middleware.",
	Env:      []stage.EnvVar{stage.EnvPoolID, stage.EnvVar{Name: "COGNITO_DOMAIN", Meaning: "OAuth 2.0 domain, https://PREFIX.auth.REGION.amazoncognito.com (required)"}, stage.EnvVar{Name: "COGNITO_CLIENT_ID", Meaning: "an app client allowed the client_credentials flow"}, stage.EnvSecret, stage.EnvEndpoint},
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("m2m", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8081", "listen address of the orders API (host:port)")
	selfCheck := fs.Bool("self-check", false, "start on a free port, run the worker, exit 0 when every call behaved")
	var o options
	fs.StringVar(&o.readScope, "read-scope", "demo-api/read", "scope GET /orders requires")
	fs.StringVar(&o.writeScope, "write-scope", "demo-api/write", "scope POST /orders requires")
	if code, done := usage.Parse(fs, args, stdout, stderr); done {
		return code
	}
	if *selfCheck {
		*addr = "127.0.0.1:0"
	}
	st, err := stage.New(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "m2m: %v\n", err)
		return 2
	}
	defer st.Close()
	if st.M2MID == "" {
		fmt.Fprintln(stderr, "m2m: client credentials need COGNITO_DOMAIN and COGNITO_CLIENT_SECRET")
		return 2
	}
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: st.PoolID, ClientIDs: []string{st.M2MID}, TokenUse: verifier.TokenUseAccess, Issuer: st.Issuer,
		// Only machine tokens: a user's access token of the same client
		// is refused.
		Policy: verifier.Policy{Check: func(_ context.Context, c *verifier.Claims) error {
			if !c.IsMachine() {
				return errors.New("only machine clients may call this API")
			}
			return nil
		}},
	}}, Leeway: 5 * time.Second})
	if err != nil {
		fmt.Fprintf(stderr, "m2m: %v\n", err)
		return 2
	}
	defer v.Close()
	h, err := ordersAPI(v, o)
	if err != nil {
		fmt.Fprintf(stderr, "m2m: %v\n", err)
		return 2
	}
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "m2m: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(lis)
	defer srv.Close()
	base := "http://" + lis.Addr().String()

	if err := worker(ctx, st, o, base, stdout); err != nil {
		fmt.Fprintf(stderr, "m2m: worker FAILED: %v\n", err)
		return 1
	}
	if *selfCheck {
		fmt.Fprintln(stdout, "self-check OK")
		return 0
	}
	fmt.Fprintf(stdout, "\nOrders API still listening on %s (Ctrl-C to stop). Get a token with:\n", base)
	if st.Emu != nil {
		fmt.Fprintf(stdout, "  cognito token --endpoint %s --client-id %s --scope %s --output token\n  (COGNITO_CLIENT_SECRET=%s)\n",
			st.Emu.URL(), st.M2MID, o.readScope, st.M2MSecret)
	} else {
		fmt.Fprintf(stdout, "  cognito token --scope %s --output token\n", o.readScope)
	}
	<-ctx.Done()
	return 0
}

// ordersAPI requires o.readScope to list orders and o.writeScope to create
// one.
func ordersAPI(v *verifier.Verifier, o options) (http.Handler, error) {
	auth, err := middleware.New(v, middleware.Config{Realm: "orders"})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /orders", middleware.RequireAnyScope(o.readScope)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := middleware.ClaimsFromContext(r.Context())
		if !ok {
			http.Error(w, "no verified claims", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, `{"orders":["o-1","o-2"],"caller":%q}`+"\n", c.ClientID)
	})))
	mux.Handle("POST /orders", middleware.RequireAnyScope(o.writeScope)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintln(w, `{"order":"o-3"}`)
	})))
	return auth(mux), nil
}

// countingTransport counts the requests to the token endpoint.
type countingTransport struct {
	base   http.RoundTripper
	tokens atomic.Int32
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/oauth2/token") {
		t.tokens.Add(1)
	}
	return t.base.RoundTrip(r)
}

// worker is the calling service. It gets a token source per scope set and
// an *http.Client that adds the tokens (golang.org/x/oauth2's Transport
// through oauth2.NewClient would do the same), then makes its calls.
func worker(ctx context.Context, st *stage.Stage, o options, base string, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	counter := &countingTransport{base: http.DefaultTransport}
	c, err := oauth.New(oauth.Config{
		// Client credentials issue no ID token: the caller needs no pool ID.
		Domain: st.Domain, ClientID: st.M2MID, ClientSecret: st.M2MSecret,
		HTTPClient: &http.Client{Transport: counter, Timeout: 10 * time.Second},
	})
	if err != nil {
		return err
	}
	defer c.Close()
	reader, err := c.ClientCredentials(o.readScope)
	if err != nil {
		return err
	}
	writer, err := c.ClientCredentials(o.readScope, o.writeScope)
	if err != nil {
		return err
	}
	call := func(ts *oauth.TokenSource, scopes, method string, want int) error {
		tok, err := ts.TokenContext(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, base+"/orders", nil)
		if err != nil {
			return err
		}
		tok.SetAuthHeader(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		fmt.Fprintf(out, "%-4s /orders with %-30s -> %d %s\n", method, scopes, resp.StatusCode, strings.TrimSpace(string(body)))
		if resp.StatusCode != want {
			if resp.StatusCode == http.StatusForbidden && want != http.StatusForbidden {
				return fmt.Errorf("%s /orders: 403 (%s): is the app client allowed the scope?", method, resp.Header.Get("WWW-Authenticate"))
			}
			return fmt.Errorf("%s /orders: got %d; want %d", method, resp.StatusCode, want)
		}
		return nil
	}
	for range 3 {
		if err := call(reader, o.readScope, http.MethodGet, http.StatusOK); err != nil {
			return err
		}
	}
	if err := call(reader, o.readScope, http.MethodPost, http.StatusForbidden); err != nil {
		return err
	}
	if err := call(writer, o.readScope+" "+o.writeScope, http.MethodPost, http.StatusCreated); err != nil {
		return err
	}
	n := counter.tokens.Load()
	fmt.Fprintf(out, "5 calls, %d requests to the token endpoint (tokens are cached until shortly before expiry)\n", n)
	if n != 2 {
		return fmt.Errorf("got %d token requests; want 2 (one per scope set)", n)
	}
	return nil
}
