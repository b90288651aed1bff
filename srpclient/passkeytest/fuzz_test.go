package passkeytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cognitokit/cognitokit/srpclient/passkeytest"
)

// FuzzOptions: any options JSON gives a JSON response or an error of the
// package's sentinels, never a panic.
func FuzzOptions(f *testing.F) {
	f.Add(`{"rp":{"id":"example.com"},"user":{"id":"dXNlcg","name":"u"},"challenge":"AAAAAAAAAAAAAAAAAAAAAA","pubKeyCredParams":[{"type":"public-key","alg":-7}]}`,
		`{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","rpId":"example.com"}`)
	f.Add(`{"publicKey":{"rp":{},"user":{"id":"AA=="},"challenge":"AAAAAAAAAAAAAAAAAAAAAA+/"}}`, `{"publicKey":{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","allowCredentials":[{"id":"%%"}]}}`)
	f.Fuzz(func(t *testing.T, create, get string) {
		a, err := passkeytest.New(passkeytest.Config{Origin: "https://app.example.com"})
		if err != nil {
			t.Fatal(err)
		}
		check := func(out []byte, err error) {
			if err != nil {
				if !errors.Is(err, passkeytest.ErrInvalidOptions) && !errors.Is(err, passkeytest.ErrExcluded) && !errors.Is(err, passkeytest.ErrNoCredential) {
					t.Fatalf("error %v matches no sentinel", err)
				}
				return
			}
			if !json.Valid(out) {
				t.Fatalf("response is not JSON: %q", out)
			}
		}
		check(a.CreateCredential(context.Background(), []byte(create)))
		check(a.GetAssertion(context.Background(), []byte(get)))
	})
}
