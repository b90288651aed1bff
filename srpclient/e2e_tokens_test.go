package srpclient_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
)

// TestE2EDevices (a pool with ChallengeRequiredOnNewDevice): the first
// sign-in needs MFA and confirms the device; the
// next one answers DEVICE_SRP_AUTH and skips MFA; refresh sends DEVICE_KEY;
// a device the server forgot is forgotten locally and the sign-in retried.
func TestE2EDevices(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{cognitotest.DevicesAlways, cognitotest.DevicesUserOptIn} {
		for _, secret := range []bool{false, true} {
			e := newE2E(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional, DeviceRemembering: mode, UsernameAttributes: []string{"email"},
				ChallengeRequiredOnNewDevice: true},
				cognitotest.ClientConfig{GenerateSecret: secret})
			u := e.pool.MustCreateUser(cognitotest.UserConfig{Email: "dev@example.com", Password: "pw-device", EmailMFA: true})
			path := filepath.Join(t.TempDir(), "devices.json")
			store, err := srpclient.NewFileDeviceStore(path)
			if err != nil {
				t.Fatal(err)
			}
			c := e.client(t, func(c *srpclient.Config) { c.Devices = store })
			ctx := context.Background()
			signIn := func(wantMFA bool) *srpclient.Tokens {
				t.Helper()
				res, err := c.SignIn(ctx, srpclient.SignInInput{Username: "dev@example.com", Password: "pw-device", RememberDevice: true})
				if err != nil {
					t.Fatal(err)
				}
				if step, ok := res.Next.(*srpclient.MFACodeRequired); ok {
					if !wantMFA {
						t.Fatalf("%s secret=%v: MFA asked on a remembered device", mode, secret)
					}
					res, err = step.Answer(ctx, e.srv.LastCode(u.Username, cognitotest.MsgEmailMFA))
				} else if wantMFA {
					t.Fatalf("%s secret=%v: got %T; want MFA on a new device", mode, secret, res.Next)
				}
				return mustDone(t, rr(res, err))
			}
			first := signIn(true)
			if first.NewDevice == nil || first.DeviceKey != first.NewDevice.DeviceKey {
				t.Fatalf("first sign-in: NewDevice %+v DeviceKey %q", first.NewDevice, first.DeviceKey)
			}
			if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("device file: %v %v", st, err)
			}
			d, ok, _ := store.Get(ctx, e.pool.ID(), u.Username)
			if !ok || d.Key != first.NewDevice.DeviceKey {
				t.Fatalf("device not stored under the internal username %q", u.Username)
			}
			second := signIn(false)
			if second.DeviceKey != d.Key || second.NewDevice != nil {
				t.Errorf("second sign-in: DeviceKey %q NewDevice %+v", second.DeviceKey, second.NewDevice)
			}
			if _, err := c.Refresh(ctx, second); err != nil {
				t.Fatalf("refresh with device: %v", err)
			}
			// The server forgets the device behind the client's back.
			if _, err := e.api.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: &second.AccessToken, DeviceKey: &d.Key}); err != nil {
				t.Fatal(err)
			}
			third := signIn(true)
			if third.NewDevice == nil || third.NewDevice.DeviceKey == d.Key {
				t.Errorf("after a stale device: NewDevice %+v", third.NewDevice)
			}
			// ForgetDevice forgets it on both sides.
			if err := c.ForgetDevice(ctx, third); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := store.Get(ctx, e.pool.ID(), u.Username); ok {
				t.Error("device still stored after ForgetDevice")
			}
		}
	}
}

