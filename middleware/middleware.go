package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/alb"
)

// Config configures the middleware built by [New]. The zero value is a
// documented default for every field.
type Config struct {
	// Policy is required of every token, on top of the verifier's own
	// checks. Routes add their own with [Require] and friends. Optional.
	// Default: none.
	Policy verifier.Policy

	// Realm is the realm of the WWW-Authenticate challenge. Optional.
	// Default "api".
	Realm string

	// Cookie, if set, is the name of a cookie that may carry the token
	// instead of the Authorization header. A header and a cookie that
	// disagree are rejected. Optional. Default: no cookie.
	Cookie string

	// QueryParam, if set, is the name of a query parameter that may carry
	// the token. Tokens in URLs end up in logs and browser history (RFC
	// 6750 section 5.3); enable this only for clients that cannot send
	// headers, such as EventSource. Optional. Default: disabled.
	QueryParam string

	// Extractor, if set, is consulted after the header, cookie and query
	// sources. It returns "" when it finds no token; an error rejects the
	// request (wrap auth.ErrNoToken, auth.ErrAmbiguousToken or auth.ErrBadAuthorization
	// to choose the answer; other errors are answered 401). Optional.
	Extractor func(r *http.Request) (string, error)

	// Optional lets requests without any token through with no claims in
	// the context. Requests with a bad token are still rejected. Optional.
	// Default false: a token is required.
	Optional bool

	// Skipper, if set, lets the requests it returns true for through
	// without authentication (and without claims). Optional.
	Skipper func(r *http.Request) bool

	// PreflightHandler answers CORS preflight requests (OPTIONS with an
	// Access-Control-Request-Method header). Browsers send preflights
	// without credentials, and any script can send one, so the middleware
	// never passes a preflight on to the application: it hands it to this
	// handler, which must be a CORS handler that answers it (such as
	// rs/cors's Handler wrapped around a handler that is not your
	// application). Optional. Default: the middleware answers every
	// preflight itself with 204 No Content and no other header; browsers
	// then refuse cross-origin calls, the safe outcome when nobody
	// configured CORS. To allow them, set this field or put your CORS
	// handler in front of the middleware.
	PreflightHandler http.Handler

	// AuthenticatePreflight makes preflights need a token like any other
	// request. Browsers never send one on a preflight, so they get 401
	// and cross-origin calls fail; this is for non-browser clients that
	// send OPTIONS with credentials. It cannot be combined with
	// PreflightHandler. Optional. Default false.
	AuthenticatePreflight bool

	// ErrorHandler, if set, answers rejected requests instead of the
	// default RFC 6750 response. rej.Challenge and rej.RetryAfter hold the
	// headers the default would send. Optional.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, rej *auth.Rejection)

	// ErrorBody, if set, returns the value marshaled as the JSON body of
	// the default error response; nil sends no body. Optional. Default:
	// {"error": "<code>", "error_description": "<description>"}.
	ErrorBody func(rej *auth.Rejection) any

	// RetryAfter is the Retry-After delay sent with 503 when the keys are
	// unavailable. Optional. Default 10 s.
	RetryAfter time.Duration

	// Logger receives one record per rejection with the reason, status,
	// method and path; never the token. Optional. Default: no logging.
	Logger *slog.Logger

	// OnDecision is called once for every request the middleware judges,
	// with nil when it may proceed (with claims, or anonymous under
	// Optional) and with the rejection otherwise, before the answer is
	// written; not for skipped requests and preflights. It is for metrics
	// (otelcognito.Telemetry.MiddlewareDecision): it must be fast, and
	// rej.Err must not be recorded as a label. Optional.
	OnDecision func(r *http.Request, rej *auth.Rejection)
}

// authenticator is one configured middleware.
type authenticator struct {
	eng       *authcore.Engine
	lookup    authcore.Lookup
	optional  bool
	skipper   func(*http.Request) bool
	authPre   bool         // AuthenticatePreflight
	preflight http.Handler // PreflightHandler; nil answers 204
	onError   func(http.ResponseWriter, *http.Request, *auth.Rejection)
	body      func(*auth.Rejection) any
	alb       *alb.Verifier                        // ALB mode (NewALB): the forwarded headers, not a bearer token
	decided   func(*http.Request, *auth.Rejection) // OnDecision
}

// New returns the authentication middleware: it extracts the bearer
// token, verifies it with v, applies cfg.Policy, and calls the next
// handler with the claims in the request context ([ClaimsFromContext]).
// Rejected requests get 400, 401, 403 or 503 as described in the package
// documentation. Errors wrap [ErrInvalidConfig].
func New(v auth.TokenVerifier, cfg Config) (func(http.Handler) http.Handler, error) {
	a, err := newAuthenticator(v, cfg)
	if err != nil {
		return nil, err
	}
	return a.wrap, nil
}

