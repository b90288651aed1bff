package srpclient

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// hangAPI answers REFRESH_TOKEN_AUTH only when release is closed (or never,
// until the request's context ends).
type hangAPI struct {
	API // other operations panic: a test calling them is wrong

	release chan struct{}
	calls   atomic.Int32
}

func (h *hangAPI) InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, _ ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	n := h.calls.Add(1)
	select {
	case <-h.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if in.AuthFlow != types.AuthFlowTypeRefreshTokenAuth {
		panic("hangAPI: unexpected flow " + in.AuthFlow)
	}
	access := "access-" + string(rune('0'+n))
	return &cip.InitiateAuthOutput{AuthenticationResult: &types.AuthenticationResultType{
		AccessToken: &access, ExpiresIn: 3600, TokenType: ptr("Bearer"),
	}}, nil
}

func newHangSource(t *testing.T, cfg TokenSourceConfig) (*hangAPI, *TokenSource) {
	t.Helper()
	h := &hangAPI{release: make(chan struct{})}
	c, err := New(Config{API: h, UserPoolID: "us-east-1_Hang", ClientID: "hangclient"})
	if err != nil {
		t.Fatal(err)
	}
	// Expired tokens: the first TokenContext refreshes.
	ts, err := c.NewTokenSource(&Tokens{AccessToken: "access-0", RefreshToken: "refresh", Expiry: time.Now()}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, ts
}

// TestTokenSourceWaitersGiveUp: while a refresh hangs, a waiter whose
// context is cancelled returns context.Canceled at once, Tokens and
// Invalidate do not wait, 100 other callers share the one refresh, and the
// refresh goes on (its context is not the cancelled waiter's) and serves
// them all.
func TestTokenSourceWaitersGiveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, ts := newHangSource(t, TokenSourceConfig{})
		ctx, cancel := context.WithCancel(context.Background())
		first := make(chan error, 1)
		go func() {
			_, err := ts.TokenContext(ctx)
			first <- err
		}()
		synctest.Wait() // the refresh is in flight, started by the first caller

		var wg sync.WaitGroup
		toks := make([]string, 100)
		errs := make([]error, 100)
		for i := range 100 {
			wg.Go(func() {
				tok, err := ts.TokenContext(context.Background())
				errs[i] = err
				if err == nil {
					toks[i] = tok.AccessToken
				}
			})
		}
		// Tokens and Invalidate return while the refresh hangs.
		done := make(chan *Tokens, 1)
		go func() {
			ts.Invalidate()
			done <- ts.Tokens()
		}()
		synctest.Wait()
		select {
		case cur := <-done:
			if cur.AccessToken != "access-0" {
				t.Errorf("Tokens during the refresh: got %q; want access-0", cur.AccessToken)
			}
		default:
			t.Fatal("Tokens or Invalidate blocked behind a hanging refresh")
		}

		cancel()
		synctest.Wait() // no time passes: the waiter must not need any
		select {
		case err := <-first:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled waiter: got %v; want context.Canceled", err)
			}
		default:
			t.Fatal("cancelled waiter still blocked while the refresh hangs")
		}

		close(h.release)
		wg.Wait()
		for i := range 100 {
			if errs[i] != nil || toks[i] != "access-1" {
				t.Fatalf("caller %d: got %q, %v; want access-1 from the one refresh", i, toks[i], errs[i])
			}
		}
		if n := h.calls.Load(); n != 1 {
			t.Errorf("refresh calls: got %d; want 1", n)
		}
	})
}

// TestTokenSourceRefreshTimeout: a refresh that never answers ends after
// RefreshTimeout, with context.DeadlineExceeded, for a caller without a
// deadline of its own.
func TestTokenSourceRefreshTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ts := newHangSource(t, TokenSourceConfig{RefreshTimeout: 5 * time.Second})
		start := time.Now()
		_, err := ts.Token()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v; want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 5*time.Second {
			t.Errorf("gave up after %v; want RefreshTimeout (5s)", d)
		}
		// Not permanent: the next call tries again.
		if _, err := ts.Token(); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("second call: got %v; want another attempt ending in DeadlineExceeded", err)
		}
	})
}

