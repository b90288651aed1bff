package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

// TestSelfCheck runs "go run ./examples/grpc --self-check" in-process: a
// TLS gRPC server and clients with per-RPC credentials.
func TestSelfCheck(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--self-check"}, noEnv, &out, &errb); code != 0 {
		t.Fatalf("exit %d; want 0\n%s%s", code, out.String(), errb.String())
	}
	got := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{
		"anonymous Health/Check -> OK SERVING",
		"anonymous Orders/Get -> Unauthenticated",
		"bob Orders/Watch (stream) -> OK event 1 for bob; event 2 for bob; event 3 for bob",
		"bob Orders/Cancel (admin) -> PermissionDenied",
		"alice Orders/Cancel (admin) -> OK order o-1 cancelled by alice",
		"machine Orders/Get -> OK order o-2, read by machine cognitokitconfidential",
		"self-check OK",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestBadFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--bogus"}, noEnv, &out, &errb); code != 2 {
		t.Errorf("got exit %d; want 2", code)
	}
}
