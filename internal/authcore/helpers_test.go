package authcore

import (
	"context"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/verifier"
)

// claimsWithPayload returns verified claims of an emulated ID token with
// custom:tenant = acme, verified against the pool's static JWKS.
func claimsWithPayload(t *testing.T) *verifier.Claims {
	t.Helper()
	srv := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pool := srv.MustCreatePool(cognitotest.PoolConfig{})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Attributes: map[string]string{"custom:tenant": "acme"}})
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: pool.ID(), Issuer: pool.Issuer(),
		ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseID, JWKS: pool.JWKS()}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	c, err := v.Verify(context.Background(), pool.MustMintTokens(app.ID, "alice").IDToken)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
