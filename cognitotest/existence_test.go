package cognitotest_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestPreventUserExistenceSRP: with PreventUserExistenceErrors, USER_SRP_AUTH
// for an unknown user answers PASSWORD_VERIFIER with the same salt and the
// same UUID-shaped USER_ID_FOR_SRP on every call (per pool and username,
// as the pool compares usernames), and the answer fails as a wrong password
// does. A user without a password gets the same salt on every call too.
func TestPreventUserExistenceSRP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{UsernameAttributes: []string{"email"}, AllowedFirstAuthFactors: []string{"PASSWORD", "EMAIL_OTP"}})
	c := e.pool.MustCreateClient(cognitotest.ClientConfig{PreventUserExistenceErrors: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Email: "real@example.com", Password: testPassword})
	e.pool.MustCreateUser(cognitotest.UserConfig{Email: "otp@example.com"})
	start := func(c cognitotest.AppClient, user string) map[string]string {
		t.Helper()
		_, out, err := e.srpStart(c, user)
		noErr(t, err)
		if out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
			t.Fatalf("%s: challenge %q; want PASSWORD_VERIFIER", user, out.ChallengeName)
		}
		return out.ChallengeParameters
	}
	a, b := start(c, "ghost@example.com"), start(c, "GHOST@example.com")
	if a["SALT"] != b["SALT"] || a["USER_ID_FOR_SRP"] != b["USER_ID_FOR_SRP"] {
		t.Errorf("two calls for an unknown user: salt %s / %s, USER_ID_FOR_SRP %s / %s; want the same", a["SALT"], b["SALT"], a["USER_ID_FOR_SRP"], b["USER_ID_FOR_SRP"])
	}
	if a["SRP_B"] == b["SRP_B"] {
		t.Error("two calls for an unknown user share SRP_B; want a fresh B each time")
	}
	if !uuidV4.MatchString(a["USER_ID_FOR_SRP"]) || a["USERNAME"] != a["USER_ID_FOR_SRP"] {
		t.Errorf("unknown user: USER_ID_FOR_SRP %q, USERNAME %q; want one UUID (the shape of a real user's here)", a["USER_ID_FOR_SRP"], a["USERNAME"])
	}
	real := start(c, "real@example.com")
	if !uuidV4.MatchString(real["USER_ID_FOR_SRP"]) || len(real["SALT"]) > 34 || len(a["SALT"]) > 34 || len(a["SALT"]) < 30 {
		t.Errorf("real user: USER_ID_FOR_SRP %q, salt %q; decoy salt %q: want the same shapes", real["USER_ID_FOR_SRP"], real["SALT"], a["SALT"])
	}
	if other := start(c, "ghost2@example.com"); other["SALT"] == a["SALT"] || other["USER_ID_FOR_SRP"] == a["USER_ID_FOR_SRP"] {
		t.Error("two unknown users share the decoy salt or USER_ID_FOR_SRP")
	}
	if o1, o2 := start(c, "otp@example.com"), start(c, "otp@example.com"); o1["SALT"] != o2["SALT"] {
		t.Errorf("a user without a password: salt %s then %s; want the same", o1["SALT"], o2["SALT"])
	}
	// Another pool derives other values.
	p2 := e.srv.MustCreatePool(cognitotest.PoolConfig{UsernameAttributes: []string{"email"}})
	c2 := p2.MustCreateClient(cognitotest.ClientConfig{PreventUserExistenceErrors: true})
	if o := start(c2, "ghost@example.com"); o["SALT"] == a["SALT"] || o["USER_ID_FOR_SRP"] == a["USER_ID_FOR_SRP"] {
		t.Error("two pools answer the same decoy for the same unknown user")
	}

	// Answering the decoy fails as a wrong password does.
	answer := func(user, password string) error {
		cl, out, err := e.srpStart(c, user)
		noErr(t, err)
		_, err = e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(c.ID), Session: out.Session,
			ChallengeName: out.ChallengeName, ChallengeResponses: e.verifierResponses(c, cl, out.ChallengeParameters, password, e.now())})
		return err
	}
	ghost := wantErr[*types.NotAuthorizedException](t, answer("ghost@example.com", testPassword), "answer for an unknown user")
	wrong := wantErr[*types.NotAuthorizedException](t, answer("real@example.com", "Wrong-Passw0rd!"), "wrong password")
	if ghost.ErrorMessage() != wrong.ErrorMessage() || ghost.ErrorMessage() != "Incorrect username or password." {
		t.Errorf("unknown user %q, wrong password %q; want both Incorrect username or password.", ghost.ErrorMessage(), wrong.ErrorMessage())
	}
	noErr(t, answer("real@example.com", testPassword))
}

