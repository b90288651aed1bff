package users

import (
	"context"
	"errors"
	"maps"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

type signUpInput struct {
	ClientId        string
	Username        string
	Password        string
	SecretHash      string
	UserAttributes  []wire.Attribute
	ValidationData  []wire.Attribute
	ClientMetadata  map[string]string
	UserContextData *struct{ IpAddress string }
}

// event returns an auth event of a self-service call, from where the call
// came from (or the IP address of UserContextData).
func event(c *emulator.Call, typ string, uc *struct{ IpAddress string }) *state.AuthEvent {
	ip := ""
	if uc != nil {
		ip = uc.IpAddress
	}
	ec := userpool.ContextOf(c.Request, ip)
	return &state.AuthEvent{Type: typ, Response: userpool.EventPass, IPAddress: ec.IP, DeviceName: ec.DeviceName}
}

// attrsIn validates attributes sent by a client.
func attrsIn(in []wire.Attribute, allowVerified bool) (map[string]string, *wire.Error) {
	if len(in) > 64 {
		return nil, wire.InvalidParameter("too many attributes (at most 64)")
	}
	m := map[string]string{}
	for _, a := range in {
		if msg := userpool.ValidateAttr(a.Name, a.Value); msg != "" {
			return nil, wire.InvalidParameter("%s", msg)
		}
		if a.Name == "sub" || (!allowVerified && (a.Name == "email_verified" || a.Name == "phone_number_verified")) {
			return nil, wire.InvalidParameter("Cannot modify the non-mutable attribute %s", a.Name)
		}
		m[a.Name] = a.Value
	}
	return m, nil
}

func (o *ops) signUp(c *emulator.Call) (any, error) {
	s := o.svc
	var in signUpInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Username == "" {
		return nil, wire.InvalidParameter("Missing required parameter Username")
	}
	var client *state.Client
	var p *state.Pool
	var aerr *wire.Error
	s.State.View(func(tx *state.Tx) error {
		if client, aerr = userpool.Client(tx, in.ClientId); aerr == nil {
			p = tx.Pool(client.PoolID)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	if err := userpool.CheckSecretHash(client, in.Username, in.SecretHash); err != nil {
		return nil, err
	}
	if p.AllowAdminCreateUserOnly { // UpdateUserPool's AdminCreateUserConfig
		return nil, wire.NotAuthorized("SignUp is not permitted for this user pool")
	}
	attrs, aerr := attrsIn(in.UserAttributes, false)
	if aerr != nil {
		return nil, aerr
	}
	if msg := userpool.CheckSchema(p, attrs, false); msg != "" {
		return nil, wire.InvalidParameter("%s", msg)
	}
	switch {
	case in.Password != "":
		if msg := userpool.CheckPasswordPolicy(p, in.Password); msg != "" {
			return nil, wire.Errorf("InvalidPasswordException", "%s", msg)
		}
	case !userpool.Passwordless(p):
		// Cognito signs up users without a password only where they can
		// sign in without one.
		return nil, wire.InvalidParameter("Missing required parameter Password: the user pool allows no passwordless sign-in (EMAIL_OTP or SMS_OTP in its AllowedFirstAuthFactors)")
	}
	for _, a := range p.RequiredAttributes {
		if attrs[a] == "" && !(userpool.HasString(p.UsernameAttributes, a) && a == "email" && userpool.EmailRE.MatchString(in.Username)) {
			return nil, wire.InvalidParameter("Attributes did not conform to the schema: %s: The attribute %s is required", a, a)
		}
	}
	sub := s.UUID()
	username := in.Username
	if len(p.UsernameAttributes) > 0 {
		switch {
		case userpool.HasString(p.UsernameAttributes, "email") && userpool.EmailRE.MatchString(in.Username):
			attrs["email"] = in.Username
		case userpool.HasString(p.UsernameAttributes, "phone_number") && userpool.PhoneRE.MatchString(in.Username):
			attrs["phone_number"] = in.Username
		default:
			return nil, wire.InvalidParameter("Username should be an email or a phone number.")
		}
		username = sub
	}
	if !userpool.UsernameRE.MatchString(username) {
		return nil, wire.InvalidParameter("Username must be 1 to 128 printable characters without spaces")
	}
	submitted := maps.Clone(attrs)
	for _, a := range []string{"email", "phone_number"} {
		if _, ok := attrs[a]; ok {
			attrs[a+"_verified"] = "false"
		}
	}
	now := s.Now()
	u := &state.User{PoolID: p.ID, Username: username, Sub: sub, Attributes: attrs, Status: userpool.StatusUnconfirmed, Enabled: true,
		CreatedAt: now, ModifiedAt: now}
	var exists error
	s.State.View(func(tx *state.Tx) error { exists = userpool.CheckUnique(tx, p, u, ""); return nil })
	if exists != nil {
		return nil, wire.Errorf("UsernameExistsException", "User already exists")
	}
	ctx := c.Context()
	pre, err := s.RunPreSignUp(ctx, p, userpool.PreSignUp{Source: "PreSignUp_SignUp", Caller: userpool.CallerOf(ctx), Username: username,
		Attributes: submitted, ValidationData: validationData(in.ValidationData)})
	if err != nil {
		return nil, err
	}
	if aerr := autoVerify(u, pre.AutoVerifyEmail, pre.AutoVerifyPhone); aerr != nil {
		return nil, aerr
	}
	if pre.AutoConfirmUser {
		u.Status = userpool.StatusConfirmed
	}
	if in.Password != "" {
		salt, v := s.PasswordSecrets(p, username, in.Password)
		userpool.SetPassword(u, salt, v)
	}
	out := map[string]any{"UserConfirmed": pre.AutoConfirmUser, "UserSub": sub}
	err = s.UpdateSending(func(tx *state.Tx) error {
		p := tx.Pool(p.ID)
		if p == nil {
			return wire.ResourceNotFound("User pool client %s does not exist.", wire.Truncate(in.ClientId, 128))
		}
		if err := userpool.CheckUnique(tx, p, u, ""); err != nil {
			return wire.Errorf("UsernameExistsException", "User already exists")
		}
		if tx.UserCount(p.ID) >= userpool.MaxUsersPerPool {
			return wire.Errorf("LimitExceededException", "The user pool has reached the emulator's limit of %d users.", userpool.MaxUsersPerPool)
		}
		for _, a := range p.AutoVerifiedAttributes {
			if attrs[a] != "" && !pre.AutoConfirmUser {
				out["CodeDeliveryDetails"] = s.SendCode(ctx, tx, p, u, "signup", emulator.MsgSignUp, signUpCodeLifetime, a)
				break
			}
		}
		tx.PutUser(p, u)
		s.AddAuthEvent(tx, p, u, event(c, userpool.EventSignUp, in.UserContextData))
		return nil
	})
	if err != nil {
		return nil, err
	}
	// For ConfirmSignUp, which returns the Session that signs the user in
	// with USER_AUTH (or, auto-confirmed, for that sign-in).
	if userpool.Allows(client, userpool.FlowUserAuth) {
		step := userpool.SignUpStarted
		if pre.AutoConfirmUser {
			step = userpool.SignUpConfirmed
		}
		out["Session"] = s.Sessions.Put(userpool.SignUpSession(s, client, u, step))
	}
	if pre.AutoConfirmUser {
		// The user is confirmed; an error of the trigger is the answer.
		if err := s.RunPostConfirmation(ctx, p, "PostConfirmation_ConfirmSignUp", userpool.CallerOf(ctx), u); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// validationData returns the ValidationData of a request as the events
// carry it (nil: null).
func validationData(in []wire.Attribute) map[string]string {
	if len(in) == 0 {
		return nil
	}
	m := make(map[string]string, len(in))
	for _, a := range in {
		m[a.Name] = a.Value
	}
	return m
}

// autoVerify applies the autoVerifyEmail and autoVerifyPhone of a
// PreSignUp response to u, a user being created.
func autoVerify(u *state.User, email, phone bool) *wire.Error {
	for _, v := range []struct {
		on   bool
		attr string
	}{{email, "email"}, {phone, "phone_number"}} {
		if !v.on {
			continue
		}
		if u.Attributes[v.attr] == "" {
			return wire.InvalidParameter("The PreSignUp trigger set autoVerify for %s, but the user has no %s attribute", v.attr, v.attr)
		}
		u.Attributes[v.attr+"_verified"] = "true"
	}
	return nil
}

type confirmInput struct {
	Session          string
	ClientId         string
	Username         string
	ConfirmationCode string
	Password         string
	SecretHash       string
	AccessToken      string
	PreviousPassword string
	ProposedPassword string
	UserContextData  *struct{ IpAddress string }
}

// selfUser finds the user of an unauthenticated self-service call.
func selfUser(tx *state.Tx, clientID, username, secretHash string) (*state.Pool, *state.User, *wire.Error) {
	p, u, hidden, aerr := selfUserOrHidden(tx, clientID, username, secretHash)
	switch {
	case aerr != nil:
		return nil, nil, aerr
	case hidden:
		return nil, nil, wire.CodeMismatch()
	}
	return p, u, nil
}

// selfUserOrHidden is selfUser that reports an unknown user of a client
// with PreventUserExistenceErrors as hidden (with the pool and no user),
// for the calls that then answer as if the user existed.
func selfUserOrHidden(tx *state.Tx, clientID, username, secretHash string) (p *state.Pool, u *state.User, hidden bool, aerr *wire.Error) {
	client, aerr := userpool.Client(tx, clientID)
	if aerr != nil {
		return nil, nil, false, aerr
	}
	if username == "" {
		return nil, nil, false, wire.InvalidParameter("Missing required parameter Username")
	}
	if err := userpool.CheckSecretHash(client, username, secretHash); err != nil {
		return nil, nil, false, err
	}
	p = tx.Pool(client.PoolID)
	if u = userpool.LookupUser(tx, p, username); u == nil {
		if client.PreventUserExistenceErrors {
			return p, nil, true, nil
		}
		return nil, nil, false, wire.UserNotFound()
	}
	return p, u, false, nil
}

// simulatedDelivery answers ForgotPassword or ResendConfirmationCode for
// an unknown user whose existence the client hides: the same
// CodeDeliveryDetails on every call (see userpool.SimulatedDelivery), and
// no message.
func (o *ops) simulatedDelivery(tx *state.Tx, p *state.Pool, username string) map[string]any {
	return map[string]any{"CodeDeliveryDetails": userpool.SimulatedDelivery(o.svc.PoolSecret(tx, p), p, username)}
}

// update runs fn in a read-write transaction; fn returns the response.
// The messages fn sends go through the pool's triggers (see
// userpool.Service.UpdateSending): fn may run more than once.
func (o *ops) update(fn func(tx *state.Tx) (any, error)) (any, error) {
	var out any
	err := o.svc.UpdateSending(func(tx *state.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// confirmSignUp confirms a sign-up with its code. When the app client
// allows USER_AUTH, it answers a Session with which InitiateAuth
// (USER_AUTH) signs the user in, the code being the first factor: what
// Amplify's autoSignIn does after a passwordless sign-up. The Session of
// SignUp, when sent, must be the user's.
func (o *ops) confirmSignUp(c *emulator.Call) (any, error) {
	s := o.svc
	var in confirmInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var signUp *userpool.Session
	if in.Session != "" {
		var aerr *wire.Error
		if signUp, aerr = s.Sessions.Take(in.Session, in.ClientId); aerr != nil {
			return nil, aerr
		}
		if signUp.Challenge != userpool.SignUpStarted {
			return nil, wire.InvalidSession()
		}
	}
	var client *state.Client
	var confirmed *state.User
	out, err := o.update(func(tx *state.Tx) (any, error) {
		p, u, aerr := selfUser(tx, in.ClientId, in.Username, in.SecretHash)
		if aerr != nil {
			return nil, aerr
		}
		client, _ = userpool.Client(tx, in.ClientId)
		if signUp != nil && signUp.Sub != u.Sub {
			return nil, wire.InvalidSession()
		}
		if u.Status != userpool.StatusUnconfirmed {
			return nil, wire.NotAuthorized("User cannot be confirmed. Current status is %s", u.Status)
		}
		nu := u.Clone()
		if err := s.CheckCode(nu, "signup", in.ConfirmationCode); err != nil {
			return nil, err
		}
		confirmed = nu
		nu.Status = userpool.StatusConfirmed
		if nu.Attributes["email"] != "" {
			nu.Attributes["email_verified"] = "true"
		} else if nu.Attributes["phone_number"] != "" {
			nu.Attributes["phone_number_verified"] = "true"
		}
		nu.ModifiedAt = s.Now()
		tx.PutUser(p, nu)
		return map[string]any{}, nil
	})
	if err != nil {
		if signUp != nil { // the user may try another code
			s.Sessions.PutBack(signUp)
		}
		return nil, err
	}
	if userpool.Allows(client, userpool.FlowUserAuth) {
		out.(map[string]any)["Session"] = s.Sessions.Put(userpool.SignUpSession(s, client, confirmed, userpool.SignUpConfirmed))
	}
	if err := o.postConfirmation(c.Context(), "PostConfirmation_ConfirmSignUp", confirmed); err != nil {
		return nil, err
	}
	return out, nil
}

// postConfirmation runs the PostConfirmation trigger for u, a user whose
// confirmation is committed: the user stays confirmed when it fails, and
// its error is the operation's answer.
func (o *ops) postConfirmation(ctx context.Context, source string, u *state.User) error {
	var p *state.Pool
	o.svc.State.View(func(tx *state.Tx) error { p = tx.Pool(u.PoolID); return nil })
	if p == nil {
		return nil
	}
	return o.svc.RunPostConfirmation(ctx, p, source, userpool.CallerOf(ctx), u)
}

func (o *ops) resendConfirmationCode(c *emulator.Call) (any, error) {
	s := o.svc
	var in confirmInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return o.update(func(tx *state.Tx) (any, error) {
		p, u, hidden, aerr := selfUserOrHidden(tx, in.ClientId, in.Username, in.SecretHash)
		switch {
		case aerr != nil:
			return nil, aerr
		case hidden:
			return o.simulatedDelivery(tx, p, in.Username), nil
		}
		if u.Status != userpool.StatusUnconfirmed {
			return nil, wire.InvalidParameter("User is already confirmed.")
		}
		if u.Attributes["email"] == "" && u.Attributes["phone_number"] == "" {
			return nil, wire.InvalidParameter("Auto verification not turned on.")
		}
		nu := u.Clone()
		d := s.SendCode(c.Context(), tx, p, nu, "signup", emulator.MsgResendCode, signUpCodeLifetime, "")
		tx.PutUser(p, nu)
		return map[string]any{"CodeDeliveryDetails": d}, nil
	})
}

func (o *ops) forgotPassword(c *emulator.Call) (any, error) {
	s := o.svc
	var in confirmInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := o.migrateForReset(c.Context(), &in); err != nil {
		return nil, err
	}
	return o.update(func(tx *state.Tx) (any, error) {
		p, u, hidden, aerr := selfUserOrHidden(tx, in.ClientId, in.Username, in.SecretHash)
		switch {
		case aerr != nil:
			return nil, aerr
		case hidden:
			return o.simulatedDelivery(tx, p, in.Username), nil
		}
		attr := ""
		switch {
		case u.Attributes["email"] != "" && u.Attributes["email_verified"] == "true":
			attr = "email"
		case u.Attributes["phone_number"] != "" && u.Attributes["phone_number_verified"] == "true":
			attr = "phone_number"
		default:
			return nil, wire.InvalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
		}
		nu := u.Clone()
		d := s.SendCode(c.Context(), tx, p, nu, "reset", emulator.MsgForgotPassword, resetCodeLifetime, attr)
		tx.PutUser(p, nu)
		s.AddAuthEvent(tx, p, nu, event(c, userpool.EventForgotPassword, in.UserContextData))
		return map[string]any{"CodeDeliveryDetails": d}, nil
	})
}

// migrateForReset runs the UserMigration trigger
// (UserMigration_ForgotPassword) when ForgotPassword names a user the pool
// does not have: a migrated user exists (RESET_REQUIRED) when the code is
// sent.
func (o *ops) migrateForReset(ctx context.Context, in *confirmInput) error {
	var p *state.Pool
	known := true
	o.svc.State.View(func(tx *state.Tx) error {
		if c := tx.Client(in.ClientId); c != nil && in.Username != "" && userpool.CheckSecretHash(c, in.Username, in.SecretHash) == nil {
			p = tx.Pool(c.PoolID)
			known = userpool.LookupUser(tx, p, in.Username) != nil
		}
		return nil
	})
	if known || !userpool.HasTrigger(p, userpool.TriggerUserMigration) {
		return nil
	}
	_, err := o.svc.MigrateUser(ctx, p, userpool.Migration{Source: "UserMigration_ForgotPassword", Caller: userpool.CallerOf(ctx), Username: in.Username})
	if errors.Is(err, userpool.ErrNotMigrated) {
		return nil // answered as for an unknown user
	}
	return err
}

func (o *ops) confirmForgotPassword(c *emulator.Call) (any, error) {
	s := o.svc
	var in confirmInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Password == "" || in.ConfirmationCode == "" {
		return nil, wire.InvalidParameter("Missing required parameter Password or ConfirmationCode")
	}
	var p *state.Pool
	var u *state.User
	var aerr *wire.Error
	s.State.View(func(tx *state.Tx) error {
		p, u, aerr = selfUser(tx, in.ClientId, in.Username, in.SecretHash)
		if aerr == nil {
			if msg := userpool.CheckPasswordPolicy(p, in.Password); msg != "" {
				aerr = wire.Errorf("InvalidPasswordException", "%s", msg)
			}
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	salt, v := s.PasswordSecrets(p, u.Username, in.Password)
	var confirmed *state.User
	out, err := o.update(func(tx *state.Tx) (any, error) {
		cur := userpool.UserOf(tx, tx.Pool(p.ID), u.Username, u.Sub)
		if cur == nil {
			return nil, wire.UserNotFound()
		}
		nu := cur.Clone()
		if err := s.CheckCode(nu, "reset", in.ConfirmationCode); err != nil {
			return nil, err
		}
		userpool.SetPassword(nu, salt, v)
		if nu.Status == userpool.StatusResetRequired || nu.Status == userpool.StatusForceChangePassword {
			nu.Status = userpool.StatusConfirmed
		}
		nu.ModifiedAt = s.Now()
		tx.PutUser(p, nu)
		confirmed = nu
		s.AddAuthEvent(tx, p, nu, event(c, userpool.EventPasswordChange, in.UserContextData))
		return struct{}{}, nil
	})
	if err != nil {
		return nil, err
	}
	if err := o.postConfirmation(c.Context(), "PostConfirmation_ConfirmForgotPassword", confirmed); err != nil {
		return nil, err
	}
	return out, nil
}

func (o *ops) changePassword(c *emulator.Call) (any, error) {
	s := o.svc
	var in confirmInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.ProposedPassword == "" {
		return nil, wire.InvalidParameter("Missing required parameter ProposedPassword")
	}
	var t *userpool.Token
	var aerr *wire.Error
	s.State.View(func(tx *state.Tx) error {
		if t, aerr = s.AccessToken(tx, in.AccessToken); aerr != nil {
			return nil
		}
		u := t.User
		if in.PreviousPassword != "" && !userpool.CheckPassword(t.Pool, u, in.PreviousPassword) || in.PreviousPassword == "" && u.HasPassword() {
			aerr = wire.IncorrectPassword()
		} else if msg := userpool.CheckPasswordPolicy(t.Pool, in.ProposedPassword); msg != "" {
			aerr = wire.Errorf("InvalidPasswordException", "%s", msg)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	p, u := t.Pool, t.User
	salt, v := s.PasswordSecrets(p, u.Username, in.ProposedPassword)
	return o.update(func(tx *state.Tx) (any, error) {
		cur := userpool.UserOf(tx, tx.Pool(p.ID), u.Username, u.Sub)
		if cur == nil {
			return nil, wire.UserNotFound()
		}
		nu := cur.Clone()
		userpool.SetPassword(nu, salt, v)
		nu.ModifiedAt = s.Now()
		tx.PutUser(p, nu)
		s.AddAuthEvent(tx, p, nu, event(c, userpool.EventPasswordChange, nil))
		return struct{}{}, nil
	})
}

type tokenInput struct {
	AccessToken    string
	UserAttributes []wire.Attribute
	AttributeName  string
	Code           string
}

func (o *ops) getUser(c *emulator.Call) (any, error) {
	s := o.svc
	var in tokenInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var out map[string]any
	var aerr *wire.Error
	s.State.View(func(tx *state.Tx) error {
		var t *userpool.Token
		if t, aerr = s.AccessToken(tx, in.AccessToken); aerr != nil {
			return nil
		}
		u := t.User
		pref, list := userpool.MFASettings(u)
		out = map[string]any{"Username": u.Username, "UserAttributes": userpool.Attributes(u, readerOf(tx, t))}
		if pref != "" {
			out["PreferredMfaSetting"] = pref
		}
		if len(list) > 0 {
			out["UserMFASettingList"] = list
		}
		if opts := userpool.MFAOptions(u); opts != nil {
			out["MFAOptions"] = opts
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return out, nil
}

// readerOf returns the app client of an access token, when it still exists
// in the token's pool, to filter the attributes it may read.
func readerOf(tx *state.Tx, t *userpool.Token) *state.Client {
	if c := tx.Client(t.Claims.ClientID); c != nil && c.PoolID == t.Pool.ID {
		return c
	}
	return nil
}

// updateAttrs applies attribute changes to u (a copy it Puts); a changed
// email or phone number becomes unverified and, for a user's own change,
// gets a verification code.
func (o *ops) updateAttrs(ctx context.Context, tx *state.Tx, p *state.Pool, u *state.User, attrs map[string]string, admin bool) (any, error) {
	s := o.svc
	if msg := userpool.CheckSchema(p, attrs, true); msg != "" {
		return nil, wire.InvalidParameter("%s", msg)
	}
	probe := u.Clone()
	if probe.Attributes == nil {
		probe.Attributes = map[string]string{}
	}
	for k, v := range attrs {
		probe.Attributes[k] = v
	}
	if err := userpool.CheckUnique(tx, p, probe, u.Sub); err != nil {
		return nil, wire.Errorf("AliasExistsException", "An account with the given email or phone number already exists.")
	}
	nu := u.Clone()
	if nu.Attributes == nil {
		nu.Attributes = map[string]string{}
	}
	deliveries := []*wire.CodeDeliveryDetails{}
	for k, v := range attrs {
		old := nu.Attributes[k]
		nu.Attributes[k] = v
		if (k == "email" || k == "phone_number") && old != v {
			if _, explicit := attrs[k+"_verified"]; !(admin && explicit) {
				nu.Attributes[k+"_verified"] = "false"
				if !admin {
					deliveries = append(deliveries, s.SendCode(ctx, tx, p, nu, "verify:"+k, emulator.MsgVerifyAttribute, signUpCodeLifetime, k))
				}
			}
		}
	}
	nu.ModifiedAt = s.Now()
	tx.PutUser(p, nu)
	if admin {
		return struct{}{}, nil
	}
	if len(deliveries) == 0 {
		deliveries = nil
	}
	return map[string]any{"CodeDeliveryDetailsList": deliveries}, nil
}

func (o *ops) updateUserAttributes(c *emulator.Call) (any, error) {
	s := o.svc
	var in tokenInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	attrs, aerr := attrsIn(in.UserAttributes, false)
	if aerr != nil {
		return nil, aerr
	}
	return o.update(func(tx *state.Tx) (any, error) {
		t, aerr := s.AccessToken(tx, in.AccessToken)
		if aerr != nil {
			return nil, aerr
		}
		emulator.SetCaller(c.Context(), t.Claims.ClientID, nil) // the events' clientId
		if cl := readerOf(tx, t); cl != nil && len(cl.WriteAttributes) > 0 {
			for name := range attrs {
				if !userpool.HasString(cl.WriteAttributes, name) {
					return nil, wire.NotAuthorized("A client attempted to write unauthorized attribute")
				}
			}
		}
		return o.updateAttrs(c.Context(), tx, t.Pool, t.User, attrs, false)
	})
}

func (o *ops) getUserAttributeVerificationCode(c *emulator.Call) (any, error) {
	s := o.svc
	var in tokenInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return o.update(func(tx *state.Tx) (any, error) {
		t, aerr := s.AccessToken(tx, in.AccessToken)
		if aerr != nil {
			return nil, aerr
		}
		emulator.SetCaller(c.Context(), t.Claims.ClientID, nil) // the events' clientId
		u := t.User
		if (in.AttributeName != "email" && in.AttributeName != "phone_number") || u.Attributes[in.AttributeName] == "" {
			return nil, wire.InvalidParameter("Attribute %s cannot be verified for this user", wire.Truncate(in.AttributeName, 64))
		}
		nu := u.Clone()
		d := s.SendCode(c.Context(), tx, t.Pool, nu, "verify:"+in.AttributeName, emulator.MsgVerifyAttribute, signUpCodeLifetime, in.AttributeName)
		tx.PutUser(t.Pool, nu)
		return map[string]any{"CodeDeliveryDetails": d}, nil
	})
}

func (o *ops) verifyUserAttribute(c *emulator.Call) (any, error) {
	s := o.svc
	var in tokenInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return o.update(func(tx *state.Tx) (any, error) {
		t, aerr := s.AccessToken(tx, in.AccessToken)
		if aerr != nil {
			return nil, aerr
		}
		if in.AttributeName != "email" && in.AttributeName != "phone_number" {
			return nil, wire.InvalidParameter("Attribute %s cannot be verified", wire.Truncate(in.AttributeName, 64))
		}
		nu := t.User.Clone()
		if err := s.CheckCode(nu, "verify:"+in.AttributeName, in.Code); err != nil {
			return nil, err
		}
		nu.Attributes[in.AttributeName+"_verified"] = "true"
		tx.PutUser(t.Pool, nu)
		return struct{}{}, nil
	})
}

func (o *ops) deleteUser(c *emulator.Call) (any, error) {
	s := o.svc
	var in tokenInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return o.update(func(tx *state.Tx) (any, error) {
		t, aerr := s.AccessToken(tx, in.AccessToken)
		if aerr != nil {
			return nil, aerr
		}
		s.DeleteUser(tx, t.Pool, t.User)
		return struct{}{}, nil
	})
}
