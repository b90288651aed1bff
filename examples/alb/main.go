// Command alb is a service written to run behind an Application Load
// Balancer whose listener rule authenticates users with Cognito
// (authenticate-cognito). It never sees a bearer token: the ALB signs the
// user in and forwards x-amzn-oidc-data (the user's claims, signed by the
// ALB), x-amzn-oidc-accesstoken and x-amzn-oidc-identity. The service
// believes only what the ALB signed (middleware.NewALB), and verifies the
// access token too, for its groups:
//
//	GET /healthz  public (outside the middleware)
//	GET /me       any user the ALB signed in: sub, username, email, groups
//	GET /admin    group admin
//
// With no configuration it starts the embedded emulator with the demo pool
// of "cognito local", and the emulator plays the ALB in front of the
// service (as "cognito local --alb-target" does): open the printed ALB
// address in a browser and sign in as alice or bob.
//
//	go run ./examples/alb
//
// Behind a real ALB, set COGNITO_USER_POOL_ID, ALB_ARN (the load
// balancer's ARN) and ALB_CLIENT_ID (the app client of its authenticate
// action); the service listens on --addr for the ALB's target group.
//
// --self-check signs alice and bob in through the emulated ALB with a plain
// HTTP client (redirects, the managed login form, the session cookie),
// checks what each may see, and that a request sent to the service
// directly with a forged x-amzn-oidc-identity header, or a token signed by
// another key, is refused. It exits 0 when every answer is the expected
// one (CI runs it).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/alb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

var usage = stage.Usage{
	Name:     "alb",
	Synopsis: "[--addr 127.0.0.1:8080] [--alb-addr 127.0.0.1:9230] [--self-check]",
	About:    "A service behind an Application Load Balancer that authenticates users with Cognito: it verifies the ALB's signed x-amzn-oidc-data header (never the bare x-amzn-oidc-identity) and the forwarded access token. On the emulator, the emulator plays the ALB in front of it: open the printed address and sign in as alice or bob.",
	Env: []stage.EnvVar{stage.EnvPoolID, {Name: "ALB_ARN", Meaning: "the load balancer's ARN (the signer of its tokens)"},
		{Name: "ALB_CLIENT_ID", Meaning: "the app client ID of the listener rule's authenticate-cognito action"}},
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("alb", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address of the service (host:port)")
	albAddr := fs.String("alb-addr", "127.0.0.1:9230", "listen address of the emulated ALB (on the emulator)")
	selfCheck := fs.Bool("self-check", false, "sign users in through the emulated ALB, check every route, exit 0 on success")
	if code, done := usage.Parse(fs, args, stdout, stderr); done {
		return code
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "alb: %v\n", err)
		return code
	}
	if *selfCheck {
		*addr, *albAddr = "127.0.0.1:0", "127.0.0.1:0"
	}
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(1, err)
	}
	base := "http://" + lis.Addr().String()
	var (
		cfg       alb.Config
		pool      verifier.Pool
		emu       *cognitotest.ALB
		passwords map[string]string
	)
	if poolID := getenv("COGNITO_USER_POOL_ID"); poolID != "" {
		if *selfCheck {
			return fail(2, errors.New("--self-check runs on the emulator: unset COGNITO_USER_POOL_ID"))
		}
		arn, client := getenv("ALB_ARN"), getenv("ALB_CLIENT_ID")
		if arn == "" || client == "" {
			return fail(2, errors.New("ALB_ARN and ALB_CLIENT_ID are required with COGNITO_USER_POOL_ID"))
		}
		region, _, _ := strings.Cut(poolID, "_")
		cfg = alb.Config{ALBARNs: []string{arn}, ClientIDs: []string{client},
			Issuer: "https://cognito-idp." + region + ".amazonaws.com/" + poolID}
		pool = verifier.Pool{UserPoolID: poolID, ClientIDs: []string{client}, TokenUse: verifier.TokenUseAccess}
	} else {
		st, err := stage.New(getenv)
		if err != nil {
			return fail(2, err)
		}
		defer st.Close()
		passwords = st.Users
		emu, err = st.Emu.StartALB(cognitotest.ALBConfig{Target: base, Pool: st.EmuPool, Addr: *albAddr, Scope: "openid email"})
		if err != nil {
			return fail(1, err)
		}
		cfg = alb.Config{ALBARNs: []string{emu.ARN()}, ClientIDs: []string{emu.ClientID()}, Issuer: emu.Issuer(), KeyURL: emu.KeyURL()}
		pool = verifier.Pool{UserPoolID: st.PoolID, Issuer: st.Issuer, ClientIDs: []string{emu.ClientID()}, TokenUse: verifier.TokenUseAccess}
	}
	access, err := verifier.New(verifier.Config{Pools: []verifier.Pool{pool}, Leeway: 5 * time.Second})
	if err != nil {
		return fail(2, err)
	}
	defer access.Close()
	cfg.AccessTokens = access
	cfg.Leeway = 5 * time.Second
	v, err := alb.New(cfg)
	if err != nil {
		return fail(2, err)
	}
	h, err := newService(v)
	if err != nil {
		return fail(1, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(lis)
	defer srv.Close()

	if *selfCheck {
		if err := check(ctx, emu, passwords, base, stdout); err != nil {
			fmt.Fprintf(stderr, "self-check FAILED: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, "self-check OK")
		return 0
	}
	fmt.Fprintf(stdout, "service listening on %s\n", base)
	if emu != nil {
		fmt.Fprintf(stdout, "\nThe emulator plays the ALB at %s: open %s/me and sign in as alice (group admin, password %s) or bob (password %s).\n",
			emu.URL(), emu.URL(), passwords["alice"], passwords["bob"])
		fmt.Fprintf(stdout, "A request to the service without the ALB is refused:\n  curl -i -H 'x-amzn-oidc-identity: admin' %s/me   # 401\n\nCtrl-C to stop.\n", base)
	}
	<-ctx.Done()
	return 0
}

// newService is the service: the same handlers and requirements as a
// bearer-token API, behind middleware.NewALB.
func newService(v *alb.Verifier) (http.Handler, error) {
	authenticate, err := middleware.NewALB(v, middleware.Config{Realm: "alb-example"})
	if err != nil {
		return nil, err
	}
	api := http.NewServeMux()
	api.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		id, ok := alb.IdentityFromContext(r.Context())
		if !ok {
			http.Error(w, "no identity", http.StatusInternalServerError)
			return
		}
		writeJSON(w, map[string]any{"sub": id.User.Subject, "username": id.User.Username, "email": id.User.Email,
			"groups": id.Access.Groups, "signed_by": "alb"})
	})
	api.Handle("GET /admin", middleware.RequireAnyGroup("admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := middleware.ClaimsFromContext(r.Context())
		writeJSON(w, map[string]any{"admin": c.Username})
	})))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.Handle("/", authenticate(api))
	return mux, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