func newAuthenticator(v auth.TokenVerifier, cfg Config) (*authenticator, error) {
	eng, err := authcore.NewEngine(v, authcore.Options{Policy: cfg.Policy, Realm: cfg.Realm, RetryAfter: cfg.RetryAfter, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("middleware: %w", err)
	}
	if err := authcore.ValidateName("Cookie", cfg.Cookie); err != nil {
		return nil, fmt.Errorf("middleware: %w", err)
	}
	if err := authcore.ValidateName("QueryParam", cfg.QueryParam); err != nil {
		return nil, fmt.Errorf("middleware: %w", err)
	}
	if cfg.AuthenticatePreflight && cfg.PreflightHandler != nil {
		return nil, fmt.Errorf("middleware: %w: AuthenticatePreflight and PreflightHandler are both set; choose one (a preflight cannot be both authenticated and answered by the CORS handler)", ErrInvalidConfig)
	}
	a := &authenticator{eng: eng, optional: cfg.Optional, skipper: cfg.Skipper, authPre: cfg.AuthenticatePreflight,
		preflight: cfg.PreflightHandler, onError: cfg.ErrorHandler, body: cfg.ErrorBody, decided: cfg.OnDecision}
	a.lookup.Sources = []authcore.Source{authcore.AuthorizationBearer}
	if cfg.Cookie != "" {
		a.lookup.Sources = append(a.lookup.Sources, authcore.Source{Kind: authcore.SourceCookie, Name: cfg.Cookie})
	}
	if cfg.QueryParam != "" {
		a.lookup.Sources = append(a.lookup.Sources, authcore.Source{Kind: authcore.SourceQuery, Name: cfg.QueryParam})
	}
	a.lookup.Custom = cfg.Extractor
	return a, nil
}

func (a *authenticator) wrap(next http.Handler) http.Handler {
	if next == nil {
		panic("middleware: nil next handler")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.skipper != nil && a.skipper(r) {
			// No claims, but the mark that this middleware ran, so that
			// route requirements answer 401, not "no middleware".
			ctx, _ := authcore.NewContext(r.Context(), nil, a.eng, a)
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if !a.authPre && authcore.IsPreflight(r) {
			// Never the application: the configured CORS handler, or 204.
			if a.preflight != nil {
				a.preflight.ServeHTTP(w, r)
			} else {
				w.WriteHeader(http.StatusNoContent)
			}
			return
		}
		if a.alb != nil {
			a.serveALB(w, r, next)
			return
		}
		ctx := r.Context()
		tok, err := a.lookup.Extract(r)
		if a.optional && err != nil && errors.Is(err, authcore.ErrNoToken) {
			if a.decided != nil {
				a.decided(r, nil)
			}
			ctx, _ = authcore.NewContext(ctx, nil, a.eng, a)
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		claims, rej := a.eng.Authenticate(ctx, tok, err)
		if a.decided != nil {
			a.decided(r, rej)
		}
		if rej != nil {
			a.reject(w, r, rej)
			return
		}
		ctx, _ = authcore.NewContext(ctx, claims, a.eng, a)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (a *authenticator) reject(w http.ResponseWriter, r *http.Request, rej *auth.Rejection) {
	a.eng.Log(r.Context(), rej, slog.String("method", r.Method), slog.String("path", r.URL.Path))
	if a.onError != nil {
		a.onError(w, r, rej)
		return
	}
	writeRejection(w, rej, a.body)
}

// writeRejection writes the default RFC 6750 response.
func writeRejection(w http.ResponseWriter, rej *auth.Rejection, bodyFn func(*auth.Rejection) any) {
	h := w.Header()
	if rej.Challenge != "" {
		h.Set("WWW-Authenticate", rej.Challenge)
	}
	if rej.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(rej.RetryAfter))
	}
	h.Set("Cache-Control", "no-store")
	var body any
	if bodyFn != nil {
		body = bodyFn(rej)
	} else {
		body = DefaultErrorBody(rej)
	}
	if body == nil {
		w.WriteHeader(rej.Status)
		return
	}
	b, err := json.Marshal(body)
	if err != nil {
		b = []byte(`{"error":"server_error"}`)
	}
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(rej.Status)
	w.Write(append(b, '\n'))
}

// DefaultErrorBody returns the default JSON body of a rejection:
// {"error": "<code>", "error_description": "<description>"}, where the
// code is "unauthorized" for a request without credentials.
func DefaultErrorBody(rej *auth.Rejection) any {
	return authcore.DefaultBody(rej)
}

// WriteError writes the default response for rej: its status, the
// WWW-Authenticate and Retry-After headers, Cache-Control: no-store and
// the default JSON body. Custom error handlers can call it after adding
// their own headers.
func WriteError(w http.ResponseWriter, rej *auth.Rejection) {
	writeRejection(w, rej, nil)
}

// ClaimsFromContext returns the verified claims the middleware (or the
// echoauth or grpcauth adapter) stored in ctx. It returns false for an
// anonymous request let through by Config.Optional, a skipped request, a
// context that never passed through the middleware, and a nil ctx. Check
// it: the claims are nil when it is false. The claims are read-only: they
// are shared with every request that presents the same token (see
// verifier.Claims; Clone gives a copy you may change).
func ClaimsFromContext(ctx context.Context) (*verifier.Claims, bool) {
	return authcore.ClaimsFromContext(ctx)
}

// ClaimsAs decodes the verified token payload into a caller-defined type T
// (with encoding/json, so use `json:"custom:tenant"` tags). The value is
// decoded once per request and cached; later calls with the same T return
// the same pointer, which callers must treat as read-only. It fails with
// auth.ErrNoClaims when ctx holds no claims, and with auth.ErrInvalidInput
// for a nil ctx.
func ClaimsAs[T any](ctx context.Context) (*T, error) {
	return authcore.ClaimsAs[T](ctx)
}
