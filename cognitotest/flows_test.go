package cognitotest_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

func (e *env) respond(c cognitotest.AppClient, name types.ChallengeNameType, session *string, r map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	if c.Secret != "" && r["USERNAME"] != "" {
		r["SECRET_HASH"] = c.SecretHash(r["USERNAME"])
	}
	return e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ChallengeName: name, ClientId: aws.String(c.ID), Session: session, ChallengeResponses: r})
}

func TestTOTPMFA(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "ivy", Password: testPassword})
	login := must(e.passwordLogin(e.public, "ivy", testPassword))
	acc := login.AuthenticationResult.AccessToken

	assoc := must(e.api.AssociateSoftwareToken(ctx(), &cip.AssociateSoftwareTokenInput{AccessToken: acc}))
	secret := *assoc.SecretCode
	_, err := e.api.VerifySoftwareToken(ctx(), &cip.VerifySoftwareTokenInput{AccessToken: acc, UserCode: aws.String("000000")})
	wantErr[*types.EnableSoftwareTokenMFAException](t, err, "wrong TOTP code")
	code := must(cognitotest.TOTPCode(secret, e.clock.Now()))
	v := must(e.api.VerifySoftwareToken(ctx(), &cip.VerifySoftwareTokenInput{AccessToken: acc, UserCode: &code}))
	if v.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		t.Fatalf("VerifySoftwareToken: %s", v.Status)
	}
	must(e.api.SetUserMFAPreference(ctx(), &cip.SetUserMFAPreferenceInput{AccessToken: acc,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}))
	gu := must(e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: acc}))
	if aws.ToString(gu.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
		t.Errorf("PreferredMfaSetting %v", gu.PreferredMfaSetting)
	}

	for _, flow := range []string{"password", "srp"} {
		t.Run(flow, func(t *testing.T) {
			var name types.ChallengeNameType
			var session *string
			var params map[string]string
			if flow == "password" {
				out := must(e.passwordLogin(e.public, "ivy", testPassword))
				name, session, params = out.ChallengeName, out.Session, out.ChallengeParameters
			} else {
				out, err := e.srpLogin(e.public, "ivy", testPassword)
				noErr(t, err)
				name, session, params = out.ChallengeName, out.Session, out.ChallengeParameters
			}
			if name != types.ChallengeNameTypeSoftwareTokenMfa || params["USER_ID_FOR_SRP"] != "ivy" {
				t.Fatalf("got challenge %s %v; want SOFTWARE_TOKEN_MFA", name, params)
			}
			_, err := e.respond(e.public, name, session, map[string]string{"USERNAME": "ivy", "SOFTWARE_TOKEN_MFA_CODE": "123456"})
			wantErr[*types.CodeMismatchException](t, err, "wrong code")
			code := must(cognitotest.TOTPCode(secret, e.clock.Now()))
			res, err := e.respond(e.public, name, session, map[string]string{"USERNAME": "ivy", "SOFTWARE_TOKEN_MFA_CODE": code})
			noErr(t, err)
			if res.AuthenticationResult == nil {
				t.Fatal("no tokens after MFA")
			}
			_, err = e.respond(e.public, name, session, map[string]string{"USERNAME": "ivy", "SOFTWARE_TOKEN_MFA_CODE": code})
			wantErr[*types.NotAuthorizedException](t, err, "replayed MFA session")
		})
	}
}

