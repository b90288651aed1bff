package cognitotest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// signUpBurst calls SignUp (category UserCreation) n times for an app
// client that does not exist, and returns how many calls were throttled.
// Each call fails; only TooManyRequestsException counts.
func signUpBurst(t *testing.T, api *cip.Client, n int) int {
	t.Helper()
	throttled := 0
	for range n {
		_, err := api.SignUp(context.Background(), &cip.SignUpInput{
			ClientId: aws.String("nosuchclient0000000000000"), Username: aws.String("u"), Password: aws.String(testPassword)})
		var tm *types.TooManyRequestsException
		if errors.As(err, &tm) {
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != 400 || tm.ErrorMessage() != "Rate exceeded" {
				t.Fatalf("throttled call: %v; want HTTP 400 TooManyRequestsException \"Rate exceeded\"", err)
			}
			throttled++
		} else if err == nil {
			t.Fatalf("SignUp for an unknown client succeeded")
		}
	}
	return throttled
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	clock := newClock()
	srv := cognitotest.NewServer(t, fastKeys(), cognitotest.WithClock(clock.Now), cognitotest.WithRateLimits())
	// The SDK retries throttling with back-off: one attempt shows it.
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })

	// UserCreation's default quota is 50 requests per second.
	if got := signUpBurst(t, api, 50); got != 0 {
		t.Fatalf("first 50 calls: %d throttled; want 0", got)
	}
	if got := signUpBurst(t, api, 1); got != 1 {
		t.Fatalf("51st call in the same second: %d throttled; want 1", got)
	}
	clock.Advance(time.Second)
	if got := signUpBurst(t, api, 51); got != 1 {
		t.Fatalf("a second later, 51 calls: %d throttled; want 1", got)
	}

	// A raised provisioned limit admits more.
	clock.Advance(time.Second)
	// GetProvisionedLimit and UpdateProvisionedLimit are not in the SDK:
	// raw JSON 1.1.
	def := map[string]any{"LimitClass": "API_CATEGORY", "Attributes": map[string]string{"Category": "UserCreation"}}
	if err := jsonCall(srv, "UpdateProvisionedLimit", map[string]any{"LimitDefinition": def, "RequestedLimitValue": 80}, nil); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	if got := signUpBurst(t, api, 81); got != 1 {
		t.Fatalf("with a provisioned limit of 80, 81 calls: %d throttled; want 1", got)
	}

	// Categories are independent: ListUsers (UserList) still passes.
	if _, err := api.ListUsers(context.Background(), &cip.ListUsersInput{UserPoolId: aws.String("us-east-1_nopool")}); err == nil || errors.As(err, new(*types.TooManyRequestsException)) {
		t.Fatalf("ListUsers after a UserCreation burst: %v; want ResourceNotFoundException", err)
	}
	// LimitManagement allows one call per second.
	clock.Advance(time.Second)
	if err := jsonCall(srv, "GetProvisionedLimit", map[string]any{"LimitDefinition": def}, nil); err != nil {
		t.Fatal(err)
	}
	var ae *apiError
	if err := jsonCall(srv, "GetProvisionedLimit", map[string]any{"LimitDefinition": def}, nil); !errors.As(err, &ae) || ae.Type != "TooManyRequestsException" || ae.Status != 400 {
		t.Fatalf("second GetProvisionedLimit in a second: %v; want HTTP 400 TooManyRequestsException", err)
	}
}

func TestRateLimitsOffByDefault(t *testing.T) {
	t.Parallel()
	clock := newClock()
	srv := cognitotest.NewServer(t, fastKeys(), cognitotest.WithClock(clock.Now))
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	if got := signUpBurst(t, api, 60); got != 0 {
		t.Fatalf("without WithRateLimits, 60 calls in a second: %d throttled; want 0", got)
	}
}
