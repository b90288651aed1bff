package cognitotest

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"time"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// Wire shapes of the auth operations.
type initiateAuthInput struct {
	AuthFlow       string
	AuthParameters map[string]string
	ClientId       string
	ClientMetadata map[string]string
	UserPoolId     string // AdminInitiateAuth
	Session        string
}

type respondInput struct {
	ChallengeName      string
	ChallengeResponses map[string]string
	ClientId           string
	Session            string
	ClientMetadata     map[string]string
	UserPoolId         string // AdminRespondToAuthChallenge
}

type authOutput struct {
	AuthenticationResult *authResult       `json:",omitempty"`
	ChallengeName        string            `json:",omitempty"`
	ChallengeParameters  map[string]string `json:""`
	Session              string            `json:",omitempty"`
	AvailableChallenges  []string          `json:",omitempty"`
}

type authResult struct {
	AccessToken       string             `json:",omitempty"`
	ExpiresIn         int32              `json:""`
	IdToken           string             `json:",omitempty"`
	RefreshToken      string             `json:",omitempty"`
	TokenType         string             `json:",omitempty"`
	NewDeviceMetadata *newDeviceMetadata `json:",omitempty"`
}

type newDeviceMetadata struct {
	DeviceGroupKey string
	DeviceKey      string
}

func resultOf(t Tokens) *authResult {
	r := &authResult{AccessToken: t.AccessToken, ExpiresIn: t.ExpiresIn, IdToken: t.IDToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType}
	if t.NewDevice != nil {
		r.NewDeviceMetadata = &newDeviceMetadata{DeviceGroupKey: t.NewDevice.DeviceGroupKey, DeviceKey: t.NewDevice.DeviceKey}
	}
	return r
}

// session is the server state of an authentication in progress, referred to
// by an opaque Session string. A session is owned by the request that took
// it out of s.sessions, so its fields need no lock.
type session struct {
	id       string
	pool     *Pool
	client   *appClient
	user     *user  // nil for the decoy session of an unknown user
	decoy    string // the name an unknown user signed in with
	admin    bool
	flow     string
	expires  time.Time
	authTime time.Time
	meta     map[string]string

	challenge string // the challenge this session answers
	params    map[string]string
	attempts  int

	// SRP (PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER)
	srpServer   *srp.Server
	srpA        *big.Int
	secretBlock []byte

	passwordDone    bool
	newPasswordDone bool
	otpFirstFactor  bool
	deviceKey       string // DEVICE_KEY presented by the client
	deviceDone      bool
	mfaDone         bool
	code            string   // expected SMS/EMAIL code
	choices         []string // SELECT_MFA_TYPE / SELECT_CHALLENGE
	totpSecret      string   // MFA_SETUP: associated secret
	totpVerified    bool

	custom     bool
	customDone bool
	history    []ChallengeResult
	private    map[string]string
}

const maxSessionAttempts = 3

// newSessionLocked stores sess under a fresh Session string.
func (s *Server) putSessionLocked(sess *session) string {
	sess.id = s.randString(512, alnum)
	sess.expires = s.now().Add(sess.client.sessionLifetime())
	s.sessions[sess.id] = sess
	// Drop expired sessions now and then to bound memory.
	if len(s.sessions)%256 == 0 {
		now := s.now()
		for k, v := range s.sessions {
			if now.After(v.expires) {
				delete(s.sessions, k)
			}
		}
	}
	return sess.id
}

