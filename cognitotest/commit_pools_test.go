package cognitotest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// apiError is an error answer of the AWS JSON 1.1 API to jsonCall.
type apiError struct {
	Status  int
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Type, e.Message) }

// jsonCall sends an operation as raw AWS JSON 1.1, with an Authorization
// header as a signed call has (for the operations the SDK does not have,
// such as GetProvisionedLimit), and decodes the answer into out.
func jsonCall(srv *cognitotest.Server, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260305/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e := &apiError{Status: resp.StatusCode}
		json.Unmarshal(data, e)
		return e
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// uploadCSV PUTs a CSV file to an import job's pre-signed URL.
func uploadCSV(srv *cognitotest.Server, url, csv string) error {
	req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader(csv))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("x-amz-server-side-encryption", "aws:kms")
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return &httpError{resp.StatusCode, string(b)}
	}
	return nil
}

// pngLogo is a 1x1 PNG.
var pngLogo = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4,
	0x89, 0, 0, 0, 13, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 'B', 0x60, 0x82}

// poolOpsScenario runs the operations of issue 14's pools, app clients,
// domains, branding, terms, resource servers, imports and replicas for
// TestEveryWriteCommits, leaving a record of each of their kinds.
func poolOpsScenario(t *testing.T, srv *cognitotest.Server, api *cip.Client, poolID, clientID string,
	run func(op string, fn func() error), setup func(what string, err error)) {
	t.Helper()
	c := ctx()
	pid, cid := aws.String(poolID), aws.String(clientID)
	arn := "arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + poolID

	// ---- pools ------------------------------------------------------------------------
	run("ListUserPools", func() error {
		_, err := api.ListUserPools(c, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
		return err
	})
	run("UpdateUserPool", func() error {
		// The settings the rest of the scenario needs, said again: the
		// others return to their defaults.
		_, err := api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: pid, MfaConfiguration: types.UserPoolMfaTypeOptional,
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			DeviceConfiguration:    &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: true},
			UserPoolTier:           types.UserPoolTierTypePlus, UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit},
			UserPoolTags: map[string]string{"team": "a"}})
		return err
	})
	run("AddCustomAttributes", func() error {
		_, err := api.AddCustomAttributes(c, &cip.AddCustomAttributesInput{UserPoolId: pid,
			CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}}})
		return err
	})
	run("GetSigningCertificate", func() error {
		_, err := api.GetSigningCertificate(c, &cip.GetSigningCertificateInput{UserPoolId: pid})
		return err
	})
	run("GetCSVHeader", func() error { _, err := api.GetCSVHeader(c, &cip.GetCSVHeaderInput{UserPoolId: pid}); return err })
	run("SetLogDeliveryConfiguration", func() error {
		_, err := api.SetLogDeliveryConfiguration(c, &cip.SetLogDeliveryConfigurationInput{UserPoolId: pid, LogConfigurations: []types.LogConfigurationType{{
			EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelError,
			CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:cognito")}}}})
		return err
	})
	run("GetLogDeliveryConfiguration", func() error {
		_, err := api.GetLogDeliveryConfiguration(c, &cip.GetLogDeliveryConfigurationInput{UserPoolId: pid})
		return err
	})
	run("SetRiskConfiguration", func() error {
		_, err := api.SetRiskConfiguration(c, &cip.SetRiskConfigurationInput{UserPoolId: pid,
			RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"203.0.113.0/24"}}})
		return err
	})
	run("DescribeRiskConfiguration", func() error {
		_, err := api.DescribeRiskConfiguration(c, &cip.DescribeRiskConfigurationInput{UserPoolId: pid})
		return err
	})
	run("TagResource", func() error {
		_, err := api.TagResource(c, &cip.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "test", "old": "x"}})
		return err
	})
	run("UntagResource", func() error {
		_, err := api.UntagResource(c, &cip.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"old"}})
		return err
	})
	run("ListTagsForResource", func() error {
		_, err := api.ListTagsForResource(c, &cip.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		return err
	})
	limit := map[string]any{"LimitClass": "API_CATEGORY", "Attributes": map[string]string{"Category": "UserAuthentication"}}
	run("UpdateProvisionedLimit", func() error {
		return jsonCall(srv, "UpdateProvisionedLimit", map[string]any{"LimitDefinition": limit, "RequestedLimitValue": 240}, nil)
	})
	run("GetProvisionedLimit", func() error {
		return jsonCall(srv, "GetProvisionedLimit", map[string]any{"LimitDefinition": limit}, nil)
	})

	// ---- domains, UI customization, branding, terms ----------------------------------------
	run("CreateUserPoolDomain", func() error {
		_, err := api.CreateUserPoolDomain(c, &cip.CreateUserPoolDomainInput{UserPoolId: pid, Domain: aws.String("commits-app")})
		return err
	})
	run("DescribeUserPoolDomain", func() error {
		_, err := api.DescribeUserPoolDomain(c, &cip.DescribeUserPoolDomainInput{Domain: aws.String("commits-app")})
		return err
	})
	run("UpdateUserPoolDomain", func() error {
		_, err := api.UpdateUserPoolDomain(c, &cip.UpdateUserPoolDomainInput{UserPoolId: pid, Domain: aws.String("commits-app"), ManagedLoginVersion: aws.Int32(2)})
		return err
	})
	_, err := api.CreateUserPoolDomain(c, &cip.CreateUserPoolDomainInput{UserPoolId: pid, Domain: aws.String("auth.commits.example.com"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/abc")}})
	setup("custom domain", err)
	run("DeleteUserPoolDomain", func() error {
		_, err := api.DeleteUserPoolDomain(c, &cip.DeleteUserPoolDomainInput{UserPoolId: pid, Domain: aws.String("auth.commits.example.com")})
		return err
	})
	run("SetUICustomization", func() error {
		_, err := api.SetUICustomization(c, &cip.SetUICustomizationInput{UserPoolId: pid, CSS: aws.String(".submitButton-customizable { background-color: #c0ffee; }"),
			ImageFile: pngLogo})
		return err
	})
	run("GetUICustomization", func() error {
		_, err := api.GetUICustomization(c, &cip.GetUICustomizationInput{UserPoolId: pid, ClientId: cid})
		return err
	})
	var brandingID *string
	run("CreateManagedLoginBranding", func() error {
		out, err := api.CreateManagedLoginBranding(c, &cip.CreateManagedLoginBrandingInput{UserPoolId: pid, ClientId: cid, UseCognitoProvidedValues: true})
		if err == nil {
			brandingID = out.ManagedLoginBranding.ManagedLoginBrandingId
		}
		return err
	})
	run("DescribeManagedLoginBranding", func() error {
		_, err := api.DescribeManagedLoginBranding(c, &cip.DescribeManagedLoginBrandingInput{UserPoolId: pid, ManagedLoginBrandingId: brandingID})
		return err
	})
	run("DescribeManagedLoginBrandingByClient", func() error {
		_, err := api.DescribeManagedLoginBrandingByClient(c, &cip.DescribeManagedLoginBrandingByClientInput{UserPoolId: pid, ClientId: cid})
		return err
	})
	run("DeleteManagedLoginBranding", func() error {
		_, err := api.DeleteManagedLoginBranding(c, &cip.DeleteManagedLoginBrandingInput{UserPoolId: pid, ManagedLoginBrandingId: brandingID})
		return err
	})
	b, err := api.CreateManagedLoginBranding(c, &cip.CreateManagedLoginBrandingInput{UserPoolId: pid, ClientId: cid, UseCognitoProvidedValues: true})
	setup("branding", err)
	run("UpdateManagedLoginBranding", func() error {
		_, err := api.UpdateManagedLoginBranding(c, &cip.UpdateManagedLoginBrandingInput{UserPoolId: pid, ManagedLoginBrandingId: b.ManagedLoginBranding.ManagedLoginBrandingId,
			Assets: []types.AssetType{{Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeLight, Extension: types.AssetExtensionTypePng, Bytes: pngLogo}}})
		return err
	})
	var termsID *string
	run("CreateTerms", func() error {
		out, err := api.CreateTerms(c, &cip.CreateTermsInput{UserPoolId: pid, ClientId: cid, TermsName: aws.String("terms-of-use"),
			TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone, Links: map[string]string{"cognito:default": "https://example.com/terms"}})
		if err == nil {
			termsID = out.Terms.TermsId
		}
		return err
	})
	run("DescribeTerms", func() error {
		_, err := api.DescribeTerms(c, &cip.DescribeTermsInput{UserPoolId: pid, TermsId: termsID})
		return err
	})
	run("ListTerms", func() error { _, err := api.ListTerms(c, &cip.ListTermsInput{UserPoolId: pid}); return err })
	run("UpdateTerms", func() error {
		_, err := api.UpdateTerms(c, &cip.UpdateTermsInput{UserPoolId: pid, TermsId: termsID, Links: map[string]string{"cognito:default": "https://example.com/terms2"}})
		return err
	})
	pp, err := api.CreateTerms(c, &cip.CreateTermsInput{UserPoolId: pid, ClientId: cid, TermsName: aws.String("privacy-policy"),
		TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone, Links: map[string]string{"cognito:default": "https://example.com/privacy"}})
	setup("privacy policy", err)
	run("DeleteTerms", func() error {
		_, err := api.DeleteTerms(c, &cip.DeleteTermsInput{UserPoolId: pid, TermsId: pp.Terms.TermsId})
		return err
	})

	// ---- app clients and resource servers ---------------------------------------------------
	conf, err := api.CreateUserPoolClient(c, &cip.CreateUserPoolClientInput{UserPoolId: pid, ClientName: aws.String("conf"), GenerateSecret: true})
	setup("confidential client", err)
	confID := conf.UserPoolClient.ClientId
	run("UpdateUserPoolClient", func() error {
		_, err := api.UpdateUserPoolClient(c, &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: confID, ClientName: aws.String("conf2"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
		return err
	})
	var secretID *string
	run("AddUserPoolClientSecret", func() error {
		out, err := api.AddUserPoolClientSecret(c, &cip.AddUserPoolClientSecretInput{UserPoolId: pid, ClientId: confID})
		if err == nil {
			secretID = out.ClientSecretDescriptor.ClientSecretId
		}
		return err
	})
	run("ListUserPoolClientSecrets", func() error {
		_, err := api.ListUserPoolClientSecrets(c, &cip.ListUserPoolClientSecretsInput{UserPoolId: pid, ClientId: confID})
		return err
	})
	run("DeleteUserPoolClientSecret", func() error {
		_, err := api.DeleteUserPoolClientSecret(c, &cip.DeleteUserPoolClientSecretInput{UserPoolId: pid, ClientId: confID, ClientSecretId: secretID})
		return err
	})
	_, err = api.AddUserPoolClientSecret(c, &cip.AddUserPoolClientSecretInput{UserPoolId: pid, ClientId: confID})
	setup("second secret", err)
	run("DescribeResourceServer", func() error {
		_, err := api.DescribeResourceServer(c, &cip.DescribeResourceServerInput{UserPoolId: pid, Identifier: aws.String("api")})
		return err
	})
	run("ListResourceServers", func() error {
		_, err := api.ListResourceServers(c, &cip.ListResourceServersInput{UserPoolId: pid, MaxResults: aws.Int32(10)})
		return err
	})
	run("UpdateResourceServer", func() error {
		_, err := api.UpdateResourceServer(c, &cip.UpdateResourceServerInput{UserPoolId: pid, Identifier: aws.String("api"), Name: aws.String("API"),
			Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("r")}, {ScopeName: aws.String("write"), ScopeDescription: aws.String("w")}}})
		return err
	})
	_, err = api.CreateResourceServer(c, &cip.CreateResourceServerInput{UserPoolId: pid, Identifier: aws.String("gone"), Name: aws.String("gone")})
	setup("resource server to delete", err)
	run("DeleteResourceServer", func() error {
		_, err := api.DeleteResourceServer(c, &cip.DeleteResourceServerInput{UserPoolId: pid, Identifier: aws.String("gone")})
		return err
	})

	// ---- user import ------------------------------------------------------------------------------
	role := aws.String("arn:aws:iam::123456789012:role/CognitoImport")
	var job *types.UserImportJobType
	run("CreateUserImportJob", func() error {
		out, err := api.CreateUserImportJob(c, &cip.CreateUserImportJobInput{UserPoolId: pid, JobName: aws.String("import"), CloudWatchLogsRoleArn: role})
		if err == nil {
			job = out.UserImportJob
		}
		return err
	})
	setup("upload", uploadCSV(srv, aws.ToString(job.PreSignedUrl), "cognito:username,email,email_verified,cognito:mfa_enabled\nimported,imp@example.com,true,false\n"))
	run("StartUserImportJob", func() error {
		_, err := api.StartUserImportJob(c, &cip.StartUserImportJobInput{UserPoolId: pid, JobId: job.JobId})
		return err
	})
	run("StopUserImportJob", func() error { // the clock has not moved: the job has not started
		_, err := api.StopUserImportJob(c, &cip.StopUserImportJobInput{UserPoolId: pid, JobId: job.JobId})
		return err
	})
	run("DescribeUserImportJob", func() error {
		_, err := api.DescribeUserImportJob(c, &cip.DescribeUserImportJobInput{UserPoolId: pid, JobId: job.JobId})
		return err
	})
	run("ListUserImportJobs", func() error {
		_, err := api.ListUserImportJobs(c, &cip.ListUserImportJobsInput{UserPoolId: pid, MaxResults: aws.Int32(10)})
		return err
	})

	// ---- replicas ---------------------------------------------------------------------------------
	run("CreateUserPoolReplica", func() error {
		_, err := api.CreateUserPoolReplica(c, &cip.CreateUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("eu-west-1")})
		return err
	})
	run("UpdateUserPoolReplica", func() error {
		_, err := api.UpdateUserPoolReplica(c, &cip.UpdateUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("eu-west-1"), Status: types.UpdateReplicaStatusTypeInactive})
		return err
	})
	run("ListUserPoolReplicas", func() error {
		_, err := api.ListUserPoolReplicas(c, &cip.ListUserPoolReplicasInput{UserPoolId: pid})
		return err
	})
	_, err = api.CreateUserPoolReplica(c, &cip.CreateUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("ap-northeast-1")})
	setup("second replica", err)
	run("DeleteUserPoolReplica", func() error {
		_, err := api.DeleteUserPoolReplica(c, &cip.DeleteUserPoolReplicaInput{UserPoolId: pid, RegionName: aws.String("ap-northeast-1")})
		return err
	})
}
