package srpclient

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/internal/srp"
)

func newTestClient(t testing.TB, f *fake, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{API: f, UserPoolID: f.poolID, ClientID: f.clientID, ClientSecret: f.secret, Now: f.now}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewValidates(t *testing.T) {
	f := newFake(t, "")
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no API", Config{UserPoolID: "us-east-1_X", ClientID: "c"}},
		{"bad pool", Config{API: f, UserPoolID: "us-east-1", ClientID: "c"}},
		{"bad pool chars", Config{API: f, UserPoolID: "us-east-1_a/b", ClientID: "c"}},
		{"no client", Config{API: f, UserPoolID: "us-east-1_X"}},
		{"client with space", Config{API: f, UserPoolID: "us-east-1_X", ClientID: "a b"}},
		{"callback without rotation", Config{API: f, UserPoolID: "us-east-1_X", ClientID: "c", OnRefreshTokenRotated: func(context.Context, *Tokens) error { return nil }}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("got %v; want ErrInvalidConfig", err)
			}
		})
	}
}

func TestSignInSRP(t *testing.T) {
	for _, secret := range []string{"", "s3cr3t-client-secret"} {
		for _, byAlias := range []bool{false, true} {
			t.Run(fmt.Sprintf("secret=%v/alias=%v", secret != "", byAlias), func(t *testing.T) {
				f := newFake(t, secret)
				f.addUser("3f1c6a7e-internal", "ann@example.com", "pässwörd 🔐", big.NewInt(-0x7f3a))
				c := newTestClient(t, f, nil)
				name := "3f1c6a7e-internal"
				if byAlias {
					name = "ann@example.com"
				}
				res, err := c.SignIn(context.Background(), SignInInput{Username: name, Password: "pässwörd 🔐"})
				if err != nil {
					t.Fatal(err)
				}
				if !res.Done() {
					t.Fatalf("got step %T; want tokens", res.Next)
				}
				if res.Tokens.Username != "3f1c6a7e-internal" {
					t.Errorf("Tokens.Username: got %q; want the internal username", res.Tokens.Username)
				}
				if !res.Tokens.Valid(time.Now()) {
					t.Error("tokens not valid")
				}
				_, err = c.SignIn(context.Background(), SignInInput{Username: name, Password: "wrong"})
				var na *types.NotAuthorizedException
				if !errors.Is(err, ErrNotAuthorized) || !errors.As(err, &na) {
					t.Errorf("wrong password: got %v; want ErrNotAuthorized wrapping *types.NotAuthorizedException", err)
				}
				if n := strings.Count(fmt.Sprint(err), "srpclient:"); n != 1 {
					t.Errorf("error %q names the package %d times; want once", err, n)
				}
				if strings.Contains(fmt.Sprint(err), "wrong") {
					t.Errorf("error %q contains the password", err)
				}
			})
		}
	}
}

// TestSignInSaltShapes signs in with picked salts of every shape the
// client must send back through its hash: short and long, with and without
// the high bit that needs a padding byte, of odd hex length, positive and
// negative. internal/srp checks the padding of A, B, u and S, rare shapes
// included, against a reference.
func TestSignInSaltShapes(t *testing.T) {
	r := mrand.New(mrand.NewPCG(3, 4))
	f := newFake(t, "sec")
	c := newTestClient(t, f, nil)
	for i, hex := range []string{
		"1", "7f", "80", "f00", "7a3f9c2e11d04b5f8e6a2c1d9b0f3e47", "c5e1a0b2d3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8",
		"-1", "-80", "-81", "-f00", "-7a3f9c2e11d04b5f8e6a2c1d9b0f3e47", "-c5e1a0b2d3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8",
	} {
		salt, ok := new(big.Int).SetString(hex, 16)
		if !ok {
			t.Fatalf("bad salt %q", hex)
		}
		id := fmt.Sprintf("user-%d", i)
		pw := fmt.Sprintf("pw-%d-%c%c", i, rune(0x4e00+r.IntN(500)), rune(0x1f600+r.IntN(50)))
		f.addUser(id, "", pw, salt)
		res, err := c.SignIn(context.Background(), SignInInput{Username: id, Password: pw})
		if err != nil || !res.Done() {
			t.Fatalf("sign-in %d (salt %s): %v", i, salt.Text(16), err)
		}
	}
}

