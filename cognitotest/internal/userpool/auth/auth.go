package auth

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math/big"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
	"github.com/cognitokit/cognitokit/internal/srp"
)

type ops struct{ svc *userpool.Service }

// Register adds the operations of this package to r.
func Register(r *emulator.Registry, svc *userpool.Service) {
	o := &ops{svc}
	op := func(name string, h emulator.Handler, public bool) emulator.Op {
		return emulator.Op{Service: emulator.UserPools, Name: name, Handler: h, Public: public, Writes: true}
	}
	r.Add(
		op("InitiateAuth", func(c *emulator.Call) (any, error) { return o.initiate(c, false) }, true),
		op("AdminInitiateAuth", func(c *emulator.Call) (any, error) { return o.initiate(c, true) }, false),
		op("RespondToAuthChallenge", func(c *emulator.Call) (any, error) { return o.respond(c, false) }, true),
		op("AdminRespondToAuthChallenge", func(c *emulator.Call) (any, error) { return o.respond(c, true) }, false),
		op("GetTokensFromRefreshToken", o.getTokensFromRefreshToken, true),
		op("RevokeToken", o.revokeToken, true),
		op("GlobalSignOut", o.globalSignOut, true),
		op("AdminUserGlobalSignOut", o.adminUserGlobalSignOut, false),
		emulator.Op{Service: emulator.UserPools, Name: "GetUserAuthFactors", Handler: o.getUserAuthFactors, Public: true},
	)
}

// Wire shapes of the auth operations.
type initiateAuthInput struct {
	AuthFlow        string
	AuthParameters  map[string]string
	ClientId        string
	ClientMetadata  map[string]string
	UserPoolId      string // AdminInitiateAuth
	Session         string
	UserContextData *userContextData
	ContextData     *struct{ IpAddress string } // AdminInitiateAuth
}

type respondInput struct {
	ChallengeName      string
	ChallengeResponses map[string]string
	ClientId           string
	Session            string
	ClientMetadata     map[string]string
	UserPoolId         string // AdminRespondToAuthChallenge
	UserContextData    *userContextData
	ContextData        *struct{ IpAddress string } // AdminRespondToAuthChallenge
}

// userContextData is where the app says the user signs in from.
type userContextData struct{ IpAddress, EncodedData string }

// contextOf returns the event context of an auth call.
func contextOf(c *emulator.Call, uc *userContextData, admin *struct{ IpAddress string }) userpool.EventContext {
	ip := ""
	switch {
	case uc != nil:
		ip = uc.IpAddress
	case admin != nil:
		ip = admin.IpAddress
	}
	return userpool.ContextOf(c.Request, ip)
}

type authOutput struct {
	AuthenticationResult *authResult       `json:",omitempty"`
	ChallengeName        string            `json:",omitempty"`
	ChallengeParameters  map[string]string `json:""`
	Session              string            `json:",omitempty"`
	AvailableChallenges  []string          `json:",omitempty"`

	mfa string // next: the MFA challenge to send (see advance)
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

func resultOf(t userpool.Tokens) *authResult {
	r := &authResult{AccessToken: t.AccessToken, ExpiresIn: t.ExpiresIn, IdToken: t.IDToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType}
	if t.NewDevice != nil {
		r.NewDeviceMetadata = &newDeviceMetadata{DeviceGroupKey: t.NewDevice.DeviceGroupKey, DeviceKey: t.NewDevice.DeviceKey}
	}
	return r
}

// challenge stores sess answering challenge and returns the response.
func (o *ops) challenge(sess *userpool.Session, challenge string, params map[string]string) *authOutput {
	sess.Challenge = challenge
	if params == nil {
		params = map[string]string{}
	}
	sess.Params = params
	id := o.svc.Sessions.Put(sess)
	return &authOutput{ChallengeName: challenge, ChallengeParameters: params, Session: id}
}

// view runs fn in a read-only transaction and returns its API error.
func (o *ops) view(fn func(tx *state.Tx) *wire.Error) *wire.Error {
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error { aerr = fn(tx); return nil })
	return aerr
}

