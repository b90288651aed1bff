package srpclient

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sync/atomic"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// Flow selects how [Client.SignIn] authenticates.
type Flow string

// The sign-in flows.
const (
	// FlowSRP is USER_SRP_AUTH: the password never leaves the client. The
	// default.
	FlowSRP Flow = "USER_SRP_AUTH"
	// FlowPassword is USER_PASSWORD_AUTH: the password is sent over TLS.
	FlowPassword Flow = "USER_PASSWORD_AUTH"
	// FlowCustom is CUSTOM_AUTH without SRP: Lambda triggers decide the
	// challenges.
	FlowCustom Flow = "CUSTOM_AUTH"
	// FlowCustomSRP is CUSTOM_AUTH that starts with SRP (CHALLENGE_NAME =
	// SRP_A), then continues with the custom challenges.
	FlowCustomSRP Flow = "CUSTOM_AUTH_SRP"
	// FlowUserAuth is USER_AUTH, choice-based sign-in. Set
	// SignInInput.PreferredChallenge, or answer the [SelectChallenge] step.
	FlowUserAuth Flow = "USER_AUTH"
)

// The first-factor challenges of [FlowUserAuth].
const (
	ChallengePassword    = "PASSWORD"
	ChallengePasswordSRP = "PASSWORD_SRP"
	ChallengeEmailOTP    = "EMAIL_OTP"
	ChallengeSMSOTP      = "SMS_OTP"
	ChallengeWebAuthn    = "WEB_AUTHN"
)

// SignInInput is the input of [Client.SignIn].
type SignInInput struct {
	// Username is what the user typed: the username or an alias (email,
	// phone number). Required.
	Username string

	// Password is required for FlowSRP, FlowPassword and FlowCustomSRP,
	// and for the PASSWORD and PASSWORD_SRP choices of FlowUserAuth.
	Password string

	// Flow is the sign-in flow. Optional. Default FlowSRP.
	Flow Flow

	// PreferredChallenge is the first-factor challenge for FlowUserAuth:
	// one of the Challenge* constants. Optional; without it Cognito lists
	// the choices in a [SelectChallenge] step.
	PreferredChallenge string

	// RememberDevice asks Cognito to remember the device confirmed after
	// this sign-in, when the pool lets users opt in. Needs Config.Devices.
	RememberDevice bool

	// ClientMetadata is sent to Lambda triggers, in addition to
	// Config.ClientMetadata. Optional.
	ClientMetadata map[string]string
}

// AdminSignInInput is the input of [Client.AdminSignIn].
type AdminSignInInput struct {
	Username       string // required
	Password       string // required
	RememberDevice bool
	ClientMetadata map[string]string
}

// Result is the outcome of a sign-in step: either Tokens, when the user is
// signed in, or Next, the challenge to answer.
type Result struct {
	Tokens *Tokens
	Next   Step

	// DeviceErr is set when the sign-in succeeded but confirming or storing
	// the new device failed. The tokens are valid; the device will not be
	// remembered.
	DeviceErr error
}

// Done reports whether the sign-in is complete.
func (r *Result) Done() bool { return r != nil && r.Tokens != nil }

// challenge is an InitiateAuth or RespondToAuthChallenge response, admin or
// not.
type challenge struct {
	name      string
	params    map[string]string
	session   *string
	result    *types.AuthenticationResultType
	available []string
}

// flow is the state of one sign-in. It is advanced by one goroutine at a
// time: each Step can be answered once.
type flow struct {
	c        *Client
	admin    bool
	kind     Flow
	typed    string // the username as typed
	username string // the USERNAME to send: the internal username once known
	password string
	in       SignInInput

	srpc         *srp.Client // client half for PASSWORD_VERIFIER
	device       *Device     // remembered device in use, or nil
	lookedUp     map[string]bool
	usedDevice   string // device key sent, for Tokens.DeviceKey
	restarted    bool
	metadata     map[string]string
	steps        int
	deviceSRP    *srp.Client
	sentDeviceIn bool
	authFlow     string // the AuthFlow sent, for Config.Observer
}

