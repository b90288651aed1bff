package cognitotest_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestUserPoolMfaConfig: SetUserPoolMfaConfig chooses the MFA methods of
// sign-in and the texts of their messages, turns MFA on, optional or off,
// and GetUserPoolMfaConfig and DescribeUserPool report it.
func TestUserPoolMfaConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional})
	pid := aws.String(e.pool.ID())
	const secret = "JBSWY3DPEHPK3PXP"
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "tia", Password: testPassword, PhoneNumber: "+15555550100", Email: "tia@example.com",
		TOTPSecret: secret, SMSMFA: true, EmailMFA: true, PreferredMFA: cognitotest.MFATOTP})

	got := must(e.api.GetUserPoolMfaConfig(ctx(), &cip.GetUserPoolMfaConfigInput{UserPoolId: pid}))
	if got.MfaConfiguration != types.UserPoolMfaTypeOptional || !got.SoftwareTokenMfaConfiguration.Enabled || got.SmsMfaConfiguration == nil || got.EmailMfaConfiguration == nil {
		t.Errorf("GetUserPoolMfaConfig of a pool never configured: %+v; want OPTIONAL with every method", got)
	}
	if out := must(e.passwordLogin(e.public, "tia", testPassword)); out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("sign-in before the configuration: %q; want SOFTWARE_TOKEN_MFA (preferred)", out.ChallengeName)
	}

	// SMS only, with the pool's own text.
	set, err := e.api.SetUserPoolMfaConfig(ctx(), &cip.SetUserPoolMfaConfigInput{UserPoolId: pid, MfaConfiguration: types.UserPoolMfaTypeOptional,
		SmsMfaConfiguration:           &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Your code for tia-app: {####}")},
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: false}})
	noErr(t, err)
	if set.SoftwareTokenMfaConfiguration.Enabled || set.SmsMfaConfiguration == nil || set.EmailMfaConfiguration != nil {
		t.Errorf("SetUserPoolMfaConfig output %+v; want SMS only", set)
	}
	got = must(e.api.GetUserPoolMfaConfig(ctx(), &cip.GetUserPoolMfaConfigInput{UserPoolId: pid}))
	if got.SoftwareTokenMfaConfiguration.Enabled || aws.ToString(got.SmsMfaConfiguration.SmsAuthenticationMessage) != "Your code for tia-app: {####}" || got.EmailMfaConfiguration != nil {
		t.Errorf("GetUserPoolMfaConfig after setting SMS only: %+v", got)
	}
	out := must(e.passwordLogin(e.public, "tia", testPassword))
	if out.ChallengeName != types.ChallengeNameTypeSmsMfa {
		t.Fatalf("sign-in with SMS the only method: %q; want SMS_MFA (TOTP and email are not offered)", out.ChallengeName)
	}
	m, _ := e.srv.LastMessage("tia", cognitotest.MsgSMSMFA)
	if want := "Your code for tia-app: " + m.Code; m.Text != want {
		t.Errorf("SMS text %q; want %q", m.Text, want)
	}
	// The SMS message is the pool's SmsAuthenticationMessage: one setting,
	// which DescribeUserPool reports and UpdateUserPool sets too.
	if d := must(e.api.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: pid})).UserPool; aws.ToString(d.SmsAuthenticationMessage) != "Your code for tia-app: {####}" {
		t.Errorf("DescribeUserPool's SmsAuthenticationMessage %q; want the one SetUserPoolMfaConfig set", aws.ToString(d.SmsAuthenticationMessage))
	}
	res := must(e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "tia", "SMS_MFA_CODE": m.Code}))
	acc := res.AuthenticationResult.AccessToken
	_, err = e.api.AssociateSoftwareToken(ctx(), &cip.AssociateSoftwareTokenInput{AccessToken: acc})
	wantErr[*types.SoftwareTokenMFANotFoundException](t, err, "AssociateSoftwareToken in a pool without TOTP")
	_, err = e.api.SetUserMFAPreference(ctx(), &cip.SetUserMFAPreferenceInput{AccessToken: acc, EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true}})
	wantErr[*types.InvalidParameterException](t, err, "SetUserMFAPreference for email MFA in a pool without it")

	// Email only, with a subject and text.
	_, err = e.api.SetUserPoolMfaConfig(ctx(), &cip.SetUserPoolMfaConfigInput{UserPoolId: pid, MfaConfiguration: types.UserPoolMfaTypeOptional,
		EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("Sign in with {####}."), Subject: aws.String("tia-app sign-in")}})
	noErr(t, err)
	if out := must(e.passwordLogin(e.public, "tia", testPassword)); out.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("sign-in with email the only method: %q; want EMAIL_OTP", out.ChallengeName)
	}
	m, _ = e.srv.LastMessage("tia", cognitotest.MsgEmailMFA)
	if m.Subject != "tia-app sign-in" || m.Text != "Sign in with "+m.Code+"." {
		t.Errorf("email: subject %q text %q; want the pool's", m.Subject, m.Text)
	}

	// OFF: no MFA at all; DescribeUserPool agrees.
	_, err = e.api.SetUserPoolMfaConfig(ctx(), &cip.SetUserPoolMfaConfigInput{UserPoolId: pid, MfaConfiguration: types.UserPoolMfaTypeOff,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	noErr(t, err)
	if out := must(e.passwordLogin(e.public, "tia", testPassword)); out.AuthenticationResult == nil {
		t.Errorf("sign-in with MFA OFF: challenge %q; want tokens", out.ChallengeName)
	}
	if d := must(e.api.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: pid})); d.UserPool.MfaConfiguration != types.UserPoolMfaTypeOff {
		t.Errorf("DescribeUserPool MfaConfiguration %q; want OFF", d.UserPool.MfaConfiguration)
	}

	// UpdateUserPool's SmsAuthenticationMessage and SmsConfiguration are
	// what GetUserPoolMfaConfig reports for SMS.
	_, err = e.api.SetUserPoolMfaConfig(ctx(), &cip.SetUserPoolMfaConfigInput{UserPoolId: pid, MfaConfiguration: types.UserPoolMfaTypeOptional,
		SmsMfaConfiguration: &types.SmsMfaConfigType{}})
	noErr(t, err)
	_, err = e.api.UpdateUserPool(ctx(), &cip.UpdateUserPoolInput{UserPoolId: pid, MfaConfiguration: types.UserPoolMfaTypeOptional,
		SmsAuthenticationMessage: aws.String("tia-app code {####}"),
		SmsConfiguration:         &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/sns"), ExternalId: aws.String("x")}})
	noErr(t, err)
	got = must(e.api.GetUserPoolMfaConfig(ctx(), &cip.GetUserPoolMfaConfigInput{UserPoolId: pid}))
	if got.SmsMfaConfiguration == nil || aws.ToString(got.SmsMfaConfiguration.SmsAuthenticationMessage) != "tia-app code {####}" ||
		got.SmsMfaConfiguration.SmsConfiguration == nil || aws.ToString(got.SmsMfaConfiguration.SmsConfiguration.ExternalId) != "x" {
		t.Errorf("GetUserPoolMfaConfig after UpdateUserPool: %+v; want its SMS message and configuration", got.SmsMfaConfiguration)
	}

	for _, tc := range []struct {
		what string
		in   *cip.SetUserPoolMfaConfigInput
	}{
		{"MFA ON without a method", &cip.SetUserPoolMfaConfigInput{UserPoolId: pid, MfaConfiguration: types.UserPoolMfaTypeOn}},
		{"an SMS text without {####}", &cip.SetUserPoolMfaConfigInput{UserPoolId: pid,
			SmsMfaConfiguration: &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("no code here")}}},
		{"an email text without {####}", &cip.SetUserPoolMfaConfigInput{UserPoolId: pid,
			EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("no code here")}}},
		{"an SNS configuration without a role", &cip.SetUserPoolMfaConfigInput{UserPoolId: pid,
			SmsMfaConfiguration: &types.SmsMfaConfigType{SmsConfiguration: &types.SmsConfigurationType{SnsCallerArn: aws.String("")}}}},
		{"a bad MfaConfiguration", &cip.SetUserPoolMfaConfigInput{UserPoolId: pid, MfaConfiguration: "SOMETIMES"}},
	} {
		_, err := e.api.SetUserPoolMfaConfig(ctx(), tc.in)
		wantErr[*types.InvalidParameterException](t, err, "SetUserPoolMfaConfig with "+tc.what)
	}
	_, err = e.api.GetUserPoolMfaConfig(ctx(), &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String("us-east-1_Nope")})
	wantErr[*types.ResourceNotFoundException](t, err, "GetUserPoolMfaConfig of an unknown pool")
	_, err = e.api.SetUserPoolMfaConfig(ctx(), &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String("us-east-1_Nope"), MfaConfiguration: types.UserPoolMfaTypeOff})
	wantErr[*types.ResourceNotFoundException](t, err, "SetUserPoolMfaConfig of an unknown pool")
}

