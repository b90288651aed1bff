package srpclient

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// fake is a small in-memory Cognito used by the unit tests. It runs the
// server half of internal/srp and checks SECRET_HASH, TIMESTAMP and the
// signatures the way Cognito does. The end-to-end tests use cognitotest
// through the real SDK instead.
type fake struct {
	API // unimplemented operations panic: a test calling them is wrong

	t        testing.TB
	poolID   string
	clientID string
	secret   string
	now      func() time.Time

	mu           sync.Mutex // guards everything below
	users        map[string]*fakeUser
	sessions     map[string]*fakeSession
	refresh      map[string]*fakeUser
	devices      map[string]*fakeDevice
	groups       map[string]string // device key -> group key announced
	issueDevices bool
	rotation     bool
	timestamps   []string
	srpAs        []string
	requests     []map[string]string

	refreshCalls atomic.Int32
}

type fakeUser struct {
	id, alias string
	salt      *big.Int
	verifier  *big.Int
	mfa       bool
	newPw     bool
}

type fakeSession struct {
	user     *fakeUser
	srv      *srp.Server
	block    []byte
	stage    string
	device   *fakeDevice
	usedOnce bool
	a        *big.Int // the client's SRP_A
}

type fakeDevice struct {
	key, group string
	salt       []byte
	verifier   *big.Int
	user       *fakeUser
}

func newFake(t testing.TB, secret string) *fake {
	return &fake{
		t: t, poolID: "us-east-1_FakePool", clientID: "fakeclient", secret: secret,
		now:      time.Now,
		users:    map[string]*fakeUser{},
		sessions: map[string]*fakeSession{},
		refresh:  map[string]*fakeUser{},
		devices:  map[string]*fakeDevice{},
		groups:   map[string]string{},
	}
}

func (f *fake) addUser(id, alias, password string, salt *big.Int) *fakeUser {
	u := &fakeUser{id: id, alias: alias, salt: salt, verifier: srp.Verifier(srp.PoolName(f.poolID), id, password, salt)}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[id] = u
	if alias != "" {
		f.users[alias] = u
	}
	return u
}

func notAuth(msg string) error { return &types.NotAuthorizedException{Message: &msg} }

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return fmt.Sprintf("%x", b)
}

func (f *fake) checkSecretHash(params map[string]string, username string) error {
	if f.secret == "" {
		if params["SECRET_HASH"] != "" {
			return notAuth("SECRET_HASH sent for a client without a secret")
		}
		return nil
	}
	if !srp.VerifySecretHash(f.clientID, f.secret, username, params["SECRET_HASH"]) {
		return notAuth("Unable to verify secret hash for client " + f.clientID)
	}
	return nil
}

func (f *fake) newSession(s *fakeSession) *string {
	id := randHex(16)
	f.sessions[id] = s
	return &id
}

func (f *fake) tokens(u *fakeUser, withRefresh bool, deviceUsed bool) *types.AuthenticationResultType {
	claims, _ := json.Marshal(map[string]any{"username": u.id, "exp": f.now().Add(time.Hour).Unix(), "token_use": "access"})
	access := "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString(claims) + ".sig"
	r := &types.AuthenticationResultType{AccessToken: &access, IdToken: ptr("id." + randHex(4) + ".x"), ExpiresIn: 3600, TokenType: ptr("Bearer")}
	if withRefresh {
		rt := "rt-" + randHex(16)
		f.refresh[rt] = u
		r.RefreshToken = &rt
	}
	if f.issueDevices && !deviceUsed {
		key, group := "us-east-1_"+randHex(8), "-"+randHex(6)
		f.groups[key] = group
		r.NewDeviceMetadata = &types.NewDeviceMetadataType{DeviceKey: &key, DeviceGroupKey: &group}
	}
	return r
}

func (f *fake) record(p map[string]string) {
	cp := map[string]string{}
	for k, v := range p {
		cp[k] = v
	}
	f.requests = append(f.requests, cp)
}

