package userpool

import "errors"

// Reasons a token is refused.
var (
	ErrTokenInvalid     = errors.New("token invalid")       // malformed, unknown issuer or key, bad signature
	ErrTokenIssuer      = errors.New("token issuer")        // not TokenRules.Issuer
	ErrTokenUse         = errors.New("token use")           // not TokenRules.Use
	ErrTokenAudience    = errors.New("token audience")      // not one of TokenRules.Audiences
	ErrTokenExpired     = errors.New("token expired")       // exp has passed
	ErrTokenNotYetValid = errors.New("token not yet valid") // iat is in the future
	ErrTokenNoUser      = errors.New("token of no user")    // no username (M2M)
	ErrTokenRevoked     = errors.New("token revoked")       // its origin is revoked
	ErrTokenUserGone    = errors.New("token user gone")     // the user was deleted (or replaced)
	ErrUserDisabled     = errors.New("user disabled")
	ErrTokenScope       = errors.New("token scope") // lacks TokenRules.Scope
)
