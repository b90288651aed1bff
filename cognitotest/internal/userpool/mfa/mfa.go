package mfa

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

type ops struct{ svc *userpool.Service }

// Register adds the operations of this package to r.
func Register(r *emulator.Registry, svc *userpool.Service) {
	o := &ops{svc}
	r.Add(
		emulator.Op{Service: emulator.UserPools, Name: "AssociateSoftwareToken", Handler: o.associateSoftwareToken, Public: true, Writes: true},
		emulator.Op{Service: emulator.UserPools, Name: "VerifySoftwareToken", Handler: o.verifySoftwareToken, Public: true, Writes: true},
		emulator.Op{Service: emulator.UserPools, Name: "SetUserMFAPreference", Handler: o.setUserMFAPreference, Public: true, Writes: true},
		emulator.Op{Service: emulator.UserPools, Name: "AdminSetUserMFAPreference", Handler: o.setUserMFAPreference, Writes: true},
		emulator.Op{Service: emulator.UserPools, Name: "GetUserPoolMfaConfig", Handler: o.getUserPoolMfaConfig},
		emulator.Op{Service: emulator.UserPools, Name: "SetUserPoolMfaConfig", Handler: o.setUserPoolMfaConfig, Writes: true},
		emulator.Op{Service: emulator.UserPools, Name: "SetUserSettings", Handler: o.setUserSettings, Public: true, Writes: true},
		emulator.Op{Service: emulator.UserPools, Name: "AdminSetUserSettings", Handler: o.setUserSettings, Writes: true},
	)
}

type mfaInput struct {
	AccessToken              string
	Session                  string
	UserCode                 string
	FriendlyDeviceName       string
	UserPoolId               string
	Username                 string
	SMSMfaSettings           *mfaSettings
	SoftwareTokenMfaSettings *mfaSettings
	EmailMfaSettings         *mfaSettings
}

type mfaSettings struct {
	Enabled      bool
	PreferredMfa bool
}