func (f *fake) InitiateAuth(_ context.Context, in *cip.InitiateAuthInput, _ ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := in.AuthParameters
	f.record(p)
	if deref(in.ClientId) != f.clientID {
		return nil, &types.ResourceNotFoundException{Message: ptr("client not found")}
	}
	switch in.AuthFlow {
	case types.AuthFlowTypeRefreshTokenAuth:
		f.refreshCalls.Add(1)
		if f.rotation {
			return nil, notAuth("Refresh token rotation is enabled; use GetTokensFromRefreshToken")
		}
		u := f.refresh[p["REFRESH_TOKEN"]]
		if u == nil {
			return nil, notAuth("Invalid Refresh Token")
		}
		if err := f.checkSecretHash(p, u.id); err != nil {
			return nil, err
		}
		return &cip.InitiateAuthOutput{AuthenticationResult: f.tokens(u, false, true)}, nil
	}
	if err := f.checkSecretHash(p, p["USERNAME"]); err != nil {
		return nil, err
	}
	u := f.users[p["USERNAME"]]
	if u == nil {
		return nil, &types.UserNotFoundException{Message: ptr("User does not exist.")}
	}
	if dk := p["DEVICE_KEY"]; dk != "" && f.devices[dk] == nil {
		return nil, &types.ResourceNotFoundException{Message: ptr("Device does not exist.")}
	}
	switch in.AuthFlow {
	case types.AuthFlowTypeUserSrpAuth:
		A, err := srp.ParseHex(p["SRP_A"])
		if err != nil {
			return nil, &types.InvalidParameterException{Message: ptr("bad SRP_A")}
		}
		f.srpAs = append(f.srpAs, p["SRP_A"])
		srv, err := srp.NewServer(rand.Reader, u.verifier)
		if err != nil {
			f.t.Fatal(err)
		}
		s := &fakeSession{user: u, srv: srv, block: []byte(randHex(32)), stage: "PASSWORD_VERIFIER", a: A}
		sid := f.newSession(s)
		return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: sid, ChallengeParameters: map[string]string{
			"SRP_B": srv.BHex(), "SALT": u.salt.Text(16), "SECRET_BLOCK": base64.StdEncoding.EncodeToString(s.block),
			"USER_ID_FOR_SRP": u.id, "USERNAME": u.id,
		}}, nil
	case types.AuthFlowTypeUserPasswordAuth:
		if srp.Verifier(srp.PoolName(f.poolID), u.id, p["PASSWORD"], u.salt).Cmp(u.verifier) != 0 {
			return nil, notAuth("Incorrect username or password.")
		}
		if u.mfa {
			s := &fakeSession{user: u, stage: "SMS_MFA"}
			return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypeSmsMfa, Session: f.newSession(s), ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": u.id}}, nil
		}
		return &cip.InitiateAuthOutput{AuthenticationResult: f.tokens(u, true, false)}, nil
	default:
		return nil, notAuth("flow not supported by the fake: " + string(in.AuthFlow))
	}
}