// TestE2ETokenSource: 100 goroutines at expiry cause one refresh; with
// rotation the new refresh token is persisted; revocation and global sign
// out give a typed error without a refresh loop.
func TestE2ETokenSource(t *testing.T) {
	t.Parallel()
	for _, rotation := range []bool{false, true} {
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		e := newE2E(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{GenerateSecret: true, RefreshTokenRotation: rotation}, cognitotest.WithClock(clock))
		e.pool.MustCreateUser(cognitotest.UserConfig{Username: "ts", Password: "pw-ts-123"})
		var persisted []string
		var pmu sync.Mutex
		c := e.client(t, func(c *srpclient.Config) {
			c.Now = clock
			c.RefreshTokenRotation = rotation
			if rotation {
				c.OnRefreshTokenRotated = func(_ context.Context, tk *srpclient.Tokens) error {
					pmu.Lock()
					defer pmu.Unlock()
					persisted = append(persisted, tk.RefreshToken)
					return nil
				}
			}
		})
		ctx := context.Background()
		tk := mustDone(t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "ts", Password: "pw-ts-123"})))
		var refreshes atomic.Int32
		ts, err := c.NewTokenSource(tk, srpclient.TokenSourceConfig{EarlyExpiry: 5 * time.Minute, OnRefresh: func(*srpclient.Tokens) { refreshes.Add(1) }})
		if err != nil {
			t.Fatal(err)
		}
		advance(56 * time.Minute) // inside the margin of the one-hour expiry
		var wg sync.WaitGroup
		got := make([]string, 100)
		for i := range 100 {
			wg.Go(func() {
				tok, err := ts.Token()
				if err != nil {
					t.Errorf("goroutine %d: %v", i, err)
					return
				}
				got[i] = tok.AccessToken
			})
		}
		wg.Wait()
		if n := refreshes.Load(); n != 1 {
			t.Errorf("rotation=%v: refreshes: got %d; want 1", rotation, n)
		}
		for i := range got {
			if got[i] != got[0] || got[0] == tk.AccessToken {
				t.Fatalf("rotation=%v: goroutine %d got a different or stale token", rotation, i)
			}
		}
		cur := ts.Tokens()
		if rotation {
			if len(persisted) != 1 || persisted[0] != cur.RefreshToken || cur.RefreshToken == tk.RefreshToken {
				t.Errorf("rotated refresh token not persisted: %d persisted", len(persisted))
			}
		} else if cur.RefreshToken != tk.RefreshToken {
			t.Error("refresh token changed without rotation")
		}
		if cur.Rotated != rotation || tk.Rotated {
			t.Errorf("Rotated after a refresh: got %v; want %v (after the sign-in: got %v; want false)", cur.Rotated, rotation, tk.Rotated)
		}
		// Revoke the refresh token: the next refresh fails, typed, once.
		if err := c.Revoke(ctx, cur.RefreshToken); err != nil {
			t.Fatal(err)
		}
		advance(2 * time.Hour) // past the grace period and the access token
		for range 3 {
			if _, err := ts.Token(); !errors.Is(err, srpclient.ErrRefreshTokenInvalid) {
				t.Fatalf("rotation=%v: after revoke: got %v; want ErrRefreshTokenInvalid", rotation, err)
			}
		}
		if n := refreshes.Load(); n != 1 {
			t.Errorf("refreshes after revoke: got %d; want 1", n)
		}
		// Global sign-out kills the refresh tokens of another session.
		tk2 := mustDone(t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "ts", Password: "pw-ts-123"})))
		if err := c.GlobalSignOut(ctx, tk2.AccessToken); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Refresh(ctx, tk2); !errors.Is(err, srpclient.ErrRefreshTokenInvalid) {
			t.Errorf("after global sign-out: got %v; want ErrRefreshTokenInvalid", err)
		}
	}
}

