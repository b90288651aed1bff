package grpcauth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/oauth2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

var (
	errInsecureTransport = errors.New("grpcauth: refusing to send a bearer token without transport security")
	errNoTokenSource     = errors.New("grpcauth: no usable token")
)

// TokenCredentials are per-RPC credentials that send
// "authorization: Bearer <access token>" from any oauth2.TokenSource, such
// as srpclient's or the client-credentials source of package oauth. Wrap
// the source with oauth2.ReuseTokenSource if it does not cache.
//
//	conn, err := grpc.NewClient(addr,
//		grpc.WithTransportCredentials(credentials.NewTLS(nil)),
//		grpc.WithPerRPCCredentials(grpcauth.TokenCredentials{Source: ts}))
//
// They require transport security: gRPC refuses to use them on an insecure
// connection, and GetRequestMetadata checks the connection's security
// level too.
type TokenCredentials struct {
	// Source supplies the tokens. Required; it must be safe for concurrent
	// use.
	Source oauth2.TokenSource

	// AllowInsecureTransport sends tokens over connections without
	// transport security. It exists for loopback tests; it MUST NOT be set
	// in production, where anyone on the path could steal the tokens.
	AllowInsecureTransport bool
}

// GetRequestMetadata returns the authorization metadata. Its errors carry
// a gRPC status and unwrap to their cause, so errors.Is works for direct
// callers: [ErrInsecureTransport] and [ErrNoTokenSource] are
// codes.Unauthenticated, a refusal by the authorization server (an
// *oauth2.RetrieveError) is codes.Unauthenticated, and any other failure
// of the token source (network) is codes.Unavailable, so that clients
// retry. A source with a TokenContext(ctx) method is asked with ctx. A nil
// ctx is codes.Internal with an error wrapping auth.ErrInvalidInput.
func (c TokenCredentials) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if !c.AllowInsecureTransport {
		ri, _ := credentials.RequestInfoFromContext(ctx)
		if err := credentials.CheckSecurityLevel(ri.AuthInfo, credentials.PrivacyAndIntegrity); err != nil {
			return nil, &credError{codes.Unauthenticated, fmt.Errorf("%w: %v", errInsecureTransport, err)}
		}
	}
	if c.Source == nil {
		return nil, &credError{codes.Unauthenticated, fmt.Errorf("%w: TokenCredentials.Source is nil", errNoTokenSource)}
	}
	var tok *oauth2.Token
	var err error
	if cs, ok := c.Source.(contextTokenSource); ok {
		tok, err = cs.TokenContext(ctx)
	} else {
		tok, err = c.Source.Token()
	}
	if err != nil {
		code := codes.Unavailable
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			code = codes.Unauthenticated
		}
		return nil, &credError{code, fmt.Errorf("grpcauth: token source: %w", err)}
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, &credError{codes.Unauthenticated, fmt.Errorf("%w: the token source returned an empty access token", errNoTokenSource)}
	}
	if !strings.EqualFold(tok.Type(), "Bearer") {
		return nil, &credError{codes.Unauthenticated, fmt.Errorf("%w: the token type is not Bearer", errNoTokenSource)}
	}
	return map[string]string{"authorization": "Bearer " + tok.AccessToken}, nil
}

// contextTokenSource is a token source that takes the caller's context,
// as srpclient's and oauth's do.
type contextTokenSource interface {
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

// credError is an error with a gRPC status that keeps its cause.
type credError struct {
	code codes.Code
	err  error
}

func (e *credError) Error() string              { return e.err.Error() }
func (e *credError) Unwrap() error              { return e.err }
func (e *credError) GRPCStatus() *status.Status { return status.New(e.code, e.err.Error()) }

// RequireTransportSecurity reports whether the credentials need a secure
// connection: true unless AllowInsecureTransport is set.
func (c TokenCredentials) RequireTransportSecurity() bool { return !c.AllowInsecureTransport }
