package emulator

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
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

// Message is a message the emulator "sent" by email or SMS: a record of
// the state, so that it is committed with the code it carries.
type Message = state.Message

// MaxMessages bounds the outbox of a server: when it is full, the oldest
// message is dropped for each new one.
const MaxMessages = 10000

// Outbox keeps the messages the emulator sent, in the state. It is safe
// for concurrent use.
type Outbox struct {
	e *Emulator
}

// Deliver records m as sent: it fills in the time, the operation (from
// ctx, see [WithOperation]) when m has none, the CustomMessage trigger
// source when m has none, and the subject and text that no trigger wrote
// (see written), and puts it in tx, so that the message exists exactly
// when the transaction that made its code commits. With a nil tx
// it commits m in a transaction of its own. Config.OnMessage sees m once
// it is committed.
func (o *Outbox) Deliver(ctx context.Context, tx *state.Tx, m Message) error {
	if m.Operation == "" {
		m.Operation = OperationOf(ctx)
	}
	m.Time = o.e.Now().UTC().Round(0) // as the store gives it back: UTC, no monotonic reading
	if m.Trigger == "" {
		m.Trigger = TriggerSource("CustomMessage", m.Kind, m.Operation)
	}
	if tx == nil {
		return o.e.State.Update(func(tx *state.Tx) error {
			o.put(tx, written(tx, m))
			return nil
		})
	}
	o.put(tx, written(tx, m))
	return nil
}

func (o *Outbox) put(tx *state.Tx, m Message) {
	for tx.MessageCount() >= MaxMessages {
		tx.DeleteMessage(tx.OldestMessage())
	}
	tx.PutMessage(&m)
	o.logDelivery(tx, m)
	if f := o.e.cfg.OnMessage; f != nil {
		tx.OnCommit(func() { f(m) })
	}
}

// Filter selects messages. Zero fields select everything.
type Filter struct {
	PoolID string
	// User matches the internal username, or the destination (an email
	// address or phone number), without regard to case.
	User  string
	Kind  string
	After int64 // only messages with a higher Seq
	// Limit keeps the newest Limit messages; 0: all.
	Limit int
}

// Match reports whether m passes the filter (Limit aside).
func (f *Filter) Match(m *Message) bool {
	return m.Seq > f.After && (f.PoolID == "" || m.PoolID == f.PoolID) && (f.Kind == "" || m.Kind == f.Kind) &&
		(f.User == "" || strings.EqualFold(m.Username, f.User) || strings.EqualFold(m.Destination, f.User))
}

// Messages returns the messages f selects, oldest first.
func (o *Outbox) Messages(f Filter) []Message {
	var ms []*Message
	o.e.State.View(func(tx *state.Tx) error { ms = tx.MessagesWhere(f.Match, f.Limit); return nil })
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = *m // records are immutable once stored: copying after the View is safe
	}
	return out
}

// Last returns the newest message for a user (internal username, email or
// phone number) of the given kind ("" for any kind).
func (o *Outbox) Last(user, kind string) (Message, bool) {
	f := Filter{User: user, Kind: kind}
	var m *Message
	o.e.State.View(func(tx *state.Tx) error { m = tx.LastMessage(f.Match); return nil })
	if m == nil {
		return Message{}, false
	}
	return *m, true
}

