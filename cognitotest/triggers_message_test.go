package cognitotest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestTriggerCustomMessage runs every operation that sends a message and
// checks that the CustomMessage trigger wrote what the outbox got, for
// each of Cognito's trigger sources.
func TestTriggerCustomMessage(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	customMessage := func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		switch ev.Request.ClientMetadata["mode"] {
		case "fail":
			return ev, errors.New("template store down")
		case "no-placeholder":
			ev.Response.EmailMessage = "Welcome!"
			return ev, nil
		case "default":
			return ev, nil
		}
		code := ev.Request.CodeParameter
		if ev.TriggerSource == "CustomMessage_AdminCreateUser" {
			code = ev.Request.UsernameParameter + " / " + code
		}
		ev.Response.EmailSubject = "[Acme] " + ev.TriggerSource
		ev.Response.EmailMessage = "<p>" + ev.TriggerSource + ": " + code + "</p>"
		ev.Response.SMSMessage = "Acme " + ev.TriggerSource + ": " + code
		return ev, nil
	}
	e := newTriggerEnv(t, cognitotest.PoolConfig{AutoVerifiedAttributes: []string{"email"}, MFA: cognitotest.MFAOptional,
		LambdaTriggers: cognitotest.LambdaTriggers{CustomMessage: rec.wrap(customMessage)}})

	// check asserts the newest message of kind to user: written by the
	// trigger for source, with the code in place of {####}.
	check := func(t *testing.T, user, kind, source string) cognitotest.Message {
		t.Helper()
		m, ok := e.srv.LastMessage(user, kind)
		if !ok {
			t.Fatalf("no %s message to %s", kind, user)
		}
		code := m.Code
		if kind == cognitotest.MsgTemporaryPassword {
			code = m.Username + " / " + code
		}
		want := "<p>" + source + ": " + code + "</p>"
		wantSubject := "[Acme] " + source
		if m.Medium == "SMS" {
			want, wantSubject = "Acme "+source+": "+code, ""
		}
		if m.Trigger != source || m.Text != want || m.Subject != wantSubject {
			t.Errorf("message: trigger %q, subject %q, text %q; want %q, %q, %q", m.Trigger, m.Subject, m.Text, source, wantSubject, want)
		}
		return m
	}
	var access string
	cases := []struct {
		name, source, user, kind string
		run                      func(t *testing.T)
	}{
		{"SignUp", "CustomMessage_SignUp", "ann", cognitotest.MsgSignUp, func(t *testing.T) {
			must(e.signUp("ann", testPassword, map[string]string{"email": "ann@example.com"}, nil, map[string]string{"lang": "en"}))
		}},
		{"ResendConfirmationCode", "CustomMessage_ResendCode", "ann", cognitotest.MsgResendCode, func(t *testing.T) {
			must(e.api.ResendConfirmationCode(ctx(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(triggerApp), Username: aws.String("ann")}))
			must(e.api.ConfirmSignUp(ctx(), &cip.ConfirmSignUpInput{ClientId: aws.String(triggerApp), Username: aws.String("ann"),
				ConfirmationCode: aws.String(e.srv.LastCode("ann", cognitotest.MsgResendCode))}))
		}},
		{"ForgotPassword", "CustomMessage_ForgotPassword", "ann", cognitotest.MsgForgotPassword, func(t *testing.T) {
			must(e.api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: aws.String(triggerApp), Username: aws.String("ann")}))
		}},
		{"AdminCreateUser", "CustomMessage_AdminCreateUser", "bob", cognitotest.MsgTemporaryPassword, func(t *testing.T) {
			must(e.api.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: aws.String(triggerPool), Username: aws.String("bob"),
				UserAttributes: attrList(map[string]string{"email": "bob@example.com", "email_verified": "true"}), ClientMetadata: map[string]string{"by": "admin"}}))
		}},
		{"UpdateUserAttributes", "CustomMessage_UpdateUserAttribute", "ann", cognitotest.MsgVerifyAttribute, func(t *testing.T) {
			out := must(e.login(triggerApp, "ann", testPassword, nil))
			access = aws.ToString(out.AuthenticationResult.AccessToken)
			must(e.api.UpdateUserAttributes(ctx(), &cip.UpdateUserAttributesInput{AccessToken: aws.String(access),
				UserAttributes: attrList(map[string]string{"email": "ann@new.example"})}))
		}},
		{"GetUserAttributeVerificationCode", "CustomMessage_VerifyUserAttribute", "ann", cognitotest.MsgVerifyAttribute, func(t *testing.T) {
			must(e.api.GetUserAttributeVerificationCode(ctx(), &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(access),
				AttributeName: aws.String("email")}))
		}},
		{"SMS MFA", "CustomMessage_Authentication", "cy", cognitotest.MsgSMSMFA, func(t *testing.T) {
			e.pool.MustCreateUser(cognitotest.UserConfig{Username: "cy", Password: testPassword, PhoneNumber: "+15555550123", SMSMFA: true})
			out := must(e.login(triggerApp, "cy", testPassword, nil))
			if out.ChallengeName != types.ChallengeNameTypeSmsMfa {
				t.Fatalf("challenge %s; want SMS_MFA", out.ChallengeName)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t)
			goldenEvent[events.CognitoEventUserPoolsCustomMessage](t, tc.source, rec.last(t, tc.source), "request.linkParameter")
			check(t, tc.user, tc.kind, tc.source)
		})
	}

	t.Run("error fails the operation", func(t *testing.T) {
		must(e.signUp("dee", testPassword, map[string]string{"email": "dee@example.com"}, nil, nil))
		_, err := e.api.ResendConfirmationCode(ctx(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(triggerApp), Username: aws.String("dee"),
			ClientMetadata: map[string]string{"mode": "fail"}})
		lambdaErr[*types.UserLambdaValidationException](t, err, "CustomMessage failed with error template store down.")
	})
	t.Run("no answer or no placeholder: Cognito's message", func(t *testing.T) {
		for _, mode := range []string{"default", "no-placeholder"} {
			must(e.api.ResendConfirmationCode(ctx(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(triggerApp), Username: aws.String("dee"),
				ClientMetadata: map[string]string{"mode": mode}}))
			m, _ := e.srv.LastMessage("dee", cognitotest.MsgResendCode)
			if strings.Contains(m.Text, "Welcome") || strings.Contains(m.Text, "Acme") || !strings.Contains(m.Text, m.Code) {
				t.Errorf("%s: text %q; want Cognito's default with the code %s", mode, m.Text, m.Code)
			}
		}
	})
}
