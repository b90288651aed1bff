package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"
)

// A Function is the code of a Lambda function: it takes an event as JSON
// and answers JSON, or fails. It has the method set of aws-lambda-go's
// lambda.Handler. Errors it returns are function errors ([*FunctionError])
// unless they are [ErrTimeout], [ErrInvoke] or a context's error.
type Function interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Limits and defaults of invocations.
const (
	// MaxPayload bounds the event and the answer: Lambda's limit of
	// synchronous invocations, 6 MB.
	MaxPayload = 6 << 20
	// Timeout is Cognito's timeout of a trigger invocation.
	Timeout = 5 * time.Second
	// Attempts is how many times Cognito invokes a trigger that times out.
	Attempts = 3
)

// Errors of invocations, besides [*FunctionError].
var (
	// ErrTimeout: the function did not answer within the timeout.
	ErrTimeout = errors.New("lambda: the function did not answer in time")
	// ErrNotFound: no function has the name the trigger refers to.
	ErrNotFound = errors.New("lambda: no such function")
	// ErrInvoke: the function could not be invoked (an HTTP endpoint that
	// cannot be reached or answers an HTTP error without a function
	// error).
	ErrInvoke = errors.New("lambda: the function could not be invoked")
	// ErrTooLarge: the event or the answer exceeds MaxPayload.
	ErrTooLarge = errors.New("lambda: payload too large")
)

// FunctionError is an error the function itself reported: what the Lambda
// runtime reports as {"errorMessage": ..., "errorType": ...}. Cognito
// answers it with UserLambdaValidationException, "<trigger> failed with
// error <Message>."
type FunctionError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType,omitempty"`
}

func (e *FunctionError) Error() string { return "lambda: function error: " + e.Message }

// Handler returns the Function of an in-process handler: a function of a
// signature aws-lambda-go's lambda.Start accepts (at most a
// context.Context and an event argument; at most a value and an error
// result), or a value with the method Invoke(context.Context, []byte)
// ([]byte, error). The handler is invoked as aws-lambda-go's
// lambda.NewHandler invokes it (see [ReflectHandler]): the event is decoded
// into the handler's argument type and its result encoded as the Lambda
// runtime does. Its errors and panics become [*FunctionError]s.
func Handler(h any) (Function, error) {
	if h == nil {
		return nil, errors.New("the handler is nil")
	}
	if f, ok := h.(Function); ok {
		return handler{f}, nil
	}
	if err := CheckSignature(reflect.TypeOf(h)); err != nil {
		return nil, err
	}
	return handler{NewReflectHandler(h)}, nil
}

// ReflectHandler calls a handler function of a signature [CheckSignature]
// accepts exactly as aws-lambda-go's lambda.NewHandler (without options)
// calls it, which TestReflectHandlerMatchesAWS and FuzzReflectHandler
// check against aws-lambda-go itself:
//
//   - The event is decoded with an encoding/json Decoder into a new value
//     of the handler's last argument type (unknown fields are ignored,
//     numbers in interfaces are float64, anything after the first JSON
//     value is ignored); a decoding error is the function's error.
//   - A non-nil error result is the function's error.
//   - The value result (null without one) is encoded without HTML
//     escaping and without the encoder's trailing newline. A value that
//     is an io.Reader is read instead when it encodes as an object that
//     starts with {} (or cannot be encoded), as the runtime streams such
//     responses.
type ReflectHandler struct {
	fn       reflect.Value
	takesCtx bool         // its first argument is the context
	event    reflect.Type // its last argument's type; nil when it takes no event
}

// NewReflectHandler returns the ReflectHandler of h, a function whose
// signature [CheckSignature] accepts.
func NewReflectHandler(h any) ReflectHandler {
	fn := reflect.ValueOf(h)
	t := fn.Type()
	r := ReflectHandler{fn: fn, takesCtx: t.NumIn() == 2 || (t.NumIn() == 1 && t.In(0).Kind() == reflect.Interface && t.In(0).NumMethod() > 0)}
	if t.NumIn() == 2 || (t.NumIn() == 1 && !r.takesCtx) {
		r.event = t.In(t.NumIn() - 1)
	}
	return r
}

