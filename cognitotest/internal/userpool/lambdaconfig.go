package userpool

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/lambda"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// LambdaConfigWire is Cognito's LambdaConfigType, the LambdaConfig of
// CreateUserPool, UpdateUserPool and DescribeUserPool.
type LambdaConfigWire struct {
	PreSignUp                   string           `json:",omitempty"`
	CustomMessage               string           `json:",omitempty"`
	PostConfirmation            string           `json:",omitempty"`
	PreAuthentication           string           `json:",omitempty"`
	PostAuthentication          string           `json:",omitempty"`
	DefineAuthChallenge         string           `json:",omitempty"`
	CreateAuthChallenge         string           `json:",omitempty"`
	VerifyAuthChallengeResponse string           `json:",omitempty"`
	PreTokenGeneration          string           `json:",omitempty"`
	UserMigration               string           `json:",omitempty"`
	PreTokenGenerationConfig    *VersionedLambda `json:",omitempty"`
	CustomSMSSender             *VersionedLambda `json:",omitempty"`
	CustomEmailSender           *VersionedLambda `json:",omitempty"`
	KMSKeyID                    string           `json:",omitempty"`
	InboundFederation           *VersionedLambda `json:",omitempty"`
}

// VersionedLambda is a trigger with an event version
// (PreTokenGenerationConfig, CustomSMSSender, CustomEmailSender).
type VersionedLambda struct {
	LambdaArn     string
	LambdaVersion string
}

func patternError(field, v string) *wire.Error {
	return wire.InvalidParameter("1 validation error detected: Value '%s' at 'lambdaConfig.%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s",
		wire.Truncate(v, 256), field, arnRE.String()[1:len(arnRE.String())-1])
}

// LambdaConfigIn checks the LambdaConfig of a request, as Cognito does
// (ARNs of Cognito's pattern, event versions, a KMS key with custom
// senders), and returns it as a pool's configuration. Its ARNs resolve,
// when a trigger runs, to the emulator's function of the ARN's function
// name. nil is no triggers.
func LambdaConfigIn(w *LambdaConfigWire) (state.LambdaConfig, *wire.Error) {
	var c state.LambdaConfig
	if w == nil {
		return c, nil
	}
	if w.InboundFederation != nil {
		return c, wire.InvalidParameter("cognitotest does not emulate federation, so it has no InboundFederation trigger")
	}
	c.Triggers = map[string]string{}
	set := func(trigger, field, arn string) *wire.Error {
		if arn == "" {
			return nil
		}
		if len(arn) < 20 || len(arn) > 2048 {
			return wire.InvalidParameter("1 validation error detected: Value at 'lambdaConfig.%s' failed to satisfy constraint: Member must have length between 20 and 2048", field)
		}
		if !arnRE.MatchString(arn) {
			return patternError(field, arn)
		}
		c.Triggers[trigger] = arn
		return nil
	}
	for _, t := range []struct{ trigger, field, arn string }{
		{TriggerPreSignUp, "preSignUp", w.PreSignUp},
		{TriggerCustomMessage, "customMessage", w.CustomMessage},
		{TriggerPostConfirmation, "postConfirmation", w.PostConfirmation},
		{TriggerPreAuthentication, "preAuthentication", w.PreAuthentication},
		{TriggerPostAuthentication, "postAuthentication", w.PostAuthentication},
		{TriggerDefineAuth, "defineAuthChallenge", w.DefineAuthChallenge},
		{TriggerCreateAuth, "createAuthChallenge", w.CreateAuthChallenge},
		{TriggerVerifyAuth, "verifyAuthChallengeResponse", w.VerifyAuthChallengeResponse},
		{TriggerPreTokenGeneration, "preTokenGeneration", w.PreTokenGeneration},
		{TriggerUserMigration, "userMigration", w.UserMigration},
	} {
		if err := set(t.trigger, t.field, t.arn); err != nil {
			return c, err
		}
	}
	if v := w.PreTokenGenerationConfig; v != nil {
		if v.LambdaArn == "" {
			return c, wire.InvalidParameter("Missing required parameter LambdaArn in PreTokenGenerationConfig")
		}
		if w.PreTokenGeneration != "" && w.PreTokenGeneration != v.LambdaArn {
			return c, wire.InvalidParameter("PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same function")
		}
		if err := set(TriggerPreTokenGeneration, "preTokenGenerationConfig.lambdaArn", v.LambdaArn); err != nil {
			return c, err
		}
		switch v.LambdaVersion {
		case PreTokenV1, PreTokenV2, PreTokenV3:
		default:
			return c, wire.InvalidParameter("1 validation error detected: Value '%s' at 'lambdaConfig.preTokenGenerationConfig.lambdaVersion' failed to satisfy constraint: Member must satisfy enum value set: [V1_0, V2_0, V3_0]",
				wire.Truncate(v.LambdaVersion, 32))
		}
		if v.LambdaVersion != PreTokenV1 {
			c.PreTokenGenerationVersion = v.LambdaVersion
		}
	}
	for _, t := range []struct {
		trigger, field string
		v              *VersionedLambda
	}{{TriggerCustomSMSSender, "customSMSSender", w.CustomSMSSender}, {TriggerCustomEmailSender, "customEmailSender", w.CustomEmailSender}} {
		if t.v == nil {
			continue
		}
		if t.v.LambdaArn == "" {
			return c, wire.InvalidParameter("Missing required parameter LambdaArn in %s", t.trigger)
		}
		if t.v.LambdaVersion != "V1_0" {
			return c, wire.InvalidParameter("1 validation error detected: Value '%s' at 'lambdaConfig.%s.lambdaVersion' failed to satisfy constraint: Member must satisfy enum value set: [V1_0]",
				wire.Truncate(t.v.LambdaVersion, 32), t.field)
		}
		if err := set(t.trigger, t.field+".lambdaArn", t.v.LambdaArn); err != nil {
			return c, err
		}
	}
	if w.KMSKeyID != "" {
		if !arnRE.MatchString(w.KMSKeyID) {
			return c, patternError("kMSKeyID", w.KMSKeyID)
		}
		c.KMSKeyID = w.KMSKeyID
	}
	if (w.CustomSMSSender != nil || w.CustomEmailSender != nil) && c.KMSKeyID == "" {
		return c, wire.InvalidParameter("KMSKeyID is required when a custom sender trigger (CustomEmailSender, CustomSMSSender) is set")
	}
	if len(c.Triggers) == 0 {
		c.Triggers = nil
	}
	return c, nil
}

