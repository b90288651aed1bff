package cognitotest_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// eventSummary is an auth event in a comparable form: its type, response
// and challenge steps.
func eventSummary(e types.AuthEventType) string {
	s := string(e.EventType) + ":" + string(e.EventResponse)
	for _, c := range e.ChallengeResponses {
		s += " " + string(c.ChallengeName) + "=" + string(c.ChallengeResponse)
	}
	return s
}

// TestAuthEvents: sign-ins (passed and failed, at the password and at the
// MFA step), sign-ups, password resets and changes are recorded as auth
// events, newest first, with where they came from; AdminListUserAuthEvents
// pages through them with a NextToken that neither repeats nor skips an
// event when new ones arrive between the pages; AdminUpdateAuthEventFeedback
// and UpdateAuthEventFeedback (with the event's feedback token) rate an
// event; the main failure modes answer Cognito's errors.
func TestAuthEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional, AutoVerifiedAttributes: []string{"email"}})
	const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "max", Password: testPassword, TOTPSecret: totpSecret})
	pid := aws.String(e.pool.ID())
	list := func(user string, max int32, next *string) *cip.AdminListUserAuthEventsOutput {
		t.Helper()
		out, err := e.api.AdminListUserAuthEvents(ctx(), &cip.AdminListUserAuthEventsInput{UserPoolId: pid, Username: aws.String(user),
			MaxResults: aws.Int32(max), NextToken: next})
		noErr(t, err)
		return out
	}
	summaries := func(events []types.AuthEventType) []string {
		var out []string
		for _, ev := range events {
			out = append(out, eventSummary(ev))
		}
		return out
	}

	// A wrong password, a wrong TOTP code, a full sign-in.
	_, err := e.passwordLogin(e.public, "max", "Wrong-Passw0rd!")
	wantErr[*types.NotAuthorizedException](t, err, "wrong password")
	ch := must(e.passwordLogin(e.public, "max", testPassword))
	if ch.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("challenge %q; want SOFTWARE_TOKEN_MFA", ch.ChallengeName)
	}
	_, err = e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(e.public.ID), Session: ch.Session,
		ChallengeName: ch.ChallengeName, ChallengeResponses: map[string]string{"USERNAME": "max", "SOFTWARE_TOKEN_MFA_CODE": "000000"}})
	wantErr[*types.CodeMismatchException](t, err, "wrong TOTP code")
	ch = must(e.passwordLogin(e.public, "max", testPassword))
	code := must(cognitotest.TOTPCode(totpSecret, e.clock.Now()))
	res := must(e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(e.public.ID), Session: ch.Session,
		ChallengeName: ch.ChallengeName, ChallengeResponses: map[string]string{"USERNAME": "max", "SOFTWARE_TOKEN_MFA_CODE": code}}))
	acc := res.AuthenticationResult.AccessToken
	// A password change and a reset.
	_, err = e.api.ChangePassword(ctx(), &cip.ChangePasswordInput{AccessToken: acc, PreviousPassword: aws.String(testPassword), ProposedPassword: aws.String(testPassword + "x")})
	noErr(t, err)
	_, err = e.api.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: pid, Username: aws.String("max"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("max@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")}}})
	noErr(t, err)
	_, err = e.api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: aws.String(e.public.ID), Username: aws.String("max")})
	noErr(t, err)

	all := list("max", 0, nil)
	want := []string{"ForgotPassword:Pass", "PasswordChange:Pass", "SignIn:Pass Password=Success Mfa=Success",
		"SignIn:Fail Password=Success Mfa=Failure", "SignIn:Fail Password=Failure"}
	if got := summaries(all.AuthEvents); !slices.Equal(got, want) {
		t.Fatalf("AdminListUserAuthEvents: %q; want %q", got, want)
	}
	if all.NextToken != nil {
		t.Errorf("NextToken %q with every event on the page", *all.NextToken)
	}
	first := all.AuthEvents[2]
	if first.EventContextData == nil || aws.ToString(first.EventContextData.IpAddress) != "127.0.0.1" || first.EventContextData.DeviceName == nil ||
		first.EventRisk == nil || first.EventRisk.RiskDecision != types.RiskDecisionTypeNoRisk || first.CreationDate == nil || !first.CreationDate.Equal(e.clock.Now().Truncate(1e6)) {
		t.Errorf("sign-in event: context %+v, risk %+v, created %v; want 127.0.0.1, NoRisk, now", first.EventContextData, first.EventRisk, first.CreationDate)
	}

	// Pages of two, with a sign-in recorded between the pages.
	p1 := list("max", 2, nil)
	if len(p1.AuthEvents) != 2 || p1.NextToken == nil {
		t.Fatalf("page 1: %d events, NextToken %v; want 2 and a token", len(p1.AuthEvents), p1.NextToken)
	}
	_, err = e.passwordLogin(e.public, "max", "Wrong-Passw0rd!")
	wantErr[*types.NotAuthorizedException](t, err, "wrong password")
	var paged []types.AuthEventType
	paged = append(paged, p1.AuthEvents...)
	for next := p1.NextToken; next != nil; {
		p := list("max", 2, next)
		paged = append(paged, p.AuthEvents...)
		next = p.NextToken
	}
	var ids, wantIDs []string
	for _, ev := range paged {
		ids = append(ids, aws.ToString(ev.EventId))
	}
	for _, ev := range all.AuthEvents {
		wantIDs = append(wantIDs, aws.ToString(ev.EventId))
	}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("paged event IDs %v; want %v (no repeats, no gaps)", ids, wantIDs)
	}
	_, err = e.api.AdminListUserAuthEvents(ctx(), &cip.AdminListUserAuthEventsInput{UserPoolId: pid, Username: aws.String("max"), NextToken: aws.String("x")})
	wantErr[*types.InvalidParameterException](t, err, "a bad NextToken")
	_, err = e.api.AdminListUserAuthEvents(ctx(), &cip.AdminListUserAuthEventsInput{UserPoolId: pid, Username: aws.String("max"), MaxResults: aws.Int32(61)})
	wantErr[*types.InvalidParameterException](t, err, "MaxResults 61")
	_, err = e.api.AdminListUserAuthEvents(ctx(), &cip.AdminListUserAuthEventsInput{UserPoolId: pid, Username: aws.String("nobody")})
	wantErr[*types.UserNotFoundException](t, err, "events of an unknown user")

	// Feedback: by the admin, and by the user with the event's token.
	pass, fail := all.AuthEvents[2].EventId, all.AuthEvents[4].EventId
	_, err = e.api.AdminUpdateAuthEventFeedback(ctx(), &cip.AdminUpdateAuthEventFeedbackInput{UserPoolId: pid, Username: aws.String("max"),
		EventId: pass, FeedbackValue: types.FeedbackValueTypeValid})
	noErr(t, err)
	tok, err := e.pool.AuthEventFeedbackToken("max", *fail)
	noErr(t, err)
	wrong := tok[:len(tok)-1] + "A"
	if wrong == tok { // the token ended in A: 1 run in 64
		wrong = tok[:len(tok)-1] + "B"
	}
	_, err = e.api.UpdateAuthEventFeedback(ctx(), &cip.UpdateAuthEventFeedbackInput{UserPoolId: pid, Username: aws.String("max"), EventId: fail,
		FeedbackToken: aws.String(wrong), FeedbackValue: types.FeedbackValueTypeInvalid})
	wantErr[*types.NotAuthorizedException](t, err, "UpdateAuthEventFeedback with a wrong token")
	other, err := e.pool.AuthEventFeedbackToken("max", *pass)
	noErr(t, err)
	_, err = e.api.UpdateAuthEventFeedback(ctx(), &cip.UpdateAuthEventFeedbackInput{UserPoolId: pid, Username: aws.String("max"), EventId: fail,
		FeedbackToken: aws.String(other), FeedbackValue: types.FeedbackValueTypeInvalid})
	wantErr[*types.NotAuthorizedException](t, err, "UpdateAuthEventFeedback with another event's token")
	_, err = e.api.UpdateAuthEventFeedback(ctx(), &cip.UpdateAuthEventFeedbackInput{UserPoolId: pid, Username: aws.String("max"), EventId: fail,
		FeedbackToken: aws.String(tok), FeedbackValue: types.FeedbackValueTypeInvalid})
	noErr(t, err)
	byID := map[string]*types.EventFeedbackType{}
	for _, ev := range list("max", 0, nil).AuthEvents {
		byID[aws.ToString(ev.EventId)] = ev.EventFeedback
	}
	if f := byID[*pass]; f == nil || f.FeedbackValue != types.FeedbackValueTypeValid || aws.ToString(f.Provider) != "Admin" || f.FeedbackDate == nil {
		t.Errorf("feedback of the admin: %+v; want Valid by Admin", f)
	}
	if f := byID[*fail]; f == nil || f.FeedbackValue != types.FeedbackValueTypeInvalid || aws.ToString(f.Provider) != "User" {
		t.Errorf("feedback of the user: %+v; want Invalid by User", f)
	}
	if f := byID[aws.ToString(all.AuthEvents[0].EventId)]; f != nil {
		t.Errorf("an unrated event has feedback %+v", f)
	}
	_, err = e.api.AdminUpdateAuthEventFeedback(ctx(), &cip.AdminUpdateAuthEventFeedbackInput{UserPoolId: pid, Username: aws.String("max"),
		EventId: aws.String("no-such-event"), FeedbackValue: types.FeedbackValueTypeValid})
	wantErr[*types.ResourceNotFoundException](t, err, "feedback on an unknown event")
	_, err = e.api.AdminUpdateAuthEventFeedback(ctx(), &cip.AdminUpdateAuthEventFeedbackInput{UserPoolId: pid, Username: aws.String("max"),
		EventId: pass, FeedbackValue: "Maybe"})
	wantErr[*types.InvalidParameterException](t, err, "feedback value Maybe")
	_, err = e.api.AdminUpdateAuthEventFeedback(ctx(), &cip.AdminUpdateAuthEventFeedbackInput{UserPoolId: pid, Username: aws.String("nobody"),
		EventId: pass, FeedbackValue: types.FeedbackValueTypeValid})
	wantErr[*types.UserNotFoundException](t, err, "feedback for an unknown user")

	// A sign-up is an event of the new user; a deleted user's events go
	// with the user.
	_, err = e.api.SignUp(ctx(), &cip.SignUpInput{ClientId: aws.String(e.public.ID), Username: aws.String("sid"), Password: aws.String(testPassword),
		UserAttributes:  []types.AttributeType{{Name: aws.String("email"), Value: aws.String("sid@example.com")}},
		UserContextData: &types.UserContextDataType{IpAddress: aws.String("203.0.113.7")}})
	noErr(t, err)
	sid := list("sid", 0, nil).AuthEvents
	if got := summaries(sid); !slices.Equal(got, []string{"SignUp:Pass"}) || aws.ToString(sid[0].EventContextData.IpAddress) != "203.0.113.7" {
		t.Errorf("sid's events: %q from %+v; want SignUp:Pass from UserContextData's 203.0.113.7", got, sid[0].EventContextData)
	}
	noErr(t, e.pool.DeleteUser("sid"))
	_, err = e.api.SignUp(ctx(), &cip.SignUpInput{ClientId: aws.String(e.public.ID), Username: aws.String("sid"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("sid@example.com")}}})
	noErr(t, err)
	if n := len(list("sid", 0, nil).AuthEvents); n != 1 {
		t.Errorf("a new sid has %d events; want 1 (the old sid's went with it)", n)
	}
}

