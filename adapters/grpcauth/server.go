package grpcauth

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// Config configures an [Authenticator]. The zero value authenticates every
// method and requires nothing beyond a valid token.
type Config struct {
	// Policy is required of tokens for methods that have no entry in
	// Methods. Optional. Default: none (any valid token).
	Policy verifier.Policy

	// Methods maps a full method name ("/orders.v1.Orders/Get") or a
	// service prefix ("/orders.v1.Orders/") to the policy that replaces
	// Policy for it, such as RequireAnyScope("orders/read"). The exact
	// name wins over a prefix, and the longest prefix over shorter ones.
	// Optional.
	Methods map[string]verifier.Policy

	// Public lists full method names and service prefixes that need no
	// token, such as "/grpc.health.v1.Health/" and
	// "/grpc.reflection.v1.ServerReflection/". Their handlers run without
	// claims; a token sent to them is ignored. Optional.
	Public []string

	// RetryAfter is the retry delay attached (as a google.rpc.RetryInfo
	// detail) to codes.Unavailable when the keys are unavailable.
	// Optional. Default 10 s.
	RetryAfter time.Duration

	// KeepExpiredStreams lets a stream run on after the token it was
	// authenticated with expires. Optional. Default false: a stream is
	// authenticated when it starts and ends at its token's exp (by Now):
	// the handler's context is cancelled with a cause matching
	// verifier.ErrExpired, the stream passes no message in either
	// direction from then on, and the client gets codes.Unauthenticated
	// ("The token has expired.") and reconnects with a fresh token. A
	// token already past its exp by Now when the stream starts (accepted
	// within the verifier's Leeway) ends the stream before the handler
	// runs. Set it only for streams that must outlive a token (Cognito
	// access tokens live 5 minutes to 1 day) and that carry nothing a
	// revoked user may not see.
	KeepExpiredStreams bool

	// Now is the clock that decides when a stream's token expires.
	// Optional. Default time.Now. Pass the verifier's clock if it has
	// one.
	Now func() time.Time

	// Logger receives one record per rejection (reason, code, method),
	// never the token, and one per stream ended by its token's expiry.
	// Optional. Default: no logging.
	Logger *slog.Logger

	// OnDecision is called once for every call [Authenticator.Authenticate]
	// judges (so for every unary call and every stream the interceptors
	// or AuthFunc see), with nil when it may proceed and with the
	// rejection otherwise, including a failure of the method's policy
	// (Methods or Policy; rej.Kind auth.KindForbidden), before the status
	// is returned; not for Public methods. A stream later ended by its
	// token's expiry is not reported again. It is for metrics: it must be
	// fast, and rej.Err must not be recorded as a label. Optional.
	OnDecision func(ctx context.Context, fullMethod string, rej *auth.Rejection)
}

type rule struct {
	policy    verifier.Policy
	hasPolicy bool
	public    bool
}

type prefixRule struct {
	prefix string
	rule   *rule
}

// Authenticator holds the server interceptors and the [AuthFunc]. It is
// immutable and safe for concurrent use.
type Authenticator struct {
	eng      *authcore.Engine
	exact    map[string]*rule
	prefixes []prefixRule // longest first
	def      *rule
	retry    *status.Status // template for Unavailable, with RetryInfo
	keep     bool           // KeepExpiredStreams
	now      func() time.Time
	expired  *auth.Rejection                                // a stream outlived its token
	expErr   error                                          // the status error of expired
	decided  func(context.Context, string, *auth.Rejection) // OnDecision
}

