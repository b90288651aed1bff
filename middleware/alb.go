package middleware

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/verifier/alb"
)

// NewALB returns the authentication middleware for a service behind an
// Application Load Balancer whose listener rule authenticates users
// (authenticate-cognito or authenticate-oidc). Instead of a bearer token it
// verifies the headers the ALB forwards with [alb.Verifier.VerifyHeaders]:
// the user-claims JWT of x-amzn-oidc-data must be signed by one of the
// configured load balancers, and, when the verifier has
// Config.AccessTokens, the access token of x-amzn-oidc-accesstoken must
// verify and belong to the same user. The bare x-amzn-oidc-identity header
// is never trusted: anyone who reaches the service without going through
// the ALB can send it (see package alb).
//
// Handlers read the claims with [ClaimsFromContext] and [ClaimsAs], and
// route requirements ([RequireAnyGroup], ...) apply, as in bearer mode:
// the claims are the access token's when it was verified (groups, scopes),
// the user claims otherwise; alb.IdentityFromContext returns both.
// cfg works as for [New], except that Cookie, QueryParam and Extractor,
// which locate a bearer token, must be empty. Config.Optional lets
// requests without x-amzn-oidc-data through without claims, for rules
// whose on-unauthenticated-request is allow. Errors wrap
// [ErrInvalidConfig].
func NewALB(v *alb.Verifier, cfg Config) (func(http.Handler) http.Handler, error) {
	if v == nil {
		return nil, fmt.Errorf("middleware: %w: the ALB verifier is nil; pass one from alb.New", ErrInvalidConfig)
	}
	if cfg.Cookie != "" || cfg.QueryParam != "" || cfg.Extractor != nil {
		return nil, fmt.Errorf("middleware: %w: Cookie, QueryParam and Extractor locate a bearer token; behind an ALB the identity comes from its signed headers, so leave them empty", ErrInvalidConfig)
	}
	a, err := newAuthenticator(v, cfg)
	if err != nil {
		return nil, err
	}
	a.alb = v
	return a.wrap, nil
}

// serveALB authenticates r from the ALB's headers.
func (a *authenticator) serveALB(w http.ResponseWriter, r *http.Request, next http.Handler) {
	ctx := r.Context()
	id, err := a.alb.VerifyHeaders(ctx, r.Header)
	if a.optional && err != nil && errors.Is(err, authcore.ErrNoToken) {
		if a.decided != nil {
			a.decided(r, nil)
		}
		ctx, _ = authcore.NewContext(ctx, nil, a.eng, a)
		next.ServeHTTP(w, r.WithContext(ctx))
		return
	}
	claims, rej := a.eng.Judge(ctx, id.Claims(), err)
	if a.decided != nil {
		a.decided(r, rej)
	}
	if rej != nil {
		a.reject(w, r, rej)
		return
	}
	ctx, st := authcore.NewContext(ctx, claims, a.eng, a)
	st.Extra = id
	next.ServeHTTP(w, r.WithContext(ctx))
}
