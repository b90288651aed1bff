package mfa

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

type mfaOption struct {
	DeliveryMedium string
	AttributeName  string
}

type userSettingsInput struct {
	AccessToken string
	UserPoolId  string
	Username    string
	MFAOptions  *[]mfaOption
}

// setUserSettings is SetUserSettings and AdminSetUserSettings, the legacy
// way to turn SMS MFA on ([{"DeliveryMedium": "SMS", "AttributeName":
// "phone_number"}]) or off ([]) for a user. As in Cognito, it configures
// SMS MFA only: TOTP and email MFA go through SetUserMFAPreference.
func (o *ops) setUserSettings(c *emulator.Call) (any, error) {
	s := o.svc
	var in userSettingsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.MFAOptions == nil {
		return nil, wire.InvalidParameter("Missing required parameter MFAOptions")
	}
	sms := false
	for _, opt := range *in.MFAOptions {
		switch {
		case opt.DeliveryMedium != "SMS" && opt.DeliveryMedium != "EMAIL":
			return nil, wire.InvalidParameter("1 validation error detected: Value '%s' at 'mFAOptions.member.deliveryMedium' failed to satisfy constraint: Member must satisfy enum value set: [SMS, EMAIL]", wire.Truncate(opt.DeliveryMedium, 32))
		case opt.DeliveryMedium == "EMAIL":
			return nil, wire.InvalidParameter("SetUserSettings configures SMS MFA only; use SetUserMFAPreference for email and TOTP MFA")
		case opt.AttributeName != "phone_number":
			return nil, wire.InvalidParameter("SMS MFA is delivered to phone_number; AttributeName %q is not supported", wire.Truncate(opt.AttributeName, 32))
		}
		sms = true
	}
	err := s.State.Update(func(tx *state.Tx) error {
		var p *state.Pool
		var u *state.User
		if c.Op.Name == "AdminSetUserSettings" {
			var aerr *wire.Error
			if p, u, aerr = userpool.AdminUser(tx, in.UserPoolId, in.Username); aerr != nil {
				return aerr
			}
		} else {
			t, aerr := s.AccessToken(tx, in.AccessToken)
			if aerr != nil {
				return aerr
			}
			p, u = t.Pool, t.User
		}
		if sms && u.Attributes["phone_number"] == "" {
			return wire.InvalidParameter("User does not have a phone number")
		}
		nu := u.Clone()
		nu.SMSMFA = sms
		if !sms && nu.PreferredMFA == userpool.MFASMS {
			nu.PreferredMFA = ""
		}
		nu.ModifiedAt = s.Now()
		tx.PutUser(p, nu)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
