package users

import (
	"errors"
	"maps"
	"sort"
	"strconv"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

type adminInput struct {
	UserPoolId             string
	Username               string
	Password               string
	Permanent              bool
	TemporaryPassword      string
	UserAttributes         []wire.Attribute
	MessageAction          string
	DesiredDeliveryMediums []string
	ValidationData         []wire.Attribute
	GroupName              string
	Description            string
	Precedence             *int32
	RoleArn                string
	Limit                  int32
	NextToken              string
	PaginationToken        string
	Filter                 string
	AttributesToGet        []string
}

type userType struct {
	Username             string
	Attributes           []wire.Attribute `json:",omitempty"`
	UserCreateDate       wire.Epoch
	UserLastModifiedDate wire.Epoch
	Enabled              bool
	UserStatus           string
}

func userOut(u *state.User) userType {
	return userType{Username: u.Username, Attributes: userpool.Attributes(u, nil), UserCreateDate: wire.Epoch(u.CreatedAt),
		UserLastModifiedDate: wire.Epoch(u.ModifiedAt), Enabled: u.Enabled, UserStatus: u.Status}
}

// adminUser serves an Admin* operation on one user: it decodes the
// request, finds the pool and the user, and runs fn in a transaction,
// read-write when write is set.
func (o *ops) adminUser(c *emulator.Call, write bool, fn func(tx *state.Tx, in *adminInput, p *state.Pool, u *state.User) (any, error)) (any, error) {
	var in adminInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	run := func(tx *state.Tx) (any, error) {
		p, u, aerr := userpool.AdminUser(tx, in.UserPoolId, in.Username)
		if aerr != nil {
			return nil, aerr
		}
		return fn(tx, &in, p, u)
	}
	if write {
		return o.update(run)
	}
	var out any
	var err error
	o.svc.State.View(func(tx *state.Tx) error { out, err = run(tx); return nil })
	return out, err
}

// temporaryPassword returns temp, or a random password when it is empty,
// checked against the pool's policy.
func (o *ops) temporaryPassword(p *state.Pool, temp string) (string, *wire.Error) {
	s := o.svc
	if temp == "" {
		temp = s.RandString(4, "ABCDEFGHJKLMNPQRSTUVWXYZ") + s.RandString(4, "abcdefghijkmnpqrstuvwxyz") + s.RandDigits(3) + "!"
	}
	if msg := userpool.CheckPasswordPolicy(p, temp); msg != "" {
		return "", wire.Errorf("InvalidPasswordException", "%s", msg)
	}
	return temp, nil
}

func (o *ops) adminCreateUser(c *emulator.Call) (any, error) {
	s := o.svc
	var in adminInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	attrs, aerr := attrsIn(in.UserAttributes, true)
	if aerr != nil {
		return nil, aerr
	}
	var p *state.Pool
	s.State.View(func(tx *state.Tx) error { p, aerr = userpool.AdminPool(tx, in.UserPoolId); return nil })
	if aerr != nil {
		return nil, aerr
	}
	if in.MessageAction != "" && in.MessageAction != "SUPPRESS" && in.MessageAction != "RESEND" {
		return nil, wire.InvalidParameter("MessageAction must be SUPPRESS or RESEND")
	}
	ctx := c.Context()
	emulator.SetCaller(ctx, userpool.NoClient, nil) // the events' clientId
	if in.MessageAction == "RESEND" {
		var u *state.User
		s.State.View(func(tx *state.Tx) error { u = userpool.LookupUser(tx, p, in.Username); return nil })
		if u == nil {
			return nil, wire.UserNotFound()
		}
		if u.Status != userpool.StatusForceChangePassword {
			return nil, wire.Errorf("UnsupportedUserStateException", "Resend not possible. %s status is not FORCE_CHANGE_PASSWORD", u.Username)
		}
		// The password is not kept (only its SRP verifier), so the
		// invitation carries a new temporary password, valid for the
		// pool's validity period again.
		temp, aerr := o.temporaryPassword(p, in.TemporaryPassword)
		if aerr != nil {
			return nil, aerr
		}
		if err := SetPassword(s, p.ID, u.Username, temp, true); err != nil {
			return nil, wire.UserNotFound()
		}
		medium, dest := invitationDestination(u, in.DesiredDeliveryMediums)
		err := s.Send(ctx, p, u, emulator.Message{PoolID: p.ID, Username: u.Username, Kind: emulator.MsgTemporaryPassword, Medium: medium, Destination: dest, Code: temp})
		if err != nil {
			return nil, err
		}
		return map[string]any{"User": userOut(u)}, nil
	}
	temp, aerr := o.temporaryPassword(p, in.TemporaryPassword)
	if aerr != nil {
		return nil, aerr
	}
	cfg := Spec{Username: in.Username, TemporaryPassword: temp, Attributes: map[string]string{}}
	for k, v := range attrs {
		switch k {
		case "email_verified", "phone_number_verified":
		default:
			cfg.Attributes[k] = v
		}
	}
	if len(p.UsernameAttributes) > 0 {
		cfg.Username = ""
		if userpool.EmailRE.MatchString(in.Username) && cfg.Attributes["email"] == "" {
			cfg.Attributes["email"] = in.Username
		} else if userpool.PhoneRE.MatchString(in.Username) && cfg.Attributes["phone_number"] == "" {
			cfg.Attributes["phone_number"] = in.Username
		}
	}
	cfg.Email, cfg.PhoneNumber = cfg.Attributes["email"], cfg.Attributes["phone_number"]
	delete(cfg.Attributes, "email")
	delete(cfg.Attributes, "phone_number")
	cfg.UnverifiedEmail = attrs["email_verified"] != "true"
	cfg.UnverifiedPhone = attrs["phone_number_verified"] != "true"
	// The user as the triggers see it before it is created.
	cfg.Sub = s.UUID()
	draft := draftUser(p, cfg)
	if _, err := s.RunPreSignUp(ctx, p, userpool.PreSignUp{Source: "PreSignUp_AdminCreateUser", Caller: userpool.CallerOf(ctx),
		Username: draft.Username, Attributes: userpool.EventAttributes(draft), ValidationData: validationData(in.ValidationData)}); err != nil {
		return nil, err // its response is ignored, as Cognito ignores it here
	}
	var invite func(tx *state.Tx, u *state.User)
	if in.MessageAction != "SUPPRESS" {
		medium, dest := invitationDestination(draft, in.DesiredDeliveryMediums)
		m, err := s.Compose(ctx, p, draft, emulator.Message{PoolID: p.ID, Username: draft.Username, Kind: emulator.MsgTemporaryPassword, Medium: medium, Destination: dest, Code: temp})
		if err != nil {
			return nil, err
		}
		invite = func(tx *state.Tx, u *state.User) { s.DeliverIn(ctx, tx, p, u, m) }
	}
	u, err := CreateThen(s, p.ID, cfg, invite)
	if err != nil {
		if errors.Is(err, emulator.ErrAlreadyExists) {
			return nil, wire.Errorf("UsernameExistsException", "User account already exists")
		}
		return nil, wire.InvalidParameter("%s", emulator.Detail(err))
	}
	return map[string]any{"User": userOut(u)}, nil
}

// draftUser returns the user that Create will make of cfg (whose Sub is
// set), as the triggers of AdminCreateUser see it.
func draftUser(p *state.Pool, cfg Spec) *state.User {
	u := &state.User{PoolID: p.ID, Username: cfg.Username, Sub: cfg.Sub, Status: userpool.StatusForceChangePassword, Enabled: true,
		Attributes: maps.Clone(cfg.Attributes)}
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	if cfg.Email != "" {
		u.Attributes["email"], u.Attributes["email_verified"] = cfg.Email, userpool.BoolString(!cfg.UnverifiedEmail)
	}
	if cfg.PhoneNumber != "" {
		u.Attributes["phone_number"], u.Attributes["phone_number_verified"] = cfg.PhoneNumber, userpool.BoolString(!cfg.UnverifiedPhone)
	}
	if len(p.UsernameAttributes) > 0 || u.Username == "" && len(p.AliasAttributes) > 0 && (cfg.Email != "" || cfg.PhoneNumber != "") {
		u.Username = cfg.Sub
	}
	return u
}

// invitationDestination returns where AdminCreateUser sends the temporary
// password: by email, unless SMS is asked for and the user has a phone
// number, or the user has no email address.
func invitationDestination(u *state.User, mediums []string) (medium, dest string) {
	medium, dest = "EMAIL", u.Attributes["email"]
	if userpool.HasString(mediums, "SMS") && u.Attributes["phone_number"] != "" || dest == "" {
		medium, dest = "SMS", u.Attributes["phone_number"]
	}
	return medium, dest
}

func (o *ops) adminSetUserPassword(c *emulator.Call) (any, error) {
	s := o.svc
	var in adminInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Password == "" {
		return nil, wire.InvalidParameter("Missing required parameter Password")
	}
	var p *state.Pool
	var u *state.User
	var aerr *wire.Error
	s.State.View(func(tx *state.Tx) error { p, u, aerr = userpool.AdminUser(tx, in.UserPoolId, in.Username); return nil })
	if aerr != nil {
		return nil, aerr
	}
	if msg := userpool.CheckPasswordPolicy(p, in.Password); msg != "" {
		return nil, wire.Errorf("InvalidPasswordException", "%s", msg)
	}
	if err := SetPassword(s, p.ID, u.Username, in.Password, !in.Permanent); err != nil {
		return nil, wire.UserNotFound()
	}
	return struct{}{}, nil
}

func (o *ops) adminGetUser(c *emulator.Call) (any, error) {
	return o.adminUser(c, false, func(tx *state.Tx, in *adminInput, p *state.Pool, u *state.User) (any, error) {
		pref, list := userpool.MFASettings(u)
		out := map[string]any{"Username": u.Username, "UserAttributes": userpool.Attributes(u, nil), "UserCreateDate": wire.Epoch(u.CreatedAt),
			"UserLastModifiedDate": wire.Epoch(u.ModifiedAt), "Enabled": u.Enabled, "UserStatus": u.Status}
		if pref != "" {
			out["PreferredMfaSetting"] = pref
		}
		if len(list) > 0 {
			out["UserMFASettingList"] = list
		}
		if opts := userpool.MFAOptions(u); opts != nil {
			out["MFAOptions"] = opts
		}
		return out, nil
	})
}

func (o *ops) adminDeleteUser(c *emulator.Call) (any, error) {
	return o.adminUser(c, true, func(tx *state.Tx, in *adminInput, p *state.Pool, u *state.User) (any, error) {
		o.svc.DeleteUser(tx, p, u)
		return struct{}{}, nil
	})
}

func (o *ops) adminConfirmSignUp(c *emulator.Call) (any, error) {
	var confirmed *state.User
	out, err := o.adminUser(c, true, func(tx *state.Tx, in *adminInput, p *state.Pool, u *state.User) (any, error) {
		if u.Status != userpool.StatusUnconfirmed {
			return nil, wire.NotAuthorized("User cannot be confirmed. Current status is %s", u.Status)
		}
		nu := u.Clone()
		nu.Status = userpool.StatusConfirmed
		nu.ModifiedAt = o.svc.Now()
		tx.PutUser(p, nu)
		confirmed = nu
		return struct{}{}, nil
	})
	if err != nil {
		return nil, err
	}
	if err := o.postConfirmation(c.Context(), "PostConfirmation_ConfirmSignUp", confirmed); err != nil {
		return nil, err
	}
	return out, nil
}

func (o *ops) setEnabled(c *emulator.Call, enabled bool) (any, error) {
	return o.adminUser(c, true, func(tx *state.Tx, in *adminInput, p *state.Pool, u *state.User) (any, error) {
		if !enabled {
			o.svc.SignOut(tx, p, u)
			u = tx.User(p, u.Username)
		}
		nu := u.Clone()
		nu.Enabled = enabled
		nu.ModifiedAt = o.svc.Now()
		tx.PutUser(p, nu)
		return struct{}{}, nil
	})
}

func (o *ops) adminResetUserPassword(c *emulator.Call) (any, error) {
	emulator.SetCaller(c.Context(), userpool.NoClient, nil) // the events' clientId
	return o.adminUser(c, true, func(tx *state.Tx, in *adminInput, p *state.Pool, u *state.User) (any, error) {
		if u.Attributes["email_verified"] != "true" && u.Attributes["phone_number_verified"] != "true" {
			return nil, wire.InvalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
		}
		nu := u.Clone()
		nu.Status = userpool.StatusResetRequired
		attr := "email"
		if nu.Attributes["email_verified"] != "true" {
			attr = "phone_number"
		}
		o.svc.SendCode(c.Context(), tx, p, nu, "reset", emulator.MsgForgotPassword, resetCodeLifetime, attr)
		tx.PutUser(p, nu)
		return struct{}{}, nil
	})
}

func (o *ops) adminUpdateUserAttributes(c *emulator.Call) (any, error) {
	var in adminInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	attrs, aerr := attrsIn(in.UserAttributes, true)
	if aerr != nil {
		return nil, aerr
	}
	return o.update(func(tx *state.Tx) (any, error) {
		p, u, aerr := userpool.AdminUser(tx, in.UserPoolId, in.Username)
		if aerr != nil {
			return nil, aerr
		}
		return o.updateAttrs(c.Context(), tx, p, u, attrs, true)
	})
}

// userFilter is a parsed ListUsers filter: `attr = "value"` or
// `attr ^= "prefix"`.
type userFilter struct {
	attr   string
	prefix bool
	value  string
}

var filterAttrs = []string{"username", "email", "phone_number", "name", "given_name", "family_name", "preferred_username", "cognito:user_status", "status", "sub"}

func ParseUserFilter(f string) (*userFilter, *wire.Error) {
	f = strings.TrimSpace(f)
	if f == "" {
		return nil, nil
	}
	bad := wire.InvalidParameter("Invalid filter: want attribute = \"value\" or attribute ^= \"prefix\" with attribute one of %v", filterAttrs)
	if len(f) > 256 {
		return nil, bad
	}
	var uf userFilter
	var rest string
	if a, r, ok := strings.Cut(f, "^="); ok {
		uf.attr, rest, uf.prefix = strings.TrimSpace(a), strings.TrimSpace(r), true
	} else if a, r, ok := strings.Cut(f, "="); ok {
		uf.attr, rest = strings.TrimSpace(a), strings.TrimSpace(r)
	} else {
		return nil, bad
	}
	if !userpool.HasString(filterAttrs, uf.attr) {
		return nil, bad
	}
	v, err := strconv.Unquote(rest)
	if err != nil || !strings.HasPrefix(rest, `"`) {
		return nil, bad
	}
	uf.value = v
	return &uf, nil
}

func (f *userFilter) Match(u *state.User) bool {
	if f == nil {
		return true
	}
	var v string
	switch f.attr {
	case "username":
		v = u.Username
	case "sub":
		v = u.Sub
	case "cognito:user_status":
		v = u.Status
	case "status":
		v = "Disabled"
		if u.Enabled {
			v = "Enabled"
		}
	default:
		v = u.Attributes[f.attr]
	}
	if f.prefix {
		return strings.HasPrefix(strings.ToLower(v), strings.ToLower(f.value))
	}
	return strings.EqualFold(v, f.value)
}

func listUsers(users []*state.User, in *adminInput) (map[string]any, *wire.Error) {
	sort.Slice(users, func(i, j int) bool { return users[i].Username < users[j].Username })
	token := in.PaginationToken
	if token == "" {
		token = in.NextToken
	}
	start, end, next, aerr := userpool.Page(len(users), in.Limit, token, 60)
	if aerr != nil {
		return nil, aerr
	}
	out := make([]userType, 0, end-start)
	for _, u := range users[start:end] {
		ut := userOut(u)
		if len(in.AttributesToGet) > 0 {
			var keep []wire.Attribute
			for _, a := range ut.Attributes {
				if userpool.HasString(in.AttributesToGet, a.Name) {
					keep = append(keep, a)
				}
			}
			ut.Attributes = keep
		}
		out = append(out, ut)
	}
	res := map[string]any{"Users": out}
	if next != "" {
		res["PaginationToken"] = next
		res["NextToken"] = next
	}
	return res, nil
}

// adminPool decodes an adminInput and runs fn with its pool in a
// transaction, read-write when write is set.
func (o *ops) adminPool(c *emulator.Call, write bool, fn func(tx *state.Tx, in *adminInput, p *state.Pool) (any, error)) (any, error) {
	var in adminInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	run := func(tx *state.Tx) (any, error) {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		return fn(tx, &in, p)
	}
	if write {
		return o.update(run)
	}
	var out any
	var err error
	o.svc.State.View(func(tx *state.Tx) error { out, err = run(tx); return nil })
	return out, err
}

func (o *ops) listUsers(c *emulator.Call) (any, error) {
	var in adminInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	f, aerr := ParseUserFilter(in.Filter)
	if aerr != nil {
		return nil, aerr
	}
	return o.adminPool(c, false, func(tx *state.Tx, _ *adminInput, p *state.Pool) (any, error) {
		var users []*state.User
		for _, u := range tx.Users(p.ID) {
			if f.Match(u) {
				users = append(users, u)
			}
		}
		out, aerr := listUsers(users, &in)
		if aerr != nil {
			return nil, aerr
		}
		delete(out, "NextToken")
		return out, nil
	})
}
