package lambdaauth

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// HTTPSimple is the handler of an HTTP API Lambda authorizer with payload
// format 2.0 and simple responses (enableSimpleResponses). The token is
// read from Config.Header (default Authorization, "Bearer <token>" or the
// bare token); HTTP API lowercases header names.
//
// Its answers: isAuthorized true with the context of [DefaultContext] plus
// Config.Context for a valid token that satisfies Config.Policy;
// isAuthorized false, which API Gateway answers 403, for any other token
// (HTTP APIs answer 401 only when the identity source is missing, without
// calling the authorizer); an error wrapping [ErrUnavailable], which API
// Gateway answers 500, when the keys are unavailable, never true.
func (a *Authorizer) HTTPSimple(ctx context.Context, ev events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	c, rej := a.httpVerdict(ctx, ev)
	var resp events.APIGatewayV2CustomAuthorizerSimpleResponse
	if rej != nil {
		if rej.Kind == auth.KindUnavailable {
			return resp, unavailable(rej)
		}
		return resp, nil
	}
	m, err := a.contextFor(c)
	if err != nil {
		return resp, err
	}
	resp.IsAuthorized, resp.Context = true, m
	return resp, nil
}

// HTTPIAM is the handler of an HTTP API Lambda authorizer with payload
// format 2.0 and IAM policy responses. It answers Allow on the routeArn
// (or the stage or API, see Config.Scope) for a valid token that
// satisfies Config.Policy, and Deny on the routeArn (403) for any other
// token, with the reason in the context; an error wrapping
// [ErrUnavailable] (500) when the keys are unavailable.
func (a *Authorizer) HTTPIAM(ctx context.Context, ev events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerIAMPolicyResponse, error) {
	c, rej := a.httpVerdict(ctx, ev)
	var resp events.APIGatewayV2CustomAuthorizerIAMPolicyResponse
	if rej != nil {
		if rej.Kind == auth.KindUnavailable {
			return resp, unavailable(rej)
		}
		if _, err := parseExecuteARN(ev.RouteArn); err != nil {
			return resp, err
		}
		resp.PrincipalID = "denied"
		resp.PolicyDocument = policy("Deny", ev.RouteArn)
		resp.Context = map[string]any{"reason": rej.Reason}
		return resp, nil
	}
	resource, err := a.resource(ev.RouteArn)
	if err != nil {
		return resp, err
	}
	m, err := a.contextFor(c)
	if err != nil {
		return resp, err
	}
	resp.PrincipalID, resp.PolicyDocument, resp.Context = c.Subject, policy("Allow", resource), m
	return resp, nil
}

func (a *Authorizer) httpVerdict(ctx context.Context, ev events.APIGatewayV2CustomAuthorizerV2Request) (*verifier.Claims, *auth.Rejection) {
	v, err := headerValue(a.header, ev.Headers, nil)
	tok := ""
	if err == nil {
		tok, err = bearer(v)
	}
	return a.verdict(ctx, tok, err, "http_api")
}
