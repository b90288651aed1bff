package users

import (
	"math/big"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/internal/srp"
)

type ops struct{ svc *userpool.Service }

// Register adds the operations of this package to r.
func Register(r *emulator.Registry, svc *userpool.Service) {
	o := &ops{svc}
	// public: served without AWS credentials; writes: changes the state.
	const public, iam, writes, reads = true, false, true, false
	op := func(name string, h emulator.Handler, public, writes bool) emulator.Op {
		return emulator.Op{Service: emulator.UserPools, Name: name, Handler: h, Public: public, Writes: writes}
	}
	r.Add(
		// Self-service
		op("SignUp", o.signUp, public, writes),
		op("ConfirmSignUp", o.confirmSignUp, public, writes),
		op("ResendConfirmationCode", o.resendConfirmationCode, public, writes),
		op("ForgotPassword", o.forgotPassword, public, writes),
		op("ConfirmForgotPassword", o.confirmForgotPassword, public, writes),
		op("ChangePassword", o.changePassword, public, writes),
		op("GetUser", o.getUser, public, reads),
		op("UpdateUserAttributes", o.updateUserAttributes, public, writes),
		op("DeleteUser", o.deleteUser, public, writes),
		op("DeleteUserAttributes", o.deleteUserAttributes, public, writes),
		op("GetUserAttributeVerificationCode", o.getUserAttributeVerificationCode, public, writes),
		op("VerifyUserAttribute", o.verifyUserAttribute, public, writes),
		op("UpdateAuthEventFeedback", o.updateAuthEventFeedback, public, writes),
		// Administration
		op("AdminCreateUser", o.adminCreateUser, iam, writes),
		op("AdminSetUserPassword", o.adminSetUserPassword, iam, writes),
		op("AdminGetUser", o.adminGetUser, iam, reads),
		op("AdminDeleteUser", o.adminDeleteUser, iam, writes),
		op("AdminConfirmSignUp", o.adminConfirmSignUp, iam, writes),
		op("AdminDisableUser", func(c *emulator.Call) (any, error) { return o.setEnabled(c, false) }, iam, writes),
		op("AdminEnableUser", func(c *emulator.Call) (any, error) { return o.setEnabled(c, true) }, iam, writes),
		op("AdminResetUserPassword", o.adminResetUserPassword, iam, writes),
		op("AdminUpdateUserAttributes", o.adminUpdateUserAttributes, iam, writes),
		op("AdminDeleteUserAttributes", o.adminDeleteUserAttributes, iam, writes),
		op("ListUsers", o.listUsers, iam, reads),
		op("AdminListUserAuthEvents", o.adminListUserAuthEvents, iam, reads),
		op("AdminUpdateAuthEventFeedback", o.updateAuthEventFeedback, iam, writes),
		// Groups
		op("CreateGroup", o.createGroup, iam, writes),
		op("GetGroup", o.getGroup, iam, reads),
		op("ListGroups", o.listGroups, iam, reads),
		op("UpdateGroup", o.updateGroup, iam, writes),
		op("DeleteGroup", o.deleteGroup, iam, writes),
		op("AdminAddUserToGroup", o.adminAddUserToGroup, iam, writes),
		op("AdminRemoveUserFromGroup", o.adminRemoveUserFromGroup, iam, writes),
		op("AdminListGroupsForUser", o.adminListGroupsForUser, iam, reads),
		op("ListUsersInGroup", o.listUsersInGroup, iam, reads),
	)
}

// Spec describes a user to create (cognitotest.UserConfig).
type Spec struct {
	Username          string
	Password          string
	TemporaryPassword string
	Email             string
	PhoneNumber       string
	UnverifiedEmail   bool
	UnverifiedPhone   bool
	Attributes        map[string]string
	Groups            []string
	Unconfirmed       bool
	Disabled          bool
	Sub               string
	TOTPSecret        string
	SMSMFA            bool
	EmailMFA          bool
	PreferredMFA      string
	// Salt and Verifier are the SRP secrets of a password (of this pool
	// and username), instead of Password: what a seed exported from the
	// emulator holds.
	Salt, Verifier *big.Int
	// Status sets the status (CONFIRMED, UNCONFIRMED,
	// FORCE_CHANGE_PASSWORD or RESET_REQUIRED) instead of the one
	// Unconfirmed and TemporaryPassword imply.
	Status string
}

// Create creates a user in a pool, creating the groups it names.
func Create(svc *userpool.Service, poolID string, cfg Spec) (*state.User, error) {
	return CreateThen(svc, poolID, cfg, nil)
}

