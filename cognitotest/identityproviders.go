package cognitotest

import (
	"context"
	"fmt"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
)

// Identity provider types, for [IdentityProviderConfig.Type].
const (
	ProviderOIDC            = "OIDC"
	ProviderSAML            = "SAML"
	ProviderGoogle          = "Google"
	ProviderFacebook        = "Facebook"
	ProviderLoginWithAmazon = "LoginWithAmazon"
	ProviderSignInWithApple = "SignInWithApple"
)

// IdentityProviderConfig describes a third-party identity provider of a
// pool, as CreateIdentityProvider takes it.
type IdentityProviderConfig struct {
	// Name is the provider's name: what identity_provider= names and the
	// prefix of its users' usernames ("{Name}_{sub}"). A social
	// provider's name is its type. Required.
	Name string
	// Type is ProviderOIDC, ProviderGoogle, ... Required.
	Type string
	// Details are the ProviderDetails: for OIDC client_id,
	// client_secret, authorize_scopes (with openid),
	// attributes_request_method (GET or POST) and oidc_issuer, whose
	// discovery document gives the endpoints (authorize_url, token_url,
	// attributes_url, jwks_uri) unless they are given. A social
	// provider's endpoints may be given too, to point it at a local
	// provider standing in for Google or Facebook.
	Details map[string]string
	// AttributeMapping maps user pool attributes to the provider's
	// claims, such as {"email": "email"}. Optional; "username" defaults
	// to the provider's subject claim.
	AttributeMapping map[string]string
	// Identifiers are IdpIdentifiers (such as email domains) for
	// idp_identifier=. Optional.
	Identifiers []string
}

// CreateIdentityProvider creates an identity provider in the pool,
// checked as CreateIdentityProvider checks it (an OIDC provider's
// discovery document is fetched now). App clients then allow it with
// [ClientConfig].SupportedIdentityProviders.
func (p *Pool) CreateIdentityProvider(cfg IdentityProviderConfig) error {
	in := map[string]any{"UserPoolId": p.id, "ProviderName": cfg.Name, "ProviderType": cfg.Type, "ProviderDetails": cfg.Details}
	if cfg.Details == nil {
		in["ProviderDetails"] = map[string]string{}
	}
	if cfg.AttributeMapping != nil {
		in["AttributeMapping"] = cfg.AttributeMapping
	}
	if cfg.Identifiers != nil {
		in["IdpIdentifiers"] = cfg.Identifiers
	}
	if _, err := p.s.emu.Invoke(context.Background(), p.s.reg, emulator.UserPools, "CreateIdentityProvider", in); err != nil {
		return fmt.Errorf("%w: identity provider %s: %w", ErrInvalidConfig, cfg.Name, err)
	}
	return nil
}

// MustCreateIdentityProvider is CreateIdentityProvider for tests: it
// fails the test (or panics without one) on error.
func (p *Pool) MustCreateIdentityProvider(cfg IdentityProviderConfig) {
	if err := p.CreateIdentityProvider(cfg); err != nil {
		p.s.fatal(err)
	}
}
