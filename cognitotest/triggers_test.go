package cognitotest_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// The tests of this file run users' aws-lambda-go handlers as the pools'
// triggers, drive the operations that call them with the AWS SDK, and
// check the exact event JSON each handler got (testdata/triggers, -update
// rewrites it) and what the emulator did with the answer.

func TestTriggerPreSignUp(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	preSignUp := func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		email := ev.Request.UserAttributes["email"]
		switch {
		case strings.HasSuffix(email, "@blocked.example"):
			return ev, errors.New("Registration from this domain is not allowed.")
		case ev.Request.ValidationData["invite"] == "yes":
			ev.Response.AutoConfirmUser, ev.Response.AutoVerifyEmail = true, true
		case ev.Request.ValidationData["verify-phone"] == "yes":
			ev.Response.AutoVerifyPhone = true
		case ev.TriggerSource == "PreSignUp_AdminCreateUser":
			ev.Response.AutoConfirmUser = true // ignored for AdminCreateUser, as in Cognito
		}
		return ev, nil
	}
	postConfirmation := func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
		return ev, nil
	}
	e := newTriggerEnv(t, cognitotest.PoolConfig{AutoVerifiedAttributes: []string{"email"}, LambdaTriggers: cognitotest.LambdaTriggers{
		PreSignUp: rec.wrap(preSignUp), PostConfirmation: rec.wrap(postConfirmation)}})

	t.Run("autoConfirmUser and autoVerifyEmail", func(t *testing.T) {
		out := must(e.signUp("ivy", testPassword, map[string]string{"email": "ivy@example.com", "name": "Ivy"},
			map[string]string{"invite": "yes"}, map[string]string{"source": "web"}))
		goldenEvent[events.CognitoEventUserPoolsPreSignup](t, "PreSignUp_SignUp", rec.last(t, "PreSignUp_SignUp"))
		if !out.UserConfirmed || out.CodeDeliveryDetails != nil {
			t.Errorf("SignUp: UserConfirmed %v, CodeDeliveryDetails %v; want confirmed without a code", out.UserConfirmed, out.CodeDeliveryDetails)
		}
		u := e.user(t, "ivy")
		if u.Status != cognitotest.StatusConfirmed || u.Attributes["email_verified"] != "true" {
			t.Errorf("user: %s, email_verified %s; want CONFIRMED and verified", u.Status, u.Attributes["email_verified"])
		}
		if code := e.srv.LastCode("ivy", ""); code != "" {
			t.Errorf("a code was sent to an auto-confirmed user: %s", code)
		}
		// An auto-confirmed sign-up is confirmed: PostConfirmation runs.
		goldenEvent[events.CognitoEventUserPoolsPostConfirmation](t, "PostConfirmation_ConfirmSignUp_auto", rec.last(t, "PostConfirmation_ConfirmSignUp"))
		must(e.login(triggerApp, "ivy", testPassword, nil))
	})
	t.Run("no auto-confirmation", func(t *testing.T) {
		out := must(e.signUp("jay", testPassword, map[string]string{"email": "jay@example.com"}, nil, nil))
		if out.UserConfirmed || out.CodeDeliveryDetails == nil || e.srv.LastCode("jay", cognitotest.MsgSignUp) == "" {
			t.Errorf("SignUp: UserConfirmed %v, CodeDeliveryDetails %v; want a code to confirm with", out.UserConfirmed, out.CodeDeliveryDetails)
		}
		if e.user(t, "jay").Status != cognitotest.StatusUnconfirmed {
			t.Error("want UNCONFIRMED")
		}
		var ev events.CognitoEventUserPoolsPreSignup
		mustJSON(t, rec.last(t, "PreSignUp_SignUp"), &ev)
		if ev.Request.ValidationData != nil || ev.Request.ClientMetadata != nil {
			t.Errorf("validationData %v, clientMetadata %v; want none", ev.Request.ValidationData, ev.Request.ClientMetadata)
		}
	})
	t.Run("error refuses the sign-up", func(t *testing.T) {
		_, err := e.signUp("kim", testPassword, map[string]string{"email": "kim@blocked.example"}, nil, nil)
		lambdaErr[*types.UserLambdaValidationException](t, err, "PreSignUp failed with error Registration from this domain is not allowed..")
		if _, err := e.pool.User("kim"); !errors.Is(err, cognitotest.ErrNotFound) {
			t.Errorf("the refused user exists: %v", err)
		}
	})
	t.Run("autoVerifyPhone without a phone number", func(t *testing.T) {
		_, err := e.signUp("lou", testPassword, map[string]string{"email": "lou@example.com"}, map[string]string{"verify-phone": "yes"}, nil)
		wantErr[*types.InvalidParameterException](t, err, "autoVerifyPhone without phone_number")
	})
	t.Run("AdminCreateUser", func(t *testing.T) {
		must(e.api.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: aws.String(triggerPool), Username: aws.String("max"),
			UserAttributes: attrList(map[string]string{"email": "max@example.com", "email_verified": "true"}), MessageAction: types.MessageActionTypeSuppress,
			ValidationData: attrList(map[string]string{"team": "blue"}), ClientMetadata: map[string]string{"by": "admin"}}))
		goldenEvent[events.CognitoEventUserPoolsPreSignup](t, "PreSignUp_AdminCreateUser", rec.last(t, "PreSignUp_AdminCreateUser"))
		if s := e.user(t, "max").Status; s != cognitotest.StatusForceChangePassword {
			t.Errorf("status %s; want FORCE_CHANGE_PASSWORD (AdminCreateUser ignores autoConfirmUser)", s)
		}
		_, err := e.api.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: aws.String(triggerPool), Username: aws.String("nat"),
			UserAttributes: attrList(map[string]string{"email": "nat@blocked.example"})})
		lambdaErr[*types.UserLambdaValidationException](t, err, "PreSignUp failed with error Registration from this domain is not allowed..")
	})
}