func (h ReflectHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var args []reflect.Value
	if h.takesCtx {
		args = append(args, reflect.ValueOf(&ctx).Elem())
	}
	if h.event != nil {
		event := reflect.New(h.event)
		if err := json.NewDecoder(bytes.NewReader(payload)).Decode(event.Interface()); err != nil {
			return nil, err
		}
		args = append(args, event.Elem())
	}
	res := h.fn.Call(args)
	if len(res) > 0 {
		if err, ok := res[len(res)-1].Interface().(error); ok && err != nil {
			return nil, err
		}
	}
	var val any
	if len(res) > 1 {
		val = res[0].Interface()
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	err := enc.Encode(val)
	if r, ok := val.(io.Reader); ok && (err != nil || bytes.HasPrefix(out.Bytes(), []byte("{}"))) {
		if c, ok := r.(io.Closer); ok {
			defer c.Close()
		}
		return io.ReadAll(io.LimitReader(r, MaxPayload+1))
	}
	if err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

// CheckSignature reports what lambda.NewHandler would refuse at its first
// invocation, so that a bad handler is refused when it is configured.
func CheckSignature(t reflect.Type) error {
	if t.Kind() != reflect.Func {
		return fmt.Errorf("the handler is a %s, not a function or a lambda.Handler", t)
	}
	ctxType := reflect.TypeFor[context.Context]()
	isCtx := func(a reflect.Type) bool {
		return a.Kind() == reflect.Interface && ctxType.Implements(a) && a.Implements(ctxType)
	}
	switch t.NumIn() {
	case 0:
	case 1:
		if a := t.In(0); a.Kind() == reflect.Interface && a.NumMethod() > 0 && !isCtx(a) {
			return fmt.Errorf("the handler takes an interface that is not context.Context (%s)", a)
		}
	case 2:
		if !isCtx(t.In(0)) {
			return fmt.Errorf("the handler takes two arguments, but the first (%s) is not context.Context", t.In(0))
		}
	default:
		return fmt.Errorf("the handler takes %d arguments; want at most a context.Context and an event", t.NumIn())
	}
	errType := reflect.TypeFor[error]()
	switch n := t.NumOut(); {
	case n > 2:
		return fmt.Errorf("the handler returns %d values; want at most a value and an error", n)
	case n == 2 && !t.Out(1).Implements(errType):
		return fmt.Errorf("the handler returns two values, but the second (%s) is not an error", t.Out(1))
	case n == 1 && !t.Out(0).Implements(errType):
		return fmt.Errorf("the handler returns one value (%s), which is not an error", t.Out(0))
	}
	return nil
}

// handler is an in-process Function: errors and panics of the code are
// function errors, reported as the Lambda runtime reports them.
type handler struct{ h Function }

func (h handler) Invoke(ctx context.Context, payload []byte) (out []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, &FunctionError{Message: fmt.Sprint(v), Type: typeName(v)}
		}
	}()
	out, err = h.h.Invoke(ctx, payload)
	if err != nil {
		var fe *FunctionError
		switch {
		case errors.As(err, &fe):
			return nil, fe
		case ctx.Err() != nil && errors.Is(err, ctx.Err()):
			return nil, err // the invocation ended: not the function's answer
		}
		return nil, &FunctionError{Message: err.Error(), Type: typeName(err)}
	}
	return out, nil
}

// typeName is the errorType the Lambda runtime reports for v: the name of
// its type, without pointers.
func typeName(v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	return t.Name()
}

// HTTP is a Function served at a URL:
//
//   - The event is POSTed as the body, with Content-Type application/json.
//   - A 2xx answer's body is the function's answer (at most MaxPayload
//     bytes), unless the answer carries the header X-Amz-Function-Error or
//     is a JSON object with "errorMessage" and "errorType" (as the Lambda
//     runtime interface emulator answers a failed invocation): then it is
//     a function error with that errorMessage.
//   - Any other status with a JSON body holding "errorMessage" is a
//     function error; without one it is [ErrInvoke].
//   - Redirects are not followed. A URL that cannot be reached is
//     [ErrInvoke]; one that does not answer in time, [ErrTimeout].
type HTTP struct {
	URL    string
	Client *http.Client // nil: a client that follows no redirects
}

// noRedirects is the default client of HTTP functions.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Invoke implements Function.
func (h *HTTP) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvoke, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cognitokit-cognito-local")
	c := h.Client
	if c == nil {
		c = noRedirects
	}
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %s", ErrInvoke, describe(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxPayload+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: reading the answer: %s", ErrInvoke, describe(err))
	}
	if len(body) > MaxPayload {
		return nil, fmt.Errorf("%w: the answer exceeds %d bytes", ErrTooLarge, MaxPayload)
	}
	fe := functionError(body)
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	switch {
	case ok && resp.Header.Get("X-Amz-Function-Error") == "" && (fe == nil || !fe.runtime):
		return body, nil
	case fe != nil:
		return nil, &fe.FunctionError
	case ok: // X-Amz-Function-Error without an error body
		return nil, &FunctionError{Message: "Unhandled", Type: "Unhandled"}
	}
	return nil, fmt.Errorf("%w: HTTP %s", ErrInvoke, resp.Status)
}

// describe shortens a transport error for an error message (no URL, which
// the operator knows).
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

type parsedError struct {
	FunctionError
	runtime bool // "errorType" was present too: a runtime's error answer
}