// TestAuthEventsBounded: a user keeps the newest 100 auth events: after
// three sign-ins and 100 password reset requests, the sign-ins are gone.
func TestAuthEventsBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "bo", Password: testPassword, Email: "bo@example.com"})
	for range 3 {
		must(e.passwordLogin(e.public, "bo", testPassword))
	}
	for range 100 {
		must(e.api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: aws.String(e.public.ID), Username: aws.String("bo")}))
	}
	var kept []types.AuthEventType
	var next *string
	for {
		out := must(e.api.AdminListUserAuthEvents(ctx(), &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(e.pool.ID()), Username: aws.String("bo"),
			MaxResults: aws.Int32(60), NextToken: next}))
		kept = append(kept, out.AuthEvents...)
		if next = out.NextToken; next == nil {
			break
		}
	}
	if len(kept) != 100 {
		t.Errorf("%d events kept; want 100", len(kept))
	}
	for _, ev := range kept {
		if ev.EventType != types.EventTypeForgotPassword {
			t.Fatalf("an event %s %s kept; want the 100 newest, the password reset requests", ev.EventType, ev.EventResponse)
		}
	}
}

// TestGetUserAuthFactors: GetUserAuthFactors names the first factors
// USER_AUTH offers the user (PASSWORD with a password, EMAIL_OTP and
// SMS_OTP with a verified address the pool allows them on) and the user's
// MFA settings.
func TestGetUserAuthFactors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional, AllowedFirstAuthFactors: []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "fay", Password: testPassword, Email: "fay@example.com", PhoneNumber: "+15555550111",
		UnverifiedPhone: true, TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", PreferredMFA: cognitotest.MFATOTP})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "gil", Password: testPassword})
	for _, tc := range []struct {
		user, code string
		factors    []types.AuthFactorType
		preferred  string
		mfa        []string
	}{
		{"fay", "TOTP", []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}, "SOFTWARE_TOKEN_MFA", []string{"SOFTWARE_TOKEN_MFA"}},
		{"gil", "", []types.AuthFactorType{types.AuthFactorTypePassword}, "", nil},
	} {
		out := must(e.passwordLogin(e.public, tc.user, testPassword))
		acc := out.AuthenticationResult
		if tc.code != "" {
			code := must(cognitotest.TOTPCode("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", e.clock.Now()))
			res := must(e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(e.public.ID), Session: out.Session,
				ChallengeName: out.ChallengeName, ChallengeResponses: map[string]string{"USERNAME": tc.user, "SOFTWARE_TOKEN_MFA_CODE": code}}))
			acc = res.AuthenticationResult
		}
		f := must(e.api.GetUserAuthFactors(ctx(), &cip.GetUserAuthFactorsInput{AccessToken: acc.AccessToken}))
		if aws.ToString(f.Username) != tc.user || !slices.Equal(f.ConfiguredUserAuthFactors, tc.factors) ||
			aws.ToString(f.PreferredMfaSetting) != tc.preferred || !slices.Equal(f.UserMFASettingList, tc.mfa) {
			t.Errorf("%s: GetUserAuthFactors = %s %v %q %v; want %v %q %v", tc.user, aws.ToString(f.Username), f.ConfiguredUserAuthFactors,
				aws.ToString(f.PreferredMfaSetting), f.UserMFASettingList, tc.factors, tc.preferred, tc.mfa)
		}
	}
	_, err := e.api.GetUserAuthFactors(ctx(), &cip.GetUserAuthFactorsInput{AccessToken: aws.String("not-a-token")})
	wantErr[*types.NotAuthorizedException](t, err, "GetUserAuthFactors with a bad token")
}
