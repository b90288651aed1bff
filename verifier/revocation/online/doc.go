// Package online asks Cognito about revocations the application never saw,
// and signs users out as an administrator.
//
// A [revocation.List] knows the sign-outs the application performed. An
// administrator's sign-out in the console, a user disabled or deleted, a
// refresh token revoked by another application: those only Cognito knows.
// A [Checker] asks it: GetUser with the access token answers "Access Token
// has been revoked" (or refuses a disabled or deleted user), and the
// Checker records what it learns in the List, which shares it with the
// other replicas.
//
//	list, _ := revocation.New(revocation.Config{Sync: sync})
//	check, _ := online.New(online.Config{API: cognitoidentityprovider.NewFromConfig(awsCfg), List: list})
//	v, _ := verifier.New(verifier.Config{Pools: pools, Revocation: check})
//
// # Cost and limits
//
// Each distinct access token costs one GetUser per Config.CacheTTL (1
// minute by default), shared by concurrent requests (single-flight);
// answers are cached per token (by its SHA-256) up to Config.CacheSize.
// Calls are bounded by a token bucket (Config.Rate, 10 per second by
// default), because GetUser counts against the account's UserRead quota
// (120 requests per second per Region by default, shared with every
// application of the account). When Cognito cannot answer in time, or the
// bucket is empty for longer than Config.MaxWait, the check fails closed
// (the token gets 503: retry) unless Config.FailOpen is set. Only access
// tokens with the aws.cognito.signin.user.admin scope can be checked; ID
// tokens, machine-to-machine tokens and access tokens without that scope
// are checked against the List only.
//
// # Administrators
//
// [AdminSignOut] calls AdminUserGlobalSignOut and records the user in the
// list, so that verifiers refuse the user's tokens at once rather than
// when the online check's cache expires.
package online
