package cognitotest

import (
	"strings"
	"sync"
	"time"
)

// Kinds of messages the emulator "delivers".
const (
	MsgSignUp            = "SignUp"            // sign-up confirmation code
	MsgResendCode        = "ResendCode"        // ResendConfirmationCode
	MsgForgotPassword    = "ForgotPassword"    // password reset code
	MsgTemporaryPassword = "TemporaryPassword" // AdminCreateUser invitation
	MsgSMSMFA            = "SMS_MFA"           // MFA code by SMS
	MsgEmailMFA          = "EMAIL_OTP"         // MFA or sign-in code by email
	MsgSMSOTP            = "SMS_OTP"           // USER_AUTH sign-in code by SMS
	MsgVerifyAttribute   = "VerifyAttribute"   // attribute verification code
)

// Message is a code Cognito would have sent by email or SMS.
type Message struct {
	PoolID      string
	Username    string // internal username
	Kind        string // MsgSignUp, MsgForgotPassword, ...
	Medium      string // "EMAIL" or "SMS"
	Destination string // the email address or phone number
	Code        string // the code or temporary password
	Time        time.Time
}

type messageSink struct {
	mu   sync.Mutex // guards msgs
	msgs []Message
}

// maxMessages bounds the sink; the oldest messages are dropped.
const maxMessages = 10000

func (s *Server) deliver(m Message) {
	m.Time = s.now()
	s.messages.mu.Lock()
	defer s.messages.mu.Unlock()
	if len(s.messages.msgs) >= maxMessages {
		s.messages.msgs = append(s.messages.msgs[:0], s.messages.msgs[1:]...)
	}
	s.messages.msgs = append(s.messages.msgs, m)
}

// Messages returns every message delivered so far, oldest first.
func (s *Server) Messages() []Message {
	s.messages.mu.Lock()
	defer s.messages.mu.Unlock()
	return append([]Message(nil), s.messages.msgs...)
}

// LastMessage returns the newest message for a user (internal username,
// email or phone number) of the given kind ("" for any kind).
func (s *Server) LastMessage(user, kind string) (Message, bool) {
	s.messages.mu.Lock()
	defer s.messages.mu.Unlock()
	for i := len(s.messages.msgs) - 1; i >= 0; i-- {
		m := s.messages.msgs[i]
		if (kind == "" || m.Kind == kind) && (strings.EqualFold(m.Username, user) || strings.EqualFold(m.Destination, user)) {
			return m, true
		}
	}
	return Message{}, false
}

// LastCode returns the code of [Server.LastMessage], or "".
func (s *Server) LastCode(user, kind string) string {
	m, _ := s.LastMessage(user, kind)
	return m.Code
}

// ClearMessages empties the message sink.
func (s *Server) ClearMessages() {
	s.messages.mu.Lock()
	defer s.messages.mu.Unlock()
	s.messages.msgs = nil
}

// maskEmail and maskPhone hide a destination as Cognito does in
// CodeDeliveryDetails ("a***@e***", "+*******0123").
func maskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" {
		return "***"
	}
	return local[:1] + "***@" + domain[:1] + "***"
}

func maskPhone(p string) string {
	if len(p) <= 4 {
		return "+****"
	}
	return "+" + strings.Repeat("*", len(p)-5) + p[len(p)-4:]
}