// TestMFASetupEmailAndSMS: MFA_SETUP offers the pool's methods
// (MFAS_CAN_SETUP), not only TOTP: answering it with EMAIL sends an
// EMAIL_OTP code to that address, whose right code makes it the user's
// verified email with email MFA on; SMS is set up as Cognito documents it,
// by giving the user a phone number and signing in again.
func TestMFASetupEmailAndSMS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOn, AliasAttributes: []string{"email"}})
	pid := aws.String(e.pool.ID())
	_, err := e.api.SetUserPoolMfaConfig(ctx(), &cip.SetUserPoolMfaConfigInput{UserPoolId: pid, MfaConfiguration: types.UserPoolMfaTypeOn,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}, EmailMfaConfiguration: &types.EmailMfaConfigType{}})
	noErr(t, err)
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "eve", Password: testPassword})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "other", Password: testPassword, Email: "taken@example.com"})
	out := must(e.srpLogin(e.public, "eve", testPassword))
	if out.ChallengeName != types.ChallengeNameTypeMfaSetup || out.ChallengeParameters["MFAS_CAN_SETUP"] != `["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]` {
		t.Fatalf("sign-in without MFA: %q %v; want MFA_SETUP offering TOTP and email", out.ChallengeName, out.ChallengeParameters)
	}
	_, err = e.respond(e.public, types.ChallengeNameTypeMfaSetup, out.Session, map[string]string{"USERNAME": "eve", "EMAIL": "not-an-email"})
	wantErr[*types.InvalidParameterException](t, err, "MFA_SETUP with a malformed email")
	out = must(e.srpLogin(e.public, "eve", testPassword))
	_, err = e.respond(e.public, types.ChallengeNameTypeMfaSetup, out.Session, map[string]string{"USERNAME": "eve", "EMAIL": "taken@example.com"})
	wantErr[*types.AliasExistsException](t, err, "MFA_SETUP with the email another user signs in with")
	out = must(e.srpLogin(e.public, "eve", testPassword))
	ch := must(e.respond(e.public, types.ChallengeNameTypeMfaSetup, out.Session, map[string]string{"USERNAME": "eve", "EMAIL": "eve@example.com"}))
	if ch.ChallengeName != types.ChallengeNameTypeEmailOtp || ch.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "e***@e***" {
		t.Fatalf("MFA_SETUP with EMAIL: %q %v; want EMAIL_OTP to e***@e***", ch.ChallengeName, ch.ChallengeParameters)
	}
	_, err = e.respond(e.public, ch.ChallengeName, ch.Session, map[string]string{"USERNAME": "eve", "EMAIL_OTP_CODE": "00000000"})
	wantErr[*types.CodeMismatchException](t, err, "a wrong EMAIL_OTP code")
	code := e.srv.LastCode("eve@example.com", cognitotest.MsgEmailMFA)
	res := must(e.respond(e.public, ch.ChallengeName, ch.Session, map[string]string{"USERNAME": "eve", "EMAIL_OTP_CODE": code}))
	if res.AuthenticationResult == nil {
		t.Fatalf("after the EMAIL_OTP code: %q; want tokens", res.ChallengeName)
	}
	u := must(e.api.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String("eve")}))
	attrs := map[string]string{}
	for _, a := range u.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if attrs["email"] != "eve@example.com" || attrs["email_verified"] != "true" || aws.ToString(u.PreferredMfaSetting) != "EMAIL_OTP" {
		t.Errorf("after email MFA setup: attributes %v, preferred %q; want the verified address and EMAIL_OTP", attrs, aws.ToString(u.PreferredMfaSetting))
	}
	if out := must(e.passwordLogin(e.public, "eve", testPassword)); out.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Errorf("the next sign-in: %q; want EMAIL_OTP", out.ChallengeName)
	}

	// SMS only: set a phone number, sign in again.
	_, err = e.api.SetUserPoolMfaConfig(ctx(), &cip.SetUserPoolMfaConfigInput{UserPoolId: pid, MfaConfiguration: types.UserPoolMfaTypeOn,
		SmsMfaConfiguration: &types.SmsMfaConfigType{}})
	noErr(t, err)
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "sam", Password: testPassword})
	out2 := must(e.passwordLogin(e.public, "sam", testPassword))
	if out2.ChallengeName != types.ChallengeNameTypeMfaSetup || out2.ChallengeParameters["MFAS_CAN_SETUP"] != `["SMS_MFA"]` {
		t.Fatalf("SMS-only pool: %q %v; want MFA_SETUP offering SMS_MFA", out2.ChallengeName, out2.ChallengeParameters)
	}
	_, err = e.respond(e.public, types.ChallengeNameTypeMfaSetup, out2.Session, map[string]string{"USERNAME": "sam", "EMAIL": "sam@example.com"})
	wantErr[*types.InvalidParameterException](t, err, "MFA_SETUP with EMAIL in a pool without email MFA")
	_, err = e.api.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: pid, Username: aws.String("sam"),
		UserAttributes: []types.AttributeType{{Name: aws.String("phone_number"), Value: aws.String("+15555550177")}}})
	noErr(t, err)
	if out := must(e.passwordLogin(e.public, "sam", testPassword)); out.ChallengeName != types.ChallengeNameTypeSmsMfa {
		t.Errorf("with a phone number: %q; want SMS_MFA", out.ChallengeName)
	}
}
