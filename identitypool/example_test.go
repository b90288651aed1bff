package identitypool_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/identitypool"
	"github.com/cognitokit/cognitokit/srpclient"
)

// A user signs in over SRP; the provider exchanges the ID token for AWS
// credentials through an identity pool. The emulator stands in for Cognito.
func Example() {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	srv := cognitotest.NewServer(nil, cognitotest.WithClock(clock))
	defer srv.Close()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Example"})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: "Passw0rd!"})
	idp := srv.MustCreateIdentityPool(cognitotest.IdentityPoolConfig{
		UserPools: []cognitotest.IdentityPoolUserPool{{UserPoolID: pool.ID(), ClientID: app.ID}},
	})
	awsCfg := srv.AWSConfig() // Region, BaseEndpoint and HTTPClient of the emulator
	ctx := context.Background()

	// Sign in and keep the ID token fresh.
	signIn, _ := srpclient.New(srpclient.Config{API: cip.NewFromConfig(awsCfg), UserPoolID: pool.ID(), ClientID: app.ID, Now: clock})
	res, err := signIn.SignIn(ctx, srpclient.SignInInput{Username: "ann", Password: "Passw0rd!"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ts, _ := signIn.NewTokenSource(res.Tokens, srpclient.TokenSourceConfig{UseIDToken: true})

	// The provider; GetId and GetCredentialsForIdentity need no AWS
	// credentials of their own.
	awsCfg.Credentials = aws.AnonymousCredentials{}
	login, _ := identitypool.UserPoolLogin(pool.ID(), ts)
	p, err := identitypool.New(identitypool.Config{
		API:            ci.NewFromConfig(awsCfg),
		IdentityPoolID: idp.ID,
		Logins:         []identitypool.Login{login},
		Now:            clock,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	creds, err := p.CredentialsCache().Retrieve(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("access key:", creds.AccessKeyID[:4]+"…")
	fmt.Println("refresh in:", creds.Expires.Sub(now))
	// Output:
	// access key: ASIA…
	// refresh in: 55m0s
}

// A backend that authenticates users itself gets Cognito Identity tokens
// for them; its clients turn them into credentials.
func ExampleDeveloper() {
	srv := cognitotest.NewServer(nil)
	defer srv.Close()
	idp := srv.MustCreateIdentityPool(cognitotest.IdentityPoolConfig{DeveloperProviderName: "login.example.com"})
	ctx := context.Background()

	// Server side, with IAM credentials.
	d, err := identitypool.NewDeveloper(identitypool.DeveloperConfig{
		API:            ci.NewFromConfig(srv.AWSConfig()),
		IdentityPoolID: idp.ID,
		ProviderName:   "login.example.com",
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Client side: Developer fetches a fresh token (here straight from d;
	// in an app, from the backend's API).
	anon := srv.AWSConfig()
	anon.Credentials = aws.AnonymousCredentials{}
	p, _ := identitypool.New(identitypool.Config{
		API:            ci.NewFromConfig(anon),
		IdentityPoolID: idp.ID,
		Developer:      d.TokenFunc("user-42"),
	})
	creds, err := p.Retrieve(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	id, _ := d.Lookup(ctx, "user-42")
	info, _ := srv.IssuedCredentials(creds.AccessKeyID)
	fmt.Println("credentials of user-42's identity:", info.IdentityID == id)
	// Output:
	// credentials of user-42's identity: true
}

// Guests get credentials of the pool's unauthenticated role.
func ExampleConfig_guest() {
	srv := cognitotest.NewServer(nil)
	defer srv.Close()
	idp := srv.MustCreateIdentityPool(cognitotest.IdentityPoolConfig{AllowUnauthenticated: true})
	anon := srv.AWSConfig()
	anon.Credentials = aws.AnonymousCredentials{}
	p, _ := identitypool.New(identitypool.Config{
		API:            ci.NewFromConfig(anon),
		IdentityPoolID: idp.ID,
		AllowGuest:     true,
	})
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	info, _ := srv.IssuedCredentials(creds.AccessKeyID)
	fmt.Println(info.RoleARN)
	// Output:
	// arn:aws:iam::123456789012:role/cognitotest-unauthenticated
}
