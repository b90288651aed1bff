package lambdaauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// ErrUnauthorized is the error the REST API handlers return for a request
// without a valid token. API Gateway answers 401 only for an error whose
// message is exactly "Unauthorized", so this value must be returned
// unwrapped; the handlers do.
var ErrUnauthorized = errors.New("Unauthorized") //nolint:staticcheck // the exact message API Gateway matches

// ErrUnavailable is wrapped by the error the handlers return when the
// token could not be judged because the signing keys are unavailable
// (verifier.ErrKeysUnavailable). API Gateway turns a Lambda error other
// than "Unauthorized" into a 500 answer and AppSync refuses the request;
// neither caches it. It is never an Allow.
var ErrUnavailable = errors.New("lambdaauth: the token cannot be verified right now (signing keys unavailable)")

// ErrInvalidConfig is wrapped by every error [New] returns. It is the same
// value as middleware.ErrInvalidConfig.
var ErrInvalidConfig = authcore.ErrInvalidConfig

// ErrBadEvent is wrapped by the error a handler returns for an event it
// cannot answer, such as a methodArn that is not an execute-api ARN. API
// Gateway answers it 500: it is a configuration problem, not the caller's.
var ErrBadEvent = errors.New("lambdaauth: malformed authorizer event")

// Scope is the resource an Allow policy of the REST API handlers (and
// [Authorizer.HTTPIAM]) names.
type Scope uint8

// Scopes.
const (
	// ScopeMethod allows the method of the request only: the event's
	// methodArn (routeArn). API Gateway caches the policy under the token
	// (TOKEN) or the identity sources (REQUEST) and applies the cached
	// policy to later calls of other methods too, which it then refuses
	// (403) until the cache entry expires; use it with caching disabled,
	// or with ScopeStage or ScopeAPI.
	ScopeMethod Scope = iota
	// ScopeStage allows every method of the stage:
	// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/*.
	ScopeStage
	// ScopeAPI allows every method of every stage of the API:
	// arn:aws:execute-api:{region}:{account}:{apiId}/*.
	ScopeAPI
)

// Config configures an [Authorizer]. The zero value is a working default.
type Config struct {
	// Policy is required of every token (groups, scopes, a custom check),
	// on top of the verifier's own checks. A token that fails it is
	// denied (403), never answered 401. Optional. Default: none.
	Policy verifier.Policy

	// Scope is the resource of Allow policies. Optional. Default
	// ScopeMethod. ScopeStage and ScopeAPI let API Gateway's authorizer
	// cache serve every method with one answer; use them only when every
	// method behind the authorizer requires the same Policy.
	Scope Scope

	// Header is the header that carries the token in REQUEST events
	// (REST and HTTP API), as "Bearer <token>" or the bare token.
	// Optional. Default "Authorization". TOKEN events carry it in
	// authorizationToken, AppSync events in authorizationToken too.
	Header string

	// Context returns extra entries for the context of the answer (the
	// REST and HTTP API context, AppSync's resolverContext), added to the
	// defaults (see [DefaultContext]); an entry set to nil removes a
	// default. Values must be strings, booleans or numbers: API Gateway
	// rejects objects and arrays, and an authorizer answering with one
	// fails with ErrBadEvent (500). Optional.
	Context func(c *verifier.Claims) map[string]any

	// DeniedFields returns the GraphQL fields AppSync must refuse to this
	// caller even though the request is authorized, such as
	// "Mutation.deleteUser" or a full field ARN. Optional.
	DeniedFields func(c *verifier.Claims) []string

	// TTL is AppSync's ttlOverride: how long AppSync caches an
	// authorization, capped at the time left before the token expires.
	// Optional. Default 0: no override, and AppSync uses the API's
	// authorizerResultTtlInSeconds, which can outlive the token; set it
	// when caching is on. At most 1 h, AppSync's limit.
	TTL time.Duration

	// Now is the clock for the TTL cap. Optional. Default time.Now.
	Now func() time.Time

	// Logger receives one record per rejection (reason, front door),
	// never the token. Optional. Default: no logging.
	Logger *slog.Logger
}

// Authorizer holds the handlers of the three front doors. It is immutable
// and safe for concurrent use; build one at cold start and share it.
type Authorizer struct {
	eng     *authcore.Engine
	scope   Scope
	header  string
	context func(*verifier.Claims) map[string]any
	denied  func(*verifier.Claims) []string
	ttl     time.Duration
	now     func() time.Time
}

