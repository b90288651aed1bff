package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoTestingInBinary: the CLI embeds the emulator (cognito local)
// through cognitotest.New, and must not link the testing package (nor
// anything under testing/): test helpers have no place in a program.
func TestNoTestingInBinary(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the CLI's dependencies: %v", err)
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed %d packages; want the CLI's dependencies", len(deps))
	}
	for _, d := range deps {
		if d == "testing" || strings.HasPrefix(d, "testing/") {
			t.Errorf("cmd/cognito links %s; keep test helpers out of the packages it imports", d)
		}
	}
}
