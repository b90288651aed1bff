package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/cognitokit/cognitokit/oauth"
)

// hangingTokenEndpoint answers client-credentials requests only when
// release is closed, or fails them when the request's context ends.
type hangingTokenEndpoint struct {
	release chan struct{}
	calls   atomic.Int32
}

func (h *hangingTokenEndpoint) RoundTrip(r *http.Request) (*http.Response, error) {
	n := h.calls.Add(1)
	select {
	case <-h.release:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	body := fmt.Sprintf(`{"access_token":"token-%d","token_type":"Bearer","expires_in":3600}`, n)
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func newHangingSource(t *testing.T) (*hangingTokenEndpoint, *oauth.TokenSource) {
	t.Helper()
	h := &hangingTokenEndpoint{release: make(chan struct{})}
	c, err := oauth.New(oauth.Config{Domain: "https://example.auth.us-east-1.amazoncognito.com",
		ClientID: "m2mclient", ClientSecret: "secret", HTTPClient: &http.Client{Transport: h}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ts, err := c.ClientCredentials("orders/read")
	if err != nil {
		t.Fatal(err)
	}
	return h, ts
}

// TestClientCredentialsWaitersGiveUp: while the token request hangs, a
// caller whose context is cancelled returns ErrUnavailable and
// context.Canceled at once, Invalidate does not wait, and 100 other callers
// share the one request, which goes on and serves them all.
func TestClientCredentialsWaitersGiveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, ts := newHangingSource(t)
		ctx, cancel := context.WithCancel(context.Background())
		first := make(chan error, 1)
		go func() {
			_, err := ts.TokenContext(ctx)
			first <- err
		}()
		synctest.Wait()
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
		invalidated := make(chan struct{})
		go func() { ts.Invalidate(); close(invalidated) }()
		cancel()
		synctest.Wait() // no time passes in the bubble: "at once"
		select {
		case err := <-first:
			if !errors.Is(err, context.Canceled) || !errors.Is(err, oauth.ErrUnavailable) {
				t.Errorf("cancelled waiter: got %v; want ErrUnavailable and context.Canceled", err)
			}
		default:
			t.Fatal("cancelled waiter still blocked while the request hangs")
		}
		select {
		case <-invalidated:
		default:
			t.Fatal("Invalidate blocked behind a hanging request")
		}
		close(h.release)
		wg.Wait()
		for i := range 100 {
			if errs[i] != nil || toks[i] != "token-1" {
				t.Fatalf("caller %d: got %q, %v; want token-1 from the one request", i, toks[i], errs[i])
			}
		}
		if n := h.calls.Load(); n != 1 {
			t.Errorf("token requests: got %d; want 1", n)
		}
		// Invalidate was called during the request: its token is not cached.
		if tok, err := ts.Token(); err != nil || tok.AccessToken != "token-2" {
			t.Errorf("after Invalidate: got %v, %v; want a new request (token-2)", tok, err)
		}
		if tok, err := ts.Token(); err != nil || tok.AccessToken != "token-2" {
			t.Errorf("cached: got %v, %v; want token-2 again", tok, err)
		}
	})
}

// TestClientCredentialsRequestBound: the shared request is bounded by
// DefaultTimeout when the HTTP client has no timeout, even for a caller
// without a deadline.
func TestClientCredentialsRequestBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ts := newHangingSource(t)
		_, err := ts.Token()
		if !errors.Is(err, oauth.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v; want ErrUnavailable and context.DeadlineExceeded", err)
		}
	})
}

func TestNilContext(t *testing.T) {
	_, ts := newHangingSource(t)
	c, err := oauth.New(oauth.Config{Domain: "https://example.auth.us-east-1.amazoncognito.com", ClientID: "c",
		RedirectURL: "https://app.example.com/cb", UserPoolID: "us-east-1_AbC123"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req, err := oauth.NewAuthRequest()
	if err != nil {
		t.Fatal(err)
	}
	var nilCtx context.Context
	calls := map[string]func() error{
		"Exchange":      func() error { _, err := c.Exchange(nilCtx, "code", req); return err },
		"Refresh":       func() error { _, err := c.Refresh(nilCtx, "refresh"); return err },
		"UserInfo":      func() error { _, err := c.UserInfo(nilCtx, "access"); return err },
		"Revoke":        func() error { return c.Revoke(nilCtx, "refresh") },
		"VerifyIDToken": func() error { _, err := c.VerifyIDToken(nilCtx, "a.b.c", "", ""); return err },
		"TokenContext":  func() error { _, err := ts.TokenContext(nilCtx); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, oauth.ErrInvalidInput) {
			t.Errorf("%s(nil context): got %v; want ErrInvalidInput", name, err)
		}
	}
}
