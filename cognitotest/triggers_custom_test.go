package cognitotest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
)

// customAuthHandlers are the three custom-challenge triggers of a quiz
// sign-in, as users write them for aws-lambda-go: SRP first when the
// client starts with it, then a question; three wrong answers fail.
func customAuthHandlers(rec *recorder) cognitotest.LambdaTriggers {
	define := func(_ context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
		s := ev.Request.Session
		last := func() *events.CognitoEventUserPoolsChallengeResult { return s[len(s)-1] }
		switch {
		case len(s) == 1 && last().ChallengeName == "SRP_A":
			ev.Response.ChallengeName = "PASSWORD_VERIFIER"
		case len(s) > 0 && last().ChallengeName == "PASSWORD_VERIFIER" && !last().ChallengeResult:
			ev.Response.FailAuthentication = true
		case len(s) > 0 && last().ChallengeName == "CUSTOM_CHALLENGE" && last().ChallengeResult:
			ev.Response.IssueTokens = true
		case len(s) >= 3 && last().ChallengeName == "CUSTOM_CHALLENGE":
			ev.Response.FailAuthentication = true
		default:
			ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
		}
		return ev, nil
	}
	create := func(_ context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error) {
		if ev.UserName == "bo" {
			return ev, errors.New("question bank offline")
		}
		ev.Response.PublicChallengeParameters = map[string]string{"question": "What is 6 x 7?"}
		ev.Response.PrivateChallengeParameters = map[string]string{"answer": "42"}
		ev.Response.ChallengeMetadata = fmt.Sprintf("QUIZ-%d", len(ev.Request.Session))
		return ev, nil
	}
	verify := func(_ context.Context, ev events.CognitoEventUserPoolsVerifyAuthChallenge) (events.CognitoEventUserPoolsVerifyAuthChallenge, error) {
		ev.Response.AnswerCorrect = ev.Request.ChallengeAnswer == ev.Request.PrivateChallengeParameters["answer"]
		return ev, nil
	}
	return cognitotest.LambdaTriggers{DefineAuthChallenge: rec.wrap(define), CreateAuthChallenge: rec.wrap(create), VerifyAuthChallengeResponse: rec.wrap(verify)}
}

