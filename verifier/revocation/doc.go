// Package revocation makes revocations take effect in an application that
// verifies Cognito tokens locally.
//
// A token revoked in Cognito (RevokeToken, GlobalSignOut, an administrator
// signing a user out) stays valid for a local verifier until it expires,
// up to a day. A [List] closes that gap: it records revocations in
// Cognito's own two shapes ([Entry]) and the verifier consults it for
// every token after the signature check, tokens served from its cache
// included:
//
//   - by origin_jti: revoking a refresh token kills every access and ID
//     token issued from it, which all carry its origin_jti;
//   - by user and "issued before": a global sign-out kills every token of
//     the user issued before it.
//
// Entries are forgotten when the tokens they cover would have expired
// anyway (Config.MaxTokenLifetime after the revocation), so the list stays
// as small as the sign-outs of the last day.
//
// # Usage
//
//	list, _ := revocation.New(revocation.Config{})
//	v, _ := verifier.New(verifier.Config{Pools: pools, Revocation: list})
//	wl, _ := weblogin.New(weblogin.Config{..., Revoker: list}) // sign-outs feed it
//
// A revoked token fails Verify with an error matching
// [verifier.ErrRevoked]: HTTP 401 with error="invalid_token", gRPC
// Unauthenticated.
//
// # What feeds it
//
// The application's own sign-out paths feed the list automatically when
// given it as their Revoker: weblogin's sign-out (the session's origin_jti)
// and "sign out everywhere", srpclient's RevokeToken, SignOut and
// GlobalSignOut, and the CLI's "cognito revoke --redis". The package
// [github.com/cognitokit/cognitokit/verifier/revocation/online] adds an
// administrator's AdminSignOut and the online check, which asks Cognito
// about revocations the application never saw (an administrator in the
// console).
//
// # Several replicas
//
// With Config.Sync (a Redis implementation is in package
// [github.com/cognitokit/cognitokit/adapters/redisstore]) the list is shared by
// every replica: a revocation is stored in Redis and announced over
// pub/sub, so the other replicas refuse the tokens within milliseconds,
// and a replica that starts or reconnects loads every live entry. Checks
// never wait for Redis: they read this process's copy. While a replica is
// cut off from Redis it keeps refusing what it knew and learns the rest
// when it reconnects.
//
// # Cost
//
// A check is two map lookups under a read lock (nothing while the list is
// empty); an entry costs about 150 bytes. [List.Len] reports the size.
package revocation
