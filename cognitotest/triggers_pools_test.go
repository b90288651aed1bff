package cognitotest_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestUpdateUserPoolLambdaConfig: UpdateUserPool sets a PreSignUp trigger
// that then acts, DescribeUserPool reports it, and an UpdateUserPool
// without LambdaConfig removes it (Cognito's settings left out return to
// their defaults).
func TestUpdateUserPoolLambdaConfig(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	preSignUp := func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		calls.Add(1)
		ev.Response.AutoConfirmUser = true
		return ev, nil
	}
	srv := cognitotest.NewServer(t, cognitotest.WithLambda("auto-confirm", preSignUp), fastKeys())
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	c := ctx()
	poolID, clientID := sdkPool(t, api, &cip.CreateUserPoolInput{})
	pid := aws.String(poolID)
	signUp := func(name string) bool {
		t.Helper()
		out := must(api.SignUp(c, &cip.SignUpInput{ClientId: &clientID, Username: aws.String(name), Password: aws.String(testPassword)}))
		return out.UserConfirmed
	}
	preSignUpOf := func() string {
		t.Helper()
		lc := must(api.DescribeUserPool(c, &cip.DescribeUserPoolInput{UserPoolId: pid})).UserPool.LambdaConfig
		if lc == nil {
			return ""
		}
		return aws.ToString(lc.PreSignUp)
	}

	if signUp("before") {
		t.Error("SignUp without a trigger: confirmed; want UNCONFIRMED")
	}

	const arn = "arn:aws:lambda:us-east-1:123456789012:function:auto-confirm"
	noErr(t, errOnly(api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: pid,
		LambdaConfig: &types.LambdaConfigType{PreSignUp: aws.String(arn)}})))
	if got := preSignUpOf(); got != arn {
		t.Errorf("DescribeUserPool after UpdateUserPool: PreSignUp %q; want %q", got, arn)
	}
	list := must(api.ListUserPools(c, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})).UserPools
	if len(list) != 1 || list[0].LambdaConfig == nil || aws.ToString(list[0].LambdaConfig.PreSignUp) != arn {
		t.Errorf("ListUserPools after UpdateUserPool: %+v; want the pool with PreSignUp %q", list, arn)
	}
	if !signUp("during") {
		t.Error("SignUp with the PreSignUp trigger set by UpdateUserPool: not confirmed; want the trigger's autoConfirmUser")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the PreSignUp trigger ran %d times; want 1", n)
	}

	// A bad LambdaConfig is refused and changes nothing.
	_, err := api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: pid,
		LambdaConfig: &types.LambdaConfigType{PreSignUp: aws.String("http://127.0.0.1:1/pre-sign-up")}})
	wantErr[*types.InvalidParameterException](t, err, "UpdateUserPool with a URL trigger")
	if got := preSignUpOf(); got != arn {
		t.Errorf("DescribeUserPool after a refused UpdateUserPool: PreSignUp %q; want %q", got, arn)
	}

	noErr(t, errOnly(api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: pid})))
	if got := preSignUpOf(); got != "" {
		t.Errorf("DescribeUserPool after UpdateUserPool without LambdaConfig: PreSignUp %q; want none", got)
	}
	if signUp("after") {
		t.Error("SignUp after UpdateUserPool without LambdaConfig: confirmed; want UNCONFIRMED (the trigger removed)")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the removed PreSignUp trigger ran: %d calls; want 1", n)
	}
}

