package cognitotest

import "github.com/cognitokit/cognitokit/cognitotest/internal/emulator"

// Kinds of messages the emulator "delivers".
const (
	MsgSignUp            = emulator.MsgSignUp            // sign-up confirmation code
	MsgResendCode        = emulator.MsgResendCode        // ResendConfirmationCode
	MsgForgotPassword    = emulator.MsgForgotPassword    // password reset code
	MsgTemporaryPassword = emulator.MsgTemporaryPassword // AdminCreateUser invitation
	MsgSMSMFA            = emulator.MsgSMSMFA            // MFA code by SMS
	MsgEmailMFA          = emulator.MsgEmailMFA          // MFA or sign-in code by email
	MsgSMSOTP            = emulator.MsgSMSOTP            // USER_AUTH sign-in code by SMS
	MsgVerifyAttribute   = emulator.MsgVerifyAttribute   // attribute verification code
)

// Message is a code Cognito would have sent by email or SMS: the PoolID,
// the internal Username, the Kind (MsgSignUp, MsgForgotPassword, ...), the
// Medium ("EMAIL" or "SMS"), the Destination (the email address or phone
// number), the Code (or temporary password) and the Time.
type Message = emulator.Message

// Messages returns every message delivered so far, oldest first.
func (s *Server) Messages() []Message { return s.emu.Outbox.Messages() }

// LastMessage returns the newest message for a user (internal username,
// email or phone number) of the given kind ("" for any kind).
func (s *Server) LastMessage(user, kind string) (Message, bool) { return s.emu.Outbox.Last(user, kind) }

// LastCode returns the code of [Server.LastMessage], or "".
func (s *Server) LastCode(user, kind string) string {
	m, _ := s.LastMessage(user, kind)
	return m.Code
}

// ClearMessages empties the message sink.
func (s *Server) ClearMessages() { s.emu.Outbox.Clear() }
