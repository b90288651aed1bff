package userpool

import (
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// OfferedMFA lists the MFA methods a sign-in of u may ask for: those the
// user enabled ([MFAMethods]) that the pool offers
// ([state.Pool.Offers]), TOTP first. In a pool that requires MFA and
// offers SMS, a user without any method but with a phone number has SMS
// MFA, as in Cognito (which cannot turn SMS MFA off for users of such a
// pool); only in pools whose methods were configured
// (SetUserPoolMfaConfig), so that pools never configured behave as
// before.
func OfferedMFA(p *state.Pool, u *state.User) []string {
	var out []string
	for _, m := range MFAMethods(u) {
		if p.Offers(m) {
			out = append(out, m)
		}
	}
	if len(out) == 0 && p.MFA == MFAOn && p.MFAMethods != nil && p.MFAMethods.SMS && u.Attributes["phone_number"] != "" {
		out = append(out, MFASMS)
	}
	return out
}

// SetupMethods lists what MFA_SETUP offers (MFAS_CAN_SETUP) in pool p: the
// methods it offers. A pool whose methods were never configured offers
// TOTP only, as the emulator did before SetUserPoolMfaConfig.
func SetupMethods(p *state.Pool) []string {
	if p.MFAMethods == nil {
		return []string{MFATOTP}
	}
	var out []string
	for _, m := range []string{MFATOTP, MFASMS, MFAEmail} {
		if p.Offers(m) {
			out = append(out, m)
		}
	}
	return out
}

// CheckPoolMFA returns what is wrong with a pool's MFA configuration m
// for the MFA setting mfa ("OFF", "OPTIONAL", "ON"), or "": the
// templates' lengths and code placeholder, the SNS role and the WebAuthn
// settings, and at least one method when MFA is not OFF.
func CheckPoolMFA(m *state.PoolMFA, mfa string) string {
	switch {
	case m.EmailMessage != "" && (len([]rune(m.EmailMessage)) < 6 || len([]rune(m.EmailMessage)) > 20000 || !strings.Contains(m.EmailMessage, "{####}")):
		return "the email message must be 6 to 20000 characters and contain the code placeholder {####}"
	case len([]rune(m.EmailSubject)) > 140:
		return "the email subject must be at most 140 characters"
	case !m.Email && (m.EmailMessage != "" || m.EmailSubject != ""):
		return "an email message or subject needs email MFA"
	case len(m.WebAuthnRelyingPartyID) > 127:
		return "the WebAuthn relying party ID must be at most 127 characters"
	case m.WebAuthnUserVerification != "" && m.WebAuthnUserVerification != "required" && m.WebAuthnUserVerification != "preferred":
		return "the WebAuthn user verification must be required or preferred"
	case m.WebAuthnFactors != "" && m.WebAuthnFactors != "SINGLE_FACTOR" && m.WebAuthnFactors != "MULTI_FACTOR_WITH_USER_VERIFICATION":
		return "the WebAuthn factor configuration must be SINGLE_FACTOR or MULTI_FACTOR_WITH_USER_VERIFICATION"
	case mfa != MFAOff && !m.TOTP && !m.SMS && !m.Email:
		return "MFA " + mfa + " needs at least one method: TOTP, SMS or email"
	}
	return ""
}
