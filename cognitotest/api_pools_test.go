package cognitotest_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// apiEnv is a server with an SDK client and no pool.
func apiEnv(t testing.TB) (*cognitotest.Server, *cip.Client) {
	t.Helper()
	srv := cognitotest.NewServer(t, fastKeys())
	return srv, cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
}

// sdkPool creates a pool and a public app client with the SDK.
func sdkPool(t testing.TB, api *cip.Client, in *cip.CreateUserPoolInput) (poolID, clientID string) {
	t.Helper()
	if in.PoolName == nil {
		in.PoolName = aws.String("pool")
	}
	p := must(api.CreateUserPool(ctx(), in)).UserPool
	cl := must(api.CreateUserPoolClient(ctx(), &cip.CreateUserPoolClientInput{UserPoolId: p.Id, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})).UserPoolClient
	return *p.Id, *cl.ClientId
}

func isErr[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

func TestListUserPools(t *testing.T) {
	t.Parallel()
	srv, api := apiEnv(t)
	var want []string
	for i := range 5 {
		id, _ := sdkPool(t, api, &cip.CreateUserPoolInput{PoolName: aws.String(fmt.Sprintf("pool-%d", i))})
		want = append(want, id)
	}
	var got []string
	p := cip.NewListUserPoolsPaginator(api, &cip.ListUserPoolsInput{MaxResults: aws.Int32(2)})
	for pages := 0; p.HasMorePages(); pages++ {
		out := must(p.NextPage(ctx()))
		if len(out.UserPools) > 2 {
			t.Errorf("page of %d pools; want at most 2", len(out.UserPools))
		}
		for _, up := range out.UserPools {
			got = append(got, *up.Id)
			if !strings.HasPrefix(*up.Name, "pool-") || up.CreationDate == nil {
				t.Errorf("pool %s: name %q, creation date %v", *up.Id, *up.Name, up.CreationDate)
			}
		}
		if pages > 5 {
			t.Fatal("ListUserPools does not end")
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("ListUserPools: got %v; want %v", got, want)
	}
	// The SDK checks MaxResults itself; the emulator does too.
	if err := jsonCall(srv, "ListUserPools", map[string]any{}, nil); err == nil || !strings.Contains(err.Error(), "InvalidParameterException") {
		t.Errorf("ListUserPools without MaxResults: got %v; want InvalidParameterException", err)
	}
	for name, in := range map[string]*cip.ListUserPoolsInput{
		"MaxResults 61":    {MaxResults: aws.Int32(61)},
		"forged NextToken": {MaxResults: aws.Int32(2), NextToken: aws.String("Zm9yZ2Vk")},
	} {
		if _, err := api.ListUserPools(ctx(), in); !isErr[*types.InvalidParameterException](err) {
			t.Errorf("%s: got %v; want InvalidParameterException", name, err)
		}
	}
}

// TestUpdateUserPoolActs: the settings of UpdateUserPool change what the
// pool does, and the ones it leaves out return to their defaults.
func TestUpdateUserPoolActs(t *testing.T) {
	t.Parallel()
	_, api := apiEnv(t)
	c := ctx()
	poolID, clientID := sdkPool(t, api, &cip.CreateUserPoolInput{
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(14)}}})
	pid := aws.String(poolID)
	signUp := func(user, pass string) error {
		_, err := api.SignUp(c, &cip.SignUpInput{ClientId: &clientID, Username: aws.String(user), Password: aws.String(pass)})
		return err
	}
	if err := signUp("short", "abcdefgh"); !isErr[*types.InvalidPasswordException](err) {
		t.Fatalf("an 8-character password with a minimum of 14: got %v; want InvalidPasswordException", err)
	}

	// An update without Policies: the password policy returns to Cognito's
	// default (8 characters of four kinds); AllowAdminCreateUserOnly and
	// deletion protection take effect.
	noErr(t, errOnly(api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: pid, DeletionProtection: types.DeletionProtectionTypeActive,
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true}})))
	d := must(api.DescribeUserPool(c, &cip.DescribeUserPoolInput{UserPoolId: pid})).UserPool
	if got := *d.Policies.PasswordPolicy.MinimumLength; got != 8 {
		t.Errorf("MinimumLength after an update without Policies: got %d; want 8 (the default)", got)
	}
	if d.DeletionProtection != types.DeletionProtectionTypeActive || !d.AdminCreateUserConfig.AllowAdminCreateUserOnly {
		t.Errorf("DescribeUserPool: DeletionProtection %s, AllowAdminCreateUserOnly %v", d.DeletionProtection, d.AdminCreateUserConfig.AllowAdminCreateUserOnly)
	}
	if err := signUp("bob", "Abcdefg1!"); !isErr[*types.NotAuthorizedException](err) {
		t.Errorf("SignUp with AllowAdminCreateUserOnly: got %v; want NotAuthorizedException", err)
	}
	if _, err := api.DeleteUserPool(c, &cip.DeleteUserPoolInput{UserPoolId: pid}); !isErr[*types.InvalidParameterException](err) {
		t.Errorf("DeleteUserPool with deletion protection: got %v; want InvalidParameterException", err)
	}

	noErr(t, errOnly(api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: pid})))
	if err := signUp("bob", "Abcdefg1!"); err != nil {
		t.Errorf("SignUp with the default policy after AllowAdminCreateUserOnly returned to false: %v", err)
	}
	noErr(t, errOnly(api.DeleteUserPool(c, &cip.DeleteUserPoolInput{UserPoolId: pid})))

	if _, err := api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: pid}); !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("UpdateUserPool of a deleted pool: got %v; want ResourceNotFoundException", err)
	}
	live, _ := sdkPool(t, api, &cip.CreateUserPoolInput{})
	_, err := api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: &live,
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(5)}}})
	if !isErr[*types.InvalidParameterException](err) {
		t.Errorf("MinimumLength 5: got %v; want InvalidParameterException", err)
	}
	_, err = api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: &live, UserPoolTags: map[string]string{"aws:reserved": "x"}})
	if !isErr[*types.InvalidParameterException](err) {
		t.Errorf("a tag key aws:…: got %v; want InvalidParameterException", err)
	}
}