// TestTimestampEveryDay signs in on days on both sides of the unpadded
// day's width (1, 9, 10, 19, 31), at hours after noon, through the injected
// clock; the fake checks the TIMESTAMP strictly. internal/srp checks the
// format itself for every day and hour of three months.
func TestTimestampEveryDay(t *testing.T) {
	f := newFake(t, "")
	f.addUser("u", "", "pw", big.NewInt(5))
	var now time.Time
	f.now = func() time.Time { return now }
	c := newTestClient(t, f, nil)
	for _, day := range []int{1, 9, 10, 19, 31} {
		now = time.Date(2026, time.December, day, 12+day%12, 7, 9, 0, time.UTC)
		res, err := c.SignIn(context.Background(), SignInInput{Username: "u", Password: "pw"})
		if err != nil || !res.Done() {
			t.Fatalf("day %d: %v", day, err)
		}
		got := f.timestamps[len(f.timestamps)-1]
		want := fmt.Sprintf("%s Dec %d %02d:07:09 UTC 2026", now.Weekday().String()[:3], day, now.Hour())
		if got != want {
			t.Errorf("day %d: TIMESTAMP got %q; want %q", day, got, want)
		}
	}
}

func TestMFAAndNewPassword(t *testing.T) {
	f := newFake(t, "sec")
	u := f.addUser("id-1", "bob@example.com", "old-pw", big.NewInt(77))
	u.mfa, u.newPw = true, true
	c := newTestClient(t, f, nil)
	ctx := context.Background()
	res, err := c.SignIn(ctx, SignInInput{Username: "bob@example.com", Password: "old-pw"})
	if err != nil {
		t.Fatal(err)
	}
	mfa, ok := res.Next.(*MFACodeRequired)
	if !ok {
		t.Fatalf("got %T; want *MFACodeRequired", res.Next)
	}
	if mfa.ChallengeName() != "SMS_MFA" || mfa.Medium != "SMS" || mfa.Destination == "" {
		t.Errorf("step: got %s %q %q", mfa.ChallengeName(), mfa.Medium, mfa.Destination)
	}
	if _, err := mfa.Answer(ctx, "12x456"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("non-digit code: got %v; want ErrInvalidInput", err)
	}
	res, err = mfa.Answer(ctx, "123456")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mfa.Answer(ctx, "123456"); !errors.Is(err, ErrStepAnswered) {
		t.Errorf("second answer: got %v; want ErrStepAnswered", err)
	}
	np, ok := res.Next.(*NewPasswordRequired)
	if !ok {
		t.Fatalf("got %T; want *NewPasswordRequired", res.Next)
	}
	if fmt.Sprint(np.RequiredAttributes) != "[name]" || np.UserAttributes["email"] != "a@example.com" {
		t.Errorf("step: got %v %v", np.RequiredAttributes, np.UserAttributes)
	}
	var missing *MissingAttributesError
	if _, err := np.Answer(ctx, "new-pw", nil); !errors.As(err, &missing) || !errors.Is(err, ErrInvalidInput) || missing.Names[0] != "name" {
		t.Errorf("missing attribute: got %v", err)
	}
	res, err = np.Answer(ctx, "new-pw", map[string]string{"name": "Bob"})
	if err != nil || !res.Done() {
		t.Fatalf("new password: %v", err)
	}
	// Every response used the internal username and its SECRET_HASH
	// (the fake rejects anything else).
	last := f.requests[len(f.requests)-1]
	if last["USERNAME"] != "id-1" || !srp.VerifySecretHash(f.clientID, f.secret, "id-1", last["SECRET_HASH"]) {
		t.Errorf("last request: USERNAME %q", last["USERNAME"])
	}
}

