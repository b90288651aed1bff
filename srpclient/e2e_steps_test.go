package srpclient_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
)

// TestE2EMFA covers SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP MFA,
// SELECT_MFA_TYPE and MFA_SETUP (TOTP), with a client secret and by alias.
func TestE2EMFA(t *testing.T) {
	t.Parallel()
	const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	e := newE2E(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional, AliasAttributes: []string{"email"}}, cognitotest.ClientConfig{GenerateSecret: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "totp", Email: "totp@example.com", Password: "pw-totp", TOTPSecret: totpSecret, PreferredMFA: cognitotest.MFATOTP})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "sms", PhoneNumber: "+15555550123", Password: "pw-sms", SMSMFA: true, PreferredMFA: cognitotest.MFASMS})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "mail", Email: "mail@example.com", Password: "pw-mail", EmailMFA: true, PreferredMFA: cognitotest.MFAEmail})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "both", PhoneNumber: "+15555550199", Password: "pw-both", SMSMFA: true, TOTPSecret: totpSecret})
	c := e.client(t, nil)
	ctx := context.Background()

	t.Run("totp", func(t *testing.T) {
		step := nextAs[*srpclient.MFACodeRequired](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "totp@example.com", Password: "pw-totp"})))
		if step.ChallengeName() != "SOFTWARE_TOKEN_MFA" {
			t.Fatalf("challenge: got %s", step.ChallengeName())
		}
		if _, err := step.Answer(ctx, "12345a"); !errors.Is(err, srpclient.ErrInvalidInput) {
			t.Errorf("bad code: got %v; want ErrInvalidInput", err)
		}
		code, _ := cognitotest.TOTPCode(totpSecret, time.Now())
		tk := mustDone(t, rr(step.Answer(ctx, code)))
		if tk.Username != "totp" {
			t.Errorf("username: got %q", tk.Username)
		}
		if _, err := step.Answer(ctx, code); !errors.Is(err, srpclient.ErrStepAnswered) {
			t.Errorf("second answer: got %v; want ErrStepAnswered", err)
		}
	})
	t.Run("sms", func(t *testing.T) {
		step := nextAs[*srpclient.MFACodeRequired](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "sms", Password: "pw-sms"})))
		if step.ChallengeName() != "SMS_MFA" || step.Destination == "" {
			t.Fatalf("step: %s %q", step.ChallengeName(), step.Destination)
		}
		wrong := "000000"
		if e.srv.LastCode("sms", cognitotest.MsgSMSMFA) == wrong {
			wrong = "111111"
		}
		if _, err := step.Answer(ctx, wrong); !errors.Is(err, srpclient.ErrCodeMismatch) {
			t.Fatalf("wrong code: got %v; want ErrCodeMismatch", err)
		}
		// After a wrong code, the same step (and Session) can be answered
		// again.
		mustDone(t, rr(step.Answer(ctx, e.srv.LastCode("sms", cognitotest.MsgSMSMFA))))
		if _, err := step.Answer(ctx, e.srv.LastCode("sms", cognitotest.MsgSMSMFA)); !errors.Is(err, srpclient.ErrStepAnswered) {
			t.Errorf("answer after success: got %v; want ErrStepAnswered", err)
		}
	})
	t.Run("email", func(t *testing.T) {
		step := nextAs[*srpclient.MFACodeRequired](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "mail", Password: "pw-mail", Flow: srpclient.FlowPassword})))
		if step.ChallengeName() != "EMAIL_OTP" {
			t.Fatalf("challenge: got %s", step.ChallengeName())
		}
		mustDone(t, rr(step.Answer(ctx, e.srv.LastCode("mail", cognitotest.MsgEmailMFA))))
	})
	t.Run("select", func(t *testing.T) {
		sel := nextAs[*srpclient.SelectMFAType](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "both", Password: "pw-both"})))
		if !slices.Contains(sel.Options, "SMS_MFA") || !slices.Contains(sel.Options, "SOFTWARE_TOKEN_MFA") {
			t.Fatalf("options: %v", sel.Options)
		}
		if _, err := sel.Choose(ctx, "CARRIER_PIGEON"); !errors.Is(err, srpclient.ErrInvalidInput) {
			t.Errorf("unknown choice: got %v; want ErrInvalidInput", err)
		}
		step := nextAs[*srpclient.MFACodeRequired](t, rr(sel.Choose(ctx, "SOFTWARE_TOKEN_MFA")))
		code, _ := cognitotest.TOTPCode(totpSecret, time.Now())
		mustDone(t, rr(step.Answer(ctx, code)))
	})
}

