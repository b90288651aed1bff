// Package grpcauth authenticates gRPC calls with Amazon Cognito tokens:
// unary and stream server interceptors with per-method policies, an
// AuthFunc for go-grpc-middleware users, and per-RPC client credentials
// from any oauth2.TokenSource.
//
// # Server
//
//	a, err := grpcauth.New(v, grpcauth.Config{
//		Methods: map[string]verifier.Policy{
//			"/orders.v1.Orders/":       grpcauth.RequireAnyScope("orders/read"),
//			"/orders.v1.Orders/Cancel": grpcauth.RequireAnyGroup("support", "admin"),
//		},
//		Public: []string{"/grpc.health.v1.Health/", "/grpc.reflection.v1.ServerReflection/"},
//	})
//	...
//	s := grpc.NewServer(
//		grpc.UnaryInterceptor(a.UnaryServerInterceptor()),
//		grpc.StreamInterceptor(a.StreamServerInterceptor()))
//
// The interceptors read the "authorization" metadata ("Bearer <token>",
// exactly one value), verify it, apply the method's policy (the exact
// method name wins over the longest service prefix, which wins over
// Config.Policy) and put the claims in the context, which stream handlers
// get from their wrapped stream. Handlers read them with
// [ClaimsFromContext] (check its ok) or [ClaimsAs].
//
// # Requirements
//
// The requirements of gRPC methods are policies: Config.Policy for every
// method, Config.Methods per method or service. [RequireAnyGroup],
// [RequireAllGroups], [RequireAnyScope], [RequireAllScopes],
// [RequireTokenUse] and [RequireFunc] build them under the names package
// middleware and echoauth give their route requirements, so one
// vocabulary reads the same in every transport; a verifier.Policy literal
// works too. Like their HTTP counterparts they panic on an empty list, an
// empty or unquotable name, an unknown token use or a nil check, since
// they are written as constants at wiring time.
//
// The TokenVerifier interface, the rejection kinds and the extraction
// errors live in package [github.com/cognitokit/cognitokit/middleware/auth], shared
// with package middleware and echoauth; its documentation maps the names
// of every transport. [auth.KindForbidden] is codes.PermissionDenied,
// [auth.KindUnavailable] codes.Unavailable, every other kind
// codes.Unauthenticated.
//
// # Status codes
//
//   - codes.Unauthenticated for a missing, ambiguous or bad token;
//   - codes.PermissionDenied when the method's policy refuses a valid
//     token (the message names needed scopes);
//   - codes.Unavailable, with a google.rpc.RetryInfo detail, when the
//     signing keys cannot be obtained, so clients retry instead of signing
//     the user out.
//
// Messages are short and never contain the token or internal details. A
// nil context given to [Authenticator.Authenticate] or
// [Authenticator.AuthFunc] is codes.Internal with an error wrapping
// auth.ErrInvalidInput, never a panic.
//
// # Streams and token expiry
//
// A stream is authenticated once, when it starts. By default it also ends
// when its token expires: at the token's exp the handler's context is
// cancelled (context.Cause matches verifier.ErrExpired), SendMsg and
// RecvMsg fail from then on, so no message passes in either direction even
// if the handler ignores its context, and the client gets
// codes.Unauthenticated "The token has expired." and should reconnect
// with a fresh token. A handler blocked in RecvMsg returns when the client
// next sends or closes. Config.KeepExpiredStreams turns this off for
// streams that must outlive their token. Unary calls are judged once, at
// their start.
//
// # CORS preflights
//
// gRPC-Go refuses every HTTP method but POST before any interceptor or
// handler runs, so a CORS preflight (OPTIONS) never reaches a handler,
// whether the server listens itself or is mounted as an http.Handler.
//
// # go-grpc-middleware
//
// [Authenticator.AuthFunc] has the type of go-grpc-middleware v2's
// auth.AuthFunc, func(ctx context.Context) (context.Context, error), and
// honors the same per-method policies and public methods (it finds the
// method with grpc.Method). [Authenticator.Authenticate] has the signature
// of that package's ServiceAuthFuncOverride.AuthFuncOverride, for services
// that override the chain's AuthFunc. This package does not import
// go-grpc-middleware. Stream expiry is enforced by this package's
// [Authenticator.StreamServerInterceptor] only: with go-grpc-middleware's
// stream interceptor, streams live on after their token expires.
//
// # Client
//
// [TokenCredentials] sends a token from any oauth2.TokenSource (srpclient's
// or the client-credentials source of package oauth) with every call, and
// refuses to do so without transport security unless
// AllowInsecureTransport is set for loopback tests. A source with a
// TokenContext(ctx) method, as srpclient's and oauth's have, is asked with
// the call's context, so a call that is cancelled or times out stops
// waiting for a refresh.
package grpcauth