// SignIn starts a sign-in. The result holds the tokens, or the next [Step]
// to answer (MFA code, new password, ...). SRP, device authentication and
// forgotten devices are handled without a step.
func (c *Client) SignIn(ctx context.Context, in SignInInput) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if in.Flow == "" {
		in.Flow = FlowSRP
	}
	if err := checkUsername(in.Username); err != nil {
		return nil, err
	}
	switch in.Flow {
	case FlowSRP, FlowPassword, FlowCustomSRP:
		if err := checkPassword(in.Password); err != nil {
			return nil, err
		}
		if in.PreferredChallenge != "" {
			return nil, fmt.Errorf("%w: PreferredChallenge is only for FlowUserAuth", ErrInvalidInput)
		}
	case FlowCustom:
	case FlowUserAuth:
		switch in.PreferredChallenge {
		case ChallengePassword, ChallengePasswordSRP:
			if err := checkPassword(in.Password); err != nil {
				return nil, err
			}
		case "", ChallengeEmailOTP, ChallengeSMSOTP, ChallengeWebAuthn:
		default:
			return nil, fmt.Errorf("%w: PreferredChallenge %q is not one of PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN", ErrInvalidInput, truncate(in.PreferredChallenge, 32))
		}
	default:
		return nil, fmt.Errorf("%w: unknown flow %q", ErrInvalidInput, truncate(string(in.Flow), 32))
	}
	if len(in.Password) > maxPasswordLen {
		return nil, fmt.Errorf("%w: password longer than %d bytes", ErrInvalidInput, maxPasswordLen)
	}
	if err := checkMetadata(in.ClientMetadata); err != nil {
		return nil, err
	}
	f := c.newFlow(in)
	return f.start(ctx)
}

// AdminSignIn signs in with ADMIN_USER_PASSWORD_AUTH through
// AdminInitiateAuth, which needs IAM credentials allowed to call it (the
// API's AWS config). Use it only on servers.
func (c *Client) AdminSignIn(ctx context.Context, in AdminSignInInput) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if err := checkUsername(in.Username); err != nil {
		return nil, err
	}
	if err := checkPassword(in.Password); err != nil {
		return nil, err
	}
	if err := checkMetadata(in.ClientMetadata); err != nil {
		return nil, err
	}
	f := c.newFlow(SignInInput{Username: in.Username, Password: in.Password, Flow: "ADMIN_USER_PASSWORD_AUTH", RememberDevice: in.RememberDevice, ClientMetadata: in.ClientMetadata})
	f.admin = true
	return f.start(ctx)
}

// checkMetadata bounds ClientMetadata, which is sent with every request.
func checkMetadata(md map[string]string) error {
	if len(md) > maxMetadata {
		return fmt.Errorf("%w: more than %d ClientMetadata entries", ErrInvalidInput, maxMetadata)
	}
	for k, v := range md {
		if len(k) > 256 || len(v) > 4096 {
			return fmt.Errorf("%w: ClientMetadata key %q or its value is too long (256 and 4096 bytes at most)", ErrInvalidInput, truncate(k, 32))
		}
	}
	return nil
}

func (c *Client) newFlow(in SignInInput) *flow {
	md := maps.Clone(c.cfg.ClientMetadata)
	if md == nil {
		md = map[string]string{}
	}
	maps.Copy(md, in.ClientMetadata)
	if len(md) == 0 {
		md = nil
	}
	return &flow{c: c, kind: in.Flow, typed: in.Username, username: in.Username, password: in.Password, in: in, lookedUp: map[string]bool{}, metadata: md}
}

// lookupDevice loads the stored device for username once per sign-in.
func (f *flow) lookupDevice(ctx context.Context, username string) error {
	st := f.c.cfg.Devices
	if st == nil || f.device != nil || f.lookedUp[username] {
		return nil
	}
	f.lookedUp[username] = true
	d, ok, err := st.Get(ctx, f.c.poolID, username)
	if err != nil {
		return fmt.Errorf("%w: get: %w", ErrDeviceStore, err)
	}
	if ok {
		f.device = &d
	}
	return nil
}

