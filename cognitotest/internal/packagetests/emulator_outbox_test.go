package packagetests_test

import (
	"context"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// TestOutboxBound: the outbox keeps the newest MaxMessages messages, in
// order, and filters and limits read the newest.
func TestOutboxBound(t *testing.T) {
	st, err := state.Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 5, 14, 7, 9, 0, time.UTC)
	var heard int
	e := emulator.New(emulator.Config{Now: func() time.Time { return t0 }, OnMessage: func(emulator.Message) { heard++ }}, st)
	ctx := emulator.WithOperation(context.Background(), "ForgotPassword")
	for i := range emulator.MaxMessages + 2 {
		user := "ann"
		if i%2 == 1 {
			user = "bob"
		}
		if err := e.Outbox.Deliver(ctx, nil, emulator.Message{PoolID: "us-east-1_X", Username: user, Kind: emulator.MsgForgotPassword, Medium: "EMAIL",
			Destination: user + "@example.com", Code: "123456"}); err != nil {
			t.Fatal(err)
		}
	}
	ms := e.Outbox.Messages(emulator.Filter{})
	if len(ms) != emulator.MaxMessages || ms[0].Seq != 3 || ms[len(ms)-1].Seq != emulator.MaxMessages+2 || heard != emulator.MaxMessages+2 {
		t.Fatalf("outbox: %d messages, seq %d to %d, heard %d; want %d, 3 to %d, heard all", len(ms), ms[0].Seq, ms[len(ms)-1].Seq, heard,
			emulator.MaxMessages, emulator.MaxMessages+2)
	}
	m := ms[len(ms)-1]
	if m.Operation != "ForgotPassword" || m.Trigger != "CustomMessage_ForgotPassword" || m.Subject != "Your password reset code" ||
		m.Text != "Your password reset code is 123456." || !m.Time.Equal(t0) {
		t.Errorf("message %+v", m)
	}
	bob := e.Outbox.Messages(emulator.Filter{User: "BOB@example.com", Limit: 3})
	if len(bob) != 3 || bob[2].Seq != emulator.MaxMessages+2 || bob[0].Seq != emulator.MaxMessages-2 {
		t.Errorf("bob's newest 3: %+v", bob)
	}
	if last, ok := e.Outbox.Last("ann", ""); !ok || last.Seq != emulator.MaxMessages+1 {
		t.Errorf("ann's last: %+v, %v", last, ok)
	}
	if n, err := e.Outbox.Clear(emulator.Filter{User: "ann"}); err != nil || n != emulator.MaxMessages/2 {
		t.Errorf("Clear(ann) = %d, %v; want %d", n, err, emulator.MaxMessages/2)
	}
	if _, ok := e.Outbox.Last("ann", ""); ok {
		t.Error("ann has messages after Clear")
	}
}
