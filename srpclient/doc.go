// Package srpclient signs users in to Amazon Cognito user pools through the
// user pool API, with every flow Cognito offers and none of the bugs other
// clients are known for.
//
// It uses aws-sdk-go-v2's cognitoidentityprovider client for transport (any
// value satisfying [API] will do) and internal/srp for Cognito's exact SRP
// variant.
//
// # Signing in
//
//	c, err := srpclient.New(srpclient.Config{
//		API:        cognitoidentityprovider.NewFromConfig(awsCfg),
//		UserPoolID: "us-east-1_AbC123",
//		ClientID:   "1example23456789",
//	})
//	res, err := c.SignIn(ctx, srpclient.SignInInput{Username: "ann@example.com", Password: pw})
//	for err == nil && !res.Done() {
//		switch step := res.Next.(type) {
//		case *srpclient.MFACodeRequired:
//			res, err = step.Answer(ctx, askCode(step.ChallengeName()))
//		case *srpclient.NewPasswordRequired:
//			res, err = step.Answer(ctx, askNewPassword(), nil)
//		// ... *SelectMFAType, *SelectChallenge, *TOTPSetup,
//		// *SelectMFASetup, *EmailMFASetup, *CustomChallenge,
//		// *WebAuthnRequired
//		}
//	}
//
// [Client.SignIn] uses USER_SRP_AUTH by default; SignInInput.Flow selects
// USER_PASSWORD_AUTH, CUSTOM_AUTH with or without SRP, or USER_AUTH
// (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN). [Client.AdminSignIn]
// uses ADMIN_USER_PASSWORD_AUTH with IAM credentials. The result is either
// [Tokens] or a [Step] whose answer method carries the Session forward.
//
// # Emulators
//
// To sign in against "cognito local", cognito-local or LocalStack, point the
// SDK client at it:
//
//	api := cognitoidentityprovider.NewFromConfig(awsCfg, func(o *cognitoidentityprovider.Options) {
//		o.BaseEndpoint = aws.String("http://127.0.0.1:9229")
//	})
//
// With BaseEndpoint set (or an [API] of your own), Config.UserPoolID may
// have an emulator's shape, such as cognito-local's "local_0y5A8pZR";
// without it, only AWS pool IDs ("us-east-1_AbC123") are accepted.
//
// # Cognito's quirks, handled
//
//   - The pool's internal username (USER_ID_FOR_SRP) is used for the SRP
//     math, every later USERNAME, every SECRET_HASH, refresh and device
//     storage, even when the user typed an email or phone alias.
//   - Negative salts, PAD of two's-complement integers, the unpadded day in
//     TIMESTAMP, the aborts on B mod N == 0 and u == 0, and strict limits on
//     the server's hex and base64 fields ([ErrBadChallenge]).
//
// # Remembered devices
//
// With Config.Devices set ([MemoryDeviceStore], [FileDeviceStore] or your
// own [DeviceStore]), the device Cognito announces after a sign-in is
// confirmed with a fresh verifier and stored under the pool ID and internal
// username. Later sign-ins send its DEVICE_KEY and answer DEVICE_SRP_AUTH and
// DEVICE_PASSWORD_VERIFIER with a fresh SRP value; a device the server no
// longer knows is forgotten and the sign-in retried without it.
//
// # Passkeys
//
// Passkeys (WebAuthn) go through a [PasskeyAuthenticator] that the caller
// supplies: the platform's passkey API, a security key, a browser, or, in
// tests only, the software authenticator of package
// [github.com/cognitokit/cognitokit/srpclient/passkeytest]. The package
// never picks one by default.
//
//	err := c.RegisterPasskey(ctx, tokens.AccessToken, authenticator)  // StartWebAuthnRegistration, CompleteWebAuthnRegistration
//	res, err := c.SignInWithPasskey(ctx, "ann", authenticator)        // USER_AUTH, PREFERRED_CHALLENGE=WEB_AUTHN
//	keys, err := c.ListPasskeys(ctx, tokens.AccessToken)
//	err = c.DeletePasskey(ctx, tokens.AccessToken, keys[0].CredentialID)
//
// A [WebAuthnRequired] step reached another way (a [SelectChallenge]
// answered with WEB_AUTHN) is answered with [WebAuthnRequired.AnswerWith].
// Cognito verifies the attestation and the assertion (relying party ID,
// origin, user verification, counter); this package checks only that the
// JSON either way is a bounded JSON object.
//
// # Tokens
//
// [Client.Refresh] uses REFRESH_TOKEN_AUTH, or GetTokensFromRefreshToken when
// the app client rotates refresh tokens (Config.RefreshTokenRotation; the
// new token goes to Config.OnRefreshTokenRotated). [Client.NewTokenSource]
// returns an oauth2.TokenSource that refreshes before expiry, once for any
// number of concurrent callers, and fails with [ErrRefreshTokenInvalid]
// (without retrying) once the refresh token is revoked or expired. Its
// [TokenSource.TokenContext] takes a context: a caller can stop waiting for
// a refresh without cancelling it for the others. It has the shape of the
// oauth package's TokenSource; both share one single-flight helper
// (golang.org/x/sync/singleflight underneath), and both refresh
// EarlyExpiry before the tokens expire. [Client.Revoke] revokes a refresh
// token, as oauth's Client.Revoke does; [Client.SignOut] also tells
// Config.Revoker. [Tokens] has the shape of oauth's Tokens for what both
// return.
//
// # Contexts
//
// Every method that talks to Cognito takes a context first. A nil context
// is an error wrapping [ErrInvalidInput], never a panic and never a silent
// context.Background(): pass context.Background() or the request's context,
// as with net/http, x/oauth2 and go-oidc.
//
// # Errors
//
// Errors wrap a sentinel of this package ([ErrNotAuthorized],
// [ErrCodeMismatch], ...) and, when Cognito answered, the SDK's typed
// exception. They never contain passwords, codes or tokens.
//
// # Not done
//
// The package does not set up SMS MFA in MFA_SETUP (Cognito has no way
// to: the user needs a phone_number, after which Cognito sends SMS codes
// at the next sign-in; an MFA_SETUP offering SMS only is a
// [*ChallengeError]), and does not send user context data for advanced
// security. MFA_SETUP sets up TOTP ([TOTPSetup]) and email MFA
// ([EmailMFASetup]), or asks which ([SelectMFASetup]).
package srpclient
