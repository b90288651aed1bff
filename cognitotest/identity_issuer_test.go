package cognitotest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestIdentityPoolEmulatorIssuer: Amplify names a user pool login after the
// ID token's issuer without its scheme ("127.0.0.1:PORT/POOL"). An identity
// pool takes that name as a provider in CreateIdentityPool, and GetId,
// GetCredentialsForIdentity and GetOpenIdToken accept logins under it,
// whichever of the two names the identity pool was configured with; the
// same user under either name is one identity. Other hosts are refused.
func TestIdentityPoolEmulatorIssuer(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t, cognitotest.IdentityPoolConfig{AllowClassicFlow: true})
	c := context.Background()
	emuName, ok := strings.CutPrefix(e.pool.Issuer(), "http://")
	if !ok {
		t.Fatalf("issuer %q is not http://", e.pool.Issuer())
	}
	const role = "arn:aws:iam::123456789012:role/amplify-auth"

	// An identity pool configured with the emulator's name, as an Amplify
	// project pointed at the emulator would create it.
	created, err := e.api.CreateIdentityPool(c, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("amplify"), AllowUnauthenticatedIdentities: false,
		AllowClassicFlow:         aws.Bool(true),
		CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: aws.String(emuName), ClientId: aws.String(e.app.ID)}}})
	noErr(t, err)
	ipid := created.IdentityPoolId
	if got := aws.ToString(created.CognitoIdentityProviders[0].ProviderName); got != emuName {
		t.Errorf("CreateIdentityPool: ProviderName %q; want %q as given", got, emuName)
	}
	_, err = e.api.SetIdentityPoolRoles(c, &ci.SetIdentityPoolRolesInput{IdentityPoolId: ipid, Roles: map[string]string{"authenticated": role}})
	noErr(t, err)

	for _, tc := range []struct {
		name string
		pool *string
	}{
		{"configured with the emulator's name", ipid},
		{"configured with Cognito's name", aws.String(e.idp.ID)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := e.idToken(t, "ann")
			amplify := map[string]string{emuName: tok}
			id, err := e.anon.GetId(c, &ci.GetIdInput{IdentityPoolId: tc.pool, Logins: amplify})
			noErr(t, err)
			creds, err := e.anon.GetCredentialsForIdentity(c, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: amplify})
			noErr(t, err)
			if creds.Credentials == nil || aws.ToString(creds.Credentials.AccessKeyId) == "" {
				t.Fatalf("GetCredentialsForIdentity: no credentials: %+v", creds)
			}
			oid, err := e.anon.GetOpenIdToken(c, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: amplify})
			noErr(t, err)
			if aws.ToString(oid.Token) == "" {
				t.Error("GetOpenIdToken: no token")
			}
			// Cognito's name for the same user: the same identity.
			again, err := e.anon.GetId(c, &ci.GetIdInput{IdentityPoolId: tc.pool, Logins: map[string]string{e.provider: tok}})
			noErr(t, err)
			if aws.ToString(again.IdentityId) != aws.ToString(id.IdentityId) {
				t.Errorf("the same user under the two names: identities %s and %s; want one", aws.ToString(id.IdentityId), aws.ToString(again.IdentityId))
			}
			// A token of an app client the identity pool does not accept.
			_, err = e.anon.GetId(c, &ci.GetIdInput{IdentityPoolId: tc.pool, Logins: map[string]string{emuName: e.pool.MustMintTokens(e.other.ID, "bob").IDToken}})
			idErrAs[*citypes.NotAuthorizedException](t, "a token of another app client", err)
		})
	}

	for _, bad := range []string{"evil.example:9229/" + e.pool.ID(), strings.Replace(emuName, "127.0.0.1", "127.0.0.2", 1), emuName + "/x", emuName[:strings.LastIndex(emuName, "/")+1] + "not-a-pool",
		"http://" + emuName} {
		_, err := e.api.CreateIdentityPool(c, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("bad"), AllowUnauthenticatedIdentities: true,
			CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: aws.String(bad), ClientId: aws.String(e.app.ID)}}})
		idErrAs[*citypes.InvalidParameterException](t, "provider "+bad, err)
	}
	// A login under another host's name is no login of the identity pool.
	_, err = e.anon.GetId(c, &ci.GetIdInput{IdentityPoolId: ipid, Logins: map[string]string{"evil.example:9229/" + e.pool.ID(): e.idToken(t, "ann")}})
	idErrAs[*citypes.NotAuthorizedException](t, "a login under another host's name", err)
}
