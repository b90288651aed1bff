package cognitotest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestPublicURL: WithPublicURL moves the issuer, the JWKS and discovery
// URLs and the OAuth domain to the public URL, while URL (for clients in
// the process) stays the listen address; the guard accepts the public
// host. Bad URLs are refused with ErrInvalidConfig naming the option.
func TestPublicURL(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, cognitotest.WithPublicURL("HTTP://Cognito:9229/"), fastKeys())
	const public = "http://cognito:9229"
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Public"})
	if srv.PublicURL() != public || srv.OAuthDomain() != public || !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Errorf("PublicURL %s, OAuthDomain %s, URL %s", srv.PublicURL(), srv.OAuthDomain(), srv.URL())
	}
	if pool.Issuer() != public+"/us-east-1_Public" || pool.JWKSURL() != public+"/us-east-1_Public/.well-known/jwks.json" {
		t.Errorf("Issuer %s, JWKSURL %s", pool.Issuer(), pool.JWKSURL())
	}
	if srv.MessagesURL() != srv.URL()+"/_cognitokit/messages" || srv.ConsoleURL() != srv.URL()+"/_cognitokit/console/" {
		t.Errorf("MessagesURL %s, ConsoleURL %s; want them on URL", srv.MessagesURL(), srv.ConsoleURL())
	}
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: testPassword})
	tok := pool.MustMintTokens(app.ID, "ann")
	get := func(host string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/us-east-1_Public/.well-known/jwks.json", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		noErr(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("cognito:9229"); code != 200 {
		t.Errorf("JWKS with Host cognito:9229: %d", code)
	}
	if code := get("other:9229"); code != http.StatusForbidden {
		t.Errorf("JWKS with Host other:9229: %d; want 403", code)
	}
	// The tokens' iss is the public issuer, and the emulator still
	// accepts them.
	if c := claimsOf(t, tok.IDToken); c["iss"] != pool.Issuer() {
		t.Errorf("iss %v; want %s", c["iss"], pool.Issuer())
	}
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	if _, err := api.GetUser(ctx(), &cip.GetUserInput{AccessToken: aws.String(tok.AccessToken)}); err != nil {
		t.Errorf("GetUser with a token of the public issuer: %v", err)
	}

	for _, bad := range []string{"cognito:9229", "ftp://cognito", "http://", "http://cognito/base", "http://u@cognito", "http://cognito:0", "http://cognito#x"} {
		_, err := cognitotest.Start(nil, cognitotest.WithPublicURL(bad))
		if !errors.Is(err, cognitotest.ErrInvalidConfig) || !strings.Contains(err.Error(), "WithPublicURL") {
			t.Errorf("WithPublicURL(%q): %v; want ErrInvalidConfig naming the option", bad, err)
		}
	}
}