func TestSMSAndEmailMFA(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "jack", Password: testPassword, PhoneNumber: "+15555550123", SMSMFA: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "kate", Password: testPassword, Email: "kate@example.com", EmailMFA: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "liam", Password: testPassword, Email: "liam@example.com", EmailMFA: true,
		PhoneNumber: "+15555550199", SMSMFA: true, TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"})

	out := must(e.passwordLogin(e.secret, "jack", testPassword))
	if out.ChallengeName != types.ChallengeNameTypeSmsMfa || out.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "+*******0123" {
		t.Fatalf("got %s %v", out.ChallengeName, out.ChallengeParameters)
	}
	msg, ok := e.srv.LastMessage("jack", cognitotest.MsgSMSMFA)
	if !ok || msg.Destination != "+15555550123" || len(msg.Code) != 6 {
		t.Fatalf("SMS message: %+v %v", msg, ok)
	}
	res := must(e.respond(e.secret, out.ChallengeName, out.Session, map[string]string{"USERNAME": "jack", "SMS_MFA_CODE": msg.Code}))
	if res.AuthenticationResult == nil {
		t.Fatal("no tokens after SMS MFA")
	}

	out = must(e.passwordLogin(e.public, "kate", testPassword))
	if out.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("got %s; want EMAIL_OTP", out.ChallengeName)
	}
	code := e.srv.LastCode("kate@example.com", cognitotest.MsgEmailMFA)
	must(e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "kate", "EMAIL_OTP_CODE": code}))

	out = must(e.passwordLogin(e.public, "liam", testPassword))
	if out.ChallengeName != types.ChallengeNameTypeSelectMfaType {
		t.Fatalf("got %s; want SELECT_MFA_TYPE", out.ChallengeName)
	}
	var choices []string
	json.Unmarshal([]byte(out.ChallengeParameters["MFAS_CAN_CHOOSE"]), &choices)
	if strings.Join(choices, ",") != "SOFTWARE_TOKEN_MFA,SMS_MFA,EMAIL_OTP" {
		t.Errorf("MFAS_CAN_CHOOSE %v", choices)
	}
	_, err := e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "liam", "ANSWER": "CARRIER_PIGEON"})
	wantErr[*types.InvalidParameterException](t, err, "bad ANSWER")
	out = must(e.passwordLogin(e.public, "liam", testPassword))
	sel := must(e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "liam", "ANSWER": "SMS_MFA"}))
	if sel.ChallengeName != types.ChallengeNameTypeSmsMfa {
		t.Fatalf("after SELECT_MFA_TYPE: %s", sel.ChallengeName)
	}
	must(e.respond(e.public, sel.ChallengeName, sel.Session, map[string]string{"USERNAME": "liam", "SMS_MFA_CODE": e.srv.LastCode("liam", cognitotest.MsgSMSMFA)}))
}

func TestMFASetup(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOn})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "mia", Password: testPassword})
	out, err := e.srpLogin(e.public, "mia", testPassword)
	noErr(t, err)
	if out.ChallengeName != types.ChallengeNameTypeMfaSetup {
		t.Fatalf("got %s; want MFA_SETUP", out.ChallengeName)
	}
	_, err = e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "mia"})
	wantErr[*types.InvalidParameterException](t, err, "MFA_SETUP before verifying")
	out, err = e.srpLogin(e.public, "mia", testPassword)
	noErr(t, err)
	assoc := must(e.api.AssociateSoftwareToken(ctx(), &cip.AssociateSoftwareTokenInput{Session: out.Session}))
	code := must(cognitotest.TOTPCode(*assoc.SecretCode, e.clock.Now()))
	v := must(e.api.VerifySoftwareToken(ctx(), &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: &code}))
	res := must(e.respond(e.public, types.ChallengeNameTypeMfaSetup, v.Session, map[string]string{"USERNAME": "mia"}))
	if res.AuthenticationResult == nil {
		t.Fatal("no tokens after MFA_SETUP")
	}
	// Next sign-in asks for the code.
	out2 := must(e.passwordLogin(e.public, "mia", testPassword))
	if out2.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Errorf("second sign-in: %s", out2.ChallengeName)
	}
	_, err = e.api.AssociateSoftwareToken(ctx(), &cip.AssociateSoftwareTokenInput{Session: out.Session})
	wantErr[*types.NotAuthorizedException](t, err, "AssociateSoftwareToken with a used session")
}

