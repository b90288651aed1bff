package cognitotest_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// rawHandler is a lambda.Handler answering fixed bytes.
type rawHandler string

func (h rawHandler) Invoke(context.Context, []byte) ([]byte, error) { return []byte(h), nil }

// TestTriggerFailures checks the errors of functions that fail, hang or
// answer what Cognito cannot read, as the SDK sees them.
func TestTriggerFailures(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var attempts atomic.Int32
	hang := func(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		attempts.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
		}
		return ev, ctx.Err()
	}
	panics := func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		panic("template store is gone")
	}
	cases := []struct {
		name    string
		handler any
		check   func(t *testing.T, err error)
	}{
		{"timeout", hang, func(t *testing.T, err error) {
			lambdaErr[*types.UnexpectedLambdaException](t, err, "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.")
			// An attempt's goroutine may first run after its deadline on a
			// loaded machine; it still runs.
			for deadline := time.Now().Add(5 * time.Second); attempts.Load() < 3 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			if n := attempts.Load(); n != 3 {
				t.Errorf("%d attempts; want Cognito's 3", n)
			}
		}},
		{"panic", panics, func(t *testing.T, err error) {
			lambdaErr[*types.UserLambdaValidationException](t, err, "PreSignUp failed with error template store is gone.")
		}},
		{"not JSON", rawHandler("surprise"), func(t *testing.T, err error) {
			lambdaErr[*types.InvalidLambdaResponseException](t, err, "Invalid lambda function output : Invalid JSON")
		}},
		{"wrong type", rawHandler(`{"response":{"autoConfirmUser":"yes"}}`), func(t *testing.T, err error) {
			lambdaErr[*types.InvalidLambdaResponseException](t, err, "Unrecognizable lambda output")
		}},
		{"unknown function", "arn:aws:lambda:us-east-1:123456789012:function:nowhere", func(t *testing.T, err error) {
			lambdaErr[*types.UnexpectedLambdaException](t, err, "PreSignUp invocation failed due to error ResourceNotFoundException.")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A short timeout for the function that hangs only: the others
			// must answer before it even on a loaded machine.
			timeout := 5 * time.Second
			if tc.name == "timeout" {
				timeout = 20 * time.Millisecond
			}
			e := newTriggerEnv(t, cognitotest.PoolConfig{LambdaTriggers: cognitotest.LambdaTriggers{PreSignUp: tc.handler}},
				cognitotest.WithTriggerTimeout(timeout))
			_, err := e.signUp("ann", testPassword, nil, nil, nil)
			tc.check(t, err)
			if u, err := e.pool.User("ann"); err == nil {
				t.Errorf("the user was created: %+v", u)
			}
		})
	}
}

// TestLambdaConfigAPI configures triggers through CreateUserPool's
// LambdaConfig, with functions registered by WithLambda, and reads them
// back with DescribeUserPool.
func TestLambdaConfigAPI(t *testing.T) {
	t.Parallel()
	var confirmed atomic.Int32
	post := func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
		confirmed.Add(1)
		return ev, nil
	}
	srv := cognitotest.NewServer(t, cognitotest.WithLambda("welcome", post), fastKeys())
	api := cip.NewFromConfig(srv.AWSConfig())
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:welcome"
	cfg := &types.LambdaConfigType{PostConfirmation: aws.String(arn),
		PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{LambdaArn: aws.String(arn), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}}
	out := must(api.CreateUserPool(ctx(), &cip.CreateUserPoolInput{PoolName: aws.String("api"), LambdaConfig: cfg}))
	desc := must(api.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: out.UserPool.Id}))
	got := desc.UserPool.LambdaConfig
	if got == nil || aws.ToString(got.PostConfirmation) != arn || got.PreTokenGenerationConfig == nil ||
		got.PreTokenGenerationConfig.LambdaVersion != types.PreTokenGenerationLambdaVersionTypeV20 || aws.ToString(got.PreTokenGeneration) != arn {
		t.Fatalf("DescribeUserPool LambdaConfig: %+v", got)
	}
	client := must(api.CreateUserPoolClient(ctx(), &cip.CreateUserPoolClientInput{UserPoolId: out.UserPool.Id, ClientName: aws.String("app")}))
	must(api.SignUp(ctx(), &cip.SignUpInput{ClientId: client.UserPoolClient.ClientId, Username: aws.String("ann"), Password: aws.String(testPassword)}))
	must(api.AdminConfirmSignUp(ctx(), &cip.AdminConfirmSignUpInput{UserPoolId: out.UserPool.Id, Username: aws.String("ann")}))
	if confirmed.Load() != 1 {
		t.Errorf("the function of the ARN ran %d times; want 1", confirmed.Load())
	}

	for name, bad := range map[string]*types.LambdaConfigType{
		"URL":                {PreSignUp: aws.String("http://127.0.0.1:1/x")},
		"not an ARN":         {PreSignUp: aws.String("arn:nope")},
		"sender, no KMS key": {CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{LambdaArn: aws.String(arn), LambdaVersion: types.CustomEmailSenderLambdaVersionTypeV10}},
	} {
		_, err := api.CreateUserPool(ctx(), &cip.CreateUserPoolInput{PoolName: aws.String("bad"), LambdaConfig: bad})
		wantErr[*types.InvalidParameterException](t, err, name)
	}
}
