package main

import (
	"bytes"
	"context"
	"github.com/cognitokit/cognitokit/examples/internal/stagetest"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestQuickstart plays the whole scene, as "go run ./examples/quickstart"
// does, and checks that every step was printed and passed.
func TestQuickstart(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // the emulator, the API and the verifier stop
	var out, errb bytes.Buffer
	if code := runMain(context.Background(), nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d; want 0\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	got := out.String()
	for _, want := range []string{
		"1. A call without a token is refused", "401 Unauthorized",
		"2. bob signs in with SRP",
		"3. bob calls GET /me", `"username":"bob"`,
		"4. bob calls GET /admin", "403 Forbidden", `error="insufficient_scope"`,
		"5. alice, in group admin", "welcome to the admin area, alice",
		"6. bob's refresh token gets him a new access token",
		"7. bob signs out", "srpclient.ErrRefreshTokenInvalid", "NotAuthorizedException",
		"8. a service gets an M2M token", `"machine":true`,
		"All 8 steps behaved as expected.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q\n%s", want, got)
		}
	}
	if n := strings.Count(got, "✓"); n != 8 {
		t.Errorf("got %d passed steps; want 8", n)
	}
	if strings.Contains(got, "FAILED") {
		t.Errorf("output reports a failure:\n%s", got)
	}
}

// TestQuickstartDetectsFailure breaks the stage (the pool's keys become
// unavailable) and checks that the scene stops at the first step that needs
// them, reports it and fails.
func TestQuickstartDetectsFailure(t *testing.T) {
	d, err := startDemo("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.srv.SetJWKSMode(cognitotest.JWKSFail)
	var out bytes.Buffer
	err = d.play(context.Background(), &out)
	if err == nil || !strings.Contains(err.Error(), "step 3") {
		t.Fatalf("got error %v; want step 3 to fail\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "503 Service Unavailable") || !strings.Contains(out.String(), "✗ FAILED") {
		t.Errorf("output does not show the 503 failure:\n%s", out.String())
	}
	if strings.Contains(out.String(), "4. ") {
		t.Errorf("the scene went on after a failed step:\n%s", out.String())
	}
}

func TestQuickstartBadFlag(t *testing.T) {
	var out, errb bytes.Buffer
	code := runMain(context.Background(), []string{"--no-such-flag"}, &out, &errb)
	if code != 2 {
		t.Errorf("got exit %d; want 2", code)
	}
	if got := strings.TrimSpace(errb.String()); strings.Count(got, "\n") != 0 || !strings.Contains(got, "no-such-flag") {
		t.Errorf("stderr %q: want one line naming the flag", got)
	}
	code = runMain(context.Background(), []string{"--addr", "not-an-address"}, &out, &errb)
	if code != 1 {
		t.Errorf("bad --addr: got exit %d; want 1", code)
	}
}

// TestQuickstartServe checks that --serve keeps serving after the scene
// and prints working demo tokens, until the context ends.
func TestQuickstartServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{wrote: make(chan struct{}, 1)}
	done := make(chan int)
	go func() { done <- runMain(ctx, []string{"--serve"}, out, io.Discard) }()
	// Look again after each write, until the banner is complete.
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for !strings.Contains(out.String(), "Bearer $M2M") {
		select {
		case <-out.wrote:
		case code := <-done:
			t.Fatalf("exit %d before the serve banner:\n%s", code, out.String())
		case <-timeout.C:
			t.Fatalf("no serve banner:\n%s", out.String())
		}
	}
	text := out.String()
	api := regexp.MustCompile(`API +(http://\S+)`).FindStringSubmatch(text)
	m2m := regexp.MustCompile(`M2M=(\S+)`).FindStringSubmatch(text)
	if api == nil || m2m == nil {
		t.Fatalf("banner lacks the API URL or the M2M token:\n%s", text)
	}
	req, _ := http.NewRequest("GET", api[1]+"/reports", nil)
	req.Header.Set("Authorization", "Bearer "+m2m[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /reports with the printed M2M token: got %d; want 200", resp.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d after interrupt; want 0", code)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader. When
// wrote is set, a token is sent on it (without blocking) after each write.
type syncBuffer struct {
	mu    sync.Mutex // guards b
	b     bytes.Buffer
	wrote chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	n, err := s.b.Write(p)
	s.mu.Unlock()
	select {
	case s.wrote <- struct{}{}:
	default: // no waiter, or a token is already waiting
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestHelp: --help has the layout every example shares and names the
// variables that switch the example to real Cognito.
func TestHelp(t *testing.T) {
	stagetest.Help(t, func(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) int {
		return runMain(ctx, args, stdout, stderr)
	}, "quickstart")
}
