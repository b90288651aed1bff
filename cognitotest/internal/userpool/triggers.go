package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/lambda"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// The Lambda triggers of a user pool, by their names in LambdaConfig.
const (
	TriggerPreSignUp          = "PreSignUp"
	TriggerCustomMessage      = "CustomMessage"
	TriggerPostConfirmation   = "PostConfirmation"
	TriggerPreAuthentication  = "PreAuthentication"
	TriggerPostAuthentication = "PostAuthentication"
	TriggerDefineAuth         = "DefineAuthChallenge"
	TriggerCreateAuth         = "CreateAuthChallenge"
	TriggerVerifyAuth         = "VerifyAuthChallengeResponse"
	TriggerPreTokenGeneration = "PreTokenGeneration"
	TriggerUserMigration      = "UserMigration"
	TriggerCustomSMSSender    = "CustomSMSSender"
	TriggerCustomEmailSender  = "CustomEmailSender"
)

// Triggers lists the triggers, in the order of Cognito's LambdaConfigType.
var Triggers = []string{TriggerPreSignUp, TriggerCustomMessage, TriggerPostConfirmation, TriggerPreAuthentication,
	TriggerPostAuthentication, TriggerDefineAuth, TriggerCreateAuth, TriggerVerifyAuth, TriggerPreTokenGeneration,
	TriggerUserMigration, TriggerCustomSMSSender, TriggerCustomEmailSender}

// Versions of the pre token generation event.
const (
	PreTokenV1 = "V1_0"
	PreTokenV2 = "V2_0"
	PreTokenV3 = "V3_0"
)

// SDKVersion is the callerContext.awsSdkVersion of the events: what
// Cognito sends when it does not know the caller's SDK.
const SDKVersion = "aws-sdk-unknown-unknown"

// NoClient is the callerContext.clientId of events of administrative
// operations without an app client, such as AdminCreateUser.
const NoClient = "CLIENT_ID_NOT_APPLICABLE"

// arnRE is the pattern Cognito checks the ARNs of LambdaConfig against.
var arnRE = regexp.MustCompile(`^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$`)

// CheckLambdaConfig checks a pool's triggers. A trigger's target is a
// Lambda function ARN (20 to 2048 characters, Cognito's pattern) or
// function name, or, when urls is set (the emulator's own configuration:
// seeds, options, flags; never the API), an http(s) URL. The pre token
// generation version is V1_0, V2_0 or V3_0; custom sender triggers need a
// KMS key.
func CheckLambdaConfig(c state.LambdaConfig, urls bool) error {
	for name, target := range c.Triggers {
		if !slices.Contains(Triggers, name) {
			return emulator.Invalidf("unknown Lambda trigger %q; want one of %v", wire.Truncate(name, 64), Triggers)
		}
		switch {
		case lambda.IsURL(target):
			if !urls {
				return emulator.Invalidf("trigger %s: %q is a URL; the API takes Lambda ARNs (map ARNs to URLs with cognito local --lambda)", name, wire.Truncate(target, 128))
			}
			if _, err := lambda.ParseURL(target); err != nil {
				return emulator.Invalidf("trigger %s: %v", name, err)
			}
		case arnRE.MatchString(target):
			if len(target) < 20 || len(target) > 2048 {
				return emulator.Invalidf("trigger %s: the ARN must be 20 to 2048 characters", name)
			}
		case lambda.ValidName(target):
		default:
			return emulator.Invalidf("trigger %s: %q is not a Lambda function ARN, a function name or an http(s) URL", name, wire.Truncate(target, 128))
		}
	}
	switch c.PreTokenGenerationVersion {
	case "", PreTokenV1, PreTokenV2, PreTokenV3:
	default:
		return emulator.Invalidf("PreTokenGeneration version %q: want V1_0, V2_0 or V3_0", wire.Truncate(c.PreTokenGenerationVersion, 16))
	}
	if (c.Triggers[TriggerCustomEmailSender] != "" || c.Triggers[TriggerCustomSMSSender] != "") && c.KMSKeyID == "" {
		return emulator.Invalidf("the custom sender triggers need a KMS key (KMSKeyID) to encrypt the codes they are sent")
	}
	if c.KMSKeyID != "" && !arnRE.MatchString(c.KMSKeyID) {
		return emulator.Invalidf("KMSKeyID %q is not an ARN", wire.Truncate(c.KMSKeyID, 128))
	}
	return nil
}

// LambdaConfigOf returns the triggers of a pool (zero when it has none or
// is gone).
func (s *Service) LambdaConfigOf(poolID string) state.LambdaConfig {
	var c state.LambdaConfig
	s.State.View(func(tx *state.Tx) error {
		if p := tx.Pool(poolID); p != nil {
			c = p.LambdaConfig
		}
		return nil
	})
	return c
}

