package cognitotest_test

import (
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

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
