package auth

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// getUserAuthFactors is GetUserAuthFactors: with an access token, the
// user's MFA settings and the first factors USER_AUTH would offer them
// (ConfiguredUserAuthFactors: PASSWORD for a user with a password,
// EMAIL_OTP and SMS_OTP for a verified address the pool allows them on).
func (o *ops) getUserAuthFactors(c *emulator.Call) (any, error) {
	var in struct{ AccessToken string }
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var out map[string]any
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		var t *userpool.Token
		if t, aerr = o.svc.AccessToken(tx, in.AccessToken); aerr != nil {
			return nil
		}
		u := t.User
		factors := []string{}
		for _, f := range firstFactors(tx, t.Pool, u) {
			if f != "PASSWORD_SRP" {
				factors = append(factors, f)
			}
		}
		pref, list := userpool.MFASettings(u)
		out = map[string]any{"Username": u.Username, "ConfiguredUserAuthFactors": factors}
		if pref != "" {
			out["PreferredMfaSetting"] = pref
		}
		if len(list) > 0 {
			out["UserMFASettingList"] = list
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return out, nil
}
