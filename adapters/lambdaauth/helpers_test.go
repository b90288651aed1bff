package lambdaauth_test

import "github.com/aws/aws-lambda-go/events"

func eventToken(arn, tok string) events.APIGatewayCustomAuthorizerRequest {
	return events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: tok, MethodArn: arn}
}
