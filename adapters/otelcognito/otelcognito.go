package otelcognito

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
	"github.com/cognitokit/cognitokit/srpclient"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/revocation"
	"github.com/cognitokit/cognitokit/verifier/revocation/online"
)

// ScopeName is the instrumentation scope of every meter and tracer.
const ScopeName = "github.com/cognitokit/cognitokit/adapters/otelcognito"

// ErrInvalidConfig is wrapped by the errors [New] returns.
var ErrInvalidConfig = errors.New("otelcognito: invalid configuration")

// Config configures [New]. The zero value uses the global providers.
type Config struct {
	// MeterProvider creates the instruments. Optional. Default
	// otel.GetMeterProvider(): whatever the application installed with
	// otel.SetMeterProvider, and a no-op until it does.
	MeterProvider metric.MeterProvider
	// TracerProvider creates the spans. Optional. Default
	// otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// Now is the clock of the key-set age. Optional. Default time.Now.
	Now func() time.Time
}

// Telemetry turns cognitokit's observer callbacks into OpenTelemetry
// metrics and spans. Create one per application with [New] and hand its
// observers to the packages. It is safe for concurrent use.
type Telemetry struct {
	tracer trace.Tracer
	now    func() time.Time

	verifications metric.Int64Counter
	cacheLookups  metric.Int64Counter
	jwksFetch     metric.Float64Histogram
	decisions     metric.Int64Counter
	signIns       metric.Int64Counter
	signInTime    metric.Float64Histogram
	stepTime      metric.Float64Histogram
	refreshes     metric.Int64Counter
	refreshTime   metric.Float64Histogram
	signOuts      metric.Int64Counter
	revChecks     metric.Int64Counter
	revSync       metric.Int64Counter
	revEvictions  metric.Int64Counter
	onlineChecks  metric.Int64Counter
	onlineCall    metric.Float64Histogram

	// Precomputed options of the hot paths (a lookup, an accepted token,
	// an allowed request), so that they do not allocate.
	hitOpt, missOpt, allowedOpt metric.AddOption
	acceptedID, acceptedAccess  metric.AddOption

	mu      sync.Mutex           // guards fetched and lists
	fetched map[string]time.Time // JWKS URL -> last successful fetch
	lists   []*revocation.List
}

