// Package oauth talks to the OAuth 2.0 and OpenID Connect endpoints of an
// Amazon Cognito user pool domain (managed login, formerly the hosted UI),
// on top of golang.org/x/oauth2.
//
// # Endpoints
//
// [NewEndpoints] turns a domain into its URLs: a Cognito prefix domain
// (https://myapp.auth.eu-west-1.amazoncognito.com, see [CognitoDomain]), a
// custom domain, or an emulator's base URL such as cognitotest's
// Server.OAuthDomain. Bad domains are errors, never panics.
//
// # Authorization code flow with PKCE
//
// Create one [Client] at startup with [New], then for each sign-in:
//
//	req, _ := oauth.NewAuthRequest()          // state, nonce, PKCE verifier
//	u, _ := client.AuthCodeURL(req)           // redirect the browser there
//	// ... keep req server-side or in an encrypted cookie ...
//	// on the callback, after checking state == req.State:
//	tok, err := client.Exchange(ctx, code, req)
//	// tok.IDClaims are verified: signature, issuer, audience, expiry,
//	// nonce, and at_hash against the access token.
//
// Confidential clients (with a secret) authenticate with HTTP Basic
// (client_secret_basic); public clients send their client_id and rely on
// PKCE. The subpackage weblogin builds a complete, secure server-side login
// for web apps on top of this.
//
// # Identity providers
//
// [IdentityProvider] ("Google", "SignInWithApple", an OIDC or SAML
// provider's name) and [IDPIdentifier] send the browser straight to a
// federated provider instead of the managed-login page. Both are checked
// as Cognito checks them ([CheckProviderName], [CheckIDPIdentifier]), and
// AuthCodeURL refuses the two together. The ID token of a federated user
// carries an identities claim: read it with verifier's
// Claims.Identities.
//
// # Tokens
//
// [Client.Refresh] redeems a refresh token, reporting rotation
// (Tokens.Rotated). [Client.Revoke] revokes a refresh token and what was
// issued from it. [Client.UserInfo] returns a typed [UserInfo].
// [Client.LogoutURL] builds the sign-out URL. [Client.ClientCredentials]
// returns a [TokenSource] for machine-to-machine tokens with
// "resource-server/scope" scopes, cached until shortly before expiry and
// shared by concurrent callers: [TokenSource.TokenContext] lets a caller
// stop waiting for a token request without cancelling it for the others.
// It has the shape of srpclient's TokenSource; both share one single-flight
// helper (golang.org/x/sync/singleflight underneath). Client credentials, revocation and userInfo
// need no Config.UserPoolID; the methods that verify ID tokens
// (Exchange, Refresh, VerifyIDToken) fail with a [*MissingUserPoolError]
// (matching [ErrInvalidConfig]) when the Client has no way to verify them.
//
// # Contexts
//
// Every method that makes a request takes a context first. A nil context is
// an error wrapping [ErrInvalidInput], never a panic and never a silent
// context.Background(): pass context.Background() or the request's context,
// as with net/http and x/oauth2.
//
// # Errors
//
// Endpoint errors are [*Error] values with the RFC 6749 fields (Code,
// Description, URI, StatusCode); they match sentinels such as
// [ErrInvalidGrant] or [ErrInvalidClient] with errors.Is. "The service is
// down" ([ErrUnavailable]) is kept apart from "the request or token is bad"
// so that callers can answer 503 instead of 401. Errors never contain
// tokens, codes or secrets.
//
// # Not done
//
// The implicit grant is not supported (use the code flow with PKCE).
// Exchange does NOT compare the callback's state with the request's: the
// caller holds both (weblogin does it in constant time).
package oauth
