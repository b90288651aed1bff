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

// device is a confirmed device of a test user.
type device struct{ key, group, password string }

// confirmDevice confirms the device of a sign-in's NewDeviceMetadata.
func (e *env) confirmDevice(t *testing.T, ar *types.AuthenticationResultType) device {
	t.Helper()
	if ar == nil || ar.NewDeviceMetadata == nil {
		t.Fatalf("tokens without NewDeviceMetadata: %+v", ar)
	}
	d := device{key: *ar.NewDeviceMetadata.DeviceKey, group: *ar.NewDeviceMetadata.DeviceGroupKey}
	pw, salt, verifier, err := srp.NewDeviceSecret(rand.Reader, d.group, d.key)
	noErr(t, err)
	d.password = pw
	_, err = e.api.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: ar.AccessToken, DeviceKey: &d.key, DeviceName: aws.String("test"),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String(base64.StdEncoding.EncodeToString(salt)),
			PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString(verifier))}})
	noErr(t, err)
	return d
}

// deviceAuth answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER for d.
func (e *env) deviceAuth(t *testing.T, out *cip.RespondToAuthChallengeOutput, user string, d device) *cip.RespondToAuthChallengeOutput {
	t.Helper()
	if out.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
		t.Fatalf("challenge %q; want DEVICE_SRP_AUTH", out.ChallengeName)
	}
	dc := must(srp.NewClient(rand.Reader))
	pv := must(e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": user, "DEVICE_KEY": d.key, "SRP_A": dc.AHex()}))
	p := pv.ChallengeParameters
	key := must(dc.PasswordKey(d.group, d.key, d.password, must(srp.ParseHex(p["SRP_B"])), must(srp.ParseHex(p["SALT"]))))
	block, _ := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
	ts := srp.Timestamp(e.now())
	return must(e.respond(e.public, pv.ChallengeName, pv.Session, map[string]string{"USERNAME": user, "DEVICE_KEY": d.key,
		"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": srp.Signature(key, d.group, d.key, block, ts)}))
}

// TestChallengeRequiredOnNewDevice: a remembered device that proves itself
// stands in for MFA only in a pool with ChallengeRequiredOnNewDevice; in
// other pools the same sign-in is asked for the TOTP code after the device
// challenge. A new device is asked for MFA either way.
func TestChallengeRequiredOnNewDevice(t *testing.T) {
	t.Parallel()
	const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	for _, required := range []bool{true, false} {
		t.Run(map[bool]string{true: "required on new devices", false: "not set"}[required], func(t *testing.T) {
			e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional, DeviceRemembering: cognitotest.DevicesAlways, ChallengeRequiredOnNewDevice: required})
			e.pool.MustCreateUser(cognitotest.UserConfig{Username: "dora", Password: testPassword, TOTPSecret: totpSecret})
			totp := func(out *cip.RespondToAuthChallengeOutput) *cip.RespondToAuthChallengeOutput {
				t.Helper()
				if out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
					t.Fatalf("challenge %q; want SOFTWARE_TOKEN_MFA", out.ChallengeName)
				}
				e.clock.Advance(31e9) // a fresh TOTP period: codes are single use
				return must(e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "dora",
					"SOFTWARE_TOKEN_MFA_CODE": must(cognitotest.TOTPCode(totpSecret, e.clock.Now()))}))
			}
			first := must(e.passwordLogin(e.public, "dora", testPassword))
			res := totp(&cip.RespondToAuthChallengeOutput{ChallengeName: first.ChallengeName, Session: first.Session})
			d := e.confirmDevice(t, res.AuthenticationResult)

			// A new device: MFA.
			if out := must(e.passwordLogin(e.public, "dora", testPassword)); out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
				t.Errorf("sign-in without a device: challenge %q; want SOFTWARE_TOKEN_MFA", out.ChallengeName)
			}
			// The remembered device.
			in, err := e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(e.public.ID),
				AuthParameters: map[string]string{"USERNAME": "dora", "PASSWORD": testPassword, "DEVICE_KEY": d.key}})
			noErr(t, err)
			out := e.deviceAuth(t, &cip.RespondToAuthChallengeOutput{ChallengeName: in.ChallengeName, Session: in.Session}, "dora", d)
			if !required {
				if out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
					t.Fatalf("remembered device, ChallengeRequiredOnNewDevice false: %q, tokens %v; want SOFTWARE_TOKEN_MFA", out.ChallengeName, out.AuthenticationResult != nil)
				}
				out = totp(out)
			}
			ar := out.AuthenticationResult
			if ar == nil || ar.NewDeviceMetadata != nil || claimsOf(t, *ar.AccessToken)["device_key"] != d.key {
				t.Fatalf("remembered device sign-in: %+v; want tokens of device %s", out, d.key)
			}
		})
	}
}