// takeSessionLocked removes and returns the session; sessions are single use.
func (s *Server) takeSessionLocked(id string, client *appClient) (*session, *apiError) {
	if id == "" {
		return nil, errInvalidParameter("Missing required parameter Session")
	}
	if len(id) > 4096 {
		return nil, errInvalidParameter("1 validation error detected: Value at 'session' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	sess, ok := s.sessions[id]
	if !ok {
		return nil, errInvalidSession()
	}
	delete(s.sessions, id)
	if sess.client != client {
		return nil, errInvalidSession()
	}
	if s.now().After(sess.expires) {
		return nil, errExpiredSession()
	}
	return sess, nil
}

// challengeOut stores sess answering challenge and returns the response.
func (s *Server) challengeLocked(sess *session, challenge string, params map[string]string) *authOutput {
	sess.challenge = challenge
	if params == nil {
		params = map[string]string{}
	}
	sess.params = params
	id := s.putSessionLocked(sess)
	return &authOutput{ChallengeName: challenge, ChallengeParameters: params, Session: id}
}

// clientLocked finds the app client of a request.
func (s *Server) clientLocked(id string) (*appClient, *apiError) {
	if id == "" {
		return nil, errInvalidParameter("Missing required parameter ClientId")
	}
	c, ok := s.clients[id]
	if !ok {
		return nil, errResourceNotFound("User pool client %s does not exist.", truncate(id, 128))
	}
	return c, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// checkSecretHashLocked enforces SECRET_HASH for clients with a secret.
// username must be the USERNAME sent in the same request.
func checkSecretHash(c *appClient, username, got string) *apiError {
	if c.cfg.Secret == "" {
		return nil
	}
	if got == "" {
		return errNotAuthorized("Client %s is configured with secret but SECRET_HASH was not received", c.cfg.ID)
	}
	if !srp.VerifySecretHash(c.cfg.ID, c.cfg.Secret, username, got) {
		return errNotAuthorized("Unable to verify secret hash for client %s", c.cfg.ID)
	}
	return nil
}

func (s *Server) opInitiateAuth(c *call) (any, error)      { return s.initiateAuth(c, false) }
func (s *Server) opAdminInitiateAuth(c *call) (any, error) { return s.initiateAuth(c, true) }

func (s *Server) initiateAuth(c *call, admin bool) (any, error) {
	var in initiateAuthInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.AuthFlow == "" {
		return nil, errInvalidParameter("Missing required parameter AuthFlow")
	}
	if len(in.AuthParameters) > 64 || len(in.ClientMetadata) > 64 {
		return nil, errInvalidParameter("too many AuthParameters or ClientMetadata entries")
	}
	ap := in.AuthParameters
	if ap == nil {
		ap = map[string]string{}
	}
	s.mu.Lock()
	client, aerr := s.clientLocked(in.ClientId)
	if aerr == nil && admin {
		aerr = s.checkAdminPoolLocked(in.UserPoolId, client)
	}
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	sess := &session{pool: client.pool, client: client, admin: admin, flow: in.AuthFlow, meta: in.ClientMetadata}
	ctx := c.r.Context()
	switch in.AuthFlow {
	case "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		if (in.AuthFlow == "USER_PASSWORD_AUTH") == admin {
			return nil, errInvalidParameter("Initiate Auth method not supported.")
		}
		flow := FlowUserPassword
		if admin {
			flow = FlowAdminUserPassword
		}
		if !client.allows(flow) {
			return nil, errInvalidParameter("%s flow not enabled for this client", in.AuthFlow)
		}
		return s.passwordAuth(ctx, sess, ap["USERNAME"], ap["PASSWORD"], ap["SECRET_HASH"], ap["DEVICE_KEY"])
	case "USER_SRP_AUTH":
		if !client.allows(FlowUserSRP) {
			return nil, errInvalidParameter("USER_SRP_AUTH is not enabled for the client.")
		}
		return s.startSRP(ctx, sess, ap)
	case "CUSTOM_AUTH":
		if !client.allows(FlowCustom) {
			return nil, errInvalidParameter("Custom auth flow is not enabled for this client.")
		}
		return s.startCustom(ctx, sess, ap)
	case "USER_AUTH":
		if !client.allows(FlowUserAuth) {
			return nil, errInvalidParameter("USER_AUTH flow not enabled for this client")
		}
		return s.startUserAuth(ctx, sess, ap)
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		return s.refreshTokenAuth(ctx, client, ap)
	default:
		return nil, errInvalidParameter("1 validation error detected: Value '%s' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]", truncate(in.AuthFlow, 64))
	}
}

// checkAdminPoolLocked checks the UserPoolId of an Admin* request against
// the client.
func (s *Server) checkAdminPoolLocked(poolID string, c *appClient) *apiError {
	if poolID == "" {
		return errInvalidParameter("Missing required parameter UserPoolId")
	}
	p, ok := s.pools[poolID]
	if !ok {
		return errResourceNotFound("User pool %s does not exist.", truncate(poolID, 64))
	}
	if c != nil && c.pool != p {
		return errResourceNotFound("User pool client %s does not exist.", c.cfg.ID)
	}
	return nil
}

// unknownUser answers a sign-in by an unknown user.
func unknownUser(c *appClient) *apiError {
	if c.cfg.PreventUserExistenceErrors {
		return errIncorrectPassword()
	}
	return errUserNotFound()
}

func (s *Server) passwordAuth(ctx context.Context, sess *session, username, password, secretHash, deviceKey string) (any, error) {
	if username == "" {
		return nil, errInvalidParameter("Missing required parameter USERNAME")
	}
	if password == "" {
		return nil, errInvalidParameter("Missing required parameter PASSWORD")
	}
	if err := checkSecretHash(sess.client, username, secretHash); err != nil {
		return nil, err
	}
	p := sess.pool
	s.mu.Lock()
	u := p.lookupLocked(username)
	ok := u != nil && u.checkPassword(password)
	s.mu.Unlock()
	if u == nil {
		return nil, unknownUser(sess.client)
	}
	if !ok {
		return nil, errIncorrectPassword()
	}
	sess.user = u
	sess.passwordDone = true
	sess.authTime = s.now()
	sess.deviceKey = deviceKey
	return s.advance(ctx, sess)
}

// startSRP answers USER_SRP_AUTH (and the SRP_A step of CUSTOM_AUTH and
// USER_AUTH) with PASSWORD_VERIFIER.
func (s *Server) startSRP(ctx context.Context, sess *session, ap map[string]string) (any, error) {
	username := ap["USERNAME"]
	if username == "" {
		return nil, errInvalidParameter("Missing required parameter USERNAME")
	}
	A, aerr := parseSRPA(ap["SRP_A"])
	if aerr != nil {
		return nil, aerr
	}
	if sess.user == nil { // USER_AUTH has found and checked the user already
		if err := checkSecretHash(sess.client, username, ap["SECRET_HASH"]); err != nil {
			return nil, err
		}
	}
	p := sess.pool
	s.mu.Lock()
	u := sess.user
	if u == nil {
		u = p.lookupLocked(username)
	}
	var v, salt *big.Int
	var internal string
	if u != nil {
		v, salt, internal = u.verifier, u.salt, u.username
	}
	s.mu.Unlock()
	if u == nil {
		if !sess.client.cfg.PreventUserExistenceErrors {
			return nil, errUserNotFound()
		}
		// A decoy challenge that cannot succeed, so that unknown users are
		// indistinguishable from wrong passwords.
		internal = username
		sess.decoy = username
		salt = s.newSalt()
		v = srp.Verifier(p.name, username, s.randString(32, alnum), salt)
	} else if v == nil {
		// A user without a password (e.g. created for OTP sign-in).
		salt = s.newSalt()
		v = srp.Verifier(p.name, internal, s.randString(32, alnum), salt)
	}
	srv, err := srp.NewServer(randReader{s}, v)
	if err != nil {
		return nil, errInternal("SRP failed")
	}
	block := make([]byte, 512)
	if err := s.readRand(block); err != nil {
		return nil, errInternal("random source failed")
	}
	sess.user = u
	sess.srpServer = srv
	sess.srpA = A
	sess.secretBlock = block
	if k := ap["DEVICE_KEY"]; k != "" {
		sess.deviceKey = k
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.challengeLocked(sess, "PASSWORD_VERIFIER", map[string]string{
		"SALT":            salt.Text(16),
		"SECRET_BLOCK":    base64.StdEncoding.EncodeToString(block),
		"SRP_B":           srv.BHex(),
		"USERNAME":        internal,
		"USER_ID_FOR_SRP": internal,
	}), nil
}

func parseSRPA(h string) (*big.Int, *apiError) {
	if h == "" {
		return nil, errInvalidParameter("Missing required parameter SRP_A")
	}
	A, err := srp.ParseHex(h)
	if err != nil {
		return nil, errInvalidParameter("SRP_A is not a hex integer")
	}
	if A.Sign() <= 0 || new(big.Int).Mod(A, srp.N()).Sign() == 0 {
		// SRP-6a: the server must abort when A mod N == 0.
		return nil, errNotAuthorized("SRP_A is invalid: A mod N must not be 0")
	}
	return A, nil
}

// verifyPassword checks a PASSWORD_VERIFIER answer.
func (s *Server) verifyPassword(sess *session, r map[string]string) *apiError {
	ts := r["TIMESTAMP"]
	sig := r["PASSWORD_CLAIM_SIGNATURE"]
	block := r["PASSWORD_CLAIM_SECRET_BLOCK"]
	switch {
	case ts == "":
		return errInvalidParameter("Missing required parameter TIMESTAMP")
	case sig == "":
		return errInvalidParameter("Missing required parameter PASSWORD_CLAIM_SIGNATURE")
	case block == "":
		return errInvalidParameter("Missing required parameter PASSWORD_CLAIM_SECRET_BLOCK")
	}
	t, err := srp.ParseTimestamp(ts)
	if err != nil {
		return errInvalidParameter("TIMESTAMP format is invalid: want UTC \"Mon Jan 2 15:04:05 UTC 2006\" with the day not padded")
	}
	if d := s.now().Sub(t); d > s.opts.srpSkew || d < -s.opts.srpSkew {
		return errNotAuthorized("TIMESTAMP is outside the allowed clock skew; check the client's clock")
	}
	gotBlock, err := base64.StdEncoding.DecodeString(block)
	if err != nil || subtle.ConstantTimeCompare(gotBlock, sess.secretBlock) != 1 {
		return errIncorrectPassword()
	}
	key, err := sess.srpServer.PasswordKey(sess.srpA)
	if err != nil {
		return errIncorrectPassword()
	}
	if sess.user == nil { // decoy
		return errIncorrectPassword()
	}
	if !srp.VerifySignature(key, sess.pool.name, sess.user.username, gotBlock, ts, sig) {
		return errIncorrectPassword()
	}
	return nil
}

func (s *Server) opRespondToAuthChallenge(c *call) (any, error) { return s.respond(c, false) }
func (s *Server) opAdminRespondToAuthChallenge(c *call) (any, error) {
	return s.respond(c, true)
}

func (s *Server) respond(c *call, admin bool) (any, error) {
	var in respondInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.ChallengeName == "" {
		return nil, errInvalidParameter("Missing required parameter ChallengeName")
	}
	if len(in.ChallengeResponses) > 64 {
		return nil, errInvalidParameter("too many ChallengeResponses entries")
	}
	r := in.ChallengeResponses
	if r == nil {
		r = map[string]string{}
	}
	s.mu.Lock()
	client, aerr := s.clientLocked(in.ClientId)
	if aerr == nil && admin {
		aerr = s.checkAdminPoolLocked(in.UserPoolId, client)
	}
	var sess *session
	if aerr == nil {
		sess, aerr = s.takeSessionLocked(in.Session, client)
	}
	if aerr == nil && sess.admin != admin {
		aerr = errInvalidSession()
	}
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	if in.ClientMetadata != nil {
		sess.meta = in.ClientMetadata
	}
	username := r["USERNAME"]
	if username == "" {
		return nil, errInvalidParameter("Missing required parameter USERNAME")
	}
	if err := checkSecretHash(client, username, r["SECRET_HASH"]); err != nil {
		return nil, err
	}
	// USERNAME must name the session's user (the internal username, or an
	// alias of the same user for non-SRP challenges).
	s.mu.Lock()
	match := false
	if sess.user != nil {
		named := sess.pool.lookupLocked(username)
		match = named == sess.user
	} else {
		match = username == sess.decoy
	}
	s.mu.Unlock()
	if !match {
		return nil, errNotAuthorized("Incorrect username or password.")
	}
	ctx := c.r.Context()
	name := in.ChallengeName
	expected := sess.challenge
	if sess.challenge == "SELECT_CHALLENGE" && (name == "PASSWORD" || name == "PASSWORD_SRP" || name == "EMAIL_OTP" || name == "SMS_OTP") {
		r["ANSWER"] = name
		name = "SELECT_CHALLENGE"
	}
	if name != expected {
		return nil, errInvalidParameter("ChallengeName %s does not match the challenge of the session (%s)", truncate(in.ChallengeName, 64), expected)
	}
	switch name {
	case "PASSWORD_VERIFIER":
		if sess.user != nil && username != sess.user.username {
			// The signature covers USER_ID_FOR_SRP; so must USERNAME.
			return nil, errNotAuthorized("Incorrect username or password.")
		}
		if err := s.verifyPassword(sess, r); err != nil {
			return nil, err
		}
		sess.passwordDone = true
		sess.authTime = s.now()
		if k := r["DEVICE_KEY"]; k != "" {
			sess.deviceKey = k
		}
		if sess.custom {
			sess.history = append(sess.history, ChallengeResult{ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true})
		}
		return s.advance(ctx, sess)
	case "SMS_MFA", "EMAIL_OTP", "SMS_OTP", "SOFTWARE_TOKEN_MFA":
		key := map[string]string{"SMS_MFA": "SMS_MFA_CODE", "EMAIL_OTP": "EMAIL_OTP_CODE", "SMS_OTP": "SMS_OTP_CODE", "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE"}[name]
		code := r[key]
		if code == "" {
			return nil, errInvalidParameter("Missing required parameter %s", key)
		}
		var ok bool
		if name == "SOFTWARE_TOKEN_MFA" {
			s.mu.Lock()
			secret := sess.user.totpSecret
			s.mu.Unlock()
			ok = checkTOTP(secret, code, s.now())
		} else {
			ok = sess.code != "" && subtle.ConstantTimeCompare([]byte(code), []byte(sess.code)) == 1
		}
		if !ok {
			return nil, s.retryLater(sess, errCodeMismatch())
		}
		// Cognito takes a DEVICE_KEY in any challenge response. A client
		// that signed in by alias with USER_PASSWORD_AUTH learns the
		// internal username (USER_ID_FOR_SRP, which keys its device store)
		// only from this challenge, so it sends its remembered device here;
		// a confirmed device then continues with DEVICE_SRP_AUTH.
		if k := r["DEVICE_KEY"]; k != "" {
			sess.deviceKey = k
		}
		if sess.otpFirstFactor && !sess.passwordDone {
			sess.passwordDone = true
			sess.authTime = s.now()
		} else {
			sess.mfaDone = true
		}
		return s.advance(ctx, sess)
	case "SELECT_MFA_TYPE":
		ans := r["ANSWER"]
		if !hasString(sess.choices, ans) {
			return nil, errInvalidParameter("ANSWER must be one of MFAS_CAN_CHOOSE")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.mfaChallengeLocked(sess, ans), nil
	case "MFA_SETUP":
		if !sess.totpVerified {
			return nil, errInvalidParameter("Call AssociateSoftwareToken and VerifySoftwareToken with the Session before responding to MFA_SETUP")
		}
		sess.mfaDone = true
		return s.advance(ctx, sess)
	case "NEW_PASSWORD_REQUIRED":
		return s.newPassword(ctx, sess, r)
	case "DEVICE_SRP_AUTH":
		return s.deviceSRP(ctx, sess, r)
	case "DEVICE_PASSWORD_VERIFIER":
		if err := s.verifyDevicePassword(sess, r); err != nil {
			return nil, err
		}
		sess.deviceDone = true
		return s.advance(ctx, sess)
	case "CUSTOM_CHALLENGE":
		return s.answerCustom(ctx, sess, r)
	case "SELECT_CHALLENGE":
		return s.selectChallenge(ctx, sess, r)
	}
	return nil, errInvalidParameter("cognitotest does not implement the challenge %s", name)
}

// retryLater puts a session back after a wrong code, so that the user can
// try again, up to maxSessionAttempts times.
func (s *Server) retryLater(sess *session, e *apiError) *apiError {
	sess.attempts++
	if sess.attempts >= maxSessionAttempts {
		return e
	}
	s.mu.Lock()
	s.sessions[sess.id] = sess
	s.mu.Unlock()
	return e
}

// advance decides what comes after a satisfied step: the next challenge
// or the tokens.
func (s *Server) advance(ctx context.Context, sess *session) (*authOutput, error) {
	if sess.custom && !sess.customDone {
		return s.defineStep(ctx, sess)
	}
	s.mu.Lock()
	out, req, aerr := s.advanceLocked(sess)
	var pt *pendingTokens
	var err error
	if aerr == nil && req != nil {
		pt, err = sess.pool.prepareTokensLocked(req)
	}
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	if err != nil {
		return nil, err
	}
	if pt == nil {
		return out, nil
	}
	t, err := pt.finish(ctx)
	if err != nil {
		return nil, err
	}
	t.NewDevice = out.newDevice()
	return &authOutput{AuthenticationResult: resultOf(t), ChallengeParameters: map[string]string{}}, nil
}

func (o *authOutput) newDevice() *DeviceMetadata {
	if o == nil || o.AuthenticationResult == nil || o.AuthenticationResult.NewDeviceMetadata == nil {
		return nil
	}
	m := o.AuthenticationResult.NewDeviceMetadata
	return &DeviceMetadata{DeviceKey: m.DeviceKey, DeviceGroupKey: m.DeviceGroupKey}
}

// advanceLocked returns the next challenge, or a mint request (and, in out,
// the NewDeviceMetadata to attach) when the user is fully authenticated.
func (s *Server) advanceLocked(sess *session) (*authOutput, *mintRequest, *apiError) {
	u, p := sess.user, sess.pool
	if u == nil || p.users[p.normUsername(u.username)] != u {
		return nil, nil, errIncorrectPassword()
	}
	switch {
	case u.status == StatusUnconfirmed:
		return nil, nil, apiErr("UserNotConfirmedException", "User is not confirmed.")
	case !u.enabled:
		return nil, nil, errNotAuthorized("User is disabled.")
	case u.status == StatusResetRequired:
		return nil, nil, apiErr("PasswordResetRequiredException", "Password reset required for the user")
	}
	if u.status == StatusForceChangePassword && !sess.newPasswordDone && !sess.customDone {
		if s.now().After(u.tempUntil) {
			return nil, nil, errNotAuthorized("Temporary password has expired and must be reset by an administrator.")
		}
		attrs := map[string]string{}
		for k, v := range u.attrs {
			attrs[k] = v
		}
		ua, _ := json.Marshal(attrs)
		var missing []string
		for _, a := range p.cfg.RequiredAttributes {
			if _, ok := u.attrs[a]; !ok {
				missing = append(missing, "userAttributes."+a)
			}
		}
		if missing == nil {
			missing = []string{}
		}
		ra, _ := json.Marshal(missing)
		return s.challengeLocked(sess, "NEW_PASSWORD_REQUIRED", map[string]string{
			"USER_ID_FOR_SRP": u.username, "requiredAttributes": string(ra), "userAttributes": string(ua),
		}), nil, nil
	}
	tracking := p.cfg.DeviceRemembering != DevicesOff
	var dev *device
	if sess.deviceKey != "" && tracking {
		dev = u.devices[sess.deviceKey]
		if dev == nil {
			return nil, nil, errResourceNotFound("Device does not exist.")
		}
		if !sess.deviceDone && dev.verifier != nil {
			return s.challengeLocked(sess, "DEVICE_SRP_AUTH", map[string]string{"USERNAME": u.username}), nil, nil
		}
	}
	rememberedDevice := dev != nil && sess.deviceDone && dev.remembered
	if !sess.mfaDone && !sess.otpFirstFactor && !sess.customDone && !rememberedDevice && p.cfg.MFA != MFAOff {
		methods := p.userMFAMethodsLocked(u)
		switch {
		case len(methods) == 0 && p.cfg.MFA == MFAOn:
			return s.challengeLocked(sess, "MFA_SETUP", map[string]string{"MFAS_CAN_SETUP": `["SOFTWARE_TOKEN_MFA"]`, "USER_ID_FOR_SRP": u.username}), nil, nil
		case len(methods) == 1:
			return s.mfaChallengeLocked(sess, methods[0]), nil, nil
		case len(methods) > 1:
			if hasString(methods, u.preferredMFA) {
				return s.mfaChallengeLocked(sess, u.preferredMFA), nil, nil
			}
			choices, _ := json.Marshal(methods)
			sess.choices = methods
			return s.challengeLocked(sess, "SELECT_MFA_TYPE", map[string]string{"MFAS_CAN_CHOOSE": string(choices), "USER_ID_FOR_SRP": u.username}), nil, nil
		}
	}
	req := &mintRequest{client: sess.client, user: u, authTime: sess.authTime, trigger: "TokenGeneration_Authentication"}
	var out *authOutput
	switch {
	case dev != nil:
		req.deviceKey = dev.key
		dev.lastAuth = s.now()
	case tracking:
		d := p.newDeviceLocked(u)
		req.deviceKey = d.key
		out = &authOutput{AuthenticationResult: &authResult{NewDeviceMetadata: &newDeviceMetadata{DeviceKey: d.key, DeviceGroupKey: d.groupKey}}}
	}
	return out, req, nil
}

// userMFAMethodsLocked lists the MFA methods enabled for a user, TOTP first.
func (p *Pool) userMFAMethodsLocked(u *user) []string {
	var m []string
	if u.totpEnabled && u.totpSecret != "" {
		m = append(m, MFATOTP)
	}
	if u.smsMFA && u.attrs["phone_number"] != "" {
		m = append(m, MFASMS)
	}
	if u.emailMFA && u.attrs["email"] != "" {
		m = append(m, MFAEmail)
	}
	return m
}

// mfaChallengeLocked issues an MFA challenge, delivering a code if needed.
func (s *Server) mfaChallengeLocked(sess *session, method string) *authOutput {
	u := sess.user
	params := map[string]string{"USER_ID_FOR_SRP": u.username}
	switch method {
	case MFASMS, "SMS_OTP":
		sess.code = s.randDigits(6)
		kind := MsgSMSMFA
		if method == "SMS_OTP" {
			kind = MsgSMSOTP
		}
		s.deliver(Message{PoolID: sess.pool.id, Username: u.username, Kind: kind, Medium: "SMS", Destination: u.attrs["phone_number"], Code: sess.code})
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = "SMS"
		params["CODE_DELIVERY_DESTINATION"] = maskPhone(u.attrs["phone_number"])
	case MFAEmail:
		sess.code = s.randDigits(8)
		s.deliver(Message{PoolID: sess.pool.id, Username: u.username, Kind: MsgEmailMFA, Medium: "EMAIL", Destination: u.attrs["email"], Code: sess.code})
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = "EMAIL"
		params["CODE_DELIVERY_DESTINATION"] = maskEmail(u.attrs["email"])
	}
	return s.challengeLocked(sess, method, params)
}

// newPassword answers NEW_PASSWORD_REQUIRED.
func (s *Server) newPassword(ctx context.Context, sess *session, r map[string]string) (any, error) {
	pw := r["NEW_PASSWORD"]
	if pw == "" {
		return nil, errInvalidParameter("Missing required parameter NEW_PASSWORD")
	}
	p, u := sess.pool, sess.user
	if msg := p.checkPasswordPolicy(pw); msg != "" {
		return nil, apiErr("InvalidPasswordException", "%s", msg)
	}
	attrs := map[string]string{}
	for k, v := range r {
		if name, ok := cutPrefix(k, "userAttributes."); ok {
			if msg := validateAttr(name, v); msg != "" {
				return nil, errInvalidParameter("%s", msg)
			}
			if name == "sub" || name == "email_verified" || name == "phone_number_verified" {
				return nil, errInvalidParameter("Cannot modify the non-mutable attribute %s", name)
			}
			attrs[name] = v
		}
	}
	s.mu.Lock()
	var missing string
	for _, a := range p.cfg.RequiredAttributes {
		if _, ok := u.attrs[a]; !ok && attrs[a] == "" {
			missing = a
			break
		}
	}
	username := u.username
	s.mu.Unlock()
	if missing != "" {
		return nil, errInvalidParameter("Invalid attributes given, %s is missing", missing)
	}
	salt, v := p.passwordSecrets(username, pw)
	s.mu.Lock()
	u.setPassword(pw, salt, v)
	u.status = StatusConfirmed
	for k, val := range attrs {
		u.attrs[k] = val
	}
	u.modified = s.now()
	s.mu.Unlock()
	sess.newPasswordDone = true
	return s.advance(ctx, sess)
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}

// refreshLocked finds a usable refresh token for client. It is the shared
// entry point of REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken and the
// OAuth token endpoint.
func (s *Server) refreshLocked(client *appClient, token string) (*refreshToken, *apiError) {
	if token == "" {
		return nil, errInvalidParameter("Missing required parameter REFRESH_TOKEN")
	}
	rt, ok := client.pool.refreshTokens[token]
	if !ok || rt.client != client {
		return nil, errNotAuthorized("Invalid Refresh Token")
	}
	now := s.now()
	switch {
	case rt.revoked || client.pool.revokedOrigins[rt.originJTI]:
		return nil, errNotAuthorized("Refresh Token has been revoked")
	case !now.Before(rt.expires):
		return nil, errNotAuthorized("Refresh Token has expired")
	case !rt.replacedAt.IsZero() && now.After(rt.replacedAt.Add(client.cfg.RetryGracePeriod)):
		return nil, apiErr("RefreshTokenReuseException", "This refresh token has already been used and its grace period is over.")
	}
	u := rt.user
	p := client.pool
	if p.users[p.normUsername(u.username)] != u {
		return nil, errNotAuthorized("Invalid Refresh Token")
	}
	if !u.enabled {
		return nil, errNotAuthorized("User is disabled.")
	}
	return rt, nil
}

// refreshTokenAuth implements REFRESH_TOKEN_AUTH.
func (s *Server) refreshTokenAuth(ctx context.Context, client *appClient, ap map[string]string) (any, error) {
	if !client.allows(FlowRefreshToken) {
		return nil, errInvalidParameter("Refresh Token flow not enabled for this client")
	}
	if client.cfg.RefreshTokenRotation {
		return nil, errInvalidParameter("REFRESH_TOKEN_AUTH is not allowed for a client with refresh token rotation; call GetTokensFromRefreshToken")
	}
	s.mu.Lock()
	rt, aerr := s.refreshLocked(client, ap["REFRESH_TOKEN"])
	var pt *pendingTokens
	var err error
	if aerr == nil {
		// SECRET_HASH is computed with the internal username, never an alias.
		aerr = checkSecretHash(client, rt.user.username, ap["SECRET_HASH"])
	}
	if aerr == nil && rt.deviceKey != "" && ap["DEVICE_KEY"] != rt.deviceKey {
		aerr = errNotAuthorized("Invalid Refresh Token")
	}
	if aerr == nil {
		pt, err = client.pool.prepareTokensLocked(&mintRequest{client: client, user: rt.user, authTime: rt.authTime,
			originJTI: rt.originJTI, scope: rt.scope, scopeSet: true, deviceKey: rt.deviceKey, noRefresh: true, trigger: "TokenGeneration_RefreshTokens"})
	}
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	if err != nil {
		return nil, err
	}
	t, err := pt.finish(ctx)
	if err != nil {
		return nil, err
	}
	return &authOutput{AuthenticationResult: resultOf(t), ChallengeParameters: map[string]string{}}, nil
}

type getTokensInput struct {
	RefreshToken   string
	ClientId       string
	ClientSecret   string
	DeviceKey      string
	ClientMetadata map[string]string
}

// opGetTokensFromRefreshToken implements GetTokensFromRefreshToken, with
// refresh-token rotation when the client enables it.
func (s *Server) opGetTokensFromRefreshToken(c *call) (any, error) {
	var in getTokensInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.RefreshToken == "" {
		return nil, errInvalidParameter("Missing required parameter RefreshToken")
	}
	s.mu.Lock()
	client, aerr := s.clientLocked(in.ClientId)
	if aerr == nil {
		aerr = checkClientSecret(client, in.ClientSecret)
	}
	var pt *pendingTokens
	var err error
	if aerr == nil {
		pt, aerr, err = s.redeemRefreshLocked(client, in.RefreshToken, in.DeviceKey)
	}
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	if err != nil {
		return nil, err
	}
	t, err := pt.finish(c.r.Context())
	if err != nil {
		return nil, err
	}
	return map[string]any{"AuthenticationResult": resultOf(t)}, nil
}

// redeemRefreshLocked issues new tokens for a refresh token, rotating it
// when the client enables rotation. The OAuth token endpoint uses it too.
func (s *Server) redeemRefreshLocked(client *appClient, token, deviceKey string) (*pendingTokens, *apiError, error) {
	rt, aerr := s.refreshLocked(client, token)
	if aerr != nil {
		return nil, aerr, nil
	}
	if rt.deviceKey != "" && deviceKey != "" && deviceKey != rt.deviceKey {
		return nil, errNotAuthorized("Invalid Refresh Token"), nil
	}
	req := &mintRequest{client: client, user: rt.user, authTime: rt.authTime, originJTI: rt.originJTI,
		scope: rt.scope, scopeSet: true, deviceKey: rt.deviceKey, noRefresh: true, trigger: "TokenGeneration_RefreshTokens"}
	pt, err := client.pool.prepareTokensLocked(req)
	if err != nil {
		return nil, nil, err
	}
	if client.cfg.RefreshTokenRotation {
		now := s.now()
		if rt.replacedAt.IsZero() {
			rt.replacedAt = now
		}
		nrt := &refreshToken{token: s.newRefreshToken(), client: client, user: rt.user, originJTI: rt.originJTI,
			authTime: rt.authTime, expires: now.Add(client.lifetimes().Refresh), deviceKey: rt.deviceKey, scope: rt.scope}
		client.pool.addRefreshTokenLocked(nrt)
		pt.refresh = nrt.token
	}
	return pt, nil, nil
}

// checkClientSecret checks a raw client secret (GetTokensFromRefreshToken,
// RevokeToken).
func checkClientSecret(c *appClient, got string) *apiError {
	if c.cfg.Secret == "" {
		return nil
	}
	if got == "" {
		return errNotAuthorized("Client %s is configured with secret but ClientSecret was not received", c.cfg.ID)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(c.cfg.Secret)) != 1 {
		return errNotAuthorized("Unable to verify client secret for client %s", c.cfg.ID)
	}
	return nil
}

type revokeInput struct {
	Token        string
	ClientId     string
	ClientSecret string
}

func (s *Server) opRevokeToken(c *call) (any, error) {
	var in revokeInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Token == "" {
		return nil, errInvalidParameter("Missing required parameter Token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	client, aerr := s.clientLocked(in.ClientId)
	if aerr != nil {
		return nil, aerr
	}
	if err := checkClientSecret(client, in.ClientSecret); err != nil {
		// RevokeToken reports client authentication failures this way.
		return nil, apiErr("UnauthorizedException", "%s", err.Message)
	}
	if err := s.revokeRefreshLocked(client, in.Token); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// revokeRefreshLocked revokes a refresh token and the access tokens issued
// from it. Unknown tokens are ignored, as RFC 7009 asks.
func (s *Server) revokeRefreshLocked(client *appClient, token string) *apiError {
	if client.cfg.DisableTokenRevocation {
		return apiErr("UnsupportedOperationException", "Token revocation is not enabled for client %s", client.cfg.ID)
	}
	if countDots(token) == 2 {
		return apiErr("UnsupportedTokenTypeException", "Only refresh tokens can be revoked")
	}
	rt, ok := client.pool.refreshTokens[token]
	if !ok {
		return nil
	}
	if rt.client != client {
		return apiErr("UnauthorizedException", "The refresh token was not issued to client %s", client.cfg.ID)
	}
	rt.revoked = true
	client.pool.revokedOrigins[rt.originJTI] = true
	return nil
}

func countDots(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			n++
		}
	}
	return n
}

// signOutLocked revokes every token of u.
func (p *Pool) signOutLocked(u *user) {
	for o := range u.originSet {
		p.revokedOrigins[o] = true
	}
	u.originSet = nil
	for _, rt := range p.refreshTokens {
		if rt.user == u {
			rt.revoked = true
		}
	}
	u.signedOutAt = p.s.now()
}
