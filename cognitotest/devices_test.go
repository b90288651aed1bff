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

func TestDeviceSRP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{DeviceRemembering: cognitotest.DevicesUserOptIn, MFA: cognitotest.MFAOptional, ChallengeRequiredOnNewDevice: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "rosa", Password: testPassword, TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"})

	// First sign-in: TOTP, then tokens with NewDeviceMetadata.
	out, err := e.srpLogin(e.secret, "rosa", testPassword)
	noErr(t, err)
	code := must(cognitotest.TOTPCode("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", e.clock.Now()))
	res := must(e.respond(e.secret, out.ChallengeName, out.Session, map[string]string{"USERNAME": "rosa", "SOFTWARE_TOKEN_MFA_CODE": code}))
	ar := res.AuthenticationResult
	if ar == nil || ar.NewDeviceMetadata == nil {
		t.Fatalf("no NewDeviceMetadata: %+v", ar)
	}
	devKey, group := *ar.NewDeviceMetadata.DeviceKey, *ar.NewDeviceMetadata.DeviceGroupKey
	if claimsOf(t, *ar.AccessToken)["device_key"] != devKey {
		t.Errorf("access token device_key %v; want %s", claimsOf(t, *ar.AccessToken)["device_key"], devKey)
	}
	devPassword, salt, verifier, err := srp.NewDeviceSecret(rand.Reader, group, devKey)
	noErr(t, err)
	cd := must(e.api.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: ar.AccessToken, DeviceKey: &devKey, DeviceName: aws.String("laptop"),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String(base64.StdEncoding.EncodeToString(salt)),
			PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString(verifier))}}))
	if !cd.UserConfirmationNecessary {
		t.Error("USER_OPT_IN pool: UserConfirmationNecessary false")
	}
	must(e.api.UpdateDeviceStatus(ctx(), &cip.UpdateDeviceStatusInput{AccessToken: ar.AccessToken, DeviceKey: &devKey,
		DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered}))
	list := must(e.api.ListDevices(ctx(), &cip.ListDevicesInput{AccessToken: ar.AccessToken}))
	if len(list.Devices) != 1 || *list.Devices[0].DeviceKey != devKey || list.Devices[0].DeviceCreateDate == nil {
		t.Fatalf("ListDevices: %+v", list.Devices)
	}

	deviceLogin := func(devKey, devPassword string) (*cip.RespondToAuthChallengeOutput, error) {
		cl, out, err := e.srpStart(e.secret, "rosa")
		if err != nil {
			return nil, err
		}
		r := e.verifierResponses(e.secret, cl, out.ChallengeParameters, testPassword, e.now())
		r["DEVICE_KEY"] = devKey
		ds, err := e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ChallengeName: out.ChallengeName, ClientId: &e.secret.ID, Session: out.Session, ChallengeResponses: r})
		if err != nil {
			return nil, err
		}
		if ds.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
			t.Fatalf("got %s; want DEVICE_SRP_AUTH", ds.ChallengeName)
		}
		dc := must(srp.NewClient(rand.Reader))
		pv, err := e.respond(e.secret, ds.ChallengeName, ds.Session, map[string]string{"USERNAME": "rosa", "DEVICE_KEY": devKey, "SRP_A": dc.AHex()})
		if err != nil {
			return nil, err
		}
		if pv.ChallengeName != types.ChallengeNameTypeDevicePasswordVerifier {
			t.Fatalf("got %s; want DEVICE_PASSWORD_VERIFIER", pv.ChallengeName)
		}
		p := pv.ChallengeParameters
		B := must(srp.ParseHex(p["SRP_B"]))
		s := must(srp.ParseHex(p["SALT"]))
		key := must(dc.PasswordKey(group, devKey, devPassword, B, s))
		block, _ := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
		ts := srp.Timestamp(e.now())
		return e.respond(e.secret, pv.ChallengeName, pv.Session, map[string]string{"USERNAME": "rosa", "DEVICE_KEY": devKey,
			"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": srp.Signature(key, group, devKey, block, ts)})
	}
	// Remembered device: no MFA, tokens carry the device key, no new device.
	res2, err := deviceLogin(devKey, devPassword)
	noErr(t, err)
	if res2.AuthenticationResult == nil || res2.AuthenticationResult.NewDeviceMetadata != nil {
		t.Fatalf("device sign-in: %+v", res2)
	}
	if claimsOf(t, *res2.AuthenticationResult.AccessToken)["device_key"] != devKey {
		t.Error("device sign-in: access token lacks device_key")
	}
	// Refresh needs the DEVICE_KEY.
	rp := map[string]string{"REFRESH_TOKEN": *res2.AuthenticationResult.RefreshToken, "SECRET_HASH": e.secret.SecretHash("rosa")}
	_, err = e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &e.secret.ID, AuthParameters: rp})
	wantErr[*types.NotAuthorizedException](t, err, "refresh without DEVICE_KEY")
	rp["DEVICE_KEY"] = devKey
	must(e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &e.secret.ID, AuthParameters: rp}))

	_, err = deviceLogin(devKey, "wrong-device-password")
	wantErr[*types.NotAuthorizedException](t, err, "wrong device password")

	// Unknown device key: ResourceNotFoundException, so clients forget it.
	cl, out2, _ := e.srpStart(e.secret, "rosa")
	r := e.verifierResponses(e.secret, cl, out2.ChallengeParameters, testPassword, e.now())
	r["DEVICE_KEY"] = "us-east-1_00000000-0000-4000-8000-000000000000"
	_, err = e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ChallengeName: out2.ChallengeName, ClientId: &e.secret.ID, Session: out2.Session, ChallengeResponses: r})
	wantErr[*types.ResourceNotFoundException](t, err, "unknown device")

	must(e.api.ForgetDevice(ctx(), &cip.ForgetDeviceInput{AccessToken: ar.AccessToken, DeviceKey: &devKey}))
	_, err = deviceLogin(devKey, devPassword)
	wantErr[*types.ResourceNotFoundException](t, err, "forgotten device")
	_, err = e.api.ForgetDevice(ctx(), &cip.ForgetDeviceInput{AccessToken: ar.AccessToken, DeviceKey: &devKey})
	wantErr[*types.ResourceNotFoundException](t, err, "forgetting twice")
}
