package userpool

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Messages and their triggers.
//
// Before Cognito sends a message (a code, a temporary password), it runs
// the pool's CustomMessage trigger, which may write the message; an error
// of the trigger fails the operation. A pool with a custom sender trigger
// for the message's medium (CustomEmailSender, CustomSMSSender) sends
// nothing itself: it invokes the trigger asynchronously, after the
// operation, with the code encrypted, and the trigger's errors are only
// logged.
//
// Triggers run outside transactions (they may call the emulator), but a
// message is put in the transaction that stores its code. So operations
// that send messages in a transaction run it with [Service.UpdateSending]:
// when a message needs the CustomMessage trigger, the transaction is
// undone, the trigger runs, and the transaction runs again and sends the
// message as the trigger wrote it, with the same code.

// maxCustomMessage bounds the messages a CustomMessage trigger writes
// (Cognito's limit of email messages: 20,000 characters).
const maxCustomMessage = 20000

// outgoing is a message whose text the CustomMessage trigger writes.
type outgoing struct {
	ctx    context.Context
	pool   *state.Pool
	attrs  map[string]string // userAttributes
	caller Caller
	m      emulator.Message
}

// sendPlan holds the messages of a transaction of UpdateSending: those to
// compose (first pass) and those composed (next pass), by messageKey.
type sendPlan struct {
	pending []*outgoing
	ready   map[string]emulator.Message
}

func messageKey(m emulator.Message) string {
	return m.Kind + "\x00" + m.Username + "\x00" + m.Medium + "\x00" + m.Destination
}

var errCompose = errors.New("userpool: messages to compose")

// UpdateSending is State.Update for transactions that send messages
// ([Service.SendCode], [Service.DeliverIn]): when a message needs the
// pool's CustomMessage trigger, fn runs once to find out, its transaction
// is undone, the trigger runs outside any transaction, and fn runs again
// and sends the message as written. fn must change nothing but the state
// of tx (it may run more than once). A trigger's error is returned.
func (s *Service) UpdateSending(fn func(tx *state.Tx) error) error {
	plan := &sendPlan{ready: map[string]emulator.Message{}}
	for pass := 0; ; pass++ {
		err := s.State.Update(func(tx *state.Tx) error {
			s.plans.Store(tx, plan)
			defer s.plans.Delete(tx)
			plan.pending = plan.pending[:0]
			if err := fn(tx); err != nil {
				return err
			}
			if len(plan.pending) > 0 {
				return errCompose
			}
			return nil
		})
		if !errors.Is(err, errCompose) {
			return err
		}
		if pass == 2 {
			return wire.Internal("cognitotest: the messages to send changed while the CustomMessage trigger ran; try again")
		}
		for _, o := range plan.pending {
			m, err := s.compose(o)
			if err != nil {
				return err
			}
			plan.ready[messageKey(m)] = m
		}
	}
}

func (s *Service) planOf(tx *state.Tx) *sendPlan {
	if tx == nil {
		return nil
	}
	v, _ := s.plans.Load(tx)
	p, _ := v.(*sendPlan)
	return p
}

// senderOf returns the custom sender trigger of a pool for a medium, or
// "".
func senderOf(p *state.Pool, medium string) string {
	t := TriggerCustomSMSSender
	if medium == "EMAIL" {
		t = TriggerCustomEmailSender
	}
	if HasTrigger(p, t) {
		return t
	}
	return ""
}

// composes reports whether a message of p goes through its CustomMessage
// trigger.
func composes(p *state.Pool, medium string) bool {
	return HasTrigger(p, TriggerCustomMessage) && senderOf(p, medium) == ""
}

// Compose returns m, a message to u (a user of p, as the trigger sees
// it), written by the pool's CustomMessage trigger when it has one (and
// no custom sender for the medium). Call it outside transactions; send
// the message with [Service.DeliverIn].
func (s *Service) Compose(ctx context.Context, p *state.Pool, u *state.User, m emulator.Message) (emulator.Message, error) {
	if m.Operation == "" {
		m.Operation = emulator.OperationOf(ctx)
	}
	if !composes(p, m.Medium) {
		return m, nil
	}
	return s.compose(&outgoing{ctx: ctx, pool: p, attrs: EventAttributes(u), caller: CallerOf(ctx), m: m})
}