func TestTriggerPostConfirmation(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	fail := ""
	postConfirmation := func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
		if fail != "" {
			return ev, errors.New(fail)
		}
		return ev, nil
	}
	e := newTriggerEnv(t, cognitotest.PoolConfig{AutoVerifiedAttributes: []string{"email"}, LambdaTriggers: cognitotest.LambdaTriggers{PostConfirmation: rec.wrap(postConfirmation)}})

	must(e.signUp("ann", testPassword, map[string]string{"email": "ann@example.com"}, nil, nil))
	must(e.api.ConfirmSignUp(ctx(), &cip.ConfirmSignUpInput{ClientId: aws.String(triggerApp), Username: aws.String("ann"),
		ConfirmationCode: aws.String(e.srv.LastCode("ann", cognitotest.MsgSignUp)), ClientMetadata: map[string]string{"step": "confirm"}}))
	goldenEvent[events.CognitoEventUserPoolsPostConfirmation](t, "PostConfirmation_ConfirmSignUp", rec.last(t, "PostConfirmation_ConfirmSignUp"))

	// AdminConfirmSignUp: no app client (clientId null).
	must(e.signUp("ben", testPassword, map[string]string{"email": "ben@example.com"}, nil, nil))
	must(e.api.AdminConfirmSignUp(ctx(), &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(triggerPool), Username: aws.String("ben")}))
	goldenEvent[events.CognitoEventUserPoolsPostConfirmation](t, "PostConfirmation_AdminConfirmSignUp", rec.last(t, "PostConfirmation_ConfirmSignUp"))

	must(e.api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: aws.String(triggerApp), Username: aws.String("ann")}))
	must(e.api.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: aws.String(triggerApp), Username: aws.String("ann"),
		ConfirmationCode: aws.String(e.srv.LastCode("ann", cognitotest.MsgForgotPassword)), Password: aws.String("New-Passw0rd-1")}))
	goldenEvent[events.CognitoEventUserPoolsPostConfirmation](t, "PostConfirmation_ConfirmForgotPassword", rec.last(t, "PostConfirmation_ConfirmForgotPassword"))

	// An error is the answer, and the user stays confirmed.
	fail = "the welcome email failed"
	must(e.signUp("cat", testPassword, map[string]string{"email": "cat@example.com"}, nil, nil))
	_, err := e.api.ConfirmSignUp(ctx(), &cip.ConfirmSignUpInput{ClientId: aws.String(triggerApp), Username: aws.String("cat"),
		ConfirmationCode: aws.String(e.srv.LastCode("cat", cognitotest.MsgSignUp))})
	lambdaErr[*types.UserLambdaValidationException](t, err, "PostConfirmation failed with error the welcome email failed.")
	if s := e.user(t, "cat").Status; s != cognitotest.StatusConfirmed {
		t.Errorf("status after a failed PostConfirmation: %s; want CONFIRMED", s)
	}
}

