package cognitotest

import (
	"context"

	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// Triggers holds the Go functions that stand in for a pool's Lambda
// triggers. They are called without any lock held and may call the
// server. A nil trigger is not configured.
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

// internal returns the triggers as the emulator calls them: each adapts
// the event to this package's type and back.
func (t Triggers) internal() userpool.Triggers {
	var out userpool.Triggers
	if fn := t.DefineAuthChallenge; fn != nil {
		out.DefineAuthChallenge = func(ctx context.Context, ev *userpool.DefineAuthChallengeEvent) error {
			pub := DefineAuthChallengeEvent{UserPoolID: ev.UserPoolID, ClientID: ev.ClientID, Username: ev.Username,
				UserAttributes: ev.UserAttributes, Session: results(ev.Session), ClientMetadata: ev.ClientMetadata}
			err := fn(ctx, &pub)
			ev.ChallengeName, ev.IssueTokens, ev.FailAuthentication = pub.ChallengeName, pub.IssueTokens, pub.FailAuthentication
			return err
		}
	}
	if fn := t.CreateAuthChallenge; fn != nil {
		out.CreateAuthChallenge = func(ctx context.Context, ev *userpool.CreateAuthChallengeEvent) error {
			pub := CreateAuthChallengeEvent{UserPoolID: ev.UserPoolID, ClientID: ev.ClientID, Username: ev.Username,
				UserAttributes: ev.UserAttributes, ChallengeName: ev.ChallengeName, Session: results(ev.Session), ClientMetadata: ev.ClientMetadata}
			err := fn(ctx, &pub)
			ev.PublicChallengeParameters, ev.PrivateChallengeParameters, ev.ChallengeMetadata = pub.PublicChallengeParameters, pub.PrivateChallengeParameters, pub.ChallengeMetadata
			return err
		}
	}
	if fn := t.VerifyAuthChallengeResponse; fn != nil {
		out.VerifyAuthChallengeResponse = func(ctx context.Context, ev *userpool.VerifyAuthChallengeEvent) error {
			pub := VerifyAuthChallengeEvent(*ev)
			err := fn(ctx, &pub)
			ev.AnswerCorrect = pub.AnswerCorrect
			return err
		}
	}
	if fn := t.PreTokenGeneration; fn != nil {
		out.PreTokenGeneration = func(ctx context.Context, ev *userpool.PreTokenGenerationEvent) error {
			pub := PreTokenGenerationEvent(*ev)
			err := fn(ctx, &pub)
			*ev = userpool.PreTokenGenerationEvent(pub)
			return err
		}
	}
	return out
}

func results(in []userpool.ChallengeResult) []ChallengeResult {
	out := make([]ChallengeResult, len(in))
	for i, r := range in {
		out[i] = ChallengeResult(r)
	}
	return out
}
