package cognitotest

import (
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
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

// MaxMessages bounds the outbox of a server: when it holds MaxMessages
// messages, each new one drops the oldest.
const MaxMessages = emulator.MaxMessages

// Message is a code Cognito would have sent by email or SMS. The outbox
// of a server keeps them (see [Server.Messages]), also over HTTP at
// [Server.MessagesURL].
type Message struct {
	PoolID      string
	Username    string // internal username
	Kind        string // MsgSignUp, MsgForgotPassword, ...
	Medium      string // "EMAIL" or "SMS"
	Destination string // the email address or phone number
	Code        string // the code or temporary password
	Time        time.Time
	// Seq numbers the messages of a server in the order they were sent,
	// from 1.
	Seq int64
	// Operation is the API operation that sent the message, such as
	// "SignUp" or "AdminCreateUser".
	Operation string
	// Trigger is the source of the CustomMessage Lambda trigger Cognito
	// calls before sending it, such as "CustomMessage_SignUp".
	Trigger string
	// Subject (of an email) and Text are the message as delivered: as
	// the CustomMessage trigger wrote it; otherwise from the pool's
	// message templates (UpdateUserPool); otherwise in Cognito's default
	// wording. A message for a custom sender trigger (Trigger
	// "CustomEmailSender_…", "CustomSMSSender_…") has the default wording:
	// the trigger writes what is really sent.
	Subject, Text string
}

func messageOf(m emulator.Message) Message {
	return Message{PoolID: m.PoolID, Username: m.Username, Kind: m.Kind, Medium: m.Medium, Destination: m.Destination,
		Code: m.Code, Time: m.Time, Seq: m.Seq, Operation: m.Operation, Trigger: m.Trigger, Subject: m.Subject, Text: m.Text}
}

// Messages returns every message delivered so far, oldest first (at most
// [MaxMessages]).
func (s *Server) Messages() []Message {
	ms := s.emu.Outbox.Messages(emulator.Filter{})
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = messageOf(m)
	}
	return out
}

// LastMessage returns the newest message for a user (internal username,
// email or phone number) of the given kind ("" for any kind).
func (s *Server) LastMessage(user, kind string) (Message, bool) {
	m, ok := s.emu.Outbox.Last(user, kind)
	return messageOf(m), ok
}

// LastCode returns the code of [Server.LastMessage], or "".
func (s *Server) LastCode(user, kind string) string {
	m, _ := s.LastMessage(user, kind)
	return m.Code
}

// ClearMessages empties the outbox.
func (s *Server) ClearMessages() {
	if _, err := s.emu.Outbox.Clear(emulator.Filter{}); err != nil {
		s.fatal(err)
	}
}