func TestE2EMFASetup(t *testing.T) {
	t.Parallel()
	e := newE2E(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOn}, cognitotest.ClientConfig{GenerateSecret: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "setup", Password: "pw-setup"})
	c := e.client(t, func(c *srpclient.Config) { c.TOTPIssuer = "Example Corp" })
	ctx := context.Background()
	setup := nextAs[*srpclient.TOTPSetup](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "setup", Password: "pw-setup"})))
	if setup.Secret == "" || setup.URI != srpclient.TOTPURI("Example Corp", "setup", setup.Secret) {
		t.Fatalf("setup: secret %q uri %q", setup.Secret, setup.URI)
	}
	code, err := cognitotest.TOTPCode(setup.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if _, err := setup.Answer(ctx, wrong, "phone"); !errors.Is(err, srpclient.ErrCodeMismatch) {
		t.Fatalf("wrong TOTP code: got %v; want ErrCodeMismatch", err)
	}
	mustDone(t, rr(setup.Answer(ctx, code, "phone")))
	// The next sign-in asks for the TOTP code.
	step := nextAs[*srpclient.MFACodeRequired](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "setup", Password: "pw-setup"})))
	if step.ChallengeName() != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("challenge: %s", step.ChallengeName())
	}
}

func TestE2ENewPasswordRequired(t *testing.T) {
	t.Parallel()
	for _, secret := range []bool{false, true} {
		e := newE2E(t, cognitotest.PoolConfig{RequiredAttributes: []string{"name"}, UsernameAttributes: []string{"email"}}, cognitotest.ClientConfig{GenerateSecret: secret})
		u := e.pool.MustCreateUser(cognitotest.UserConfig{Email: "temp@example.com", TemporaryPassword: "Temp-123!"})
		c := e.client(t, nil)
		ctx := context.Background()
		np := nextAs[*srpclient.NewPasswordRequired](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "temp@example.com", Password: "Temp-123!"})))
		if !slices.Contains(np.RequiredAttributes, "name") {
			t.Fatalf("required attributes: %v", np.RequiredAttributes)
		}
		var missing *srpclient.MissingAttributesError
		if _, err := np.Answer(ctx, "Perm-456!", nil); !errors.As(err, &missing) {
			t.Fatalf("missing name: got %v", err)
		}
		tk := mustDone(t, rr(np.Answer(ctx, "Perm-456!", map[string]string{"name": "Tem Porary"})))
		if tk.Username != u.Username {
			t.Errorf("username: got %q; want %q", tk.Username, u.Username)
		}
		res, err := c.SignIn(ctx, srpclient.SignInInput{Username: "temp@example.com", Password: "Perm-456!"})
		mustDone(t, rr(res, err))
	}
}

