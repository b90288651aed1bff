// Package otelcognito reports what cognitokit does as OpenTelemetry
// metrics and traces, through the OpenTelemetry API: whatever SDK and
// exporter the application configured (OTLP, Prometheus, ...) receives
// them, and nothing is recorded while no provider is set.
//
// cognitokit's packages report through small observer hooks
// (verifier.Observer, middleware.Config.OnDecision, weblogin.Observer,
// revocation.Observer, online.Observer), so that only applications that
// import this package depend on OpenTelemetry. A [Telemetry] implements
// them all:
//
//	tel, _ := otelcognito.New(otelcognito.Config{}) // the global providers
//	v, _ := verifier.New(verifier.Config{Pools: pools, Observer: tel.VerifierObserver(), Revocation: list})
//	mw, _ := middleware.New(v, middleware.Config{OnDecision: tel.MiddlewareDecision})
//	wl, _ := weblogin.New(weblogin.Config{..., Observer: tel.WebLoginObserver()})
//	list, _ := revocation.New(revocation.Config{Observer: tel.RevocationObserver()})
//	tel.ObserveRevocationList(list)
//	sc, _ := srpclient.New(srpclient.Config{..., Observer: tel.SRPClientObserver()})
//
// # Metrics
//
//   - cognitokit.verifier.verifications {outcome, reason, token_use}:
//     tokens accepted and rejected, by [verifier.Reason] label;
//   - cognitokit.verifier.cache.lookups {hit};
//   - cognitokit.verifier.jwks.fetch.duration {outcome, trigger}
//     (a histogram, so it counts fetches too) and
//     cognitokit.verifier.jwks.age {jwks.url}: seconds since each key set
//     was last fetched successfully;
//   - cognitokit.middleware.decisions {decision, http.response.status_code, reason};
//   - cognitokit.signins {flow, outcome} (weblogin's authorization_code
//     sign-ins and srpclient's, by AuthFlow), cognitokit.signin.duration
//     {flow, outcome} (weblogin's callback) and
//     cognitokit.signin.step.duration {flow, call, outcome} (each call to
//     Cognito of an srpclient sign-in or refresh);
//   - cognitokit.refreshes and cognitokit.refresh.duration {outcome};
//   - cognitokit.signouts {outcome, everywhere};
//   - cognitokit.revocation.entries (the list's size),
//     cognitokit.revocation.checks {result}, cognitokit.revocation.sync
//     {operation, outcome}, cognitokit.revocation.evictions;
//   - cognitokit.revocation.online.checks {outcome} and
//     cognitokit.revocation.online.call.duration {outcome}.
//
// # Traces
//
// Spans cognitokit.jwks.fetch, cognitokit.weblogin.signin,
// cognitokit.weblogin.refresh, cognitokit.weblogin.signout,
// cognitokit.signin.step and cognitokit.refresh (each call to Cognito of an
// srpclient sign-in or refresh: InitiateAuth, RespondToAuthChallenge with
// its challenge, GetTokensFromRefreshToken) and
// cognitokit.revocation.online_check. The hooks report a step when it
// ends, with its start time, so the spans have their true start and end;
// they are children of the span in the request's context, except JWKS
// fetches, which are shared between requests and are roots.
//
// # What is never recorded
//
// No token, secret, password, cookie, session ID or claim goes into an
// attribute: attributes are fixed labels (outcomes, reasons, triggers,
// flows), the JWKS URL and HTTP status. Errors are recorded by type
// (error.type), never by message. The package's tests run every flow with
// an in-memory exporter and reader and scan each attribute for the
// tokens, passwords and secrets used.
package otelcognito
