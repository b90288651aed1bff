package userpool

import (
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
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

// CodeMessage returns the message that carries an MFA or OTP sign-in
// code by medium ("SMS" or "EMAIL") in the pool's words: its
// SetUserPoolMfaConfig templates with {####} replaced by the code, or
// empty texts when the pool has none (the outbox then uses Cognito's
// default text).
func CodeMessage(p *state.Pool, medium, code string) (subject, text string) {
	m := p.MFAMethods
	if m == nil {
		return "", ""
	}
	if medium == "SMS" {
		if m.SMSMessage == "" {
			return "", ""
		}
		return "", strings.ReplaceAll(m.SMSMessage, "{####}", code)
	}
	if m.EmailMessage == "" && m.EmailSubject == "" {
		return "", ""
	}
	subject, text = m.EmailSubject, m.EmailMessage
	if subject == "" {
		subject = "Your authentication code"
	}
	if text == "" {
		text = "Your authentication code is {####}."
	}
	return subject, strings.ReplaceAll(text, "{####}", code)
}

// CodeMessageOf fills in msg's Subject and Text from the pool's templates
// (see [CodeMessage]).
func CodeMessageOf(p *state.Pool, msg emulator.Message) emulator.Message {
	if p != nil {
		msg.Subject, msg.Text = CodeMessage(p, msg.Medium, msg.Code)
	}
	return msg
}

// CheckPoolMFA returns what is wrong with a pool's MFA configuration m
// for the MFA setting mfa ("OFF", "OPTIONAL", "ON"), or "": the
// templates' lengths and code placeholder, the SNS role and the WebAuthn
// settings, and at least one method when MFA is not OFF.
func CheckPoolMFA(m *state.PoolMFA, mfa string) string {
	switch {
	case m.SMSMessage != "" && (len([]rune(m.SMSMessage)) < 6 || len([]rune(m.SMSMessage)) > 140 || !strings.Contains(m.SMSMessage, "{####}")):
		return "the SMS message must be 6 to 140 characters and contain the code placeholder {####}"
	case m.EmailMessage != "" && (len([]rune(m.EmailMessage)) < 6 || len([]rune(m.EmailMessage)) > 20000 || !strings.Contains(m.EmailMessage, "{####}")):
		return "the email message must be 6 to 20000 characters and contain the code placeholder {####}"
	case len([]rune(m.EmailSubject)) > 140:
		return "the email subject must be at most 140 characters"
	case m.SNSCallerARN != "" && (len(m.SNSCallerARN) > 2048 || !strings.HasPrefix(m.SNSCallerARN, "arn:")):
		return "the SNS caller must be the ARN of the IAM role that sends SMS messages"
	case m.SNSCallerARN == "" && (m.SNSExternalID != "" || m.SNSRegion != ""):
		return "an SNS external ID or region needs the SNS caller ARN"
	case len(m.SNSExternalID) > 1224 || len(m.SNSRegion) > 32:
		return "the SNS external ID or region is too long"
	case !m.SMS && (m.SMSMessage != "" || m.SNSCallerARN != ""):
		return "an SMS message or configuration needs SMS MFA"
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
