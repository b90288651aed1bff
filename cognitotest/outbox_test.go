package cognitotest_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// failingStore is a MemoryStore whose commits fail while fail is set.
type failingStore struct {
	*state.MemoryStore
	fail atomic.Bool
}

func (f *failingStore) Update(fn func(state.StoreTx) error) error {
	if f.fail.Load() {
		return errors.New("disk full")
	}
	return f.MemoryStore.Update(fn)
}

// TestMessagesAreState: a message exists exactly when the transaction that
// made its code commits: a sign-up whose commit fails leaves no message
// (and WithOnMessage hears of none); a committed one is in the outbox,
// heard of once, and still there, with a code that still works, on a
// server reopened on the same store.
func TestMessagesAreState(t *testing.T) {
	t.Parallel()
	store := &failingStore{MemoryStore: state.NewMemoryStore()}
	var mu sync.Mutex
	var heard []cognitotest.Message
	listen := cognitotest.WithOnMessage(func(m cognitotest.Message) { mu.Lock(); heard = append(heard, m); mu.Unlock() })
	srv := cognitotest.NewServer(t, cognitotest.WithStore(store), listen, fastKeys())
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Outbox", AutoVerifiedAttributes: []string{"email"}})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	signUp := func(api *cip.Client, name string) error {
		_, err := api.SignUp(ctx(), &cip.SignUpInput{ClientId: aws.String(app.ID), Username: aws.String(name), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}})
		return err
	}

	store.fail.Store(true)
	if err := signUp(api, "ann"); err == nil {
		t.Fatal("SignUp succeeded with a failing store")
	}
	store.fail.Store(false)
	if ms := srv.Messages(); len(ms) != 0 {
		t.Errorf("after a failed commit the outbox has %+v; want nothing", ms)
	}
	mu.Lock()
	if len(heard) != 0 {
		t.Errorf("WithOnMessage heard %+v of a failed commit", heard)
	}
	mu.Unlock()

	if err := signUp(api, "ann"); err != nil {
		t.Fatal(err)
	}
	ms := srv.Messages()
	mu.Lock()
	if len(ms) != 1 || len(heard) != 1 || heard[0] != ms[0] {
		t.Fatalf("outbox %+v, heard %+v; want the same one message", ms, heard)
	}
	mu.Unlock()
	m := ms[0]
	if m.Username != "ann" || m.Kind != cognitotest.MsgSignUp || m.Operation != "SignUp" || m.Trigger != "CustomMessage_SignUp" ||
		m.Seq != 1 || m.Subject != "Your verification code" || m.Text != "Your verification code is "+m.Code+"." || len(m.Code) != 6 {
		t.Errorf("message %+v", m)
	}
	srv.Close()

	srv2 := cognitotest.NewServer(t, cognitotest.WithStore(store), fastKeys())
	if got := srv2.Messages(); len(got) != 1 || got[0] != m {
		t.Errorf("after a restart the outbox has %+v; want %+v", got, m)
	}
	api2 := cip.NewFromConfig(srv2.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	_, err := api2.ConfirmSignUp(ctx(), &cip.ConfirmSignUpInput{ClientId: aws.String(app.ID), Username: aws.String("ann"),
		ConfirmationCode: aws.String(srv2.LastCode("ann@example.com", cognitotest.MsgSignUp))})
	if err != nil {
		t.Errorf("ConfirmSignUp after a restart with the code from the outbox: %v", err)
	}
	// Numbering goes on.
	if err := signUp(api2, "bo"); err != nil {
		t.Fatal(err)
	}
	if got := srv2.Messages(); len(got) != 2 || got[1].Seq != 2 {
		t.Errorf("after a restart, a new message: %+v; want seq 2", got)
	}
}
