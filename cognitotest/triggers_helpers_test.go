package cognitotest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden trigger events of testdata/triggers")

// The IDs of the trigger tests' pool and app clients, so that the golden
// events are stable.
const (
	triggerPool   = "us-east-1_Triggers"
	triggerApp    = "triggerapp"
	triggerHidden = "hiddenapp" // PreventUserExistenceErrors
)

// recorder keeps the event JSON each trigger receives: it wraps the
// aws-lambda-go handlers of the tests, which run through
// lambda.NewHandler as in Lambda.
type recorder struct {
	mu     sync.Mutex
	events map[string][][]byte // trigger source -> events, in order
	order  []string            // the trigger sources of all events, in order
	notify chan struct{}
}

func newRecorder() *recorder {
	return &recorder{events: map[string][][]byte{}, notify: make(chan struct{}, 1000)}
}

// recorded is a lambda.Handler that runs h and records the payload.
type recorded struct {
	r *recorder
	h awslambda.Handler
}

func (h recorded) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var head struct {
		TriggerSource string `json:"triggerSource"`
	}
	json.Unmarshal(payload, &head)
	in := bytes.Clone(payload)
	// The event is recorded once the handler returned, so that await
	// sees what asynchronous handlers did.
	out, err := h.h.Invoke(ctx, payload)
	h.r.mu.Lock()
	h.r.events[head.TriggerSource] = append(h.r.events[head.TriggerSource], in)
	h.r.order = append(h.r.order, head.TriggerSource)
	h.r.mu.Unlock()
	select {
	case h.r.notify <- struct{}{}:
	default:
	}
	return out, err
}

// wrap returns fn (an aws-lambda-go handler) recording its events.
func (r *recorder) wrap(fn any) any { return recorded{r, awslambda.NewHandler(fn)} }

// all returns the events of a trigger source.
func (r *recorder) all(source string) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.events[source]...)
}

func (r *recorder) count(source string) int { return len(r.all(source)) }

// last returns the newest event of a trigger source, failing the test
// when there is none.
func (r *recorder) last(t testing.TB, source string) []byte {
	t.Helper()
	evs := r.all(source)
	if len(evs) == 0 {
		t.Fatalf("no %s event; events: %v", source, r.sources())
	}
	return evs[len(evs)-1]
}

// sequence returns the trigger sources of the events from the n-th on,
// in the order they ran.
func (r *recorder) sequence(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.order[min(n, len(r.order)):]...)
}

func (r *recorder) sources() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for k, v := range r.events {
		for range v {
			out = append(out, k)
		}
	}
	return out
}

// await waits for n events of an asynchronous trigger source (custom
// senders run after the operation answers).
func (r *recorder) await(t testing.TB, source string, n int) []byte {
	t.Helper()
	deadline := time.After(10 * time.Second) // a safety net, not a measure
	for r.count(source) < n {
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("no %s event after 10s; events: %v", source, r.sources())
		}
	}
	return r.all(source)[n-1]
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// normalize replaces the values of an event that differ between runs
// (subs, generated usernames, ciphertexts) with placeholders, and indents
// it with sorted keys.
func normalize(t testing.TB, raw []byte) []byte {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("the event is not JSON: %v\n%s", err, raw)
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				s, isString := e.(string)
				switch {
				case isString && (k == "sub" || uuidRE.MatchString(s)):
					x[k] = "<uuid>"
				case isString && k == "code" && x["type"] != nil:
					x[k] = "<ciphertext>"
				default:
					x[k] = walk(e)
				}
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		}
		return v
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(walk(v)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// golden compares an event with testdata/triggers/{name}.json (rewritten
// with -update).
func golden(t testing.TB, name string, raw []byte) {
	t.Helper()
	got := normalize(t, raw)
	path := filepath.Join("testdata", "triggers", name+".json")
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("event %s:\ngot\n%s\nwant (%s)\n%s", name, got, path, want)
	}
}

// triggerEnv is a server with the pool us-east-1_Triggers, its app
// clients triggerapp and hiddenapp (which prevents user existence
// errors), and an SDK client.
type triggerEnv struct {
	srv    *cognitotest.Server
	pool   *cognitotest.Pool
	app    cognitotest.AppClient
	hidden cognitotest.AppClient
	api    *cip.Client
	clock  *fakeClock
}

func newTriggerEnv(t testing.TB, cfg cognitotest.PoolConfig, opts ...cognitotest.Option) *triggerEnv {
	t.Helper()
	clock := newClock()
	opts = append([]cognitotest.Option{cognitotest.WithClock(clock.Now), fastKeys()}, opts...)
	srv := cognitotest.NewServer(t, opts...)
	cfg.ID = triggerPool
	pool := srv.MustCreatePool(cfg)
	return &triggerEnv{srv: srv, pool: pool, clock: clock,
		app:    pool.MustCreateClient(cognitotest.ClientConfig{ID: triggerApp, Name: "app"}),
		hidden: pool.MustCreateClient(cognitotest.ClientConfig{ID: triggerHidden, Name: "hidden", PreventUserExistenceErrors: true}),
		api:    cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 }),
	}
}

