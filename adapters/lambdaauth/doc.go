// Package lambdaauth turns a token verifier into the Lambda authorizers of
// AWS's managed front doors: API Gateway REST APIs (TOKEN and REQUEST
// authorizers, answering IAM policies), HTTP APIs (payload format 2.0,
// simple or IAM policy responses) and AppSync GraphQL APIs (AWS_LAMBDA
// authorization). The handlers take and return the event types of
// github.com/aws/aws-lambda-go/events, so each is one line in main:
//
//	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
//		UserPoolID: "us-east-1_AbC123", ClientIDs: []string{"3k8v9ab1c2d3e4f5g6h7i8j9k0"},
//		TokenUse: verifier.TokenUseAccess,
//	}}})
//	...
//	a, err := lambdaauth.New(v, lambdaauth.Config{Policy: verifier.Policy{AnyScopes: []string{"orders/read"}}})
//	...
//	lambda.Start(a.RESTToken) // or RESTRequest, HTTPSimple, HTTPIAM, AppSync
//
// Build the verifier and the Authorizer once, at cold start: the verifier
// keeps its key set and verified-token cache across invocations of a warm
// function.
//
// # Answers, per front door
//
// The verdict is the one every transport of cognitokit reaches (package
// auth's kinds); each front door has its own way to say it:
//
//	verdict                   REST (TOKEN, REQUEST)             HTTP API simple        HTTP API IAM       AppSync
//	valid, policy satisfied   Allow on the method (or Scope)    isAuthorized true      Allow              isAuthorized true
//	valid, policy refuses     Deny on the method: 403           isAuthorized false     Deny: 403          isAuthorized false
//	missing, bad or expired   error "Unauthorized": 401         isAuthorized false     Deny: 403          isAuthorized false: 401
//	keys unavailable          error: 500                        error: 500             error: 500         error
//
// "Unauthorized" is [ErrUnauthorized], returned unwrapped because API
// Gateway matches the message exactly. HTTP APIs have no way for an
// authorizer to answer 401 (they answer it themselves when the identity
// source is missing); a refused token gets 403.
//
// # When the keys are unavailable
//
// When the verifier cannot obtain the signing keys
// (verifier.ErrKeysUnavailable: the JWKS endpoint is down or unreachable),
// the token has not been judged, good or bad. Every handler then returns
// an error wrapping [ErrUnavailable]: API Gateway answers 500 and AppSync
// refuses the request, and neither caches the outcome, so the next request
// is judged afresh once the keys are back. It is never an Allow (which
// would let anyone in during an outage, and be cached), and never
// "Unauthorized" or a Deny (which would tell a caller with a good token to
// sign in again, and could be cached for the authorizer's TTL).
//
// # Caching
//
// API Gateway caches an authorizer's policy for the authorizer's TTL,
// keyed by the token (TOKEN) or the identity sources (REQUEST), and
// applies it to later calls of any method. With the default
// [ScopeMethod], a cached Allow for GET /orders then refuses POST /orders;
// [ScopeStage] and [ScopeAPI] allow the whole stage or API through a
// wildcard resource, for APIs whose methods all require the same policy.
// Keep the authorizer's TTL shorter than your tokens' lifetime: API
// Gateway cannot be told when a token expires. AppSync can: with
// Config.TTL, ttlOverride is capped at the seconds left before the
// token's exp, and refusals are answered with ttlOverride 0 so that they
// are not cached.
//
// # Context
//
// Allowed requests carry a context ([DefaultContext]: sub, username,
// client_id, token_use, scope, groups, email, as strings) that the
// integration reads ($context.authorizer.username in REST mapping
// templates, requestContext.authorizer.lambda.username for HTTP API
// Lambda integrations, $ctx.identity.resolverContext.username in AppSync).
// Config.Context adds entries. API Gateway accepts only strings, numbers
// and booleans there; an entry of another type is a programming error
// answered 500 ([ErrBadEvent]), never dropped silently. Denies carry
// {"reason": "<label>"} for gateway responses.
//
// # Tokens
//
// TOKEN and AppSync events carry the token in authorizationToken; REQUEST
// events (REST and HTTP API) in Config.Header, default Authorization,
// whose repeated or disagreeing values are refused. Either form is
// accepted: "Bearer <token>" or the bare token.
package lambdaauth