// New creates the instruments. It fails only if the meter provider refuses
// them.
func New(cfg Config) (*Telemetry, error) {
	if cfg.MeterProvider == nil {
		cfg.MeterProvider = otel.GetMeterProvider()
	}
	if cfg.TracerProvider == nil {
		cfg.TracerProvider = otel.GetTracerProvider()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := cfg.MeterProvider.Meter(ScopeName)
	t := &Telemetry{tracer: cfg.TracerProvider.Tracer(ScopeName), now: cfg.Now, fetched: map[string]time.Time{},
		hitOpt:         metric.WithAttributeSet(attribute.NewSet(attribute.Bool("hit", true))),
		missOpt:        metric.WithAttributeSet(attribute.NewSet(attribute.Bool("hit", false))),
		allowedOpt:     metric.WithAttributeSet(attribute.NewSet(attribute.String("decision", "allowed"), attribute.Int("http.response.status_code", 0), attribute.String("reason", ""))),
		acceptedID:     metric.WithAttributeSet(attribute.NewSet(accepted, attribute.String("reason", ""), attribute.String("token_use", "id"))),
		acceptedAccess: metric.WithAttributeSet(attribute.NewSet(accepted, attribute.String("reason", ""), attribute.String("token_use", "access"))),
	}
	var errs []error
	counter := func(name, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithDescription(desc), metric.WithUnit("{"+unitOf(name)+"}"))
		errs = append(errs, err)
		return c
	}
	seconds := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithDescription(desc), metric.WithUnit("s"),
			metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
		errs = append(errs, err)
		return h
	}
	t.verifications = counter("cognitokit.verifier.verifications", "Tokens verified, by outcome (accepted or rejected) and reason.")
	t.cacheLookups = counter("cognitokit.verifier.cache.lookups", "Verified-token cache lookups, by hit.")
	t.jwksFetch = seconds("cognitokit.verifier.jwks.fetch.duration", "JWKS fetches, by outcome and trigger.")
	t.decisions = counter("cognitokit.middleware.decisions", "Requests judged by the authentication middleware, by decision, status and reason.")
	t.signIns = counter("cognitokit.signins", "Sign-ins, by flow and outcome.")
	t.signInTime = seconds("cognitokit.signin.duration", "Duration of sign-in steps, by flow and outcome.")
	t.stepTime = seconds("cognitokit.signin.step.duration", "Duration of each call to Cognito of a sign-in or refresh (srpclient), by flow, call and outcome.")
	t.refreshes = counter("cognitokit.refreshes", "Token refreshes, by outcome.")
	t.refreshTime = seconds("cognitokit.refresh.duration", "Duration of token refreshes, by outcome.")
	t.signOuts = counter("cognitokit.signouts", "Sign-outs, by outcome and scope (this session or everywhere).")
	t.revChecks = counter("cognitokit.revocation.checks", "Revocation-list checks, by result.")
	t.revSync = counter("cognitokit.revocation.sync", "Exchanges with the shared revocation store, by operation and outcome.")
	t.revEvictions = counter("cognitokit.revocation.evictions", "Revocation entries dropped before expiry because the list was full.")
	t.onlineChecks = counter("cognitokit.revocation.online.checks", "Online revocation checks, by outcome.")
	t.onlineCall = seconds("cognitokit.revocation.online.call.duration", "GetUser calls of the online revocation check, by outcome.")
	age, err := m.Float64ObservableGauge("cognitokit.verifier.jwks.age", metric.WithUnit("s"),
		metric.WithDescription("Seconds since the key set of each JWKS URL was last fetched successfully."))
	errs = append(errs, err)
	size, err := m.Int64ObservableGauge("cognitokit.revocation.entries", metric.WithUnit("{entry}"),
		metric.WithDescription("Entries in the revocation list."))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	_, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		now := t.now()
		t.mu.Lock()
		defer t.mu.Unlock()
		for u, at := range t.fetched {
			o.ObserveFloat64(age, now.Sub(at).Seconds(), metric.WithAttributes(attribute.String("jwks.url", u)))
		}
		for _, l := range t.lists {
			o.ObserveInt64(size, int64(l.Len()))
		}
		return nil
	}, age, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return t, nil
}

func unitOf(name string) string {
	switch name {
	case "cognitokit.verifier.cache.lookups":
		return "lookup"
	case "cognitokit.middleware.decisions":
		return "request"
	case "cognitokit.revocation.evictions":
		return "entry"
	case "cognitokit.revocation.sync":
		return "operation"
	}
	return "event"
}

var (
	accepted = attribute.String("outcome", "accepted")
	rejected = attribute.String("outcome", "rejected")
)

// VerifierObserver returns the verifier.Config.Observer that counts
// verifications by outcome and reason ([verifier.Reason] labels), cache
// lookups, and JWKS fetches (duration, outcome, trigger, a span each), and
// tracks the age of each key set. The JWKS spans are roots: a fetch is
// shared by the requests that wait for it.
func (t *Telemetry) VerifierObserver() verifier.Observer {
	return verifier.Observer{
		OnAccept: func(use verifier.TokenUse) {
			opt := t.acceptedAccess
			if use == verifier.TokenUseID {
				opt = t.acceptedID
			}
			t.verifications.Add(context.Background(), 1, opt)
		},
		OnReject: func(reason error) {
			t.verifications.Add(context.Background(), 1, metric.WithAttributes(rejected, attribute.String("reason", verifier.Reason(reason)), attribute.String("token_use", "")))
		},
		OnCache: func(hit bool) {
			opt := t.missOpt
			if hit {
				opt = t.hitOpt
			}
			t.cacheLookups.Add(context.Background(), 1, opt)
		},
		OnFetch: t.fetch,
	}
}

