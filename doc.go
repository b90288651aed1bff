// Package cognitokit is the root of a module that gives Go services what
// they need to use Amazon Cognito user pools. It has no code of its own;
// import the package for the job:
//
//	job                                                   import
//	verify ID and access tokens locally                   github.com/cognitokit/cognitokit/verifier
//	protect net/http handlers (ServeMux, chi, ...)        github.com/cognitokit/cognitokit/middleware
//	protect Echo routes                                   github.com/cognitokit/cognitokit/adapters/echoauth
//	protect gRPC services; send tokens from a client      github.com/cognitokit/cognitokit/adapters/grpcauth
//	name rejections, kinds, TokenVerifier, their errors   github.com/cognitokit/cognitokit/middleware/auth
//	sign users in from Go (SRP, MFA, devices, USER_AUTH)  github.com/cognitokit/cognitokit/srpclient
//	OAuth 2.0: managed login, client credentials (M2M)    github.com/cognitokit/cognitokit/oauth
//	server-side web sign-in with sessions                 github.com/cognitokit/cognitokit/oauth/weblogin
//	AWS credentials for signed-in users (identity pools)  github.com/cognitokit/cognitokit/identitypool
//	a Cognito emulator for tests and local development    github.com/cognitokit/cognitokit/cognitotest
//	the command line (verify, login, token, local, ...)   go install github.com/cognitokit/cognitokit/cmd/cognito@latest
//
// # Where to start
//
// An API that receives tokens needs [github.com/cognitokit/cognitokit/verifier]
// and the adapter of its transport: [github.com/cognitokit/cognitokit/middleware]
// for net/http, [github.com/cognitokit/cognitokit/adapters/echoauth] for Echo,
// [github.com/cognitokit/cognitokit/adapters/grpcauth] for gRPC. The three give
// the same verdict for the same token and use one vocabulary (RequireAnyGroup,
// RequireAllScopes, ClaimsFromContext, ...); the types an error handler names
// are in [github.com/cognitokit/cognitokit/middleware/auth], whose documentation maps the
// names of each transport.
//
// A program that signs users in uses
// [github.com/cognitokit/cognitokit/srpclient] (the user pool API, for CLIs,
// native apps and tests) or [github.com/cognitokit/cognitokit/oauth] (the
// OAuth 2.0 endpoints, for web apps and machine-to-machine calls), and
// [github.com/cognitokit/cognitokit/oauth/weblogin] for a complete web
// sign-in. Their token sources feed grpcauth.TokenCredentials and
// [github.com/cognitokit/cognitokit/identitypool].
//
// Tests and local development need no AWS account:
// [github.com/cognitokit/cognitokit/cognitotest] runs Cognito in process (the
// real AWS SDK talks to it over HTTP), and "cognito local" runs it standalone.
//
// # Conventions
//
// Every package follows the same rules: a constructor that validates a Config
// struct whose zero fields are documented defaults (errors wrap the package's
// ErrInvalidConfig); a context first on every call that does I/O, where a nil
// context is an error wrapping ErrInvalidInput (of the package, or of package
// auth for the transports), never a panic and never a silent
// context.Background(); sentinel errors in errors.go, matched with errors.Is;
// no token, password or secret in errors or logs.
//
// A setting has one name wherever it appears: Now (the clock, a func()
// time.Time), HTTPClient, Logger (a *slog.Logger; nothing is logged without
// one, except a wiring mistake), EarlyExpiry (how long before their expiry
// tokens or credentials are renewed: oauth, srpclient, weblogin,
// identitypool, as in x/oauth2) and MaxTokenSize (bytes). So does an error:
// ErrUnavailable (oauth, srpclient, identitypool) means nothing was judged
// and a retry may help, and it also wraps a context that ended first. The
// clients that sign users in return Tokens of one shape (oauth.Tokens,
// srpclient.Tokens: AccessToken, IDToken, RefreshToken, TokenType, Expiry,
// Rotated, Valid, OAuth2Token), refresh with Refresh, revoke a refresh
// token with Revoke, and hand out a TokenSource with TokenContext(ctx) and
// Invalidate.
//
// # Names before v1
//
// These names still work and are deprecated (those of the transports and
// weblogin's requirements are listed in package auth):
//
//	old name                                        new name
//	srpclient.Client.RevokeToken                    srpclient.Client.Revoke
//	srpclient.TokenSourceConfig.Margin              EarlyExpiry
//	identitypool.Config.RefreshMargin               EarlyExpiry
//	identitypool.DefaultRefreshMargin               DefaultEarlyExpiry
//	weblogin.Config.RefreshBefore                   EarlyExpiry
//	weblogin.DefaultRefreshBefore                   DefaultEarlyExpiry
//	oauth.MaxTokenLength                            oauth.MaxTokenSize
package cognitokit