// TestAddCustomAttributesActs: declared custom attributes are checked on
// users; undeclared ones are refused.
func TestAddCustomAttributesActs(t *testing.T) {
	t.Parallel()
	_, api := apiEnv(t)
	c := ctx()
	poolID, _ := sdkPool(t, api, &cip.CreateUserPoolInput{})
	pid := aws.String(poolID)
	noErr(t, errOnly(api.AddCustomAttributes(c, &cip.AddCustomAttributesInput{UserPoolId: pid, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, StringAttributeConstraints: &types.StringAttributeConstraintsType{MaxLength: aws.String("5")}},
		{Name: aws.String("seats"), AttributeDataType: types.AttributeDataTypeNumber, NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("1"), MaxValue: aws.String("10")}},
	}})))
	d := must(api.DescribeUserPool(c, &cip.DescribeUserPoolInput{UserPoolId: pid})).UserPool
	var names []string
	for _, a := range d.SchemaAttributes {
		names = append(names, *a.Name)
	}
	if !slices.Contains(names, "custom:tenant") || !slices.Contains(names, "custom:seats") {
		t.Errorf("SchemaAttributes: got %v; want custom:tenant and custom:seats among them", names)
	}
	hdr := must(api.GetCSVHeader(c, &cip.GetCSVHeaderInput{UserPoolId: pid}))
	if !slices.Contains(hdr.CSVHeader, "custom:tenant") || !slices.Contains(hdr.CSVHeader, "cognito:username") || *hdr.UserPoolId != poolID {
		t.Errorf("GetCSVHeader: got %v", hdr.CSVHeader)
	}
	create := func(name string, attrs ...string) error {
		var ua []types.AttributeType
		for i := 0; i+1 < len(attrs); i += 2 {
			ua = append(ua, types.AttributeType{Name: aws.String(attrs[i]), Value: aws.String(attrs[i+1])})
		}
		_, err := api.AdminCreateUser(c, &cip.AdminCreateUserInput{UserPoolId: pid, Username: aws.String(name), UserAttributes: ua,
			MessageAction: types.MessageActionTypeSuppress})
		return err
	}
	noErr(t, create("ok", "custom:tenant", "acme", "custom:seats", "3"))
	for name, attrs := range map[string][]string{
		"too long":   {"custom:tenant", "acme-corp"},
		"not number": {"custom:seats", "three"},
		"over max":   {"custom:seats", "11"},
		"undeclared": {"custom:other", "x"},
	} {
		if err := create("u-"+strings.ReplaceAll(name, " ", ""), attrs...); !isErr[*types.InvalidParameterException](err) {
			t.Errorf("AdminCreateUser with a custom attribute %s: got %v; want InvalidParameterException", name, err)
		}
	}
	for name, in := range map[string][]types.SchemaAttributeType{
		"twice":     {{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}},
		"bad name":  {{Name: aws.String("no spaces"), AttributeDataType: types.AttributeDataTypeString}},
		"required":  {{Name: aws.String("req"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true)}},
		"bad range": {{Name: aws.String("r"), AttributeDataType: types.AttributeDataTypeNumber, NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("9"), MaxValue: aws.String("1")}}},
	} {
		if _, err := api.AddCustomAttributes(c, &cip.AddCustomAttributesInput{UserPoolId: pid, CustomAttributes: in}); !isErr[*types.InvalidParameterException](err) {
			t.Errorf("AddCustomAttributes %s: got %v; want InvalidParameterException", name, err)
		}
	}
	// 50 custom attributes at most.
	var many []types.SchemaAttributeType
	for i := range 49 {
		many = append(many, types.SchemaAttributeType{Name: aws.String(fmt.Sprintf("a%d", i)), AttributeDataType: types.AttributeDataTypeString})
	}
	if _, err := api.AddCustomAttributes(c, &cip.AddCustomAttributesInput{UserPoolId: pid, CustomAttributes: many}); err == nil {
		t.Errorf("AddCustomAttributes beyond 50 custom attributes: no error")
	}
	if _, err := api.AddCustomAttributes(c, &cip.AddCustomAttributesInput{UserPoolId: aws.String("us-east-1_Nope"), CustomAttributes: many[:1]}); !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("AddCustomAttributes on an unknown pool: got %v; want ResourceNotFoundException", err)
	}
}

