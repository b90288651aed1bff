package lambdaauth

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/middleware/auth"
)

// AppSync is the handler of an AppSync Lambda authorizer (authorization
// mode AWS_LAMBDA). authorizationToken is the request's Authorization
// header, "Bearer <token>" or the bare token.
//
// Its answers: for a valid token that satisfies Config.Policy,
// isAuthorized true with resolverContext ([DefaultContext] plus
// Config.Context, read as $ctx.identity.resolverContext), deniedFields
// (Config.DeniedFields) and, with Config.TTL set, ttlOverride: the TTL
// capped at the seconds left before the token expires, so that AppSync
// never serves a cached authorization past the token's exp. For any other
// token, isAuthorized false, which AppSync answers 401
// (UnauthorizedException). When the keys are unavailable, an error
// wrapping [ErrUnavailable]: AppSync refuses the request and caches
// nothing; never isAuthorized true.
func (a *Authorizer) AppSync(ctx context.Context, ev events.AppSyncLambdaAuthorizerRequest) (events.AppSyncLambdaAuthorizerResponse, error) {
	tok, err := bearer(ev.AuthorizationToken)
	c, rej := a.verdict(ctx, tok, err, "appsync")
	var resp events.AppSyncLambdaAuthorizerResponse
	if rej != nil {
		if rej.Kind == auth.KindUnavailable {
			return resp, unavailable(rej)
		}
		zero := 0 // do not cache a refusal
		resp.TTLOverride = &zero
		return resp, nil
	}
	m, err := a.contextFor(c)
	if err != nil {
		return resp, err
	}
	resp.IsAuthorized, resp.ResolverContext = true, m
	if a.denied != nil {
		resp.DeniedFields = a.denied(c)
	}
	if a.ttl > 0 {
		ttl := a.ttl
		if left := c.ExpiresAt.Sub(a.now()); left < ttl {
			ttl = left
		}
		secs := int(max(ttl, 0) / time.Second)
		resp.TTLOverride = &secs
	}
	return resp, nil
}
