package redistest

import (
	"strings"
	"testing"
)

// TestStartReportsAnExit: a server that exits before it answers (here, on
// an option Redis does not know) is reported at once, with what it said.
func TestStartReportsAnExit(t *testing.T) {
	s, err := newServer(binary(t), t.TempDir(), "--no-such-option", "yes")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	err = s.start()
	if err == nil {
		t.Fatal("start with an unknown option: got nil; want an error")
	}
	if msg := err.Error(); !strings.Contains(msg, "exited before it answered") || !strings.Contains(msg, "no-such-option") {
		t.Fatalf("start with an unknown option: got %q; want the exit and Redis's complaint about no-such-option", msg)
	}
}