// functionError parses a function error answer: a JSON object with a
// string "errorMessage".
func functionError(body []byte) *parsedError {
	var v struct {
		Message *string `json:"errorMessage"`
		Type    *string `json:"errorType"`
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return nil
	}
	if json.Unmarshal(body, &v) != nil || v.Message == nil {
		return nil
	}
	pe := &parsedError{FunctionError: FunctionError{Message: *v.Message}}
	if v.Type != nil {
		pe.Type, pe.runtime = *v.Type, true
	}
	return pe
}

// Invoke invokes fn with payload: each attempt within timeout, up to
// attempts attempts while they time out. It returns the answer, or an
// error: a [*FunctionError], [ErrTimeout] (every attempt timed out),
// [ErrInvoke], [ErrTooLarge], or ctx's error when ctx ends first.
func Invoke(ctx context.Context, fn Function, timeout time.Duration, attempts int, payload []byte) ([]byte, error) {
	if len(payload) > MaxPayload {
		return nil, fmt.Errorf("%w: the event exceeds %d bytes", ErrTooLarge, MaxPayload)
	}
	if attempts < 1 {
		attempts = 1
	}
	for i := 1; ; i++ {
		out, err := invokeOnce(ctx, fn, timeout, payload)
		if errors.Is(err, ErrTimeout) && i < attempts && ctx.Err() == nil {
			continue
		}
		if err == nil && len(out) > MaxPayload {
			return nil, fmt.Errorf("%w: the answer exceeds %d bytes", ErrTooLarge, MaxPayload)
		}
		return out, err
	}
}

func invokeOnce(ctx context.Context, fn Function, timeout time.Duration, payload []byte) ([]byte, error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1) // the goroutine never blocks, even when abandoned
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- result{err: &FunctionError{Message: fmt.Sprint(v), Type: typeName(v)}}
			}
		}()
		out, err := fn.Invoke(actx, payload)
		done <- result{out, err}
	}()
	var r result
	got := false
	select {
	case r = <-done:
		got = true
	case <-actx.Done():
	}
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case !got || r.err != nil && actx.Err() != nil && errors.Is(r.err, context.DeadlineExceeded):
		return nil, ErrTimeout
	case r.err != nil:
		var fe *FunctionError
		if errors.As(r.err, &fe) || errors.Is(r.err, ErrInvoke) || errors.Is(r.err, ErrTooLarge) || errors.Is(r.err, ErrTimeout) {
			return nil, r.err
		}
		return nil, fmt.Errorf("%w: %v", ErrInvoke, r.err)
	}
	return r.out, nil
}

// Registry holds functions by name: the functions of the Lambda ARNs
// that pools' triggers refer to. It is safe for concurrent use.
type Registry struct {
	mu  sync.RWMutex // guards fns
	fns map[string]Function
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{fns: map[string]Function{}} }

// Set registers fn under name (see [ValidName]); a nil fn removes it.
func (r *Registry) Set(name string, fn Function) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fn == nil {
		delete(r.fns, name)
		return
	}
	r.fns[name] = fn
}

// Lookup returns the function registered under name, or nil.
func (r *Registry) Lookup(name string) Function {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.fns[name]
}

var (
	nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	// arnRE is a Lambda function ARN, with an optional version or alias:
	// arn:aws:lambda:us-east-1:123456789012:function:my-function[:prod].
	arnRE = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:([A-Za-z0-9_-]{1,64})(:[A-Za-z0-9$_-]{1,128})?$`)
)

// ValidName reports whether name is a Lambda function name: 1 to 64
// letters, digits, hyphens and underscores.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// FunctionName returns the function name a trigger's target refers to: the
// name in a Lambda function ARN (a version or alias qualifier is
// ignored), or the target itself when it is a function name.
func FunctionName(target string) (string, bool) {
	if m := arnRE.FindStringSubmatch(target); m != nil {
		return m[1], true
	}
	if ValidName(target) {
		return target, true
	}
	return "", false
}

// IsARN reports whether s is a Lambda function ARN.
func IsARN(s string) bool { return arnRE.MatchString(s) }

// ParseURL checks the URL of an HTTP function: http or https, with a host,
// without user information or a fragment.
func ParseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("the URL %q does not parse: %v", truncate(s, 128), err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("the URL %q is not http or https", truncate(s, 128))
	case u.Host == "":
		return nil, fmt.Errorf("the URL %q has no host", truncate(s, 128))
	case u.User != nil:
		return nil, fmt.Errorf("the URL %q has user information; put credentials elsewhere", truncate(s, 128))
	case u.Fragment != "":
		return nil, fmt.Errorf("the URL %q has a fragment", truncate(s, 128))
	}
	return u, nil
}

// IsURL reports whether a trigger's target is a URL rather than a function
// name or ARN.
func IsURL(target string) bool {
	return strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
