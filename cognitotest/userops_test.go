package cognitotest_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestUpdateGroup: UpdateGroup changes a group's description, precedence
// and role, and the members' next ID tokens carry the new roles
// (cognito:roles, cognito:preferred_role); what the request leaves out
// stays.
func TestUpdateGroup(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	const roleA, roleB, roleC = "arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b", "arn:aws:iam::123456789012:role/c"
	pid := aws.String(e.pool.ID())
	for _, g := range []struct {
		name string
		prec int32
		role string
	}{{"editors", 5, roleA}, {"viewers", 3, roleC}} {
		_, err := e.api.CreateGroup(ctx(), &cip.CreateGroupInput{UserPoolId: pid, GroupName: aws.String(g.name), Precedence: aws.Int32(g.prec), RoleArn: aws.String(g.role),
			Description: aws.String("d")})
		noErr(t, err)
	}
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "gus", Password: testPassword, Groups: []string{"editors", "viewers"}})
	roles := func() ([]any, any) {
		t.Helper()
		out := must(e.passwordLogin(e.public, "gus", testPassword))
		id := claimsOf(t, aws.ToString(out.AuthenticationResult.IdToken))
		r, _ := id["cognito:roles"].([]any)
		return r, id["cognito:preferred_role"]
	}
	if _, pref := roles(); pref != roleC {
		t.Fatalf("cognito:preferred_role before UpdateGroup = %v; want %s (viewers has the lower precedence)", pref, roleC)
	}
	out, err := e.api.UpdateGroup(ctx(), &cip.UpdateGroupInput{UserPoolId: pid, GroupName: aws.String("editors"), Precedence: aws.Int32(1), RoleArn: aws.String(roleB)})
	noErr(t, err)
	if g := out.Group; aws.ToInt32(g.Precedence) != 1 || aws.ToString(g.RoleArn) != roleB || aws.ToString(g.Description) != "d" {
		t.Errorf("UpdateGroup output %+v; want precedence 1, role b, the description kept", g)
	}
	got, err := e.api.GetGroup(ctx(), &cip.GetGroupInput{UserPoolId: pid, GroupName: aws.String("editors")})
	noErr(t, err)
	if aws.ToString(got.Group.RoleArn) != roleB || aws.ToInt32(got.Group.Precedence) != 1 {
		t.Errorf("GetGroup after UpdateGroup: %+v", got.Group)
	}
	r, pref := roles()
	if pref != roleB || !slices.Contains(r, any(roleB)) || slices.Contains(r, any(roleA)) {
		t.Errorf("after UpdateGroup: cognito:roles %v, cognito:preferred_role %v; want role b preferred, role a gone", r, pref)
	}
	// Only the description: the rest stays.
	_, err = e.api.UpdateGroup(ctx(), &cip.UpdateGroupInput{UserPoolId: pid, GroupName: aws.String("editors"), Description: aws.String("new")})
	noErr(t, err)
	got = must(e.api.GetGroup(ctx(), &cip.GetGroupInput{UserPoolId: pid, GroupName: aws.String("editors")}))
	if aws.ToString(got.Group.Description) != "new" || aws.ToString(got.Group.RoleArn) != roleB || aws.ToInt32(got.Group.Precedence) != 1 {
		t.Errorf("UpdateGroup with a description only: %+v", got.Group)
	}

	_, err = e.api.UpdateGroup(ctx(), &cip.UpdateGroupInput{UserPoolId: pid, GroupName: aws.String("nope"), Description: aws.String("x")})
	wantErr[*types.ResourceNotFoundException](t, err, "UpdateGroup of an unknown group")
	_, err = e.api.UpdateGroup(ctx(), &cip.UpdateGroupInput{UserPoolId: aws.String("us-east-1_Nope"), GroupName: aws.String("editors")})
	wantErr[*types.ResourceNotFoundException](t, err, "UpdateGroup in an unknown pool")
	_, err = e.api.UpdateGroup(ctx(), &cip.UpdateGroupInput{UserPoolId: pid, GroupName: aws.String("editors"), Precedence: aws.Int32(-1)})
	wantErr[*types.InvalidParameterException](t, err, "UpdateGroup with a negative precedence")
	_, err = e.api.UpdateGroup(ctx(), &cip.UpdateGroupInput{UserPoolId: pid, GroupName: aws.String("editors"), RoleArn: aws.String("not-an-arn")})
	wantErr[*types.InvalidParameterException](t, err, "UpdateGroup with a bad role ARN")
}