// TestTokenSourceDeprecatedContext: the deprecated constructor's context
// still stops refreshes, including one in flight.
func TestTokenSourceDeprecatedContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hangAPI{release: make(chan struct{})}
		c, err := New(Config{API: h, UserPoolID: "us-east-1_Hang", ClientID: "hangclient"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		ts, err := c.TokenSource(ctx, &Tokens{AccessToken: "access-0", RefreshToken: "refresh", Expiry: time.Now()}, TokenSourceConfig{})
		if err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() {
			_, err := ts.Token()
			errc <- err
		}()
		synctest.Wait()
		cancel()
		synctest.Wait()
		select {
		case err := <-errc:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("got %v; want context.Canceled", err)
			}
		default:
			t.Fatal("Token still blocked after the source's context was cancelled")
		}
	})
}

func TestNilContext(t *testing.T) {
	f := newFake(t, "")
	c := newTestClient(t, f, nil)
	ts, err := c.NewTokenSource(&Tokens{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(time.Hour)}, TokenSourceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var nilCtx context.Context
	calls := map[string]func() error{
		"SignIn": func() error {
			_, err := c.SignIn(nilCtx, SignInInput{Username: "u", Password: "p"})
			return err
		},
		"Refresh":      func() error { _, err := c.Refresh(nilCtx, &Tokens{RefreshToken: "r"}); return err },
		"Revoke":       func() error { return c.Revoke(nilCtx, "r") },
		"RevokeToken":  func() error { return c.RevokeToken(nilCtx, "r") },
		"SignUp":       func() error { _, err := c.SignUp(nilCtx, SignUpInput{Username: "u", Password: "p"}); return err },
		"TokenContext": func() error { _, err := ts.TokenContext(nilCtx); return err },
		"TokenSource": func() error {
			_, err := c.TokenSource(nilCtx, &Tokens{AccessToken: "a"}, TokenSourceConfig{})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s(nil context): got %v; want ErrInvalidInput", name, err)
		}
	}
}

func TestRevokeInput(t *testing.T) {
	f := newFake(t, "")
	c := newTestClient(t, f, nil)
	ctx := context.Background()
	if err := c.Revoke(ctx, ""); !errors.Is(err, ErrNoRefreshToken) {
		t.Errorf("Revoke(empty): got %v; want ErrNoRefreshToken", err)
	}
	if err := c.Revoke(ctx, strings.Repeat("r", maxTokenLength+1)); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("Revoke(16 KiB + 1): got %v; want ErrInvalidInput", err)
	}
	if err := c.RevokeToken(ctx, "unknown"); err != nil { // the deprecated name forwards
		t.Errorf("RevokeToken: got %v; want nil", err)
	}
}

// TestTokenSourceEarlyExpiry: tokens are refreshed EarlyExpiry before
// their expiry (DefaultEarlyExpiry by default); the deprecated Margin
// still works when EarlyExpiry is zero.
func TestTokenSourceEarlyExpiry(t *testing.T) {
	f := newFake(t, "")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.now = func() time.Time { return now }
	c := newTestClient(t, f, nil)
	for _, tc := range []struct {
		name        string
		cfg         TokenSourceConfig
		left        time.Duration // until the access token expires
		wantRefresh bool
	}{
		{"default, outside", TokenSourceConfig{}, DefaultEarlyExpiry + time.Second, false},
		{"default, inside", TokenSourceConfig{}, DefaultEarlyExpiry - time.Second, true},
		{"EarlyExpiry, outside", TokenSourceConfig{EarlyExpiry: 10 * time.Minute}, 11 * time.Minute, false},
		{"EarlyExpiry, inside", TokenSourceConfig{EarlyExpiry: 10 * time.Minute}, 9 * time.Minute, true},
		{"Margin, inside", TokenSourceConfig{Margin: 10 * time.Minute}, 9 * time.Minute, true},
		{"EarlyExpiry wins over Margin", TokenSourceConfig{EarlyExpiry: 5 * time.Minute, Margin: 10 * time.Minute}, 9 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The fake knows no refresh token "r": a refresh fails.
			ts, err := c.NewTokenSource(&Tokens{AccessToken: "a", RefreshToken: "r", Expiry: now.Add(tc.left)}, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ts.TokenContext(context.Background())
			if refreshed := errors.Is(err, ErrRefreshTokenInvalid); refreshed != tc.wantRefresh {
				t.Errorf("refreshed: got %v (%v); want %v", refreshed, err, tc.wantRefresh)
			}
		})
	}
	if _, err := c.NewTokenSource(&Tokens{AccessToken: "a"}, TokenSourceConfig{EarlyExpiry: -time.Second}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("negative EarlyExpiry: got %v; want ErrInvalidConfig", err)
	}
}