func (o *ops) initiate(c *emulator.Call, admin bool) (any, error) {
	var in initiateAuthInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.AuthFlow == "" {
		return nil, wire.InvalidParameter("Missing required parameter AuthFlow")
	}
	if len(in.AuthParameters) > 64 || len(in.ClientMetadata) > 64 {
		return nil, wire.InvalidParameter("too many AuthParameters or ClientMetadata entries")
	}
	ap := in.AuthParameters
	if ap == nil {
		ap = map[string]string{}
	}
	var client *state.Client
	if aerr := o.view(func(tx *state.Tx) *wire.Error {
		var aerr *wire.Error
		client, aerr = userpool.Client(tx, in.ClientId)
		if aerr == nil && admin {
			aerr = userpool.ClientOfPool(tx, in.UserPoolId, client)
		}
		if aerr == nil { // threat protection's blocked IP ranges
			aerr = userpool.BlockedSignIn(tx, client, func() string { return userpool.CallerIP(c.Request.RemoteAddr, c.Body) })
		}
		return aerr
	}); aerr != nil {
		return nil, aerr
	}
	sess := &userpool.Session{PoolID: client.PoolID, Client: client, Admin: admin, Flow: in.AuthFlow, ValidationData: in.ClientMetadata,
		Lifetime: o.svc.SessionLifetime(client), Context: contextOf(c, in.UserContextData, in.ContextData)}
	ctx := c.Context()
	switch in.AuthFlow {
	case "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		if (in.AuthFlow == "USER_PASSWORD_AUTH") == admin {
			return nil, wire.InvalidParameter("Initiate Auth method not supported.")
		}
		flow := userpool.FlowUserPassword
		if admin {
			flow = userpool.FlowAdminUserPassword
		}
		if !userpool.Allows(client, flow) {
			return nil, wire.InvalidParameter("%s flow not enabled for this client", in.AuthFlow)
		}
		return o.passwordAuth(ctx, sess, ap["USERNAME"], ap["PASSWORD"], ap["SECRET_HASH"], ap["DEVICE_KEY"])
	case "USER_SRP_AUTH":
		if !userpool.Allows(client, userpool.FlowUserSRP) {
			return nil, wire.InvalidParameter("USER_SRP_AUTH is not enabled for the client.")
		}
		return o.startSRP(ctx, sess, ap)
	case "CUSTOM_AUTH":
		if !userpool.Allows(client, userpool.FlowCustom) {
			return nil, wire.InvalidParameter("Custom auth flow is not enabled for this client.")
		}
		return o.startCustom(ctx, sess, ap)
	case "USER_AUTH":
		if !userpool.Allows(client, userpool.FlowUserAuth) {
			return nil, wire.InvalidParameter("USER_AUTH flow not enabled for this client")
		}
		if in.Session != "" {
			return o.signInAfterSignUp(ctx, sess, in.Session, ap)
		}
		return o.startUserAuth(ctx, sess, ap)
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		return o.refreshTokenAuth(ctx, client, ap)
	default:
		return nil, wire.InvalidParameter("1 validation error detected: Value '%s' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]", wire.Truncate(in.AuthFlow, 64))
	}
}

// unknownUser answers a sign-in by an unknown user.
func unknownUser(c *state.Client) *wire.Error {
	if c.PreventUserExistenceErrors {
		return wire.IncorrectPassword()
	}
	return wire.UserNotFound()
}

func (o *ops) passwordAuth(ctx context.Context, sess *userpool.Session, username, password, secretHash, deviceKey string) (any, error) {
	if username == "" {
		return nil, wire.InvalidParameter("Missing required parameter USERNAME")
	}
	if password == "" {
		return nil, wire.InvalidParameter("Missing required parameter PASSWORD")
	}
	if err := userpool.CheckSecretHash(sess.Client, username, secretHash); err != nil {
		return nil, err
	}
	var u *state.User
	var p *state.Pool
	o.svc.State.View(func(tx *state.Tx) error {
		p = tx.Pool(sess.PoolID)
		u = userpool.LookupUser(tx, p, username)
		return nil
	})
	if u == nil {
		var err error
		if u, err = o.migrate(ctx, sess, p, username, password); err != nil {
			return nil, err
		}
	}
	if err := o.preAuthentication(ctx, sess, p, username, u); err != nil {
		return nil, err
	}
	if u.Status == userpool.StatusResetRequired && !u.HasPassword() { // imported: no password to check
		return nil, wire.Errorf("PasswordResetRequiredException", "Password reset required for the user")
	}
	sess.SetUser(u)
	if err := o.checkPassword(ctx, sess, p, u, password); err != nil {
		return nil, err
	}
	sess.PasswordDone = true
	sess.AuthTime = o.svc.Now()
	sess.DeviceKey = deviceKey
	return o.advance(ctx, sess)
}

