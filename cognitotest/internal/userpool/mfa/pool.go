package mfa

import (
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
	if m.SMS {
		out.SmsMfaConfiguration = &smsMfaConfigWire{SmsAuthenticationMessage: m.SMSMessage}
		if m.SNSCallerARN != "" {
			out.SmsMfaConfiguration.SmsConfiguration = &smsConfigWire{SnsCallerArn: m.SNSCallerARN, ExternalId: m.SNSExternalID, SnsRegion: m.SNSRegion}
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
// email when configured) and their settings, unchecked.
func poolMFAOf(in *poolMFAWire) *state.PoolMFA {
	m := &state.PoolMFA{}
	if t := in.SoftwareTokenMfaConfiguration; t != nil {
		m.TOTP = t.Enabled
	}
	if sms := in.SmsMfaConfiguration; sms != nil {
		m.SMS, m.SMSMessage = true, sms.SmsAuthenticationMessage
		if sc := sms.SmsConfiguration; sc != nil {
			if sc.SnsCallerArn == "" {
				sc.SnsCallerArn = "-" // required with a SmsConfiguration: CheckPoolMFA refuses it
			}
			m.SNSCallerARN, m.SNSExternalID, m.SNSRegion = sc.SnsCallerArn, sc.ExternalId, sc.SnsRegion
		}
	}
	if em := in.EmailMfaConfiguration; em != nil {
		m.Email, m.EmailMessage, m.EmailSubject = true, em.Message, em.Subject
	}
	if w := in.WebAuthnConfiguration; w != nil {
		m.WebAuthnRelyingPartyID, m.WebAuthnUserVerification, m.WebAuthnFactors = w.RelyingPartyId, w.UserVerification, w.FactorConfiguration
	}
	return m
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