func TestGetSigningCertificate(t *testing.T) {
	t.Parallel()
	_, api := apiEnv(t)
	poolID, _ := sdkPool(t, api, &cip.CreateUserPoolInput{})
	out := must(api.GetSigningCertificate(ctx(), &cip.GetSigningCertificateInput{UserPoolId: &poolID}))
	raw := *out.Certificate
	if b, _ := pem.Decode([]byte(raw)); b != nil {
		raw = base64.StdEncoding.EncodeToString(b.Bytes)
	}
	der, err := base64.StdEncoding.DecodeString(raw)
	noErr(t, err)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("the certificate does not parse: %v", err)
	}
	if _, ok := cert.PublicKey.(*rsa.PublicKey); !ok {
		t.Errorf("certificate key: %T; want RSA", cert.PublicKey)
	}
	// Signed by itself with its own key.
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("the certificate is not self-signed: %v", err)
	}
	if _, err := api.GetSigningCertificate(ctx(), &cip.GetSigningCertificateInput{UserPoolId: aws.String("us-east-1_Nope")}); !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("unknown pool: got %v; want ResourceNotFoundException", err)
	}
}

func TestLogDeliveryConfiguration(t *testing.T) {
	t.Parallel()
	_, api := apiEnv(t)
	c := ctx()
	poolID, _ := sdkPool(t, api, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypeEssentials})
	pid := aws.String(poolID)
	const group = "arn:aws:logs:us-east-1:123456789012:log-group:cognito"
	got := must(api.GetLogDeliveryConfiguration(c, &cip.GetLogDeliveryConfigurationInput{UserPoolId: pid})).LogDeliveryConfiguration
	if len(got.LogConfigurations) != 0 {
		t.Errorf("a new pool's log configurations: %d; want none", len(got.LogConfigurations))
	}
	noErr(t, errOnly(api.SetLogDeliveryConfiguration(c, &cip.SetLogDeliveryConfigurationInput{UserPoolId: pid, LogConfigurations: []types.LogConfigurationType{{
		EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelError,
		CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String(group)}}}})))
	got = must(api.GetLogDeliveryConfiguration(c, &cip.GetLogDeliveryConfigurationInput{UserPoolId: pid})).LogDeliveryConfiguration
	if len(got.LogConfigurations) != 1 || *got.LogConfigurations[0].CloudWatchLogsConfiguration.LogGroupArn != group || *got.UserPoolId != poolID {
		t.Errorf("GetLogDeliveryConfiguration: got %+v", got)
	}
	bad := map[string]types.LogConfigurationType{
		"bad ARN": {EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelError,
			CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String("not-an-arn")}},
		"INFO for notifications": {EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelInfo,
			CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String(group)}},
		"no destination": {EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelError},
	}
	for name, lc := range bad {
		_, err := api.SetLogDeliveryConfiguration(c, &cip.SetLogDeliveryConfigurationInput{UserPoolId: pid, LogConfigurations: []types.LogConfigurationType{lc}})
		if !isErr[*types.InvalidParameterException](err) {
			t.Errorf("%s: got %v; want InvalidParameterException", name, err)
		}
	}
	// userAuthEvents logs need the PLUS tier.
	_, err := api.SetLogDeliveryConfiguration(c, &cip.SetLogDeliveryConfigurationInput{UserPoolId: pid, LogConfigurations: []types.LogConfigurationType{{
		EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo,
		CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String(group)}}}})
	if !isErr[*types.FeatureUnavailableInTierException](err) {
		t.Errorf("userAuthEvents on ESSENTIALS: got %v; want FeatureUnavailableInTierException", err)
	}
}

