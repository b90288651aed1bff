// Command nethttp is a JSON API on the standard library's ServeMux,
// protected by the cognitokit middleware with per-route groups and scopes:
//
//	GET  /healthz       public (outside the middleware)
//	GET  /me            any valid access token of the pool
//	GET  /admin/users   group admin
//	GET  /orders        scope demo-api/read, or group admin
//	POST /orders        scope demo-api/write
//
// With no Cognito configuration in the environment it starts the embedded
// emulator (cognitotest) with the demo pool of "cognito local", and prints
// ready-to-paste curl commands with tokens for alice (admin), bob and a
// machine client:
//
//	go run ./examples/nethttp
//	go run ./examples/nethttp --addr 127.0.0.1:9000
//
// Against real Cognito (or "cognito local", cognito-local, LocalStack), set:
//
//	COGNITO_USER_POOL_ID  eu-west-1_AbC123
//	COGNITO_CLIENT_ID     the accepted app client IDs, comma-separated
//	COGNITO_ENDPOINT      only for emulators: their base URL (the issuer is
//	                      {endpoint}/{pool ID})
//
// --self-check starts the API on a free port, calls every route with and
// without the right tokens, and exits 0 when every answer is the expected
// one (CI runs it). On the emulator it signs the demo users in over SRP and
// gets an M2M token; against real Cognito it needs COGNITO_USERNAME and
// COGNITO_PASSWORD (and COGNITO_CLIENT_SECRET for a confidential client) and
// checks what that user may do.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/examples/internal/apicheck"
	"github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/verifier"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

var usage = stage.Usage{
	Name:     "nethttp",
	Synopsis: "[--addr 127.0.0.1:8080] [--self-check]",
	About:    "A JSON API on the standard library's ServeMux, protected by the cognitokit middleware: /me for any valid access token, /admin/users for group admin, /orders for scope demo-api/read or group admin, POST /orders for scope demo-api/write. On the emulator it prints curl commands with tokens for alice, bob and a machine client.",
	Env:      []stage.EnvVar{stage.EnvPoolID, stage.EnvClientIDs, stage.EnvSecret, stage.EnvEndpoint, stage.EnvUsername, stage.EnvPassword},
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("nethttp", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port)")
	selfCheck := fs.Bool("self-check", false, "start on a free port, exercise every route, exit 0 on success")
	if code, done := usage.Parse(fs, args, stdout, stderr); done {
		return code
	}
	if *selfCheck {
		*addr = "127.0.0.1:0"
	}
	st, err := stage.New(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "nethttp: %v\n", err)
		return 2
	}
	defer st.Close()
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: st.PoolID,
		ClientIDs:  st.ClientIDs,
		TokenUse:   verifier.TokenUseAccess,
		Issuer:     st.Issuer, // empty for real Cognito: derived from the pool ID
	}}, Leeway: 5 * time.Second})
	if err != nil {
		fmt.Fprintf(stderr, "nethttp: %v\n", err)
		return 2
	}
	defer v.Close()
	h, err := newAPI(v)
	if err != nil {
		fmt.Fprintf(stderr, "nethttp: %v\n", err)
		return 1
	}
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "nethttp: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(lis)
	defer srv.Close()
	base := "http://" + lis.Addr().String()

	if *selfCheck {
		if err := apicheck.Run(ctx, st, base, stdout); err != nil {
			fmt.Fprintf(stderr, "self-check FAILED: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, st.OKLine(false))
		return 0
	}
	// Warm the key cache, so that a broken configuration shows now.
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := v.Warm(wctx); err != nil {
		fmt.Fprintf(stderr, "nethttp: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "API listening on %s (user pool %s)\n", base, st.PoolID)
	if st.Emu != nil {
		printDemo(stdout, st, base)
	}
	<-ctx.Done()
	return 0
}

// printDemo prints curl commands with freshly minted demo tokens.
func printDemo(w io.Writer, st *stage.Stage, base string) {
	pool := st.EmuPool
	alice := pool.MustMintTokens(cognitotest.DemoPublicClientID, "alice").AccessToken
	bob := pool.MustMintTokens(cognitotest.DemoPublicClientID, "bob").AccessToken
	m2m := pool.MustMintM2MToken(cognitotest.DemoConfidentialClientID, []string{"demo-api/read", "demo-api/write"})
	fmt.Fprintf(w, "\nEmbedded Cognito emulator at %s; tokens valid for one hour:\n\n", st.Emu.URL())
	fmt.Fprintf(w, "  ALICE=%s\n  BOB=%s\n  M2M=%s\n\n", alice, bob, m2m)
	for _, l := range []string{
		"curl -i " + base + "/me                                   # 401",
		`curl -H "Authorization: Bearer $BOB" ` + base + "/me        # 200",
		`curl -H "Authorization: Bearer $BOB" ` + base + "/admin/users # 403 insufficient_scope",
		`curl -H "Authorization: Bearer $ALICE" ` + base + "/admin/users",
		`curl -X POST -H "Authorization: Bearer $M2M" ` + base + "/orders",
	} {
		fmt.Fprintln(w, "  "+l)
	}
	fmt.Fprintln(w, "\nCtrl-C to stop.")
}
