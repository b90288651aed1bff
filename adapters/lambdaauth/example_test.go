package lambdaauth_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/adapters/lambdaauth"
	"github.com/cognitokit/cognitokit/verifier"
)

// tokens is a stand-in auth.TokenVerifier; use a *verifier.Verifier.
type tokens map[string]string

func (t tokens) Verify(_ context.Context, tok string) (*verifier.Claims, error) {
	p, ok := t[tok]
	if !ok {
		return nil, verifier.ErrBadSignature
	}
	return verifier.ParseUnverifiedClaims([]byte(p))
}

// A REST API TOKEN authorizer: Allow, Deny (403) and Unauthorized (401).
func ExampleAuthorizer_RESTToken() {
	v := tokens{
		"alice": `{"sub":"1","token_use":"access","username":"alice","cognito:groups":["admin"]}`,
		"bob":   `{"sub":"2","token_use":"access","username":"bob"}`,
	}
	a, err := lambdaauth.New(v, lambdaauth.Config{Policy: verifier.Policy{AnyGroups: []string{"admin"}}})
	if err != nil {
		panic(err)
	}
	// In main: lambda.Start(a.RESTToken)
	for _, tok := range []string{"Bearer alice", "Bearer bob", "Bearer forged"} {
		resp, err := a.RESTToken(context.Background(), events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: tok,
			MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orders"})
		if err != nil {
			fmt.Println(tok, "->", err)
			continue
		}
		fmt.Println(tok, "->", resp.PolicyDocument.Statement[0].Effect, resp.Context["username"], resp.Context["reason"])
	}
	// Output:
	// Bearer alice -> Allow alice <nil>
	// Bearer bob -> Deny <nil> missing_group
	// Bearer forged -> Unauthorized
}
