// Package oidcprovider is a small OpenID Connect provider for tests: the
// upstream identity provider that stands in for Google, Apple, Okta or a
// corporate IdP when a test signs in through federation (a user pool's OIDC
// identity provider in cognitotest, or any relying party).
//
// It is for tests and local development only. It signs anyone in as any
// configured user without a password; never expose it to a network.
//
// # Usage
//
//	idp, err := oidcprovider.New(oidcprovider.Config{
//		Clients: []oidcprovider.Client{{
//			ID: "cognito", Secret: "s3cret",
//			RedirectURIs: []string{emu.OAuthDomain() + "/oauth2/idpresponse"},
//		}},
//		Users: []oidcprovider.User{{
//			Subject: "1001", Email: "ann@example.com", EmailVerified: true, Name: "Ann",
//			Claims: map[string]any{"hd": "example.com", "given_name": "Ann"},
//		}},
//	})
//	defer idp.Close()
//	// idp.URL() is the issuer: discovery at
//	// idp.URL()+"/.well-known/openid-configuration".
//
// # Endpoints
//
//   - /.well-known/openid-configuration: the discovery document.
//   - /authorize: the authorization endpoint (response_type=code only). It
//     shows a "Sign in as" page listing the configured users, with a form to
//     sign in as any other subject. Config.AutoApprove signs a given user
//     in without the page; with Config.TrustLoginHint, a login_hint naming a
//     user's subject or email does too. Both let tests without a browser
//     drive the flow with a plain HTTP client.
//   - /token: authorization_code only. Clients authenticate with
//     client_secret_basic or client_secret_post (compared in constant
//     time), or, without a secret, with client_id alone. PKCE (S256 only)
//     is checked when the authorization request had a code_challenge, and
//     required with Config.RequirePKCE.
//   - /jwks: the RS256 public key that signs the ID tokens.
//   - /userinfo: the user's claims for an access token (GET or POST,
//     Authorization: Bearer).
//
// # Strictness
//
// The provider is as strict as a real one, so that a relying party that
// works against it is not relying on leniency: redirect_uri must equal one
// the client registered, byte for byte; a missing or unknown client or
// redirect URI gets an error page and no redirect (RFC 6749 §4.1.2.1);
// other authorization errors go back to the redirect URI with state;
// repeated parameters are refused; a code is single-use and expires after
// Config.CodeTTL; a code redeemed twice also revokes the access token
// issued for it (RFC 6749 §4.1.2); token errors are RFC 6749 §5.2 JSON.
// The nonce of the authorization request is copied into the ID token, and
// at_hash is set. Sizes and counts from outside are bounded.
//
// # Not done
//
// No refresh tokens, no implicit or hybrid flows, no consent screen, no
// dynamic registration, no logout endpoints, no signed request objects.
// The keys live in memory and change with each Provider.
//
// The OAuth server side is written here rather than taken from a library
// (such as zitadel/oidc or ory/fosite) because those are large frameworks
// with their own storage interfaces, far more than a test double needs;
// JOSE is github.com/lestrrat-go/jwx/v3, as everywhere in cognitokit.
package oidcprovider
