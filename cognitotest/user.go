package cognitotest

import (
	"sort"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/users"
)

// User statuses, as in Cognito's UserStatus.
const (
	StatusUnconfirmed         = "UNCONFIRMED"
	StatusConfirmed           = "CONFIRMED"
	StatusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	StatusResetRequired       = "RESET_REQUIRED"
	StatusExternalProvider    = "EXTERNAL_PROVIDER" // a user of an identity provider (federated sign-in)
)

// MFA types (UserConfig.PreferredMFA, challenge names).
const (
	MFATOTP  = "SOFTWARE_TOKEN_MFA"
	MFASMS   = "SMS_MFA"
	MFAEmail = "EMAIL_OTP"
)

// UserConfig describes a user created with [Pool.CreateUser].
type UserConfig struct {
	// Username is the user's username. Required, except in pools with
	// UsernameAttributes, where the internal username is the sub and the
	// user signs in with Email or PhoneNumber. In pools with
	// AliasAttributes, an empty Username with an Email or PhoneNumber also
	// makes the username the sub (a UUID).
	Username string
	// Password is a permanent password: the user is CONFIRMED (unless
	// Unconfirmed) and can sign in.
	Password string
	// TemporaryPassword makes the user FORCE_CHANGE_PASSWORD: signing in
	// with it leads to NEW_PASSWORD_REQUIRED. Set Password or
	// TemporaryPassword, not both.
	TemporaryPassword string
	// Email and PhoneNumber (E.164, "+15555550123") are verified unless
	// UnverifiedEmail / UnverifiedPhone.
	Email           string
	PhoneNumber     string
	UnverifiedEmail bool
	UnverifiedPhone bool
	// Attributes are further attributes: "name", "custom:tenant", ...
	Attributes map[string]string
	// Groups the user belongs to; missing groups are created.
	Groups []string
	// Unconfirmed leaves the user UNCONFIRMED (signed up, not confirmed).
	Unconfirmed bool
	// Disabled disables the user.
	Disabled bool
	// Sub is the user's sub. Optional. Default: a random UUID.
	Sub string
	// TOTPSecret (base32) gives the user a verified authenticator app and
	// enables SOFTWARE_TOKEN_MFA. Generate codes with [TOTPCode].
	TOTPSecret string
	// SMSMFA and EmailMFA enable SMS_MFA (needs PhoneNumber) and EMAIL_OTP
	// MFA (needs Email).
	SMSMFA   bool
	EmailMFA bool
	// PreferredMFA is MFATOTP, MFASMS or MFAEmail. Optional.
	PreferredMFA string
}

// User describes a user.
type User struct {
	PoolID     string
	Username   string // internal username (cognito:username, USER_ID_FOR_SRP)
	Sub        string
	Status     string
	Enabled    bool
	Attributes map[string]string // includes sub
	Groups     []string
	TOTPSecret string // verified authenticator secret, if any
	CreatedAt  time.Time
}

func (c UserConfig) spec() users.Spec {
	return users.Spec{Username: c.Username, Password: c.Password, TemporaryPassword: c.TemporaryPassword,
		Email: c.Email, PhoneNumber: c.PhoneNumber, UnverifiedEmail: c.UnverifiedEmail, UnverifiedPhone: c.UnverifiedPhone,
		Attributes: c.Attributes, Groups: c.Groups, Unconfirmed: c.Unconfirmed, Disabled: c.Disabled, Sub: c.Sub,
		TOTPSecret: c.TOTPSecret, SMSMFA: c.SMSMFA, EmailMFA: c.EmailMFA, PreferredMFA: c.PreferredMFA}
}

func snapshot(u *state.User) User {
	return User{PoolID: u.PoolID, Username: u.Username, Sub: u.Sub, Status: u.Status, Enabled: u.Enabled,
		Attributes: userpool.AttrMap(u), Groups: append([]string(nil), u.Groups...), TOTPSecret: u.TOTPSecret, CreatedAt: u.CreatedAt}
}

// CreateUser creates a user in the pool. See [UserConfig].
func (p *Pool) CreateUser(cfg UserConfig) (User, error) {
	u, err := users.Create(p.s.up, p.id, cfg.spec())
	if err != nil {
		return User{}, err
	}
	return snapshot(u), nil
}

// MustCreateUser is [Pool.CreateUser] that ends the test on error.
func (p *Pool) MustCreateUser(cfg UserConfig) User {
	u, err := p.CreateUser(cfg)
	if err != nil {
		p.s.fatal(err)
	}
	return u
}

// User returns the user a sign-in name (username or alias) refers to.
func (p *Pool) User(name string) (User, error) {
	var u *state.User
	p.s.view(func(tx *state.Tx) {
		if r := tx.Pool(p.id); r != nil {
			u = userpool.LookupUser(tx, r, name)
		}
	})
	if u == nil {
		return User{}, notFoundf("user %q in pool %s", name, p.id)
	}
	return snapshot(u), nil
}

// Users returns the users of the pool, sorted by username.
func (p *Pool) Users() []User {
	out := []User{}
	p.s.view(func(tx *state.Tx) {
		for _, u := range tx.Users(p.id) {
			out = append(out, snapshot(u))
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out
}

// AddUserToGroup adds a user to a group, creating the group if needed.
func (p *Pool) AddUserToGroup(username, groupName string) error {
	return users.AddToGroup(p.s.up, p.id, username, groupName)
}

// SetPassword sets a user's permanent (or, with temporary, temporary)
// password, as AdminSetUserPassword does.
func (p *Pool) SetPassword(username, password string, temporary bool) error {
	return users.SetPassword(p.s.up, p.id, username, password, temporary)
}

// DeleteUser deletes a user.
func (p *Pool) DeleteUser(username string) error {
	return p.s.up.State.Update(func(tx *state.Tx) error {
		r := tx.Pool(p.id)
		if r == nil {
			return p.notFound()
		}
		u := userpool.LookupUser(tx, r, username)
		if u == nil {
			return notFoundf("user %q in pool %s", username, p.id)
		}
		p.s.up.DeleteUser(tx, r, u)
		return nil
	})
}
