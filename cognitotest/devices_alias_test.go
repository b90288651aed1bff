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

// TestDeviceKeyWithMFAAnswer: a client that signs in by alias with
// USER_PASSWORD_AUTH learns the internal username only from the MFA
// challenge (USER_ID_FOR_SRP), so it sends its remembered DEVICE_KEY with
// the MFA answer. Cognito accepts DEVICE_KEY in any challenge response; for
// a confirmed device the flow continues with DEVICE_SRP_AUTH and the tokens
// carry that device, instead of a new one.
func TestDeviceKeyWithMFAAnswer(t *testing.T) {
	t.Parallel()
	const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	tests := []struct {
		name      string
		user      cognitotest.UserConfig
		challenge types.ChallengeNameType
		codeKey   string
	}{
		{"SMS_MFA", cognitotest.UserConfig{Username: "nina", Email: "nina@example.com", Password: testPassword, PhoneNumber: "+15555550199", SMSMFA: true},
			types.ChallengeNameTypeSmsMfa, "SMS_MFA_CODE"},
		{"SOFTWARE_TOKEN_MFA", cognitotest.UserConfig{Username: "nina", Email: "nina@example.com", Password: testPassword, TOTPSecret: totpSecret},
			types.ChallengeNameTypeSoftwareTokenMfa, "SOFTWARE_TOKEN_MFA_CODE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, cognitotest.PoolConfig{AliasAttributes: []string{"email"}, MFA: cognitotest.MFAOptional, DeviceRemembering: cognitotest.DevicesAlways})
			e.pool.MustCreateUser(tc.user)
			code := func() string {
				if tc.challenge == types.ChallengeNameTypeSmsMfa {
					return e.srv.LastCode("nina", cognitotest.MsgSMSMFA)
				}
				e.clock.Advance(31e9) // a fresh TOTP period: codes are single use
				return must(cognitotest.TOTPCode(totpSecret, e.clock.Now()))
			}
			// signIn signs in by alias and returns the MFA challenge.
			signIn := func() *cip.InitiateAuthOutput {
				t.Helper()
				out := must(e.passwordLogin(e.secret, "nina@example.com", testPassword))
				if out.ChallengeName != tc.challenge {
					t.Fatalf("got challenge %s; want %s", out.ChallengeName, tc.challenge)
				}
				if got := out.ChallengeParameters["USER_ID_FOR_SRP"]; got != "nina" {
					t.Fatalf("got USER_ID_FOR_SRP %q; want nina", got)
				}
				return out
			}

			// First sign-in: no device yet; the tokens bring a new one.
			out := signIn()
			res := must(e.respond(e.secret, out.ChallengeName, out.Session, map[string]string{"USERNAME": "nina", tc.codeKey: code()}))
			ar := res.AuthenticationResult
			if ar == nil || ar.NewDeviceMetadata == nil {
				t.Fatalf("first sign-in: got %+v; want tokens with NewDeviceMetadata", res)
			}
			devKey, group := *ar.NewDeviceMetadata.DeviceKey, *ar.NewDeviceMetadata.DeviceGroupKey
			devPassword, salt, verifier, err := srp.NewDeviceSecret(rand.Reader, group, devKey)
			noErr(t, err)
			must(e.api.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: ar.AccessToken, DeviceKey: &devKey, DeviceName: aws.String("cli"),
				DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String(base64.StdEncoding.EncodeToString(salt)),
					PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString(verifier))}}))

			// An unknown DEVICE_KEY with a right code: ResourceNotFoundException,
			// so that clients forget the stale device and retry.
			out = signIn()
			_, err = e.respond(e.secret, out.ChallengeName, out.Session, map[string]string{"USERNAME": "nina", tc.codeKey: code(),
				"DEVICE_KEY": "us-east-1_00000000-0000-4000-8000-000000000000"})
			wantErr[*types.ResourceNotFoundException](t, err, "unknown DEVICE_KEY with the MFA answer")

			// A wrong code with the device key changes nothing: CodeMismatch,
			// and the session can still be answered.
			out = signIn()
			_, err = e.respond(e.secret, out.ChallengeName, out.Session, map[string]string{"USERNAME": "nina", tc.codeKey: "000000", "DEVICE_KEY": devKey})
			wantErr[*types.CodeMismatchException](t, err, "wrong code")

			// The remembered device with the right code: DEVICE_SRP_AUTH.
			ds := must(e.respond(e.secret, out.ChallengeName, out.Session, map[string]string{"USERNAME": "nina", tc.codeKey: code(), "DEVICE_KEY": devKey}))
			if ds.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth || ds.AuthenticationResult != nil {
				t.Fatalf("got challenge %q, result %v; want DEVICE_SRP_AUTH", ds.ChallengeName, ds.AuthenticationResult != nil)
			}
			dc := must(srp.NewClient(rand.Reader))
			pv := must(e.respond(e.secret, ds.ChallengeName, ds.Session, map[string]string{"USERNAME": "nina", "DEVICE_KEY": devKey, "SRP_A": dc.AHex()}))
			if pv.ChallengeName != types.ChallengeNameTypeDevicePasswordVerifier {
				t.Fatalf("got %s; want DEVICE_PASSWORD_VERIFIER", pv.ChallengeName)
			}
			p := pv.ChallengeParameters
			key := must(dc.PasswordKey(group, devKey, devPassword, must(srp.ParseHex(p["SRP_B"])), must(srp.ParseHex(p["SALT"]))))
			block := must(decodeB64(p["SECRET_BLOCK"]))
			ts := srp.Timestamp(e.now())
			done := must(e.respond(e.secret, pv.ChallengeName, pv.Session, map[string]string{"USERNAME": "nina", "DEVICE_KEY": devKey,
				"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": srp.Signature(key, group, devKey, block, ts)}))
			ar2 := done.AuthenticationResult
			if ar2 == nil || ar2.NewDeviceMetadata != nil {
				t.Fatalf("device sign-in: got %+v; want tokens without a new device", done)
			}
			if got := claimsOf(t, *ar2.AccessToken)["device_key"]; got != devKey {
				t.Errorf("got access token device_key %v; want the remembered %s", got, devKey)
			}
			list := must(e.api.ListDevices(ctx(), &cip.ListDevicesInput{AccessToken: ar2.AccessToken}))
			if len(list.Devices) != 1 {
				t.Errorf("got %d devices; want the one remembered device", len(list.Devices))
			}
		})
	}
}
