package cognitotest

import (
	"crypto/subtle"
	"math/big"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// User statuses, as in Cognito's UserStatus.
const (
	StatusUnconfirmed         = "UNCONFIRMED"
	StatusConfirmed           = "CONFIRMED"
	StatusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	StatusResetRequired       = "RESET_REQUIRED"
)

// MFA types (UserConfig.PreferredMFA, challenge names).
const (
	MFATOTP  = "SOFTWARE_TOKEN_MFA"
	MFASMS   = "SMS_MFA"
	MFAEmail = "EMAIL_OTP"
)

var (
	usernameRE    = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)
	emailRE       = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]{1,255}$`)
	phoneRE       = regexp.MustCompile(`^\+[0-9]{4,15}$`)
	attrNameRE    = regexp.MustCompile(`^(custom:|dev:)?[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,32}$`)
	standardAttrs = []string{"address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name", "locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified", "picture", "preferred_username", "profile", "sub", "updated_at", "website", "zoneinfo"}
)

// maxUsersPerPool bounds the memory a pool can use.
const maxUsersPerPool = 100000

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

type user struct {
	username  string // internal username
	sub       string
	attrs     map[string]string // without sub
	status    string
	enabled   bool
	password  string // the emulator keeps passwords to answer USER_PASSWORD_AUTH
	salt      *big.Int
	verifier  *big.Int
	tempUntil time.Time // expiry of a temporary password
	groups    map[string]bool
	createdAt time.Time
	modified  time.Time

	totpSecret   string // verified authenticator
	pendingTOTP  string // associated, not verified yet
	totpEnabled  bool
	smsMFA       bool
	emailMFA     bool
	preferredMFA string
	signedOutAt  time.Time // GlobalSignOut: tokens issued before are revoked
	devices      map[string]*device
	codes        map[string]pendingCode // purpose -> code
	originSet    map[string]bool        // origin_jti of tokens issued to the user
}

type pendingCode struct {
	code    string
	expires time.Time
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

func (u *user) snapshot(p *Pool) User {
	attrs := make(map[string]string, len(u.attrs)+1)
	for k, v := range u.attrs {
		attrs[k] = v
	}
	attrs["sub"] = u.sub
	return User{PoolID: p.id, Username: u.username, Sub: u.sub, Status: u.status, Enabled: u.enabled,
		Attributes: attrs, Groups: u.groupList(), TOTPSecret: u.totpSecret, CreatedAt: u.createdAt}
}

func (u *user) groupList() []string {
	if len(u.groups) == 0 {
		return nil
	}
	out := make([]string, 0, len(u.groups))
	for g := range u.groups {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// attributes returns the user's attributes including sub, sorted by name.
func (u *user) attributeList() [][2]string {
	out := make([][2]string, 0, len(u.attrs)+1)
	out = append(out, [2]string{"sub", u.sub})
	for k, v := range u.attrs {
		out = append(out, [2]string{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func (u *user) attrMap() map[string]string {
	m := make(map[string]string, len(u.attrs)+1)
	for k, v := range u.attrs {
		m[k] = v
	}
	m["sub"] = u.sub
	return m
}

func (u *user) checkPassword(pw string) bool {
	return u.password != "" && subtle.ConstantTimeCompare([]byte(u.password), []byte(pw)) == 1
}

func (p *Pool) normUsername(name string) string {
	if p.cfg.CaseSensitiveUsernames {
		return name
	}
	return strings.ToLower(name)
}

// lookupLocked finds the user a sign-in name refers to: the internal
// username, or an email, phone number or preferred_username the pool
// accepts for sign-in.
func (p *Pool) lookupLocked(name string) *user {
	if name == "" {
		return nil
	}
	if u, ok := p.users[p.normUsername(name)]; ok {
		return u
	}
	attrs := p.cfg.UsernameAttributes
	aliasPool := len(attrs) == 0
	if aliasPool {
		attrs = p.cfg.AliasAttributes
	}
	for _, a := range attrs {
		for _, u := range p.users {
			v, ok := u.attrs[a]
			if !ok {
				continue
			}
			match := v == name
			if a == "email" || a == "preferred_username" {
				match = strings.EqualFold(v, name)
			}
			if !match {
				continue
			}
			if aliasPool && a != "preferred_username" && u.attrs[a+"_verified"] != "true" {
				continue
			}
			return u
		}
	}
	return nil
}

// checkPasswordPolicy returns a message describing the first violation of
// the pool's policy, or "".
func (p *Pool) checkPasswordPolicy(pw string) string {
	pol := p.policy
	if len([]rune(pw)) < pol.MinimumLength {
		return "Password did not conform with policy: Password not long enough"
	}
	if len(pw) > 256 {
		return "Password did not conform with policy: Password is too long"
	}
	var up, lo, num, sym bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			up = true
		case unicode.IsLower(r):
			lo = true
		case unicode.IsDigit(r):
			num = true
		case strings.ContainsRune("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ", r):
			sym = true
		}
	}
	switch {
	case pol.RequireUppercase && !up:
		return "Password did not conform with policy: Password must have uppercase characters"
	case pol.RequireLowercase && !lo:
		return "Password did not conform with policy: Password must have lowercase characters"
	case pol.RequireNumbers && !num:
		return "Password did not conform with policy: Password must have numeric characters"
	case pol.RequireSymbols && !sym:
		return "Password did not conform with policy: Password must have symbol characters"
	}
	return ""
}

// newSalt returns a fresh SRP salt (16 random bytes), negative when the
// server hands out negative salts.
func (s *Server) newSalt() *big.Int {
	var b [16]byte
	for {
		if err := s.readRand(b[:]); err != nil {
			panic("cognitotest: random source failed: " + err.Error())
		}
		salt := new(big.Int).SetBytes(b[:])
		if salt.Sign() == 0 {
			continue
		}
		if s.opts.negativeSalts {
			salt.Neg(salt)
		}
		return salt
	}
}

// passwordSecrets computes a salt and SRP verifier for a password. It does
// the expensive modular exponentiation and must be called without s.mu.
func (p *Pool) passwordSecrets(username, password string) (*big.Int, *big.Int) {
	salt := p.s.newSalt()
	return salt, srp.Verifier(p.name, username, password, salt)
}

// setPasswordLocked stores a password computed by passwordSecrets.
func (u *user) setPassword(password string, salt, v *big.Int) {
	u.password = password
	u.salt = salt
	u.verifier = v
}

func validateAttr(name, value string) string {
	if !attrNameRE.MatchString(name) {
		return "Invalid attribute name " + name
	}
	if !strings.HasPrefix(name, "custom:") && !strings.HasPrefix(name, "dev:") && !hasString(standardAttrs, name) {
		return "Attribute does not exist in the schema: " + name
	}
	if len(value) > 2048 {
		return "Attribute value for " + name + " must not be longer than 2048 characters"
	}
	switch name {
	case "email":
		if !emailRE.MatchString(value) {
			return "Invalid email address format."
		}
	case "phone_number":
		if !phoneRE.MatchString(value) {
			return "Invalid phone number format."
		}
	case "email_verified", "phone_number_verified":
		if value != "true" && value != "false" {
			return name + " must be true or false"
		}
	}
	return ""
}

// CreateUser creates a user in the pool. See [UserConfig].
func (p *Pool) CreateUser(cfg UserConfig) (User, error) {
	s := p.s
	if cfg.Password != "" && cfg.TemporaryPassword != "" {
		return User{}, invalidf("user %q: set Password or TemporaryPassword, not both", cfg.Username)
	}
	attrs := map[string]string{}
	for k, v := range cfg.Attributes {
		if k == "sub" {
			return User{}, invalidf("attribute sub: set UserConfig.Sub instead")
		}
		if msg := validateAttr(k, v); msg != "" {
			return User{}, invalidf("attribute %q: %s", k, msg)
		}
		attrs[k] = v
	}
	if cfg.Email != "" {
		if msg := validateAttr("email", cfg.Email); msg != "" {
			return User{}, invalidf("Email %q: %s", cfg.Email, msg)
		}
		attrs["email"] = cfg.Email
		attrs["email_verified"] = boolStr(!cfg.UnverifiedEmail)
	}
	if cfg.PhoneNumber != "" {
		if msg := validateAttr("phone_number", cfg.PhoneNumber); msg != "" {
			return User{}, invalidf("PhoneNumber %q: %s", cfg.PhoneNumber, msg)
		}
		attrs["phone_number"] = cfg.PhoneNumber
		attrs["phone_number_verified"] = boolStr(!cfg.UnverifiedPhone)
	}
	sub := cfg.Sub
	if sub == "" {
		sub = s.uuid()
	}
	username := cfg.Username
	if len(p.cfg.UsernameAttributes) > 0 {
		if username != "" && username != cfg.Email && username != cfg.PhoneNumber {
			return User{}, invalidf("pool %s signs users in by %v: leave Username empty (the username is the sub) and set Email or PhoneNumber", p.id, p.cfg.UsernameAttributes)
		}
		if cfg.Email == "" && cfg.PhoneNumber == "" {
			return User{}, invalidf("pool %s signs users in by %v: set Email or PhoneNumber", p.id, p.cfg.UsernameAttributes)
		}
		username = sub
	} else if username == "" && len(p.cfg.AliasAttributes) > 0 && (cfg.Email != "" || cfg.PhoneNumber != "") {
		// Users of alias pools created without a username get the sub, as
		// apps commonly do, so that USER_ID_FOR_SRP differs from the alias.
		username = sub
	}
	if !usernameRE.MatchString(username) {
		return User{}, invalidf("Username %q: want 1 to 128 printable characters without spaces", username)
	}
	if cfg.PreferredMFA != "" && cfg.PreferredMFA != MFATOTP && cfg.PreferredMFA != MFASMS && cfg.PreferredMFA != MFAEmail {
		return User{}, invalidf("PreferredMFA %q: want SOFTWARE_TOKEN_MFA, SMS_MFA or EMAIL_OTP", cfg.PreferredMFA)
	}
	if cfg.SMSMFA && cfg.PhoneNumber == "" {
		return User{}, invalidf("SMSMFA needs a PhoneNumber")
	}
	if cfg.EmailMFA && cfg.Email == "" {
		return User{}, invalidf("EmailMFA needs an Email")
	}
	if cfg.TOTPSecret != "" {
		if _, err := decodeTOTPSecret(cfg.TOTPSecret); err != nil {
			return User{}, invalidf("TOTPSecret: %v", err)
		}
	}
	pw := cfg.Password
	if pw == "" {
		pw = cfg.TemporaryPassword
	}
	if pw != "" {
		if msg := p.checkPasswordPolicy(pw); msg != "" {
			return User{}, invalidf("password of %q: %s", username, msg)
		}
	}
	var salt, v *big.Int
	if pw != "" {
		salt, v = p.passwordSecrets(username, pw)
	}
	now := s.now()
	u := &user{
		username: username, sub: sub, attrs: attrs, enabled: !cfg.Disabled,
		groups: map[string]bool{}, createdAt: now, modified: now,
		totpSecret: cfg.TOTPSecret, totpEnabled: cfg.TOTPSecret != "",
		smsMFA: cfg.SMSMFA, emailMFA: cfg.EmailMFA, preferredMFA: cfg.PreferredMFA,
		devices: map[string]*device{}, codes: map[string]pendingCode{},
	}
	switch {
	case cfg.Unconfirmed:
		u.status = StatusUnconfirmed
	case cfg.TemporaryPassword != "":
		u.status = StatusForceChangePassword
		u.tempUntil = now.Add(p.cfg.TemporaryPasswordValidity)
	default:
		u.status = StatusConfirmed
	}
	if pw != "" {
		u.setPassword(pw, salt, v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := p.checkUniqueLocked(u, nil); err != nil {
		return User{}, err
	}
	if len(p.users) >= maxUsersPerPool {
		return User{}, invalidf("pool %s already has %d users, the emulator's limit", p.id, maxUsersPerPool)
	}
	for _, g := range cfg.Groups {
		if _, ok := p.groups[g]; !ok {
			if _, err := p.createGroupLocked(g, "", nil, ""); err != nil {
				return User{}, err
			}
		}
		u.groups[g] = true
	}
	p.users[p.normUsername(username)] = u
	return u.snapshot(p), nil
}

// checkUniqueLocked rejects a user whose username or sign-in attributes
// collide with another user's.
func (p *Pool) checkUniqueLocked(u *user, except *user) error {
	if other, ok := p.users[p.normUsername(u.username)]; ok && other != except {
		return existsf("user %q in pool %s", u.username, p.id)
	}
	attrs := append(append([]string(nil), p.cfg.UsernameAttributes...), p.cfg.AliasAttributes...)
	for _, a := range attrs {
		v, ok := u.attrs[a]
		if !ok {
			continue
		}
		for _, other := range p.users {
			if other != except && other != u && strings.EqualFold(other.attrs[a], v) {
				return existsf("another user of pool %s has %s %q", p.id, a, v)
			}
		}
	}
	return nil
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
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	u := p.lookupLocked(name)
	if u == nil {
		return User{}, notFoundf("user %q in pool %s", name, p.id)
	}
	return u.snapshot(p), nil
}

// Users returns the users of the pool, sorted by username.
func (p *Pool) Users() []User {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	out := make([]User, 0, len(p.users))
	for _, u := range p.users {
		out = append(out, u.snapshot(p))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out
}

// AddUserToGroup adds a user to a group, creating the group if needed.
func (p *Pool) AddUserToGroup(username, groupName string) error {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	u := p.lookupLocked(username)
	if u == nil {
		return notFoundf("user %q in pool %s", username, p.id)
	}
	if _, ok := p.groups[groupName]; !ok {
		if _, err := p.createGroupLocked(groupName, "", nil, ""); err != nil {
			return err
		}
	}
	u.groups[groupName] = true
	return nil
}

// SetPassword sets a user's permanent (or, with temporary, temporary)
// password, as AdminSetUserPassword does.
func (p *Pool) SetPassword(username, password string, temporary bool) error {
	if msg := p.checkPasswordPolicy(password); msg != "" {
		return invalidf("%s", msg)
	}
	p.s.mu.Lock()
	u := p.lookupLocked(username)
	var internal string
	if u != nil {
		internal = u.username
	}
	p.s.mu.Unlock()
	if u == nil {
		return notFoundf("user %q in pool %s", username, p.id)
	}
	salt, v := p.passwordSecrets(internal, password)
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	u.setPassword(password, salt, v)
	if temporary {
		u.status = StatusForceChangePassword
		u.tempUntil = p.s.now().Add(p.cfg.TemporaryPasswordValidity)
	} else if u.status != StatusUnconfirmed {
		u.status = StatusConfirmed
	}
	return nil
}

// DeleteUser deletes a user.
func (p *Pool) DeleteUser(username string) error {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	u := p.lookupLocked(username)
	if u == nil {
		return notFoundf("user %q in pool %s", username, p.id)
	}
	p.deleteUserLocked(u)
	return nil
}

func (p *Pool) deleteUserLocked(u *user) {
	delete(p.users, p.normUsername(u.username))
	for tok, rt := range p.refreshTokens {
		if rt.user == u {
			delete(p.refreshTokens, tok)
			p.revokedOrigins[rt.originJTI] = true
		}
	}
	u.signedOutAt = p.s.now().Add(time.Second)
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
