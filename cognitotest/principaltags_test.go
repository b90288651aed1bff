package cognitotest_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestPrincipalTagAttributeMap: SetPrincipalTagAttributeMap chooses which
// claims of a user pool's ID tokens become principal tags of the
// credentials issued for its logins (or Cognito's defaults, client from aud
// and username from sub); GetPrincipalTagAttributeMap reads the mapping
// back. GetCredentialsForIdentity's credentials carry the tags, and so do
// STS's for an OpenID token of GetOpenIdToken (the basic flow). A mapping
// set under either name of the user pool applies to logins under both.
func TestPrincipalTagAttributeMap(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t, cognitotest.IdentityPoolConfig{AllowClassicFlow: true})
	c := context.Background()
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "cat", Password: "Passw0rd!x", Attributes: map[string]string{"custom:dept": "eng"}})
	sub := must(e.pool.User("cat")).Attributes["sub"]
	ipid := aws.String(e.idp.ID)
	emuName := strings.TrimPrefix(e.pool.Issuer(), "http://")
	credTags := func(logins map[string]string) map[string]string {
		t.Helper()
		id := e.getID(t, logins)
		out, err := e.anon.GetCredentialsForIdentity(c, &ci.GetCredentialsForIdentityInput{IdentityId: &id, Logins: logins})
		noErr(t, err)
		issued, ok := e.srv.IssuedCredentials(aws.ToString(out.Credentials.AccessKeyId))
		if !ok {
			t.Fatal("IssuedCredentials: the credentials are unknown")
		}
		return issued.PrincipalTags
	}
	logins := func(name string) map[string]string { return map[string]string{name: e.idToken(t, "cat")} }

	got, err := e.api.GetPrincipalTagAttributeMap(c, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: ipid, IdentityProviderName: aws.String(e.provider)})
	noErr(t, err)
	if aws.ToBool(got.UseDefaults) || len(got.PrincipalTags) != 0 {
		t.Errorf("GetPrincipalTagAttributeMap before any Set: %v %v; want no mapping", aws.ToBool(got.UseDefaults), got.PrincipalTags)
	}
	if tags := credTags(logins(e.provider)); len(tags) != 0 {
		t.Errorf("credentials without a mapping carry tags %v", tags)
	}

	mapping := map[string]string{"dept": "custom:dept", "user": "cognito:username", "none": "custom:missing"}
	set, err := e.api.SetPrincipalTagAttributeMap(c, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: ipid, IdentityProviderName: aws.String(emuName),
		UseDefaults: aws.Bool(false), PrincipalTags: mapping})
	noErr(t, err)
	if !maps.Equal(set.PrincipalTags, mapping) || aws.ToString(set.IdentityProviderName) != emuName {
		t.Errorf("SetPrincipalTagAttributeMap answered %v for %s", set.PrincipalTags, aws.ToString(set.IdentityProviderName))
	}
	got, err = e.api.GetPrincipalTagAttributeMap(c, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: ipid, IdentityProviderName: aws.String(e.provider)})
	noErr(t, err)
	if !maps.Equal(got.PrincipalTags, mapping) || aws.ToBool(got.UseDefaults) {
		t.Errorf("GetPrincipalTagAttributeMap under Cognito's name: %v %v; want %v", aws.ToBool(got.UseDefaults), got.PrincipalTags, mapping)
	}
	want := map[string]string{"dept": "eng", "user": "cat"}
	for _, name := range []string{e.provider, emuName} {
		if tags := credTags(logins(name)); !maps.Equal(tags, want) {
			t.Errorf("credentials for a login under %s: tags %v; want %v", name, tags, want)
		}
	}

	// The basic flow: the OpenID token carries the tags to STS.
	id := e.getID(t, logins(e.provider))
	oid, err := e.anon.GetOpenIdToken(c, &ci.GetOpenIdTokenInput{IdentityId: &id, Logins: logins(e.provider)})
	noErr(t, err)
	stsCfg := e.srv.AWSConfig()
	stsCfg.Credentials = aws.AnonymousCredentials{}
	as, err := sts.NewFromConfig(stsCfg).AssumeRoleWithWebIdentity(c, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(authRole),
		RoleSessionName: aws.String("cat"), WebIdentityToken: oid.Token})
	noErr(t, err)
	if issued, _ := e.srv.IssuedCredentials(aws.ToString(as.Credentials.AccessKeyId)); !maps.Equal(issued.PrincipalTags, want) {
		t.Errorf("STS credentials: tags %v; want %v", issued.PrincipalTags, want)
	}

	// Cognito's defaults.
	_, err = e.api.SetPrincipalTagAttributeMap(c, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: ipid, IdentityProviderName: aws.String(e.provider), UseDefaults: aws.Bool(true)})
	noErr(t, err)
	if tags, want := credTags(logins(e.provider)), map[string]string{"client": e.app.ID, "username": sub}; !maps.Equal(tags, want) {
		t.Errorf("credentials with the defaults: tags %v; want %v", tags, want)
	}

	// Failure modes.
	for _, tc := range []struct {
		name string
		in   *ci.SetPrincipalTagAttributeMapInput
		code string
	}{
		{"a provider the pool does not accept", &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: ipid, IdentityProviderName: aws.String("cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"),
			PrincipalTags: map[string]string{"a": "sub"}}, "ResourceNotFoundException"},
		{"an unknown identity pool", &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: aws.String("us-east-1:00000000-0000-4000-8000-000000000000"),
			IdentityProviderName: aws.String(e.provider)}, "ResourceNotFoundException"},
		{"a malformed identity pool ID", &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: aws.String("pool"), IdentityProviderName: aws.String(e.provider)}, "InvalidParameterException"},
		{"an aws: tag key", &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: ipid, IdentityProviderName: aws.String(e.provider),
			PrincipalTags: map[string]string{"aws:x": "sub"}}, "InvalidParameterException"},
		{"an empty claim", &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: ipid, IdentityProviderName: aws.String(e.provider),
			PrincipalTags: map[string]string{"x": ""}}, "InvalidParameterException"},
	} {
		_, err := e.api.SetPrincipalTagAttributeMap(c, tc.in)
		if got := idErrCode(err); got != tc.code {
			t.Errorf("%s: %v; want %s", tc.name, err, tc.code)
		}
	}
	_, err = e.api.GetPrincipalTagAttributeMap(c, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: ipid, IdentityProviderName: aws.String("accounts.google.com")})
	idErrAs[*citypes.ResourceNotFoundException](t, "GetPrincipalTagAttributeMap of a provider the pool does not accept", err)
	_, err = e.anon.GetPrincipalTagAttributeMap(c, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: ipid, IdentityProviderName: aws.String(e.provider)})
	if err == nil {
		t.Error("GetPrincipalTagAttributeMap without AWS credentials: no error; want it refused")
	}
}
