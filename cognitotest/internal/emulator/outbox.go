package emulator

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

// maxMessages bounds the outbox; the oldest messages are dropped.
const maxMessages = 10000

// Outbox keeps the messages the emulator sent. It is safe for concurrent
// use.
type Outbox struct {
	now  func() time.Time
	mu   sync.Mutex // guards msgs
	msgs []Message
}

func newOutbox(now func() time.Time) *Outbox { return &Outbox{now: now} }

// Deliver stamps m with the time and keeps it.
func (o *Outbox) Deliver(m Message) {
	m.Time = o.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.msgs) >= maxMessages {
		o.msgs = append(o.msgs[:0], o.msgs[1:]...)
	}
	o.msgs = append(o.msgs, m)
}

// Messages returns every message, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message(nil), o.msgs...)
}

// Last returns the newest message for a user (internal username, email or
// phone number) of the given kind ("" for any kind).
func (o *Outbox) Last(user, kind string) (Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.msgs) - 1; i >= 0; i-- {
		m := o.msgs[i]
		if (kind == "" || m.Kind == kind) && (strings.EqualFold(m.Username, user) || strings.EqualFold(m.Destination, user)) {
			return m, true
		}
	}
	return Message{}, false
}

// Clear empties the outbox.
func (o *Outbox) Clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = nil
}

// MaskEmail and MaskPhone hide a destination as Cognito does in
// CodeDeliveryDetails ("a***@e***", "+*******0123").
func MaskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" {
		return "***"
	}
	return local[:1] + "***@" + domain[:1] + "***"
}

// MaskPhone: see MaskEmail.
func MaskPhone(p string) string {
	if len(p) <= 4 {
		return "+****"
	}
	return "+" + strings.Repeat("*", len(p)-5) + p[len(p)-4:]
}
