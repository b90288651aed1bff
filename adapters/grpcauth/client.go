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

// GetRequestMetadata returns the authorization metadata. A failing token
// source is reported as codes.Unauthenticated when the authorization
// server refused (an *oauth2.RetrieveError), and as a plain error (which
// gRPC reports as codes.Unavailable) otherwise.
func (c TokenCredentials) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	if !c.AllowInsecureTransport {
		ri, _ := credentials.RequestInfoFromContext(ctx)
		if err := credentials.CheckSecurityLevel(ri.AuthInfo, credentials.PrivacyAndIntegrity); err != nil {
			return nil, status.Error(codes.Unauthenticated, fmt.Errorf("%w: %v", errInsecureTransport, err).Error())
		}
	}
	if c.Source == nil {
		return nil, status.Error(codes.Unauthenticated, errNoTokenSource.Error()+": TokenCredentials.Source is nil")
	}
	tok, err := c.Source.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, status.Error(codes.Unauthenticated, "grpcauth: token source: "+err.Error())
		}
		return nil, fmt.Errorf("grpcauth: token source: %w", err)
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, status.Error(codes.Unauthenticated, errNoTokenSource.Error()+": the token source returned an empty access token")
	}
	if !strings.EqualFold(tok.Type(), "Bearer") {
		return nil, status.Error(codes.Unauthenticated, errNoTokenSource.Error()+": the token type is not Bearer")
	}
	return map[string]string{"authorization": "Bearer " + tok.AccessToken}, nil
}

// RequireTransportSecurity reports whether the credentials need a secure
// connection: true unless AllowInsecureTransport is set.
func (c TokenCredentials) RequireTransportSecurity() bool { return !c.AllowInsecureTransport }
