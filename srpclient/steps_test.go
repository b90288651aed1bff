package srpclient

import (
	"context"
	"errors"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// scriptAPI answers InitiateAuth and RespondToAuthChallenge from a script
// and records what the client sent.
type scriptAPI struct {
	API
	outs      []*cip.RespondToAuthChallengeOutput
	initiated *cip.InitiateAuthInput
	responses []*cip.RespondToAuthChallengeInput
}

func (s *scriptAPI) next() *cip.RespondToAuthChallengeOutput {
	o := s.outs[0]
	s.outs = s.outs[1:]
	return o
}

func (s *scriptAPI) InitiateAuth(_ context.Context, in *cip.InitiateAuthInput, _ ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	s.initiated = in
	o := s.next()
	return &cip.InitiateAuthOutput{ChallengeName: o.ChallengeName, ChallengeParameters: o.ChallengeParameters, Session: o.Session,
		AuthenticationResult: o.AuthenticationResult, AvailableChallenges: []types.ChallengeNameType{"PASSWORD", "EMAIL_OTP", "WEB_AUTHN"}}, nil
}

func (s *scriptAPI) RespondToAuthChallenge(_ context.Context, in *cip.RespondToAuthChallengeInput, _ ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	s.responses = append(s.responses, in)
	return s.next(), nil
}

func tokensOut() *cip.RespondToAuthChallengeOutput {
	return &cip.RespondToAuthChallengeOutput{AuthenticationResult: &types.AuthenticationResultType{AccessToken: ptr("a.b.c"), IdToken: ptr("i"), RefreshToken: ptr("r"), ExpiresIn: 60}}
}

func TestSelectChallengeAndWebAuthn(t *testing.T) {
	s := &scriptAPI{outs: []*cip.RespondToAuthChallengeOutput{
		{ChallengeName: "SELECT_CHALLENGE", Session: ptr("s1"), ChallengeParameters: map[string]string{"USERNAME": "internal-1"}},
		{ChallengeName: "WEB_AUTHN", Session: ptr("s2"), ChallengeParameters: map[string]string{"CREDENTIAL_REQUEST_OPTIONS": `{"challenge":"abc"}`}},
		tokensOut(),
	}}
	c, err := New(Config{API: s, UserPoolID: "us-east-1_S", ClientID: "cid", ClientSecret: "sec"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := c.SignIn(ctx, SignInInput{Username: "ann@example.com", Flow: FlowUserAuth})
	if err != nil {
		t.Fatal(err)
	}
	if s.initiated.AuthFlow != types.AuthFlowTypeUserAuth || s.initiated.AuthParameters["PREFERRED_CHALLENGE"] != "" {
		t.Errorf("InitiateAuth: %+v", s.initiated.AuthParameters)
	}
	sel, ok := res.Next.(*SelectChallenge)
	if !ok || len(sel.Available) != 3 {
		t.Fatalf("got %T %v", res.Next, sel)
	}
	if _, err := sel.Choose(ctx, "PASSWORD"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("PASSWORD without a password: got %v; want ErrInvalidInput", err)
	}
	if _, err := sel.Choose(ctx, "SMS_OTP"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("unavailable choice: got %v; want ErrInvalidInput", err)
	}
	res, err = sel.Choose(ctx, "WEB_AUTHN")
	if err != nil {
		t.Fatal(err)
	}
	r := s.responses[0]
	if r.ChallengeName != "SELECT_CHALLENGE" || r.ChallengeResponses["ANSWER"] != "WEB_AUTHN" || r.ChallengeResponses["USERNAME"] != "internal-1" ||
		r.ChallengeResponses["SECRET_HASH"] != c.secretHash("internal-1") || deref(r.Session) != "s1" {
		t.Errorf("SELECT_CHALLENGE response: %+v session %q", r.ChallengeResponses, deref(r.Session))
	}
	wa, ok := res.Next.(*WebAuthnRequired)
	if !ok || wa.CredentialRequestOptions != `{"challenge":"abc"}` {
		t.Fatalf("got %T", res.Next)
	}
	if _, err := wa.Answer(ctx, "not json"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("non-JSON credential: got %v", err)
	}
	res, err = wa.Answer(ctx, `{"id":"cred"}`)
	if err != nil || !res.Done() {
		t.Fatalf("WEB_AUTHN answer: %v", err)
	}
	if got := s.responses[1].ChallengeResponses["CREDENTIAL"]; got != `{"id":"cred"}` || deref(s.responses[1].Session) != "s2" {
		t.Errorf("CREDENTIAL: got %q", got)
	}
}

func TestUnsupportedAndEmptyChallenges(t *testing.T) {
	for name, out := range map[string]*cip.RespondToAuthChallengeOutput{
		"unknown":             {ChallengeName: "TELEPATHY", Session: ptr("s")},
		"empty":               {},
		"select mfa no list":  {ChallengeName: "SELECT_MFA_TYPE", Session: ptr("s")},
		"device without one":  {ChallengeName: "DEVICE_SRP_AUTH", Session: ptr("s")},
		"verifier without A":  {ChallengeName: "PASSWORD_VERIFIER", Session: ptr("s"), ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": "u"}},
		"tokens without auth": {AuthenticationResult: &types.AuthenticationResultType{}},
	} {
		t.Run(name, func(t *testing.T) {
			s := &scriptAPI{outs: []*cip.RespondToAuthChallengeOutput{out}}
			c, _ := New(Config{API: s, UserPoolID: "us-east-1_S", ClientID: "cid"})
			_, err := c.SignIn(context.Background(), SignInInput{Username: "u", Password: "p", Flow: FlowPassword})
			var ce *ChallengeError
			switch {
			case name == "unknown":
				if !errors.As(err, &ce) || ce.Name != "TELEPATHY" || !errors.Is(err, ErrUnsupportedChallenge) {
					t.Errorf("got %v; want *ChallengeError", err)
				}
			case !errors.Is(err, ErrBadChallenge):
				t.Errorf("got %v; want ErrBadChallenge", err)
			}
			if len(s.responses) != 0 {
				t.Error("responded to an invalid challenge")
			}
		})
	}
}
