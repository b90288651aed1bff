// Package identitypool turns Cognito user pool sign-ins into temporary AWS
// credentials through a Cognito identity pool (Amazon Cognito Identity), so
// that signed-in users can call AWS directly: upload to S3, read DynamoDB,
// under a per-user role.
//
// # Usage
//
// [Provider] is an aws.CredentialsProvider fed by the user's tokens, for
// example the srpclient.TokenSource of a sign-in, configured to hand out ID
// tokens:
//
//	ts, _ := signIn.NewTokenSource(tokens, srpclient.TokenSourceConfig{UseIDToken: true})
//	login, _ := identitypool.UserPoolLogin("us-east-1_AbC123", ts)
//	p, err := identitypool.New(identitypool.Config{
//		API:            cognitoidentity.NewFromConfig(awsCfg),
//		IdentityPoolID: "us-east-1:0a1b2c3d-0000-4000-8000-000000000000",
//		Logins:         []identitypool.Login{login},
//	})
//	s3cfg := awsCfg.Copy()
//	s3cfg.Credentials = p.CredentialsCache()
//	s3Client := s3.NewFromConfig(s3cfg)
//
// # Flows
//
// The enhanced flow (the default) calls GetId once per user, caching the
// identity ID under the logins' providers and subjects, then
// GetCredentialsForIdentity on every refresh, with Config.CustomRoleARN when
// set. The basic (classic) flow (Config.Basic) calls GetOpenIdToken and then
// STS AssumeRoleWithWebIdentity with the configured role.
//
// Without logins, a provider with Config.AllowGuest gets credentials for a
// guest (unauthenticated) identity, which it keeps across refreshes. When the
// guest signs in ([Provider.SetLogins]), the user's own identity is used.
//
// Developer-authenticated identities, for backends that authenticate users
// themselves, have a server side, [Developer] (GetOpenIdTokenForDeveloperIdentity
// and LookupDeveloperIdentity, with IAM credentials), and a client side,
// Config.Developer, a function that fetches a fresh token from that backend.
//
// # Refresh and retries
//
// The credentials' Expires is their real expiry minus Config.EarlyExpiry
// (five minutes by default), so that aws.CredentialsCache refreshes them
// before AWS would reject them.
//
// When Cognito answers that a login token expired, the provider asks the
// token source again (calling its Invalidate method first, when it has one)
// and retries once. When a cached identity no longer exists or no longer
// matches the logins, it forgets it, calls GetId again and retries once.
// Nothing else is retried by hand: throttling (TooManyRequestsException) is
// retried with backoff by the SDK client's retryer, and reported as
// [ErrTooManyRequests] when the retries run out.
//
// Concurrent Retrieve and IdentityID calls for the same logins share one
// GetId (through the single-flight helper that srpclient and oauth use,
// golang.org/x/sync/singleflight underneath). A caller whose context ends
// stops waiting with [ErrUnavailable] and its context's error; the GetId
// goes on for the others, bounded by 30 seconds, and its identity is cached.
// Token sources with a TokenContext(ctx) method, such as srpclient's and
// oauth's, are asked with the caller's context.
//
// # Contexts
//
// A nil context is an error wrapping [ErrInvalidInput], never a panic and
// never a silent context.Background(): pass context.Background() or the
// request's context, as with net/http and the AWS SDK.
//
// # Switching users
//
// [Provider.SetLogins] (another user signed in) and [Provider.ClearLogins]
// (signed out) change the logins. The identity cache is keyed by provider
// and subject, so a new user gets their own identity, never the previous
// user's. Caches made by [Provider.CredentialsCache] are invalidated at once
// and never return credentials of the previous logins, even when the switch
// races with a refresh; a Retrieve that was running starts over with the new
// logins. If you wrap the provider in your own aws.CredentialsCache, call
// its Invalidate yourself after SetLogins. A token source that silently
// starts returning another user's tokens is noticed at the next Retrieve.
//
// The subject is read from the token without verifying it: it only keys the
// cache. Cognito verifies every token.
//
// # Errors
//
// Every error matches one sentinel of errors.go with [errors.Is]: the
// service's refusals ([ErrNotAuthorized], [ErrGuestNotAllowed],
// [ErrIdentityPoolNotFound], [ErrTooManyRequests], [ErrInvalidLogin], ...)
// come as [*APIError] values that carry the AWS error code and wrap the
// SDK's typed exception (errors.As(err, new(*types.NotAuthorizedException))
// works). Errors of a token source are wrapped with [ErrLoginSource].
// Errors never contain tokens or credentials.
//
// # Testing
//
// cognitotest serves Cognito Identity and STS AssumeRoleWithWebIdentity next
// to the user pool API, so all of this runs offline; its credentials are made
// up and are not usable against AWS.
package identitypool
