package identitypool_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/identitypool"
	"github.com/cognitokit/cognitokit/oauth"
)

// TestOAuth2RefreshingSource: an x/oauth2 token source (from the oauth
// package's config) refreshes through the emulator's token endpoint; the ID
// token it returns in the "id_token" extra feeds the provider.
func TestOAuth2RefreshingSource(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.IdentityPoolConfig{})
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, e.srv.HTTPClient())
	oc, err := oauth.New(oauth.Config{Domain: e.srv.OAuthDomain(), ClientID: e.app.ID, UserPoolID: e.pool.ID(),
		Issuer: e.pool.Issuer(), JWKSURL: e.pool.JWKSURL(), HTTPClient: e.srv.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Close()
	minted := e.pool.MustMintTokens(e.app.ID, "bob")
	stale := &oauth2.Token{AccessToken: minted.AccessToken, RefreshToken: minted.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
	src := oc.OAuth2Config().TokenSource(ctx, stale)
	p := e.provider(t, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(t, src)} })
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if got, want := e.whose(t, creds).IdentityID, e.identityOf(t, "bob"); got != want {
		t.Errorf("identity: got %s; want bob's %s", got, want)
	}
}