func (f *flow) start(ctx context.Context) (*Result, error) {
	if err := f.lookupDevice(ctx, f.typed); err != nil {
		return nil, err
	}
	params := map[string]string{"USERNAME": f.typed}
	var authFlow types.AuthFlowType
	needSRP := false
	switch f.kind {
	case FlowSRP:
		authFlow, needSRP = types.AuthFlowTypeUserSrpAuth, true
	case FlowPassword:
		authFlow = types.AuthFlowTypeUserPasswordAuth
		params["PASSWORD"] = f.password
	case FlowCustom:
		authFlow = types.AuthFlowTypeCustomAuth
	case FlowCustomSRP:
		authFlow, needSRP = types.AuthFlowTypeCustomAuth, true
		params["CHALLENGE_NAME"] = "SRP_A"
	case FlowUserAuth:
		authFlow = types.AuthFlowTypeUserAuth
		if p := f.in.PreferredChallenge; p != "" {
			params["PREFERRED_CHALLENGE"] = p
			switch p {
			case ChallengePassword:
				params["PASSWORD"] = f.password
			case ChallengePasswordSRP:
				needSRP = true
			}
		}
	default: // admin
		authFlow = types.AuthFlowTypeAdminUserPasswordAuth
		params["PASSWORD"] = f.password
	}
	if needSRP {
		if err := f.startSRP(); err != nil {
			return nil, err
		}
		params["SRP_A"] = f.srpc.AHex()
	}
	if f.device != nil {
		params["DEVICE_KEY"] = f.device.Key
		f.sentDeviceIn = true
	}
	if h := f.c.secretHash(f.typed); h != "" {
		params["SECRET_HASH"] = h
	}
	var ch challenge
	var err error
	f.authFlow = string(authFlow)
	start := f.c.cfg.Now()
	defer func() { f.c.observe(ctx, f.authFlow, "InitiateAuth", "", start, ch, err) }()
	if f.admin {
		var out *cip.AdminInitiateAuthOutput
		out, err = f.c.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
			AuthFlow: authFlow, ClientId: &f.c.cfg.ClientID, UserPoolId: &f.c.poolID,
			AuthParameters: params, ClientMetadata: f.metadata,
		})
		if err == nil {
			ch = challenge{name: string(out.ChallengeName), params: out.ChallengeParameters, session: out.Session, result: out.AuthenticationResult, available: names(out.AvailableChallenges)}
		}
	} else {
		var out *cip.InitiateAuthOutput
		out, err = f.c.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
			AuthFlow: authFlow, ClientId: &f.c.cfg.ClientID,
			AuthParameters: params, ClientMetadata: f.metadata,
		})
		if err == nil {
			ch = challenge{name: string(out.ChallengeName), params: out.ChallengeParameters, session: out.Session, result: out.AuthenticationResult, available: names(out.AvailableChallenges)}
		}
	}
	if err != nil {
		if f.device != nil && isDeviceNotFound(err) {
			return f.restartWithoutDevice(ctx)
		}
		return nil, wrapAPI("sign in", err)
	}
	return f.handle(ctx, ch)
}

func names(cs []types.ChallengeNameType) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

// restartWithoutDevice forgets the stale device and signs in again once.
func (f *flow) restartWithoutDevice(ctx context.Context) (*Result, error) {
	if f.restarted {
		return nil, fmt.Errorf("%w: the server rejected the device twice", ErrNotAuthorized)
	}
	stale := f.device
	owner := f.username
	if err := f.c.cfg.Devices.Delete(ctx, f.c.poolID, owner); err != nil {
		return nil, fmt.Errorf("%w: delete stale device: %w", ErrDeviceStore, err)
	}
	if owner != f.typed {
		// The device may have been found under the typed name.
		if d, ok, err := f.c.cfg.Devices.Get(ctx, f.c.poolID, f.typed); err == nil && ok && d.Key == stale.Key {
			_ = f.c.cfg.Devices.Delete(ctx, f.c.poolID, f.typed)
		}
	}
	nf := f.c.newFlow(f.in)
	nf.admin = f.admin
	nf.kind = f.kind
	nf.restarted = true
	// Do not look the forgotten device up again.
	nf.lookedUp[f.typed] = true
	nf.lookedUp[owner] = true
	return nf.start(ctx)
}

