package cognitotest_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

func benchEnv(b *testing.B, opts ...cognitotest.Option) *env {
	e := newEnv(b, cognitotest.PoolConfig{})
	e.clock = nil
	e.srv = cognitotest.NewServer(b, append([]cognitotest.Option{fastKeys()}, opts...)...)
	e.pool = e.srv.MustCreatePool(cognitotest.PoolConfig{})
	e.public = e.pool.MustCreateClient(cognitotest.ClientConfig{})
	e.api = cip.NewFromConfig(e.srv.AWSConfig())
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "bench", Password: testPassword, Email: "bench@example.com", Groups: []string{"g"}})
	return e
}

// BenchmarkMintTokens measures minting an ID, access and refresh token
// (two RS256 signatures) without HTTP.
func BenchmarkMintTokens(b *testing.B) {
	e := benchEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.pool.MintTokens(e.public.ID, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPasswordSignIn is USER_PASSWORD_AUTH through the AWS SDK.
func BenchmarkPasswordSignIn(b *testing.B) {
	e := benchEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.passwordLogin(e.public, "bench", testPassword); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSRPSignIn is USER_SRP_AUTH through the AWS SDK, client and
// server halves included.
func BenchmarkSRPSignIn(b *testing.B) {
	e := benchEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.srpLogin(e.public, "bench", testPassword); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetUser measures an access-token call (signature check and
// revocation lookup) through the AWS SDK.
func BenchmarkGetUser(b *testing.B) {
	e := benchEnv(b)
	tok := e.pool.MustMintTokens(e.public.ID, "bench")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tok.AccessToken}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPasswordSignInStore is BenchmarkPasswordSignIn with the state
// written through to an in-memory store: the cost of encoding and
// committing the records of a sign-in (refresh token, token origin), the
// floor of a persistent store.
func BenchmarkPasswordSignInStore(b *testing.B) {
	e := benchEnv(b, cognitotest.WithStore(state.NewMemoryStore()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.passwordLogin(e.public, "bench", testPassword); err != nil {
			b.Fatal(err)
		}
	}
}

// fullOutbox fills the outbox of e to MaxMessages with password reset
// codes, through ForgotPassword.
func fullOutbox(b *testing.B, e *env) {
	for range cognitotest.MaxMessages {
		_, err := e.api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &e.public.ID, Username: aws.String("bench")})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForgotPassword is a call that sends a code (stored in the
// outbox with the user), through the AWS SDK, with the outbox full: each
// message then drops the oldest.
func BenchmarkForgotPassword(b *testing.B) {
	e := benchEnv(b)
	fullOutbox(b, e)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &e.public.ID, Username: aws.String("bench")}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLastCode reads the newest code of a user from a full outbox.
func BenchmarkLastCode(b *testing.B) {
	e := benchEnv(b)
	fullOutbox(b, e)
	b.ReportAllocs()
	for b.Loop() {
		if e.srv.LastCode("bench@example.com", cognitotest.MsgForgotPassword) == "" {
			b.Fatal("no code")
		}
	}
}

// BenchmarkMessagesEndpoint is GET /_cognitokit/messages?user=…&limit=1
// on a full outbox (every message matches the user), as a script waiting
// for a code does.
func BenchmarkMessagesEndpoint(b *testing.B) {
	e := benchEnv(b)
	fullOutbox(b, e)
	u := e.srv.MessagesURL() + "?user=bench@example.com&limit=1"
	hc := e.srv.HTTPClient()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := hc.Get(u)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkPasswordSignInDataDir is BenchmarkPasswordSignIn with the state
// in a data directory: each sign-in commits its records (refresh token,
// token origin) to bbolt and syncs them to disk before it answers.
func BenchmarkPasswordSignInDataDir(b *testing.B) {
	e := benchEnv(b, cognitotest.WithDataDir(b.TempDir()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.passwordLogin(e.public, "bench", testPassword); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdminCreateUserDataDir measures a write through the SDK on a
// data directory: AdminCreateUser, committed and synced before it
// answers.
func BenchmarkAdminCreateUserDataDir(b *testing.B) {
	e := benchEnv(b, cognitotest.WithDataDir(b.TempDir()))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		_, err := e.api.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool.ID()), Username: aws.String(fmt.Sprintf("u%d", i)),
			TemporaryPassword: aws.String(testPassword), MessageAction: types.MessageActionTypeSuppress})
		if err != nil {
			b.Fatal(err)
		}
	}
}