// TestRiskConfigurationActs: a blocked IP range of an ENFORCED pool
// refuses sign-ins from it; a client's configuration overrides the pool's.
func TestRiskConfigurationActs(t *testing.T) {
	t.Parallel()
	_, api := apiEnv(t)
	c := ctx()
	poolID, clientID := sdkPool(t, api, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypePlus,
		UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeEnforced}})
	pid := aws.String(poolID)
	noErr(t, errOnly(api.AdminCreateUser(c, &cip.AdminCreateUserInput{UserPoolId: pid, Username: aws.String("alice"), MessageAction: types.MessageActionTypeSuppress})))
	noErr(t, errOnly(api.AdminSetUserPassword(c, &cip.AdminSetUserPasswordInput{UserPoolId: pid, Username: aws.String("alice"), Password: aws.String(testPassword), Permanent: true})))
	login := func() error {
		_, err := api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &clientID,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
		return err
	}
	noErr(t, login())
	noErr(t, errOnly(api.SetRiskConfiguration(c, &cip.SetRiskConfigurationInput{UserPoolId: pid,
		RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"127.0.0.0/8"}}})))
	if err := login(); !isErr[*types.NotAuthorizedException](err) {
		t.Errorf("sign-in from a blocked range: got %v; want NotAuthorizedException", err)
	}
	// The client's own configuration (without blocked ranges) takes over.
	noErr(t, errOnly(api.SetRiskConfiguration(c, &cip.SetRiskConfigurationInput{UserPoolId: pid, ClientId: &clientID,
		RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{SkippedIPRangeList: []string{"10.0.0.0/8"}}})))
	noErr(t, login())
	d := must(api.DescribeRiskConfiguration(c, &cip.DescribeRiskConfigurationInput{UserPoolId: pid, ClientId: &clientID})).RiskConfiguration
	if d.RiskExceptionConfiguration == nil || !slices.Equal(d.RiskExceptionConfiguration.SkippedIPRangeList, []string{"10.0.0.0/8"}) || *d.ClientId != clientID {
		t.Errorf("DescribeRiskConfiguration of the client: got %+v", d)
	}
	d = must(api.DescribeRiskConfiguration(c, &cip.DescribeRiskConfigurationInput{UserPoolId: pid})).RiskConfiguration
	if d.RiskExceptionConfiguration == nil || !slices.Equal(d.RiskExceptionConfiguration.BlockedIPRangeList, []string{"127.0.0.0/8"}) {
		t.Errorf("DescribeRiskConfiguration of the pool: got %+v", d)
	}
	for name, in := range map[string]*cip.SetRiskConfigurationInput{
		"bad CIDR": {UserPoolId: pid, RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"300.0.0.0/8"}}},
		"unknown client": {UserPoolId: pid, ClientId: aws.String("nope"),
			RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"10.0.0.0/8"}}},
	} {
		if _, err := api.SetRiskConfiguration(c, in); err == nil {
			t.Errorf("SetRiskConfiguration %s: no error", name)
		}
	}
}