// compose runs the CustomMessage trigger on o and returns its message
// with the subject and text the trigger wrote. When the trigger wrote
// none, or one without the code's placeholder (and, in an invitation,
// the username's), the message keeps no text, and the outbox writes it
// from the pool's templates or in Cognito's default wording (see
// emulator.Outbox.Deliver).
func (s *Service) compose(o *outgoing) (emulator.Message, error) {
	m := o.m
	source := emulator.TriggerSource(TriggerCustomMessage, m.Kind, m.Operation)
	ev := customMessageEvent{header: newHeader(o.pool, source, m.Username, o.caller)}
	ev.Request.UserAttributes = o.attrs
	ev.Request.CodeParameter = CodeParameter
	ev.Request.LinkParameter = LinkParameter
	invitation := m.Kind == emulator.MsgTemporaryPassword
	if invitation {
		u := UsernameParameter
		ev.Request.UsernameParameter = &u
	}
	ev.Request.ClientMetadata = meta(o.caller.Metadata)
	var resp events.CognitoEventUserPoolsCustomMessageResponse
	if _, err := s.run(o.ctx, o.pool, TriggerCustomMessage, source, ev, &resp); err != nil {
		return m, err
	}
	m.Trigger = source
	body := resp.SMSMessage
	if m.Medium == "EMAIL" {
		body = resp.EmailMessage
	}
	switch {
	case body == "":
	case !strings.Contains(body, CodeParameter) || invitation && !strings.Contains(body, UsernameParameter):
		s.Logger().Warn("cognitotest: the CustomMessage trigger wrote a message without the placeholders; the pool's message (its template or the default) is sent",
			"source", source, "placeholders", placeholders(invitation))
	case utf8.RuneCountInString(body) > maxCustomMessage:
		s.Logger().Warn("cognitotest: the CustomMessage trigger wrote a message longer than 20,000 characters; the pool's message (its template or the default) is sent", "source", source)
	default:
		text := strings.ReplaceAll(body, CodeParameter, m.Code)
		if invitation {
			text = strings.ReplaceAll(text, UsernameParameter, m.Username)
		}
		m.Text = text // the outbox gives it the pool's subject when the trigger wrote none
		if m.Medium == "EMAIL" {
			m.Subject = resp.EmailSubject
		}
	}
	return m, nil
}

func placeholders(invitation bool) string {
	if invitation {
		return CodeParameter + " and " + UsernameParameter
	}
	return CodeParameter
}

// DeliverIn sends m, a message to u, a user of p, in tx: m as
// [Service.Compose] returned it, or, in a transaction of
// [Service.UpdateSending], a message to compose (see there). It returns
// the message sent, whose code may be the one of an earlier pass. Custom
// sender triggers run after the transaction commits.
func (s *Service) DeliverIn(ctx context.Context, tx *state.Tx, p *state.Pool, u *state.User, m emulator.Message) emulator.Message {
	if m.Operation == "" {
		m.Operation = emulator.OperationOf(ctx)
	}
	if composes(p, m.Medium) && m.Trigger == "" {
		plan := s.planOf(tx)
		switch {
		case plan == nil:
			s.Logger().Error("cognitotest: a message was sent in a transaction that cannot run the CustomMessage trigger; it has the default text",
				"op", m.Operation, "kind", m.Kind)
		case plan.ready[messageKey(m)].Kind != "":
			m = plan.ready[messageKey(m)]
		default:
			plan.pending = append(plan.pending, &outgoing{ctx: ctx, pool: p, attrs: EventAttributes(u), caller: CallerOf(ctx), m: m})
			return m // this pass is undone
		}
	}
	if t := senderOf(p, m.Medium); t != "" {
		m.Trigger = emulator.TriggerSource(t, m.Kind, m.Operation)
		attrs, caller, sent := EventAttributes(u), CallerOf(ctx), m
		tx.OnCommit(func() { s.startSender(p, t, attrs, caller, sent) })
	}
	s.Outbox.Deliver(ctx, tx, m)
	return m
}

// Send composes m, a message to u, a user of p, and sends it in a
// transaction of its own. Call it outside transactions.
func (s *Service) Send(ctx context.Context, p *state.Pool, u *state.User, m emulator.Message) error {
	m, err := s.Compose(ctx, p, u, m)
	if err != nil {
		return err
	}
	return s.State.Update(func(tx *state.Tx) error {
		s.DeliverIn(ctx, tx, p, u, m)
		return nil
	})
}

