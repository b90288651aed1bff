package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestSelfCheck(t *testing.T) {
	var out, errb bytes.Buffer
	env := func(string) string { return "" } // the embedded emulator
	if code := run(context.Background(), []string{"--self-check"}, env, &out, &errb); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "self-check OK") {
		t.Fatalf("stdout:\n%s", out.String())
	}
}