func TestUICustomizationOps(t *testing.T) {
	t.Parallel()
	_, api := apiEnv(t)
	c := ctx()
	poolID, clientID := sdkPool(t, api, &cip.CreateUserPoolInput{})
	pid := aws.String(poolID)
	const css = ".banner-customizable {background-color: #123456;}"
	// Cognito needs a domain first.
	if _, err := api.SetUICustomization(c, &cip.SetUICustomizationInput{UserPoolId: pid, CSS: aws.String(css)}); !isErr[*types.InvalidParameterException](err) {
		t.Errorf("SetUICustomization without a domain: got %v; want InvalidParameterException", err)
	}
	noErr(t, errOnly(api.CreateUserPoolDomain(c, &cip.CreateUserPoolDomainInput{UserPoolId: pid, Domain: aws.String("ui-test")})))
	noErr(t, errOnly(api.SetUICustomization(c, &cip.SetUICustomizationInput{UserPoolId: pid, CSS: aws.String(css), ImageFile: pngLogo})))
	got := must(api.GetUICustomization(c, &cip.GetUICustomizationInput{UserPoolId: pid})).UICustomization
	if got.CSS == nil || *got.CSS != css || got.ImageUrl == nil {
		t.Errorf("GetUICustomization: CSS %v, ImageUrl %v", got.CSS, got.ImageUrl)
	}
	// A client without its own customization gets the pool's.
	got = must(api.GetUICustomization(c, &cip.GetUICustomizationInput{UserPoolId: pid, ClientId: &clientID})).UICustomization
	if got.CSS == nil || *got.CSS != css {
		t.Errorf("GetUICustomization of a client without its own: CSS %v; want the pool's", got.CSS)
	}
	for name, in := range map[string]*cip.SetUICustomizationInput{
		"unknown CSS class": {UserPoolId: pid, CSS: aws.String(".not-a-class {color: red;}")},
		"not an image":      {UserPoolId: pid, ImageFile: []byte("GIF89a not a png")},
		"script in CSS":     {UserPoolId: pid, CSS: aws.String(".banner-customizable {background: url(javascript:alert(1));}")},
		"unknown client":    {UserPoolId: pid, ClientId: aws.String("nope"), CSS: aws.String(css)},
	} {
		if _, err := api.SetUICustomization(c, in); err == nil {
			t.Errorf("SetUICustomization %s: no error", name)
		}
	}
}

// TestProvisionedLimits drives GetProvisionedLimit and
// UpdateProvisionedLimit as raw JSON 1.1 (aws-sdk-go-v2 v1.61.0 lacks them).
func TestProvisionedLimits(t *testing.T) {
	t.Parallel()
	srv, _ := apiEnv(t)
	def := map[string]any{"LimitClass": "API_CATEGORY", "Attributes": map[string]string{"Category": "UserAuthentication"}}
	var out struct {
		Limit struct {
			LimitDefinition       map[string]any
			ProvisionedLimitValue int
			FreeLimitValue        int
		}
	}
	value := func() int {
		t.Helper()
		noErr(t, jsonCall(srv, "GetProvisionedLimit", map[string]any{"LimitDefinition": def}, &out))
		if out.Limit.FreeLimitValue != 120 || out.Limit.LimitDefinition["LimitClass"] != "API_CATEGORY" {
			t.Errorf("GetProvisionedLimit: got %+v", out.Limit)
		}
		return out.Limit.ProvisionedLimitValue
	}
	if got := value(); got != 120 {
		t.Errorf("UserAuthentication by default: got %d; want 120", got)
	}
	noErr(t, jsonCall(srv, "UpdateProvisionedLimit", map[string]any{"LimitDefinition": def, "RequestedLimitValue": 300}, nil))
	if got := value(); got != 300 {
		t.Errorf("UserAuthentication after the update: got %d; want 300", got)
	}
	for name, tc := range map[string]struct {
		in   map[string]any
		want string
	}{
		"below the default": {map[string]any{"LimitDefinition": def, "RequestedLimitValue": 10}, "InvalidParameterException"},
		"over the maximum":  {map[string]any{"LimitDefinition": def, "RequestedLimitValue": 100000}, "LimitExceededException"},
		"not adjustable": {map[string]any{"LimitDefinition": map[string]any{"LimitClass": "API_CATEGORY", "Attributes": map[string]string{"Category": "UserUpdate"}},
			"RequestedLimitValue": 30}, "InvalidParameterException"},
		"unknown category": {map[string]any{"LimitDefinition": map[string]any{"LimitClass": "API_CATEGORY", "Attributes": map[string]string{"Category": "Nope"}},
			"RequestedLimitValue": 30}, "InvalidParameterException"},
		"no value": {map[string]any{"LimitDefinition": def}, "InvalidParameterException"},
	} {
		err := jsonCall(srv, "UpdateProvisionedLimit", tc.in, nil)
		var ae *apiError
		if !errors.As(err, &ae) || !strings.HasSuffix(ae.Type, tc.want) {
			t.Errorf("%s: got %v; want %s", name, err, tc.want)
		}
	}
	if got := value(); got != 300 {
		t.Errorf("a refused update changed the limit to %d", got)
	}
}

