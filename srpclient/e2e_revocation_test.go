package srpclient_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// TestE2ESignOutFeedsRevocation: SignOut and GlobalSignOut revoke in
// Cognito and record the revocation in Config.Revoker, so that a local
// verifier sharing the list refuses the tokens at once.
func TestE2ESignOutFeedsRevocation(t *testing.T) {
	t.Parallel()
	e := newE2E(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: "Passw0rd-ann"})
	list, err := revocation.New(revocation.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer list.Close()
	c := e.client(t, func(cfg *srpclient.Config) { cfg.Revoker = list })
	v, err := verifier.New(verifier.Config{
		Pools:      []verifier.Pool{{UserPoolID: e.pool.ID(), ClientIDs: []string{e.app.ID}, TokenUse: verifier.TokenUseAny, Issuer: e.pool.Issuer()}},
		Revocation: list,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ctx := context.Background()
	signIn := func() *srpclient.Tokens {
		return mustDone(t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "ann", Password: "Passw0rd-ann"})))
	}
	verify := func(tok string) error { _, err := v.Verify(ctx, tok); return err }
	t1, t2 := signIn(), signIn()
	for _, tok := range []string{t1.AccessToken, t1.IDToken, t2.AccessToken} {
		if err := verify(tok); err != nil {
			t.Fatalf("before sign-out: %v", err)
		}
	}
	if err := c.SignOut(ctx, t1); err != nil {
		t.Fatalf("SignOut: %v", err)
	}
	if err := verify(t1.AccessToken); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("access token after SignOut: got %v; want ErrRevoked", err)
	}
	if err := verify(t1.IDToken); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("ID token after SignOut: got %v; want ErrRevoked", err)
	}
	if err := verify(t2.AccessToken); err != nil {
		t.Fatalf("the other sign-in after SignOut: %v", err)
	}
	if _, err := c.Refresh(ctx, t1); err == nil {
		t.Fatal("Cognito still refreshes the revoked refresh token")
	}
	if err := c.GlobalSignOut(ctx, t2.AccessToken); err != nil {
		t.Fatalf("GlobalSignOut: %v", err)
	}
	if err := verify(t2.AccessToken); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("after GlobalSignOut: got %v; want ErrRevoked", err)
	}
	if err := c.SignOut(ctx, nil); !errors.Is(err, srpclient.ErrInvalidInput) {
		t.Fatalf("SignOut(nil): got %v; want ErrInvalidInput", err)
	}
}
