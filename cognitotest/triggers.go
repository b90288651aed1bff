package cognitotest

import (
	"context"
	"slices"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// Triggers holds Go callbacks, with this package's own event types, for
// four of a pool's Lambda triggers. They are called without any lock held
// and may call the server. A nil trigger is not configured.
//
// Deprecated: use [LambdaTriggers], which runs your aws-lambda-go
// handlers, with Cognito's event JSON, for every trigger. Triggers are
// forwarded onto it.
type Triggers struct {
	// DefineAuthChallenge decides the next step of CUSTOM_AUTH.
	DefineAuthChallenge func(ctx context.Context, ev *DefineAuthChallengeEvent) error
	// CreateAuthChallenge creates a CUSTOM_CHALLENGE.
	CreateAuthChallenge func(ctx context.Context, ev *CreateAuthChallengeEvent) error
	// VerifyAuthChallengeResponse checks the ANSWER to a CUSTOM_CHALLENGE.
	VerifyAuthChallengeResponse func(ctx context.Context, ev *VerifyAuthChallengeEvent) error
	// PreTokenGeneration may add or suppress claims of the ID and access
	// tokens issued by sign-in and refresh.
	PreTokenGeneration func(ctx context.Context, ev *PreTokenGenerationEvent) error
}

// ChallengeResult is one step of a CUSTOM_AUTH session, as in the Lambda
// event.
type ChallengeResult struct {
	ChallengeName     string // "SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"
	ChallengeResult   bool
	ChallengeMetadata string
}

// DefineAuthChallengeEvent is the input and output of the
// DefineAuthChallenge trigger.
type DefineAuthChallengeEvent struct {
	UserPoolID     string
	ClientID       string
	Username       string // internal username
	UserAttributes map[string]string
	Session        []ChallengeResult
	ClientMetadata map[string]string
	// Set by the trigger:
	ChallengeName      string // "CUSTOM_CHALLENGE", "PASSWORD_VERIFIER"
	IssueTokens        bool
	FailAuthentication bool
}

// CreateAuthChallengeEvent is the input and output of the
// CreateAuthChallenge trigger.
type CreateAuthChallengeEvent struct {
	UserPoolID     string
	ClientID       string
	Username       string
	UserAttributes map[string]string
	ChallengeName  string
	Session        []ChallengeResult
	ClientMetadata map[string]string
	// Set by the trigger:
	PublicChallengeParameters  map[string]string
	PrivateChallengeParameters map[string]string
	ChallengeMetadata          string
}

// VerifyAuthChallengeEvent is the input and output of the
// VerifyAuthChallengeResponse trigger.
type VerifyAuthChallengeEvent struct {
	UserPoolID                 string
	ClientID                   string
	Username                   string
	UserAttributes             map[string]string
	PrivateChallengeParameters map[string]string
	ChallengeAnswer            string
	ClientMetadata             map[string]string
	// Set by the trigger:
	AnswerCorrect bool
}

// PreTokenGenerationEvent is the input and output of the PreTokenGeneration
// trigger.
type PreTokenGenerationEvent struct {
	UserPoolID     string
	ClientID       string
	Username       string
	UserAttributes map[string]string
	Groups         []string
	TriggerSource  string // "TokenGeneration_Authentication", "TokenGeneration_RefreshTokens", ...
	// Set by the trigger:
	IDClaimsToAdd          map[string]any
	IDClaimsToSuppress     []string
	AccessClaimsToAdd      map[string]any
	AccessClaimsToSuppress []string
}

// lambdaTriggers forwards the callbacks onto [LambdaTriggers]: each
// becomes a handler of the aws-lambda-go event type, adapted to this
// package's event type and back. A callback and a LambdaTriggers field for
// the same trigger are refused. PreTokenGeneration gets the V2_0 event
// (its callbacks change both tokens) unless lt says otherwise.
func (t Triggers) lambdaTriggers(lt LambdaTriggers) (LambdaTriggers, error) {
	both := func(name string, a, b any) error {
		if a != nil && b != nil {
			return invalidf("the %s trigger is set twice, in Triggers and in LambdaTriggers: set LambdaTriggers only", name)
		}
		return nil
	}
	if fn := t.DefineAuthChallenge; fn != nil {
		if err := both("DefineAuthChallenge", lt.DefineAuthChallenge, fn); err != nil {
			return lt, err
		}
		lt.DefineAuthChallenge = func(ctx context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
			pub := DefineAuthChallengeEvent{UserPoolID: ev.UserPoolID, ClientID: ev.CallerContext.ClientID, Username: ev.UserName,
				UserAttributes: ev.Request.UserAttributes, Session: results(ev.Request.Session), ClientMetadata: ev.Request.ClientMetadata}
			err := fn(ctx, &pub)
			ev.Response.ChallengeName, ev.Response.IssueTokens, ev.Response.FailAuthentication = pub.ChallengeName, pub.IssueTokens, pub.FailAuthentication
			return ev, err
		}
	}
	if fn := t.CreateAuthChallenge; fn != nil {
		if err := both("CreateAuthChallenge", lt.CreateAuthChallenge, fn); err != nil {
			return lt, err
		}
		lt.CreateAuthChallenge = func(ctx context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error) {
			pub := CreateAuthChallengeEvent{UserPoolID: ev.UserPoolID, ClientID: ev.CallerContext.ClientID, Username: ev.UserName,
				UserAttributes: ev.Request.UserAttributes, ChallengeName: ev.Request.ChallengeName, Session: results(ev.Request.Session),
				ClientMetadata: ev.Request.ClientMetadata}
			err := fn(ctx, &pub)
			ev.Response.PublicChallengeParameters, ev.Response.PrivateChallengeParameters, ev.Response.ChallengeMetadata = pub.PublicChallengeParameters, pub.PrivateChallengeParameters, pub.ChallengeMetadata
			return ev, err
		}
	}
	if fn := t.VerifyAuthChallengeResponse; fn != nil {
		if err := both("VerifyAuthChallengeResponse", lt.VerifyAuthChallengeResponse, fn); err != nil {
			return lt, err
		}
		lt.VerifyAuthChallengeResponse = func(ctx context.Context, ev events.CognitoEventUserPoolsVerifyAuthChallenge) (events.CognitoEventUserPoolsVerifyAuthChallenge, error) {
			answer, _ := ev.Request.ChallengeAnswer.(string)
			pub := VerifyAuthChallengeEvent{UserPoolID: ev.UserPoolID, ClientID: ev.CallerContext.ClientID, Username: ev.UserName,
				UserAttributes: ev.Request.UserAttributes, PrivateChallengeParameters: ev.Request.PrivateChallengeParameters,
				ChallengeAnswer: answer, ClientMetadata: ev.Request.ClientMetadata}
			err := fn(ctx, &pub)
			ev.Response.AnswerCorrect = pub.AnswerCorrect
			return ev, err
		}
	}
	if fn := t.PreTokenGeneration; fn != nil {
		if err := both("PreTokenGeneration", lt.PreTokenGeneration, fn); err != nil {
			return lt, err
		}
		if lt.PreTokenGenerationVersion == "" {
			lt.PreTokenGenerationVersion = userpool.PreTokenV2
		}
		lt.PreTokenGeneration = func(ctx context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
			pub := PreTokenGenerationEvent{UserPoolID: ev.UserPoolID, ClientID: ev.CallerContext.ClientID, Username: ev.UserName,
				UserAttributes: ev.Request.UserAttributes, Groups: ev.Request.GroupConfiguration.GroupsToOverride, TriggerSource: ev.TriggerSource}
			err := fn(ctx, &pub)
			d := &ev.Response.ClaimsAndScopeOverrideDetails
			d.IDTokenGeneration.ClaimsToAddOrOverride, d.IDTokenGeneration.ClaimsToSuppress = split(pub.IDClaimsToAdd, pub.IDClaimsToSuppress)
			d.AccessTokenGeneration.ClaimsToAddOrOverride, d.AccessTokenGeneration.ClaimsToSuppress = split(pub.AccessClaimsToAdd, pub.AccessClaimsToSuppress)
			return ev, err
		}
	}
	return lt, nil
}

// split returns claims to add (those of add with a value) and to suppress
// (suppress, and those of add without a value).
func split(add map[string]any, suppress []string) (map[string]any, []string) {
	out := map[string]any{}
	sup := slices.Clone(suppress)
	for k, v := range add {
		if v == nil {
			sup = append(sup, k)
		} else {
			out[k] = v
		}
	}
	return out, sup
}

func results(in []*events.CognitoEventUserPoolsChallengeResult) []ChallengeResult {
	out := make([]ChallengeResult, 0, len(in))
	for _, r := range in {
		if r != nil {
			out = append(out, ChallengeResult{ChallengeName: r.ChallengeName, ChallengeResult: r.ChallengeResult, ChallengeMetadata: r.ChallengeMetadata})
		}
	}
	return out
}
