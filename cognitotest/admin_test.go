package cognitotest_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

func attr(name, value string) types.AttributeType {
	return types.AttributeType{Name: aws.String(name), Value: aws.String(value)}
}

func attrValue(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if *a.Name == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

func TestSignUpAndPasswordReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{AutoVerifiedAttributes: []string{"email"}, AliasAttributes: []string{"email"}})
	up := must(e.api.SignUp(ctx(), &cip.SignUpInput{ClientId: &e.secret.ID, Username: aws.String("sam"), Password: aws.String(testPassword),
		SecretHash: aws.String(e.secret.SecretHash("sam")), UserAttributes: []types.AttributeType{attr("email", "sam@example.com")}}))
	if up.UserConfirmed || up.UserSub == nil || up.CodeDeliveryDetails == nil || *up.CodeDeliveryDetails.Destination != "s***@e***" {
		t.Fatalf("SignUp: %+v %+v", up, up.CodeDeliveryDetails)
	}
	_, err := e.api.SignUp(ctx(), &cip.SignUpInput{ClientId: &e.public.ID, Username: aws.String("sam"), Password: aws.String(testPassword)})
	wantErr[*types.UsernameExistsException](t, err, "duplicate sign-up")
	_, err = e.api.SignUp(ctx(), &cip.SignUpInput{ClientId: &e.public.ID, Username: aws.String("sam2"), Password: aws.String("weak")})
	wantErr[*types.InvalidPasswordException](t, err, "weak password")

	_, err = e.passwordLogin(e.public, "sam", testPassword)
	wantErr[*types.UserNotConfirmedException](t, err, "unconfirmed sign-in")
	_, err = e.api.ConfirmSignUp(ctx(), &cip.ConfirmSignUpInput{ClientId: &e.public.ID, Username: aws.String("sam"), ConfirmationCode: aws.String("000000")})
	wantErr[*types.CodeMismatchException](t, err, "wrong code")
	must(e.api.ResendConfirmationCode(ctx(), &cip.ResendConfirmationCodeInput{ClientId: &e.public.ID, Username: aws.String("sam")}))
	code := e.srv.LastCode("sam", cognitotest.MsgResendCode)
	must(e.api.ConfirmSignUp(ctx(), &cip.ConfirmSignUpInput{ClientId: &e.public.ID, Username: aws.String("sam"), ConfirmationCode: &code}))
	_, err = e.api.ConfirmSignUp(ctx(), &cip.ConfirmSignUpInput{ClientId: &e.public.ID, Username: aws.String("sam"), ConfirmationCode: &code})
	wantErr[*types.NotAuthorizedException](t, err, "confirming twice")
	// The verified email now works as an alias.
	login := must(e.passwordLogin(e.public, "sam@example.com", testPassword))

	must(e.api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &e.public.ID, Username: aws.String("sam")}))
	reset := e.srv.LastCode("sam@example.com", cognitotest.MsgForgotPassword)
	_, err = e.api.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &e.public.ID, Username: aws.String("sam"), ConfirmationCode: aws.String("999999"), Password: aws.String("Reset-Pass-2")})
	wantErr[*types.CodeMismatchException](t, err, "wrong reset code")
	must(e.api.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &e.public.ID, Username: aws.String("sam"), ConfirmationCode: &reset, Password: aws.String("Reset-Pass-2")}))
	if _, err := e.srpLogin(e.public, "sam", "Reset-Pass-2"); err != nil {
		t.Fatalf("SRP with the reset password: %v", err)
	}
	must(e.api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &e.public.ID, Username: aws.String("sam")}))
	e.clock.Advance(2 * time.Hour)
	_, err = e.api.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &e.public.ID, Username: aws.String("sam"),
		ConfirmationCode: aws.String(e.srv.LastCode("sam", cognitotest.MsgForgotPassword)), Password: aws.String("Reset-Pass-3")})
	wantErr[*types.ExpiredCodeException](t, err, "expired reset code")

	acc := must(e.passwordLogin(e.public, "sam", "Reset-Pass-2")).AuthenticationResult.AccessToken
	_ = login
	_, err = e.api.ChangePassword(ctx(), &cip.ChangePasswordInput{AccessToken: acc, PreviousPassword: aws.String("nope"), ProposedPassword: aws.String("Changed-Pass-4")})
	wantErr[*types.NotAuthorizedException](t, err, "wrong previous password")
	must(e.api.ChangePassword(ctx(), &cip.ChangePasswordInput{AccessToken: acc, PreviousPassword: aws.String("Reset-Pass-2"), ProposedPassword: aws.String("Changed-Pass-4")}))
	must(e.passwordLogin(e.public, "sam", "Changed-Pass-4"))

	upd := must(e.api.UpdateUserAttributes(ctx(), &cip.UpdateUserAttributesInput{AccessToken: acc, UserAttributes: []types.AttributeType{attr("email", "sam2@example.com"), attr("custom:team", "blue")}}))
	if len(upd.CodeDeliveryDetailsList) != 1 {
		t.Errorf("UpdateUserAttributes deliveries: %d", len(upd.CodeDeliveryDetailsList))
	}
	gu := must(e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: acc}))
	if attrValue(gu.UserAttributes, "email_verified") != "false" || attrValue(gu.UserAttributes, "custom:team") != "blue" {
		t.Errorf("attributes after update: %v", gu.UserAttributes)
	}
	_, err = e.api.UpdateUserAttributes(ctx(), &cip.UpdateUserAttributesInput{AccessToken: acc, UserAttributes: []types.AttributeType{attr("email_verified", "true")}})
	wantErr[*types.InvalidParameterException](t, err, "self-verifying email")
	must(e.api.VerifyUserAttribute(ctx(), &cip.VerifyUserAttributeInput{AccessToken: acc, AttributeName: aws.String("email"), Code: aws.String(e.srv.LastCode("sam", cognitotest.MsgVerifyAttribute))}))
	must(e.passwordLogin(e.public, "sam2@example.com", "Changed-Pass-4"))

	must(e.api.DeleteUser(ctx(), &cip.DeleteUserInput{AccessToken: acc}))
	_, err = e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: acc})
	wantErr[*types.NotAuthorizedException](t, err, "token of a deleted user")
	_, err = e.passwordLogin(e.public, "sam", "Changed-Pass-4")
	wantErr[*types.UserNotFoundException](t, err, "deleted user sign-in")
}