// LambdaConfigOut returns a pool's triggers as DescribeUserPool shows
// them (an empty object when it has none). Triggers configured with a URL
// (seeds, cognito local --trigger) show the URL.
func LambdaConfigOut(c state.LambdaConfig) *LambdaConfigWire {
	t := c.Triggers
	w := &LambdaConfigWire{PreSignUp: t[TriggerPreSignUp], CustomMessage: t[TriggerCustomMessage], PostConfirmation: t[TriggerPostConfirmation],
		PreAuthentication: t[TriggerPreAuthentication], PostAuthentication: t[TriggerPostAuthentication], DefineAuthChallenge: t[TriggerDefineAuth],
		CreateAuthChallenge: t[TriggerCreateAuth], VerifyAuthChallengeResponse: t[TriggerVerifyAuth], PreTokenGeneration: t[TriggerPreTokenGeneration],
		UserMigration: t[TriggerUserMigration], KMSKeyID: c.KMSKeyID}
	if arn := t[TriggerPreTokenGeneration]; arn != "" {
		v := c.PreTokenGenerationVersion
		if v == "" {
			v = PreTokenV1
		}
		w.PreTokenGenerationConfig = &VersionedLambda{LambdaArn: arn, LambdaVersion: v}
	}
	if arn := t[TriggerCustomSMSSender]; arn != "" {
		w.CustomSMSSender = &VersionedLambda{LambdaArn: arn, LambdaVersion: "V1_0"}
	}
	if arn := t[TriggerCustomEmailSender]; arn != "" {
		w.CustomEmailSender = &VersionedLambda{LambdaArn: arn, LambdaVersion: "V1_0"}
	}
	return w
}

// FunctionARN returns the ARN of the function name in the region: what a
// pool's triggers configured in Go refer to.
func FunctionARN(region, name string) string {
	return "arn:aws:lambda:" + region + ":000000000000:function:" + name
}

// SetLambdaConfig replaces a pool's triggers (checked with
// [CheckLambdaConfig], URLs allowed).
func (s *Service) SetLambdaConfig(poolID string, c state.LambdaConfig) error {
	if err := CheckLambdaConfig(c, true); err != nil {
		return err
	}
	return s.State.Update(func(tx *state.Tx) error {
		p := tx.Pool(poolID)
		if p == nil {
			return emulator.NotFoundf("user pool %q", poolID)
		}
		np := p.Clone()
		np.LambdaConfig = c.Clone()
		np.ModifiedAt = s.Now()
		tx.PutPool(np)
		return nil
	})
}

// RegisterFunction registers an in-process or HTTP function under a name
// that ARNs refer to.
func (s *Service) RegisterFunction(name string, fn lambda.Function) error {
	if !lambda.ValidName(name) {
		return emulator.Invalidf("Lambda function name %q: want 1 to 64 letters, digits, hyphens and underscores", wire.Truncate(name, 80))
	}
	s.Lambdas.Set(name, fn)
	return nil
}
