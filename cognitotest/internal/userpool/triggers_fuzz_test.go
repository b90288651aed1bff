package userpool

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// responses are the response types the emulator decodes trigger answers
// into, one per trigger.
func responses() []any {
	return []any{
		&events.CognitoEventUserPoolsPreSignupResponse{},
		&events.CognitoEventUserPoolsDefineAuthChallengeResponse{},
		&events.CognitoEventUserPoolsCreateAuthChallengeResponse{},
		&events.CognitoEventUserPoolsVerifyAuthChallengeResponse{},
		&events.CognitoEventUserPoolsCustomMessageResponse{},
		&migrationResponse{},
		&events.CognitoEventUserPoolsPreTokenGenResponse{},
		&events.CognitoEventUserPoolsPreTokenGenResponseV2_0{},
	}
}

// FuzzTriggerResponse decodes arbitrary answers of triggers as every
// trigger's response, and applies pre token generation responses to
// tokens: nothing may panic, errors are Cognito's two
// InvalidLambdaResponseExceptions, and the claims Cognito protects never
// change.
func FuzzTriggerResponse(f *testing.F) {
	for _, seed := range []string{
		`{"response":{"autoConfirmUser":true,"autoVerifyEmail":true}}`,
		`{"response":{"challengeName":"CUSTOM_CHALLENGE","issueTokens":false}}`,
		`{"response":{"publicChallengeParameters":{"q":"2+2"},"privateChallengeParameters":{"a":"4"},"challengeMetadata":"m"}}`,
		`{"response":{"answerCorrect":true}}`,
		`{"response":{"emailMessage":"Code {####}","emailSubject":"Hi","smsMessage":"{####}"}}`,
		`{"response":{"userAttributes":{"email":"a@b.c"},"finalUserStatus":"CONFIRMED","messageAction":"SUPPRESS","desiredDeliveryMediums":["EMAIL"],"forceAliasCreation":true,"enableSMSMFA":false}}`,
		`{"response":{"claimsOverrideDetails":{"claimsToAddOrOverride":{"tenant":"acme","sub":"x"},"claimsToSuppress":["email","iss"],"groupOverrideDetails":{"groupsToOverride":["a"],"iamRolesToOverride":[],"preferredRole":null}}}}`,
		`{"response":{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"n":1,"o":{"a":[1,true]},"email_verified":{"x":1}},"claimsToSuppress":["aud"]},"accessTokenGeneration":{"claimsToAddOrOverride":{"roles":["r"],"client_id":"evil"},"claimsToSuppress":["username","x"],"scopesToAdd":["api/read","bad scope",""],"scopesToSuppress":["aws.cognito.signin.user.admin"]},"groupOverrideDetails":{"groupsToOverride":[]}}}}`,
		`{"response":null}`, `{}`, `null`, `[]`, `"x"`, `{"response":"x"}`, `{"response":{"autoConfirmUser":"true"}}`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	emu := emulator.New(emulator.Config{}, must(state.Open(nil)))
	svc := New(emu)
	protected := func() (map[string]any, map[string]any) {
		id := map[string]any{"sub": "s", "iss": "i", "aud": "c", "token_use": "id", "cognito:username": "u", "exp": 1, "email": "a@b.c"}
		access := map[string]any{"sub": "s", "iss": "i", "client_id": "c", "token_use": "access", "username": "u", "scope": "aws.cognito.signin.user.admin", "exp": 1}
		return id, access
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		for _, resp := range responses() {
			err := DecodeResponse(out, resp)
			var we *wire.Error
			if err != nil && !(errors.As(err, &we) && we.Type == "InvalidLambdaResponseException") {
				t.Fatalf("%T: got %v; want nil or InvalidLambdaResponseException", resp, err)
			}
			if err != nil {
				continue
			}
			id, access := protected()
			pt := &PendingTokens{svc: svc, ID: id, Access: access, user: &state.User{Username: "u"}}
			switch r := resp.(type) {
			case *events.CognitoEventUserPoolsPreTokenGenResponse:
				pt.applyV1(*r)
			case *events.CognitoEventUserPoolsPreTokenGenResponseV2_0:
				pt.applyV2(*r)
			default:
				continue
			}
			for _, k := range []string{"sub", "iss", "aud", "token_use", "cognito:username", "exp"} {
				if id[k] == nil {
					t.Fatalf("the ID token lost %s", k)
				}
			}
			for _, k := range []string{"sub", "iss", "client_id", "token_use", "username", "exp"} {
				if access[k] == nil {
					t.Fatalf("the access token lost %s", k)
				}
			}
			if sc, ok := access["scope"].(string); ok && (sc == "" || strings.Contains(sc, "  ")) {
				t.Fatalf("scope %q", sc)
			}
			if _, err := json.Marshal(id); err != nil {
				t.Fatalf("the ID token's claims do not encode: %v", err)
			}
		}
	})
}

// FuzzDecryptCode: the custom senders' ciphertexts decrypt only with their
// key, and nothing else decrypts.
func FuzzDecryptCode(f *testing.F) {
	f.Add("123456", "arn:aws:kms:us-east-1:000000000000:key/k", "AYADeIZczazd30Tm9/+4")
	f.Fuzz(func(t *testing.T, code, key, junk string) {
		c, err := EncryptCode(strings.NewReader(strings.Repeat("n", 12)), key, code)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := DecryptCode(key, c); err != nil || got != code {
			t.Fatalf("round trip: got %q, %v; want %q", got, err, code)
		}
		if _, err := DecryptCode(key+"x", c); !errors.Is(err, ErrCiphertext) {
			t.Fatalf("another key: got %v; want ErrCiphertext", err)
		}
		if got, err := DecryptCode(key, junk); err == nil && junk != c {
			t.Fatalf("junk %q decrypted to %q", junk, got)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