func (f *fake) RespondToAuthChallenge(_ context.Context, in *cip.RespondToAuthChallengeInput, _ ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := in.ChallengeResponses
	f.record(r)
	s := f.sessions[deref(in.Session)]
	if s == nil || s.usedOnce {
		return nil, notAuth("Invalid session for the user, session is expired.")
	}
	s.usedOnce = true
	if string(in.ChallengeName) != s.stage {
		return nil, &types.InvalidParameterException{Message: ptr("unexpected challenge " + string(in.ChallengeName))}
	}
	u := s.user
	if r["USERNAME"] != u.id {
		return nil, notAuth("USERNAME must be the internal username")
	}
	if err := f.checkSecretHash(r, u.id); err != nil {
		return nil, err
	}
	out := func(name types.ChallengeNameType, ns *fakeSession, params map[string]string) *cip.RespondToAuthChallengeOutput {
		ns.stage = string(name)
		return &cip.RespondToAuthChallengeOutput{ChallengeName: name, Session: f.newSession(ns), ChallengeParameters: params}
	}
	switch in.ChallengeName {
	case types.ChallengeNameTypePasswordVerifier, types.ChallengeNameTypeDevicePasswordVerifier:
		ts := r["TIMESTAMP"]
		f.timestamps = append(f.timestamps, ts)
		when, err := srp.ParseTimestamp(ts)
		if err != nil || when.Sub(f.now()).Abs() > 5*time.Minute {
			return nil, notAuth("bad TIMESTAMP")
		}
		if r["PASSWORD_CLAIM_SECRET_BLOCK"] != base64.StdEncoding.EncodeToString(s.block) {
			return nil, notAuth("bad secret block")
		}
		key, err := s.srv.PasswordKey(s.a)
		if err != nil {
			return nil, notAuth("bad SRP_A")
		}
		pool, user := srp.PoolName(f.poolID), u.id
		if in.ChallengeName == types.ChallengeNameTypeDevicePasswordVerifier {
			pool, user = s.device.group, s.device.key
			if r["DEVICE_KEY"] != s.device.key {
				return nil, notAuth("wrong DEVICE_KEY")
			}
		}
		if !srp.VerifySignature(key, pool, user, s.block, ts, r["PASSWORD_CLAIM_SIGNATURE"]) {
			return nil, notAuth("Incorrect username or password.")
		}
		if in.ChallengeName == types.ChallengeNameTypeDevicePasswordVerifier {
			return &cip.RespondToAuthChallengeOutput{AuthenticationResult: f.tokens(u, true, true)}, nil
		}
		if dk := r["DEVICE_KEY"]; dk != "" {
			d := f.devices[dk]
			if d == nil {
				return nil, &types.ResourceNotFoundException{Message: ptr("Device does not exist.")}
			}
			return out(types.ChallengeNameTypeDeviceSrpAuth, &fakeSession{user: u, device: d}, map[string]string{"USERNAME": u.id}), nil
		}
		return f.afterPassword(u, out), nil
	case types.ChallengeNameTypeDeviceSrpAuth:
		d := f.devices[r["DEVICE_KEY"]]
		if d == nil || d != s.device {
			return nil, &types.ResourceNotFoundException{Message: ptr("Device does not exist.")}
		}
		A, err := srp.ParseHex(r["SRP_A"])
		if err != nil {
			return nil, notAuth("bad SRP_A")
		}
		f.srpAs = append(f.srpAs, r["SRP_A"])
		srv, err := srp.NewServer(rand.Reader, d.verifier)
		if err != nil {
			f.t.Fatal(err)
		}
		ns := &fakeSession{user: u, srv: srv, block: []byte(randHex(32)), device: d, a: A}
		return out(types.ChallengeNameTypeDevicePasswordVerifier, ns, map[string]string{
			"SRP_B": srv.BHex(), "SALT": srp.DeviceSaltHex(d.salt), "SECRET_BLOCK": base64.StdEncoding.EncodeToString(ns.block), "USERNAME": u.id,
		}), nil
	case types.ChallengeNameTypeSmsMfa:
		if r["SMS_MFA_CODE"] != "123456" {
			return nil, &types.CodeMismatchException{Message: ptr("Invalid code received for user")}
		}
		if dk := r["DEVICE_KEY"]; dk != "" {
			// Cognito accepts the device with the MFA answer, as the
			// reference client sends it.
			d := f.devices[dk]
			if d == nil {
				return nil, &types.ResourceNotFoundException{Message: ptr("Device does not exist.")}
			}
			return out(types.ChallengeNameTypeDeviceSrpAuth, &fakeSession{user: u, device: d}, map[string]string{"USERNAME": u.id}), nil
		}
		return f.afterMFA(u, out), nil
	case types.ChallengeNameTypeNewPasswordRequired:
		if r["NEW_PASSWORD"] == "" || r["userAttributes.name"] == "" {
			return nil, &types.InvalidParameterException{Message: ptr("missing")}
		}
		u.newPw = false
		u.verifier = srp.Verifier(srp.PoolName(f.poolID), u.id, r["NEW_PASSWORD"], u.salt)
		return &cip.RespondToAuthChallengeOutput{AuthenticationResult: f.tokens(u, true, false)}, nil
	}
	return nil, &types.InvalidParameterException{Message: ptr("unsupported")}
}

