package packagetests_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/cognitotest/internal/lambda"
)

type event = events.CognitoEventUserPoolsPreSignup

func TestHandlerSignatures(t *testing.T) {
	ok := []any{
		func() {},
		func() error { return nil },
		func(context.Context) error { return nil },
		func(event) (event, error) { return event{}, nil },
		func(context.Context, event) (event, error) { return event{}, nil },
		func(context.Context, map[string]any) (map[string]any, error) { return nil, nil },
		func(any) error { return nil },
	}
	for i, h := range ok {
		if _, err := lambda.Handler(h); err != nil {
			t.Errorf("handler %d (%T): got %v; want accepted", i, h, err)
		}
	}
	bad := []any{
		nil,
		42,
		"not a func",
		func(event, context.Context) error { return nil },
		func(context.Context, event, int) error { return nil },
		func(io.Reader) error { return nil },
		func() (event, event) { return event{}, event{} },
		func() event { return event{} },
		func() (int, error, error) { return 0, nil, nil },
	}
	for i, h := range bad {
		if _, err := lambda.Handler(h); err == nil {
			t.Errorf("handler %d (%T): got accepted; want an error", i, h)
		}
	}
}

func TestHandlerInvoke(t *testing.T) {
	fn, err := lambda.Handler(func(_ context.Context, ev event) (event, error) {
		switch ev.UserName {
		case "fail":
			return ev, errors.New("Registration from this domain is not allowed.")
		case "panic":
			panic("boom")
		}
		ev.Response.AutoConfirmUser = true
		return ev, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := lambda.Invoke(context.Background(), fn, time.Second, 1, []byte(`{"userName":"ann","response":{"autoConfirmUser":false}}`))
	if err != nil || !strings.Contains(string(out), `"autoConfirmUser":true`) {
		t.Fatalf("got %s, %v; want the response with autoConfirmUser", out, err)
	}
	_, err = lambda.Invoke(context.Background(), fn, time.Second, 1, []byte(`{"userName":"fail"}`))
	var fe *lambda.FunctionError
	if !errors.As(err, &fe) || fe.Message != "Registration from this domain is not allowed." || fe.Type != "errorString" {
		t.Fatalf("got %v; want the function's error", err)
	}
	_, err = lambda.Invoke(context.Background(), fn, time.Second, 1, []byte(`{"userName":"panic"}`))
	if !errors.As(err, &fe) || fe.Message != "boom" {
		t.Fatalf("panic: got %v; want a function error boom", err)
	}
	// An event the handler's type cannot take: aws-lambda-go's decoding
	// error is the function's error, as in Lambda.
	_, err = lambda.Invoke(context.Background(), fn, time.Second, 1, []byte(`{"userName":42}`))
	if !errors.As(err, &fe) || !strings.Contains(fe.Message, "cannot unmarshal") {
		t.Fatalf("bad event: got %v; want the decoding error as a function error", err)
	}
	if _, err := lambda.Invoke(context.Background(), fn, time.Second, 1, make([]byte, lambda.MaxPayload+1)); !errors.Is(err, lambda.ErrTooLarge) {
		t.Fatalf("huge event: got %v; want ErrTooLarge", err)
	}
}

func TestInvokeTimeoutRetries(t *testing.T) {
	t.Parallel() // waits: overlap it with the other tests
	var calls atomic.Int32
	fn, _ := lambda.Handler(func(ctx context.Context) error {
		calls.Add(1)
		<-ctx.Done() // a well-behaved handler stops at its deadline
		return ctx.Err()
	})
	_, err := lambda.Invoke(context.Background(), fn, 20*time.Millisecond, lambda.Attempts, []byte(`{}`))
	if !errors.Is(err, lambda.ErrTimeout) {
		t.Fatalf("got %v; want ErrTimeout", err)
	}
	// Each attempt's goroutine is started before Invoke gives up on it,
	// but on a loaded machine it may first run after its deadline: wait
	// for the handler calls to catch up (Invoke has returned, so no
	// attempt can follow).
	for deadline := time.Now().Add(5 * time.Second); calls.Load() < lambda.Attempts && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := calls.Load(); n != lambda.Attempts {
		t.Errorf("calls: got %d; want %d (Cognito tries three times)", n, lambda.Attempts)
	}
	// A handler that ignores its context is abandoned at the deadline.
	release := make(chan struct{})
	defer close(release)
	stuck, _ := lambda.Handler(func() error { <-release; return nil })
	if _, err := lambda.Invoke(context.Background(), stuck, 10*time.Millisecond, 1, []byte(`{}`)); !errors.Is(err, lambda.ErrTimeout) {
		t.Fatalf("stuck handler: got %v; want ErrTimeout", err)
	}
	// The request ending is not a timeout.
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lambda.Invoke(cctx, fn, time.Second, lambda.Attempts, []byte(`{}`)); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: got %v; want context.Canceled", err)
	}
}

// TestHTTP: the protocol of HTTP functions, against a server that plays
// each answer.
func TestHTTP(t *testing.T) {
	t.Parallel() // waits: overlap it with the other tests
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want a JSON POST", http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/ok":
			fmt.Fprint(w, `{"response":{"autoConfirmUser":true}}`)
		case "/header":
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			fmt.Fprint(w, `{"errorMessage":"User is blocked.","errorType":"Error"}`)
		case "/rie": // the runtime interface emulator: 200 and the error
			fmt.Fprint(w, `{"errorMessage":"Bad password","errorType":"Error","stackTrace":[]}`)
		case "/status-error":
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"errorMessage":"crashed"}`)
		case "/status":
			http.Error(w, "no such function", http.StatusNotFound)
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/huge":
			w.Write(make([]byte, lambda.MaxPayload+1))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
	}))
	defer srv.Close()
	call := func(path string) ([]byte, error) {
		timeout := 10 * time.Second
		if path == "/slow" {
			timeout = 50 * time.Millisecond
		}
		return lambda.Invoke(context.Background(), &lambda.HTTP{URL: srv.URL + path}, timeout, 1, []byte(`{"userName":"ann"}`))
	}
	out, err := call("/ok")
	if err != nil || string(out) != `{"response":{"autoConfirmUser":true}}` || string(got) != `{"userName":"ann"}` {
		t.Fatalf("ok: got %s, %v (server got %s)", out, err, got)
	}
	for path, want := range map[string]string{"/header": "User is blocked.", "/rie": "Bad password", "/status-error": "crashed"} {
		_, err := call(path)
		var fe *lambda.FunctionError
		if !errors.As(err, &fe) || fe.Message != want {
			t.Errorf("%s: got %v; want the function error %q", path, err, want)
		}
	}
	for _, path := range []string{"/status", "/redirect"} {
		if _, err := call(path); !errors.Is(err, lambda.ErrInvoke) {
			t.Errorf("%s: got %v; want ErrInvoke", path, err)
		}
	}
	if _, err := call("/huge"); !errors.Is(err, lambda.ErrTooLarge) {
		t.Errorf("huge: got %v; want ErrTooLarge", err)
	}
	if _, err := call("/slow"); !errors.Is(err, lambda.ErrTimeout) {
		t.Errorf("slow: got %v; want ErrTimeout", err)
	}
	refused := &lambda.HTTP{URL: "http://127.0.0.1:1/"}
	if _, err := lambda.Invoke(context.Background(), refused, time.Second, 1, []byte(`{}`)); !errors.Is(err, lambda.ErrInvoke) {
		t.Errorf("refused: got %v; want ErrInvoke", err)
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up":    "pre-sign-up",
		"arn:aws:lambda:eu-west-1:123456789012:function:pre_token:live": "pre_token",
		"arn:aws-cn:lambda:cn-north-1:123456789012:function:fn:$LATEST": "fn",
		"my-function":                      "my-function",
		"arn:aws:iam::123456789012:role/x": "",
		"https://example.com/fn":           "",
		"has space":                        "",
		strings.Repeat("a", 65):            "",
	} {
		got, ok := lambda.FunctionName(in)
		if got != want || ok != (want != "") {
			t.Errorf("FunctionName(%q): got %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"ftp://x", "http://", "http://u:p@host/", "http://h/#f", "not a url"} {
		if _, err := lambda.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q): got no error", bad)
		}
	}
	if _, err := lambda.ParseURL("http://127.0.0.1:3000/pre-sign-up?x=1"); err != nil {
		t.Error(err)
	}
	r := lambda.NewRegistry()
	fn, _ := lambda.Handler(func() {})
	r.Set("f", fn)
	if r.Lookup("f") == nil || r.Lookup("g") != nil {
		t.Error("registry lookup")
	}
	r.Set("f", nil)
	if r.Lookup("f") != nil {
		t.Error("registry removal")
	}
}