// TestDeleteUserAttributes: DeleteUserAttributes (with an access token)
// and AdminDeleteUserAttributes delete attributes; an email address goes
// with its verification, so it no longer signs the user in as an alias;
// sub, required attributes and immutable custom attributes stay.
func TestDeleteUserAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{AliasAttributes: []string{"email"}, RequiredAttributes: []string{"name"}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "dee", Password: testPassword, Email: "dee@example.com",
		Attributes: map[string]string{"name": "Dee", "nickname": "dd", "custom:team": "red"}})
	if _, err := e.passwordLogin(e.public, "dee@example.com", testPassword); err != nil {
		t.Fatalf("sign-in by email before the deletion: %v", err)
	}
	acc := must(e.passwordLogin(e.public, "dee", testPassword)).AuthenticationResult.AccessToken
	_, err := e.api.DeleteUserAttributes(ctx(), &cip.DeleteUserAttributesInput{AccessToken: acc, UserAttributeNames: []string{"nickname", "email"}})
	noErr(t, err)
	u := must(e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: acc}))
	attrs := map[string]string{}
	for _, a := range u.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	for _, gone := range []string{"nickname", "email", "email_verified"} {
		if _, ok := attrs[gone]; ok {
			t.Errorf("%s after DeleteUserAttributes: %q; want it gone", gone, attrs[gone])
		}
	}
	if attrs["name"] != "Dee" || attrs["custom:team"] != "red" {
		t.Errorf("other attributes changed: %v", attrs)
	}
	if _, err := e.passwordLogin(e.public, "dee@example.com", testPassword); err == nil {
		t.Error("the deleted email still signs the user in")
	}
	for _, tc := range []struct {
		names []string
		what  string
	}{
		{[]string{"name"}, "a required attribute"},
		{[]string{"sub"}, "sub"},
		{[]string{}, "no names"},
		{[]string{"no such attribute"}, "an invalid name"},
	} {
		_, err := e.api.DeleteUserAttributes(ctx(), &cip.DeleteUserAttributesInput{AccessToken: acc, UserAttributeNames: tc.names})
		wantErr[*types.InvalidParameterException](t, err, "DeleteUserAttributes of "+tc.what)
	}
	_, err = e.api.DeleteUserAttributes(ctx(), &cip.DeleteUserAttributesInput{AccessToken: aws.String("bad"), UserAttributeNames: []string{"nickname"}})
	wantErr[*types.NotAuthorizedException](t, err, "DeleteUserAttributes with a bad token")

	pid := aws.String(e.pool.ID())
	_, err = e.api.AdminDeleteUserAttributes(ctx(), &cip.AdminDeleteUserAttributesInput{UserPoolId: pid, Username: aws.String("dee"), UserAttributeNames: []string{"custom:team"}})
	noErr(t, err)
	au := must(e.api.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String("dee")}))
	for _, a := range au.UserAttributes {
		if aws.ToString(a.Name) == "custom:team" {
			t.Errorf("custom:team after AdminDeleteUserAttributes: %q", aws.ToString(a.Value))
		}
	}
	_, err = e.api.AdminDeleteUserAttributes(ctx(), &cip.AdminDeleteUserAttributesInput{UserPoolId: pid, Username: aws.String("nobody"), UserAttributeNames: []string{"name"}})
	wantErr[*types.UserNotFoundException](t, err, "AdminDeleteUserAttributes of an unknown user")
	_, err = e.api.AdminDeleteUserAttributes(ctx(), &cip.AdminDeleteUserAttributesInput{UserPoolId: pid, Username: aws.String("dee"), UserAttributeNames: []string{"name"}})
	wantErr[*types.InvalidParameterException](t, err, "AdminDeleteUserAttributes of a required attribute")
}

// TestSetUserSettings: SetUserSettings and AdminSetUserSettings, the
// legacy SMS MFA switch, turn SMS MFA on and off for sign-in, and GetUser
// reports it in MFAOptions.
func TestSetUserSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "sue", Password: testPassword, PhoneNumber: "+15555550123"})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "nophone", Password: testPassword})
	acc := must(e.passwordLogin(e.public, "sue", testPassword)).AuthenticationResult.AccessToken
	sms := []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeSms, AttributeName: aws.String("phone_number")}}
	_, err := e.api.SetUserSettings(ctx(), &cip.SetUserSettingsInput{AccessToken: acc, MFAOptions: sms})
	noErr(t, err)
	u := must(e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: acc}))
	if len(u.MFAOptions) != 1 || u.MFAOptions[0].DeliveryMedium != types.DeliveryMediumTypeSms || !slices.Contains(u.UserMFASettingList, "SMS_MFA") {
		t.Errorf("GetUser after SetUserSettings: MFAOptions %+v, UserMFASettingList %v; want SMS", u.MFAOptions, u.UserMFASettingList)
	}
	out := must(e.passwordLogin(e.public, "sue", testPassword))
	if out.ChallengeName != types.ChallengeNameTypeSmsMfa {
		t.Fatalf("sign-in with SMS MFA set: challenge %q; want SMS_MFA", out.ChallengeName)
	}
	pid := aws.String(e.pool.ID())
	_, err = e.api.AdminSetUserSettings(ctx(), &cip.AdminSetUserSettingsInput{UserPoolId: pid, Username: aws.String("sue"), MFAOptions: []types.MFAOptionType{}})
	noErr(t, err)
	if out := must(e.passwordLogin(e.public, "sue", testPassword)); out.AuthenticationResult == nil {
		t.Errorf("sign-in after AdminSetUserSettings turned SMS MFA off: challenge %q; want tokens", out.ChallengeName)
	}
	au := must(e.api.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String("sue")}))
	if len(au.MFAOptions) != 0 || len(au.UserMFASettingList) != 0 {
		t.Errorf("AdminGetUser after SMS MFA off: %+v %v", au.MFAOptions, au.UserMFASettingList)
	}

	_, err = e.api.SetUserSettings(ctx(), &cip.SetUserSettingsInput{AccessToken: acc,
		MFAOptions: []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeEmail, AttributeName: aws.String("email")}}})
	wantErr[*types.InvalidParameterException](t, err, "SetUserSettings with EMAIL")
	_, err = e.api.AdminSetUserSettings(ctx(), &cip.AdminSetUserSettingsInput{UserPoolId: pid, Username: aws.String("nophone"), MFAOptions: sms})
	wantErr[*types.InvalidParameterException](t, err, "AdminSetUserSettings SMS for a user without a phone number")
	_, err = e.api.AdminSetUserSettings(ctx(), &cip.AdminSetUserSettingsInput{UserPoolId: pid, Username: aws.String("nobody"), MFAOptions: sms})
	wantErr[*types.UserNotFoundException](t, err, "AdminSetUserSettings of an unknown user")
	_, err = e.api.SetUserSettings(ctx(), &cip.SetUserSettingsInput{AccessToken: aws.String("bad"), MFAOptions: sms})
	wantErr[*types.NotAuthorizedException](t, err, "SetUserSettings with a bad token")
}
