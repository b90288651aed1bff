package cognitotest

import "time"

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

// Messages returns every message delivered so far, oldest first.
func (s *Server) Messages() []Message {
	ms := s.emu.Outbox.Messages()
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = Message(m)
	}
	return out
}

// LastMessage returns the newest message for a user (internal username,
// email or phone number) of the given kind ("" for any kind).
func (s *Server) LastMessage(user, kind string) (Message, bool) {
	m, ok := s.emu.Outbox.Last(user, kind)
	return Message(m), ok
}

// LastCode returns the code of [Server.LastMessage], or "".
func (s *Server) LastCode(user, kind string) string {
	m, _ := s.LastMessage(user, kind)
	return m.Code
}

// ClearMessages empties the message sink.
func (s *Server) ClearMessages() { s.emu.Outbox.Clear() }