func TestNewPasswordRequired(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{RequiredAttributes: []string{"name"}})
	_, err := e.api.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool.ID()), Username: aws.String("nora"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("nora@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")}}})
	noErr(t, err)
	temp := e.srv.LastCode("nora", cognitotest.MsgTemporaryPassword)
	if temp == "" {
		t.Fatal("no temporary password delivered")
	}
	out, err := e.srpLogin(e.secret, "nora", temp)
	noErr(t, err)
	if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("got %s; want NEW_PASSWORD_REQUIRED", out.ChallengeName)
	}
	if out.ChallengeParameters["requiredAttributes"] != `["userAttributes.name"]` {
		t.Errorf("requiredAttributes %q", out.ChallengeParameters["requiredAttributes"])
	}
	_, err = e.respond(e.secret, out.ChallengeName, out.Session, map[string]string{"USERNAME": "nora", "NEW_PASSWORD": "short"})
	wantErr[*types.InvalidPasswordException](t, err, "weak password")
	out, _ = e.srpLogin(e.secret, "nora", temp)
	_, err = e.respond(e.secret, out.ChallengeName, out.Session, map[string]string{"USERNAME": "nora", "NEW_PASSWORD": "New-Password-1"})
	wantErr[*types.InvalidParameterException](t, err, "missing required attribute")
	out, _ = e.srpLogin(e.secret, "nora", temp)
	res := must(e.respond(e.secret, out.ChallengeName, out.Session, map[string]string{"USERNAME": "nora", "NEW_PASSWORD": "New-Password-1", "userAttributes.name": "Nora"}))
	if res.AuthenticationResult == nil || claimsOf(t, *res.AuthenticationResult.IdToken)["name"] != "Nora" {
		t.Fatal("no tokens (or no name) after NEW_PASSWORD_REQUIRED")
	}
	if _, err := e.srpLogin(e.secret, "nora", "New-Password-1"); err != nil {
		t.Errorf("sign-in with the new password: %v", err)
	}
	u := must(e.pool.User("nora"))
	if u.Status != cognitotest.StatusConfirmed {
		t.Errorf("status %s", u.Status)
	}
	// An expired temporary password.
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "otto", TemporaryPassword: "Temp-Pass-1", Attributes: map[string]string{"name": "Otto"}})
	e.clock.Advance(8 * 24 * time.Hour)
	_, err = e.passwordLogin(e.public, "otto", "Temp-Pass-1")
	wantErr[*types.NotAuthorizedException](t, err, "expired temporary password")
}

func TestCustomAuth(t *testing.T) {
	t.Parallel()
	var defineCalls int
	triggers := cognitotest.Triggers{
		DefineAuthChallenge: func(_ context.Context, ev *cognitotest.DefineAuthChallengeEvent) error {
			defineCalls++
			n := len(ev.Session)
			switch {
			case n > 0 && ev.Session[n-1].ChallengeName == "SRP_A":
				ev.ChallengeName = "PASSWORD_VERIFIER"
			case n > 0 && ev.Session[n-1].ChallengeName == "CUSTOM_CHALLENGE" && ev.Session[n-1].ChallengeResult:
				ev.IssueTokens = true
			case n >= 3 && ev.Session[0].ChallengeName != "SRP_A":
				ev.FailAuthentication = true
			default:
				ev.ChallengeName = "CUSTOM_CHALLENGE"
			}
			return nil
		},
		CreateAuthChallenge: func(_ context.Context, ev *cognitotest.CreateAuthChallengeEvent) error {
			ev.PublicChallengeParameters = map[string]string{"question": "2+2"}
			ev.PrivateChallengeParameters = map[string]string{"answer": "4"}
			return nil
		},
		VerifyAuthChallengeResponse: func(_ context.Context, ev *cognitotest.VerifyAuthChallengeEvent) error {
			ev.AnswerCorrect = ev.ChallengeAnswer == ev.PrivateChallengeParameters["answer"]
			return nil
		},
	}
	e := newEnv(t, cognitotest.PoolConfig{Triggers: triggers})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "pia", Password: testPassword})

	t.Run("custom challenge only", func(t *testing.T) {
		out := must(e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &e.public.ID,
			AuthParameters: map[string]string{"USERNAME": "pia"}}))
		if out.ChallengeName != types.ChallengeNameTypeCustomChallenge || out.ChallengeParameters["question"] != "2+2" {
			t.Fatalf("got %s %v", out.ChallengeName, out.ChallengeParameters)
		}
		wrong := must(e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "pia", "ANSWER": "5"}))
		if wrong.ChallengeName != types.ChallengeNameTypeCustomChallenge {
			t.Fatalf("after a wrong answer: %s", wrong.ChallengeName)
		}
		res := must(e.respond(e.public, wrong.ChallengeName, wrong.Session, map[string]string{"USERNAME": "pia", "ANSWER": "4"}))
		if res.AuthenticationResult == nil {
			t.Fatal("no tokens")
		}
	})
	t.Run("fail after three wrong answers", func(t *testing.T) {
		out := must(e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &e.public.ID,
			AuthParameters: map[string]string{"USERNAME": "pia"}}))
		var err error
		for i := 0; i < 3 && err == nil; i++ {
			var r *cip.RespondToAuthChallengeOutput
			r, err = e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "pia", "ANSWER": "no"})
			if err == nil {
				out.Session = r.Session
			}
		}
		wantErr[*types.NotAuthorizedException](t, err, "three wrong answers")
	})
	t.Run("SRP then custom challenge", func(t *testing.T) {
		cl, _, _ := e.srpStart(e.public, "pia") // just for a client half
		out := must(e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &e.public.ID,
			AuthParameters: map[string]string{"USERNAME": "pia", "CHALLENGE_NAME": "SRP_A", "SRP_A": cl.AHex()}}))
		if out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
			t.Fatalf("got %s; want PASSWORD_VERIFIER", out.ChallengeName)
		}
		pv := must(e.respond(e.public, out.ChallengeName, out.Session, e.verifierResponses(e.public, cl, out.ChallengeParameters, testPassword, e.now())))
		if pv.ChallengeName != types.ChallengeNameTypeCustomChallenge {
			t.Fatalf("after PASSWORD_VERIFIER: %s", pv.ChallengeName)
		}
		res := must(e.respond(e.public, pv.ChallengeName, pv.Session, map[string]string{"USERNAME": "pia", "ANSWER": "4"}))
		if res.AuthenticationResult == nil {
			t.Fatal("no tokens")
		}
	})
	t.Run("trigger error", func(t *testing.T) {
		e2 := newEnv(t, cognitotest.PoolConfig{Triggers: cognitotest.Triggers{DefineAuthChallenge: func(context.Context, *cognitotest.DefineAuthChallengeEvent) error {
			return errors.New("boom")
		}}})
		e2.pool.MustCreateUser(cognitotest.UserConfig{Username: "pia", Password: testPassword})
		_, err := e2.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &e2.public.ID,
			AuthParameters: map[string]string{"USERNAME": "pia"}})
		wantErr[*types.UserLambdaValidationException](t, err, "trigger error")
	})
	if defineCalls == 0 {
		t.Error("DefineAuthChallenge never called")
	}
}

func TestUserAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{AllowedFirstAuthFactors: []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "quinn", Password: testPassword, Email: "quinn@example.com"})
	start := func(params map[string]string) (*cip.InitiateAuthOutput, error) {
		return e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserAuth, ClientId: &e.public.ID, AuthParameters: params})
	}
	out := must(start(map[string]string{"USERNAME": "quinn"}))
	if out.ChallengeName != types.ChallengeNameTypeSelectChallenge || strings.Join(toStrings(out.AvailableChallenges), ",") != "PASSWORD,PASSWORD_SRP,EMAIL_OTP" {
		t.Fatalf("got %s %v", out.ChallengeName, out.AvailableChallenges)
	}
	res := must(e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "quinn", "ANSWER": "PASSWORD", "PASSWORD": testPassword}))
	if res.AuthenticationResult == nil {
		t.Fatal("SELECT_CHALLENGE PASSWORD: no tokens")
	}
	out = must(start(map[string]string{"USERNAME": "quinn", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword}))
	if out.AuthenticationResult == nil {
		t.Fatal("PREFERRED_CHALLENGE PASSWORD: no tokens")
	}
	_, err := start(map[string]string{"USERNAME": "quinn", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wrong-Pass-1"})
	wantErr[*types.NotAuthorizedException](t, err, "wrong password")
	_, err = start(map[string]string{"USERNAME": "quinn", "PREFERRED_CHALLENGE": "SMS_OTP"})
	wantErr[*types.InvalidParameterException](t, err, "SMS_OTP without a phone")

	out = must(start(map[string]string{"USERNAME": "quinn", "PREFERRED_CHALLENGE": "EMAIL_OTP"}))
	if out.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("EMAIL_OTP: got %s", out.ChallengeName)
	}
	res = must(e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "quinn", "EMAIL_OTP_CODE": e.srv.LastCode("quinn", cognitotest.MsgEmailMFA)}))
	if res.AuthenticationResult == nil {
		t.Fatal("EMAIL_OTP: no tokens")
	}

	cl, _, _ := e.srpStart(e.public, "quinn")
	out = must(start(map[string]string{"USERNAME": "quinn", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": cl.AHex()}))
	if out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("PASSWORD_SRP: got %s", out.ChallengeName)
	}
	res = must(e.respond(e.public, out.ChallengeName, out.Session, e.verifierResponses(e.public, cl, out.ChallengeParameters, testPassword, e.now())))
	if res.AuthenticationResult == nil {
		t.Fatal("PASSWORD_SRP: no tokens")
	}
}

func toStrings[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = string(x)
	}
	return out
}
