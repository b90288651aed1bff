package packagetests_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitokit/cognitokit/cognitotest/internal/lambda"
)

// sameAsContext has context.Context's method set under another name,
// which both aws-lambda-go and checkSignature accept as the context.
type sameAsContext interface {
	Deadline() (time.Time, bool)
	Done() <-chan struct{}
	Err() error
	Value(key any) any
}

// shapes holds a handler of every shape lambda.NewHandler accepts, with
// results that exercise its encoding: HTML characters, readers, values
// that cannot be encoded, pointers, raw JSON and errors.
var shapes = []any{
	func() {},
	func() error { return nil },
	func() error { return errors.New("plain failure") },
	func(context.Context) error { return nil },
	func(ctx context.Context) (string, error) { return "<b>&amp;</b> \u2028", nil },
	func(ev event) (event, error) { ev.Response.AutoConfirmUser = true; return ev, nil },
	func(_ context.Context, ev event) (event, error) { ev.UserName += "<x>"; return ev, nil },
	func(_ sameAsContext, ev event) (event, error) { return ev, nil },
	func(_ context.Context, ev *event) (*event, error) { return ev, nil },
	func(_ context.Context, m map[string]any) (map[string]any, error) { return m, nil },
	func(v any) (any, error) { return v, nil },
	func(_ context.Context, xs []int) (int, error) {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s, nil
	},
	func(_ context.Context, s string) (string, error) { return s + "!", nil },
	func(_ context.Context, raw json.RawMessage) (json.RawMessage, error) { return raw, nil },
	func(_ context.Context, ev event) (io.Reader, error) { return strings.NewReader(`{"raw":true}`), nil },
	func() (*bytes.Buffer, error) { return bytes.NewBufferString("buffered"), nil },
	func() (chan int, error) { return make(chan int), nil },
	func() (float64, error) { return math.NaN(), nil },
	func() (*event, error) { return nil, nil },
	func(_ context.Context, ev event) (event, error) {
		return ev, &lambda.FunctionError{Message: "typed", Type: "Custom"}
	},
}

var payloads = []string{
	`{"userName":"ann","response":{"autoConfirmUser":false}}`,
	`{"userName":42}`,
	`{"userName":"a"} {"userName":"b"}`,
	`{"userName":"a"} trailing garbage`,
	`null`, `"str"`, `[1,2,3]`, `[1,"2"]`, `1e400`, `12345678901234567890`, `true`,
	``, ` `, `{`, `{"a":{"b":[null,1.5,"\u003c"]}}`, `{"unknown":1,"userName":"\ud800"}`,
}

// invokeBoth runs h on payload through reflectHandler and through
// aws-lambda-go, and fails t when the answers or the errors differ.
func invokeBoth(t *testing.T, h any, payload []byte) {
	t.Helper()
	ctx := context.Background()
	got, gotErr := lambda.NewReflectHandler(h).Invoke(ctx, payload)
	want, wantErr := awslambda.NewHandler(h).Invoke(ctx, payload)
	if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
		t.Fatalf("%T on %q: error %v; aws-lambda-go: %v", h, payload, gotErr, wantErr)
	}
	if gotErr == nil && !bytes.Equal(got, want) {
		t.Fatalf("%T on %q: answer %q; aws-lambda-go: %q", h, payload, got, want)
	}
	if gotErr != nil && reflect.TypeOf(gotErr) != reflect.TypeOf(wantErr) {
		t.Fatalf("%T on %q: error type %T; aws-lambda-go: %T", h, payload, gotErr, wantErr)
	}
}

// TestReflectHandlerMatchesAWS: ReflectHandler answers what aws-lambda-go's
// lambda.NewHandler answers, for every handler shape and payload.
func TestReflectHandlerMatchesAWS(t *testing.T) {
	for _, h := range shapes {
		if err := lambda.CheckSignature(reflect.TypeOf(h)); err != nil {
			t.Fatalf("%T: %v", h, err)
		}
		for _, p := range payloads {
			invokeBoth(t, h, []byte(p))
		}
	}
}

// FuzzReflectHandler compares ReflectHandler with aws-lambda-go on any
// payload, for a handler of any shape.
func FuzzReflectHandler(f *testing.F) {
	for i, p := range payloads {
		f.Add(uint8(i), []byte(p))
	}
	f.Fuzz(func(t *testing.T, which uint8, payload []byte) {
		invokeBoth(t, shapes[int(which)%len(shapes)], payload)
	})
}

// TestHandlerAnswerTooLarge: an in-process handler's answer over
// MaxPayload is ErrTooLarge, whether it is a value or a reader (which is
// read no further than one byte past the limit).
func TestHandlerAnswerTooLarge(t *testing.T) {
	t.Parallel() // encodes and reads 6 MB: overlap it with the other tests
	big := strings.Repeat("x", lambda.MaxPayload)
	var read int64
	for name, h := range map[string]any{
		"value": func() (string, error) { return big, nil },
		"reader": func() (io.Reader, error) {
			return &countingReader{r: strings.NewReader(big + big), n: &read}, nil
		},
	} {
		fn, err := lambda.Handler(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lambda.Invoke(context.Background(), fn, 10*time.Second, 1, []byte(`{}`)); !errors.Is(err, lambda.ErrTooLarge) {
			t.Errorf("%s: got %v; want ErrTooLarge", name, err)
		}
	}
	if read > lambda.MaxPayload+1 {
		t.Errorf("read %d bytes of the reader; want at most MaxPayload+1", read)
	}
}

type countingReader struct {
	r io.Reader
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}