func (f *fake) afterPassword(u *fakeUser, out func(types.ChallengeNameType, *fakeSession, map[string]string) *cip.RespondToAuthChallengeOutput) *cip.RespondToAuthChallengeOutput {
	if u.mfa {
		return out(types.ChallengeNameTypeSmsMfa, &fakeSession{user: u}, map[string]string{"CODE_DELIVERY_DESTINATION": "+*******1234", "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "USER_ID_FOR_SRP": u.id})
	}
	return f.afterMFA(u, out)
}

func (f *fake) afterMFA(u *fakeUser, out func(types.ChallengeNameType, *fakeSession, map[string]string) *cip.RespondToAuthChallengeOutput) *cip.RespondToAuthChallengeOutput {
	if u.newPw {
		return out(types.ChallengeNameTypeNewPasswordRequired, &fakeSession{user: u}, map[string]string{
			"requiredAttributes": `["userAttributes.name"]`, "userAttributes": `{"email":"a@example.com","email_verified":"true"}`, "USER_ID_FOR_SRP": u.id,
		})
	}
	return &cip.RespondToAuthChallengeOutput{AuthenticationResult: f.tokens(u, true, false)}
}

func (f *fake) GetTokensFromRefreshToken(_ context.Context, in *cip.GetTokensFromRefreshTokenInput, _ ...func(*cip.Options)) (*cip.GetTokensFromRefreshTokenOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshCalls.Add(1)
	if !f.rotation {
		return nil, notAuth("rotation is not enabled")
	}
	if f.secret != "" && deref(in.ClientSecret) != f.secret {
		return nil, notAuth("bad client secret")
	}
	u := f.refresh[deref(in.RefreshToken)]
	if u == nil {
		return nil, notAuth("Invalid Refresh Token")
	}
	delete(f.refresh, deref(in.RefreshToken))
	return &cip.GetTokensFromRefreshTokenOutput{AuthenticationResult: f.tokens(u, true, true)}, nil
}

func (f *fake) RevokeToken(_ context.Context, in *cip.RevokeTokenInput, _ ...func(*cip.Options)) (*cip.RevokeTokenOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.refresh, deref(in.Token))
	return &cip.RevokeTokenOutput{}, nil
}

func (f *fake) ConfirmDevice(_ context.Context, in *cip.ConfirmDeviceInput, _ ...func(*cip.Options)) (*cip.ConfirmDeviceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	claims := jwtClaims(deref(in.AccessToken))
	u := f.users[claimString(claims, "username")]
	if u == nil {
		return nil, notAuth("Invalid access token")
	}
	salt, err1 := base64.StdEncoding.DecodeString(deref(in.DeviceSecretVerifierConfig.Salt))
	v, err2 := base64.StdEncoding.DecodeString(deref(in.DeviceSecretVerifierConfig.PasswordVerifier))
	if err1 != nil || err2 != nil {
		return nil, &types.InvalidParameterException{Message: ptr("bad verifier config")}
	}
	key := deref(in.DeviceKey)
	group, ok := f.groups[key]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: ptr("Device does not exist.")}
	}
	f.devices[key] = &fakeDevice{key: key, group: group, salt: salt, verifier: new(big.Int).SetBytes(v) /* a PAD of a positive number */, user: u}
	return &cip.ConfirmDeviceOutput{UserConfirmationNecessary: true}, nil
}

func (f *fake) UpdateDeviceStatus(context.Context, *cip.UpdateDeviceStatusInput, ...func(*cip.Options)) (*cip.UpdateDeviceStatusOutput, error) {
	return &cip.UpdateDeviceStatusOutput{}, nil
}