func (e *triggerEnv) signUp(username, password string, attrs map[string]string, validation, meta map[string]string) (*cip.SignUpOutput, error) {
	in := &cip.SignUpInput{ClientId: aws.String(triggerApp), Username: aws.String(username), Password: aws.String(password),
		UserAttributes: attrList(attrs), ClientMetadata: meta}
	if validation != nil {
		in.ValidationData = attrList(validation)
	}
	return e.api.SignUp(ctx(), in)
}

func (e *triggerEnv) login(client, username, password string, meta map[string]string) (*cip.InitiateAuthOutput, error) {
	return e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(client),
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password}, ClientMetadata: meta})
}

func (e *triggerEnv) user(t testing.TB, name string) cognitotest.User {
	t.Helper()
	u, err := e.pool.User(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func attrList(m map[string]string) []types.AttributeType {
	var out []types.AttributeType
	for k, v := range m {
		out = append(out, types.AttributeType{Name: aws.String(k), Value: aws.String(v)})
	}
	return out
}

// lambdaErr asserts an error of type T with Cognito's exact message.
func lambdaErr[T interface {
	error
	ErrorMessage() string
}](t testing.TB, err error, want string) {
	t.Helper()
	got := wantErr[T](t, err, want)
	if got.ErrorMessage() != want {
		t.Errorf("message: got %q; want %q", got.ErrorMessage(), want)
	}
}

// goldenEvent is golden, and checks that the event round trips through
// T, the aws-lambda-go type users' handlers take (see roundTrip).
func goldenEvent[T any](t testing.TB, name string, raw []byte, notInType ...string) {
	t.Helper()
	golden(t, name, raw)
	roundTrip[T](t, raw, notInType...)
}

// roundTrip decodes an event into T (an aws-lambda-go event type) as a
// handler does, encodes it again as the handler's answer would be, and
// checks that nothing was lost or changed on the way: every non-null
// value of the event is in the round trip, with its value; and every
// field of T is in the event (clientMetadata may be absent: Cognito omits
// it when the request had none). notInType lists the paths, such as
// "request.linkParameter", where the event and T knowingly differ:
// fields Cognito sends that aws-lambda-go's type lacks, or fields of the
// type Cognito leaves out of this event.
func roundTrip[T any](t testing.TB, raw []byte, notInType ...string) {
	t.Helper()
	var ev T
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Errorf("the event does not decode into %T: %v", ev, err)
		return
	}
	back, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	mustJSONNumber(t, raw, &a)
	mustJSONNumber(t, back, &b)
	var walk func(path string, a, b any)
	walk = func(path string, a, b any) {
		switch x := a.(type) {
		case map[string]any:
			y, ok := b.(map[string]any)
			if !ok {
				t.Errorf("%T: %s is %T; the event has an object", ev, path, b)
				return
			}
			for k, va := range x {
				p := strings.TrimPrefix(path+"."+k, ".")
				if slices.Contains(notInType, p) {
					continue
				}
				vb, ok := y[k]
				switch {
				case va == nil:
				case !ok:
					t.Errorf("%T drops %s of the event", ev, p)
				default:
					walk(p, va, vb)
				}
			}
			for k := range y {
				p := strings.TrimPrefix(path+"."+k, ".")
				if _, ok := x[k]; !ok && k != "clientMetadata" && !slices.Contains(notInType, p) {
					t.Errorf("the event lacks %s, a field of %T", p, ev)
				}
			}
		case []any:
			y, ok := b.([]any)
			if !ok || len(x) != len(y) {
				t.Errorf("%T: %s is %v; the event has %v", ev, path, b, a)
				return
			}
			for i := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), x[i], y[i])
			}
		default:
			if a != b {
				t.Errorf("%T: %s is %v after a round trip; the event has %v", ev, path, b, a)
			}
		}
	}
	walk("", a, b)
}

func mustJSONNumber(t testing.TB, b []byte, v any) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		t.Fatal(err)
	}
}

// errorsTB records the errors of a check, to test the checks.
type errorsTB struct {
	testing.TB
	errs []string
}

func (e *errorsTB) Errorf(format string, args ...any) {
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

// TestRoundTripCatches checks that roundTrip reports fields lost, changed
// or missing.
func TestRoundTripCatches(t *testing.T) {
	t.Parallel()
	ok := `{"version":"1","triggerSource":"PostConfirmation_ConfirmSignUp","region":"us-east-1","userPoolId":"us-east-1_X","userName":"a",
		"callerContext":{"awsSdkVersion":"x","clientId":"c"},"request":{"userAttributes":{"sub":"s"}},"response":{}}`
	for name, tc := range map[string]struct {
		event string
		n     int
	}{
		"fits":                  {ok, 0},
		"unknown field":         {strings.Replace(ok, `"request":{`, `"request":{"extra":1,`, 1), 1},
		"missing field":         {strings.Replace(ok, `"region":"us-east-1",`, ``, 1), 1},
		"value of another type": {strings.Replace(ok, `{"sub":"s"}`, `{"sub":1}`, 1), 1},
	} {
		rec := &errorsTB{TB: t}
		roundTrip[events.CognitoEventUserPoolsPostConfirmation](rec, []byte(tc.event))
		if len(rec.errs) != tc.n {
			t.Errorf("%s: %d errors %q; want %d", name, len(rec.errs), rec.errs, tc.n)
		}
	}
}
