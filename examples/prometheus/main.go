// Command prometheus is an API protected by the cognitokit middleware whose
// metrics go through OpenTelemetry (package otelcognito) to the
// OpenTelemetry Prometheus exporter, served at /metrics:
//
//	GET /me       any valid access token of the pool
//	GET /metrics  Prometheus text format
//
// It lives in a module of its own, so that the Prometheus client stays out
// of cognitokit's dependencies: run it from this directory.
//
//	cd examples/prometheus && go run .
//
// With no Cognito configuration in the environment it starts the embedded
// emulator with the demo pool of "cognito local", prints a token and curl
// commands, and the queries a dashboard would graph. Against real Cognito
// set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID (and COGNITO_ENDPOINT for
// an emulator).
//
// --self-check starts on a free port, sends accepted, rejected and revoked
// tokens, scrapes /metrics and exits 0 when every expected series is there
// (CI runs it). It needs the embedded emulator.
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
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/cognitokit/cognitokit/adapters/otelcognito"
	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

var usage = stage.Usage{
	Name:     "prometheus",
	Synopsis: "[--addr 127.0.0.1:8080] [--self-check]",
	About:    "An API protected by the cognitokit middleware, with its metrics exported through OpenTelemetry's Prometheus exporter at /metrics.",
	Env:      []stage.EnvVar{stage.EnvPoolID, stage.EnvClientIDs, stage.EnvEndpoint},
}

// app is the API with its telemetry.
type app struct {
	handler http.Handler
	list    *revocation.List
	v       *verifier.Verifier
	mp      *sdkmetric.MeterProvider
}

func newApp(st *stage.Stage) (*app, error) {
	// The application's OpenTelemetry setup: an SDK meter provider whose
	// reader is the Prometheus exporter, registered in its own registry.
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	tel, err := otelcognito.New(otelcognito.Config{MeterProvider: mp})
	if err != nil {
		return nil, err
	}
	list, err := revocation.New(revocation.Config{Observer: tel.RevocationObserver()})
	if err != nil {
		return nil, err
	}
	tel.ObserveRevocationList(list)
	v, err := verifier.New(verifier.Config{
		Pools:    []verifier.Pool{{UserPoolID: st.PoolID, ClientIDs: st.ClientIDs, TokenUse: verifier.TokenUseAccess, Issuer: st.Issuer}},
		Leeway:   5 * time.Second,
		Observer: tel.VerifierObserver(), Revocation: list,
	})
	if err != nil {
		list.Close()
		return nil, err
	}
	mw, err := middleware.New(v, middleware.Config{OnDecision: tel.MiddlewareDecision})
	if err != nil {
		v.Close()
		list.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("GET /me", mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := middleware.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s\n", c.Username)
	})))
	return &app{handler: mux, list: list, v: v, mp: mp}, nil
}

func (a *app) close() {
	a.v.Close()
	a.list.Close()
	a.mp.Shutdown(context.Background())
}