// New returns an Authorizer verifying tokens with v. Errors wrap
// [ErrInvalidConfig].
func New(v auth.TokenVerifier, cfg Config) (*Authorizer, error) {
	eng, err := authcore.NewEngine(v, authcore.Options{Policy: cfg.Policy, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("lambdaauth: %w", err)
	}
	a := &Authorizer{eng: eng, scope: cfg.Scope, header: cfg.Header, context: cfg.Context, denied: cfg.DeniedFields, ttl: cfg.TTL, now: cfg.Now}
	if a.scope > ScopeAPI {
		return nil, fmt.Errorf("lambdaauth: %w: Scope %d is unknown; use ScopeMethod, ScopeStage or ScopeAPI", ErrInvalidConfig, cfg.Scope)
	}
	if a.header == "" {
		a.header = "Authorization"
	}
	if err := authcore.ValidateName("Header", a.header); err != nil {
		return nil, fmt.Errorf("lambdaauth: %w", err)
	}
	if cfg.TTL < 0 || cfg.TTL > time.Hour {
		return nil, fmt.Errorf("lambdaauth: %w: TTL %v is outside [0, 1h]", ErrInvalidConfig, cfg.TTL)
	}
	if a.now == nil {
		a.now = time.Now
	}
	return a, nil
}

// verdict verifies token (extracted with extractErr) and applies the
// policy.
func (a *Authorizer) verdict(ctx context.Context, token string, extractErr error, door string) (*verifier.Claims, *auth.Rejection) {
	if ctx == nil {
		ctx = context.Background() // the Lambda runtime always passes one
	}
	c, rej := a.eng.Authenticate(ctx, authcore.Token{Value: token}, extractErr) // bearer checked it holds one credential
	if rej != nil {
		a.eng.Log(ctx, rej, slog.String("front_door", door))
	}
	return c, rej
}

// bearer reads a token from an Authorization-style value: "Bearer <token>"
// or the bare token.
func bearer(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", auth.ErrNoToken
	}
	tok, ok, err := authcore.ParseBearer(v, "Bearer ")
	switch {
	case err != nil:
		return "", err
	case ok:
		if err := authcore.BearerToken(tok).Single(); err != nil {
			return "", err
		}
		return tok, nil
	case strings.ContainsAny(v, " \t,"):
		return "", fmt.Errorf("%w: the value holds a scheme other than Bearer, or more than one credential", auth.ErrBadAuthorization)
	}
	return v, nil
}

// headerValue returns the one value of header name from a single-value
// and an optional multi-value header map, matching names ignoring case.
// Two values are ambiguous.
func headerValue(name string, single map[string]string, multi map[string][]string) (string, error) {
	var vals []string
	for k, vs := range multi {
		if strings.EqualFold(k, name) {
			vals = append(vals, vs...)
		}
	}
	if len(vals) > 1 {
		return "", fmt.Errorf("%w: %d %s headers", auth.ErrAmbiguousToken, len(vals), name)
	}
	found := ""
	n := 0
	for k, v := range single {
		if strings.EqualFold(k, name) {
			found = v
			n++
		}
	}
	if n > 1 {
		return "", fmt.Errorf("%w: %s appears under several spellings", auth.ErrAmbiguousToken, name)
	}
	if len(vals) == 1 && n == 1 && vals[0] != found {
		return "", fmt.Errorf("%w: the %s header disagrees with itself", auth.ErrAmbiguousToken, name)
	}
	if n == 0 && len(vals) == 1 {
		found = vals[0]
	}
	return found, nil
}

// DefaultContext returns the context entries every answer carries: sub,
// username, client_id, token_use, scope (space-separated), groups
// (comma-separated) and email, each only when present. Values are strings,
// as API Gateway and AppSync accept them; read them in a mapping template
// as $context.authorizer.sub, in a Lambda proxy integration as
// requestContext.authorizer.sub (REST) or
// requestContext.authorizer.lambda.sub (HTTP API), and in AppSync as
// $ctx.identity.resolverContext.sub.
func DefaultContext(c *verifier.Claims) map[string]any {
	m := make(map[string]any, 7)
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	put("sub", c.Subject)
	put("username", c.Username)
	put("client_id", c.ClientID)
	put("token_use", string(c.TokenUse))
	put("scope", strings.Join(c.Scopes, " "))
	put("groups", strings.Join(c.Groups, ","))
	put("email", c.Email)
	return m
}

// contextFor builds the context of an answer: the defaults plus the
// configured entries, checked against what API Gateway accepts.
func (a *Authorizer) contextFor(c *verifier.Claims) (map[string]any, error) {
	m := DefaultContext(c)
	if a.context == nil {
		return m, nil
	}
	for k, v := range a.context(c) {
		if k == "" {
			return nil, fmt.Errorf("%w: Config.Context returned an empty key", ErrBadEvent)
		}
		switch x := v.(type) {
		case nil:
			delete(m, k)
			continue
		case string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		case float32:
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("%w: Config.Context entry %q is not a finite number", ErrBadEvent, k)
			}
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("%w: Config.Context entry %q is not a finite number", ErrBadEvent, k)
			}
		default:
			return nil, fmt.Errorf("%w: Config.Context entry %q is a %T; API Gateway and AppSync accept only strings, numbers and booleans", ErrBadEvent, k, v)
		}
		m[k] = v
	}
	return m, nil
}

// unavailable is the error for a rejection of kind unavailable.
func unavailable(rej *auth.Rejection) error {
	return fmt.Errorf("%w: %w", ErrUnavailable, rej.Err)
}
