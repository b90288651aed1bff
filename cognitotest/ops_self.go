package cognitotest

import (
	"crypto/subtle"
	"time"
)

const (
	signUpCodeLifetime = 24 * time.Hour
	resetCodeLifetime  = time.Hour
)

type signUpInput struct {
	ClientId       string
	Username       string
	Password       string
	SecretHash     string
	UserAttributes []attributeType
	ClientMetadata map[string]string
}

// userAttrsIn validates attributes sent by a client.
func userAttrsIn(in []attributeType, allowVerified bool) (map[string]string, *apiError) {
	if len(in) > 64 {
		return nil, errInvalidParameter("too many attributes (at most 64)")
	}
	m := map[string]string{}
	for _, a := range in {
		if msg := validateAttr(a.Name, a.Value); msg != "" {
			return nil, errInvalidParameter("%s", msg)
		}
		if a.Name == "sub" || (!allowVerified && (a.Name == "email_verified" || a.Name == "phone_number_verified")) {
			return nil, errInvalidParameter("Cannot modify the non-mutable attribute %s", a.Name)
		}
		m[a.Name] = a.Value
	}
	return m, nil
}

// sendCodeLocked creates a code for purpose, "delivers" it to the user's
// email (preferred) or phone, and returns the delivery details.
func (s *Server) sendCodeLocked(p *Pool, u *user, purpose, kind string, lifetime time.Duration, attr string) *codeDeliveryDetails {
	code := s.randDigits(6)
	u.codes[purpose] = pendingCode{code: code, expires: s.now().Add(lifetime)}
	if attr == "" {
		attr = "email"
		if u.attrs["email"] == "" {
			attr = "phone_number"
		}
	}
	dest := u.attrs[attr]
	d := &codeDeliveryDetails{AttributeName: attr}
	if attr == "phone_number" {
		d.DeliveryMedium, d.Destination = "SMS", maskPhone(dest)
	} else {
		d.DeliveryMedium, d.Destination = "EMAIL", maskEmail(dest)
	}
	s.deliver(Message{PoolID: p.id, Username: u.username, Kind: kind, Medium: d.DeliveryMedium, Destination: dest, Code: code})
	return d
}

// checkCodeLocked checks and consumes a code.
func (s *Server) checkCodeLocked(u *user, purpose, code string) *apiError {
	pc, ok := u.codes[purpose]
	if !ok {
		return apiErr("ExpiredCodeException", "Invalid code provided, please request a code again.")
	}
	if s.now().After(pc.expires) {
		delete(u.codes, purpose)
		return apiErr("ExpiredCodeException", "Invalid code provided, please request a code again.")
	}
	if subtle.ConstantTimeCompare([]byte(pc.code), []byte(code)) != 1 {
		return apiErr("CodeMismatchException", "Invalid verification code provided, please try again.")
	}
	delete(u.codes, purpose)
	return nil
}

