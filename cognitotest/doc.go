// Package cognitotest is an in-process Amazon Cognito user pool emulator for
// tests, in the spirit of net/http/httptest: the real AWS SDK, the reference
// JavaScript client and any JWT verifier talk to it over HTTP as they would
// to Cognito, without an AWS account.
//
// # Getting started
//
//	srv := cognitotest.NewServer(t)             // closed by t.Cleanup
//	pool := srv.MustCreatePool(cognitotest.PoolConfig{})
//	app := pool.MustCreateClient(cognitotest.ClientConfig{})
//	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Groups: []string{"admin"}})
//
//	api := cognitoidentityprovider.NewFromConfig(srv.AWSConfig())
//	// ... InitiateAuth, RespondToAuthChallenge, GetUser, AdminCreateUser ...
//
//	tokens := pool.MustMintTokens(app.ID, "alice") // no sign-in needed
//
// Tokens are RS256 JWTs with the exact Cognito claim sets. The issuer is
// [Pool.Issuer] ("{server URL}/{pool ID}"), the key set is at
// [Pool.JWKSURL] and the discovery document at [Pool.DiscoveryURL].
// [Pool.RotateKeys] adds a signing key and can retire the old ones.
//
// # What is emulated
//
// The Cognito user pool API over the AWS JSON 1.1 protocol (POST / with
// X-Amz-Target), with errors the SDK maps onto its typed exceptions
// (*types.NotAuthorizedException, *types.UserNotFoundException, ...):
//
//   - sign-in: InitiateAuth and AdminInitiateAuth with USER_SRP_AUTH (exact
//     SRP, including negative salts with [WithNegativeSalts]),
//     USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH,
//     CUSTOM_AUTH (with Go callbacks as Lambda triggers, see [Triggers]) and
//     USER_AUTH; RespondToAuthChallenge for PASSWORD_VERIFIER, SMS_MFA,
//     SOFTWARE_TOKEN_MFA (RFC 6238, see [TOTPCode]), EMAIL_OTP, SMS_OTP,
//     SELECT_MFA_TYPE, SELECT_CHALLENGE, MFA_SETUP, NEW_PASSWORD_REQUIRED,
//     CUSTOM_CHALLENGE, DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER;
//   - tokens: GetTokensFromRefreshToken with rotation and grace period,
//     RevokeToken, GlobalSignOut, AdminUserGlobalSignOut;
//   - devices, MFA settings, self-service sign-up and password reset, user
//     attributes, groups, ListUsers with filters, and pool and app client
//     management.
//
// An operation the emulator does not implement answers
// UnknownOperationException naming it. Admin and management operations
// require an Authorization header (the SDK signs requests with the static
// credentials of [Server.AWSConfig]); signatures are not checked.
//
// Sessions are single use and expire after three minutes
// ([WithSessionLifetime]); a stale or replayed Session gets
// NotAuthorizedException "Invalid session for the user.".
//
// # Codes
//
// Codes Cognito would send by email or SMS (sign-up confirmation, password
// reset, MFA, one-time passwords, temporary passwords) go to a message sink:
// read them with [Server.LastCode] or [Server.Messages].
//
// # Faults
//
// [Server.SetJWKSMode] makes the key-set endpoints fail, hang or answer
// garbage; [Server.SetLatency] delays every response; [Server.FailOperation]
// makes the next calls of an operation fail.
//
// # Standalone and seeds
//
// "cognito local" (cmd/cognito) runs the same emulator as a process. Its
// seed files are parsed by [ParseSeed] and applied with [Server.ApplySeed];
// [Server.DemoSeed] is its default demo pool. See the package README for
// the seed format.
//
// # Speed
//
// Every pool generates a 2048-bit RSA signing key, which takes a few hundred
// milliseconds. Tests that create many servers should generate a few keys
// once and pass them with [WithSigningKeys].
//
// # Concurrency
//
// A [Server] is safe for concurrent use, and all state is per server, so
// parallel tests do not collide.
//
// # Not done
//
// The emulator does not validate SigV4 signatures, send real email or SMS,
// enforce rate limits or lock accounts after failed attempts, or implement
// WebAuthn, federation and the hosted UI.
package cognitotest
