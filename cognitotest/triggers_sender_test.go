package cognitotest_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestTriggerCustomSenders sends codes through CustomEmailSender and
// CustomSMSSender handlers that decrypt them as production code does
// with KMS (here with DecryptCode, the emulated KMS).
func TestTriggerCustomSenders(t *testing.T) {
	t.Parallel()
	const kmsKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	rec := newRecorder()
	var mu sync.Mutex
	sent := map[string]string{} // destination -> decrypted code
	sender := func(_ context.Context, ev cognitotest.CustomSenderEvent) error {
		code, err := cognitotest.DecryptCode(kmsKey, ev.Request.Code)
		if err != nil {
			return err
		}
		dest := ev.Request.UserAttributes["email"]
		if ev.Request.Type == "customSMSSenderRequestV1" {
			dest = ev.Request.UserAttributes["phone_number"]
		}
		mu.Lock()
		sent[dest] = code
		mu.Unlock()
		return nil
	}
	customMessage := func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		return ev, errors.New("CustomMessage must not run when a custom sender sends the message")
	}
	e := newTriggerEnv(t, cognitotest.PoolConfig{AutoVerifiedAttributes: []string{"email"}, MFA: cognitotest.MFAOptional,
		LambdaTriggers: cognitotest.LambdaTriggers{CustomEmailSender: rec.wrap(sender), CustomSMSSender: rec.wrap(sender),
			CustomMessage: customMessage, KMSKeyID: kmsKey}})
	code := func(dest string) string {
		mu.Lock()
		defer mu.Unlock()
		return sent[dest]
	}

	must(e.signUp("ann", testPassword, map[string]string{"email": "ann@example.com"}, nil, map[string]string{"campaign": "spring"}))
	raw := rec.await(t, "CustomEmailSender_SignUp", 1)
	goldenEvent[cognitotest.CustomSenderEvent](t, "CustomEmailSender_SignUp", raw)
	m, _ := e.srv.LastMessage("ann", cognitotest.MsgSignUp)
	if got := code("ann@example.com"); got == "" || got != m.Code || m.Trigger != "CustomEmailSender_SignUp" {
		t.Fatalf("decrypted code %q, outbox %q (trigger %q); want the same code", got, m.Code, m.Trigger)
	}
	var ev cognitotest.CustomSenderEvent
	mustJSON(t, raw, &ev)
	if ev.Request.Code == m.Code {
		t.Error("the code was sent in the clear")
	}
	if _, err := cognitotest.DecryptCode("arn:aws:kms:us-east-1:123456789012:key/other", ev.Request.Code); !errors.Is(err, cognitotest.ErrCiphertext) {
		t.Errorf("decrypting with another key: %v; want ErrCiphertext", err)
	}
	must(e.api.ConfirmSignUp(ctx(), &cip.ConfirmSignUpInput{ClientId: aws.String(triggerApp), Username: aws.String("ann"),
		ConfirmationCode: aws.String(code("ann@example.com"))}))

	// SMS: the MFA code of a sign-in.
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "cy", Password: testPassword, PhoneNumber: "+15555550123", SMSMFA: true})
	must(e.login(triggerApp, "cy", testPassword, nil))
	goldenEvent[cognitotest.CustomSenderEvent](t, "CustomSMSSender_Authentication", rec.await(t, "CustomSMSSender_Authentication", 1))
	if got, want := code("+15555550123"), e.srv.LastCode("cy", cognitotest.MsgSMSMFA); got == "" || got != want {
		t.Errorf("SMS code %q; want %q", got, want)
	}
}