// CreateThen is [Create], running then (when not nil) in the transaction
// that creates the user: AdminCreateUser delivers the invitation there,
// so that the message exists exactly when the user does.
func CreateThen(svc *userpool.Service, poolID string, cfg Spec, then func(tx *state.Tx, u *state.User)) (*state.User, error) {
	var p *state.Pool
	svc.State.View(func(tx *state.Tx) error { p = tx.Pool(poolID); return nil })
	if p == nil {
		return nil, emulator.NotFoundf("user pool %q", poolID)
	}
	if cfg.Password != "" && cfg.TemporaryPassword != "" {
		return nil, emulator.Invalidf("user %q: set Password or TemporaryPassword, not both", cfg.Username)
	}
	if (cfg.Verifier != nil) != (cfg.Salt != nil) || cfg.Verifier != nil && (cfg.Password != "" || cfg.TemporaryPassword != "") {
		return nil, emulator.Invalidf("user %q: set a password, or a salt and a verifier", cfg.Username)
	}
	if cfg.Verifier != nil && (cfg.Verifier.Sign() <= 0 || cfg.Verifier.Cmp(srp.N()) >= 0 || cfg.Salt.Sign() == 0 || cfg.Salt.BitLen() > 1024) {
		return nil, emulator.Invalidf("user %q: the password verifier must be in 1..N-1 and the salt non-zero and at most 1024 bits", cfg.Username)
	}
	switch cfg.Status {
	case "", userpool.StatusConfirmed, userpool.StatusUnconfirmed, userpool.StatusForceChangePassword, userpool.StatusResetRequired:
	default:
		return nil, emulator.Invalidf("user %q: status %q: want CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD or RESET_REQUIRED", cfg.Username, cfg.Status)
	}
	attrs := map[string]string{}
	for k, v := range cfg.Attributes {
		if k == "sub" {
			return nil, emulator.Invalidf("attribute sub: set UserConfig.Sub instead")
		}
		if msg := userpool.ValidateAttr(k, v); msg != "" {
			return nil, emulator.Invalidf("attribute %q: %s", k, msg)
		}
		attrs[k] = v
	}
	if cfg.Email != "" {
		if msg := userpool.ValidateAttr("email", cfg.Email); msg != "" {
			return nil, emulator.Invalidf("Email %q: %s", cfg.Email, msg)
		}
		attrs["email"] = cfg.Email
		attrs["email_verified"] = userpool.BoolString(!cfg.UnverifiedEmail)
	}
	if cfg.PhoneNumber != "" {
		if msg := userpool.ValidateAttr("phone_number", cfg.PhoneNumber); msg != "" {
			return nil, emulator.Invalidf("PhoneNumber %q: %s", cfg.PhoneNumber, msg)
		}
		attrs["phone_number"] = cfg.PhoneNumber
		attrs["phone_number_verified"] = userpool.BoolString(!cfg.UnverifiedPhone)
	}
	if msg := userpool.CheckSchema(p, attrs, false); msg != "" {
		return nil, emulator.Invalidf("%s", msg)
	}
	sub := cfg.Sub
	if sub == "" {
		sub = svc.UUID()
	}
	username := cfg.Username
	if len(p.UsernameAttributes) > 0 {
		if username != "" && username != cfg.Email && username != cfg.PhoneNumber {
			return nil, emulator.Invalidf("pool %s signs users in by %v: leave Username empty (the username is the sub) and set Email or PhoneNumber", p.ID, p.UsernameAttributes)
		}
		if cfg.Email == "" && cfg.PhoneNumber == "" {
			return nil, emulator.Invalidf("pool %s signs users in by %v: set Email or PhoneNumber", p.ID, p.UsernameAttributes)
		}
		username = sub
	} else if username == "" && len(p.AliasAttributes) > 0 && (cfg.Email != "" || cfg.PhoneNumber != "") {
		// Users of alias pools created without a username get the sub, as
		// apps commonly do, so that USER_ID_FOR_SRP differs from the alias.
		username = sub
	}
	if !userpool.UsernameRE.MatchString(username) {
		return nil, emulator.Invalidf("Username %q: want 1 to 128 printable characters without spaces", username)
	}
	if cfg.PreferredMFA != "" && cfg.PreferredMFA != userpool.MFATOTP && cfg.PreferredMFA != userpool.MFASMS && cfg.PreferredMFA != userpool.MFAEmail {
		return nil, emulator.Invalidf("PreferredMFA %q: want SOFTWARE_TOKEN_MFA, SMS_MFA or EMAIL_OTP", cfg.PreferredMFA)
	}
	if cfg.SMSMFA && cfg.PhoneNumber == "" {
		return nil, emulator.Invalidf("SMSMFA needs a PhoneNumber")
	}
	if cfg.EmailMFA && cfg.Email == "" {
		return nil, emulator.Invalidf("EmailMFA needs an Email")
	}
	if cfg.TOTPSecret != "" {
		if _, err := userpool.DecodeTOTPSecret(cfg.TOTPSecret); err != nil {
			return nil, emulator.Invalidf("TOTPSecret: %v", err)
		}
	}
	pw := cfg.Password
	if pw == "" {
		pw = cfg.TemporaryPassword
	}
	if pw != "" {
		if msg := userpool.CheckPasswordPolicy(p, pw); msg != "" {
			return nil, emulator.Invalidf("password of %q: %s", username, msg)
		}
	}
	now := svc.Now()
	u := &state.User{
		PoolID: p.ID, Username: username, Sub: sub, Attributes: attrs, Enabled: !cfg.Disabled,
		CreatedAt: now, ModifiedAt: now, TOTPSecret: cfg.TOTPSecret, TOTPEnabled: cfg.TOTPSecret != "",
		SMSMFA: cfg.SMSMFA, EmailMFA: cfg.EmailMFA, PreferredMFA: cfg.PreferredMFA,
	}
	switch {
	case cfg.Unconfirmed:
		u.Status = userpool.StatusUnconfirmed
	case cfg.TemporaryPassword != "":
		u.Status = userpool.StatusForceChangePassword
		u.TemporaryPasswordExpires = now.Add(p.TemporaryPasswordValidity)
	default:
		u.Status = userpool.StatusConfirmed
	}
	if cfg.Status != "" {
		u.Status = cfg.Status
		if u.Status == userpool.StatusForceChangePassword {
			u.TemporaryPasswordExpires = now.Add(p.TemporaryPasswordValidity)
		}
	}
	if pw != "" {
		salt, v := svc.PasswordSecrets(p, username, pw)
		userpool.SetPassword(u, salt, v)
	} else if cfg.Verifier != nil {
		userpool.SetPassword(u, cfg.Salt, cfg.Verifier)
	}
	err := svc.State.Update(func(tx *state.Tx) error {
		p := tx.Pool(poolID)
		if p == nil {
			return emulator.NotFoundf("user pool %q", poolID)
		}
		if err := userpool.CheckUnique(tx, p, u, ""); err != nil {
			return err
		}
		if tx.UserCount(p.ID) >= userpool.MaxUsersPerPool {
			return emulator.Invalidf("pool %s already has %d users, the emulator's limit", p.ID, userpool.MaxUsersPerPool)
		}
		for _, g := range cfg.Groups {
			if tx.Group(p.ID, g) == nil {
				if _, err := svc.CreateGroup(tx, p, g, "", nil, ""); err != nil {
					return err
				}
			}
			u.AddGroup(g)
		}
		tx.PutUser(p, u)
		if then != nil {
			then(tx, u)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword sets a user's permanent (or, with temporary, temporary)
// password, as AdminSetUserPassword does.
func SetPassword(svc *userpool.Service, poolID, username, password string, temporary bool) error {
	var p *state.Pool
	var u *state.User
	svc.State.View(func(tx *state.Tx) error {
		if p = tx.Pool(poolID); p != nil {
			u = userpool.LookupUser(tx, p, username)
		}
		return nil
	})
	if p == nil {
		return emulator.NotFoundf("user pool %q", poolID)
	}
	if msg := userpool.CheckPasswordPolicy(p, password); msg != "" {
		return emulator.Invalidf("%s", msg)
	}
	if u == nil {
		return emulator.NotFoundf("user %q in pool %s", username, poolID)
	}
	salt, v := svc.PasswordSecrets(p, u.Username, password)
	return svc.State.Update(func(tx *state.Tx) error {
		cur := userpool.UserOf(tx, tx.Pool(poolID), u.Username, u.Sub)
		if cur == nil {
			return emulator.NotFoundf("user %q in pool %s", username, poolID)
		}
		nu := cur.Clone()
		userpool.SetPassword(nu, salt, v)
		if temporary {
			nu.Status = userpool.StatusForceChangePassword
			nu.TemporaryPasswordExpires = svc.Now().Add(p.TemporaryPasswordValidity)
		} else if nu.Status != userpool.StatusUnconfirmed {
			nu.Status = userpool.StatusConfirmed
		}
		tx.PutUser(p, nu)
		return nil
	})
}

const (
	signUpCodeLifetime = 24 * time.Hour
	resetCodeLifetime  = time.Hour
)