func TestTagResourceOps(t *testing.T) {
	t.Parallel()
	_, api := apiEnv(t)
	c := ctx()
	poolID, _ := sdkPool(t, api, &cip.CreateUserPoolInput{UserPoolTags: map[string]string{"team": "a"}})
	arn := must(api.DescribeUserPool(c, &cip.DescribeUserPoolInput{UserPoolId: &poolID})).UserPool.Arn
	noErr(t, errOnly(api.TagResource(c, &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"env": "test", "old": "x"}})))
	noErr(t, errOnly(api.UntagResource(c, &cip.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"old", "absent"}})))
	tags := must(api.ListTagsForResource(c, &cip.ListTagsForResourceInput{ResourceArn: arn})).Tags
	if len(tags) != 2 || tags["team"] != "a" || tags["env"] != "test" {
		t.Errorf("tags: got %v; want team=a env=test", tags)
	}
	d := must(api.DescribeUserPool(c, &cip.DescribeUserPoolInput{UserPoolId: &poolID})).UserPool
	if d.UserPoolTags["env"] != "test" {
		t.Errorf("DescribeUserPool tags: got %v", d.UserPoolTags)
	}
	other := aws.String(strings.Replace(*arn, poolID, "us-east-1_Nope", 1))
	if _, err := api.ListTagsForResource(c, &cip.ListTagsForResourceInput{ResourceArn: other}); !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("an unknown pool's ARN: got %v; want ResourceNotFoundException", err)
	}
	for name, in := range map[string]*cip.TagResourceInput{
		"not an ARN": {ResourceArn: aws.String("userpool/x"), Tags: map[string]string{"a": "b"}},
		"aws: key":   {ResourceArn: arn, Tags: map[string]string{"aws:x": "b"}},
		"long value": {ResourceArn: arn, Tags: map[string]string{"a": strings.Repeat("v", 257)}},
	} {
		if _, err := api.TagResource(c, in); !isErr[*types.InvalidParameterException](err) {
			t.Errorf("TagResource %s: got %v; want InvalidParameterException", name, err)
		}
	}
	many := map[string]string{}
	for i := range 49 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	if _, err := api.TagResource(c, &cip.TagResourceInput{ResourceArn: arn, Tags: many}); err == nil {
		t.Errorf("TagResource beyond 50 tags: no error")
	}
}