// TestCustomMessageBeatsTemplates: a CustomMessage trigger's answer wins
// over the pool's message templates; what it leaves out (the subject, or
// the whole message) comes from the templates; without the trigger the
// templates apply; a custom sender skips both.
func TestCustomMessageBeatsTemplates(t *testing.T) {
	t.Parallel()
	customMessage := func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		switch ev.TriggerSource {
		case "CustomMessage_SignUp":
			ev.Response.EmailSubject = "Trigger subject"
			ev.Response.EmailMessage = "Trigger code " + ev.Request.CodeParameter
		case "CustomMessage_ResendCode":
			ev.Response.EmailMessage = "Trigger resend " + ev.Request.CodeParameter // no subject
		}
		return ev, nil // CustomMessage_ForgotPassword: writes nothing
	}
	sender := func(context.Context, cognitotest.CustomSenderEvent) error { return nil }
	srv := cognitotest.NewServer(t, cognitotest.WithLambda("messages", customMessage), cognitotest.WithLambda("sender", sender), fastKeys())
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	c := ctx()
	poolID, clientID := sdkPool(t, api, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
	pid := aws.String(poolID)
	templates := &types.VerificationMessageTemplateType{EmailSubject: aws.String("Template subject"), EmailMessage: aws.String("Template code {####}.")}
	update := func(lc *types.LambdaConfigType) {
		t.Helper()
		noErr(t, errOnly(api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: pid, LambdaConfig: lc,
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}, VerificationMessageTemplate: templates})))
	}
	update(&types.LambdaConfigType{CustomMessage: aws.String("arn:aws:lambda:us-east-1:123456789012:function:messages")})

	noErr(t, errOnly(api.SignUp(c, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("ann"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("ann@example.com")}}})))
	resend := func() cognitotest.Message {
		t.Helper()
		noErr(t, errOnly(api.ResendConfirmationCode(c, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("ann")})))
		m, ok := srv.LastMessage("ann", cognitotest.MsgResendCode)
		if !ok {
			t.Fatal("ResendConfirmationCode sent no message")
		}
		return m
	}
	type want struct{ subject, text, trigger string }
	check := func(name string, m cognitotest.Message, w want) {
		t.Helper()
		if m.Subject != w.subject || m.Text != w.text || m.Trigger != w.trigger {
			t.Errorf("%s: %q / %q (%s); want %q / %q (%s)", name, m.Subject, m.Text, m.Trigger, w.subject, w.text, w.trigger)
		}
	}

	m, _ := srv.LastMessage("ann", cognitotest.MsgSignUp)
	check("the trigger's message and subject", m, want{"Trigger subject", "Trigger code " + m.Code, "CustomMessage_SignUp"})
	m = resend()
	check("the trigger's message, the template's subject", m, want{"Template subject", "Trigger resend " + m.Code, "CustomMessage_ResendCode"})

	noErr(t, errOnly(api.AdminUpdateUserAttributes(c, &cip.AdminUpdateUserAttributesInput{UserPoolId: pid, Username: aws.String("ann"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email_verified"), Value: aws.String("true")}}})))
	noErr(t, errOnly(api.AdminConfirmSignUp(c, &cip.AdminConfirmSignUpInput{UserPoolId: pid, Username: aws.String("ann")})))
	noErr(t, errOnly(api.ForgotPassword(c, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("ann")})))
	m, _ = srv.LastMessage("ann", cognitotest.MsgForgotPassword)
	check("the trigger wrote nothing: the template", m, want{"Template subject", "Template code " + m.Code + ".", "CustomMessage_ForgotPassword"})

	// Without the trigger, the templates.
	update(nil)
	noErr(t, errOnly(api.SignUp(c, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("bo"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("bo@example.com")}}})))
	m, _ = srv.LastMessage("bo", cognitotest.MsgSignUp)
	check("no trigger: the template", m, want{"Template subject", "Template code " + m.Code + ".", "CustomMessage_SignUp"})

	// A custom sender skips both the CustomMessage trigger and the
	// templates: the outbox keeps Cognito's default wording.
	update(&types.LambdaConfigType{CustomMessage: aws.String("arn:aws:lambda:us-east-1:123456789012:function:messages"),
		CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{LambdaArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:sender"),
			LambdaVersion: types.CustomEmailSenderLambdaVersionTypeV10},
		KMSKeyID: aws.String("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")})
	noErr(t, errOnly(api.SignUp(c, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("cy"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("cy@example.com")}}})))
	m, _ = srv.LastMessage("cy", cognitotest.MsgSignUp)
	check("a custom sender", m, want{"Your verification code", "Your verification code is " + m.Code + ".", "CustomEmailSender_SignUp"})
	if strings.Contains(m.Text, "Trigger") || strings.Contains(m.Text, "Template") {
		t.Errorf("a custom sender's message went through the CustomMessage trigger or the templates: %q", m.Text)
	}
}

// TestCustomMessageBeatsMfaConfigEmail: an email MFA code is written by
// the CustomMessage trigger (CustomMessage_Authentication) when it
// answers, with what it leaves out from SetUserPoolMfaConfig's email
// message and subject; without the trigger, by those.
func TestCustomMessageBeatsMfaConfigEmail(t *testing.T) {
	t.Parallel()
	customMessage := func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		if ev.TriggerSource == "CustomMessage_Authentication" {
			ev.Response.EmailMessage = "Trigger MFA " + ev.Request.CodeParameter // no subject
		}
		return ev, nil
	}
	srv := cognitotest.NewServer(t, cognitotest.WithLambda("messages", customMessage), fastKeys())
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	c := ctx()
	poolID, clientID := sdkPool(t, api, &cip.CreateUserPoolInput{LambdaConfig: &types.LambdaConfigType{
		CustomMessage: aws.String("arn:aws:lambda:us-east-1:123456789012:function:messages")}})
	noErr(t, errOnly(api.SetUserPoolMfaConfig(c, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(poolID), MfaConfiguration: types.UserPoolMfaTypeOptional,
		EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("Template MFA {####}."), Subject: aws.String("Template MFA subject")}})))
	must(srv.Pool(poolID)).MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: testPassword, Email: "ann@example.com", EmailMFA: true})
	signIn := func() cognitotest.Message {
		t.Helper()
		out := must(api.InitiateAuth(c, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "ann", "PASSWORD": testPassword}}))
		if out.ChallengeName != types.ChallengeNameTypeEmailOtp {
			t.Fatalf("sign-in: challenge %q; want EMAIL_OTP", out.ChallengeName)
		}
		m, ok := srv.LastMessage("ann", cognitotest.MsgEmailMFA)
		if !ok {
			t.Fatal("EMAIL_OTP sent no message")
		}
		return m
	}
	m := signIn()
	if m.Subject != "Template MFA subject" || m.Text != "Trigger MFA "+m.Code || m.Trigger != "CustomMessage_Authentication" {
		t.Errorf("with the trigger: %q / %q (%s); want %q / %q (CustomMessage_Authentication)", m.Subject, m.Text, m.Trigger,
			"Template MFA subject", "Trigger MFA "+m.Code)
	}
	noErr(t, errOnly(api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: aws.String(poolID), MfaConfiguration: types.UserPoolMfaTypeOptional})))
	m = signIn()
	if m.Subject != "Template MFA subject" || m.Text != "Template MFA "+m.Code+"." {
		t.Errorf("without the trigger: %q / %q; want SetUserPoolMfaConfig's %q / %q", m.Subject, m.Text, "Template MFA subject", "Template MFA "+m.Code+".")
	}
}