// startSender invokes a custom sender trigger in the background: Cognito
// invokes them asynchronously and does not wait for them.
func (s *Service) startSender(p *state.Pool, trigger string, attrs map[string]string, c Caller, m emulator.Message) {
	code, err := EncryptCode(s.Rand(), p.LambdaConfig.KMSKeyID, m.Code)
	if err != nil {
		s.Logger().Error("cognitotest: encrypt the code of a custom sender trigger", "err", err)
		s.logSenderFailure(p, m, err)
		return
	}
	ev := senderEvent{header: newHeader(p, m.Trigger, m.Username, c)}
	ev.Request.UserAttributes = attrs
	ev.Request.Type = "customSMSSenderRequestV1"
	if trigger == TriggerCustomEmailSender {
		ev.Request.Type = "customEmailSenderRequestV1"
	}
	ev.Request.Code = code
	ev.Request.ClientMetadata = meta(c.Metadata)
	cfg := p.LambdaConfig
	s.Go(func() {
		ctx, cancel := s.closingContext()
		defer cancel()
		if err := s.invokeAsync(ctx, cfg, trigger, m.Trigger, ev); err != nil {
			s.Logger().Warn("cognitotest: custom sender trigger failed", "trigger", trigger, "source", m.Trigger, "error", err.Error())
			s.logSenderFailure(p, m, err)
		}
	})
}

// closingContext returns a context that ends when the emulator closes, for
// work in the background.
func (s *Service) closingContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-s.Closing():
		case <-ctx.Done():
		}
		cancel()
	}()
	return ctx, cancel
}

// invokeAsync invokes a trigger whose answer Cognito ignores.
func (s *Service) invokeAsync(ctx context.Context, cfg state.LambdaConfig, trigger, source string, ev any) error {
	err := s.invoke(ctx, cfg, trigger, source, ev, nil)
	if errors.Is(err, errInvalidJSON) {
		return nil // an asynchronous invocation's answer is not read
	}
	return err
}

// The emulator's stand-in for KMS. Cognito encrypts the codes it sends to
// custom sender triggers with the AWS Encryption SDK and the pool's KMS
// key, and the trigger decrypts them with KMS. The emulator cannot make
// ciphertexts that KMS decrypts, so it encrypts with a key anyone can
// derive from the KMS key ID (this is no protection, and is not meant to
// be), so that trigger code must decrypt as it does in production, and
// tests see a code that was not decrypted:
//
//	key        = SHA-256("cognitokit-emulated-kms:" + KMS key ID)
//	ciphertext = base64(std, padded) of "CKK1" || 12-byte nonce || AES-256-GCM(key, nonce, code)
//
// [DecryptCode] (cognitotest.DecryptCode) decrypts.
const kmsMagic = "CKK1"

func kmsKey(keyID string) cipher.AEAD {
	k := sha256.Sum256([]byte("cognitokit-emulated-kms:" + keyID))
	b, _ := aes.NewCipher(k[:]) // a 32-byte key: no error
	g, _ := cipher.NewGCM(b)    // the standard nonce size: no error
	return g
}

// EncryptCode encrypts a code for a custom sender trigger of a pool with
// KMS key keyID (see kmsMagic).
func EncryptCode(rand io.Reader, keyID, code string) (string, error) {
	g := kmsKey(keyID)
	nonce := make([]byte, g.NonceSize())
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return "", err
	}
	out := append([]byte(kmsMagic), nonce...)
	out = g.Seal(out, nonce, []byte(code), nil)
	return base64.StdEncoding.EncodeToString(out), nil
}

// ErrCiphertext: a custom sender's code does not decrypt with the key.
var ErrCiphertext = errors.New("cognitotest: the code is not a ciphertext of the emulator's KMS stand-in under this KMS key ID")

// DecryptCode decrypts a code that EncryptCode encrypted with keyID.
func DecryptCode(keyID, ciphertext string) (string, error) {
	if len(ciphertext) > 4096 {
		return "", fmt.Errorf("%w: too long", ErrCiphertext)
	}
	b, err := base64.StdEncoding.DecodeString(ciphertext)
	g := kmsKey(keyID)
	if err != nil || len(b) < len(kmsMagic)+g.NonceSize()+g.Overhead() || string(b[:len(kmsMagic)]) != kmsMagic {
		return "", ErrCiphertext
	}
	b = b[len(kmsMagic):]
	plain, err := g.Open(nil, b[:g.NonceSize()], b[g.NonceSize():], nil)
	if err != nil {
		return "", ErrCiphertext
	}
	return string(plain), nil
}