func TestWrongMFACodeAndExpiredSession(t *testing.T) {
	f := newFake(t, "")
	f.addUser("id", "", "pw", big.NewInt(1)).mfa = true
	c := newTestClient(t, f, nil)
	ctx := context.Background()
	res, err := c.SignIn(ctx, SignInInput{Username: "id", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	step := res.Next.(*MFACodeRequired)
	if _, err := step.Answer(ctx, "000000"); !errors.Is(err, ErrCodeMismatch) {
		t.Errorf("wrong code: got %v; want ErrCodeMismatch", err)
	}
	// A copy of the step with the same (now used) session: the server says
	// the session expired.
	again := &MFACodeRequired{stepBase: stepBase{f: step.f, name: step.name, session: step.session, answered: new(atomic.Bool)}}
	if _, err := again.Answer(ctx, "123456"); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("replayed session: got %v; want ErrSessionExpired", err)
	}
}

func TestDevices(t *testing.T) {
	f := newFake(t, "sec")
	f.issueDevices = true
	f.addUser("id-7", "eve@example.com", "pw", big.NewInt(-99)).mfa = true
	store := NewMemoryDeviceStore()
	c := newTestClient(t, f, func(c *Config) { c.Devices = store })
	ctx := context.Background()
	signIn := func() *Result {
		t.Helper()
		res, err := c.SignIn(ctx, SignInInput{Username: "eve@example.com", Password: "pw", RememberDevice: true})
		if err != nil {
			t.Fatal(err)
		}
		if step, ok := res.Next.(*MFACodeRequired); ok {
			if res, err = step.Answer(ctx, "123456"); err != nil {
				t.Fatal(err)
			}
		}
		if !res.Done() || res.DeviceErr != nil {
			t.Fatalf("sign-in: %T %v", res.Next, res.DeviceErr)
		}
		return res
	}
	first := signIn()
	if first.Tokens.NewDevice == nil {
		t.Fatal("no device announced")
	}
	d, ok, _ := store.Get(ctx, f.poolID, "id-7")
	if !ok || d.Key != first.Tokens.NewDevice.DeviceKey {
		t.Fatalf("device not stored under the internal username: %+v %v", d, ok)
	}
	if _, ok, _ := store.Get(ctx, f.poolID, "eve@example.com"); ok {
		t.Error("device stored under the alias")
	}
	// Second sign-in: DEVICE_SRP_AUTH with a fresh a, and no MFA.
	nA := len(f.srpAs)
	second := signIn()
	if second.Tokens.DeviceKey != d.Key {
		t.Errorf("DeviceKey: got %q; want %q", second.Tokens.DeviceKey, d.Key)
	}
	if len(f.srpAs) != nA+2 || f.srpAs[nA] == f.srpAs[nA+1] {
		t.Errorf("device SRP did not use a fresh A: %d new A values", len(f.srpAs)-nA)
	}
	// Refresh sends DEVICE_KEY and SECRET_HASH of the internal username.
	if _, err := c.Refresh(ctx, second.Tokens); err != nil {
		t.Fatal(err)
	}
	last := f.requests[len(f.requests)-1]
	if last["DEVICE_KEY"] != d.Key {
		t.Errorf("refresh DEVICE_KEY: got %q; want %q", last["DEVICE_KEY"], d.Key)
	}
	// The server forgets the device: the client forgets it too and retries.
	f.mu.Lock()
	delete(f.devices, d.Key)
	f.mu.Unlock()
	third := signIn()
	if third.Tokens.NewDevice == nil {
		t.Error("no new device after the stale one was forgotten")
	}
	if d2, ok, _ := store.Get(ctx, f.poolID, "id-7"); !ok || d2.Key == d.Key {
		t.Errorf("stale device still stored: %+v", d2)
	}
}

func TestRefreshAndTokenSource(t *testing.T) {
	for _, rotation := range []bool{false, true} {
		t.Run(fmt.Sprintf("rotation=%v", rotation), func(t *testing.T) {
			f := newFake(t, "sec")
			f.rotation = rotation
			f.addUser("id-r", "r@example.com", "pw", big.NewInt(3))
			var now time.Time = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			var nowMu sync.Mutex
			f.now = func() time.Time { nowMu.Lock(); defer nowMu.Unlock(); return now }
			var rotated []string
			var rotMu sync.Mutex
			c := newTestClient(t, f, func(c *Config) {
				c.RefreshTokenRotation = rotation
				if rotation {
					c.OnRefreshTokenRotated = func(_ context.Context, tk *Tokens) error {
						rotMu.Lock()
						defer rotMu.Unlock()
						rotated = append(rotated, tk.RefreshToken)
						return nil
					}
				}
			})
			ctx := context.Background()
			res, err := c.SignIn(ctx, SignInInput{Username: "r@example.com", Password: "pw"})
			if err != nil || !res.Done() {
				t.Fatal(err)
			}
			ts, err := c.NewTokenSource(res.Tokens, TokenSourceConfig{Margin: 2 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := ts.Token()
			if err != nil || tok.AccessToken != res.Tokens.AccessToken || f.refreshCalls.Load() != 0 {
				t.Fatalf("fresh token: %v, %d refreshes", err, f.refreshCalls.Load())
			}
			nowMu.Lock()
			now = now.Add(59 * time.Minute) // within the margin of expiry
			nowMu.Unlock()
			var wg sync.WaitGroup
			toks := make([]string, 100)
			errs := make([]error, 100)
			for i := range 100 {
				wg.Go(func() {
					tk, err := ts.Token()
					errs[i] = err
					if err == nil {
						toks[i] = tk.AccessToken
					}
				})
			}
			wg.Wait()
			for i := range 100 {
				if errs[i] != nil || toks[i] != toks[0] {
					t.Fatalf("goroutine %d: %v", i, errs[i])
				}
			}
			if n := f.refreshCalls.Load(); n != 1 {
				t.Errorf("refreshes: got %d; want 1", n)
			}
			if toks[0] == res.Tokens.AccessToken {
				t.Error("token not refreshed")
			}
			if rotation {
				if len(rotated) != 1 || rotated[0] != ts.Tokens().RefreshToken || rotated[0] == res.Tokens.RefreshToken {
					t.Errorf("rotated tokens persisted: %v", rotated)
				}
			} else if ts.Tokens().RefreshToken != res.Tokens.RefreshToken {
				t.Error("refresh token lost after REFRESH_TOKEN_AUTH")
			}
			// Revoke: the next refresh fails with a typed error, once.
			if err := c.Revoke(ctx, ts.Tokens().RefreshToken); err != nil {
				t.Fatal(err)
			}
			nowMu.Lock()
			now = now.Add(2 * time.Hour)
			nowMu.Unlock()
			calls := f.refreshCalls.Load()
			for range 3 {
				if _, err := ts.Token(); !errors.Is(err, ErrRefreshTokenInvalid) {
					t.Fatalf("revoked: got %v; want ErrRefreshTokenInvalid", err)
				}
			}
			if n := f.refreshCalls.Load() - calls; n != 1 {
				t.Errorf("refresh calls after revocation: got %d; want 1 (no loop)", n)
			}
		})
	}
}

func TestRefreshNeedsInternalUsername(t *testing.T) {
	f := newFake(t, "sec")
	c := newTestClient(t, f, nil)
	if _, err := c.Refresh(context.Background(), &Tokens{RefreshToken: "x"}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("got %v; want ErrInvalidInput", err)
	}
	if _, err := c.Refresh(context.Background(), &Tokens{}); !errors.Is(err, ErrNoRefreshToken) {
		t.Errorf("got %v; want ErrNoRefreshToken", err)
	}
}

func TestSignInInputValidation(t *testing.T) {
	c := newTestClient(t, newFake(t, ""), nil)
	for _, in := range []SignInInput{
		{Username: "", Password: "p"},
		{Username: strings.Repeat("u", 200), Password: "p"},
		{Username: "u"},
		{Username: "u", Password: strings.Repeat("p", 300)},
		{Username: "u", Password: "p", Flow: "NOPE"},
		{Username: "u", Password: "p", PreferredChallenge: "PASSWORD"},
		{Username: "u", Flow: FlowUserAuth, PreferredChallenge: "FIDO"},
		{Username: "u", Flow: FlowUserAuth, PreferredChallenge: "PASSWORD"},
		{Username: "u", Password: "p", ClientMetadata: map[string]string{"k": strings.Repeat("v", 5000)}},
	} {
		if _, err := c.SignIn(context.Background(), in); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("SignIn(%+.40v): got %v; want ErrInvalidInput", in, err)
		}
	}
}

func TestFileDeviceStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "devices.json")
	s, err := NewFileDeviceStore(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, ok, err := s.Get(ctx, "p", "u"); ok || err != nil {
		t.Fatalf("empty store: %v %v", ok, err)
	}
	d := Device{Key: "k", GroupKey: "g", Password: "secret"}
	if err := s.Put(ctx, "p", "u", d); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("file mode: got %v, %v; want 0600", st.Mode().Perm(), err)
	}
	s2, _ := NewFileDeviceStore(path)
	if got, ok, err := s2.Get(ctx, "p", "u"); !ok || err != nil || got != d {
		t.Fatalf("reload: got %+v %v %v", got, ok, err)
	}
	if _, ok, _ := s2.Get(ctx, "other-pool", "u"); ok {
		t.Error("device found under another pool")
	}
	if err := s2.Delete(ctx, "p", "u"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Get(ctx, "p", "u"); ok {
		t.Error("device still present after Delete")
	}
	os.Chmod(path, 0o644)
	if _, _, err := s.Get(ctx, "p", "u"); err == nil || !strings.Contains(err.Error(), "0600") {
		t.Errorf("world-readable file: got %v; want an error about 0600", err)
	}
	if _, err := NewFileDeviceStore(filepath.Join(dir, "missing", "d.json")); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("missing dir: got %v; want ErrInvalidConfig", err)
	}
}

