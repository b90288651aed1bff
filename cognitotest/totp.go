package cognitotest

import (
	"fmt"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// TOTPCode returns the RFC 6238 code (SHA-1, 6 digits, 30-second steps) of
// a base32 secret at time t, as an authenticator app shows it. Use it with
// the SecretCode of AssociateSoftwareToken or UserConfig.TOTPSecret.
func TOTPCode(secret string, t time.Time) (string, error) {
	k, err := userpool.DecodeTOTPSecret(secret)
	if err != nil {
		return "", fmt.Errorf("%w: TOTP secret: %v", ErrInvalidConfig, err)
	}
	return userpool.TOTPAt(k, uint64(t.Unix())/30), nil
}