// dashboard is what a dashboard would graph, as PromQL.
var dashboard = []string{
	`sum by (outcome, reason) (rate(cognitokit_verifier_verifications_total[5m]))       # verifications by outcome and reason`,
	`sum(rate(cognitokit_verifier_cache_lookups_total{hit="true"}[5m])) / sum(rate(cognitokit_verifier_cache_lookups_total[5m]))  # cache hit ratio`,
	`histogram_quantile(0.99, sum by (le) (rate(cognitokit_verifier_jwks_fetch_duration_seconds_bucket[1h])))  # JWKS fetch latency`,
	`max(cognitokit_verifier_jwks_age_seconds)                                           # key-set age (alert above MaxStaleness)`,
	`sum by (decision, http_response_status_code) (rate(cognitokit_middleware_decisions_total[5m]))  # 401/403/503 rates`,
	`cognitokit_revocation_entries                                                        # revocation-list size`,
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prometheus", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port)")
	selfCheck := fs.Bool("self-check", false, "start on a free port, send tokens, scrape /metrics, exit 0 when the expected series are there")
	if code, done := usage.Parse(fs, args, stdout, stderr); done {
		return code
	}
	if *selfCheck {
		*addr = "127.0.0.1:0"
	}
	st, err := stage.New(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "prometheus: %v\n", err)
		return 2
	}
	defer st.Close()
	a, err := newApp(st)
	if err != nil {
		fmt.Fprintf(stderr, "prometheus: %v\n", err)
		return 2
	}
	defer a.close()
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "prometheus: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(lis)
	defer srv.Close()
	base := "http://" + lis.Addr().String()
	if *selfCheck {
		if st.EmuPool == nil {
			fmt.Fprintln(stderr, "self-check FAILED: --self-check needs the embedded emulator (unset COGNITO_USER_POOL_ID)")
			return 2
		}
		if err := check(ctx, st, a, base, stdout); err != nil {
			fmt.Fprintf(stderr, "self-check FAILED: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, "self-check OK: /metrics exports every expected cognitokit series")
		return 0
	}
	fmt.Fprintf(stdout, "API listening on %s; metrics at %s/metrics\n", base, base)
	if st.EmuPool != nil {
		tok := st.EmuPool.MustMintTokens(cognitotest.DemoPublicClientID, "bob").AccessToken
		fmt.Fprintf(stdout, "\n  TOKEN=%s\n  curl -H \"Authorization: Bearer $TOKEN\" %s/me\n  curl %s/me   # 401\n  curl %s/metrics | grep cognitokit_\n", tok, base, base, base)
	}
	fmt.Fprintln(stdout, "\nA dashboard would graph:")
	for _, q := range dashboard {
		fmt.Fprintln(stdout, "  "+q)
	}
	<-ctx.Done()
	return 0
}

// check sends accepted, rejected and revoked tokens, then scrapes /metrics.
func check(ctx context.Context, st *stage.Stage, a *app, base string, out io.Writer) error {
	good := st.EmuPool.MustMintTokens(cognitotest.DemoPublicClientID, "bob").AccessToken
	other := st.EmuPool.MustMintTokens(cognitotest.DemoPublicClientID, "alice").AccessToken
	steps := []struct {
		name  string
		token string
		want  int
	}{
		{"valid token", good, 200},
		{"valid token again (cache hit)", good, 200},
		{"no token", "", 401},
		{"tampered token", good[:len(good)-4] + "AAAA", 401},
	}
	for _, s := range steps {
		if got := get(ctx, base+"/me", s.token); got != s.want {
			return fmt.Errorf("%s: status %d; want %d", s.name, got, s.want)
		}
	}
	e, err := revocation.EntryForToken(other)
	if err != nil {
		return err
	}
	if err := a.list.Revoke(ctx, e); err != nil {
		return err
	}
	if got := get(ctx, base+"/me", other); got != 401 {
		return fmt.Errorf("revoked token: status %d; want 401", got)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	text := string(body)
	var missing []string
	for _, series := range []string{
		`cognitokit_verifier_verifications_total{otel_scope_name="github.com/cognitokit/cognitokit/adapters/otelcognito",otel_scope_schema_url="",otel_scope_version="",outcome="accepted",reason="",token_use="access"} 2`,
		`outcome="rejected",reason="bad_signature"`,
		`outcome="rejected",reason="revoked"`,
		`cognitokit_verifier_cache_lookups_total{hit="true"`,
		`cognitokit_verifier_jwks_fetch_duration_seconds_count{`,
		`cognitokit_verifier_jwks_age_seconds{jwks_url="` + st.EmuPool.JWKSURL() + `"`,
		`cognitokit_middleware_decisions_total{decision="allowed"`,
		`cognitokit_middleware_decisions_total{decision="rejected",http_response_status_code="401"`,
		`reason="no_token"`,
		`cognitokit_revocation_entries{`,
		`cognitokit_revocation_checks_total{`,
	} {
		if !strings.Contains(text, series) {
			missing = append(missing, series)
		}
	}
	for _, tok := range []string{good, other} {
		if strings.Contains(text, tok) || strings.Contains(text, strings.Split(tok, ".")[1]) {
			return errors.New("/metrics contains a token")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("/metrics lacks %d series:\n  %s\n--- /metrics:\n%s", len(missing), strings.Join(missing, "\n  "), grepCognitokit(text))
	}
	fmt.Fprintf(out, "scraped %s/metrics:\n%s", base, grepCognitokit(text))
	return nil
}

func grepCognitokit(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "cognitokit_") && !strings.Contains(l, "_bucket{") {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

func get(ctx context.Context, u, token string) int {
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