func TestAdminOperations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional})
	pid := aws.String(e.pool.ID())
	for _, n := range []string{"tom", "tina", "uma"} {
		e.pool.MustCreateUser(cognitotest.UserConfig{Username: n, Password: testPassword, Email: n + "@example.com"})
	}
	must(e.api.CreateGroup(ctx(), &cip.CreateGroupInput{UserPoolId: pid, GroupName: aws.String("admin"), Precedence: aws.Int32(1)}))
	_, err := e.api.CreateGroup(ctx(), &cip.CreateGroupInput{UserPoolId: pid, GroupName: aws.String("admin")})
	wantErr[*types.GroupExistsException](t, err, "duplicate group")
	must(e.api.AdminAddUserToGroup(ctx(), &cip.AdminAddUserToGroupInput{UserPoolId: pid, Username: aws.String("tom"), GroupName: aws.String("admin")}))
	_, err = e.api.AdminAddUserToGroup(ctx(), &cip.AdminAddUserToGroupInput{UserPoolId: pid, Username: aws.String("tom"), GroupName: aws.String("nope")})
	wantErr[*types.ResourceNotFoundException](t, err, "unknown group")
	lg := must(e.api.AdminListGroupsForUser(ctx(), &cip.AdminListGroupsForUserInput{UserPoolId: pid, Username: aws.String("tom")}))
	if len(lg.Groups) != 1 || *lg.Groups[0].GroupName != "admin" || *lg.Groups[0].Precedence != 1 {
		t.Errorf("groups: %+v", lg.Groups)
	}
	tok := e.pool.MustMintTokens(e.public.ID, "tom")
	if g := claimsOf(t, tok.AccessToken)["cognito:groups"]; g == nil {
		t.Error("no cognito:groups after AdminAddUserToGroup")
	}
	must(e.api.AdminRemoveUserFromGroup(ctx(), &cip.AdminRemoveUserFromGroupInput{UserPoolId: pid, Username: aws.String("tom"), GroupName: aws.String("admin")}))
	if _, ok := claimsOf(t, e.pool.MustMintTokens(e.public.ID, "tom").IDToken)["cognito:groups"]; ok {
		t.Error("cognito:groups present for a user without groups")
	}

	gu := must(e.api.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String("tom")}))
	if gu.UserStatus != types.UserStatusTypeConfirmed || !gu.Enabled || gu.UserCreateDate == nil || !gu.UserCreateDate.Equal(e.clock.Now()) {
		t.Errorf("AdminGetUser: %+v", gu)
	}
	_, err = e.api.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: aws.String("us-east-1_Missing"), Username: aws.String("tom")})
	wantErr[*types.ResourceNotFoundException](t, err, "unknown pool")

	for _, tc := range []struct {
		filter string
		want   int
	}{{"", 3}, {`username = "tom"`, 1}, {`email ^= "ti"`, 1}, {`username ^= "t"`, 2}, {`cognito:user_status = "CONFIRMED"`, 3}, {`status = "Enabled"`, 3}} {
		lu := must(e.api.ListUsers(ctx(), &cip.ListUsersInput{UserPoolId: pid, Filter: aws.String(tc.filter)}))
		if len(lu.Users) != tc.want {
			t.Errorf("ListUsers %q: %d users; want %d", tc.filter, len(lu.Users), tc.want)
		}
	}
	_, err = e.api.ListUsers(ctx(), &cip.ListUsersInput{UserPoolId: pid, Filter: aws.String(`shoe_size = "9"`)})
	wantErr[*types.InvalidParameterException](t, err, "bad filter")
	p1 := must(e.api.ListUsers(ctx(), &cip.ListUsersInput{UserPoolId: pid, Limit: aws.Int32(2)}))
	p2 := must(e.api.ListUsers(ctx(), &cip.ListUsersInput{UserPoolId: pid, Limit: aws.Int32(2), PaginationToken: p1.PaginationToken}))
	if len(p1.Users) != 2 || len(p2.Users) != 1 || p2.PaginationToken != nil || *p2.Users[0].Username != "uma" {
		t.Errorf("pagination: %d + %d users", len(p1.Users), len(p2.Users))
	}

	// ADMIN_USER_PASSWORD_AUTH, with SMS MFA through AdminRespondToAuthChallenge.
	must(e.api.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: pid, Username: aws.String("uma"),
		UserAttributes: []types.AttributeType{attr("phone_number", "+15555550100"), attr("phone_number_verified", "true")}}))
	must(e.api.AdminSetUserMFAPreference(ctx(), &cip.AdminSetUserMFAPreferenceInput{UserPoolId: pid, Username: aws.String("uma"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: true}}))
	ai := must(e.api.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{UserPoolId: pid, ClientId: &e.public.ID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "uma", "PASSWORD": testPassword}}))
	if ai.ChallengeName != types.ChallengeNameTypeSmsMfa {
		t.Fatalf("AdminInitiateAuth: %s", ai.ChallengeName)
	}
	_, err = e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: &e.public.ID, ChallengeName: ai.ChallengeName, Session: ai.Session,
		ChallengeResponses: map[string]string{"USERNAME": "uma", "SMS_MFA_CODE": e.srv.LastCode("uma", cognitotest.MsgSMSMFA)}})
	wantErr[*types.NotAuthorizedException](t, err, "admin session on the public operation")
	ai = must(e.api.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{UserPoolId: pid, ClientId: &e.public.ID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "uma", "PASSWORD": testPassword}}))
	ar := must(e.api.AdminRespondToAuthChallenge(ctx(), &cip.AdminRespondToAuthChallengeInput{UserPoolId: pid, ClientId: &e.public.ID, ChallengeName: ai.ChallengeName, Session: ai.Session,
		ChallengeResponses: map[string]string{"USERNAME": "uma", "SMS_MFA_CODE": e.srv.LastCode("uma", cognitotest.MsgSMSMFA)}}))
	if ar.AuthenticationResult == nil {
		t.Fatal("AdminRespondToAuthChallenge: no tokens")
	}
	_, err = e.api.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{UserPoolId: pid, ClientId: &e.public.ID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "uma", "PASSWORD": "Wrong-Pass-1"}})
	wantErr[*types.NotAuthorizedException](t, err, "admin wrong password")

	must(e.api.AdminSetUserPassword(ctx(), &cip.AdminSetUserPasswordInput{UserPoolId: pid, Username: aws.String("tina"), Password: aws.String("Admin-Set-5"), Permanent: true}))
	must(e.srpLogin(e.public, "tina", "Admin-Set-5"))
	must(e.api.AdminSetUserPassword(ctx(), &cip.AdminSetUserPasswordInput{UserPoolId: pid, Username: aws.String("tina"), Password: aws.String("Admin-Tmp-6")}))
	if out := must(e.passwordLogin(e.public, "tina", "Admin-Tmp-6")); out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Errorf("temporary AdminSetUserPassword: %s", out.ChallengeName)
	}

	tokTina := e.pool.MustMintTokens(e.public.ID, "tina")
	must(e.api.AdminDisableUser(ctx(), &cip.AdminDisableUserInput{UserPoolId: pid, Username: aws.String("tom")}))
	_, err = e.passwordLogin(e.public, "tom", testPassword)
	wantErr[*types.NotAuthorizedException](t, err, "disabled user")
	must(e.api.AdminEnableUser(ctx(), &cip.AdminEnableUserInput{UserPoolId: pid, Username: aws.String("tom")}))
	must(e.passwordLogin(e.public, "tom", testPassword))

	must(e.api.AdminDeleteUser(ctx(), &cip.AdminDeleteUserInput{UserPoolId: pid, Username: aws.String("tina")}))
	_, err = e.api.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String("tina")})
	wantErr[*types.UserNotFoundException](t, err, "deleted user")
	_, err = e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tokTina.AccessToken})
	wantErr[*types.NotAuthorizedException](t, err, "deleted user's token")

	_, err = e.api.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: pid, Username: aws.String("tom")})
	wantErr[*types.UsernameExistsException](t, err, "AdminCreateUser duplicate")
}