func (s *Server) opSignUp(c *call) (any, error) {
	var in signUpInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Username == "" || in.Password == "" {
		return nil, errInvalidParameter("Missing required parameter Username or Password")
	}
	s.mu.Lock()
	client, aerr := s.clientLocked(in.ClientId)
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	if err := checkSecretHash(client, in.Username, in.SecretHash); err != nil {
		return nil, err
	}
	p := client.pool
	attrs, aerr := userAttrsIn(in.UserAttributes, false)
	if aerr != nil {
		return nil, aerr
	}
	if msg := p.checkPasswordPolicy(in.Password); msg != "" {
		return nil, apiErr("InvalidPasswordException", "%s", msg)
	}
	for _, a := range p.cfg.RequiredAttributes {
		if attrs[a] == "" && !(hasString(p.cfg.UsernameAttributes, a) && a == "email" && emailRE.MatchString(in.Username)) {
			return nil, errInvalidParameter("Attributes did not conform to the schema: %s: The attribute %s is required", a, a)
		}
	}
	sub := s.uuid()
	username := in.Username
	if len(p.cfg.UsernameAttributes) > 0 {
		switch {
		case hasString(p.cfg.UsernameAttributes, "email") && emailRE.MatchString(in.Username):
			attrs["email"] = in.Username
		case hasString(p.cfg.UsernameAttributes, "phone_number") && phoneRE.MatchString(in.Username):
			attrs["phone_number"] = in.Username
		default:
			return nil, errInvalidParameter("Username should be an email or a phone number.")
		}
		username = sub
	}
	if !usernameRE.MatchString(username) {
		return nil, errInvalidParameter("Username must be 1 to 128 printable characters without spaces")
	}
	for _, a := range []string{"email", "phone_number"} {
		if _, ok := attrs[a]; ok {
			attrs[a+"_verified"] = "false"
		}
	}
	salt, v := p.passwordSecrets(username, in.Password)
	now := s.now()
	u := &user{username: username, sub: sub, attrs: attrs, status: StatusUnconfirmed, enabled: true,
		groups: map[string]bool{}, createdAt: now, modified: now, devices: map[string]*device{}, codes: map[string]pendingCode{}}
	u.setPassword(in.Password, salt, v)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := p.checkUniqueLocked(u, nil); err != nil {
		return nil, apiErr("UsernameExistsException", "User already exists")
	}
	if len(p.users) >= maxUsersPerPool {
		return nil, apiErr("LimitExceededException", "The user pool has reached the emulator's limit of %d users.", maxUsersPerPool)
	}
	p.users[p.normUsername(username)] = u
	out := map[string]any{"UserConfirmed": false, "UserSub": sub}
	for _, a := range p.cfg.AutoVerifiedAttributes {
		if attrs[a] != "" {
			out["CodeDeliveryDetails"] = s.sendCodeLocked(p, u, "signup", MsgSignUp, signUpCodeLifetime, a)
			break
		}
	}
	return out, nil
}

type confirmInput struct {
	ClientId         string
	Username         string
	ConfirmationCode string
	Password         string
	SecretHash       string
	AccessToken      string
	PreviousPassword string
	ProposedPassword string
}

// selfUserLocked finds the user of an unauthenticated self-service call.
func (s *Server) selfUserLocked(clientID, username, secretHash string) (*Pool, *user, *apiError) {
	client, aerr := s.clientLocked(clientID)
	if aerr != nil {
		return nil, nil, aerr
	}
	if username == "" {
		return nil, nil, errInvalidParameter("Missing required parameter Username")
	}
	if err := checkSecretHash(client, username, secretHash); err != nil {
		return nil, nil, err
	}
	u := client.pool.lookupLocked(username)
	if u == nil {
		if client.cfg.PreventUserExistenceErrors {
			return nil, nil, errCodeMismatch()
		}
		return nil, nil, errUserNotFound()
	}
	return client.pool, u, nil
}

func (s *Server) opConfirmSignUp(c *call) (any, error) {
	var in confirmInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, aerr := s.selfUserLocked(in.ClientId, in.Username, in.SecretHash)
	if aerr != nil {
		return nil, aerr
	}
	if u.status != StatusUnconfirmed {
		return nil, errNotAuthorized("User cannot be confirmed. Current status is %s", u.status)
	}
	if err := s.checkCodeLocked(u, "signup", in.ConfirmationCode); err != nil {
		return nil, err
	}
	u.status = StatusConfirmed
	if u.attrs["email"] != "" {
		u.attrs["email_verified"] = "true"
	} else if u.attrs["phone_number"] != "" {
		u.attrs["phone_number_verified"] = "true"
	}
	u.modified = s.now()
	return struct{}{}, nil
}

func (s *Server) opResendConfirmationCode(c *call) (any, error) {
	var in confirmInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, aerr := s.selfUserLocked(in.ClientId, in.Username, in.SecretHash)
	if aerr != nil {
		return nil, aerr
	}
	if u.status != StatusUnconfirmed {
		return nil, errInvalidParameter("User is already confirmed.")
	}
	if u.attrs["email"] == "" && u.attrs["phone_number"] == "" {
		return nil, errInvalidParameter("Auto verification not turned on.")
	}
	return map[string]any{"CodeDeliveryDetails": s.sendCodeLocked(p, u, "signup", MsgResendCode, signUpCodeLifetime, "")}, nil
}