// HasTrigger reports whether the pool configures the trigger.
func HasTrigger(p *state.Pool, trigger string) bool {
	return p != nil && p.LambdaConfig.Triggers[trigger] != ""
}

// function resolves what a trigger invokes: an HTTP function for a URL,
// the registered function of an ARN's or a name's function otherwise
// (lambda.ErrNotFound when there is none).
func (s *Service) function(target string) (lambda.Function, error) {
	if lambda.IsURL(target) {
		return &lambda.HTTP{URL: target}, nil
	}
	name, ok := lambda.FunctionName(target)
	if !ok {
		return nil, lambda.ErrNotFound
	}
	if fn := s.Lambdas.Lookup(name); fn != nil {
		return fn, nil
	}
	return nil, lambda.ErrNotFound
}

// Errors of trigger answers, as Cognito words them.
var (
	errInvalidJSON       = wire.Errorf("InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON")
	errUnrecognizable    = wire.Errorf("InvalidLambdaResponseException", "Unrecognizable lambda output")
	errTriggerNotDefined = errors.New("trigger not configured")
)

// invoke runs a trigger of the pool whose LambdaConfig is cfg with the
// event ev, and decodes the "response" of the answer into resp (when not
// nil). It returns errTriggerNotDefined when the pool has no such trigger,
// and otherwise Cognito's errors: UserLambdaValidationException for an
// error of the function, UnexpectedLambdaException when it cannot be
// invoked or times out, InvalidLambdaResponseException for an answer that
// is not the event.
func (s *Service) invoke(ctx context.Context, cfg state.LambdaConfig, trigger, source string, ev any, resp any) error {
	target := cfg.Triggers[trigger]
	if target == "" {
		return errTriggerNotDefined
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return wire.Internal("cognitotest: encode the %s event: %v", trigger, err)
	}
	start := time.Now()
	out, err := s.call(ctx, target, payload)
	log := s.Logger()
	if err != nil {
		log.Info("cognitotest: trigger", "trigger", trigger, "source", source, "duration", time.Since(start), "error", err.Error())
		return mapInvokeError(trigger, err)
	}
	log.Info("cognitotest: trigger", "trigger", trigger, "source", source, "duration", time.Since(start))
	if resp == nil {
		return checkAnswer(out)
	}
	return DecodeResponse(out, resp)
}

// call invokes the function of target with payload, within the trigger
// timeout, retrying timeouts as Cognito does.
func (s *Service) call(ctx context.Context, target string, payload []byte) ([]byte, error) {
	fn, err := s.function(target)
	if err != nil {
		return nil, err
	}
	timeout := s.TriggerTimeout
	if timeout <= 0 {
		timeout = lambda.Timeout
	}
	return lambda.Invoke(ctx, fn, timeout, lambda.Attempts, payload)
}

// mapInvokeError turns an invocation error into Cognito's error.
func mapInvokeError(trigger string, err error) error {
	var fe *lambda.FunctionError
	switch {
	case errors.As(err, &fe):
		return wire.Errorf("UserLambdaValidationException", "%s failed with error %s.", trigger, fe.Message)
	case errors.Is(err, lambda.ErrTimeout):
		return wire.Errorf("UnexpectedLambdaException", "%s invocation failed due to error Socket timeout while invoking Lambda function.", trigger)
	case errors.Is(err, lambda.ErrNotFound):
		return wire.Errorf("UnexpectedLambdaException", "%s invocation failed due to error ResourceNotFoundException.", trigger)
	case errors.Is(err, lambda.ErrTooLarge):
		return wire.Errorf("UnexpectedLambdaException", "%s invocation failed due to error RequestTooLargeException.", trigger)
	case errors.Is(err, lambda.ErrInvoke):
		return wire.Errorf("UnexpectedLambdaException", "%s invocation failed due to error %s.", trigger, wire.Truncate(err.Error(), 256))
	}
	return err // the request's context ended
}

// checkAnswer checks that a trigger answered a JSON object.
func checkAnswer(out []byte) error {
	var v map[string]json.RawMessage
	if json.Unmarshal(out, &v) != nil || v == nil {
		return errInvalidJSON
	}
	return nil
}

// DecodeResponse decodes the "response" of a trigger's answer (the event
// the function returns) into resp, and returns Cognito's errors: an answer
// that is not a JSON object is "Invalid JSON"; a "response" that does not
// fit resp (a string where a boolean belongs, ...) is "Unrecognizable
// lambda output". A missing or null response leaves resp as it is.
func DecodeResponse(out []byte, resp any) error {
	var v struct {
		Response json.RawMessage `json:"response"`
	}
	if checkAnswer(out) != nil || json.Unmarshal(out, &v) != nil {
		return errInvalidJSON
	}
	if len(v.Response) == 0 || string(v.Response) == "null" {
		return nil
	}
	if json.Unmarshal(v.Response, resp) != nil {
		return errUnrecognizable
	}
	return nil
}
