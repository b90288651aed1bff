package cognitotest_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestAWSConfigNoClosedConnection: calls through AWSConfig without
// retries never fail with "use of closed network connection" (smithy-go
// closes the request body while net/http still reads it; see
// sdkHTTPClient). Before the fix, about one call in a few hundred failed.
func TestAWSConfigNoClosedConnection(t *testing.T) {
	t.Parallel()
	srv, api := apiEnv(t)
	p := must(srv.CreatePool(cognitotest.PoolConfig{}))
	for i := range 200 {
		if _, err := api.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(p.ID())}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}
