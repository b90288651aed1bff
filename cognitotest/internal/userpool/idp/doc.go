// Package idp implements the identity-provider operations of the user
// pool API: CreateIdentityProvider, DescribeIdentityProvider,
// UpdateIdentityProvider, DeleteIdentityProvider, ListIdentityProviders,
// GetIdentityProviderByIdentifier, AdminLinkProviderForUser and
// AdminDisableProviderForUser.
//
// ProviderDetails are checked per provider type as Cognito checks them
// (required and allowed keys, authorize_scopes with openid for OIDC,
// attributes_request_method GET or POST, a P-256 private_key for
// SignInWithApple, MetadataURL or MetadataFile for SAML), and the
// endpoints Cognito derives are filled in: from the oidc_issuer's
// discovery document for OIDC (fetched at creation and when the details
// change), and the providers' own for the social types. Unlike Cognito,
// the emulator lets a social provider's endpoints (authorize_url,
// token_url, attributes_url, jwks_uri, oidc_issuer) be given, so that a
// local provider can stand in for Google in tests. SAML providers are
// stored and described, but cannot be signed in with.
//
// The sign-in itself is managed login's (package managedlogin).
package idp
