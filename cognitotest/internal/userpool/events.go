package userpool

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// The events of the Lambda triggers, as Cognito sends them: the fields in
// the order of the Cognito documentation, nulls where Cognito sends nulls
// (an absent validationData, the response fields the function is to
// fill), and clientMetadata only when the request had ClientMetadata.
// Responses are decoded into aws-lambda-go's event types, which is what
// Go trigger code returns.

// Caller is what the events say of the call that runs a trigger: the app
// client (callerContext.clientId; "" is null, NoClient for administrative
// operations) and the request's ClientMetadata.
type Caller struct {
	ClientID string
	Metadata map[string]string
}

// CallerOf returns the caller of the API call of ctx: the ClientId and
// ClientMetadata of its request (or what the operation set since, see
// [emulator.SetCaller]).
func CallerOf(ctx context.Context) Caller {
	id, meta := emulator.CallerOf(ctx)
	return Caller{ClientID: id, Metadata: meta}
}

type callerContext struct {
	AWSSDKVersion string  `json:"awsSdkVersion"`
	ClientID      *string `json:"clientId"`
}

// header holds the common parameters of every event.
type header struct {
	Version       string        `json:"version"`
	TriggerSource string        `json:"triggerSource"`
	Region        string        `json:"region"`
	UserPoolID    string        `json:"userPoolId"`
	UserName      *string       `json:"userName"`
	CallerContext callerContext `json:"callerContext"`
}

func newHeader(p *state.Pool, source, username string, c Caller) header {
	h := header{Version: "1", TriggerSource: source, Region: p.Region(), UserPoolID: p.ID,
		CallerContext: callerContext{AWSSDKVersion: SDKVersion}}
	if username != "" {
		h.UserName = &username
	}
	if c.ClientID != "" {
		id := c.ClientID
		h.CallerContext.ClientID = &id
	}
	return h
}

