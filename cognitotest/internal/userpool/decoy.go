package userpool

import (
	"fmt"
	"math/big"
	"net/mail"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// What an app client with PreventUserExistenceErrors answers for a user
// that does not exist must not change from one call to the next, or a
// caller could tell it from a real user by asking twice. These values are
// derived from the pool's secret and the username (as the pool compares
// usernames), so that they are stable without being stored and differ
// between pools.

// decoyKey is the username as the pool compares it.
func decoyKey(p *state.Pool, username string) string {
	if !p.CaseSensitiveUsernames {
		return strings.ToLower(username)
	}
	return username
}

// DecoySRP returns the SALT and USER_ID_FOR_SRP of the PASSWORD_VERIFIER
// challenge for an unknown user: a 128-bit salt (negative where the
// server makes negative salts) and a version 4 UUID, the shape of the
// internal username (the sub) of a pool with username attributes.
func (s *Service) DecoySRP(secret []byte, p *state.Pool, username string) (*big.Int, string) {
	k := decoyKey(p, username)
	sb := Derive(secret, "srp-salt", k)[:16]
	sb[0] |= 0x80 // never zero; and 16 bytes long, as a drawn salt mostly is
	salt := new(big.Int).SetBytes(sb)
	if s.Config().NegativeSalts {
		salt.Neg(salt)
	}
	b := Derive(secret, "srp-user-id", k)[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return salt, fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// DecoyVerifierSalt returns a stable salt for a user without a password
// (a user created for OTP sign-in), whose PASSWORD_VERIFIER challenge
// cannot succeed: a fresh salt on every call would tell that the user
// has no password.
func (s *Service) DecoyVerifierSalt(secret []byte, sub string) *big.Int {
	sb := Derive(secret, "srp-salt-sub", sub)[:16]
	sb[0] |= 0x80
	salt := new(big.Int).SetBytes(sb)
	if s.Config().NegativeSalts {
		salt.Neg(salt)
	}
	return salt
}

// SimulatedDelivery returns the CodeDeliveryDetails that ForgotPassword
// and ResendConfirmationCode answer for an unknown user when the client
// prevents user existence errors. A username that is an email address or
// a phone number is masked as a real destination would be; any other
// username gets a masked address or number derived from the pool's
// secret, by email unless the pool verifies phone numbers only.
func SimulatedDelivery(secret []byte, p *state.Pool, username string) *wire.CodeDeliveryDetails {
	if a, err := mail.ParseAddress(username); err == nil && a.Address == username {
		return &wire.CodeDeliveryDetails{AttributeName: "email", DeliveryMedium: "EMAIL", Destination: emulator.MaskEmail(username)}
	}
	if isE164(username) {
		return &wire.CodeDeliveryDetails{AttributeName: "phone_number", DeliveryMedium: "SMS", Destination: emulator.MaskPhone(username)}
	}
	d := Derive(secret, "delivery", decoyKey(p, username))
	if len(p.AutoVerifiedAttributes) == 1 && p.AutoVerifiedAttributes[0] == "phone_number" {
		digits := make([]byte, 10)
		for i := range digits {
			digits[i] = '0' + d[i]%10
		}
		return &wire.CodeDeliveryDetails{AttributeName: "phone_number", DeliveryMedium: "SMS", Destination: emulator.MaskPhone("+1" + string(digits))}
	}
	const letters = "abcdefghijklmnopqrstuvwxyz"
	addr := string(letters[d[0]%26]) + "@" + string(letters[d[1]%26]) + ".example"
	return &wire.CodeDeliveryDetails{AttributeName: "email", DeliveryMedium: "EMAIL", Destination: emulator.MaskEmail(addr)}
}

// isE164 reports whether s is a phone number in E.164 form (+ and 8 to 15
// digits).
func isE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
