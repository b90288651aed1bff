package lambdaauth

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// RESTToken is the handler of a REST API Lambda authorizer of type TOKEN:
// pass it to lambda.Start. authorizationToken is the token source header's
// value, "Bearer <token>" or the bare token.
//
// Its answers:
//
//   - a valid token that satisfies Config.Policy: Allow on the methodArn
//     (or the stage or API, see Config.Scope), principalId the token's
//     sub, and the context of [DefaultContext] plus Config.Context;
//   - a valid token that fails the policy: Deny on the methodArn, so API
//     Gateway answers 403, with the reason ("missing_group", ...) in the
//     context for gateway responses;
//   - no token, a malformed or invalid one: exactly [ErrUnauthorized],
//     which API Gateway answers 401;
//   - keys unavailable: an error wrapping [ErrUnavailable], which API
//     Gateway answers 500; never an Allow;
//   - a methodArn that is not an execute-api ARN: an error wrapping
//     [ErrBadEvent] (500).
func (a *Authorizer) RESTToken(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	tok, err := bearer(ev.AuthorizationToken)
	c, rej := a.verdict(ctx, tok, err, "rest_token")
	return a.restAnswer(ev.MethodArn, c, rej)
}

// RESTRequest is the handler of a REST API Lambda authorizer of type
// REQUEST. The token is read from Config.Header (default Authorization) in
// headers and multiValueHeaders, ignoring case; a header sent twice is
// refused (401). Its answers are those of [Authorizer.RESTToken].
func (a *Authorizer) RESTRequest(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	v, err := headerValue(a.header, ev.Headers, ev.MultiValueHeaders)
	tok := ""
	if err == nil {
		tok, err = bearer(v)
	}
	c, rej := a.verdict(ctx, tok, err, "rest_request")
	return a.restAnswer(ev.MethodArn, c, rej)
}

func (a *Authorizer) restAnswer(methodArn string, c *verifier.Claims, rej *auth.Rejection) (events.APIGatewayCustomAuthorizerResponse, error) {
	var resp events.APIGatewayCustomAuthorizerResponse
	if rej != nil {
		switch rej.Kind {
		case auth.KindUnavailable:
			return resp, unavailable(rej)
		case auth.KindForbidden:
			if _, err := parseExecuteARN(methodArn); err != nil {
				return resp, err
			}
			resp.PrincipalID = "denied"
			resp.PolicyDocument = policy("Deny", methodArn)
			resp.Context = map[string]any{"reason": rej.Reason}
			return resp, nil
		}
		return resp, ErrUnauthorized
	}
	resource, err := a.resource(methodArn)
	if err != nil {
		return resp, err
	}
	m, err := a.contextFor(c)
	if err != nil {
		return resp, err
	}
	resp.PrincipalID = c.Subject
	resp.PolicyDocument = policy("Allow", resource)
	resp.Context = m
	return resp, nil
}

func policy(effect, resource string) events.APIGatewayCustomAuthorizerPolicy {
	return events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{{
		Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{resource},
	}}}
}

// executeARN is a parsed method or route ARN:
// arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}/{verb}/{path...}
type executeARN struct {
	prefix string // arn:{partition}:execute-api:{region}:{account}:{apiId}
	stage  string
}

func parseExecuteARN(s string) (executeARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" || parts[3] == "" || parts[4] == "" {
		return executeARN{}, fmt.Errorf("%w: %q is not an execute-api method ARN", ErrBadEvent, s)
	}
	api, rest, ok := strings.Cut(parts[5], "/")
	stage, _, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || api == "" || stage == "" || strings.ContainsAny(api+stage, "*?") {
		return executeARN{}, fmt.Errorf("%w: %q is not an execute-api method ARN ({apiId}/{stage}/{verb}/{path})", ErrBadEvent, s)
	}
	return executeARN{prefix: strings.Join(parts[:5], ":") + ":" + api, stage: stage}, nil
}

// resource is the resource of an Allow policy for arn under the
// configured scope.
func (a *Authorizer) resource(arn string) (string, error) {
	p, err := parseExecuteARN(arn)
	if err != nil {
		return "", err
	}
	switch a.scope {
	case ScopeStage:
		return p.prefix + "/" + p.stage + "/*", nil
	case ScopeAPI:
		return p.prefix + "/*", nil
	}
	return arn, nil
}
