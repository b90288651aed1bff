package cognitotest

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/cognitotest/internal/lambda"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// LambdaTriggers are a pool's Lambda triggers: the code Cognito runs at
// sign-up, sign-in, token issue and when it sends messages. Each trigger
// is nil (none), or one of:
//
//   - A Go handler written for github.com/aws/aws-lambda-go, of any
//     signature lambda.Start accepts, such as
//     func(context.Context, events.CognitoEventUserPoolsPreSignup)
//     (events.CognitoEventUserPoolsPreSignup, error), or a lambda.Handler.
//     It runs in the process, invoked as lambda.NewHandler invokes it
//     (the same decoding and encoding, checked against aws-lambda-go by
//     the tests) with the event's JSON exactly as Cognito sends it: your
//     production handler, unchanged.
//   - A string: an http(s) URL that the event is POSTed to (see the
//     package documentation, "Lambda triggers"), or a Lambda function ARN
//     or function name, which runs the function registered with
//     [WithLambda] under that name.
//
// A handler's error fails the operation as in Cognito: "PreSignUp failed
// with error <message>." (UserLambdaValidationException). The package
// documentation lists, for each trigger, the operations that run it and
// what the emulator does with its response.
type LambdaTriggers struct {
	// PreSignUp runs before SignUp (PreSignUp_SignUp) and AdminCreateUser
	// (PreSignUp_AdminCreateUser) create a user: its error refuses the
	// user; autoConfirmUser, autoVerifyEmail and autoVerifyPhone apply to
	// SignUp.
	PreSignUp any
	// PostConfirmation runs after ConfirmSignUp, AdminConfirmSignUp and an
	// auto-confirming PreSignUp (PostConfirmation_ConfirmSignUp), and after
	// ConfirmForgotPassword (PostConfirmation_ConfirmForgotPassword).
	PostConfirmation any
	// PreAuthentication runs when a sign-in starts (InitiateAuth,
	// AdminInitiateAuth): its error refuses the sign-in.
	PreAuthentication any
	// PostAuthentication runs when a sign-in succeeds, before the tokens
	// are handed out: its error withholds them.
	PostAuthentication any
	// CustomMessage writes the messages Cognito sends (codes, temporary
	// passwords).
	CustomMessage any
	// UserMigration runs when a user the pool does not have signs in with
	// a password (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH) or asks
	// for a password reset (ForgotPassword), and may create the user.
	UserMigration any
	// PreTokenGeneration changes the claims of the tokens; its event is
	// of PreTokenGenerationVersion.
	PreTokenGeneration any
	// DefineAuthChallenge, CreateAuthChallenge and
	// VerifyAuthChallengeResponse drive CUSTOM_AUTH.
	DefineAuthChallenge         any
	CreateAuthChallenge         any
	VerifyAuthChallengeResponse any
	// CustomEmailSender and CustomSMSSender send the messages instead of
	// Cognito, asynchronously, with the code encrypted (see [DecryptCode]
	// and [CustomSenderEvent]).
	CustomEmailSender any
	CustomSMSSender   any

	// PreTokenGenerationVersion is the version of the pre token
	// generation event: "V1_0" (the default: the ID token), "V2_0" (both
	// tokens and the scopes) or "V3_0" (V2_0, and machine-to-machine
	// tokens too).
	PreTokenGenerationVersion string
	// KMSKeyID is the KMS key ARN that encrypts the codes sent to the
	// custom senders. Optional. Default: an ARN of the emulator's,
	// "arn:aws:kms:{region}:000000000000:key/cognitotest".
	KMSKeyID string
}

// CustomSenderEvent is the event of the CustomEmailSender and
// CustomSMSSender triggers, as Cognito sends it (aws-lambda-go has no type
// for it). It has no response: Cognito ignores the function's answer.
type CustomSenderEvent struct {
	events.CognitoEventUserPoolsHeader
	Request CustomSenderRequest `json:"request"`
}

// CustomSenderRequest is the request of a [CustomSenderEvent].
type CustomSenderRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	// Type is "customEmailSenderRequestV1" or "customSMSSenderRequestV1".
	Type string `json:"type"`
	// Code is the code or temporary password, encrypted: in Cognito with
	// the pool's KMS key and the AWS Encryption SDK, in the emulator with
	// its stand-in (see [DecryptCode]).
	Code           string            `json:"code"`
	ClientMetadata map[string]string `json:"clientMetadata"`
}