// TestPasswordFlowDeviceByAlias: with USER_PASSWORD_AUTH and an alias, the
// internal username is known only after InitiateAuth; the remembered device
// is then sent with the MFA answer and authenticated, not replaced.
func TestPasswordFlowDeviceByAlias(t *testing.T) {
	f := newFake(t, "sec")
	f.issueDevices = true
	f.addUser("id-9", "pd@example.com", "pw", big.NewInt(-5)).mfa = true
	store := NewMemoryDeviceStore()
	c := newTestClient(t, f, func(c *Config) { c.Devices = store })
	ctx := context.Background()
	signIn := func() *Tokens {
		t.Helper()
		res, err := c.SignIn(ctx, SignInInput{Username: "pd@example.com", Password: "pw", Flow: FlowPassword})
		if err != nil {
			t.Fatal(err)
		}
		step, ok := res.Next.(*MFACodeRequired)
		if !ok {
			t.Fatalf("got %T; want MFA", res.Next)
		}
		if res, err = step.Answer(ctx, "123456"); err != nil || !res.Done() {
			t.Fatalf("MFA answer: %v", err)
		}
		return res.Tokens
	}
	first := signIn()
	if first.NewDevice == nil || first.DeviceKey != first.NewDevice.DeviceKey {
		t.Fatalf("first: %+v", first)
	}
	second := signIn()
	if second.NewDevice != nil || second.DeviceKey != first.DeviceKey {
		t.Errorf("second: NewDevice %+v DeviceKey %q; want the remembered %q", second.NewDevice, second.DeviceKey, first.DeviceKey)
	}
}

func TestIsDeviceNotFound(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&types.ResourceNotFoundException{Message: ptr("Device does not exist.")}, true},
		{&types.ResourceNotFoundException{Message: ptr("User pool client abc does not exist.")}, false},
		{notAuth("Device does not exist."), true},
		{notAuth("Incorrect username or password."), false},
		{errors.New("device"), false},
	} {
		if got := isDeviceNotFound(fmt.Errorf("wrapped: %w", tc.err)); got != tc.want {
			t.Errorf("isDeviceNotFound(%v): got %v; want %v", tc.err, got, tc.want)
		}
	}
}