// New validates cfg and returns an Authenticator verifying tokens with v.
// Errors wrap [ErrInvalidConfig].
func New(v auth.TokenVerifier, cfg Config) (*Authenticator, error) {
	eng, err := authcore.NewEngine(v, authcore.Options{RetryAfter: cfg.RetryAfter, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("grpcauth: %w", err)
	}
	if err := authcore.ValidatePolicy(cfg.Policy); err != nil {
		return nil, fmt.Errorf("grpcauth: Policy: %w", err)
	}
	a := &Authenticator{eng: eng, exact: map[string]*rule{},
		def:  &rule{policy: cfg.Policy, hasPolicy: !cfg.Policy.IsZero()},
		keep: cfg.KeepExpiredStreams, now: cfg.Now, decided: cfg.OnDecision}
	if a.now == nil {
		a.now = time.Now
	}
	a.expired = eng.Reject(errStreamExpired)
	a.expErr = a.statusErr(a.expired)
	add := func(name string, r *rule) error {
		prefix, err := methodKey(name)
		if err != nil {
			return err
		}
		if prefix {
			for _, p := range a.prefixes {
				if p.prefix == name {
					return fmt.Errorf("%w: grpcauth: %q is listed twice (Methods and Public?)", ErrInvalidConfig, name)
				}
			}
			a.prefixes = append(a.prefixes, prefixRule{name, r})
			return nil
		}
		if a.exact[name] != nil {
			return fmt.Errorf("%w: grpcauth: %q is listed twice (Methods and Public?)", ErrInvalidConfig, name)
		}
		a.exact[name] = r
		return nil
	}
	for _, name := range slices.Sorted(mapKeys(cfg.Methods)) {
		p := cfg.Methods[name]
		if err := authcore.ValidatePolicy(p); err != nil {
			return nil, fmt.Errorf("grpcauth: Methods[%q]: %w", name, err)
		}
		if err := add(name, &rule{policy: p, hasPolicy: !p.IsZero()}); err != nil {
			return nil, err
		}
	}
	for _, name := range cfg.Public {
		if err := add(name, &rule{public: true}); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(a.prefixes, func(x, y prefixRule) int { return len(y.prefix) - len(x.prefix) })
	ra := cfg.RetryAfter
	if ra == 0 {
		ra = authcore.DefaultRetryAfter
	}
	st := status.New(codes.Unavailable, "The token cannot be verified right now; retry later.")
	if withRetry, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(ra)}); err == nil {
		st = withRetry
	}
	a.retry = st
	return a, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// methodKey validates a Methods or Public key and reports whether it is a
// service prefix.
func methodKey(name string) (prefix bool, err error) {
	bad := func() (bool, error) {
		return false, fmt.Errorf("%w: grpcauth: method %q must be a full method name \"/package.Service/Method\" or a service prefix \"/package.Service/\"", ErrInvalidConfig, name)
	}
	if len(name) > 512 || !strings.HasPrefix(name, "/") {
		return bad()
	}
	svc, method, ok := strings.Cut(name[1:], "/")
	if !ok || svc == "" || strings.Contains(method, "/") || strings.ContainsAny(name, " \t\r\n") {
		return bad()
	}
	return method == "", nil
}

func (a *Authenticator) ruleFor(method string) *rule {
	if r := a.exact[method]; r != nil {
		return r
	}
	for _, p := range a.prefixes {
		if strings.HasPrefix(method, p.prefix) {
			return p.rule
		}
	}
	return a.def
}

// Authenticate authenticates a call of fullMethod: public methods pass
// unchanged; otherwise it reads the "authorization" metadata, verifies the
// Bearer token, applies the method's policy and returns a context carrying
// the claims. Errors are status errors: codes.Unauthenticated for a
// missing or bad token, codes.PermissionDenied for a policy failure and
// codes.Unavailable (with a RetryInfo detail) when the keys are
// unavailable. A nil ctx is codes.Internal, with an error wrapping
// auth.ErrInvalidInput.
func (a *Authenticator) Authenticate(ctx context.Context, fullMethod string) (context.Context, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	r := a.ruleFor(fullMethod)
	if r.public {
		return ctx, nil
	}
	tok, err := tokenFromMetadata(ctx)
	claims, rej := a.eng.Authenticate(ctx, tok, err)
	if rej == nil && r.hasPolicy {
		rej = a.eng.Check(ctx, claims, r.policy)
	}
	if a.decided != nil {
		a.decided(ctx, fullMethod, rej)
	}
	if rej != nil {
		a.eng.Log(ctx, rej, slog.String("grpc.method", fullMethod), slog.String("grpc.code", code(rej).String()))
		return nil, a.statusErr(rej)
	}
	ctx, _ = authcore.NewContext(ctx, claims, a.eng, nil)
	return ctx, nil
}

func code(rej *auth.Rejection) codes.Code {
	switch rej.Kind {
	case auth.KindForbidden:
		return codes.PermissionDenied
	case auth.KindUnavailable:
		return codes.Unavailable
	}
	return codes.Unauthenticated
}

func (a *Authenticator) statusErr(rej *auth.Rejection) error {
	if rej.Kind == auth.KindUnavailable {
		return a.retry.Err()
	}
	msg := rej.Description
	if len(rej.Scopes) > 0 {
		msg += " Needed scope: " + strings.Join(rej.Scopes, " ") + "."
	}
	return status.Error(code(rej), msg)
}

// tokenFromMetadata reads the Bearer token of the call's "authorization"
// metadata. metadata.ValueFromIncomingContext reads that one key, where
// metadata.FromIncomingContext would copy the whole map.
func tokenFromMetadata(ctx context.Context) (authcore.Token, error) {
	vals := metadata.ValueFromIncomingContext(ctx, "authorization")
	switch len(vals) {
	case 0:
		return authcore.Token{}, authcore.ErrNoToken
	case 1:
	default:
		return authcore.Token{}, fmt.Errorf("%w: %d authorization metadata values", authcore.ErrAmbiguousToken, len(vals))
	}
	tok, ok, err := authcore.ParseBearer(vals[0], "Bearer ")
	if err != nil {
		return authcore.Token{}, err
	}
	if !ok {
		return authcore.Token{}, authcore.ErrNoToken
	}
	return authcore.BearerToken(tok), nil
}

// AuthFunc has the type of go-grpc-middleware v2's auth.AuthFunc, for
// users of that interceptor chain:
//
//	auth.UnaryServerInterceptor(a.AuthFunc)
//
// It finds the method with grpc.Method, so per-method policies and public
// methods work as with the interceptors of this package; outside a gRPC
// server context it applies the default Policy.
func (a *Authenticator) AuthFunc(ctx context.Context) (context.Context, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	method, _ := grpc.Method(ctx)
	return a.Authenticate(ctx, method)
}

// UnaryServerInterceptor returns the unary server interceptor.
func (a *Authenticator) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := a.Authenticate(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor returns the stream server interceptor; the
// handler's stream returns the context with the claims. Unless
// Config.KeepExpiredStreams is set, the stream ends when its token
// expires: see the package documentation.
func (a *Authenticator) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := a.Authenticate(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		if ctx == ss.Context() {
			return handler(srv, ss)
		}
		claims, _ := authcore.ClaimsFromContext(ctx)
		if a.keep || claims == nil || claims.ExpiresAt.IsZero() {
			return handler(srv, &wrappedStream{ServerStream: ss, ctx: ctx})
		}
		left := claims.ExpiresAt.Sub(a.now())
		if left <= 0 { // accepted within the verifier's leeway: already over
			a.logExpired(ctx, info.FullMethod)
			return a.expErr
		}
		ctx, cancel := context.WithDeadlineCause(ctx, time.Now().Add(left), errStreamExpired)
		defer cancel()
		err = handler(srv, &expiringStream{wrappedStream{ServerStream: ss, ctx: ctx}, a.expErr})
		if context.Cause(ctx) == errStreamExpired {
			a.logExpired(ctx, info.FullMethod)
			return a.expErr
		}
		return err
	}
}

// errStreamExpired is the cause of a stream context cancelled because its
// token expired.
var errStreamExpired = fmt.Errorf("%w: the stream outlived its token", verifier.ErrExpired)

func (a *Authenticator) logExpired(ctx context.Context, method string) {
	a.eng.Log(ctx, a.expired, slog.String("grpc.method", method), slog.String("grpc.code", codes.Unauthenticated.String()))
}

type wrappedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (w *wrappedStream) Context() context.Context { return w.ctx }

// expiringStream refuses to pass messages once its context ended because
// the token expired, so a handler that does not watch its context still
// cannot send or receive past the token's exp.
type expiringStream struct {
	wrappedStream
	expErr error
}

func (w *expiringStream) over() bool {
	return w.ctx.Err() != nil && context.Cause(w.ctx) == errStreamExpired
}

func (w *expiringStream) SendMsg(m any) error {
	if w.over() {
		return w.expErr
	}
	return w.ServerStream.SendMsg(m)
}

func (w *expiringStream) RecvMsg(m any) error {
	if w.over() {
		return w.expErr
	}
	err := w.ServerStream.RecvMsg(m)
	if w.over() { // arrived after the token expired: not delivered
		return w.expErr
	}
	return err
}

// ClaimsFromContext returns the verified claims stored by the
// interceptors. It returns false for public methods, for a context that
// never passed through the interceptors, and for a nil ctx. Check it: the
// claims are nil when it is false. The claims are read-only: they are
// shared with every call that presents the same token (see
// verifier.Claims; Clone gives a copy you may change).
func ClaimsFromContext(ctx context.Context) (*verifier.Claims, bool) {
	return authcore.ClaimsFromContext(ctx)
}

// ClaimsAs decodes the verified payload into a caller-defined type T once
// per call (with encoding/json); later calls return the cached value,
// which callers must treat as read-only. It fails with auth.ErrNoClaims
// when ctx holds no claims, and with auth.ErrInvalidInput for a nil ctx.
func ClaimsAs[T any](ctx context.Context) (*T, error) {
	return authcore.ClaimsAs[T](ctx)
}

// errNilContext answers a nil context: a programming error of the caller,
// so codes.Internal, never a panic.
var errNilContext error = &credError{codes.Internal, fmt.Errorf("grpcauth: %w: nil context; pass the call's context", auth.ErrInvalidInput)}
