package srpclient_test

import (
	"context"
	"fmt"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
)

// Sign in with SRP against the in-process emulator, answer the TOTP MFA
// step, and get a self-refreshing token source.
func Example() {
	srv := cognitotest.NewServer(nil)
	defer srv.Close()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Example", MFA: cognitotest.MFAOptional, UsernameAttributes: []string{"email"}})
	app := pool.MustCreateClient(cognitotest.ClientConfig{GenerateSecret: true})
	const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	pool.MustCreateUser(cognitotest.UserConfig{Email: "ann@example.com", Password: "Correct-Horse-1", TOTPSecret: totpSecret})

	c, err := srpclient.New(srpclient.Config{
		API:          cip.NewFromConfig(srv.AWSConfig()),
		UserPoolID:   pool.ID(),
		ClientID:     app.ID,
		ClientSecret: app.Secret,
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	res, err := c.SignIn(ctx, srpclient.SignInInput{Username: "ann@example.com", Password: "Correct-Horse-1"})
	for err == nil && !res.Done() {
		switch step := res.Next.(type) {
		case *srpclient.MFACodeRequired:
			fmt.Println("challenge:", step.ChallengeName())
			code, _ := cognitotest.TOTPCode(totpSecret, time.Now()) // the user's authenticator app
			res, err = step.Answer(ctx, code)
		default:
			err = fmt.Errorf("unexpected step %T", step)
		}
	}
	if err != nil {
		panic(err)
	}
	fmt.Println("signed in; internal username is a UUID:", len(res.Tokens.Username) == 36)

	ts, err := c.NewTokenSource(res.Tokens, srpclient.TokenSourceConfig{})
	if err != nil {
		panic(err)
	}
	tok, err := ts.Token()
	fmt.Println("bearer token:", err == nil && tok.AccessToken == res.Tokens.AccessToken)
	// Output:
	// challenge: SOFTWARE_TOKEN_MFA
	// signed in; internal username is a UUID: true
	// bearer token: true
}