func TestE2ECustomAuth(t *testing.T) {
	t.Parallel()
	// The pool's Lambda triggers, written for aws-lambda-go.
	triggers := cognitotest.LambdaTriggers{
		DefineAuthChallenge: func(_ context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
			s := ev.Request.Session
			n := len(s)
			switch {
			case n > 0 && !s[n-1].ChallengeResult:
				ev.Response.FailAuthentication = true
			case n > 0 && s[n-1].ChallengeName == "SRP_A":
				ev.Response.ChallengeName = "PASSWORD_VERIFIER"
			case n > 0 && s[n-1].ChallengeName == "CUSTOM_CHALLENGE":
				ev.Response.IssueTokens = true
			default:
				ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
			}
			return ev, nil
		},
		CreateAuthChallenge: func(_ context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error) {
			ev.Response.PublicChallengeParameters = map[string]string{"question": "2+2"}
			ev.Response.PrivateChallengeParameters = map[string]string{"answer": "4"}
			return ev, nil
		},
		VerifyAuthChallengeResponse: func(_ context.Context, ev events.CognitoEventUserPoolsVerifyAuthChallenge) (events.CognitoEventUserPoolsVerifyAuthChallenge, error) {
			ev.Response.AnswerCorrect = ev.Request.ChallengeAnswer == ev.Request.PrivateChallengeParameters["answer"]
			return ev, nil
		},
	}
	for _, secret := range []bool{false, true} {
		e := newE2E(t, cognitotest.PoolConfig{LambdaTriggers: triggers, AliasAttributes: []string{"email"}}, cognitotest.ClientConfig{GenerateSecret: secret})
		e.pool.MustCreateUser(cognitotest.UserConfig{Username: "cara", Email: "cara@example.com", Password: "pw-cara"})
		c := e.client(t, nil)
		ctx := context.Background()
		for _, flow := range []srpclient.Flow{srpclient.FlowCustom, srpclient.FlowCustomSRP} {
			ch := nextAs[*srpclient.CustomChallenge](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "cara@example.com", Password: "pw-cara", Flow: flow})))
			if ch.Parameters["question"] != "2+2" {
				t.Fatalf("%s: parameters %v", flow, ch.Parameters)
			}
			tk := mustDone(t, rr(ch.Answer(ctx, "4")))
			if tk.Username != "cara" {
				t.Errorf("%s: username %q", flow, tk.Username)
			}
			ch = nextAs[*srpclient.CustomChallenge](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "cara", Password: "pw-cara", Flow: flow})))
			if _, err := ch.Answer(ctx, "5"); !errors.Is(err, srpclient.ErrNotAuthorized) {
				t.Errorf("%s: wrong answer: got %v; want ErrNotAuthorized", flow, err)
			}
		}
		// CUSTOM_AUTH with SRP and a wrong password fails at the verifier.
		if _, err := c.SignIn(ctx, srpclient.SignInInput{Username: "cara", Password: "nope-nope", Flow: srpclient.FlowCustomSRP}); !errors.Is(err, srpclient.ErrNotAuthorized) {
			t.Errorf("custom SRP wrong password: got %v", err)
		}
	}
}

func TestE2EUserAuthChoices(t *testing.T) {
	t.Parallel()
	e := newE2E(t, cognitotest.PoolConfig{AllowedFirstAuthFactors: []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}, UsernameAttributes: []string{"email"}}, cognitotest.ClientConfig{GenerateSecret: true})
	u := e.pool.MustCreateUser(cognitotest.UserConfig{Email: "otp@example.com", PhoneNumber: "+15555550111", Password: "pw-otp-1"})
	c := e.client(t, nil)
	ctx := context.Background()
	for _, choice := range []string{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"} {
		t.Run(choice, func(t *testing.T) {
			sel := nextAs[*srpclient.SelectChallenge](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "otp@example.com", Password: "pw-otp-1", Flow: srpclient.FlowUserAuth})))
			if !slices.Contains(sel.Available, choice) {
				t.Fatalf("available: %v", sel.Available)
			}
			res, err := sel.Choose(ctx, choice)
			switch choice {
			case "EMAIL_OTP", "SMS_OTP":
				step := nextAs[*srpclient.MFACodeRequired](t, rr(res, err))
				if step.ChallengeName() != choice {
					t.Fatalf("challenge: %s", step.ChallengeName())
				}
				kind := cognitotest.MsgEmailMFA
				if choice == "SMS_OTP" {
					kind = cognitotest.MsgSMSOTP
				}
				res, err = step.Answer(ctx, e.srv.LastCode(u.Username, kind))
			}
			if tk := mustDone(t, rr(res, err)); tk.Username != u.Username {
				t.Errorf("username: got %q; want %q", tk.Username, u.Username)
			}
		})
	}
	t.Run("preferred EMAIL_OTP", func(t *testing.T) {
		step := nextAs[*srpclient.MFACodeRequired](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "otp@example.com", Flow: srpclient.FlowUserAuth, PreferredChallenge: srpclient.ChallengeEmailOTP})))
		mustDone(t, rr(step.Answer(ctx, e.srv.LastCode(u.Username, cognitotest.MsgEmailMFA))))
	})
}

