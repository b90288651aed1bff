package userpool

import "context"

// Triggers holds the Go functions that stand in for a pool's Lambda
// triggers (cognitotest.Triggers). They are called without any lock held
// and may call the server. A nil trigger is not configured. Triggers are
// code, not state: they are not stored, and a pool created through the API
// has none.
type Triggers struct {
	DefineAuthChallenge         func(ctx context.Context, ev *DefineAuthChallengeEvent) error
	CreateAuthChallenge         func(ctx context.Context, ev *CreateAuthChallengeEvent) error
	VerifyAuthChallengeResponse func(ctx context.Context, ev *VerifyAuthChallengeEvent) error
	PreTokenGeneration          func(ctx context.Context, ev *PreTokenGenerationEvent) error
}

// SetTriggers sets the triggers of a pool.
func (s *Service) SetTriggers(poolID string, t Triggers) {
	s.trigMu.Lock()
	defer s.trigMu.Unlock()
	if t.DefineAuthChallenge == nil && t.CreateAuthChallenge == nil && t.VerifyAuthChallengeResponse == nil && t.PreTokenGeneration == nil {
		delete(s.triggers, poolID)
		return
	}
	s.triggers[poolID] = t
}

// Triggers returns the triggers of a pool.
func (s *Service) Triggers(poolID string) Triggers {
	s.trigMu.RLock()
	defer s.trigMu.RUnlock()
	return s.triggers[poolID]
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