func TestE2EIDTokenSource(t *testing.T) {
	t.Parallel()
	e := newE2E(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "idt", Password: "pw-idt-12"})
	c := e.client(t, nil)
	tk := mustDone(t, rr(c.SignIn(context.Background(), srpclient.SignInInput{Username: "idt", Password: "pw-idt-12"})))
	ts, err := c.NewTokenSource(tk, srpclient.TokenSourceConfig{UseIDToken: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ts.Token()
	if err != nil || tok.AccessToken != tk.IDToken || tok.Extra("access_token") != tk.AccessToken {
		t.Errorf("ID token source: %v", err)
	}
	again, err := ts.Token()
	if err != nil || again.AccessToken != tok.AccessToken {
		t.Errorf("second Token before expiry: got a different token or %v; want the cached one", err)
	}

	// Invalidate forces one refresh on the next call, even far from expiry.
	ts.Invalidate()
	fresh, err := ts.Token()
	if err != nil {
		t.Fatalf("Token after Invalidate: %v", err)
	}
	if fresh.AccessToken == tok.AccessToken {
		t.Errorf("Token after Invalidate returned the old ID token; want a refreshed one")
	}
	if after, err := ts.Token(); err != nil || after.AccessToken != fresh.AccessToken {
		t.Errorf("Token after the forced refresh: got a different token or %v; want the refreshed one cached", err)
	}
}

func TestE2EAccountLifecycle(t *testing.T) {
	t.Parallel()
	for _, secret := range []bool{false, true} {
		e := newE2E(t, cognitotest.PoolConfig{AutoVerifiedAttributes: []string{"email"}, AliasAttributes: []string{"email"}}, cognitotest.ClientConfig{GenerateSecret: secret})
		c := e.client(t, nil)
		ctx := context.Background()
		res, err := c.SignUp(ctx, srpclient.SignUpInput{Username: "newbie", Password: "First-pw-1", Attributes: map[string]string{"email": "newbie@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.UserConfirmed || res.UserSub == "" || res.Delivery == nil || res.Delivery.Medium != "EMAIL" {
			t.Fatalf("sign up: %+v", res)
		}
		if _, err := c.SignIn(ctx, srpclient.SignInInput{Username: "newbie", Password: "First-pw-1"}); !errors.Is(err, srpclient.ErrUserNotConfirmed) {
			t.Errorf("unconfirmed sign-in: got %v", err)
		}
		if _, err := c.ResendConfirmationCode(ctx, "newbie"); err != nil {
			t.Fatal(err)
		}
		if err := c.ConfirmSignUp(ctx, "newbie", "000000"); !errors.Is(err, srpclient.ErrCodeMismatch) && e.srv.LastCode("newbie", "") != "000000" {
			t.Errorf("wrong code: got %v; want ErrCodeMismatch", err)
		}
		if err := c.ConfirmSignUp(ctx, "newbie", e.srv.LastCode("newbie", cognitotest.MsgResendCode)); err != nil {
			t.Fatal(err)
		}
		tk := mustDone(t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "newbie@example.com", Password: "First-pw-1"})))
		if err := c.ChangePassword(ctx, tk.AccessToken, "First-pw-1", "Second-pw-2"); err != nil {
			t.Fatal(err)
		}
		if err := c.ChangePassword(ctx, tk.AccessToken, "Second-pw-2", "x"); !errors.Is(err, srpclient.ErrInvalidPassword) {
			t.Errorf("weak password: got %v; want ErrInvalidPassword", err)
		}
		if _, err := c.ForgotPassword(ctx, "newbie"); err != nil {
			t.Fatal(err)
		}
		if err := c.ConfirmForgotPassword(ctx, "newbie", e.srv.LastCode("newbie", cognitotest.MsgForgotPassword), "Third-pw-3"); err != nil {
			t.Fatal(err)
		}
		tk = mustDone(t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "newbie", Password: "Third-pw-3"})))
		sec, err := c.AssociateTOTP(ctx, tk.AccessToken, "newbie@example.com")
		if err != nil {
			t.Fatal(err)
		}
		code, _ := cognitotest.TOTPCode(sec.Secret, time.Now())
		if err := c.VerifyTOTP(ctx, tk.AccessToken, code, "phone"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SignUp(ctx, srpclient.SignUpInput{Username: "newbie", Password: "First-pw-1"}); !errors.Is(err, srpclient.ErrUsernameExists) {
			t.Errorf("duplicate sign-up: got %v; want ErrUsernameExists", err)
		}
	}
}