// TestTriggerCustomAuth signs in with CUSTOM_AUTH end to end through
// srpclient and the AWS SDK: the three triggers decide, create and verify
// the challenges.
func TestTriggerCustomAuth(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	e := newTriggerEnv(t, cognitotest.PoolConfig{LambdaTriggers: customAuthHandlers(rec)})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "amy", Password: testPassword, Email: "amy@example.com"})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "bo", Password: testPassword})
	client, err := srpclient.New(srpclient.Config{API: e.api, UserPoolID: triggerPool, ClientID: triggerApp, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	const (
		define = "DefineAuthChallenge_Authentication"
		create = "CreateAuthChallenge_Authentication"
		verify = "VerifyAuthChallengeResponse_Authentication"
	)
	question := func(t *testing.T, r *srpclient.Result) *srpclient.CustomChallenge {
		t.Helper()
		c, ok := r.Next.(*srpclient.CustomChallenge)
		if !ok {
			t.Fatalf("next step %T; want a custom challenge", r.Next)
		}
		if c.Parameters["question"] != "What is 6 x 7?" || c.Parameters["USERNAME"] != "amy" {
			t.Errorf("challenge parameters %v", c.Parameters)
		}
		return c
	}

	t.Run("CUSTOM_AUTH", func(t *testing.T) {
		r, err := client.SignIn(ctx(), srpclient.SignInInput{Username: "amy", Flow: srpclient.FlowCustom, ClientMetadata: map[string]string{"app": "quiz"}})
		if err != nil {
			t.Fatal(err)
		}
		goldenEvent[events.CognitoEventUserPoolsDefineAuthChallenge](t, "DefineAuthChallenge_Authentication", rec.last(t, define))
		goldenEvent[events.CognitoEventUserPoolsCreateAuthChallenge](t, "CreateAuthChallenge_Authentication", rec.last(t, create))
		r, err = question(t, r).Answer(ctx(), "41")
		if err != nil {
			t.Fatal(err)
		}
		goldenEvent[events.CognitoEventUserPoolsVerifyAuthChallenge](t, "VerifyAuthChallengeResponse_Authentication", rec.last(t, verify))
		// Cognito passes the ClientMetadata of RespondToAuthChallenge to
		// the custom challenge triggers, never InitiateAuth's.
		var first, answered events.CognitoEventUserPoolsDefineAuthChallenge
		mustJSON(t, rec.all(define)[0], &first)
		mustJSON(t, rec.last(t, define), &answered)
		if first.Request.ClientMetadata != nil || answered.Request.ClientMetadata["app"] != "quiz" {
			t.Errorf("clientMetadata: at InitiateAuth %v, at RespondToAuthChallenge %v; want none, app=quiz", first.Request.ClientMetadata, answered.Request.ClientMetadata)
		}
		goldenEvent[events.CognitoEventUserPoolsDefineAuthChallenge](t, "DefineAuthChallenge_Authentication_wrong", rec.last(t, define))
		r, err = question(t, r).Answer(ctx(), "42")
		if err != nil {
			t.Fatal(err)
		}
		if !r.Done() || r.Tokens.IDToken == "" {
			t.Fatalf("after the right answer: %+v; want tokens", r)
		}
		if got := claimsOf(t, r.Tokens.IDToken)["cognito:username"]; got != "amy" {
			t.Errorf("ID token of %v", got)
		}
	})
	t.Run("CUSTOM_AUTH with SRP", func(t *testing.T) {
		n := rec.count(define)
		r, err := client.SignIn(ctx(), srpclient.SignInInput{Username: "amy", Password: testPassword, Flow: srpclient.FlowCustomSRP})
		if err != nil {
			t.Fatal(err)
		}
		// SRP_A, then PASSWORD_VERIFIER, then the question.
		if got := rec.count(define) - n; got != 2 {
			t.Errorf("DefineAuthChallenge ran %d times before the question; want 2", got)
		}
		goldenEvent[events.CognitoEventUserPoolsDefineAuthChallenge](t, "DefineAuthChallenge_Authentication_srp", rec.last(t, define))
		r, err = question(t, r).Answer(ctx(), "42")
		if err != nil || !r.Done() {
			t.Fatalf("after the right answer: %+v, %v; want tokens", r, err)
		}
		// A wrong password: PASSWORD_VERIFIER fails, and so does the sign-in.
		_, err = client.SignIn(ctx(), srpclient.SignInInput{Username: "amy", Password: "Wrong-Passw0rd!", Flow: srpclient.FlowCustomSRP})
		if !errors.Is(err, srpclient.ErrNotAuthorized) {
			t.Errorf("wrong password: %v; want ErrNotAuthorized", err)
		}
	})
	t.Run("three wrong answers", func(t *testing.T) {
		r, err := client.SignIn(ctx(), srpclient.SignInInput{Username: "amy", Flow: srpclient.FlowCustom})
		for i := 0; err == nil && i < 3; i++ {
			r, err = question(t, r).Answer(ctx(), "7")
		}
		var na *types.NotAuthorizedException
		if !errors.As(err, &na) {
			t.Fatalf("after three wrong answers: %v; want NotAuthorizedException", err)
		}
	})
	t.Run("trigger error", func(t *testing.T) {
		_, err := e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: aws.String(triggerApp),
			AuthParameters: map[string]string{"USERNAME": "bo"}})
		lambdaErr[*types.UserLambdaValidationException](t, err, "CreateAuthChallenge failed with error question bank offline.")
	})
	t.Run("no trigger", func(t *testing.T) {
		e.pool.MustSetLambdaTriggers(cognitotest.LambdaTriggers{})
		_, err := client.SignIn(ctx(), srpclient.SignInInput{Username: "amy", Flow: srpclient.FlowCustom})
		var ip *types.InvalidParameterException
		if !errors.As(err, &ip) || ip.ErrorMessage() != "Custom auth lambda trigger is not configured for the user pool." {
			t.Errorf("CUSTOM_AUTH without triggers: %v", err)
		}
	})
}