// TestDeviceKeyOnEveryChallenge: Cognito takes a DEVICE_KEY with the answer
// to any challenge. Sent with NEW_PASSWORD_REQUIRED or SELECT_MFA_TYPE, a
// confirmed device goes on to DEVICE_SRP_AUTH and the tokens carry it
// (instead of a new device); an unknown one is ResourceNotFoundException.
func TestDeviceKeyOnEveryChallenge(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional, DeviceRemembering: cognitotest.DevicesAlways})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "nora", Password: testPassword})
	d := e.confirmDevice(t, must(e.passwordLogin(e.public, "nora", testPassword)).AuthenticationResult)
	pid := aws.String(e.pool.ID())

	t.Run("NEW_PASSWORD_REQUIRED", func(t *testing.T) {
		for _, key := range []string{"us-east-1_00000000-0000-4000-8000-000000000000", d.key} {
			_, err := e.api.AdminSetUserPassword(ctx(), &cip.AdminSetUserPasswordInput{UserPoolId: pid, Username: aws.String("nora"), Password: aws.String("Temp-Passw0rd!")})
			noErr(t, err)
			out := must(e.passwordLogin(e.public, "nora", "Temp-Passw0rd!"))
			if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
				t.Fatalf("challenge %q; want NEW_PASSWORD_REQUIRED", out.ChallengeName)
			}
			res, err := e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "nora", "NEW_PASSWORD": testPassword, "DEVICE_KEY": key})
			if key != d.key {
				wantErr[*types.ResourceNotFoundException](t, err, "unknown DEVICE_KEY with NEW_PASSWORD_REQUIRED")
				continue
			}
			noErr(t, err)
			ar := e.deviceAuth(t, res, "nora", d).AuthenticationResult
			if ar == nil || ar.NewDeviceMetadata != nil || claimsOf(t, *ar.AccessToken)["device_key"] != d.key {
				t.Fatalf("after NEW_PASSWORD_REQUIRED with DEVICE_KEY: %+v; want tokens of device %s", ar, d.key)
			}
		}
	})
	t.Run("SELECT_MFA_TYPE", func(t *testing.T) {
		const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
		e.pool.MustCreateUser(cognitotest.UserConfig{Username: "sel", Password: testPassword, PhoneNumber: "+15555550155", SMSMFA: true, TOTPSecret: totpSecret})
		first := must(e.passwordLogin(e.public, "sel", testPassword))
		if first.ChallengeName != types.ChallengeNameTypeSelectMfaType {
			t.Fatalf("challenge %q; want SELECT_MFA_TYPE", first.ChallengeName)
		}
		res := must(e.respond(e.public, first.ChallengeName, first.Session, map[string]string{"USERNAME": "sel", "ANSWER": "SMS_MFA"}))
		res = must(e.respond(e.public, res.ChallengeName, res.Session, map[string]string{"USERNAME": "sel", "SMS_MFA_CODE": e.srv.LastCode("sel", cognitotest.MsgSMSMFA)}))
		sd := e.confirmDevice(t, res.AuthenticationResult)

		out := must(e.passwordLogin(e.public, "sel", testPassword))
		res = must(e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "sel", "ANSWER": "SOFTWARE_TOKEN_MFA", "DEVICE_KEY": sd.key}))
		e.clock.Advance(31e9)
		res = must(e.respond(e.public, res.ChallengeName, res.Session, map[string]string{"USERNAME": "sel",
			"SOFTWARE_TOKEN_MFA_CODE": must(cognitotest.TOTPCode(totpSecret, e.clock.Now()))}))
		ar := e.deviceAuth(t, res, "sel", sd).AuthenticationResult
		if ar == nil || ar.NewDeviceMetadata != nil || claimsOf(t, *ar.AccessToken)["device_key"] != sd.key {
			t.Fatalf("after SELECT_MFA_TYPE with DEVICE_KEY: %+v; want tokens of device %s", ar, sd.key)
		}
	})
}