// startSRP creates the client half of a new SRP handshake.
func (f *flow) startSRP() error {
	cl, err := srp.NewClient(f.c.cfg.Rand)
	if err != nil {
		return fmt.Errorf("srpclient: %w", err)
	}
	f.srpc = cl
	return nil
}

var errStaleDevice = errors.New("stale device")

// respond sends a challenge response, adding USERNAME and SECRET_HASH.
func (f *flow) respond(ctx context.Context, name string, resp map[string]string, session *string) (challenge, error) {
	if _, ok := resp["USERNAME"]; !ok {
		resp["USERNAME"] = f.username
	}
	if h := f.c.secretHash(resp["USERNAME"]); h != "" {
		resp["SECRET_HASH"] = h
	}
	var ch challenge
	var err error
	start := f.c.cfg.Now()
	defer func() { f.c.observe(ctx, f.authFlow, "RespondToAuthChallenge", name, start, ch, err) }()
	if f.admin {
		var out *cip.AdminRespondToAuthChallengeOutput
		out, err = f.c.api.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
			ChallengeName: types.ChallengeNameType(name), ClientId: &f.c.cfg.ClientID, UserPoolId: &f.c.poolID,
			ChallengeResponses: resp, Session: session, ClientMetadata: f.metadata,
		})
		if err == nil {
			ch = challenge{name: string(out.ChallengeName), params: out.ChallengeParameters, session: out.Session, result: out.AuthenticationResult}
		}
	} else {
		var out *cip.RespondToAuthChallengeOutput
		out, err = f.c.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ChallengeName: types.ChallengeNameType(name), ClientId: &f.c.cfg.ClientID,
			ChallengeResponses: resp, Session: session, ClientMetadata: f.metadata,
		})
		if err == nil {
			ch = challenge{name: string(out.ChallengeName), params: out.ChallengeParameters, session: out.Session, result: out.AuthenticationResult}
		}
	}
	if err != nil {
		if _, sent := resp["DEVICE_KEY"]; sent && f.device != nil && isDeviceNotFound(err) {
			return ch, errStaleDevice
		}
		return ch, wrapAPI("respond to "+name, err)
	}
	return ch, nil
}

// advance sends a response and handles what comes back.
func (f *flow) advance(ctx context.Context, name string, resp map[string]string, session *string) (*Result, error) {
	ch, err := f.respond(ctx, name, resp, session)
	if errors.Is(err, errStaleDevice) {
		return f.restartWithoutDevice(ctx)
	}
	if err != nil {
		return nil, err
	}
	return f.handle(ctx, ch)
}