// startSRP answers USER_SRP_AUTH (and the SRP_A step of CUSTOM_AUTH and
// USER_AUTH) with PASSWORD_VERIFIER.
func (o *ops) startSRP(ctx context.Context, sess *userpool.Session, ap map[string]string) (*authOutput, error) {
	s := o.svc
	username := ap["USERNAME"]
	if username == "" {
		return nil, wire.InvalidParameter("Missing required parameter USERNAME")
	}
	A, aerr := parseSRPA(ap["SRP_A"])
	if aerr != nil {
		return nil, aerr
	}
	if !sess.HasUser() { // USER_AUTH has found and checked the user already
		if err := userpool.CheckSecretHash(sess.Client, username, ap["SECRET_HASH"]); err != nil {
			return nil, err
		}
	}
	var u *state.User
	var pool *state.Pool
	s.State.View(func(tx *state.Tx) error {
		pool = tx.Pool(sess.PoolID)
		if sess.HasUser() {
			u = sess.User(tx)
		} else {
			u = userpool.LookupUser(tx, pool, username)
		}
		return nil
	})
	if pool == nil {
		return nil, wire.ResourceNotFound("User pool %s does not exist.", sess.PoolID)
	}
	if u == nil && sess.HasUser() { // deleted since the sign-in started
		return nil, wire.IncorrectPassword()
	}
	if !sess.HasUser() && !sess.Custom { // a sign-in starts: USER_SRP_AUTH
		if u == nil && !sess.Client.PreventUserExistenceErrors {
			return nil, wire.UserNotFound()
		}
		if err := o.preAuthentication(ctx, sess, nil, username, u); err != nil {
			return nil, err
		}
	}
	srpName := srp.PoolName(sess.PoolID)
	var v, salt *big.Int
	var internal string
	switch {
	case u == nil:
		if !sess.Client.PreventUserExistenceErrors {
			return nil, wire.UserNotFound()
		}
		// A decoy challenge that cannot succeed, so that unknown users are
		// indistinguishable from wrong passwords: the same salt and the
		// same UUID-shaped USER_ID_FOR_SRP on every call, as for a real
		// user of a pool whose internal usernames are subs.
		salt, internal = s.DecoySRP(s.PoolSecretOf(pool.ID), pool, username)
		sess.Decoy = internal
		v = srp.Verifier(srpName, internal, s.RandString(32, emulator.Alnum), salt)
	case u.Verifier == nil && u.Status == userpool.StatusResetRequired: // imported
		return nil, wire.Errorf("PasswordResetRequiredException", "Password reset required for the user")
	case u.Verifier == nil:
		// A user without a password (e.g. created for OTP sign-in): a
		// stable salt too, or asking twice would tell.
		internal = u.Username
		salt = s.DecoyVerifierSalt(s.PoolSecretOf(pool.ID), u.Sub)
		v = srp.Verifier(srpName, internal, s.RandString(32, emulator.Alnum), salt)
	default:
		v, salt, internal = u.Verifier, u.Salt, u.Username
	}
	srv, err := srp.NewServer(s.Rand(), v)
	if err != nil {
		return nil, wire.Internal("SRP failed")
	}
	block := make([]byte, 512)
	if err := s.ReadRand(block); err != nil {
		return nil, wire.Internal("random source failed")
	}
	if u != nil {
		sess.SetUser(u)
	}
	sess.SRPServer = srv
	sess.SRPA = A
	sess.SecretBlock = block
	if k := ap["DEVICE_KEY"]; k != "" {
		sess.DeviceKey = k
	}
	return o.challenge(sess, "PASSWORD_VERIFIER", map[string]string{
		"SALT":            salt.Text(16),
		"SECRET_BLOCK":    base64.StdEncoding.EncodeToString(block),
		"SRP_B":           srv.BHex(),
		"USERNAME":        internal,
		"USER_ID_FOR_SRP": internal,
	}), nil
}

func parseSRPA(h string) (*big.Int, *wire.Error) {
	if h == "" {
		return nil, wire.InvalidParameter("Missing required parameter SRP_A")
	}
	A, err := srp.ParseHex(h)
	if err != nil {
		return nil, wire.InvalidParameter("SRP_A is not a hex integer")
	}
	if A.Sign() <= 0 || new(big.Int).Mod(A, srp.N()).Sign() == 0 {
		// SRP-6a: the server must abort when A mod N == 0.
		return nil, wire.NotAuthorized("SRP_A is invalid: A mod N must not be 0")
	}
	return A, nil
}