// TestE2EMFASetupEmail: MFA_SETUP in a pool that offers TOTP and email
// MFA is a SelectMFASetup step; choosing EMAIL_OTP asks for an address
// (EmailMFASetup), whose code (MFACodeRequired, EMAIL_OTP) completes the
// sign-in with email MFA on. A pool offering email only goes straight to
// EmailMFASetup; one offering SMS only cannot set MFA up in the sign-in.
func TestE2EMFASetupEmail(t *testing.T) {
	t.Parallel()
	e := newE2E(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOn}, cognitotest.ClientConfig{GenerateSecret: true})
	ctx := context.Background()
	configure := func(totp, email, sms bool) {
		t.Helper()
		in := &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool.ID()), MfaConfiguration: types.UserPoolMfaTypeOn,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: totp}}
		if email {
			in.EmailMfaConfiguration = &types.EmailMfaConfigType{}
		}
		if sms {
			in.SmsMfaConfiguration = &types.SmsMfaConfigType{}
		}
		if _, err := e.api.SetUserPoolMfaConfig(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	configure(true, true, false)
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "ella", Password: "pw-ella"})
	c := e.client(t, nil)

	sel := nextAs[*srpclient.SelectMFASetup](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "ella", Password: "pw-ella"})))
	if !slices.Equal(sel.Options, []string{"SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}) || sel.ChallengeName() != "MFA_SETUP" {
		t.Fatalf("SelectMFASetup options %v", sel.Options)
	}
	if _, err := sel.Choose(ctx, "SMS_MFA"); !errors.Is(err, srpclient.ErrInvalidInput) {
		t.Errorf("choosing a method not offered: got %v; want ErrInvalidInput", err)
	}
	setup := nextAs[*srpclient.EmailMFASetup](t, rr(sel.Choose(ctx, "EMAIL_OTP")))
	if _, err := sel.Choose(ctx, "EMAIL_OTP"); !errors.Is(err, srpclient.ErrStepAnswered) {
		t.Errorf("choosing twice: got %v; want ErrStepAnswered", err)
	}
	if _, err := setup.Answer(ctx, "not an email"); !errors.Is(err, srpclient.ErrInvalidInput) {
		t.Errorf("a malformed address: got %v; want ErrInvalidInput", err)
	}
	step := nextAs[*srpclient.MFACodeRequired](t, rr(setup.Answer(ctx, "ella@example.com")))
	if step.ChallengeName() != "EMAIL_OTP" || step.Medium != "EMAIL" || step.Destination != "e***@e***" {
		t.Fatalf("after the address: %s %s %q", step.ChallengeName(), step.Medium, step.Destination)
	}
	tk := mustDone(t, rr(step.Answer(ctx, e.srv.LastCode("ella@example.com", cognitotest.MsgEmailMFA))))
	if tk.Username != "ella" {
		t.Errorf("username %q", tk.Username)
	}
	// Email MFA is on: the next sign-in asks for an email code.
	next := nextAs[*srpclient.MFACodeRequired](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "ella", Password: "pw-ella"})))
	if next.ChallengeName() != "EMAIL_OTP" {
		t.Errorf("next sign-in: %s; want EMAIL_OTP", next.ChallengeName())
	}

	// TOTP chosen from the same kind of step.
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "tom", Password: "pw-tom"})
	sel = nextAs[*srpclient.SelectMFASetup](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "tom", Password: "pw-tom"})))
	totp := nextAs[*srpclient.TOTPSetup](t, rr(sel.Choose(ctx, "SOFTWARE_TOKEN_MFA")))
	code, err := cognitotest.TOTPCode(totp.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, rr(totp.Answer(ctx, code, "")))

	// Email only: straight to the address.
	configure(false, true, false)
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "emma", Password: "pw-emma"})
	nextAs[*srpclient.EmailMFASetup](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "emma", Password: "pw-emma"})))

	// SMS only: not in the sign-in.
	configure(false, false, true)
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "sid", Password: "pw-sid"})
	_, err = c.SignIn(ctx, srpclient.SignInInput{Username: "sid", Password: "pw-sid"})
	var ce *srpclient.ChallengeError
	if !errors.As(err, &ce) || ce.Name != "MFA_SETUP for SMS_MFA" {
		t.Errorf("SMS-only MFA_SETUP: got %v; want a *ChallengeError", err)
	}
}
