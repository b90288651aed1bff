package cognitotest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// payload decodes a JWT payload for printing (examples only; verify real
// tokens with the verifier package).
func payload(tok string) map[string]any {
	b, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// The AWS SDK talks to the emulator as to Cognito.
func ExampleNewServer() {
	srv := cognitotest.NewServer(nil) // in a test: cognitotest.NewServer(t)
	defer srv.Close()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Example"})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Groups: []string{"admin"}})

	api := cip.NewFromConfig(srv.AWSConfig())
	out, err := api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(app.ID),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	claims := payload(*out.AuthenticationResult.AccessToken)
	fmt.Println(claims["username"], claims["cognito:groups"], claims["iss"] == pool.Issuer())

	_, err = api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(app.ID),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "wrong"},
	})
	var notAuth *types.NotAuthorizedException
	fmt.Println(errorsAs(err, &notAuth), notAuth.ErrorMessage())
	// Output:
	// alice [admin] true
	// true Incorrect username or password.
}

// Tokens can be minted without a sign-in, including expired ones.
func ExamplePool_MintTokens() {
	now := time.Date(2026, 3, 5, 14, 7, 9, 0, time.UTC)
	srv := cognitotest.NewServer(nil, cognitotest.WithClock(func() time.Time { return now }))
	defer srv.Close()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Example"})
	app := pool.MustCreateClient(cognitotest.ClientConfig{ID: "exampleclient"})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: "Passw0rd!", Email: "bob@example.com"})

	tok := pool.MustMintTokens(app.ID, "bob", cognitotest.TokenExpiry(5*time.Minute),
		cognitotest.IDClaims(map[string]any{"custom:tenant": "acme"}))
	id := payload(tok.IDToken)
	fmt.Println(id["token_use"], id["aud"], id["email"], id["custom:tenant"], int64(id["exp"].(float64))-now.Unix())
	// Output: id exampleclient bob@example.com acme 300
}

// Codes Cognito would email or text are kept for the test to read.
func ExampleServer_LastCode() {
	srv := cognitotest.NewServer(nil)
	defer srv.Close()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{AutoVerifiedAttributes: []string{"email"}})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	api := cip.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()

	_, err := api.SignUp(ctx, &cip.SignUpInput{ClientId: &app.ID, Username: aws.String("carol"), Password: aws.String("Passw0rd!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("carol@example.com")}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	code := srv.LastCode("carol@example.com", cognitotest.MsgSignUp)
	_, err = api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &app.ID, Username: aws.String("carol"), ConfirmationCode: &code})
	u, _ := pool.User("carol")
	fmt.Println(err, u.Status, u.Attributes["email_verified"])
	// Output: <nil> CONFIRMED true
}

// TOTPCode computes what an authenticator app shows.
func ExampleTOTPCode() {
	code, _ := cognitotest.TOTPCode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", time.Unix(59, 0))
	fmt.Println(code)
	// Output: 287082
}