// verifyClaim checks a PASSWORD_VERIFIER or DEVICE_PASSWORD_VERIFIER
// answer: the timestamp, the secret block, then the signature made with
// the poolName and userID that signer returns ("" for a decoy).
func (o *ops) verifyClaim(sess *userpool.Session, r map[string]string, signer func() (poolName, userID string, err *wire.Error)) *wire.Error {
	ts := r["TIMESTAMP"]
	sig := r["PASSWORD_CLAIM_SIGNATURE"]
	block := r["PASSWORD_CLAIM_SECRET_BLOCK"]
	switch {
	case ts == "":
		return wire.InvalidParameter("Missing required parameter TIMESTAMP")
	case sig == "":
		return wire.InvalidParameter("Missing required parameter PASSWORD_CLAIM_SIGNATURE")
	case block == "":
		return wire.InvalidParameter("Missing required parameter PASSWORD_CLAIM_SECRET_BLOCK")
	}
	t, err := srp.ParseTimestamp(ts)
	if err != nil {
		return wire.InvalidParameter("TIMESTAMP format is invalid: want UTC \"Mon Jan 2 15:04:05 UTC 2006\" with the day not padded")
	}
	skew := o.svc.Config().SRPClockSkew
	if d := o.svc.Now().Sub(t); d > skew || d < -skew {
		return wire.NotAuthorized("TIMESTAMP is outside the allowed clock skew; check the client's clock")
	}
	gotBlock, err := base64.StdEncoding.DecodeString(block)
	if err != nil || subtle.ConstantTimeCompare(gotBlock, sess.SecretBlock) != 1 {
		return wire.IncorrectPassword()
	}
	key, err := sess.SRPServer.PasswordKey(sess.SRPA)
	if err != nil {
		return wire.IncorrectPassword()
	}
	poolName, userID, aerr := signer()
	if aerr != nil {
		return aerr
	}
	if userID == "" { // decoy
		return wire.IncorrectPassword()
	}
	if !srp.VerifySignature(key, poolName, userID, gotBlock, ts, sig) {
		return wire.IncorrectPassword()
	}
	return nil
}