// handle answers the automatic challenges (SRP, device SRP) and turns the
// others into a Step.
func (f *flow) handle(ctx context.Context, ch challenge) (*Result, error) {
	f.steps++
	if f.steps > maxChallengeSteps {
		return nil, fmt.Errorf("%w: more than %d challenges in one sign-in", ErrBadChallenge, maxChallengeSteps)
	}
	if ch.result != nil {
		return f.finish(ctx, ch.result)
	}
	if u := ch.params["USER_ID_FOR_SRP"]; u != "" {
		if err := checkUsername(u); err != nil {
			return nil, fmt.Errorf("%w: USER_ID_FOR_SRP is empty or too long", ErrBadChallenge)
		}
		f.username = u
	} else if u := ch.params["USERNAME"]; u != "" && len(u) <= maxUsernameLen {
		f.username = u
	}
	// A device stored under the internal username, learned only now when
	// the user typed an alias, is sent with the next answer (MFA codes,
	// PASSWORD_VERIFIER), as the reference client does.
	if f.username != f.typed && ch.name != "DEVICE_SRP_AUTH" && ch.name != "DEVICE_PASSWORD_VERIFIER" {
		if err := f.lookupDevice(ctx, f.username); err != nil {
			return nil, err
		}
	}
	base := stepBase{f: f, name: ch.name, session: ch.session, answered: new(atomic.Bool)}
	switch ch.name {
	case "PASSWORD_VERIFIER":
		resp, err := f.passwordVerifier(ctx, ch)
		if err != nil {
			return nil, err
		}
		return f.advance(ctx, ch.name, resp, ch.session)
	case "DEVICE_SRP_AUTH":
		if f.device == nil {
			return nil, fmt.Errorf("%w: the server asked for DEVICE_SRP_AUTH but no device was sent", ErrBadChallenge)
		}
		cl, err := srp.NewClient(f.c.cfg.Rand) // a fresh a for the device handshake
		if err != nil {
			return nil, fmt.Errorf("srpclient: %w", err)
		}
		f.deviceSRP = cl
		return f.advance(ctx, ch.name, map[string]string{"DEVICE_KEY": f.device.Key, "SRP_A": cl.AHex()}, ch.session)
	case "DEVICE_PASSWORD_VERIFIER":
		resp, err := f.devicePasswordVerifier(ch)
		if err != nil {
			return nil, err
		}
		return f.advance(ctx, ch.name, resp, ch.session)
	case "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_OTP":
		return &Result{Next: &MFACodeRequired{stepBase: base,
			Destination: ch.params["CODE_DELIVERY_DESTINATION"],
			Medium:      ch.params["CODE_DELIVERY_DELIVERY_MEDIUM"]}}, nil
	case "SELECT_MFA_TYPE":
		opts, err := jsonList(ch.params["MFAS_CAN_CHOOSE"])
		if err != nil || len(opts) == 0 {
			return nil, fmt.Errorf("%w: SELECT_MFA_TYPE without a valid MFAS_CAN_CHOOSE", ErrBadChallenge)
		}
		return &Result{Next: &SelectMFAType{stepBase: base, Options: opts}}, nil
	case "SELECT_CHALLENGE":
		avail := ch.available
		if len(avail) == 0 {
			avail, _ = jsonList(ch.params["AVAILABLE_CHALLENGES"])
		}
		if len(avail) == 0 {
			return nil, fmt.Errorf("%w: SELECT_CHALLENGE without available challenges", ErrBadChallenge)
		}
		return &Result{Next: &SelectChallenge{stepBase: base, Available: avail}}, nil
	case "MFA_SETUP":
		return f.mfaSetup(ctx, base, ch)
	case "NEW_PASSWORD_REQUIRED":
		return f.newPasswordRequired(base, ch)
	case "CUSTOM_CHALLENGE":
		return &Result{Next: &CustomChallenge{stepBase: base, Parameters: maps.Clone(ch.params)}}, nil
	case "WEB_AUTHN":
		return &Result{Next: &WebAuthnRequired{stepBase: base, CredentialRequestOptions: ch.params["CREDENTIAL_REQUEST_OPTIONS"]}}, nil
	case "":
		return nil, fmt.Errorf("%w: response has neither tokens nor a challenge", ErrBadChallenge)
	default:
		return nil, &ChallengeError{Name: truncate(ch.name, 64)}
	}
}

// srpInputs parses and bounds the server's SRP_B, SALT and SECRET_BLOCK.
func srpInputs(params map[string]string) (B, salt *big.Int, block []byte, rawBlock string, err error) {
	B, err = srp.ParseHex(params["SRP_B"])
	if err != nil {
		return nil, nil, nil, "", fmt.Errorf("%w: SRP_B: %w", ErrBadChallenge, err)
	}
	salt, err = srp.ParseHex(params["SALT"])
	if err != nil {
		return nil, nil, nil, "", fmt.Errorf("%w: SALT: %w", ErrBadChallenge, err)
	}
	rawBlock = params["SECRET_BLOCK"]
	if rawBlock == "" || len(rawBlock) > base64.StdEncoding.EncodedLen(maxSecretBlock) {
		return nil, nil, nil, "", fmt.Errorf("%w: SECRET_BLOCK is empty or longer than %d bytes", ErrBadChallenge, maxSecretBlock)
	}
	block, err = base64.StdEncoding.DecodeString(rawBlock)
	if err != nil {
		return nil, nil, nil, "", fmt.Errorf("%w: SECRET_BLOCK is not base64", ErrBadChallenge)
	}
	return B, salt, block, rawBlock, nil
}