func (t *Telemetry) fetch(e verifier.FetchEvent) {
	outcome := "ok"
	switch {
	case e.Err != nil:
		outcome = "error"
	case e.NotModified:
		outcome = "not_modified"
	}
	attrs := []attribute.KeyValue{attribute.String("outcome", outcome), attribute.String("trigger", e.Trigger)}
	t.jwksFetch.Record(context.Background(), e.Duration.Seconds(), metric.WithAttributes(attrs...))
	end := t.now()
	if e.Err == nil {
		t.mu.Lock()
		t.fetched[e.URL] = end
		t.mu.Unlock()
	}
	_, span := t.tracer.Start(context.Background(), "cognitokit.jwks.fetch", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(end.Add(-e.Duration)), trace.WithAttributes(append(attrs,
			attribute.String("url.full", e.URL), attribute.Int("http.response.status_code", e.Status), attribute.Int("jwks.keys", e.Keys))...))
	if e.Err != nil {
		span.SetStatus(codes.Error, "JWKS fetch failed")
		span.SetAttributes(attribute.String("error.type", errorType(e.Err)))
	}
	span.End(trace.WithTimestamp(end))
}

// errorType names an error by its Go type: never its message, which may
// quote a server's answer.
func errorType(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf("%T", err)
}

// MiddlewareDecision is a middleware.Config.OnDecision that counts the
// decisions by decision (allowed or rejected), HTTP status and reason.
func (t *Telemetry) MiddlewareDecision(r *http.Request, rej *auth.Rejection) {
	if rej == nil {
		t.decisions.Add(r.Context(), 1, t.allowedOpt)
		return
	}
	t.decisions.Add(r.Context(), 1, metric.WithAttributes(attribute.String("decision", "rejected"),
		attribute.Int("http.response.status_code", rej.Status), attribute.String("reason", rej.Reason)))
}

// WebLoginObserver returns the weblogin.Config.Observer that counts
// sign-ins (flow "authorization_code"), refreshes and sign-outs by outcome,
// with their durations, and records a span for each, a child of the
// request's span when there is one.
func (t *Telemetry) WebLoginObserver() weblogin.Observer {
	const flow = "authorization_code"
	return weblogin.Observer{
		OnSignIn: func(ctx context.Context, e weblogin.Event) {
			attrs := metric.WithAttributes(attribute.String("flow", flow), attribute.String("outcome", e.Outcome))
			t.signIns.Add(ctx, 1, attrs)
			t.signInTime.Record(ctx, e.Duration.Seconds(), attrs)
			t.span(ctx, "cognitokit.weblogin.signin", e.Start, e.Duration, e.Outcome, e.Err, attribute.String("flow", flow))
		},
		OnRefresh: func(ctx context.Context, e weblogin.Event) {
			attrs := metric.WithAttributes(attribute.String("outcome", e.Outcome))
			t.refreshes.Add(ctx, 1, attrs)
			t.refreshTime.Record(ctx, e.Duration.Seconds(), attrs)
			t.span(ctx, "cognitokit.weblogin.refresh", e.Start, e.Duration, e.Outcome, e.Err)
		},
		OnSignOut: func(ctx context.Context, e weblogin.Event) {
			t.signOuts.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", e.Outcome), attribute.Bool("everywhere", e.Everywhere)))
			t.span(ctx, "cognitokit.weblogin.signout", e.Start, e.Duration, e.Outcome, e.Err, attribute.Bool("everywhere", e.Everywhere))
		},
	}
}

// span records a finished step as a span. Only the outcome label and the
// error's type are recorded, never its message.
func (t *Telemetry) span(ctx context.Context, name string, start time.Time, d time.Duration, outcome string, err error, extra ...attribute.KeyValue) {
	_, span := t.tracer.Start(ctx, name, trace.WithTimestamp(start),
		trace.WithAttributes(append(extra, attribute.String("outcome", outcome))...))
	switch outcome {
	case "ok", "active", "skipped", "revoked":
	default:
		span.SetStatus(codes.Error, outcome)
		if err != nil {
			span.SetAttributes(attribute.String("error.type", errorType(err)))
		}
	}
	span.End(trace.WithTimestamp(start.Add(d)))
}

