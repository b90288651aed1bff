package otelcognito_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/cognitokit/cognitokit/adapters/otelcognito"
	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
	"github.com/cognitokit/cognitokit/srpclient"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/revocation"
	"github.com/cognitokit/cognitokit/verifier/revocation/online"
)

const (
	alicePass = "Alice-Sup3r-Secret-Passw0rd!"
	wrongPass = "Wr0ng-Guess-Passw0rd!"
)

type shiftClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *shiftClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.off) }
func (c *shiftClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.off += d }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// app is a web app and an API with every observer wired to one Telemetry
// backed by an in-memory reader and span recorder.
type app struct {
	t      *testing.T
	srp    *srpclient.Client
	clk    *shiftClock
	srv    *cognitotest.Server
	pool   *cognitotest.Pool
	ac     cognitotest.AppClient
	web    *httptest.Server
	api    *httptest.Server
	list   *revocation.List
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder
	logs   *syncBuffer
}

func newApp(t *testing.T) *app {
	t.Helper()
	a := &app{t: t, clk: &shiftClock{}, reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder(), logs: &syncBuffer{}}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(a.reader))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(a.spans))
	t.Cleanup(func() { mp.Shutdown(context.Background()); tp.Shutdown(context.Background()) })
	tel, err := otelcognito.New(otelcognito.Config{MeterProvider: mp, TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	var webHandler http.Handler = http.NotFoundHandler()
	a.web = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { webHandler.ServeHTTP(w, r) }))
	t.Cleanup(a.web.Close)
	a.srv = cognitotest.NewServer(t, cognitotest.WithClock(a.clk.Now), cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	a.pool = a.srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Telemetry"})
	a.ac = a.pool.MustCreateClient(cognitotest.ClientConfig{
		Name: "web", GenerateSecret: true, CallbackURLs: []string{a.web.URL + "/auth/callback"}, LogoutURLs: []string{a.web.URL + "/"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"},
	})
	a.pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: alicePass, Email: "alice.secret@example.com"})

	a.list, err = revocation.New(revocation.Config{Observer: tel.RevocationObserver(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.list.Close() })
	tel.ObserveRevocationList(a.list)
	check, err := online.New(online.Config{API: cip.NewFromConfig(a.srv.AWSConfig()), List: a.list, Observer: tel.OnlineObserver(), Logger: logger, Now: a.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Config{
		Pools:    []verifier.Pool{{UserPoolID: a.pool.ID(), ClientIDs: []string{a.ac.ID}, TokenUse: verifier.TokenUseAccess, Issuer: a.pool.Issuer()}},
		Observer: tel.VerifierObserver(), Revocation: check, Logger: logger, Now: a.clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	mw, err := middleware.New(v, middleware.Config{OnDecision: tel.MiddlewareDecision, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	a.api = httptest.NewServer(mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })))
	t.Cleanup(a.api.Close)

	client, err := oauth.New(oauth.Config{
		Domain: a.srv.OAuthDomain(), ClientID: a.ac.ID, ClientSecret: a.ac.Secret, RedirectURL: a.web.URL + "/auth/callback",
		Scopes:     []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"},
		UserPoolID: a.pool.ID(), Issuer: a.pool.Issuer(), JWKSURL: a.pool.JWKSURL(), Now: a.clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	a.srp, err = srpclient.New(srpclient.Config{API: cip.NewFromConfig(a.srv.AWSConfig()), UserPoolID: a.pool.ID(), ClientID: a.ac.ID,
		ClientSecret: a.ac.Secret, Observer: tel.SRPClientObserver(), Now: a.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := weblogin.NewKey()
	h, err := weblogin.New(weblogin.Config{Client: client, Keys: [][]byte{k}, InsecureCookies: true, Now: a.clk.Now,
		Observer: tel.WebLoginObserver(), Revocation: a.list, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", h)
	mux.Handle("/me", h.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := weblogin.SessionFromContext(r.Context())
		json.NewEncoder(w).Encode(map[string]string{"access": s.AccessToken, "refresh": s.RefreshToken, "sub": s.Subject})
	})))
	webHandler = mux
	return a
}

var requestRE = regexp.MustCompile(`name="request" value="([^"]+)"`)

type browser struct {
	t  *testing.T
	hc *http.Client
}

func (b *browser) do(method, u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func bearer(t *testing.T, api *httptest.Server, tok string) int {
	req, _ := http.NewRequest("GET", api.URL, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestTelemetry runs every instrumented flow, checks that the expected
// series and spans are recorded, and that no secret is in any of them or
// in the logs.
func TestTelemetry(t *testing.T) {
	a := newApp(t)
	jar, _ := cookiejar.New(nil)
	br := &browser{t: t, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second}}

	// A wrong password (the form comes back), then the right one.
	_, page := br.do("GET", a.web.URL+"/me", nil)
	m := requestRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no sign-in form: %.200s", page)
	}
	_, page = br.do("POST", a.srv.OAuthDomain()+"/login", url.Values{"request": {m[1]}, "username": {"alice"}, "password": {wrongPass}})
	if m = requestRE.FindStringSubmatch(page); m == nil {
		t.Fatalf("no sign-in form after a wrong password: %.200s", page)
	}
	resp, body := br.do("POST", a.srv.OAuthDomain()+"/login", url.Values{"request": {m[1]}, "username": {"alice"}, "password": {alicePass}})
	if resp.StatusCode != 200 {
		t.Fatalf("sign-in: %d %.200s", resp.StatusCode, body)
	}
	var first map[string]string
	json.Unmarshal([]byte(body), &first)
	// A forged callback.
	if resp, _ := br.do("GET", a.web.URL+"/auth/callback?code=x&state=forged-state", nil); resp.StatusCode != 400 {
		t.Fatalf("forged callback: %d; want 400", resp.StatusCode)
	}
	// The API: accepted (twice: a cache hit), tampered, missing.
	for range 2 {
		if got := bearer(t, a.api, first["access"]); got != 200 {
			t.Fatalf("API with the access token: %d", got)
		}
	}
	if got := bearer(t, a.api, first["access"][:len(first["access"])-4]+"AAAA"); got != 401 {
		t.Fatalf("tampered token: %d", got)
	}
	if got := bearer(t, a.api, ""); got != 401 {
		t.Fatalf("no token: %d", got)
	}
	// An hour later the session refreshes.
	a.clk.Add(time.Hour)
	_, body = br.do("GET", a.web.URL+"/me", nil)
	var second map[string]string
	json.Unmarshal([]byte(body), &second)
	if second["access"] == "" || second["access"] == first["access"] {
		t.Fatalf("no refresh happened: %.200s", body)
	}
	if got := bearer(t, a.api, second["access"]); got != 200 {
		t.Fatalf("API with the refreshed token: %d", got)
	}
	// Sign out: the refreshed access token is refused at once.
	u, _ := url.Parse(a.web.URL)
	var cookies []string
	for _, c := range jar.Cookies(u) {
		cookies = append(cookies, c.Value)
	}
	req, _ := http.NewRequest("POST", a.web.URL+"/auth/logout", nil)
	req.Header.Set("Origin", a.web.URL)
	for _, c := range jar.Cookies(u) {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := bearer(t, a.api, second["access"]); got != 401 {
		t.Fatalf("API after sign-out: %d; want 401", got)
	}

	// srpclient: a wrong password, an SRP sign-in, a refresh.
	ctx := context.Background()
	if _, err := a.srp.SignIn(ctx, srpclient.SignInInput{Username: "alice", Password: wrongPass}); err == nil {
		t.Fatal("SRP sign-in with a wrong password succeeded")
	}
	res, err := a.srp.SignIn(ctx, srpclient.SignInInput{Username: "alice", Password: alicePass})
	if err != nil || !res.Done() {
		t.Fatalf("SRP sign-in: %v", err)
	}
	srpTokens := res.Tokens
	refreshed, err := a.srp.Refresh(ctx, srpTokens)
	if err != nil {
		t.Fatalf("srpclient refresh: %v", err)
	}

	rm := a.collect()
	for _, want := range []struct {
		metric string
		attrs  string // sorted k=v pairs that must all be present
	}{
		{"cognitokit.verifier.verifications", "outcome=accepted token_use=access"},
		{"cognitokit.verifier.verifications", "outcome=rejected reason=bad_signature"},
		{"cognitokit.verifier.verifications", "outcome=rejected reason=revoked"},
		{"cognitokit.verifier.cache.lookups", "hit=true"},
		{"cognitokit.verifier.cache.lookups", "hit=false"},
		{"cognitokit.verifier.jwks.fetch.duration", "outcome=ok trigger=cold"},
		{"cognitokit.verifier.jwks.age", "jwks.url=" + a.pool.JWKSURL()},
		{"cognitokit.middleware.decisions", "decision=allowed"},
		{"cognitokit.middleware.decisions", "decision=rejected http.response.status_code=401 reason=no_token"},
		{"cognitokit.middleware.decisions", "decision=rejected http.response.status_code=401 reason=revoked"},
		{"cognitokit.signins", "flow=authorization_code outcome=ok"},
		{"cognitokit.signins", "flow=authorization_code outcome=state_mismatch"},
		{"cognitokit.signin.duration", "outcome=ok"},
		{"cognitokit.refreshes", "outcome=ok"},
		{"cognitokit.signouts", "everywhere=false outcome=ok"},
		{"cognitokit.signins", "flow=USER_SRP_AUTH outcome=ok"},
		{"cognitokit.signins", "flow=USER_SRP_AUTH outcome=error"},
		{"cognitokit.signin.step.duration", "call=RespondToAuthChallenge flow=USER_SRP_AUTH outcome=tokens"},
		{"cognitokit.refreshes", "outcome=ok"},
		{"cognitokit.revocation.checks", "result=ok"},
		{"cognitokit.revocation.checks", "result=revoked"},
		{"cognitokit.revocation.entries", ""},
		{"cognitokit.revocation.online.checks", "outcome=active"},
		{"cognitokit.revocation.online.call.duration", "outcome=active"},
	} {
		if !rm.has(want.metric, want.attrs) {
			t.Errorf("no data point of %s with %q; recorded:\n%s", want.metric, want.attrs, rm.dump(want.metric))
		}
	}
	if got := rm.gauge("cognitokit.revocation.entries"); got != 1 {
		t.Errorf("cognitokit.revocation.entries = %d; want 1 (the sign-out)", got)
	}
	names := map[string]bool{}
	challenges := map[string]bool{}
	for _, s := range a.spans.Ended() {
		names[s.Name()] = true
		for _, kv := range s.Attributes() {
			if kv.Key == "challenge" {
				challenges[kv.Value.AsString()] = true
			}
		}
	}
	if !challenges["PASSWORD_VERIFIER"] {
		t.Errorf("no sign-in step span names the PASSWORD_VERIFIER challenge; got %v", challenges)
	}
	for _, n := range []string{"cognitokit.jwks.fetch", "cognitokit.weblogin.signin", "cognitokit.weblogin.refresh", "cognitokit.weblogin.signout",
		"cognitokit.revocation.online_check", "cognitokit.signin.step", "cognitokit.refresh"} {
		if !names[n] {
			t.Errorf("no span %s; got %v", n, names)
		}
	}

	// Nothing secret anywhere.
	secrets := map[string]string{
		"password": alicePass, "wrong password": wrongPass, "client secret": a.ac.Secret,
		"email": "alice.secret@example.com", "sub": first["sub"], "username": "alice",
	}
	for i, tok := range []string{first["access"], first["refresh"], second["access"], second["refresh"],
		srpTokens.AccessToken, srpTokens.IDToken, srpTokens.RefreshToken, refreshed.AccessToken, refreshed.IDToken} {
		secrets[fmt.Sprintf("token %d", i)] = tok
		if parts := strings.Split(tok, "."); len(parts) == 3 {
			secrets[fmt.Sprintf("token %d payload", i)] = parts[1]
			secrets[fmt.Sprintf("token %d signature", i)] = parts[2]
		}
	}
	for i, c := range cookies {
		secrets[fmt.Sprintf("cookie %d", i)] = c
	}
	values := append(rm.strings(), spanStrings(a.spans.Ended())...)
	if len(values) < 50 {
		t.Fatalf("only %d strings recorded; the scan would prove nothing", len(values))
	}
	for _, v := range values {
		for what, s := range secrets {
			if s != "" && len(s) >= 5 && strings.Contains(v, s) {
				t.Errorf("telemetry holds the %s: %.120q", what, v)
			}
		}
	}
	logs := a.logs.String()
	if len(logs) == 0 {
		t.Fatal("no logs recorded; the scan would prove nothing")
	}
	for what, s := range secrets {
		if what == "sub" || what == "username" {
			continue // verified identifiers, logged on purpose
		}
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("the logs hold the %s", what)
		}
	}
	t.Logf("scanned %d telemetry strings and %d bytes of logs for %d secrets", len(values), len(logs), len(secrets))
}

// TestNoProviderRecordsNothing: with the global no-op providers (no SDK
// installed), the observers work and nothing is exported.
func TestNoProviderRecordsNothing(t *testing.T) {
	tel, err := otelcognito.New(otelcognito.Config{})
	if err != nil {
		t.Fatal(err)
	}
	obs := tel.VerifierObserver()
	obs.OnAccept(verifier.TokenUseAccess)
	obs.OnFetch(verifier.FetchEvent{URL: "https://example.com/jwks.json", Trigger: "cold", Duration: time.Millisecond})
	wl := tel.WebLoginObserver()
	wl.OnSignIn(context.Background(), weblogin.Event{Start: time.Now(), Outcome: "ok"})
	// The no-op providers have nothing to read: the observers only
	// must not fail or allocate state per call beyond the key-set age.
	allocs := testing.AllocsPerRun(100, func() { obs.OnCache(true) })
	if allocs > 1 {
		t.Errorf("OnCache with no provider: %.0f allocations per call; want at most 1", allocs)
	}
}

// rmetrics is what the reader collected.
type rmetrics struct{ rm metricdata.ResourceMetrics }

func (a *app) collect() *rmetrics {
	var rm metricdata.ResourceMetrics
	if err := a.reader.Collect(context.Background(), &rm); err != nil {
		a.t.Fatal(err)
	}
	return &rmetrics{rm}
}

func attrString(set attribute.Set) string {
	var kv []string
	for _, a := range set.ToSlice() {
		kv = append(kv, string(a.Key)+"="+a.Value.String())
	}
	sort.Strings(kv)
	return strings.Join(kv, " ")
}

// points calls f with the attribute set of every data point of name.
func (r *rmetrics) points(name string, f func(attribute.Set, int64)) {
	for _, sm := range r.rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					f(p.Attributes, p.Value)
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					f(p.Attributes, p.Value)
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					f(p.Attributes, int64(p.Value))
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					f(p.Attributes, int64(p.Count))
				}
			}
		}
	}
}

func (r *rmetrics) has(name, want string) bool {
	found := false
	r.points(name, func(s attribute.Set, v int64) {
		got := " " + attrString(s) + " "
		ok := v > 0 || name == "cognitokit.verifier.jwks.age"
		for _, kv := range strings.Fields(want) {
			if !strings.Contains(got, " "+kv+" ") {
				ok = false
			}
		}
		found = found || ok
	})
	return found
}

func (r *rmetrics) gauge(name string) int64 {
	var v int64
	r.points(name, func(_ attribute.Set, x int64) { v = x })
	return v
}

func (r *rmetrics) dump(name string) string {
	var b strings.Builder
	r.points(name, func(s attribute.Set, v int64) { fmt.Fprintf(&b, "  {%s} %d\n", attrString(s), v) })
	return b.String()
}

// strings returns every metric name, description and attribute key and
// value.
func (r *rmetrics) strings() []string {
	var out []string
	for _, sm := range r.rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out = append(out, m.Name, m.Description, m.Unit)
			r.points(m.Name, func(s attribute.Set, _ int64) {
				for _, a := range s.ToSlice() {
					out = append(out, string(a.Key), a.Value.String())
				}
			})
		}
	}
	return out
}

func spanStrings(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name(), s.Status().Description)
		for _, a := range s.Attributes() {
			out = append(out, string(a.Key), a.Value.String())
		}
		for _, e := range s.Events() {
			out = append(out, e.Name)
			for _, a := range e.Attributes {
				out = append(out, string(a.Key), a.Value.String())
			}
		}
	}
	return out
}