func (f *flow) passwordVerifier(ctx context.Context, ch challenge) (map[string]string, error) {
	if f.srpc == nil {
		return nil, fmt.Errorf("%w: PASSWORD_VERIFIER but this sign-in did not start SRP", ErrBadChallenge)
	}
	userID := ch.params["USER_ID_FOR_SRP"]
	if userID == "" {
		return nil, fmt.Errorf("%w: PASSWORD_VERIFIER without USER_ID_FOR_SRP", ErrBadChallenge)
	}
	B, salt, block, rawBlock, err := srpInputs(ch.params)
	if err != nil {
		return nil, err
	}
	key, err := f.srpc.PasswordKey(f.c.poolName, userID, f.password, B, salt)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadChallenge, err)
	}
	ts := srp.Timestamp(f.c.cfg.Now())
	resp := map[string]string{
		"USERNAME":                    userID,
		"PASSWORD_CLAIM_SECRET_BLOCK": rawBlock,
		"PASSWORD_CLAIM_SIGNATURE":    srp.Signature(key, f.c.poolName, userID, block, ts),
		"TIMESTAMP":                   ts,
	}
	// The device is stored under the internal username, which is known
	// only now when the user typed an alias.
	if err := f.lookupDevice(ctx, userID); err != nil {
		return nil, err
	}
	if f.device != nil {
		resp["DEVICE_KEY"] = f.device.Key
		f.usedDevice = f.device.Key
	}
	return resp, nil
}

func (f *flow) devicePasswordVerifier(ch challenge) (map[string]string, error) {
	if f.device == nil || f.deviceSRP == nil {
		return nil, fmt.Errorf("%w: DEVICE_PASSWORD_VERIFIER before DEVICE_SRP_AUTH", ErrBadChallenge)
	}
	B, salt, block, rawBlock, err := srpInputs(ch.params)
	if err != nil {
		return nil, err
	}
	d := f.device
	key, err := f.deviceSRP.PasswordKey(d.GroupKey, d.Key, d.Password, B, salt)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadChallenge, err)
	}
	ts := srp.Timestamp(f.c.cfg.Now())
	f.usedDevice = d.Key
	return map[string]string{
		"DEVICE_KEY":                  d.Key,
		"PASSWORD_CLAIM_SECRET_BLOCK": rawBlock,
		"PASSWORD_CLAIM_SIGNATURE":    srp.Signature(key, d.GroupKey, d.Key, block, ts),
		"TIMESTAMP":                   ts,
	}, nil
}

// finish builds the tokens and confirms a new device.
func (f *flow) finish(ctx context.Context, r *types.AuthenticationResultType) (*Result, error) {
	if deref(r.AccessToken) == "" {
		return nil, fmt.Errorf("%w: authentication result without an access token", ErrBadChallenge)
	}
	deviceKey := f.usedDevice
	if deviceKey == "" && f.device != nil && f.sentDeviceIn {
		deviceKey = f.device.Key
	}
	t := f.c.tokensFrom(r, f.username, deviceKey)
	res := &Result{Tokens: t}
	if t.NewDevice != nil && f.c.cfg.Devices != nil {
		res.DeviceErr = f.c.confirmDevice(ctx, t, f.in.RememberDevice)
	}
	return res, nil
}

func jsonList(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > maxAnswerLen {
		return nil, fmt.Errorf("%w: list too long", ErrBadChallenge)
	}
	var out []string
	if err := jsonUnmarshal(s, &out); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(out, func(v string) bool { return v == "" }), nil
}
