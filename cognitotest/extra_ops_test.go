package cognitotest_test

import (
	"crypto/rand"
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/srp"
)

// TestMoreOperations covers the operations beyond the list.
func TestMoreOperations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{DeviceRemembering: cognitotest.DevicesAlways})
	pid := aws.String(e.pool.ID())
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "ida", Password: testPassword, Email: "ida@example.com"})

	rs := must(e.api.CreateResourceServer(ctx(), &cip.CreateResourceServerInput{UserPoolId: pid, Identifier: aws.String("orders"), Name: aws.String("Orders"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("read orders")}}}))
	if *rs.ResourceServer.Identifier != "orders" {
		t.Errorf("CreateResourceServer: %+v", rs.ResourceServer)
	}
	if _, err := e.pool.MintM2MToken(e.secret.ID, []string{"orders/read"}); err != nil {
		t.Errorf("scope of the API-created resource server: %v", err)
	}
	lc := must(e.api.ListUserPoolClients(ctx(), &cip.ListUserPoolClientsInput{UserPoolId: pid, MaxResults: aws.Int32(1)}))
	if len(lc.UserPoolClients) != 1 || lc.NextToken == nil {
		t.Errorf("ListUserPoolClients page 1: %+v", lc)
	}
	must(e.api.DeleteUserPoolClient(ctx(), &cip.DeleteUserPoolClientInput{UserPoolId: pid, ClientId: &e.secret.ID}))
	_, err := e.passwordLogin(e.secret, "ida", testPassword)
	wantErr[*types.ResourceNotFoundException](t, err, "deleted client")

	out := must(e.passwordLogin(e.public, "ida", testPassword)).AuthenticationResult
	acc := out.AccessToken
	code := must(e.api.GetUserAttributeVerificationCode(ctx(), &cip.GetUserAttributeVerificationCodeInput{AccessToken: acc, AttributeName: aws.String("email")}))
	if code.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
		t.Errorf("GetUserAttributeVerificationCode: %+v", code.CodeDeliveryDetails)
	}
	_, err = e.api.VerifyUserAttribute(ctx(), &cip.VerifyUserAttributeInput{AccessToken: acc, AttributeName: aws.String("email"), Code: aws.String("000000")})
	wantErr[*types.CodeMismatchException](t, err, "wrong verification code")

	devKey, group := *out.NewDeviceMetadata.DeviceKey, *out.NewDeviceMetadata.DeviceGroupKey
	_, salt, verifier, _ := srp.NewDeviceSecret(rand.Reader, group, devKey)
	cd := must(e.api.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: acc, DeviceKey: &devKey,
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String(base64.StdEncoding.EncodeToString(salt)), PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString(verifier))}}))
	if cd.UserConfirmationNecessary {
		t.Error("ALWAYS pool: UserConfirmationNecessary true")
	}
	_, err = e.api.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: acc, DeviceKey: &devKey,
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String(base64.StdEncoding.EncodeToString(salt)), PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString(verifier))}})
	wantErr[*types.DeviceKeyExistsException](t, err, "confirming twice")
	_, err = e.api.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: acc, DeviceKey: &devKey,
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String("%%%"), PasswordVerifier: aws.String("")}})
	wantErr[*types.InvalidParameterException](t, err, "malformed verifier")
	gd := must(e.api.GetDevice(ctx(), &cip.GetDeviceInput{AccessToken: acc, DeviceKey: &devKey}))
	if attrValue(gd.Device.DeviceAttributes, "device_status") != "remembered" {
		t.Errorf("GetDevice: %+v", gd.Device.DeviceAttributes)
	}
	ad := must(e.api.AdminListDevices(ctx(), &cip.AdminListDevicesInput{UserPoolId: pid, Username: aws.String("ida")}))
	if len(ad.Devices) != 1 {
		t.Errorf("AdminListDevices: %d", len(ad.Devices))
	}
	must(e.api.AdminUpdateDeviceStatus(ctx(), &cip.AdminUpdateDeviceStatusInput{UserPoolId: pid, Username: aws.String("ida"), DeviceKey: &devKey,
		DeviceRememberedStatus: types.DeviceRememberedStatusTypeNotRemembered}))
	agd := must(e.api.AdminGetDevice(ctx(), &cip.AdminGetDeviceInput{UserPoolId: pid, Username: aws.String("ida"), DeviceKey: &devKey}))
	if attrValue(agd.Device.DeviceAttributes, "device_status") != "not_remembered" {
		t.Errorf("AdminGetDevice after AdminUpdateDeviceStatus: %+v", agd.Device.DeviceAttributes)
	}
	must(e.api.AdminForgetDevice(ctx(), &cip.AdminForgetDeviceInput{UserPoolId: pid, Username: aws.String("ida"), DeviceKey: &devKey}))
	_, err = e.api.GetDevice(ctx(), &cip.GetDeviceInput{AccessToken: acc, DeviceKey: &devKey})
	wantErr[*types.ResourceNotFoundException](t, err, "forgotten device")

	must(e.api.DeleteUserPool(ctx(), &cip.DeleteUserPoolInput{UserPoolId: pid}))
	_, err = e.api.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: pid})
	wantErr[*types.ResourceNotFoundException](t, err, "deleted pool")
	_, err = e.passwordLogin(e.public, "ida", testPassword)
	wantErr[*types.ResourceNotFoundException](t, err, "client of a deleted pool")
}
