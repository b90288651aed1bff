package lambdaauth_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitokit/cognitokit/adapters/lambdaauth"
	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/verifier"
)

// BenchmarkInvoke measures a warm REST TOKEN invocation through
// aws-lambda-go's handler (JSON in, policy JSON out) with the token in
// the verifier's cache, next to the bare cached Verify.
func BenchmarkInvoke(b *testing.B) {
	srv := cognitotest.NewServer(b, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pool := srv.MustCreatePool(cognitotest.PoolConfig{})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Groups: []string{"admin"}})
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: pool.ID(), Issuer: pool.Issuer(),
		ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseAccess, JWKS: pool.JWKS()}}})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	tok := pool.MustMintTokens(app.ID, "alice").AccessToken
	a, _ := lambdaauth.New(v, lambdaauth.Config{})
	payload := []byte(`{"type":"TOKEN","authorizationToken":"Bearer ` + tok + `","methodArn":"arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request"}`)
	ctx := context.Background()
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RESTToken", func(b *testing.B) {
		h := lambda.NewHandler(a.RESTToken)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.Invoke(ctx, payload); err != nil {
				b.Fatal(err)
			}
		}
	})
}
