// Command quickstart shows cognitokit protecting an API end to end, with
// no AWS account: it starts the embedded Cognito emulator (cognitotest) and
// a net/http API behind the cognitokit middleware, then plays a short scene
// and prints each step:
//
//  1. a call without a token is answered 401;
//  2. bob signs in over SRP and gets tokens;
//  3. his access token opens GET /me (200, with his claims);
//  4. GET /admin answers him 403 insufficient_scope (he is not in group admin);
//  5. alice, an admin, signs in and GET /admin answers 200;
//  6. bob's refresh token yields a new access token;
//  7. bob's refresh token is revoked and no longer works;
//  8. a service signs in with client credentials (M2M) and calls GET /reports,
//     which needs the scope demo-api/read: 200.
//
// It exits 0 when every step behaved as expected, 1 otherwise, so CI runs it
// as a test:
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart --addr 127.0.0.1:8080   # fixed API address
//	go run ./examples/quickstart --serve                 # keep serving after the scene
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cognitokit/cognitokit/examples/internal/stage"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(runMain(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// runMain parses the flags, plays the scene and returns the exit code.
var usage = stage.Usage{
	Name:     "quickstart",
	Synopsis: "[--addr 127.0.0.1:0] [--serve] [--timeout 1m]",
	About: "Plays the cognitokit demo scene against the embedded Cognito emulator: a 401 without a token, " +
		"sign-ins over SRP, 200 and 403 by group, a refresh, a revocation and a machine-to-machine call. " +
		"It exits 0 when every step behaved, 1 otherwise.",
}

func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address of the protected API (port 0 picks a free port)")
	serve := fs.Bool("serve", false, "keep the emulator and the API running after the scene, until interrupted")
	timeout := fs.Duration("timeout", time.Minute, "give up on the scene after this long")
	if code, done := usage.Parse(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "quickstart: unexpected argument %q (see --help)\n", fs.Arg(0))
		return 2
	}

	d, err := startDemo(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "quickstart: %v\n", err)
		return 1
	}
	defer d.Close()

	sceneCtx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if err := d.play(sceneCtx, stdout); err != nil {
		fmt.Fprintf(stderr, "quickstart: %v\n", err)
		return 1
	}
	if *serve {
		fmt.Fprintf(stdout, "\nStill serving (Ctrl-C to stop):\n  API       %s\n  emulator  %s (pool %s)\n", d.apiURL, d.srv.URL(), d.pool.ID())
		alice := d.pool.MustMintTokens(d.public.ID, "alice").AccessToken
		m2m := d.pool.MustMintM2MToken(d.m2m.ID, []string{"demo-api/read"})
		fmt.Fprintf(stdout, "\nTokens valid for one hour:\n  ALICE=%s\n  M2M=%s\n\n", alice, m2m)
		fmt.Fprintf(stdout, "  curl -H \"Authorization: Bearer $ALICE\" %s/admin\n  curl -H \"Authorization: Bearer $M2M\" %s/reports\n", d.apiURL, d.apiURL)
		<-ctx.Done()
	}
	return 0
}
