package cognitotest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// Your production PreSignUp handler, written for aws-lambda-go, runs as
// the pool's trigger.
func ExampleLambdaTriggers() {
	preSignUp := func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		if strings.HasSuffix(ev.Request.UserAttributes["email"], "@blocked.example") {
			return ev, errors.New("Sign-ups from this domain are closed.")
		}
		ev.Response.AutoConfirmUser = true
		return ev, nil
	}
	srv := cognitotest.NewServer(nil) // in a test: cognitotest.NewServer(t)
	defer srv.Close()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{LambdaTriggers: cognitotest.LambdaTriggers{PreSignUp: preSignUp}})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	api := cip.NewFromConfig(srv.AWSConfig())

	for _, email := range []string{"ann@example.com", "eve@blocked.example"} {
		out, err := api.SignUp(context.Background(), &cip.SignUpInput{ClientId: aws.String(app.ID), Username: aws.String(email),
			Password: aws.String("Passw0rd!"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}}})
		var refused *types.UserLambdaValidationException
		switch {
		case errors.As(err, &refused):
			fmt.Println(email, "refused:", refused.ErrorMessage())
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Println(email, "confirmed:", out.UserConfirmed)
		}
	}
	// Output:
	// ann@example.com confirmed: true
	// eve@blocked.example refused: PreSignUp failed with error Sign-ups from this domain are closed..
}
