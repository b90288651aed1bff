// Package managedlogin serves a user pool's OAuth 2.0 and OpenID Connect
// endpoints, which Cognito serves on the pool's domain
// (https://{prefix}.auth.{region}.amazoncognito.com) and the emulator on
// its own base URL:
//
//	GET  /oauth2/authorize  validates the request, then shows the sign-in page
//	GET  /login             the sign-in page (username and password, then a
//	                        TOTP code when the user has an authenticator app)
//	POST /login             the sign-in form
//	POST /oauth2/token      authorization_code, refresh_token, client_credentials
//	GET  /oauth2/userInfo   (and POST) the user's attributes, for the openid scope
//	POST /oauth2/revoke     revokes a refresh token
//	GET  /logout            ends the managed-login session, then redirects
//	GET  /{pool}/.well-known/jwks.json, /openid-configuration
//
// Errors follow Cognito: the token and revoke endpoints answer HTTP 400 with
// {"error": "invalid_request" | "invalid_client" | "invalid_grant" |
// "unauthorized_client" | "unsupported_grant_type" | "invalid_scope" |
// "unsupported_token_type"}; userInfo answers 401 with a WWW-Authenticate
// Bearer challenge (error="invalid_token"); the authorization endpoint
// redirects errors to the callback URL (error, error_description, state)
// once the client and redirect URI are known to be valid, and shows an
// error page otherwise. Injected failures apply to the pseudo-operations
// "OAuth2Token", "OAuth2UserInfo" and "OAuth2Revoke".
//
// The pending sign-in pages, the authorization codes and the managed-login
// sessions are held here, in memory: they are short-lived flow state, not
// part of the durable state. Users, clients and tokens are the user pool
// service's.
//
// The files follow the endpoints: authorize.go, login.go (and pages.go,
// its HTML), token.go, userinfo.go (userInfo, revoke, logout) and
// wellknown.go.
package managedlogin