func (o *ops) respond(c *emulator.Call, admin bool) (any, error) {
	s := o.svc
	var in respondInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.ChallengeName == "" {
		return nil, wire.InvalidParameter("Missing required parameter ChallengeName")
	}
	if len(in.ChallengeResponses) > 64 {
		return nil, wire.InvalidParameter("too many ChallengeResponses entries")
	}
	r := in.ChallengeResponses
	if r == nil {
		r = map[string]string{}
	}
	var client *state.Client
	if aerr := o.view(func(tx *state.Tx) *wire.Error {
		var aerr *wire.Error
		client, aerr = userpool.Client(tx, in.ClientId)
		if aerr == nil && admin {
			aerr = userpool.ClientOfPool(tx, in.UserPoolId, client)
		}
		if aerr == nil { // threat protection's blocked IP ranges
			aerr = userpool.BlockedSignIn(tx, client, func() string { return userpool.CallerIP(c.Request.RemoteAddr, c.Body) })
		}
		return aerr
	}); aerr != nil {
		return nil, aerr
	}
	sess, aerr := s.Sessions.Take(in.Session, client.ID)
	if aerr != nil {
		return nil, aerr
	}
	if sess.Admin != admin {
		return nil, wire.InvalidSession()
	}
	sess.Meta = in.ClientMetadata // each response's own
	sess.Context = contextOf(c, in.UserContextData, in.ContextData)
	username := r["USERNAME"]
	if username == "" {
		return nil, wire.InvalidParameter("Missing required parameter USERNAME")
	}
	if err := userpool.CheckSecretHash(client, username, r["SECRET_HASH"]); err != nil {
		return nil, err
	}
	// USERNAME must name the session's user (the internal username, or an
	// alias of the same user for non-SRP challenges).
	match := false
	s.State.View(func(tx *state.Tx) error {
		if sess.HasUser() {
			named := userpool.LookupUser(tx, tx.Pool(sess.PoolID), username)
			match = named != nil && named.Sub == sess.Sub
		} else {
			match = username == sess.Decoy
		}
		return nil
	})
	if !match {
		return nil, wire.NotAuthorized("Incorrect username or password.")
	}
	ctx := c.Context()
	name := in.ChallengeName
	expected := sess.Challenge
	// Cognito takes a DEVICE_KEY in any challenge response. A client that
	// signed in by alias learns the internal username (USER_ID_FOR_SRP,
	// which keys its device store) only from a challenge, so it sends its
	// remembered device with the answer; a confirmed device then continues
	// with DEVICE_SRP_AUTH. The device challenges name their device
	// themselves.
	if k := r["DEVICE_KEY"]; k != "" && !sess.DeviceDone && name != "DEVICE_SRP_AUTH" && name != "DEVICE_PASSWORD_VERIFIER" {
		sess.DeviceKey = k
	}
	if sess.Challenge == "SELECT_CHALLENGE" && (name == "PASSWORD" || name == "PASSWORD_SRP" || name == "EMAIL_OTP" || name == "SMS_OTP" || name == "WEB_AUTHN") {
		r["ANSWER"] = name
		name = "SELECT_CHALLENGE"
	}
	if name != expected {
		return nil, wire.InvalidParameter("ChallengeName %s does not match the challenge of the session (%s)", wire.Truncate(in.ChallengeName, 64), expected)
	}
	switch name {
	case "PASSWORD_VERIFIER":
		if sess.HasUser() && username != sess.Username {
			// The signature covers USER_ID_FOR_SRP; so must USERNAME.
			return nil, wire.NotAuthorized("Incorrect username or password.")
		}
		signer := func() (string, string, *wire.Error) { return srp.PoolName(sess.PoolID), sess.Username, nil }
		if sess.HasUser() {
			if err := s.Lockouts.Check(sess.PoolID, sess.Sub); err != nil {
				return nil, err
			}
		}
		if err := o.verifyClaim(sess, r, signer); err != nil {
			if sess.HasUser() && userpool.IsWrongPassword(err) {
				o.failed(ctx, sess, userpool.StepPassword)
			}
			return nil, err
		}
		sess.PasswordDone = true
		sess.AuthTime = s.Now()
		if sess.Custom {
			sess.History = append(sess.History, userpool.ChallengeResult{ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true})
		}
		return o.advance(ctx, sess)
	case "SMS_MFA", "EMAIL_OTP", "SMS_OTP", "SOFTWARE_TOKEN_MFA":
		key := map[string]string{"SMS_MFA": "SMS_MFA_CODE", "EMAIL_OTP": "EMAIL_OTP_CODE", "SMS_OTP": "SMS_OTP_CODE", "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE"}[name]
		code := r[key]
		if code == "" {
			return nil, wire.InvalidParameter("Missing required parameter %s", key)
		}
		if err := s.Lockouts.Check(sess.PoolID, sess.Sub); err != nil {
			return nil, err
		}
		var ok bool
		if name == "SOFTWARE_TOKEN_MFA" {
			var secret string
			s.State.View(func(tx *state.Tx) error {
				if u := sess.User(tx); u != nil {
					secret = u.TOTPSecret
				}
				return nil
			})
			ok = userpool.CheckTOTP(secret, code, s.Now())
		} else {
			ok = sess.Code != "" && subtle.ConstantTimeCompare([]byte(code), []byte(sess.Code)) == 1
		}
		if !ok {
			step := userpool.StepMFA
			if sess.OTPFirstFactor && !sess.PasswordDone {
				step = userpool.StepPassword // the code is the first factor
			}
			o.failed(ctx, sess, step)
			return nil, o.retryLater(sess, wire.CodeMismatch())
		}
		if sess.OTPFirstFactor && !sess.PasswordDone {
			sess.PasswordDone = true
			sess.AuthTime = s.Now()
		} else {
			sess.MFADone = true
		}
		if sess.SetupEmail != "" {
			if err := o.finishEmailSetup(sess); err != nil {
				return nil, err
			}
		}
		return o.advance(ctx, sess)
	case "SELECT_MFA_TYPE":
		ans := r["ANSWER"]
		if !userpool.HasString(sess.Choices, ans) {
			return nil, wire.InvalidParameter("ANSWER must be one of MFAS_CAN_CHOOSE")
		}
		return o.mfaChallenge(ctx, sess, ans)
	case "MFA_SETUP":
		if email := r["EMAIL"]; email != "" && !sess.TOTPVerified {
			return o.setupEmailMFA(ctx, sess, email)
		}
		if !sess.TOTPVerified {
			return nil, wire.InvalidParameter("Call AssociateSoftwareToken and VerifySoftwareToken with the Session before responding to MFA_SETUP, or respond with EMAIL to set up email MFA")
		}
		sess.MFADone = true
		return o.advance(ctx, sess)
	case "NEW_PASSWORD_REQUIRED":
		return o.newPassword(ctx, sess, r)
	case "DEVICE_SRP_AUTH":
		return o.deviceSRP(sess, r)
	case "DEVICE_PASSWORD_VERIFIER":
		if err := o.verifyDevicePassword(sess, r); err != nil {
			return nil, err
		}
		sess.DeviceDone = true
		return o.advance(ctx, sess)
	case "CUSTOM_CHALLENGE":
		return o.answerCustom(ctx, sess, r)
	case "SELECT_CHALLENGE":
		return o.selectChallenge(ctx, sess, r)
	case "WEB_AUTHN":
		return o.answerWebAuthn(ctx, sess, r)
	}
	return nil, wire.InvalidParameter("cognitotest does not implement the challenge %s", name)
}

