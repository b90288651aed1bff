package mfa

import (
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Wire shapes of Get/SetUserPoolMfaConfig.
type smsConfigWire struct {
	SnsCallerArn string `json:",omitempty"`
	ExternalId   string `json:",omitempty"`
	SnsRegion    string `json:",omitempty"`
}

type smsMfaConfigWire struct {
	SmsAuthenticationMessage string         `json:",omitempty"`
	SmsConfiguration         *smsConfigWire `json:",omitempty"`
}

type emailMfaConfigWire struct {
	Message string `json:",omitempty"`
	Subject string `json:",omitempty"`
}

type webAuthnConfigWire struct {
	RelyingPartyId      string `json:",omitempty"`
	UserVerification    string `json:",omitempty"`
	FactorConfiguration string `json:",omitempty"`
}

type poolMFAWire struct {
	UserPoolId                    string            `json:",omitempty"`
	MfaConfiguration              string            `json:",omitempty"`
	SmsMfaConfiguration           *smsMfaConfigWire `json:",omitempty"`
	SoftwareTokenMfaConfiguration *struct{ Enabled bool }
	EmailMfaConfiguration         *emailMfaConfigWire `json:",omitempty"`
	WebAuthnConfiguration         *webAuthnConfigWire `json:",omitempty"`
}

// poolMFAOut is the configuration of p as GetUserPoolMfaConfig answers it.
// A pool never configured offers every method.
func poolMFAOut(p *state.Pool) *poolMFAWire {
	m := p.MFAMethods
	if m == nil {
		m = &state.PoolMFA{TOTP: true, SMS: true, Email: true}
	}
	out := &poolMFAWire{MfaConfiguration: p.MFA, SoftwareTokenMfaConfiguration: &struct{ Enabled bool }{m.TOTP}}
	if m.SMS { // the pool's SmsAuthenticationMessage and SmsConfiguration, as UpdateUserPool sets them too
		out.SmsMfaConfiguration = &smsMfaConfigWire{}
		if t := p.Templates; t != nil {
			out.SmsMfaConfiguration.SmsAuthenticationMessage = t.SMSAuthenticationMessage
		}
		if sc := p.SMSConfiguration; sc != nil {
			out.SmsMfaConfiguration.SmsConfiguration = &smsConfigWire{SnsCallerArn: sc.SNSCallerARN, ExternalId: sc.ExternalID, SnsRegion: sc.SNSRegion}
		}
	}
	if m.Email {
		out.EmailMfaConfiguration = &emailMfaConfigWire{Message: m.EmailMessage, Subject: m.EmailSubject}
	}
	if m.WebAuthnRelyingPartyID != "" || m.WebAuthnUserVerification != "" || m.WebAuthnFactors != "" {
		out.WebAuthnConfiguration = &webAuthnConfigWire{RelyingPartyId: m.WebAuthnRelyingPartyID, UserVerification: m.WebAuthnUserVerification,
			FactorConfiguration: m.WebAuthnFactors}
	}
	return out
}

func (o *ops) getUserPoolMfaConfig(c *emulator.Call) (any, error) {
	var in poolMFAWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var out *poolMFAWire
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		var p *state.Pool
		if p, aerr = userpool.AdminPool(tx, in.UserPoolId); aerr == nil {
			out = poolMFAOut(p)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return out, nil
}

// poolMFAOf returns the MFA configuration of a SetUserPoolMfaConfig
// request as a record: the methods it names (TOTP when enabled, SMS and
// email when configured) and their settings, unchecked. The SMS settings
// are the pool's own (see [setSMS]).
func poolMFAOf(in *poolMFAWire) *state.PoolMFA {
	m := &state.PoolMFA{}
	if t := in.SoftwareTokenMfaConfiguration; t != nil {
		m.TOTP = t.Enabled
	}
	m.SMS = in.SmsMfaConfiguration != nil
	if em := in.EmailMfaConfiguration; em != nil {
		m.Email, m.EmailMessage, m.EmailSubject = true, em.Message, em.Subject
	}
	if w := in.WebAuthnConfiguration; w != nil {
		m.WebAuthnRelyingPartyID, m.WebAuthnUserVerification, m.WebAuthnFactors = w.RelyingPartyId, w.UserVerification, w.FactorConfiguration
	}
	return m
}

// setSMS applies the SmsMfaConfiguration of a SetUserPoolMfaConfig
// request to p. Its SmsAuthenticationMessage and SmsConfiguration are the
// pool's, which UpdateUserPool sets too (and DescribeUserPool reports):
// the message is the text of SMS MFA and SMS_OTP codes, the configuration
// that of every SMS the pool sends. A request without SMS leaves both.
func setSMS(p *state.Pool, sms *smsMfaConfigWire) *wire.Error {
	if sms == nil {
		return nil
	}
	if msg := sms.SmsAuthenticationMessage; msg != "" && (len([]rune(msg)) < 6 || len([]rune(msg)) > 140 || !strings.Contains(msg, "{####}")) {
		return wire.InvalidParameter("Invalid MFA configuration given: the SMS message must be 6 to 140 characters and contain the code placeholder {####}")
	}
	t := &state.MessageTemplates{}
	if p.Templates != nil {
		*t = *p.Templates
	}
	t.SMSAuthenticationMessage = sms.SmsAuthenticationMessage
	p.Templates = t
	if *t == (state.MessageTemplates{}) {
		p.Templates = nil
	}
	if in := sms.SmsConfiguration; in != nil {
		sc := &state.SMSConfiguration{SNSCallerARN: in.SnsCallerArn, ExternalID: in.ExternalId, SNSRegion: in.SnsRegion}
		if aerr := userpool.CheckSMSConfiguration(sc); aerr != nil {
			return aerr
		}
		p.SMSConfiguration = sc
	}
	return nil
}

// setUserPoolMfaConfig is SetUserPoolMfaConfig. It sets the pool's MFA
// methods as a whole (a method the request leaves out is turned off) and,
// when given, MfaConfiguration. Sign-in acts on both: MFA challenges,
// MFA_SETUP and SELECT_MFA_TYPE offer only the pool's methods, and
// SetUserMFAPreference and AssociateSoftwareToken refuse the others.
func (o *ops) setUserPoolMfaConfig(c *emulator.Call) (any, error) {
	var in poolMFAWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	switch in.MfaConfiguration {
	case "", userpool.MFAOff, userpool.MFAOptional, userpool.MFAOn:
	default:
		return nil, wire.InvalidParameter("1 validation error detected: Value '%s' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]", wire.Truncate(in.MfaConfiguration, 32))
	}
	m := poolMFAOf(&in)
	var out *poolMFAWire
	err := o.svc.State.Update(func(tx *state.Tx) error {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return aerr
		}
		np := p.Clone()
		if in.MfaConfiguration != "" {
			np.MFA = in.MfaConfiguration
		}
		if aerr := setSMS(np, in.SmsMfaConfiguration); aerr != nil {
			return aerr
		}
		if msg := userpool.CheckPoolMFA(m, np.MFA); msg != "" {
			return wire.InvalidParameter("Invalid MFA configuration given: %s", msg)
		}
		np.MFAMethods = m
		np.ModifiedAt = o.svc.Now()
		tx.PutPool(np)
		out = poolMFAOut(np)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
