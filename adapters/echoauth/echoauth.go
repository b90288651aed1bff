package echoauth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/alb"
)

// DefaultTokenLookup is the default of Config.TokenLookup.
const DefaultTokenLookup = "header:Authorization:Bearer "

// Config configures the middleware, following echo-jwt's conventions.
type Config struct {
	// Verifier verifies tokens. Required, unless ALB is set: a
	// *verifier.Verifier, or your own auth.TokenVerifier.
	Verifier auth.TokenVerifier

	// ALB switches to ALB mode, for a service behind an Application Load
	// Balancer whose listener rule authenticates users: instead of a
	// bearer token, the headers the ALB forwards are verified with
	// alb.Verifier.VerifyHeaders (the signed x-amzn-oidc-data, and the
	// access token when the verifier has Config.AccessTokens; never the
	// bare x-amzn-oidc-identity, which anyone reaching the service
	// directly can send). [ClaimsFromContext] and the route requirements
	// work as in bearer mode; alb.IdentityFromContext(c.Request().Context())
	// returns both sets of claims. Verifier, TokenLookup and Extractor
	// must then be empty. Optional.
	ALB *alb.Verifier

	// Skipper defines a function to skip the middleware (no token needed,
	// no claims set). Optional. Default: nil, never skip. A value of
	// echo's middleware.Skipper type is assignable.
	Skipper func(c echo.Context) bool

	// BeforeFunc runs before the token is extracted. Optional.
	BeforeFunc func(c echo.Context)

	// SuccessHandler runs after a token is verified and the claims are
	// set, before the next handler. Optional.
	SuccessHandler func(c echo.Context)

	// ErrorHandler is called with an *auth.Rejection (use errors.As, then
	// compare its Kind with auth.KindForbidden and the other kinds) when
	// the request is rejected, and its result is returned to Echo. Route
	// requirements ([Require] and friends) call it too. Call
	// [ErrorResponse] to get the default *echo.HTTPError with its headers.
	// Optional. Default: ErrorResponse.
	ErrorHandler func(c echo.Context, err error) error

	// ContinueOnIgnoredError: when ErrorHandler returns nil for a token
	// rejection, call the next handler (without claims) instead of ending
	// the request. Useful for routes where a token is optional. Route
	// requirements ([Require]) never continue. Optional. Default false.
	ContinueOnIgnoredError bool

	// TokenLookup lists where to look for the token, as
	// "<source>:<name>[:<prefix>]" separated by commas, with sources
	// header, cookie and query, such as
	// "header:Authorization:Bearer ,cookie:token". It is parsed once by
	// ToMiddleware. Every source is consulted: two values in one source,
	// or two sources that disagree, are rejected (400), and at most 8
	// sources are allowed. Optional. Default
	// "header:Authorization:Bearer ".
	TokenLookup string

	// Extractor, if set, is consulted after the TokenLookup sources; it
	// returns "" when it finds no token. Optional.
	Extractor func(c echo.Context) (string, error)

	// ContextKey, if set, is an echo.Context key under which the
	// *verifier.Claims are also stored (c.Get(key)), as echo-jwt stores
	// its token under "user". Optional. Default: not stored there, which
	// saves an allocation per request; [ClaimsFromContext] reads the
	// claims from the request context either way.
	ContextKey string

	// Policy is required of every token. Optional. Default: none.
	Policy verifier.Policy

	// Realm is the realm of the WWW-Authenticate challenge. Optional.
	// Default "api".
	Realm string

	// Optional lets requests without any token through with no claims.
	// Requests with a bad token are still rejected. Optional. Default
	// false.
	Optional bool

	// PreflightHandler answers CORS preflight requests (OPTIONS with an
	// Access-Control-Request-Method header). Browsers send preflights
	// without credentials, and any script can send one, so the middleware
	// never passes a preflight on to the route's handler, even for routes
	// registered with e.Any or e.Match with OPTIONS: it calls this
	// handler instead, which must answer the preflight, such as Echo's
	// CORS middleware around a handler returning c.NoContent(204).
	// Optional. Default: the middleware answers every preflight itself
	// with 204 No Content and no other header; browsers then refuse
	// cross-origin calls, the safe outcome when nobody configured CORS.
	// To allow them, set this field or register Echo's CORS middleware
	// before this one (e.Use(middleware.CORS()) first).
	PreflightHandler echo.HandlerFunc

	// AuthenticatePreflight makes preflights need a token like any other
	// request. Browsers never send one on a preflight, so they get 401
	// and cross-origin calls fail. It cannot be combined with
	// PreflightHandler. Optional. Default false.
	AuthenticatePreflight bool

	// RetryAfter is the Retry-After delay of 503 answers. Optional.
	// Default 10 s.
	RetryAfter time.Duration

	// Logger receives one record per rejection (reason, status, method,
	// path), never the token. Optional. Default: no logging.
	Logger *slog.Logger

	// OnDecision is called once for every request the middleware judges,
	// with nil when it may proceed (with claims, or anonymous under
	// Optional) and with the rejection otherwise, before ErrorHandler or
	// SuccessHandler; not for skipped requests and preflights, nor for
	// the route requirements ([Require] and friends), whose rejections go
	// to ErrorHandler. It is for metrics: it must be fast, and rej.Err
	// must not be recorded as a label. With otelcognito:
	//
	//	OnDecision: func(c echo.Context, rej *auth.Rejection) { tel.MiddlewareDecision(c.Request(), rej) }
	//
	// Optional.
	OnDecision func(c echo.Context, rej *auth.Rejection)
}