// retryLater puts a session back after a wrong code, so that the user can
// try again, up to MaxSessionAttempts times.
func (o *ops) retryLater(sess *userpool.Session, e *wire.Error) *wire.Error {
	sess.Attempts++
	if sess.Attempts >= userpool.MaxSessionAttempts {
		return e
	}
	o.svc.Sessions.PutBack(sess)
	return e
}

// advance decides what comes after a satisfied step: the next challenge
// or the tokens.
func (o *ops) advance(ctx context.Context, sess *userpool.Session) (*authOutput, error) {
	if sess.Custom && !sess.CustomDone {
		return o.defineStep(ctx, sess)
	}
	var out *authOutput
	var pt *userpool.PendingTokens
	err := o.svc.State.Update(func(tx *state.Tx) error {
		var err error
		out, pt, err = o.next(ctx, tx, sess)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out != nil && out.mfa != "" { // an MFA code to send: outside the transaction, through the triggers
		return o.mfaChallenge(ctx, sess, out.mfa)
	}
	if pt == nil {
		return out, nil
	}
	if err := o.postAuthentication(ctx, sess, pt, out.newDevice() != nil); err != nil {
		return nil, err
	}
	t, err := pt.Finish(ctx)
	if err != nil {
		return nil, err
	}
	t.NewDevice = out.newDevice()
	return &authOutput{AuthenticationResult: resultOf(t), ChallengeParameters: map[string]string{}}, nil
}

func (o *authOutput) newDevice() *userpool.DeviceMetadata {
	if o == nil || o.AuthenticationResult == nil || o.AuthenticationResult.NewDeviceMetadata == nil {
		return nil
	}
	m := o.AuthenticationResult.NewDeviceMetadata
	return &userpool.DeviceMetadata{DeviceKey: m.DeviceKey, DeviceGroupKey: m.DeviceGroupKey}
}

// next returns the next challenge, or the tokens to sign (and, in out,
// the NewDeviceMetadata to attach) when the user is fully authenticated.
func (o *ops) next(ctx context.Context, tx *state.Tx, sess *userpool.Session) (*authOutput, *userpool.PendingTokens, error) {
	s := o.svc
	p := tx.Pool(sess.PoolID)
	u := sess.User(tx)
	if u == nil || p == nil {
		return nil, nil, wire.IncorrectPassword()
	}
	switch {
	case u.Status == userpool.StatusUnconfirmed:
		return nil, nil, wire.Errorf("UserNotConfirmedException", "User is not confirmed.")
	case !u.Enabled:
		return nil, nil, wire.NotAuthorized("User is disabled.")
	case u.Status == userpool.StatusResetRequired:
		return nil, nil, wire.Errorf("PasswordResetRequiredException", "Password reset required for the user")
	}
	if u.Status == userpool.StatusForceChangePassword && !sess.NewPasswordDone && !sess.CustomDone {
		if s.Now().After(u.TemporaryPasswordExpires) {
			return nil, nil, wire.NotAuthorized("Temporary password has expired and must be reset by an administrator.")
		}
		attrs := map[string]string{}
		for k, v := range u.Attributes {
			attrs[k] = v
		}
		ua, _ := json.Marshal(attrs)
		var missing []string
		for _, a := range p.RequiredAttributes {
			if _, ok := u.Attributes[a]; !ok {
				missing = append(missing, "userAttributes."+a)
			}
		}
		if missing == nil {
			missing = []string{}
		}
		ra, _ := json.Marshal(missing)
		return o.challenge(sess, "NEW_PASSWORD_REQUIRED", map[string]string{
			"USER_ID_FOR_SRP": u.Username, "requiredAttributes": string(ra), "userAttributes": string(ua),
		}), nil, nil
	}
	tracking := p.DeviceRemembering != userpool.DevicesOff
	var dev *state.Device
	if sess.DeviceKey != "" && tracking {
		dev = tx.Device(p.ID, sess.DeviceKey)
		if dev == nil || dev.Sub != u.Sub {
			return nil, nil, wire.ResourceNotFound("Device does not exist.")
		}
		if !sess.DeviceDone && dev.Verifier != nil {
			return o.challenge(sess, "DEVICE_SRP_AUTH", map[string]string{"USERNAME": u.Username}), nil, nil
		}
	}
	// A remembered device that proved itself stands in for MFA only where
	// the pool says so (ChallengeRequiredOnNewDevice: the challenge is for
	// new devices); otherwise every sign-in asks for MFA.
	rememberedDevice := dev != nil && sess.DeviceDone && dev.Remembered && p.ChallengeRequiredOnNewDevice
	if !sess.MFADone && !sess.OTPFirstFactor && !sess.CustomDone && !rememberedDevice && p.MFA != userpool.MFAOff {
		methods := userpool.OfferedMFA(p, u)
		switch {
		case len(methods) == 0 && p.MFA == userpool.MFAOn:
			canSetup, _ := json.Marshal(userpool.SetupMethods(p))
			return o.challenge(sess, "MFA_SETUP", map[string]string{"MFAS_CAN_SETUP": string(canSetup), "USER_ID_FOR_SRP": u.Username}), nil, nil
		case len(methods) == 1:
			return &authOutput{mfa: methods[0]}, nil, nil
		case len(methods) > 1:
			if userpool.HasString(methods, u.PreferredMFA) {
				return &authOutput{mfa: u.PreferredMFA}, nil, nil
			}
			choices, _ := json.Marshal(methods)
			sess.Choices = methods
			return o.challenge(sess, "SELECT_MFA_TYPE", map[string]string{"MFAS_CAN_CHOOSE": string(choices), "USER_ID_FOR_SRP": u.Username}), nil, nil
		}
	}
	req := &userpool.MintRequest{Client: sess.Client, User: u, AuthTime: sess.AuthTime, Trigger: tokenSource(sess, dev), ClientMetadata: sess.Meta}
	var out *authOutput
	now := s.Now()
	switch {
	case dev != nil:
		req.DeviceKey = dev.Key
		d := dev.Clone()
		d.LastAuthAt = now
		tx.PutDevice(d)
	case tracking:
		d := &state.Device{PoolID: p.ID, Sub: u.Sub, Key: p.Region() + "_" + s.UUID(), GroupKey: "-" + s.RandString(9, emulator.Alnum),
			CreatedAt: now, LastAuthAt: now, ModifiedAt: now}
		tx.PutDevice(d)
		req.DeviceKey = d.Key
		out = &authOutput{AuthenticationResult: &authResult{NewDeviceMetadata: &newDeviceMetadata{DeviceKey: d.Key, DeviceGroupKey: d.GroupKey}}}
	}
	pt, err := s.PrepareTokens(tx, p, req)
	if err != nil {
		return nil, nil, err
	}
	steps := []state.AuthEventChallenge{{Name: userpool.StepPassword, Response: "Success"}}
	if sess.MFADone {
		steps = append(steps, state.AuthEventChallenge{Name: userpool.StepMFA, Response: "Success"})
	}
	s.AddAuthEvent(tx, p, u, &state.AuthEvent{Type: userpool.EventSignIn, Response: userpool.EventPass, Challenges: steps,
		IPAddress: sess.Context.IP, DeviceName: sess.Context.DeviceName})
	tx.OnCommit(func() { s.Lockouts.Succeed(p.ID, u.Sub) })
	return out, pt, nil
}

// mfaChallenge issues an MFA (or sign-in OTP) challenge, sending a code
// when the method needs one. Call it outside transactions: the message
// goes through the pool's CustomMessage and custom sender triggers.
func (o *ops) mfaChallenge(ctx context.Context, sess *userpool.Session, method string) (*authOutput, error) {
	s := o.svc
	var u *state.User
	var p *state.Pool
	s.State.View(func(tx *state.Tx) error { u, p = sess.User(tx), tx.Pool(sess.PoolID); return nil })
	if u == nil || p == nil {
		return nil, wire.IncorrectPassword()
	}
	params := map[string]string{"USER_ID_FOR_SRP": u.Username}
	var m emulator.Message
	switch method {
	case userpool.MFASMS, "SMS_OTP":
		kind := emulator.MsgSMSMFA
		if method == "SMS_OTP" {
			kind = emulator.MsgSMSOTP
		}
		m = emulator.Message{PoolID: sess.PoolID, Username: u.Username, Kind: kind, Medium: "SMS",
			Destination: u.Attributes["phone_number"], Code: s.RandDigits(6)}
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = "SMS"
		params["CODE_DELIVERY_DESTINATION"] = emulator.MaskPhone(u.Attributes["phone_number"])
	case userpool.MFAEmail:
		dest := u.Attributes["email"]
		if sess.SetupEmail != "" {
			dest = sess.SetupEmail
		}
		m = emulator.Message{PoolID: sess.PoolID, Username: u.Username, Kind: emulator.MsgEmailMFA, Medium: "EMAIL",
			Destination: dest, Code: s.RandDigits(8)}
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = "EMAIL"
		params["CODE_DELIVERY_DESTINATION"] = emulator.MaskEmail(dest)
	}
	if m.Kind != "" {
		emulator.SetCaller(ctx, sess.Client.ID, sess.Meta)
		if err := s.Send(ctx, p, u, m); err != nil {
			return nil, err
		}
		sess.Code = m.Code
	}
	return o.challenge(sess, method, params), nil
}

// newPassword answers NEW_PASSWORD_REQUIRED.
func (o *ops) newPassword(ctx context.Context, sess *userpool.Session, r map[string]string) (any, error) {
	s := o.svc
	pw := r["NEW_PASSWORD"]
	if pw == "" {
		return nil, wire.InvalidParameter("Missing required parameter NEW_PASSWORD")
	}
	var p *state.Pool
	var u *state.User
	s.State.View(func(tx *state.Tx) error { p, u = tx.Pool(sess.PoolID), sess.User(tx); return nil })
	if u == nil || p == nil {
		return nil, wire.IncorrectPassword()
	}
	if msg := userpool.CheckPasswordPolicy(p, pw); msg != "" {
		return nil, wire.Errorf("InvalidPasswordException", "%s", msg)
	}
	attrs := map[string]string{}
	for k, v := range r {
		if name, ok := cutPrefix(k, "userAttributes."); ok {
			if msg := userpool.ValidateAttr(name, v); msg != "" {
				return nil, wire.InvalidParameter("%s", msg)
			}
			if name == "sub" || name == "email_verified" || name == "phone_number_verified" {
				return nil, wire.InvalidParameter("Cannot modify the non-mutable attribute %s", name)
			}
			attrs[name] = v
		}
	}
	if msg := userpool.CheckSchema(p, attrs, false); msg != "" {
		return nil, wire.InvalidParameter("%s", msg)
	}
	for _, a := range p.RequiredAttributes {
		if _, ok := u.Attributes[a]; !ok && attrs[a] == "" {
			return nil, wire.InvalidParameter("Invalid attributes given, %s is missing", a)
		}
	}
	salt, v := s.PasswordSecrets(p, u.Username, pw)
	err := s.State.Update(func(tx *state.Tx) error {
		cur := sess.User(tx)
		if cur == nil {
			return wire.IncorrectPassword()
		}
		nu := cur.Clone()
		userpool.SetPassword(nu, salt, v)
		nu.Status = userpool.StatusConfirmed
		if nu.Attributes == nil {
			nu.Attributes = map[string]string{}
		}
		for k, val := range attrs {
			nu.Attributes[k] = val
		}
		nu.ModifiedAt = s.Now()
		tx.PutUser(tx.Pool(sess.PoolID), nu)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sess.NewPasswordDone = true
	return o.advance(ctx, sess)
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}
