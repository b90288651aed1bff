package userpool

import (
	"context"
	"crypto/subtle"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
	"github.com/cognitokit/cognitokit/internal/srp"
)

// LookupUser finds the user a sign-in name refers to: the internal
// username, or an email, phone number or preferred_username the pool
// accepts for sign-in. Email and phone aliases must be verified.
func LookupUser(tx *state.Tx, p *state.Pool, name string) *state.User {
	if name == "" {
		return nil
	}
	if u := tx.User(p, name); u != nil {
		return u
	}
	attrs := p.UsernameAttributes
	aliasPool := len(attrs) == 0
	if aliasPool {
		attrs = p.AliasAttributes
	}
	for _, a := range attrs {
		u := tx.FindUser(p.ID, func(u *state.User) bool {
			v, ok := u.Attributes[a]
			if !ok {
				return false
			}
			match := v == name
			if a == "email" || a == "preferred_username" {
				match = strings.EqualFold(v, name)
			}
			return match && (!aliasPool || a == "preferred_username" || u.Attributes[a+"_verified"] == "true")
		})
		if u != nil {
			return u
		}
	}
	return nil
}

// UserOf returns the current record of the user with the given username
// and sub, or nil when the user is gone (deleted, or replaced by another
// user of the same name).
func UserOf(tx *state.Tx, p *state.Pool, username, sub string) *state.User {
	if p == nil {
		return nil
	}
	u := tx.User(p, username)
	if u == nil || u.Sub != sub {
		return nil
	}
	return u
}

// CheckUnique rejects a user whose username, sub or sign-in attributes
// collide with another user's; except is the sub of the user being
// changed ("" for a new user).
func CheckUnique(tx *state.Tx, p *state.Pool, u *state.User, except string) error {
	if other := tx.User(p, u.Username); other != nil && other.Sub != except {
		return emulator.Existsf("user %q in pool %s", u.Username, p.ID)
	}
	if except == "" && tx.UserBySub(p.ID, u.Sub) != nil {
		return emulator.Existsf("a user of pool %s has the sub %q", p.ID, u.Sub)
	}
	for _, a := range append(append([]string(nil), p.UsernameAttributes...), p.AliasAttributes...) {
		v, ok := u.Attributes[a]
		if !ok {
			continue
		}
		other := tx.FindUser(p.ID, func(o *state.User) bool {
			return o.Sub != except && o.Sub != u.Sub && strings.EqualFold(o.Attributes[a], v)
		})
		if other != nil {
			return emulator.Existsf("another user of pool %s has %s %q", p.ID, a, v)
		}
	}
	return nil
}