type authenticator struct {
	eng          *authcore.Engine
	lookup       authcore.Lookup
	extractor    func(echo.Context) (string, error)
	key          string
	skipper      func(echo.Context) bool
	before       func(echo.Context)
	success      func(echo.Context)
	onError      func(echo.Context, error) error
	continueOnIE bool
	optional     bool
	authPre      bool                                // AuthenticatePreflight
	preflight    echo.HandlerFunc                    // PreflightHandler; nil answers 204
	alb          *alb.Verifier                       // ALB mode: the forwarded headers, not a bearer token
	decided      func(echo.Context, *auth.Rejection) // OnDecision
}

// WithConfig returns the middleware for cfg and panics if cfg is invalid;
// use it for wiring in main, and [Config.ToMiddleware] elsewhere.
func WithConfig(cfg Config) echo.MiddlewareFunc {
	mw, err := cfg.ToMiddleware()
	if err != nil {
		panic(err)
	}
	return mw
}

// ToMiddleware validates cfg, fills in the defaults, parses TokenLookup
// and returns the middleware. Errors wrap [ErrInvalidConfig].
func (cfg Config) ToMiddleware() (echo.MiddlewareFunc, error) {
	v := cfg.Verifier
	if cfg.ALB != nil {
		if cfg.Verifier != nil || cfg.TokenLookup != "" || cfg.Extractor != nil {
			return nil, fmt.Errorf("echoauth: %w: ALB is set together with Verifier, TokenLookup or Extractor; behind an ALB the identity comes from its signed headers, so leave those empty", ErrInvalidConfig)
		}
		v = cfg.ALB
	}
	eng, err := authcore.NewEngine(v, authcore.Options{Policy: cfg.Policy, Realm: cfg.Realm, RetryAfter: cfg.RetryAfter, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("echoauth: %w", err)
	}
	lookup := cfg.TokenLookup
	if lookup == "" {
		lookup = DefaultTokenLookup
	}
	sources, err := authcore.ParseLookup(lookup)
	if err != nil {
		return nil, fmt.Errorf("echoauth: %w", err)
	}
	if cfg.AuthenticatePreflight && cfg.PreflightHandler != nil {
		return nil, fmt.Errorf("echoauth: %w: AuthenticatePreflight and PreflightHandler are both set; choose one (a preflight cannot be both authenticated and answered by the CORS handler)", ErrInvalidConfig)
	}
	a := &authenticator{eng: eng, lookup: authcore.Lookup{Sources: sources}, extractor: cfg.Extractor, key: cfg.ContextKey,
		skipper: cfg.Skipper, before: cfg.BeforeFunc, success: cfg.SuccessHandler, onError: cfg.ErrorHandler,
		continueOnIE: cfg.ContinueOnIgnoredError, optional: cfg.Optional, authPre: cfg.AuthenticatePreflight,
		preflight: cfg.PreflightHandler, alb: cfg.ALB, decided: cfg.OnDecision}
	return a.middleware, nil
}

func (a *authenticator) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a.skipper != nil && a.skipper(c) {
			// No claims, but the mark that this middleware ran, so that
			// route requirements answer 401, not "no middleware".
			r := c.Request()
			ctx, _ := authcore.NewContext(r.Context(), nil, a.eng, a)
			c.SetRequest(r.WithContext(ctx))
			return next(c)
		}
		r := c.Request()
		if !a.authPre && authcore.IsPreflight(r) {
			// Never the route's handler: the configured CORS handler, or 204.
			if a.preflight != nil {
				return a.preflight(c)
			}
			return c.NoContent(http.StatusNoContent)
		}
		if a.before != nil {
			a.before(c)
		}
		ctx := r.Context()
		var (
			tok authcore.Token
			err error
			id  *alb.Identity
		)
		if a.alb != nil {
			id, err = a.alb.VerifyHeaders(ctx, r.Header)
		} else {
			tok, err = a.lookup.Extract(r)
			if a.extractor != nil && (err == nil || err == authcore.ErrNoToken) {
				tok, err = a.custom(c, tok, err)
			}
		}
		var claims *verifier.Claims
		if !a.optional || err == nil || !errors.Is(err, authcore.ErrNoToken) {
			var rej *auth.Rejection
			if a.alb != nil {
				claims, rej = a.eng.Judge(ctx, id.Claims(), err)
			} else {
				claims, rej = a.eng.Authenticate(ctx, tok, err)
			}
			if a.decided != nil {
				a.decided(c, rej)
			}
			if rej != nil {
				a.eng.Log(ctx, rej, slog.String("method", r.Method), slog.String("path", r.URL.Path))
				if a.onError == nil {
					return ErrorResponse(c, rej)
				}
				if herr := a.onError(c, rej); herr != nil || !a.continueOnIE {
					return herr
				}
				// Continue without claims, but with this middleware's
				// state, so route requirements answer with its realm and
				// ErrorHandler.
				ctx, _ = authcore.NewContext(ctx, nil, a.eng, a)
				c.SetRequest(r.WithContext(ctx))
				return next(c)
			}
			if a.key != "" {
				c.Set(a.key, claims)
			}
		} else if a.decided != nil { // anonymous under Optional
			a.decided(c, nil)
		}
		ctx, st := authcore.NewContext(ctx, claims, a.eng, a)
		if id != nil && claims != nil {
			st.Extra = id
		}
		c.SetRequest(r.WithContext(ctx))
		if a.success != nil && claims != nil {
			a.success(c)
		}
		return next(c)
	}
}