// Clear deletes the messages f selects (Limit aside) and returns how many
// it deleted.
func (o *Outbox) Clear(f Filter) (int, error) {
	n := 0
	err := o.e.State.Update(func(tx *state.Tx) error {
		for _, m := range tx.MessagesWhere(f.Match, 0) {
			tx.DeleteMessage(m)
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// TriggerSource returns the source of the trigger (CustomMessage,
// CustomEmailSender or CustomSMSSender) that Cognito calls for a message
// of kind sent by operation: "CustomMessage_SignUp", ...
func TriggerSource(trigger, kind, operation string) string {
	switch kind {
	case MsgSignUp:
		return trigger + "_SignUp"
	case MsgResendCode:
		return trigger + "_ResendCode"
	case MsgForgotPassword:
		return trigger + "_ForgotPassword"
	case MsgTemporaryPassword:
		return trigger + "_AdminCreateUser"
	case MsgVerifyAttribute:
		if strings.HasSuffix(operation, "UpdateUserAttributes") {
			return trigger + "_UpdateUserAttribute"
		}
		return trigger + "_VerifyUserAttribute"
	case MsgSMSMFA, MsgEmailMFA, MsgSMSOTP:
		return trigger + "_Authentication"
	}
	return ""
}

// written returns m with its subject and text, as Cognito writes a
// message: those a CustomMessage trigger wrote (m's own, the trigger ran
// before); otherwise the pool's message templates (UpdateUserPool's
// messages and SetUserPoolMfaConfig's email message); otherwise Cognito's
// default wording. A message that a custom sender trigger sends
// (CustomEmailSender, CustomSMSSender) skips the CustomMessage trigger
// and the templates: the trigger writes it from the code, so the outbox
// keeps the default wording.
func written(tx *state.Tx, m Message) Message {
	var p *state.Pool
	if strings.HasPrefix(m.Trigger, "CustomMessage_") {
		p = tx.Pool(m.PoolID)
	}
	subject, text := render(m, p)
	if m.Text == "" {
		m.Text = text
	}
	if m.Subject == "" {
		m.Subject = subject
	}
	return m
}

// render returns the subject (of an email) and the text of m: from the
// templates of its pool p (nil: none), with "{####}" the code and
// "{username}" the username, or in Cognito's default wording. The
// templates are UpdateUserPool's messages (SMS MFA and SMS_OTP codes
// included: SetUserPoolMfaConfig's SMS message is the pool's
// SmsAuthenticationMessage) and SetUserPoolMfaConfig's email message for
// email MFA and EMAIL_OTP codes.
func render(m Message, p *state.Pool) (subject, text string) {
	subject, text = defaultText(m)
	var t state.MessageTemplates
	if p != nil && p.Templates != nil {
		t = *p.Templates
	}
	var mfa state.PoolMFA
	if p != nil && p.MFAMethods != nil {
		mfa = *p.MFAMethods
	}
	var tSubject, tText string
	email := m.Medium == "EMAIL"
	switch m.Kind {
	case MsgTemporaryPassword:
		if email {
			tSubject, tText = t.InviteEmailSubject, t.InviteEmailMessage
		} else {
			tText = t.InviteSMSMessage
		}
	case MsgSignUp, MsgResendCode, MsgForgotPassword, MsgVerifyAttribute:
		if email {
			tSubject, tText = t.EmailVerificationSubject, t.EmailVerificationMessage
		} else {
			tText = t.SMSVerificationMessage
		}
	case MsgSMSMFA, MsgSMSOTP:
		tText = t.SMSAuthenticationMessage
	case MsgEmailMFA:
		tSubject, tText = mfa.EmailSubject, mfa.EmailMessage
	}
	fill := strings.NewReplacer("{####}", m.Code, "{username}", m.Username)
	if tText != "" {
		text = fill.Replace(tText)
	}
	if tSubject != "" && email {
		subject = fill.Replace(tSubject)
	}
	return subject, text
}

// defaultText returns the subject (of an email) and the text of m in
// Cognito's default wording.
func defaultText(m Message) (subject, text string) {
	switch m.Kind {
	case MsgTemporaryPassword:
		subject, text = "Your temporary password", fmt.Sprintf("Your username is %s and temporary password is %s.", m.Username, m.Code)
	case MsgForgotPassword:
		subject, text = "Your password reset code", fmt.Sprintf("Your password reset code is %s.", m.Code)
	case MsgSMSMFA, MsgEmailMFA, MsgSMSOTP:
		subject, text = "Your authentication code", fmt.Sprintf("Your authentication code is %s.", m.Code)
	default:
		subject, text = "Your verification code", fmt.Sprintf("Your verification code is %s.", m.Code)
	}
	if m.Medium != "EMAIL" {
		subject = ""
	}
	return subject, text
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

type callKey struct{}

// callInfo describes the API call a context belongs to: its operation,
// and the app client and ClientMetadata that the events of Lambda
// triggers carry.
type callInfo struct {
	op string

	mu       sync.Mutex // guards clientID and meta
	clientID string
	meta     map[string]string
}

// WithOperation returns ctx naming the API operation being served; the
// API handler sets it, and Outbox.Deliver reads it.
func WithOperation(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, callKey{}, &callInfo{op: name})
}

// OperationOf returns the operation named by [WithOperation], or "".
func OperationOf(ctx context.Context) string {
	if c, _ := ctx.Value(callKey{}).(*callInfo); c != nil {
		return c.op
	}
	return ""
}

// SetCaller records the app client of the call of ctx (made by
// [WithOperation]; elsewhere it does nothing) and, when meta is not nil,
// its ClientMetadata: the callerContext.clientId and clientMetadata of
// the Lambda triggers it runs. The API handler sets both from the
// request's ClientId and ClientMetadata; operations authorized by an
// access token set the token's client.
func SetCaller(ctx context.Context, clientID string, meta map[string]string) {
	c, _ := ctx.Value(callKey{}).(*callInfo)
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clientID = clientID
	if meta != nil {
		c.meta = meta
	}
}

// CallerOf returns what [SetCaller] recorded.
func CallerOf(ctx context.Context) (clientID string, meta map[string]string) {
	c, _ := ctx.Value(callKey{}).(*callInfo)
	if c == nil {
		return "", nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clientID, c.meta
}