// CheckPasswordPolicy returns a message describing the first violation of
// the pool's policy, or "".
func CheckPasswordPolicy(p *state.Pool, pw string) string {
	pol := p.PasswordPolicy
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

// NewSalt returns a fresh SRP salt (16 random bytes), negative when the
// emulator hands out negative salts.
func (s *Service) NewSalt() *big.Int {
	var b [16]byte
	for {
		s.MustRead(b[:])
		salt := new(big.Int).SetBytes(b[:])
		if salt.Sign() == 0 {
			continue
		}
		if s.Config().NegativeSalts {
			salt.Neg(salt)
		}
		return salt
	}
}

// PasswordSecrets computes a salt and SRP verifier for a password. It does
// the expensive modular exponentiation: call it outside transactions.
func (s *Service) PasswordSecrets(p *state.Pool, username, password string) (*big.Int, *big.Int) {
	salt := s.NewSalt()
	return salt, srp.Verifier(p.SRPName(), username, password, salt)
}

// SetPassword stores the secrets of a password (see PasswordSecrets) in u
// (a copy to Put).
func SetPassword(u *state.User, salt, v *big.Int) { u.Salt, u.Verifier = salt, v }

// CheckPassword reports whether pw is the password of u, a user of p: the
// SRP verifier of pw with the user's salt is the user's verifier
// (compared in constant time). The emulator keeps no plaintext password.
func CheckPassword(p *state.Pool, u *state.User, pw string) bool {
	if u.Verifier == nil || u.Salt == nil {
		return false
	}
	got := srp.Pad(srp.Verifier(p.SRPName(), u.Username, pw, u.Salt))
	return subtle.ConstantTimeCompare(got, srp.Pad(u.Verifier)) == 1
}

// ValidateAttr returns a message describing what is wrong with a user
// attribute, or "".
func ValidateAttr(name, value string) string {
	if !attrNameRE.MatchString(name) {
		return "Invalid attribute name " + name
	}
	if !strings.HasPrefix(name, "custom:") && !strings.HasPrefix(name, "dev:") && !HasString(StandardAttributes, name) {
		return "Attribute does not exist in the schema: " + name
	}
	if len(value) > 2048 {
		return "Attribute value for " + name + " must not be longer than 2048 characters"
	}
	switch name {
	case "email":
		if !EmailRE.MatchString(value) {
			return "Invalid email address format."
		}
	case "phone_number":
		if !PhoneRE.MatchString(value) {
			return "Invalid phone number format."
		}
	case "email_verified", "phone_number_verified":
		if value != "true" && value != "false" {
			return name + " must be true or false"
		}
	}
	return ""
}

// AttrMap returns the user's attributes including sub.
func AttrMap(u *state.User) map[string]string {
	m := make(map[string]string, len(u.Attributes)+1)
	for k, v := range u.Attributes {
		m[k] = v
	}
	m["sub"] = u.Sub
	return m
}

// Attributes returns the user's attributes including sub, sorted by name,
// without those the client (when not nil) may not read.
func Attributes(u *state.User, c *state.Client) []wire.Attribute {
	out := make([]wire.Attribute, 0, len(u.Attributes)+1)
	out = append(out, wire.Attribute{Name: "sub", Value: u.Sub})
	for k, v := range u.Attributes {
		if c == nil || Readable(c, k) {
			out = append(out, wire.Attribute{Name: k, Value: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Readable reports whether the client may read an attribute.
func Readable(c *state.Client, attr string) bool {
	if len(c.ReadAttributes) == 0 || attr == "sub" {
		return true
	}
	return HasString(c.ReadAttributes, attr)
}

// MFAMethods lists the MFA methods enabled for a user, TOTP first.
func MFAMethods(u *state.User) []string {
	var m []string
	if u.TOTPEnabled && u.TOTPSecret != "" {
		m = append(m, MFATOTP)
	}
	if u.SMSMFA && u.Attributes["phone_number"] != "" {
		m = append(m, MFASMS)
	}
	if u.EmailMFA && u.Attributes["email"] != "" {
		m = append(m, MFAEmail)
	}
	return m
}

// MFASettings returns the preferred MFA method (if enabled) and the list
// of enabled methods, as GetUser reports them.
func MFASettings(u *state.User) (string, []string) {
	list := MFAMethods(u)
	pref := u.PreferredMFA
	if !HasString(list, pref) {
		pref = ""
	}
	return pref, list
}

// MFAOptions returns the legacy MFAOptions of GetUser and AdminGetUser
// (what SetUserSettings sets): SMS to the phone number when the user has
// SMS MFA, or nil.
func MFAOptions(u *state.User) []map[string]string {
	if !u.SMSMFA || u.Attributes["phone_number"] == "" {
		return nil
	}
	return []map[string]string{{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}}
}

// SendCode creates a code for purpose in u (a copy to Put in tx),
// "delivers" it to the user's email (preferred) or phone, or to attr when
// given, in the outbox of tx, and returns the delivery details. The
// message goes through the pool's CustomMessage or custom sender trigger
// (see [Service.DeliverIn]): run tx with [Service.UpdateSending].
func (s *Service) SendCode(ctx context.Context, tx *state.Tx, p *state.Pool, u *state.User, purpose, kind string, lifetime time.Duration, attr string) *wire.CodeDeliveryDetails {
	if attr == "" {
		attr = "email"
		if u.Attributes["email"] == "" {
			attr = "phone_number"
		}
	}
	dest := u.Attributes[attr]
	d := &wire.CodeDeliveryDetails{AttributeName: attr}
	if attr == "phone_number" {
		d.DeliveryMedium, d.Destination = "SMS", emulator.MaskPhone(dest)
	} else {
		d.DeliveryMedium, d.Destination = "EMAIL", emulator.MaskEmail(dest)
	}
	m := s.DeliverIn(ctx, tx, p, u, emulator.Message{PoolID: p.ID, Username: u.Username, Kind: kind, Medium: d.DeliveryMedium,
		Destination: dest, Code: s.RandDigits(6)})
	if u.Codes == nil {
		u.Codes = map[string]state.Code{}
	}
	u.Codes[purpose] = state.Code{Code: m.Code, Expires: s.Now().Add(lifetime)}
	return d
}

// CheckCode checks and consumes a code of u (a copy to Put).
func (s *Service) CheckCode(u *state.User, purpose, code string) *wire.Error {
	pc, ok := u.Codes[purpose]
	if !ok {
		return wire.Errorf("ExpiredCodeException", "Invalid code provided, please request a code again.")
	}
	if s.Now().After(pc.Expires) {
		delete(u.Codes, purpose)
		return wire.Errorf("ExpiredCodeException", "Invalid code provided, please request a code again.")
	}
	if subtle.ConstantTimeCompare([]byte(pc.Code), []byte(code)) != 1 {
		return wire.Errorf("CodeMismatchException", "Invalid verification code provided, please try again.")
	}
	delete(u.Codes, purpose)
	return nil
}

// DeleteUser deletes a user with its devices, passkeys, auth events and
// refresh tokens, whose token origins it revokes.
func (s *Service) DeleteUser(tx *state.Tx, p *state.Pool, u *state.User) {
	for _, rt := range tx.RefreshTokens(p.ID) {
		if rt.Sub == u.Sub {
			tx.DeleteRefreshToken(rt)
			s.RevokeOrigin(tx, p.ID, rt.OriginJTI)
		}
	}
	for _, d := range tx.Devices(p.ID, u.Sub) {
		tx.DeleteDevice(d)
	}
	for _, ev := range tx.AuthEvents(p.ID, u.Sub) {
		tx.DeleteAuthEvent(ev)
	}
	for _, k := range tx.Passkeys(p.ID, u.Sub) {
		tx.DeletePasskey(k)
	}
	tx.DeleteUser(p, u)
}

// SignOut revokes every token of u (GlobalSignOut): its token origins, and
// with them its refresh tokens and access tokens.
func (s *Service) SignOut(tx *state.Tx, p *state.Pool, u *state.User) {
	for _, o := range tx.TokenOriginsOf(p.ID, u.Sub) {
		if !o.Revoked {
			s.RevokeOrigin(tx, p.ID, o.JTI)
		}
	}
	nu := u.Clone()
	nu.SignedOutAt = s.Now()
	tx.PutUser(p, nu)
}

// CreateGroup creates a group in the pool.
func (s *Service) CreateGroup(tx *state.Tx, p *state.Pool, name, description string, precedence *int32, role string) (*state.Group, error) {
	if !GroupNameRE.MatchString(name) {
		return nil, emulator.Invalidf("group name %q: want 1 to 128 printable characters without spaces", name)
	}
	if tx.Group(p.ID, name) != nil {
		return nil, emulator.Existsf("group %q in pool %s", name, p.ID)
	}
	now := s.Now()
	g := &state.Group{PoolID: p.ID, Name: name, Description: description, Precedence: precedence, RoleARN: role, CreatedAt: now, ModifiedAt: now}
	tx.PutGroup(g)
	return g, nil
}

// CheckSchema checks attributes against the custom attributes the pool
// declares ([state.Pool.CustomAttributes]; a pool that declares none
// accepts any custom attribute, unless its schema is strict, as for pools
// created by CreateUserPool): a custom attribute must be declared, and
// its value must be of its type (a Number is an integer) and within its
// bounds (a String's length, a Number's value). With update, the
// attributes change an existing user: immutable custom attributes are
// refused. It returns Cognito's message, or "".
func CheckSchema(p *state.Pool, attrs map[string]string, update bool) string {
	if len(p.CustomAttributes) == 0 && !p.StrictSchema {
		return ""
	}
	for name, value := range attrs {
		if !strings.HasPrefix(name, "custom:") {
			continue
		}
		a := p.CustomAttribute(name)
		switch {
		case a == nil:
			return "Attributes did not conform to the schema: " + name + ": Attribute does not exist in the schema."
		case update && !a.Mutable:
			return "Cannot modify the non-mutable attribute " + name
		}
		n := int64(utf8.RuneCountInString(value))
		what := "length"
		if a.Type == "Boolean" && value != "true" && value != "false" {
			return "Attributes did not conform to the schema: " + name + ": Boolean must be true or false"
		}
		if a.Type == "Number" {
			v, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return "Attributes did not conform to the schema: " + name + ": Number must be an integer"
			}
			n, what = v, "value"
		}
		if a.Min != nil && n < *a.Min || a.Max != nil && n > *a.Max {
			return fmt.Sprintf("Attributes did not conform to the schema: %s: the %s must be between %s and %s", name, what, bound(a.Min), bound(a.Max))
		}
	}
	return ""
}

func bound(b *int64) string {
	if b == nil {
		return "(none)"
	}
	return strconv.FormatInt(*b, 10)
}
