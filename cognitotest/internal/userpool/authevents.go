package userpool

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// MaxAuthEventsPerUser bounds the auth events kept for a user: a new
// event drops the oldest beyond it.
const MaxAuthEventsPerUser = 100

// Auth event types, responses and challenge steps, as the API names them.
const (
	EventSignIn         = "SignIn"
	EventSignUp         = "SignUp"
	EventForgotPassword = "ForgotPassword"
	EventPasswordChange = "PasswordChange"
	EventPass           = "Pass"
	EventFail           = "Fail"
	StepPassword        = "Password"
	StepMFA             = "Mfa"
)

// NewPoolSecret returns a new pool secret ([state.Pool.Secret]).
func (s *Service) NewPoolSecret() []byte {
	b := make([]byte, 32)
	s.MustRead(b)
	return b
}

// PoolSecret returns the secret of pool p in tx, giving the pool one
// first when it has none (a pool of an older store); tx must then be an
// Update's.
func (s *Service) PoolSecret(tx *state.Tx, p *state.Pool) []byte {
	if len(p.Secret) > 0 {
		return p.Secret
	}
	np := p.Clone()
	np.Secret = s.NewPoolSecret()
	tx.PutPool(np)
	return np.Secret
}

// Derive returns HMAC-SHA256 of the pool secret over purpose and parts,
// each length-prefixed, so that different inputs never collide.
func Derive(secret []byte, purpose string, parts ...string) []byte {
	m := hmac.New(sha256.New, secret)
	for _, p := range append([]string{purpose}, parts...) {
		var n [4]byte
		n[0], n[1], n[2], n[3] = byte(len(p)>>24), byte(len(p)>>16), byte(len(p)>>8), byte(len(p))
		m.Write(n[:])
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

// FeedbackToken returns the token with which UpdateAuthEventFeedback rates
// an event of pool p: derived from the pool's secret, so that it is not
// stored.
func FeedbackToken(secret []byte, eventID string) string {
	return base64.RawURLEncoding.EncodeToString(Derive(secret, "feedback", eventID))
}

// EventContext is where an auth event came from.
type EventContext struct {
	IP, DeviceName string
}

// ContextOf returns the event context of a request: the IP address the
// app passed in UserContextData, or the client's address, and the first
// product of its User-Agent (such as "aws-sdk-go-v2/1.36.3").
func ContextOf(r *http.Request, userContextIP string) EventContext {
	ip := userContextIP
	if net.ParseIP(ip) == nil {
		ip, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	dev, _, _ := strings.Cut(r.UserAgent(), " ")
	if len(dev) > 64 {
		dev = dev[:64]
	}
	return EventContext{IP: ip, DeviceName: dev}
}

// AddAuthEvent records an auth event of user u of pool p in tx: a new
// ID, the next sequence number of the user's events and the time are
// given to ev; the user's oldest events beyond MaxAuthEventsPerUser go.
// The pool gets its secret if it has none, for the event's feedback token.
func (s *Service) AddAuthEvent(tx *state.Tx, p *state.Pool, u *state.User, ev *state.AuthEvent) {
	s.PoolSecret(tx, p)
	events := tx.AuthEvents(p.ID, u.Sub) // newest first
	ev.PoolID, ev.Sub, ev.ID, ev.CreatedAt = p.ID, u.Sub, s.UUID(), s.Now().UTC().Round(0)
	ev.Seq = 1
	if len(events) > 0 {
		ev.Seq = events[0].Seq + 1
	}
	tx.PutAuthEvent(ev)
	s.logAuthEvent(tx, p, u, ev)
	for i := MaxAuthEventsPerUser - 1; i < len(events); i++ {
		tx.DeleteAuthEvent(events[i])
	}
}

// RecordAuthEvent records an auth event of the user with the given sub in
// a transaction of its own (see AddAuthEvent); a user gone since is not
// recorded.
func (s *Service) RecordAuthEvent(poolID, sub string, ev *state.AuthEvent) {
	s.State.Update(func(tx *state.Tx) error {
		p := tx.Pool(poolID)
		if p == nil {
			return nil
		}
		if u := tx.UserBySub(poolID, sub); u != nil {
			s.AddAuthEvent(tx, p, u, ev)
		}
		return nil
	})
}

// PoolSecretOf returns the secret of the pool with the given ID, giving
// the pool one first when it has none; nil for a pool gone.
func (s *Service) PoolSecretOf(poolID string) []byte {
	var secret []byte
	s.State.View(func(tx *state.Tx) error {
		if p := tx.Pool(poolID); p != nil {
			secret = p.Secret
		}
		return nil
	})
	if len(secret) > 0 {
		return secret
	}
	s.State.Update(func(tx *state.Tx) error {
		if p := tx.Pool(poolID); p != nil {
			secret = s.PoolSecret(tx, p)
		}
		return nil
	})
	return secret
}