func (s *Server) opForgotPassword(c *call) (any, error) {
	var in confirmInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, aerr := s.selfUserLocked(in.ClientId, in.Username, in.SecretHash)
	if aerr != nil {
		return nil, aerr
	}
	attr := ""
	switch {
	case u.attrs["email"] != "" && u.attrs["email_verified"] == "true":
		attr = "email"
	case u.attrs["phone_number"] != "" && u.attrs["phone_number_verified"] == "true":
		attr = "phone_number"
	default:
		return nil, errInvalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	return map[string]any{"CodeDeliveryDetails": s.sendCodeLocked(p, u, "reset", MsgForgotPassword, resetCodeLifetime, attr)}, nil
}

func (s *Server) opConfirmForgotPassword(c *call) (any, error) {
	var in confirmInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Password == "" || in.ConfirmationCode == "" {
		return nil, errInvalidParameter("Missing required parameter Password or ConfirmationCode")
	}
	s.mu.Lock()
	p, u, aerr := s.selfUserLocked(in.ClientId, in.Username, in.SecretHash)
	var username string
	if aerr == nil {
		if msg := p.checkPasswordPolicy(in.Password); msg != "" {
			aerr = apiErr("InvalidPasswordException", "%s", msg)
		}
	}
	if aerr == nil {
		aerr = s.checkCodeLocked(u, "reset", in.ConfirmationCode)
		username = u.username
	}
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	salt, v := p.passwordSecrets(username, in.Password)
	s.mu.Lock()
	defer s.mu.Unlock()
	u.setPassword(in.Password, salt, v)
	if u.status == StatusResetRequired || u.status == StatusForceChangePassword {
		u.status = StatusConfirmed
	}
	u.modified = s.now()
	return struct{}{}, nil
}

func (s *Server) opChangePassword(c *call) (any, error) {
	var in confirmInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.ProposedPassword == "" {
		return nil, errInvalidParameter("Missing required parameter ProposedPassword")
	}
	s.mu.Lock()
	p, u, _, aerr := s.authenticateLocked(in.AccessToken)
	var username string
	if aerr == nil {
		if in.PreviousPassword != "" && !u.checkPassword(in.PreviousPassword) || in.PreviousPassword == "" && u.password != "" {
			aerr = errIncorrectPassword()
		} else if msg := p.checkPasswordPolicy(in.ProposedPassword); msg != "" {
			aerr = apiErr("InvalidPasswordException", "%s", msg)
		}
		username = u.username
	}
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	salt, v := p.passwordSecrets(username, in.ProposedPassword)
	s.mu.Lock()
	defer s.mu.Unlock()
	u.setPassword(in.ProposedPassword, salt, v)
	u.modified = s.now()
	return struct{}{}, nil
}

type tokenInput struct {
	AccessToken              string
	UserAttributes           []attributeType
	AttributeName            string
	Code                     string
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

func mfaOut(u *user, p *Pool) (string, []string) {
	list := p.userMFAMethodsLocked(u)
	pref := u.preferredMFA
	if !hasString(list, pref) {
		pref = ""
	}
	return pref, list
}

func (s *Server) opGetUser(c *call) (any, error) {
	var in tokenInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, claims, aerr := s.authenticateLocked(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	pref, list := mfaOut(u, p)
	out := map[string]any{"Username": u.username, "UserAttributes": attrsOut(u, p.clients[claims.ClientID])}
	if pref != "" {
		out["PreferredMfaSetting"] = pref
	}
	if len(list) > 0 {
		out["UserMFASettingList"] = list
	}
	return out, nil
}

// updateAttrsLocked applies attribute changes; a changed email or phone
// number becomes unverified and gets a verification code.
func (s *Server) updateAttrsLocked(p *Pool, u *user, attrs map[string]string, admin bool) (any, error) {
	probe := &user{username: u.username, attrs: map[string]string{}}
	for k, v := range u.attrs {
		probe.attrs[k] = v
	}
	for k, v := range attrs {
		probe.attrs[k] = v
	}
	if err := p.checkUniqueLocked(probe, u); err != nil {
		return nil, apiErr("AliasExistsException", "An account with the given email or phone number already exists.")
	}
	var deliveries []*codeDeliveryDetails
	for k, v := range attrs {
		old := u.attrs[k]
		u.attrs[k] = v
		if (k == "email" || k == "phone_number") && old != v {
			if _, explicit := attrs[k+"_verified"]; !(admin && explicit) {
				u.attrs[k+"_verified"] = "false"
				if !admin {
					deliveries = append(deliveries, s.sendCodeLocked(p, u, "verify:"+k, MsgVerifyAttribute, signUpCodeLifetime, k))
				}
			}
		}
	}
	u.modified = s.now()
	if admin {
		return struct{}{}, nil
	}
	return map[string]any{"CodeDeliveryDetailsList": deliveries}, nil
}

func (s *Server) opUpdateUserAttributes(c *call) (any, error) {
	var in tokenInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	attrs, aerr := userAttrsIn(in.UserAttributes, false)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, claims, aerr := s.authenticateLocked(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	if cl := p.clients[claims.ClientID]; cl != nil && len(cl.cfg.WriteAttributes) > 0 {
		for name := range attrs {
			if !hasString(cl.cfg.WriteAttributes, name) {
				return nil, errNotAuthorized("A client attempted to write unauthorized attribute")
			}
		}
	}
	return s.updateAttrsLocked(p, u, attrs, false)
}

func (s *Server) opGetUserAttributeVerificationCode(c *call) (any, error) {
	var in tokenInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, _, aerr := s.authenticateLocked(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	if (in.AttributeName != "email" && in.AttributeName != "phone_number") || u.attrs[in.AttributeName] == "" {
		return nil, errInvalidParameter("Attribute %s cannot be verified for this user", truncate(in.AttributeName, 64))
	}
	return map[string]any{"CodeDeliveryDetails": s.sendCodeLocked(p, u, "verify:"+in.AttributeName, MsgVerifyAttribute, signUpCodeLifetime, in.AttributeName)}, nil
}

func (s *Server) opVerifyUserAttribute(c *call) (any, error) {
	var in tokenInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, _, aerr := s.authenticateLocked(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	if in.AttributeName != "email" && in.AttributeName != "phone_number" {
		return nil, errInvalidParameter("Attribute %s cannot be verified", truncate(in.AttributeName, 64))
	}
	if err := s.checkCodeLocked(u, "verify:"+in.AttributeName, in.Code); err != nil {
		return nil, err
	}
	u.attrs[in.AttributeName+"_verified"] = "true"
	return struct{}{}, nil
}

func (s *Server) opDeleteUser(c *call) (any, error) {
	var in tokenInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, _, aerr := s.authenticateLocked(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	p.deleteUserLocked(u)
	return struct{}{}, nil
}

func (s *Server) opGlobalSignOut(c *call) (any, error) {
	var in tokenInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, _, aerr := s.authenticateLocked(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	p.signOutLocked(u)
	return struct{}{}, nil
}

// takeAnySessionLocked takes a session without a client check (the MFA
// setup operations carry no ClientId).
func (s *Server) takeAnySessionLocked(id string) (*session, *apiError) {
	sess, ok := s.sessions[id]
	if !ok || len(id) > 4096 {
		return nil, errInvalidSession()
	}
	return s.takeSessionLocked(id, sess.client)
}

func (s *Server) opAssociateSoftwareToken(c *call) (any, error) {
	var in tokenInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	secret := s.newTOTPSecret()
	if in.Session != "" {
		sess, aerr := s.takeAnySessionLocked(in.Session)
		if aerr != nil {
			return nil, aerr
		}
		if sess.challenge != "MFA_SETUP" {
			return nil, errInvalidSession()
		}
		sess.totpSecret = secret
		id := s.putSessionLocked(sess)
		return map[string]string{"SecretCode": secret, "Session": id}, nil
	}
	if in.AccessToken == "" {
		return nil, errInvalidParameter("Send AccessToken or Session")
	}
	_, u, _, aerr := s.authenticateLocked(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	u.pendingTOTP = secret
	return map[string]string{"SecretCode": secret}, nil
}

func (s *Server) opVerifySoftwareToken(c *call) (any, error) {
	var in tokenInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.UserCode == "" {
		return nil, errInvalidParameter("Missing required parameter UserCode")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mismatch := apiErr("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
	if in.Session != "" {
		sess, aerr := s.takeAnySessionLocked(in.Session)
		if aerr != nil {
			return nil, aerr
		}
		if sess.challenge != "MFA_SETUP" || sess.totpSecret == "" {
			return nil, errInvalidSession()
		}
		if !checkTOTP(sess.totpSecret, in.UserCode, s.now()) {
			s.sessions[sess.id] = sess // the user may try again
			return nil, mismatch
		}
		u := sess.user
		u.totpSecret, u.totpEnabled = sess.totpSecret, true
		if u.preferredMFA == "" {
			u.preferredMFA = MFATOTP
		}
		sess.totpVerified = true
		id := s.putSessionLocked(sess)
		return map[string]string{"Status": "SUCCESS", "Session": id}, nil
	}
	_, u, _, aerr := s.authenticateLocked(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	if u.pendingTOTP == "" {
		return nil, errInvalidParameter("Call AssociateSoftwareToken first")
	}
	if !checkTOTP(u.pendingTOTP, in.UserCode, s.now()) {
		return nil, mismatch
	}
	u.totpSecret, u.pendingTOTP = u.pendingTOTP, ""
	return map[string]string{"Status": "SUCCESS"}, nil
}

func (s *Server) opSetUserMFAPreference(c *call) (any, error) {
	var in tokenInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var u *user
	if c.op == "AdminSetUserMFAPreference" {
		p, ok := s.pools[in.UserPoolId]
		if !ok {
			return nil, errResourceNotFound("User pool %s does not exist.", truncate(in.UserPoolId, 64))
		}
		if u = p.lookupLocked(in.Username); u == nil {
			return nil, errUserNotFound()
		}
	} else {
		var aerr *apiError
		if _, u, _, aerr = s.authenticateLocked(in.AccessToken); aerr != nil {
			return nil, aerr
		}
	}
	type setting struct {
		in      *mfaSettings
		name    string
		enabled *bool
		ok      bool
		why     string
	}
	settings := []setting{
		{in.SoftwareTokenMfaSettings, MFATOTP, &u.totpEnabled, u.totpSecret != "", "User has not verified software token mfa"},
		{in.SMSMfaSettings, MFASMS, &u.smsMFA, u.attrs["phone_number"] != "", "User does not have a phone number"},
		{in.EmailMfaSettings, MFAEmail, &u.emailMFA, u.attrs["email"] != "", "User does not have an email address"},
	}
	for _, st := range settings {
		if st.in != nil && (st.in.Enabled || st.in.PreferredMfa) && !st.ok {
			return nil, errInvalidParameter("%s", st.why)
		}
	}
	for _, st := range settings {
		if st.in == nil {
			continue
		}
		*st.enabled = st.in.Enabled || st.in.PreferredMfa
		switch {
		case st.in.PreferredMfa:
			u.preferredMFA = st.name
		case u.preferredMFA == st.name && !*st.enabled:
			u.preferredMFA = ""
		case u.preferredMFA == st.name && !st.in.PreferredMfa:
			u.preferredMFA = ""
		}
	}
	return struct{}{}, nil
}