// TestPreventUserExistenceCodes: with PreventUserExistenceErrors,
// ForgotPassword and ResendConfirmationCode for an unknown user answer
// CodeDeliveryDetails, the same on every call, and send nothing; without
// it they answer UserNotFoundException. ConfirmForgotPassword for an
// unknown user is a code mismatch.
func TestPreventUserExistenceCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{AutoVerifiedAttributes: []string{"email"}})
	c := e.pool.MustCreateClient(cognitotest.ClientConfig{PreventUserExistenceErrors: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "rea", Email: "rea@example.com", Password: testPassword})
	cid := aws.String(c.ID)
	forgot := func(user string) *types.CodeDeliveryDetailsType {
		t.Helper()
		out, err := e.api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: cid, Username: aws.String(user)})
		noErr(t, err)
		if out.CodeDeliveryDetails == nil {
			t.Fatalf("ForgotPassword %s: no CodeDeliveryDetails", user)
		}
		return out.CodeDeliveryDetails
	}
	resend := func(user string) *types.CodeDeliveryDetailsType {
		t.Helper()
		out, err := e.api.ResendConfirmationCode(ctx(), &cip.ResendConfirmationCodeInput{ClientId: cid, Username: aws.String(user)})
		noErr(t, err)
		if out.CodeDeliveryDetails == nil {
			t.Fatalf("ResendConfirmationCode %s: no CodeDeliveryDetails", user)
		}
		return out.CodeDeliveryDetails
	}
	e.srv.ClearMessages()
	realD := forgot("rea")
	for _, tc := range []struct {
		user, medium, attr, dest string
	}{
		{"ghost", "EMAIL", "email", ""},
		{"ghost@example.com", "EMAIL", "email", "g***@e***"},
		{"+15555550177", "SMS", "phone_number", "+*******0177"},
	} {
		d1, d2, d3 := forgot(tc.user), forgot(tc.user), resend(tc.user)
		if string(d1.DeliveryMedium) != tc.medium || aws.ToString(d1.AttributeName) != tc.attr || (tc.dest != "" && aws.ToString(d1.Destination) != tc.dest) {
			t.Errorf("ForgotPassword %s: %s %s %s; want %s %s %q", tc.user, d1.DeliveryMedium, aws.ToString(d1.AttributeName), aws.ToString(d1.Destination), tc.medium, tc.attr, tc.dest)
		}
		if aws.ToString(d1.Destination) != aws.ToString(d2.Destination) || aws.ToString(d1.Destination) != aws.ToString(d3.Destination) {
			t.Errorf("%s: destinations %q, %q, %q; want the same on every call", tc.user, aws.ToString(d1.Destination), aws.ToString(d2.Destination), aws.ToString(d3.Destination))
		}
		if len(aws.ToString(d1.Destination)) != len(aws.ToString(realD.Destination)) && tc.medium == "EMAIL" && tc.dest == "" {
			t.Errorf("decoy destination %q, real %q: want the same shape", aws.ToString(d1.Destination), aws.ToString(realD.Destination))
		}
	}
	if msgs := e.srv.Messages(); len(msgs) != 1 || msgs[0].Username != "rea" {
		t.Errorf("messages sent: %+v; want only rea's code", msgs)
	}
	_, err := e.api.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: cid, Username: aws.String("ghost"), ConfirmationCode: aws.String("123456"),
		Password: aws.String(testPassword)})
	wantErr[*types.CodeMismatchException](t, err, "ConfirmForgotPassword for an unknown user")

	// Without PreventUserExistenceErrors, the user's absence shows.
	_, err = e.api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: aws.String(e.public.ID), Username: aws.String("ghost")})
	wantErr[*types.UserNotFoundException](t, err, "ForgotPassword for an unknown user (LEGACY)")
	_, err = e.api.ResendConfirmationCode(ctx(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(e.public.ID), Username: aws.String("ghost")})
	wantErr[*types.UserNotFoundException](t, err, "ResendConfirmationCode for an unknown user (LEGACY)")
}
