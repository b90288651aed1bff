package main

import (
	"fmt"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/cognitotest/oidcprovider"
)

// The demo's identity providers: in emulator mode each --provider NAME is
// an identity provider of the demo pool backed by a stand-in upstream
// (cognitotest/oidcprovider on a loopback port, with a "Sign in as" page),
// so that its button signs in for real without an AWS account or a
// Google client.

// fedUser is the stand-in providers' demo user.
var fedUser = oidcprovider.User{Subject: "1001", Email: "frankie@example.com", EmailVerified: true, Name: "Frankie Federated",
	// Facebook's and Login with Amazon's user IDs, for their types.
	Claims: map[string]any{"id": "1001", "user_id": "1001"}}

// standIn starts the stand-in upstream of the provider name and creates
// the provider in pool, pointing at it. The provider's type follows the
// name as in Cognito: Google, Facebook and LoginWithAmazon are of their
// type (with the stand-in's endpoints instead of the real ones), any
// other name an OIDC provider discovered from the stand-in's issuer.
func standIn(emu *cognitotest.Server, pool *cognitotest.Pool, name string) (*oidcprovider.Provider, error) {
	if name == cognitotest.ProviderSignInWithApple || name == cognitotest.ProviderSAML || name == "COGNITO" {
		return nil, fmt.Errorf("demo mode cannot stand in for the provider %s (Sign in with Apple signs its client secret with your key and answers with form_post; SAML is not emulated): use Google, Facebook, LoginWithAmazon or an OIDC provider's name", name)
	}
	idp, err := oidcprovider.New(oidcprovider.Config{
		Clients: []oidcprovider.Client{{ID: "demo-" + name, Secret: "demo-secret", RedirectURIs: []string{emu.URL() + "/oauth2/idpresponse"}}},
		Users:   []oidcprovider.User{fedUser},
	})
	if err != nil {
		return nil, err
	}
	typ := cognitotest.ProviderOIDC
	details := map[string]string{"client_id": "demo-" + name, "client_secret": "demo-secret", "authorize_scopes": "openid email profile"}
	mapping := map[string]string{"email": "email", "name": "name"}
	switch name {
	case cognitotest.ProviderGoogle, cognitotest.ProviderFacebook, cognitotest.ProviderLoginWithAmazon:
		typ = name
		for k, v := range map[string]string{"authorize_url": idp.AuthorizeURL(), "token_url": idp.TokenURL(), "attributes_url": idp.UserInfoURL(),
			"attributes_url_add_attributes": "false", "jwks_uri": idp.JWKSURL(), "oidc_issuer": idp.Issuer()} {
			details[k] = v
		}
		if name == cognitotest.ProviderGoogle {
			mapping["email_verified"] = "email_verified"
		}
	default:
		details["attributes_request_method"] = "GET"
		details["oidc_issuer"] = idp.Issuer()
		mapping["email_verified"] = "email_verified"
	}
	if err := pool.CreateIdentityProvider(cognitotest.IdentityProviderConfig{Name: name, Type: typ, Details: details, AttributeMapping: mapping}); err != nil {
		idp.Close()
		return nil, fmt.Errorf("identity provider %s: %w", name, err)
	}
	return idp, nil
}