// SRPClientObserver returns the srpclient.Config.Observer that records each
// call to Cognito of a sign-in or refresh as a span (a child of the
// caller's span) and in cognitokit.signin.step.duration, and counts
// completed and failed sign-ins (cognitokit.signins, by AuthFlow) and
// refreshes (cognitokit.refreshes).
func (t *Telemetry) SRPClientObserver() srpclient.Observer {
	return srpclient.Observer{OnStep: func(ctx context.Context, e srpclient.StepEvent) {
		attrs := []attribute.KeyValue{attribute.String("flow", e.Flow), attribute.String("call", e.Call), attribute.String("outcome", e.Outcome)}
		t.stepTime.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attrs...))
		refresh := e.Flow == "REFRESH_TOKEN_AUTH" || e.Flow == "GetTokensFromRefreshToken"
		name := "cognitokit.signin.step"
		if refresh {
			name = "cognitokit.refresh"
		}
		spanAttrs := []attribute.KeyValue{attribute.String("flow", e.Flow), attribute.String("call", e.Call), attribute.String("step.outcome", e.Outcome)}
		if e.Challenge != "" {
			spanAttrs = append(spanAttrs, attribute.String("challenge", e.Challenge))
		}
		outcome := e.Outcome
		if outcome == "tokens" || outcome == "challenge" {
			outcome = "ok"
		}
		t.span(ctx, name, e.Start, e.Duration, outcome, e.Err, spanAttrs...)
		if e.Outcome == "challenge" {
			return
		}
		final := "ok"
		if e.Outcome == "error" {
			final = "error"
		}
		if refresh {
			t.refreshes.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", final)))
			t.refreshTime.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attribute.String("outcome", final)))
			return
		}
		t.signIns.Add(ctx, 1, metric.WithAttributes(attribute.String("flow", e.Flow), attribute.String("outcome", final)))
	}}
}

// RevocationObserver returns the revocation.Config.Observer that counts
// checks by result, exchanges with the shared store, and evictions.
// Register the list with [Telemetry.ObserveRevocationList] for its size.
func (t *Telemetry) RevocationObserver() revocation.Observer {
	return revocation.Observer{
		OnCheck: func(revoked bool) {
			result := "ok"
			if revoked {
				result = "revoked"
			}
			t.revChecks.Add(context.Background(), 1, metric.WithAttributes(attribute.String("result", result)))
		},
		OnSync: func(op string, err error) {
			outcome := "ok"
			if err != nil {
				outcome = "error"
			}
			t.revSync.Add(context.Background(), 1, metric.WithAttributes(attribute.String("operation", op), attribute.String("outcome", outcome)))
		},
		OnEvict: func() { t.revEvictions.Add(context.Background(), 1) },
	}
}

// ObserveRevocationList reports l's size as cognitokit.revocation.entries.
func (t *Telemetry) ObserveRevocationList(l *revocation.List) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lists = append(t.lists, l)
}

// OnlineObserver returns the online.Config.Observer that counts online
// checks by outcome and records each GetUser call (duration and a span,
// a child of the checking request's span).
func (t *Telemetry) OnlineObserver() online.Observer {
	return online.Observer{
		OnCheck: func(outcome string) {
			t.onlineChecks.Add(context.Background(), 1, metric.WithAttributes(attribute.String("outcome", outcome)))
		},
		OnCall: func(ctx context.Context, e online.CallEvent) {
			t.onlineCall.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attribute.String("outcome", e.Outcome)))
			t.span(ctx, "cognitokit.revocation.online_check", e.Start, e.Duration, e.Outcome, e.Err,
				attribute.String("rpc.system", "aws-api"), attribute.String("rpc.method", "GetUser"))
		},
	}
}
