// Package auth implements the sign-in and token operations of the user
// pool API: InitiateAuth and AdminInitiateAuth (USER_SRP_AUTH,
// USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH,
// CUSTOM_AUTH, USER_AUTH), RespondToAuthChallenge and
// AdminRespondToAuthChallenge with every challenge,
// GetTokensFromRefreshToken, RevokeToken, GlobalSignOut and
// AdminUserGlobalSignOut.
package auth