// DecryptCode decrypts the code of a [CustomSenderEvent] sent by the
// emulator for a pool whose KMS key is kmsKeyID. The emulator cannot
// encrypt for KMS, so it encrypts with a stand-in that anyone can
// reproduce from the key ID (no secrecy, by design: code in any language
// can decrypt it, and a handler that forgets to decrypt sends gibberish in
// tests too):
//
//	key        = SHA-256("cognitokit-emulated-kms:" + kmsKeyID)
//	ciphertext = standard base64 of "CKK1" || 12-byte nonce || AES-256-GCM(key, nonce, code)
//
// Handlers decrypt with KMS in production and with DecryptCode in tests
// (inject the decryption). A code that is not such a ciphertext is
// refused with [ErrCiphertext].
func DecryptCode(kmsKeyID, code string) (string, error) {
	return userpool.DecryptCode(kmsKeyID, code)
}

// WithLambda registers a Lambda function under a name (1 to 64 letters,
// digits, hyphens and underscores): the pools' triggers that name the
// function (by an ARN such as arn:aws:lambda:us-east-1:123456789012:function:NAME,
// or by NAME) run it. handler is a Go handler for aws-lambda-go, a
// lambda.Handler, or an http(s) URL, as in [LambdaTriggers]. So pools
// configured through the API (the LambdaConfig of CreateUserPool and
// UpdateUserPool), a seed or a data directory run your code. "cognito
// local --lambda NAME=URL" uses it. Repeated names: the last one wins.
func WithLambda(name string, handler any) Option {
	return func(o *options) { o.lambdas = append(o.lambdas, namedLambda{name, handler}) }
}

// WithTriggerTimeout sets how long each attempt of a trigger may take.
// Default: Cognito's 5 seconds. A trigger that does not answer in time is
// invoked again, three times in all, as Cognito does; then the operation
// fails with UnexpectedLambdaException ("... Socket timeout while invoking
// Lambda function.").
func WithTriggerTimeout(d time.Duration) Option { return func(o *options) { o.triggerTimeout = d } }

type namedLambda struct {
	name    string
	handler any
}

// function returns the Function of a handler (not a string).
func function(handler any) (lambda.Function, error) {
	fn, err := lambda.Handler(handler)
	if err != nil {
		return nil, invalidf("Lambda handler: %v", err)
	}
	return fn, nil
}

// registerLambdas registers the functions of WithLambda.
func (s *Server) registerLambdas(ls []namedLambda) error {
	for _, l := range ls {
		var fn lambda.Function
		if u, ok := l.handler.(string); ok {
			if _, err := lambda.ParseURL(u); err != nil {
				return invalidf("Lambda %q: %v", l.name, err)
			}
			fn = &lambda.HTTP{URL: u}
		} else {
			var err error
			if fn, err = function(l.handler); err != nil {
				return invalidf("Lambda %q: %v", l.name, err)
			}
		}
		if err := s.up.RegisterFunction(l.name, fn); err != nil {
			return err
		}
	}
	return nil
}

// fields returns the triggers by name.
func (t *LambdaTriggers) fields() map[string]any {
	return map[string]any{
		userpool.TriggerPreSignUp: t.PreSignUp, userpool.TriggerPostConfirmation: t.PostConfirmation,
		userpool.TriggerPreAuthentication: t.PreAuthentication, userpool.TriggerPostAuthentication: t.PostAuthentication,
		userpool.TriggerCustomMessage: t.CustomMessage, userpool.TriggerUserMigration: t.UserMigration,
		userpool.TriggerPreTokenGeneration: t.PreTokenGeneration, userpool.TriggerDefineAuth: t.DefineAuthChallenge,
		userpool.TriggerCreateAuth: t.CreateAuthChallenge, userpool.TriggerVerifyAuth: t.VerifyAuthChallengeResponse,
		userpool.TriggerCustomEmailSender: t.CustomEmailSender, userpool.TriggerCustomSMSSender: t.CustomSMSSender,
	}
}