func (a *authenticator) custom(c echo.Context, tok authcore.Token, err error) (authcore.Token, error) {
	t, cerr := a.extractor(c)
	switch {
	case cerr != nil:
		return authcore.Token{}, cerr
	case t == "":
		return tok, err
	case err == nil && t != tok.Value:
		return authcore.Token{}, fmt.Errorf("%w: the custom extractor disagrees with TokenLookup", authcore.ErrAmbiguousToken)
	case err == nil:
		return tok, nil // the same token, from a header too
	}
	return authcore.Token{Value: t}, nil
}

// ErrorResponse turns a rejection into Echo's error: it sets the
// WWW-Authenticate (or Retry-After) header on the response and returns an
// *echo.HTTPError with the rejection's status, the default JSON body
// {"error": ..., "error_description": ...} as Message, and the rejection
// as Internal. Errors that are not a *Rejection are returned unchanged.
func ErrorResponse(c echo.Context, err error) error {
	var rej *auth.Rejection
	if !errors.As(err, &rej) {
		return err
	}
	h := c.Response().Header()
	if rej.Challenge != "" {
		h.Set(echo.HeaderWWWAuthenticate, rej.Challenge)
	}
	if rej.RetryAfter > 0 {
		h.Set(echo.HeaderRetryAfter, strconv.Itoa(rej.RetryAfter))
	}
	h.Set(echo.HeaderCacheControl, "no-store")
	return &echo.HTTPError{Code: rej.Status, Message: authcore.DefaultBody(rej), Internal: rej}
}

// ClaimsFromContext returns the verified claims of the request, set by
// the middleware. It returns false for anonymous and skipped requests, and
// for routes the middleware does not cover. Check it: the claims are nil
// when it is false. The claims are read-only: they are shared with every
// request that presents the same token (see verifier.Claims; Clone gives a
// copy you may change).
func ClaimsFromContext(c echo.Context) (*verifier.Claims, bool) {
	return authcore.ClaimsFromContext(c.Request().Context())
}

// Claims returns the verified claims of the request.
//
// Deprecated: use ClaimsFromContext, the name every transport uses.
func Claims(c echo.Context) (*verifier.Claims, bool) {
	return ClaimsFromContext(c)
}

// ClaimsAs decodes the verified payload into a caller-defined type T once
// per request (with encoding/json); later calls return the cached value,
// which callers must treat as read-only. It fails with auth.ErrNoClaims
// when the request has no claims.
func ClaimsAs[T any](c echo.Context) (*T, error) {
	return authcore.ClaimsAs[T](c.Request().Context())
}