func (o *ops) associateSoftwareToken(c *emulator.Call) (any, error) {
	s := o.svc
	var in mfaInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	secret := s.NewTOTPSecret()
	if in.Session != "" {
		sess, aerr := s.Sessions.TakeAny(in.Session)
		if aerr != nil {
			return nil, aerr
		}
		if sess.Challenge != "MFA_SETUP" {
			return nil, wire.InvalidSession()
		}
		if aerr := o.offersTOTP(sess.PoolID); aerr != nil {
			s.Sessions.PutBack(sess) // another method may still be set up
			return nil, aerr
		}
		sess.TOTPSecret = secret
		id := s.Sessions.Put(sess)
		return map[string]string{"SecretCode": secret, "Session": id}, nil
	}
	if in.AccessToken == "" {
		return nil, wire.InvalidParameter("Send AccessToken or Session")
	}
	err := s.State.Update(func(tx *state.Tx) error {
		t, aerr := s.AccessToken(tx, in.AccessToken)
		if aerr != nil {
			return aerr
		}
		if !t.Pool.Offers(userpool.MFATOTP) {
			return totpNotOffered()
		}
		nu := t.User.Clone()
		nu.PendingTOTPSecret = secret
		tx.PutUser(t.Pool, nu)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]string{"SecretCode": secret}, nil
}

// totpNotOffered is Cognito's error for TOTP in a pool without it.
func totpNotOffered() *wire.Error {
	return wire.Errorf("SoftwareTokenMFANotFoundException", "Software Token MFA is not enabled for the user pool; see SetUserPoolMfaConfig (SoftwareTokenMfaConfiguration)")
}

// offersTOTP checks that the pool offers TOTP MFA.
func (o *ops) offersTOTP(poolID string) *wire.Error {
	var ok bool
	o.svc.State.View(func(tx *state.Tx) error {
		p := tx.Pool(poolID)
		ok = p != nil && p.Offers(userpool.MFATOTP)
		return nil
	})
	if !ok {
		return totpNotOffered()
	}
	return nil
}

func (o *ops) verifySoftwareToken(c *emulator.Call) (any, error) {
	s := o.svc
	var in mfaInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.UserCode == "" {
		return nil, wire.InvalidParameter("Missing required parameter UserCode")
	}
	mismatch := wire.Errorf("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
	if in.Session != "" {
		sess, aerr := s.Sessions.TakeAny(in.Session)
		if aerr != nil {
			return nil, aerr
		}
		if sess.Challenge != "MFA_SETUP" || sess.TOTPSecret == "" {
			return nil, wire.InvalidSession()
		}
		if !userpool.CheckTOTP(sess.TOTPSecret, in.UserCode, s.Now()) {
			s.Sessions.PutBack(sess) // the user may try again
			return nil, mismatch
		}
		err := s.State.Update(func(tx *state.Tx) error {
			u := sess.User(tx)
			if u == nil {
				return wire.InvalidSession()
			}
			nu := u.Clone()
			nu.TOTPSecret, nu.TOTPEnabled = sess.TOTPSecret, true
			if nu.PreferredMFA == "" {
				nu.PreferredMFA = userpool.MFATOTP
			}
			tx.PutUser(tx.Pool(sess.PoolID), nu)
			return nil
		})
		if err != nil {
			return nil, err
		}
		sess.TOTPVerified = true
		id := s.Sessions.Put(sess)
		return map[string]string{"Status": "SUCCESS", "Session": id}, nil
	}
	err := s.State.Update(func(tx *state.Tx) error {
		t, aerr := s.AccessToken(tx, in.AccessToken)
		if aerr != nil {
			return aerr
		}
		u := t.User
		if u.PendingTOTPSecret == "" {
			return wire.InvalidParameter("Call AssociateSoftwareToken first")
		}
		if !userpool.CheckTOTP(u.PendingTOTPSecret, in.UserCode, s.Now()) {
			return mismatch
		}
		nu := u.Clone()
		nu.TOTPSecret, nu.PendingTOTPSecret = u.PendingTOTPSecret, ""
		tx.PutUser(t.Pool, nu)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]string{"Status": "SUCCESS"}, nil
}

func (o *ops) setUserMFAPreference(c *emulator.Call) (any, error) {
	s := o.svc
	var in mfaInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	err := s.State.Update(func(tx *state.Tx) error {
		var p *state.Pool
		var u *state.User
		if c.Op.Name == "AdminSetUserMFAPreference" {
			if p = tx.Pool(in.UserPoolId); p == nil {
				return wire.ResourceNotFound("User pool %s does not exist.", wire.Truncate(in.UserPoolId, 64))
			}
			if u = userpool.LookupUser(tx, p, in.Username); u == nil {
				return wire.UserNotFound()
			}
		} else {
			t, aerr := s.AccessToken(tx, in.AccessToken)
			if aerr != nil {
				return aerr
			}
			p, u = t.Pool, t.User
		}
		nu := u.Clone()
		type setting struct {
			in      *mfaSettings
			name    string
			enabled *bool
			ok      bool
			why     string
		}
		settings := []setting{
			{in.SoftwareTokenMfaSettings, userpool.MFATOTP, &nu.TOTPEnabled, u.TOTPSecret != "", "User has not verified software token mfa"},
			{in.SMSMfaSettings, userpool.MFASMS, &nu.SMSMFA, u.Attributes["phone_number"] != "", "User does not have a phone number"},
			{in.EmailMfaSettings, userpool.MFAEmail, &nu.EmailMFA, u.Attributes["email"] != "", "User does not have an email address"},
		}
		for _, st := range settings {
			if st.in != nil && (st.in.Enabled || st.in.PreferredMfa) && !p.Offers(st.name) {
				return wire.InvalidParameter("The user pool does not offer %s MFA; see SetUserPoolMfaConfig", st.name)
			}
			if st.in != nil && (st.in.Enabled || st.in.PreferredMfa) && !st.ok {
				return wire.InvalidParameter("%s", st.why)
			}
		}
		for _, st := range settings {
			if st.in == nil {
				continue
			}
			*st.enabled = st.in.Enabled || st.in.PreferredMfa
			switch {
			case st.in.PreferredMfa:
				nu.PreferredMFA = st.name
			case nu.PreferredMFA == st.name && !*st.enabled:
				nu.PreferredMFA = ""
			case nu.PreferredMFA == st.name && !st.in.PreferredMfa:
				nu.PreferredMFA = ""
			}
		}
		tx.PutUser(p, nu)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
