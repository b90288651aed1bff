package userpool

import (
	"math/big"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
	"github.com/cognitokit/cognitokit/internal/srp"
)

// Session is the state of a sign-in in progress, referred to by an
// opaque Session string. It is not durable (see the state package). A
// session is owned by the request that took it out of [Sessions], so its
// fields need no lock.
type Session struct {
	ID     string
	PoolID string
	Client *state.Client // as it was when the sign-in started
	// Username and Sub name the user; both are empty for the decoy
	// session of an unknown user, which signs in as Decoy.
	Username, Sub string
	Decoy         string
	Admin         bool
	Flow          string
	Lifetime      time.Duration // of each Session string: the client's
	Expires       time.Time
	AuthTime      time.Time
	// Meta is the ClientMetadata of the latest RespondToAuthChallenge:
	// the clientMetadata of the triggers it runs (PostAuthentication,
	// PreTokenGeneration, the custom challenges, CustomMessage). Cognito
	// does not pass InitiateAuth's ClientMetadata to those.
	Meta map[string]string
	// ValidationData is the ClientMetadata of InitiateAuth: the
	// validationData of PreAuthentication and UserMigration, the only
	// triggers Cognito passes it to.
	ValidationData map[string]string
	// Context is the event context of the latest request, for auth
	// events.
	Context EventContext

	Challenge string // the challenge this session answers
	Params    map[string]string
	Attempts  int

	// SRP (PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER)
	SRPServer   *srp.Server
	SRPA        *big.Int
	SecretBlock []byte

	PasswordDone    bool
	NewPasswordDone bool
	OTPFirstFactor  bool
	DeviceKey       string // DEVICE_KEY presented by the client
	DeviceDone      bool
	MFADone         bool
	Code            string   // expected SMS/EMAIL code
	Choices         []string // SELECT_MFA_TYPE / SELECT_CHALLENGE
	TOTPSecret      string   // MFA_SETUP: associated secret
	TOTPVerified    bool
	SetupEmail      string        // MFA_SETUP: the address whose EMAIL_OTP code sets up email MFA
	WebAuthn        *PasskeyLogin // WEB_AUTHN: the passkey sign-in in progress

	Custom     bool
	CustomDone bool
	History    []ChallengeResult
	Private    map[string]string
}

// The Challenge of the sessions of a sign-up: SignUp's, which ConfirmSignUp
// may take, and ConfirmSignUp's, with which InitiateAuth (USER_AUTH) signs
// the confirmed user in.
const (
	SignUpStarted   = "SIGN_UP"
	SignUpConfirmed = "SIGN_UP_CONFIRMED"
)

// SignUpSession returns a session of a sign-up of u through client (see
// SignUpStarted and SignUpConfirmed), to Put.
func SignUpSession(s *Service, client *state.Client, u *state.User, challenge string) *Session {
	sess := &Session{PoolID: client.PoolID, Client: client, Flow: "USER_AUTH", Challenge: challenge, Lifetime: s.SessionLifetime(client)}
	sess.SetUser(u)
	return sess
}

// SetUser makes u the session's user.
func (sess *Session) SetUser(u *state.User) { sess.Username, sess.Sub = u.Username, u.Sub }

// HasUser reports whether the session has a user (it is not a decoy).
func (sess *Session) HasUser() bool { return sess.Sub != "" }

// User returns the current record of the session's user, or nil when it
// is gone.
func (sess *Session) User(tx *state.Tx) *state.User {
	if !sess.HasUser() {
		return nil
	}
	return UserOf(tx, tx.Pool(sess.PoolID), sess.Username, sess.Sub)
}

// MaxSessionAttempts bounds the wrong codes a session takes.
const MaxSessionAttempts = 3

// Sessions holds the sessions of sign-ins in progress. It is safe for
// concurrent use.
type Sessions struct {
	e  *emulator.Emulator
	mu sync.Mutex // guards m
	m  map[string]*Session
}

func newSessions(e *emulator.Emulator) *Sessions {
	return &Sessions{e: e, m: map[string]*Session{}}
}

// Put stores sess under a fresh Session string, valid for
// sess.Lifetime, and returns the string.
func (ss *Sessions) Put(sess *Session) string {
	id := ss.e.RandString(512, emulator.Alnum)
	now := ss.e.Now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	sess.ID = id
	sess.Expires = now.Add(sess.Lifetime)
	ss.m[id] = sess
	// Drop expired sessions now and then to bound memory.
	if len(ss.m)%256 == 0 {
		for k, v := range ss.m {
			if now.After(v.Expires) {
				delete(ss.m, k)
			}
		}
	}
	return id
}

// PutBack stores a session again under its Session string, for another
// attempt.
func (ss *Sessions) PutBack(sess *Session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.m[sess.ID] = sess
}

// Take removes and returns the session of a client; sessions are single
// use.
func (ss *Sessions) Take(id, clientID string) (*Session, *wire.Error) {
	if id == "" {
		return nil, wire.InvalidParameter("Missing required parameter Session")
	}
	if len(id) > 4096 {
		return nil, wire.InvalidParameter("1 validation error detected: Value at 'session' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	ss.mu.Lock()
	sess, ok := ss.m[id]
	if ok {
		delete(ss.m, id)
	}
	ss.mu.Unlock()
	if !ok || sess.Client.ID != clientID {
		return nil, wire.InvalidSession()
	}
	if ss.e.Now().After(sess.Expires) {
		return nil, wire.ExpiredSession()
	}
	return sess, nil
}

// TakeAny takes a session without a client check (the MFA setup
// operations carry no ClientId).
func (ss *Sessions) TakeAny(id string) (*Session, *wire.Error) {
	if len(id) > 4096 {
		return nil, wire.InvalidSession()
	}
	ss.mu.Lock()
	sess, ok := ss.m[id]
	ss.mu.Unlock()
	if !ok {
		return nil, wire.InvalidSession()
	}
	return ss.Take(id, sess.Client.ID)
}
