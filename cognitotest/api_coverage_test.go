package cognitotest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// notYetAnswered are the operations of aws-sdk-go-v2's user pool client
// that the emulator does not answer yet, each with the work that owns it.
// TestEveryOperationAnswers fails for an operation listed here that does
// answer: delete its line when it lands.
var notYetAnswered = map[string]string{}

// notInSDK are user pool operations that aws-sdk-go-v2 v1.61.0 lacks; the
// test sends them as raw JSON 1.1.
var notInSDK = []string{"GetProvisionedLimit", "UpdateProvisionedLimit"}

// sdkOperations returns the operations of the SDK's client: its methods
// of the shape Op(ctx, *OpInput, ...func(*Options)) (*OpOutput, error).
func sdkOperations() []reflect.Method {
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	ct := reflect.TypeFor[*cip.Client]()
	var ops []reflect.Method
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		ft := m.Type // receiver first
		if ft.NumIn() != 4 || !ft.IsVariadic() || ft.In(1) != ctxType || ft.NumOut() != 2 || ft.Out(1) != errType {
			continue
		}
		in := ft.In(2)
		if in.Kind() != reflect.Pointer || in.Elem().Name() != m.Name+"Input" {
			continue
		}
		ops = append(ops, m)
	}
	return ops
}

// TestEveryOperationAnswers calls every operation of the SDK's client, with
// an empty input past the SDK's own validation, over HTTP: the emulator
// must answer each one (a result, or an error of the API with a 4xx
// status), except the operations of notYetAnswered. It also checks that
// the operations the SDK sends without credentials are the ones the
// emulator serves without them (Op.Public).
func TestEveryOperationAnswers(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	var mu sync.Mutex
	signed := map[string]bool{} // operation -> the SDK sent an Authorization header
	record := middleware.DeserializeMiddlewareFunc("recordAuth", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
		if req, ok := in.Request.(*smithyhttp.Request); ok {
			mu.Lock()
			signed[middleware.GetOperationName(ctx)] = req.Header.Get("Authorization") != ""
			mu.Unlock()
		}
		return next.HandleDeserialize(ctx, in)
	})
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) {
		o.RetryMaxAttempts = 1
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			s.Initialize.Remove("OperationInputValidation") // absent for operations without required fields
			return s.Deserialize.Add(record, middleware.Before)
		})
	})

	ops := sdkOperations()
	if len(ops) < 120 {
		t.Fatalf("found %d operations on the SDK client; the reflection no longer matches its methods", len(ops))
	}
	var names []string
	for _, m := range ops {
		names = append(names, m.Name)
		_, pending := notYetAnswered[m.Name]
		t.Run(m.Name, func(t *testing.T) {
			args := []reflect.Value{reflect.ValueOf(api), reflect.ValueOf(ctx()), reflect.New(m.Type.In(2).Elem())}
			out := m.Func.Call(args)
			err, _ := out[1].Interface().(error)
			var ae smithy.APIError
			unknown := errors.As(err, &ae) && ae.ErrorCode() == "UnknownOperationException"
			switch {
			case pending && unknown:
				return
			case pending:
				t.Errorf("%s answers now (%v): delete it from notYetAnswered", m.Name, err)
			case unknown:
				t.Fatalf("the emulator does not answer %s", m.Name)
			case err != nil && ae == nil:
				t.Fatalf("%s: %v; want a result or an error of the API", m.Name, err)
			}
			var re interface{ HTTPStatusCode() int }
			if err != nil && errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
				t.Errorf("%s with an empty input: status %d (%v); want a 4xx error", m.Name, re.HTTPStatusCode(), err)
			}
			// Public: the emulator serves the operation unsigned exactly when
			// the SDK sends it unsigned.
			mu.Lock()
			sdkSigned, seen := signed[m.Name]
			mu.Unlock()
			if !seen {
				t.Fatalf("%s: the request was not recorded", m.Name)
			}
			raw := jsonCallUnsigned(srv, m.Name)
			emuNeedsIAM := raw != nil && strings.Contains(raw.Error(), "MissingAuthenticationTokenException")
			if emuNeedsIAM != sdkSigned {
				t.Errorf("%s: the SDK signs it: %v; the emulator needs credentials: %v", m.Name, sdkSigned, emuNeedsIAM)
			}
		})
	}
	for name := range notYetAnswered {
		if !slices.Contains(names, name) {
			t.Errorf("notYetAnswered lists %s, which the SDK does not have", name)
		}
	}
	for _, name := range notInSDK {
		if slices.Contains(names, name) {
			t.Errorf("the SDK has %s now: drop it from notInSDK", name)
		}
		err := jsonCall(srv, name, map[string]any{}, nil)
		var ae *apiError
		if !errors.As(err, &ae) || ae.Type == "UnknownOperationException" || ae.Status >= 500 {
			t.Errorf("%s as raw JSON: got %v; want an error of the API (its input is empty)", name, err)
		}
	}
}

// jsonCallUnsigned sends an operation with an empty input and no
// Authorization header, and returns the API's error, if any.
func jsonCallUnsigned(srv *cognitotest.Server, op string) error {
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	e := &apiError{Status: resp.StatusCode}
	json.NewDecoder(resp.Body).Decode(e)
	return e
}
