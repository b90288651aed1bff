package cognitotest_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// idpScenario runs the identity-provider operations (issue 15) for
// TestEveryWriteCommits, leaving an identity provider and a provider
// link.
func idpScenario(t *testing.T, api *cip.Client, poolID string, run func(op string, fn func() error), setup func(what string, err error)) {
	t.Helper()
	c := ctx()
	pid := aws.String(poolID)
	_, err := api.AdminCreateUser(c, &cip.AdminCreateUserInput{UserPoolId: pid, Username: aws.String("linda"), MessageAction: types.MessageActionTypeSuppress})
	setup("AdminCreateUser linda", err)
	google := map[string]string{"client_id": "gid", "client_secret": "gsecret", "authorize_scopes": "openid email"}
	run("CreateIdentityProvider", func() error {
		_, err := api.CreateIdentityProvider(c, &cip.CreateIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Google"),
			ProviderType: types.IdentityProviderTypeTypeGoogle, ProviderDetails: google, AttributeMapping: map[string]string{"email": "email"},
			IdpIdentifiers: []string{"gmail.com"}})
		return err
	})
	_, err = api.CreateIdentityProvider(c, &cip.CreateIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Corp"),
		ProviderType: types.IdentityProviderTypeTypeSaml, ProviderDetails: map[string]string{"MetadataURL": "https://corp.example.com/metadata"}})
	setup("CreateIdentityProvider Corp", err)
	run("DescribeIdentityProvider", func() error {
		_, err := api.DescribeIdentityProvider(c, &cip.DescribeIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Google")})
		return err
	})
	run("ListIdentityProviders", func() error {
		_, err := api.ListIdentityProviders(c, &cip.ListIdentityProvidersInput{UserPoolId: pid})
		return err
	})
	run("GetIdentityProviderByIdentifier", func() error {
		_, err := api.GetIdentityProviderByIdentifier(c, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: pid, IdpIdentifier: aws.String("gmail.com")})
		return err
	})
	run("UpdateIdentityProvider", func() error {
		_, err := api.UpdateIdentityProvider(c, &cip.UpdateIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Google"),
			AttributeMapping: map[string]string{"email": "email", "name": "name"}})
		return err
	})
	cognito := &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("linda")}
	for _, sub := range []string{"g-1", "g-2"} {
		run("AdminLinkProviderForUser", func() error {
			_, err := api.AdminLinkProviderForUser(c, &cip.AdminLinkProviderForUserInput{UserPoolId: pid, DestinationUser: cognito,
				SourceUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Google"), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String(sub)}})
			return err
		})
	}
	run("AdminDisableProviderForUser", func() error {
		_, err := api.AdminDisableProviderForUser(c, &cip.AdminDisableProviderForUserInput{UserPoolId: pid,
			User: &types.ProviderUserIdentifierType{ProviderName: aws.String("Google"), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String("g-2")}})
		return err
	})
	run("DeleteIdentityProvider", func() error {
		_, err := api.DeleteIdentityProvider(c, &cip.DeleteIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Corp")})
		return err
	})
}