// meta returns ClientMetadata for an event (nil when empty, so that
// omitempty leaves it out).
func meta(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// EventAttributes returns a user's attributes as events carry them: the
// user's attributes, sub, and cognito:user_status.
func EventAttributes(u *state.User) map[string]string {
	m := AttrMap(u)
	m["cognito:user_status"] = u.Status
	return m
}

// runRequired invokes a trigger that the flow cannot go without: "not
// configured" is an InvalidParameterException with the message missing.
func (s *Service) runRequired(ctx context.Context, p *state.Pool, trigger, source string, ev, resp any, missing string) error {
	err := s.invoke(ctx, p.LambdaConfig, trigger, source, ev, resp)
	if errors.Is(err, errTriggerNotDefined) {
		return wire.InvalidParameter("%s", missing)
	}
	return err
}

// run invokes a trigger, with "not configured" as a nil error and
// configured reporting whether it ran.
func (s *Service) run(ctx context.Context, p *state.Pool, trigger, source string, ev, resp any) (configured bool, err error) {
	err = s.invoke(ctx, p.LambdaConfig, trigger, source, ev, resp)
	if errors.Is(err, errTriggerNotDefined) {
		return false, nil
	}
	return true, err
}

// ---- PreSignUp --------------------------------------------------------------

// PreSignUp describes a sign-up for the PreSignUp trigger.
type PreSignUp struct {
	Source         string // "PreSignUp_SignUp" or "PreSignUp_AdminCreateUser"
	Caller         Caller
	Username       string            // the internal username
	Attributes     map[string]string // userAttributes
	ValidationData map[string]string // nil: none (null)
}

type preSignUpEvent struct {
	header
	Request struct {
		UserAttributes map[string]string `json:"userAttributes"`
		ValidationData map[string]string `json:"validationData"`
		ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	} `json:"request"`
	Response events.CognitoEventUserPoolsPreSignupResponse `json:"response"`
}

// RunPreSignUp runs the pool's PreSignUp trigger, and returns its response
// (zero when the pool has none).
func (s *Service) RunPreSignUp(ctx context.Context, p *state.Pool, in PreSignUp) (events.CognitoEventUserPoolsPreSignupResponse, error) {
	ev := preSignUpEvent{header: newHeader(p, in.Source, in.Username, in.Caller)}
	ev.Request.UserAttributes = nonNil(in.Attributes)
	ev.Request.ValidationData = in.ValidationData
	ev.Request.ClientMetadata = meta(in.Caller.Metadata)
	var resp events.CognitoEventUserPoolsPreSignupResponse
	_, err := s.run(ctx, p, TriggerPreSignUp, in.Source, ev, &resp)
	return resp, err
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// ---- PostConfirmation -------------------------------------------------------

type postConfirmationEvent struct {
	header
	Request struct {
		UserAttributes map[string]string `json:"userAttributes"`
		ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	} `json:"request"`
	Response struct{} `json:"response"`
}

// RunPostConfirmation runs the pool's PostConfirmation trigger for u, a
// user just confirmed; source is PostConfirmation_ConfirmSignUp or
// PostConfirmation_ConfirmForgotPassword.
func (s *Service) RunPostConfirmation(ctx context.Context, p *state.Pool, source string, c Caller, u *state.User) error {
	ev := postConfirmationEvent{header: newHeader(p, source, u.Username, c)}
	ev.Request.UserAttributes = EventAttributes(u)
	ev.Request.ClientMetadata = meta(c.Metadata)
	_, err := s.run(ctx, p, TriggerPostConfirmation, source, ev, nil)
	return err
}

// ---- PreAuthentication, PostAuthentication ---------------------------------

type preAuthenticationEvent struct {
	header
	Request struct {
		UserAttributes map[string]string `json:"userAttributes"`
		ValidationData map[string]string `json:"validationData"`
		UserNotFound   bool              `json:"userNotFound"`
	} `json:"request"`
	Response struct{} `json:"response"`
}

// RunPreAuthentication runs the pool's PreAuthentication trigger for a
// sign-in of u; for a user that does not exist (u nil, when the app
// client prevents user existence errors), with userNotFound and the name
// the user gave. The ClientMetadata of the sign-in is the event's
// validationData.
func (s *Service) RunPreAuthentication(ctx context.Context, p *state.Pool, c Caller, name string, u *state.User) error {
	if u != nil {
		name = u.Username
	}
	ev := preAuthenticationEvent{header: newHeader(p, "PreAuthentication_Authentication", name, c)}
	ev.Request.UserAttributes = map[string]string{}
	if u != nil {
		ev.Request.UserAttributes = EventAttributes(u)
	}
	ev.Request.ValidationData = meta(c.Metadata)
	ev.Request.UserNotFound = u == nil
	_, err := s.run(ctx, p, TriggerPreAuthentication, "PreAuthentication_Authentication", ev, nil)
	return err
}

type postAuthenticationEvent struct {
	header
	Request struct {
		NewDeviceUsed  bool              `json:"newDeviceUsed"`
		UserAttributes map[string]string `json:"userAttributes"`
		ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	} `json:"request"`
	Response struct{} `json:"response"`
}

// RunPostAuthentication runs the pool's PostAuthentication trigger after
// u signed in (on a device new to the pool when newDevice).
func (s *Service) RunPostAuthentication(ctx context.Context, p *state.Pool, c Caller, u *state.User, newDevice bool) error {
	ev := postAuthenticationEvent{header: newHeader(p, "PostAuthentication_Authentication", u.Username, c)}
	ev.Request.NewDeviceUsed = newDevice
	ev.Request.UserAttributes = EventAttributes(u)
	ev.Request.ClientMetadata = meta(c.Metadata)
	_, err := s.run(ctx, p, TriggerPostAuthentication, "PostAuthentication_Authentication", ev, nil)
	return err
}

// ---- custom authentication --------------------------------------------------

// ChallengeResult is one step of a CUSTOM_AUTH session, as in the events.
type ChallengeResult struct {
	ChallengeName     string `json:"challengeName"` // "SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"
	ChallengeResult   bool   `json:"challengeResult"`
	ChallengeMetadata string `json:"challengeMetadata"` // "" is null
}

// MarshalJSON encodes r as Cognito does: challengeMetadata is null unless
// CreateAuthChallenge set it.
func (r ChallengeResult) MarshalJSON() ([]byte, error) {
	var md *string
	if r.ChallengeMetadata != "" {
		md = &r.ChallengeMetadata
	}
	return json.Marshal(struct {
		ChallengeName     string  `json:"challengeName"`
		ChallengeResult   bool    `json:"challengeResult"`
		ChallengeMetadata *string `json:"challengeMetadata"`
	}{r.ChallengeName, r.ChallengeResult, md})
}

// CustomAuth describes the user of a CUSTOM_AUTH sign-in for its
// triggers.
type CustomAuth struct {
	Caller     Caller
	Username   string
	Attributes map[string]string
	NotFound   bool // the user does not exist (userNotFound)
	Session    []ChallengeResult
}

type defineAuthEvent struct {
	header
	Request struct {
		UserAttributes map[string]string `json:"userAttributes"`
		Session        []ChallengeResult `json:"session"`
		ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
		UserNotFound   bool              `json:"userNotFound"`
	} `json:"request"`
	Response struct {
		ChallengeName      *string `json:"challengeName"`
		IssueTokens        *bool   `json:"issueTokens"`
		FailAuthentication *bool   `json:"failAuthentication"`
	} `json:"response"`
}

func (a *CustomAuth) session() []ChallengeResult {
	if a.Session == nil {
		return []ChallengeResult{}
	}
	return a.Session
}

// RunDefineAuthChallenge runs the DefineAuthChallenge trigger.
func (s *Service) RunDefineAuthChallenge(ctx context.Context, p *state.Pool, a CustomAuth) (events.CognitoEventUserPoolsDefineAuthChallengeResponse, error) {
	const source = "DefineAuthChallenge_Authentication"
	ev := defineAuthEvent{header: newHeader(p, source, a.Username, a.Caller)}
	ev.Request.UserAttributes = nonNil(a.Attributes)
	ev.Request.Session = a.session()
	ev.Request.ClientMetadata = meta(a.Caller.Metadata)
	ev.Request.UserNotFound = a.NotFound
	var resp events.CognitoEventUserPoolsDefineAuthChallengeResponse
	err := s.runRequired(ctx, p, TriggerDefineAuth, source, ev, &resp, "Custom auth lambda trigger is not configured for the user pool.")
	return resp, err
}

type createAuthEvent struct {
	header
	Request struct {
		UserAttributes map[string]string `json:"userAttributes"`
		ChallengeName  string            `json:"challengeName"`
		Session        []ChallengeResult `json:"session"`
		ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
		UserNotFound   bool              `json:"userNotFound"`
	} `json:"request"`
	Response struct {
		PublicChallengeParameters  map[string]string `json:"publicChallengeParameters"`
		PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
		ChallengeMetadata          *string           `json:"challengeMetadata"`
	} `json:"response"`
}

// RunCreateAuthChallenge runs the CreateAuthChallenge trigger for the
// challenge DefineAuthChallenge asked for.
func (s *Service) RunCreateAuthChallenge(ctx context.Context, p *state.Pool, a CustomAuth, challenge string) (events.CognitoEventUserPoolsCreateAuthChallengeResponse, error) {
	const source = "CreateAuthChallenge_Authentication"
	ev := createAuthEvent{header: newHeader(p, source, a.Username, a.Caller)}
	ev.Request.UserAttributes = nonNil(a.Attributes)
	ev.Request.ChallengeName = challenge
	ev.Request.Session = a.session()
	ev.Request.ClientMetadata = meta(a.Caller.Metadata)
	ev.Request.UserNotFound = a.NotFound
	var resp events.CognitoEventUserPoolsCreateAuthChallengeResponse
	err := s.runRequired(ctx, p, TriggerCreateAuth, source, ev, &resp, "Create auth challenge lambda trigger is not configured for the user pool.")
	return resp, err
}

type verifyAuthEvent struct {
	header
	Request struct {
		UserAttributes             map[string]string `json:"userAttributes"`
		PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
		ChallengeAnswer            string            `json:"challengeAnswer"`
		ClientMetadata             map[string]string `json:"clientMetadata,omitempty"`
		UserNotFound               bool              `json:"userNotFound"`
	} `json:"request"`
	Response struct {
		AnswerCorrect *bool `json:"answerCorrect"`
	} `json:"response"`
}

// RunVerifyAuthChallenge runs the VerifyAuthChallengeResponse trigger on
// the ANSWER to a custom challenge, and reports whether it is correct.
func (s *Service) RunVerifyAuthChallenge(ctx context.Context, p *state.Pool, a CustomAuth, private map[string]string, answer string) (bool, error) {
	const source = "VerifyAuthChallengeResponse_Authentication"
	ev := verifyAuthEvent{header: newHeader(p, source, a.Username, a.Caller)}
	ev.Request.UserAttributes = nonNil(a.Attributes)
	ev.Request.PrivateChallengeParameters = nonNil(private)
	ev.Request.ChallengeAnswer = answer
	ev.Request.ClientMetadata = meta(a.Caller.Metadata)
	ev.Request.UserNotFound = a.NotFound
	var resp events.CognitoEventUserPoolsVerifyAuthChallengeResponse
	err := s.runRequired(ctx, p, TriggerVerifyAuth, source, ev, &resp, "Verify auth challenge response lambda trigger is not configured for the user pool.")
	return resp.AnswerCorrect, err
}

// ---- CustomMessage, custom senders ------------------------------------------

// The placeholders of CustomMessage events.
const (
	CodeParameter     = "{####}"
	LinkParameter     = "{##Click Here##}"
	UsernameParameter = "{username}"
)

type customMessageEvent struct {
	header
	Request struct {
		UserAttributes    map[string]string `json:"userAttributes"`
		CodeParameter     string            `json:"codeParameter"`
		LinkParameter     string            `json:"linkParameter"`
		UsernameParameter *string           `json:"usernameParameter"`
		ClientMetadata    map[string]string `json:"clientMetadata,omitempty"`
	} `json:"request"`
	Response struct {
		SMSMessage   *string `json:"smsMessage"`
		EmailMessage *string `json:"emailMessage"`
		EmailSubject *string `json:"emailSubject"`
	} `json:"response"`
}

type senderEvent struct {
	header
	Request struct {
		UserAttributes map[string]string `json:"userAttributes"`
		Type           string            `json:"type"`
		Code           string            `json:"code"`
		ClientMetadata map[string]string `json:"clientMetadata"`
	} `json:"request"`
}

// ---- UserMigration ----------------------------------------------------------

type migrationEvent struct {
	header
	Request struct {
		Password       *string           `json:"password,omitempty"`
		ValidationData map[string]string `json:"validationData"`
		ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	} `json:"request"`
	Response struct {
		UserAttributes         map[string]string `json:"userAttributes"`
		FinalUserStatus        *string           `json:"finalUserStatus"`
		MessageAction          *string           `json:"messageAction"`
		DesiredDeliveryMediums []string          `json:"desiredDeliveryMediums"`
		ForceAliasCreation     *bool             `json:"forceAliasCreation"`
		EnableSMSMFA           *bool             `json:"enableSMSMFA"`
	} `json:"response"`
}

// migrationResponse is the response of UserMigration:
// aws-lambda-go's, with enableSMSMFA, which its type lacks.
type migrationResponse struct {
	events.CognitoEventUserPoolsMigrateUserResponse
	EnableSMSMFA bool `json:"enableSMSMFA"`
}

// ---- PreTokenGeneration -----------------------------------------------------

type groupConfiguration struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

type preTokenEventV1 struct {
	header
	Request struct {
		UserAttributes     map[string]string  `json:"userAttributes"`
		GroupConfiguration groupConfiguration `json:"groupConfiguration"`
		ClientMetadata     map[string]string  `json:"clientMetadata,omitempty"`
	} `json:"request"`
	Response struct {
		ClaimsOverrideDetails *struct{} `json:"claimsOverrideDetails"`
	} `json:"response"`
}

type preTokenEventV2 struct {
	header
	Request struct {
		UserAttributes     map[string]string  `json:"userAttributes"`
		Scopes             []string           `json:"scopes"`
		GroupConfiguration groupConfiguration `json:"groupConfiguration"`
		ClientMetadata     map[string]string  `json:"clientMetadata,omitempty"`
	} `json:"request"`
	Response struct {
		ClaimsAndScopeOverrideDetails *struct{} `json:"claimsAndScopeOverrideDetails"`
	} `json:"response"`
}