// lambdaConfig returns the LambdaConfig of a pool's triggers: strings as
// they are; Go handlers registered as functions of their own, whose ARNs
// the configuration holds (so that DescribeUserPool shows them).
func (s *Server) lambdaConfig(poolID string, t LambdaTriggers) (state.LambdaConfig, error) {
	c := state.LambdaConfig{Triggers: map[string]string{}, PreTokenGenerationVersion: t.PreTokenGenerationVersion, KMSKeyID: t.KMSKeyID}
	region := s.opts.region
	if m := userpool.PoolIDRE.FindStringSubmatch(poolID); m != nil {
		region = m[1]
	}
	for name, h := range t.fields() {
		target, err := s.target(poolID, region, name, h)
		if err != nil {
			return c, err
		}
		if target != "" {
			c.Triggers[name] = target
		}
	}
	if c.KMSKeyID == "" && (c.Triggers[userpool.TriggerCustomEmailSender] != "" || c.Triggers[userpool.TriggerCustomSMSSender] != "") {
		c.KMSKeyID = "arn:aws:kms:" + region + ":000000000000:key/cognitotest"
	}
	if len(c.Triggers) == 0 {
		c.Triggers = nil
	}
	if err := userpool.CheckLambdaConfig(c, true); err != nil {
		return c, err
	}
	return c, nil
}

// target returns what a trigger's handler h refers to in the pool's
// configuration: a string as it is; a Go handler registered as a function
// of its own, by its ARN; "" for nil.
func (s *Server) target(poolID, region, trigger string, h any) (string, error) {
	switch v := h.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	fn, err := function(h)
	if err != nil {
		return "", invalidf("trigger %s: %v", trigger, err)
	}
	name := handlerName(poolID, trigger)
	if err := s.up.RegisterFunction(name, fn); err != nil {
		return "", err
	}
	return userpool.FunctionARN(region, name), nil
}

// handlerName is the name of the function of a pool's trigger configured
// with a Go handler: "{trigger}-{pool ID}", or a hash of the pool ID when
// that is longer than a function name may be.
func handlerName(poolID, trigger string) string {
	if n := trigger + "-" + poolID; lambda.ValidName(n) {
		return n
	}
	sum := sha256.Sum256([]byte(poolID))
	return trigger + "-" + hex.EncodeToString(sum[:12])
}

// SetLambdaTriggers replaces the pool's Lambda triggers (as UpdateUserPool
// with a LambdaConfig would), for pools created by a seed, through the
// API or in a data directory, whose triggers Go handlers cannot be
// stored for.
func (p *Pool) SetLambdaTriggers(t LambdaTriggers) error {
	if p.record() == nil {
		return p.notFound()
	}
	c, err := p.s.lambdaConfig(p.id, t)
	if err != nil {
		return err
	}
	return p.s.up.SetLambdaConfig(p.id, c)
}

// SetTrigger sets one of the pool's Lambda triggers, leaving the others:
// name is a field of [LambdaTriggers] ("PreSignUp", ...) and handler what
// the field takes (nil removes the trigger), or name is
// "PreTokenGenerationVersion" or "KMSKeyID" and handler a string. "cognito
// local --trigger" uses it.
func (p *Pool) SetTrigger(name string, handler any) error {
	rec := p.record()
	if rec == nil {
		return p.notFound()
	}
	c := rec.LambdaConfig.Clone()
	str, isString := handler.(string)
	switch {
	case name == "PreTokenGenerationVersion" || name == "KMSKeyID":
		if !isString && handler != nil {
			return invalidf("%s: want a string", name)
		}
		if name == "KMSKeyID" {
			c.KMSKeyID = str
		} else {
			c.PreTokenGenerationVersion = str
		}
	case slices.Contains(userpool.Triggers, name):
		target, err := p.s.target(p.id, rec.Region(), name, handler)
		if err != nil {
			return err
		}
		if c.Triggers == nil {
			c.Triggers = map[string]string{}
		}
		if target == "" {
			delete(c.Triggers, name)
		} else {
			c.Triggers[name] = target
		}
		if c.KMSKeyID == "" && (name == userpool.TriggerCustomEmailSender || name == userpool.TriggerCustomSMSSender) && target != "" {
			c.KMSKeyID = "arn:aws:kms:" + rec.Region() + ":000000000000:key/cognitotest"
		}
	default:
		return invalidf("unknown Lambda trigger %q; want one of %v, PreTokenGenerationVersion or KMSKeyID", name, userpool.Triggers)
	}
	return p.s.up.SetLambdaConfig(p.id, c)
}

// MustSetLambdaTriggers is [Pool.SetLambdaTriggers] that ends the test (or
// panics) on error.
func (p *Pool) MustSetLambdaTriggers(t LambdaTriggers) {
	if err := p.SetLambdaTriggers(t); err != nil {
		p.s.fatal(err)
	}
}