func TestPoolAndClientAPI(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	api := cip.NewFromConfig(srv.AWSConfig())
	cp := must(api.CreateUserPool(ctx(), &cip.CreateUserPoolInput{PoolName: aws.String("demo"), UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		Policies:            &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(10)}},
		DeviceConfiguration: &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: true}}))
	pid := cp.UserPool.Id
	if cp.UserPool.CreationDate == nil || *cp.UserPool.Name != "demo" {
		t.Errorf("CreateUserPool: %+v", cp.UserPool)
	}
	dp := must(api.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: pid}))
	if *dp.UserPool.Policies.PasswordPolicy.MinimumLength != 10 || dp.UserPool.DeviceConfiguration == nil || !dp.UserPool.DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt {
		t.Errorf("DescribeUserPool: %+v", dp.UserPool)
	}
	cc := must(api.CreateUserPoolClient(ctx(), &cip.CreateUserPoolClientInput{UserPoolId: pid, ClientName: aws.String("web"), GenerateSecret: true,
		ExplicitAuthFlows:   []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		AccessTokenValidity: aws.Int32(5), TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes},
		RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(30)},
		CallbackURLs:         []string{"https://app.example.com/callback"}, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email"}, AllowedOAuthFlowsUserPoolClient: true}))
	cl := cc.UserPoolClient
	if cl.ClientSecret == nil || cl.RefreshTokenRotation == nil || cl.RefreshTokenRotation.Feature != types.FeatureTypeEnabled || len(cl.CallbackURLs) != 1 {
		t.Fatalf("CreateUserPoolClient: %+v", cl)
	}
	dc := must(api.DescribeUserPoolClient(ctx(), &cip.DescribeUserPoolClientInput{UserPoolId: pid, ClientId: cl.ClientId}))
	if *dc.UserPoolClient.ClientSecret != *cl.ClientSecret || *dc.UserPoolClient.AccessTokenValidity != 5 {
		t.Errorf("DescribeUserPoolClient: %+v", dc.UserPoolClient)
	}
	_, err := api.DescribeUserPoolClient(ctx(), &cip.DescribeUserPoolClientInput{UserPoolId: pid, ClientId: aws.String("nope")})
	wantErr[*types.ResourceNotFoundException](t, err, "unknown client")

	pool := must(srv.Pool(*pid))
	pool.MustCreateUser(cognitotest.UserConfig{Email: "vic@example.com", Password: "Long-Password-1"})
	app := cognitotest.AppClient{ID: *cl.ClientId, Secret: *cl.ClientSecret}
	out := must(api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: cl.ClientId,
		AuthParameters: map[string]string{"USERNAME": "vic@example.com", "PASSWORD": "Long-Password-1", "SECRET_HASH": app.SecretHash("vic@example.com")}}))
	if out.AuthenticationResult.ExpiresIn != 300 || out.AuthenticationResult.NewDeviceMetadata == nil {
		t.Errorf("sign-in on the API-created pool: %+v", out.AuthenticationResult)
	}
	_, err = api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: cl.ClientId,
		AuthParameters: map[string]string{"USERNAME": "vic@example.com", "SRP_A": "abc", "SECRET_HASH": app.SecretHash("vic@example.com")}})
	wantErr[*types.InvalidParameterException](t, err, "SRP not allowed for the client")
}
