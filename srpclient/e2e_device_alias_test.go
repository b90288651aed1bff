package srpclient_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
)

// TestE2EPasswordFlowDeviceByAlias is TestPasswordFlowDeviceByAlias against
// cognitotest through the real SDK: with USER_PASSWORD_AUTH and an alias,
// the internal username (which keys the device store) is known only from
// the MFA challenge, so the remembered device goes with the MFA answer, is
// authenticated with DEVICE_SRP_AUTH and kept, not replaced. A device the
// server forgot is dropped and the sign-in starts again without it.
func TestE2EPasswordFlowDeviceByAlias(t *testing.T) {
	t.Parallel()
	const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	for _, mfa := range []string{"SMS", "TOTP"} {
		for _, secret := range []bool{false, true} {
			for _, pc := range []cognitotest.PoolConfig{
				{AliasAttributes: []string{"email"}},    // internal username "pat"
				{UsernameAttributes: []string{"email"}}, // internal username = sub
			} {
				name := fmt.Sprintf("%s/secret=%v/alias=%v", mfa, secret, pc.AliasAttributes != nil)
				t.Run(name, func(t *testing.T) {
					// The emulator reads the clock on its own goroutines.
					var nowNS atomic.Int64
					nowNS.Store(time.Now().UnixNano())
					clock := func() time.Time { return time.Unix(0, nowNS.Load()) }
					pc.MFA, pc.DeviceRemembering = cognitotest.MFAOptional, cognitotest.DevicesAlways
					e := newE2E(t, pc, cognitotest.ClientConfig{GenerateSecret: secret}, cognitotest.WithClock(clock))
					uc := cognitotest.UserConfig{Email: "pat@example.com", Password: "pw-alias-1"}
					if pc.AliasAttributes != nil {
						uc.Username = "pat"
					}
					if mfa == "SMS" {
						uc.PhoneNumber, uc.SMSMFA = "+15555550177", true
					} else {
						uc.TOTPSecret = totpSecret
					}
					u := e.pool.MustCreateUser(uc)
					store := srpclient.NewMemoryDeviceStore()
					c := e.client(t, func(c *srpclient.Config) { c.Devices = store; c.Now = clock })
					ctx := context.Background()
					code := func() string {
						if mfa == "SMS" {
							return e.srv.LastCode(u.Username, cognitotest.MsgSMSMFA)
						}
						nowNS.Add(int64(31 * time.Second)) // TOTP codes are single use per period
						code, err := cognitotest.TOTPCode(totpSecret, clock())
						if err != nil {
							t.Fatal(err)
						}
						return code
					}
					signIn := func() *srpclient.Tokens {
						t.Helper()
						r := rr(c.SignIn(ctx, srpclient.SignInInput{Username: "pat@example.com", Password: "pw-alias-1", Flow: srpclient.FlowPassword}))
						step := nextAs[*srpclient.MFACodeRequired](t, r)
						res, err := step.Answer(ctx, code())
						if err == nil && !res.Done() {
							// A stale device: the client dropped it and started
							// again, so the MFA code is asked once more.
							step = nextAs[*srpclient.MFACodeRequired](t, rr(res, err))
							res, err = step.Answer(ctx, code())
						}
						return mustDone(t, rr(res, err))
					}

					first := signIn()
					if first.NewDevice == nil || first.DeviceKey != first.NewDevice.DeviceKey {
						t.Fatalf("first sign-in: NewDevice %+v DeviceKey %q; want a new device", first.NewDevice, first.DeviceKey)
					}
					d, ok, _ := store.Get(ctx, e.pool.ID(), u.Username)
					if !ok || d.Key != first.DeviceKey {
						t.Fatalf("device not stored under the internal username %q", u.Username)
					}
					if _, ok, _ := store.Get(ctx, e.pool.ID(), "pat@example.com"); ok && u.Username != "pat@example.com" {
						t.Error("device stored under the alias")
					}

					second := signIn()
					if second.NewDevice != nil || second.DeviceKey != first.DeviceKey {
						t.Fatalf("second sign-in: NewDevice %+v DeviceKey %q; want the remembered %q", second.NewDevice, second.DeviceKey, first.DeviceKey)
					}
					list, err := e.api.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: &second.AccessToken})
					if err != nil || len(list.Devices) != 1 {
						t.Fatalf("ListDevices: %v, %v; want one device", list, err)
					}
					if _, err := c.Refresh(ctx, second); err != nil {
						t.Fatalf("refresh with the device: %v", err)
					}

					// The server forgets the device behind the client's back.
					if _, err := e.api.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: &second.AccessToken, DeviceKey: &d.Key}); err != nil {
						t.Fatal(err)
					}
					third := signIn()
					if third.NewDevice == nil || third.DeviceKey == d.Key {
						t.Errorf("after a stale device: NewDevice %+v DeviceKey %q; want a new device", third.NewDevice, third.DeviceKey)
					}
					if d3, ok, _ := store.Get(ctx, e.pool.ID(), u.Username); !ok || d3.Key != third.DeviceKey {
						t.Errorf("store holds %+v; want the new device %q", d3, third.DeviceKey)
					}
				})
			}
		}
	}
}