// TestUserPoolReplicas: replicas are stored and reported with their
// status; the limits and the primary region are checked.
func TestUserPoolReplicas(t *testing.T) {
	t.Parallel()
	_, api := apiEnv(t)
	c := ctx()
	poolID, _ := sdkPool(t, api, &cip.CreateUserPoolInput{})
	pid := aws.String(poolID)
	noErr(t, errOnly(api.CreateUserPoolReplica(c, &cip.CreateUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("eu-west-1")})))
	noErr(t, errOnly(api.UpdateUserPoolReplica(c, &cip.UpdateUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("eu-west-1"), Status: types.UpdateReplicaStatusTypeInactive})))
	list := must(api.ListUserPoolReplicas(c, &cip.ListUserPoolReplicasInput{UserPoolId: pid})).UserPoolReplicas
	got := map[string]string{}
	for _, r := range list {
		got[*r.RegionName] = string(r.Status)
	}
	if len(got) != 2 || got["us-east-1"] != "ACTIVE" || got["eu-west-1"] != "INACTIVE" {
		t.Errorf("ListUserPoolReplicas: got %v; want the primary ACTIVE and eu-west-1 INACTIVE", got)
	}
	for name, fn := range map[string]func() error{
		"replica twice": func() error {
			return errOnly(api.CreateUserPoolReplica(c, &cip.CreateUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("eu-west-1")}))
		},
		"the primary region": func() error {
			return errOnly(api.CreateUserPoolReplica(c, &cip.CreateUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("us-east-1")}))
		},
		"not a region": func() error {
			return errOnly(api.CreateUserPoolReplica(c, &cip.CreateUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("mars-1")}))
		},
		"deactivate the primary": func() error {
			return errOnly(api.UpdateUserPoolReplica(c, &cip.UpdateUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("us-east-1"), Status: types.UpdateReplicaStatusTypeInactive}))
		},
	} {
		if err := fn(); !isErr[*types.InvalidParameterException](err) {
			t.Errorf("%s: got %v; want InvalidParameterException", name, err)
		}
	}
	noErr(t, errOnly(api.DeleteUserPoolReplica(c, &cip.DeleteUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("eu-west-1")})))
	if _, err := api.DeleteUserPoolReplica(c, &cip.DeleteUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("eu-west-1")}); !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("deleting a deleted replica: got %v; want ResourceNotFoundException", err)
	}
	if n := len(must(api.ListUserPoolReplicas(c, &cip.ListUserPoolReplicasInput{UserPoolId: pid})).UserPoolReplicas); n != 1 {
		t.Errorf("replicas after the delete: %d; want only the primary", n)
	}
}

// TestMessageTemplatesAct: the verification and invitation templates of
// UpdateUserPool shape the messages in the outbox.
func TestMessageTemplatesAct(t *testing.T) {
	t.Parallel()
	srv, api := apiEnv(t)
	c := ctx()
	poolID, clientID := sdkPool(t, api, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
	pid := aws.String(poolID)
	noErr(t, errOnly(api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: pid,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		VerificationMessageTemplate: &types.VerificationMessageTemplateType{EmailSubject: aws.String("Welcome to Acme"),
			EmailMessage: aws.String("Your Acme code is {####}.")},
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{InviteMessageTemplate: &types.MessageTemplateType{
			EmailSubject: aws.String("Join Acme"), EmailMessage: aws.String("Hi {username}, your password is {####}")}}})))
	noErr(t, errOnly(api.SignUp(c, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("ann"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("ann@example.com")}}})))
	m, ok := srv.LastMessage("ann", cognitotest.MsgSignUp)
	if !ok || m.Subject != "Welcome to Acme" || m.Text != "Your Acme code is "+m.Code+"." {
		t.Errorf("sign-up message: %q / %q; want the pool's template", m.Subject, m.Text)
	}
	noErr(t, errOnly(api.AdminCreateUser(c, &cip.AdminCreateUserInput{UserPoolId: pid, Username: aws.String("bo"),
		UserAttributes:         []types.AttributeType{{Name: aws.String("email"), Value: aws.String("bo@example.com")}},
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})))
	m, ok = srv.LastMessage("bo", cognitotest.MsgTemporaryPassword)
	if !ok || m.Subject != "Join Acme" || m.Text != "Hi bo, your password is "+m.Code {
		t.Errorf("invitation: %q / %q; want the pool's template", m.Subject, m.Text)
	}
	_, err := api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: pid,
		VerificationMessageTemplate: &types.VerificationMessageTemplateType{EmailMessage: aws.String("no code here")}})
	if !isErr[*types.InvalidParameterException](err) {
		t.Errorf("a template without {####}: got %v; want InvalidParameterException", err)
	}
}
