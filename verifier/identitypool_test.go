package verifier_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/verifier"
)

// Round trips against the emulator: OpenID tokens from GetOpenIdToken and
// GetOpenIdTokenForDeveloperIdentity, asked for with the real AWS SDK,
// verified with the emulator's identity key set.
func TestIdentityPoolTokens(t *testing.T) {
	t.Parallel() // CPU-bound and self-contained: runs beside the others at the end of the binary
	srv := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pool := srv.MustCreatePool(cognitotest.PoolConfig{})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: "Passw0rd!x"})
	idp := srv.MustCreateIdentityPool(cognitotest.IdentityPoolConfig{AllowClassicFlow: true, DeveloperProviderName: "login.example",
		UserPools: []cognitotest.IdentityPoolUserPool{{UserPoolID: pool.ID(), ClientID: app.ID}}})
	other := srv.MustCreateIdentityPool(cognitotest.IdentityPoolConfig{Name: "other", DeveloperProviderName: "login.other"})
	jwks, err := srv.IdentityJWKS()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	api := ci.NewFromConfig(srv.AWSConfig(), func(o *ci.Options) { o.RetryMaxAttempts = 1 })

	// GetId then GetOpenIdToken with a user pool login.
	logins := map[string]string{cognitotest.IdentityProviderName(pool.ID()): pool.MustMintTokens(app.ID, "ann").IDToken}
	id, err := api.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &idp.ID, Logins: logins})
	if err != nil {
		t.Fatal(err)
	}
	open, err := api.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: logins})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := api.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: &idp.ID, Logins: map[string]string{"login.example": "user-1"}, TokenDuration: aws.Int64(600)})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := api.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: &other.ID, Logins: map[string]string{"login.other": "user-1"}})
	if err != nil {
		t.Fatal(err)
	}

	v, err := verifier.New(verifier.Config{IdentityPools: []verifier.IdentityPool{{IdentityPoolID: idp.ID, Issuer: verifier.DefaultIdentityIssuer, JWKS: jwks}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for name, tc := range map[string]struct {
		token string
		sub   string
	}{
		"GetOpenIdToken":                     {aws.ToString(open.Token), aws.ToString(id.IdentityId)},
		"GetOpenIdTokenForDeveloperIdentity": {aws.ToString(dev.Token), aws.ToString(dev.IdentityId)},
	} {
		c, err := v.Verify(ctx, tc.token)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		amr, _ := c.Get("amr")
		if c.Subject != tc.sub || c.ClientID != idp.ID || c.TokenUse != verifier.TokenUseIdentity || c.UserPoolID != "" ||
			!strings.Contains(string(amr), `"authenticated"`) {
			t.Errorf("%s: claims %+v, amr %s", name, c, amr)
		}
	}
	if _, err := v.Verify(ctx, aws.ToString(foreign.Token)); !errors.Is(err, verifier.ErrWrongClient) {
		t.Errorf("another identity pool's token: err = %v; want ErrWrongClient", err)
	}
	// A user pool token is not an identity token, even routed here.
	if _, err := v.Verify(ctx, pool.MustMintTokens(app.ID, "ann").IDToken); !errors.Is(err, verifier.ErrWrongIssuer) {
		t.Errorf("a user pool ID token: err = %v; want ErrWrongIssuer", err)
	}

	// One verifier for both kinds: the user pool's tokens by iss, the
	// identity pools' by iss then aud, each with its own policy.
	both, err := verifier.New(verifier.Config{
		Pools: []verifier.Pool{{UserPoolID: pool.ID(), Issuer: pool.Issuer(), ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseID, JWKS: pool.JWKS()}},
		IdentityPools: []verifier.IdentityPool{
			{IdentityPoolID: idp.ID, Issuer: verifier.DefaultIdentityIssuer, JWKS: jwks},
			{IdentityPoolID: other.ID, Issuer: verifier.DefaultIdentityIssuer, JWKS: jwks, Policy: verifier.Policy{Check: func(context.Context, *verifier.Claims) error {
				return errors.New("no guests from the other pool")
			}}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer both.Close()
	if c, err := both.Verify(ctx, pool.MustMintTokens(app.ID, "ann").IDToken); err != nil || c.TokenUse != verifier.TokenUseID {
		t.Errorf("user pool token: %v, %v", c, err)
	}
	if c, err := both.Verify(ctx, aws.ToString(dev.Token)); err != nil || c.ClientID != idp.ID {
		t.Errorf("identity token: %v, %v", c, err)
	}
	var pe *verifier.PolicyError
	if _, err := both.Verify(ctx, aws.ToString(foreign.Token)); !errors.As(err, &pe) {
		t.Errorf("other pool's token: err = %v; want its policy's refusal", err)
	}
}

func TestIdentityPoolConfigErrors(t *testing.T) {
	for name, ip := range map[string]verifier.IdentityPool{
		"no ID":          {},
		"not an ID":      {IdentityPoolID: "us-east-1_AbC"},
		"groups":         {IdentityPoolID: "us-east-1:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", Policy: verifier.Policy{AnyGroups: []string{"admin"}}},
		"plain http":     {IdentityPoolID: "us-east-1:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", JWKSURL: "http://keys.example/jwks"},
		"two key sets":   {IdentityPoolID: "us-east-1:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", JWKSURL: "https://a.example/jwks", JWKS: []byte(`{}`)},
		"bad emu issuer": {IdentityPoolID: "us-east-1:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", Issuer: "ftp://x"},
	} {
		_, err := verifier.New(verifier.Config{IdentityPools: []verifier.IdentityPool{ip}})
		if !errors.Is(err, verifier.ErrInvalidConfig) || !strings.Contains(err.Error(), "IdentityPools[0]") {
			t.Errorf("%s: err = %v; want ErrInvalidConfig naming IdentityPools[0]", name, err)
		}
	}
	ok := verifier.IdentityPool{IdentityPoolID: "us-east-1:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"}
	if _, err := verifier.New(verifier.Config{IdentityPools: []verifier.IdentityPool{ok, ok}}); !errors.Is(err, verifier.ErrInvalidConfig) {
		t.Errorf("twice: err = %v", err)
	}
	v, err := verifier.New(verifier.Config{IdentityPools: []verifier.IdentityPool{ok}})
	if err != nil {
		t.Fatalf("the default issuer and key set: %v", err)
	}
	v.Close()
}