func TestTriggerPreAuthentication(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	preAuth := func(_ context.Context, ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error) {
		if ev.Request.UserAttributes["custom:blocked"] == "1" {
			return ev, errors.New("User is blocked")
		}
		return ev, nil
	}
	e := newTriggerEnv(t, cognitotest.PoolConfig{LambdaTriggers: cognitotest.LambdaTriggers{PreAuthentication: rec.wrap(preAuth)}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "amy", Password: testPassword, Email: "amy@example.com", Sub: "a0000000-0000-4000-8000-000000000001"})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "bo", Password: testPassword, Attributes: map[string]string{"custom:blocked": "1"}})

	must(e.login(triggerApp, "amy", testPassword, map[string]string{"device": "laptop"}))
	goldenEvent[events.CognitoEventUserPoolsPreAuthentication](t, "PreAuthentication_Authentication", rec.last(t, "PreAuthentication_Authentication"))

	_, err := e.login(triggerApp, "bo", testPassword, nil)
	lambdaErr[*types.UserLambdaValidationException](t, err, "PreAuthentication failed with error User is blocked.")

	// USER_SRP_AUTH: at InitiateAuth, before the password.
	n := rec.count("PreAuthentication_Authentication")
	env := &env{srv: e.srv, pool: e.pool, api: e.api, clock: e.clock}
	if _, _, err := env.srpStart(e.app, "amy"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.srpStart(e.app, "bo"); err == nil {
		t.Error("SRP sign-in of a blocked user: no error")
	}
	if got := rec.count("PreAuthentication_Authentication"); got != n+2 {
		t.Errorf("PreAuthentication ran %d times for two SRP sign-ins", got-n)
	}

	// An unknown user, with a client that prevents user existence errors:
	// userNotFound, then the usual answer.
	_, err = e.login(triggerHidden, "nobody", testPassword, nil)
	wantErr[*types.NotAuthorizedException](t, err, "unknown user")
	goldenEvent[events.CognitoEventUserPoolsPreAuthentication](t, "PreAuthentication_userNotFound", rec.last(t, "PreAuthentication_Authentication"))
	// Without it, no trigger: UserNotFoundException.
	n = rec.count("PreAuthentication_Authentication")
	_, err = e.login(triggerApp, "nobody", testPassword, nil)
	wantErr[*types.UserNotFoundException](t, err, "unknown user")
	if rec.count("PreAuthentication_Authentication") != n {
		t.Error("PreAuthentication ran for an unknown user of a client without PreventUserExistenceErrors")
	}
}

func TestTriggerPostAuthentication(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	postAuth := func(_ context.Context, ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
		if ev.UserName == "bo" {
			return ev, errors.New("audit log unavailable")
		}
		return ev, nil
	}
	e := newTriggerEnv(t, cognitotest.PoolConfig{DeviceRemembering: cognitotest.DevicesAlways,
		LambdaTriggers: cognitotest.LambdaTriggers{PostAuthentication: rec.wrap(postAuth)}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "amy", Password: testPassword, Email: "amy@example.com", Sub: "a0000000-0000-4000-8000-000000000001"})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "bo", Password: testPassword})

	// InitiateAuth's ClientMetadata is not passed to PostAuthentication
	// (Cognito passes it to PreAuthentication and UserMigration only).
	out := must(e.login(triggerApp, "amy", testPassword, map[string]string{"app": "mobile"}))
	goldenEvent[events.CognitoEventUserPoolsPostAuthentication](t, "PostAuthentication_Authentication", rec.last(t, "PostAuthentication_Authentication"))
	if out.AuthenticationResult == nil || out.AuthenticationResult.NewDeviceMetadata == nil {
		t.Fatal("no tokens or no new device")
	}
	_, err := e.login(triggerApp, "bo", testPassword, nil)
	lambdaErr[*types.UserLambdaValidationException](t, err, "PostAuthentication failed with error audit log unavailable.")
}

func mustJSON(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
