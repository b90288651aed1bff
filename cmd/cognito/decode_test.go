package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDecodeCommand(t *testing.T) {
	tok := vtMint(t, time.Hour, map[string]any{"custom:tenant": "acme"})
	code, stdout, stderr := runCLI(t, "", nil, "decode", tok)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"UNVERIFIED", "Header (UNVERIFIED)", `"alg": "RS256"`, "Payload (UNVERIFIED)",
		`"custom:tenant": "acme"`, "Signature: 256 bytes, NOT checked", "exp", "from now"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.HasPrefix(stdout, "UNVERIFIED") {
		t.Errorf("output does not start with the UNVERIFIED banner")
	}

	// stdin and --json.
	code, stdout, _ = runCLI(t, tok+"\n", nil, "decode", "--json")
	if code != exitOK {
		t.Fatalf("--json: exit %d", code)
	}
	var d struct {
		Verified *bool          `json:"verified"`
		Header   map[string]any `json:"header"`
		Payload  map[string]any `json:"payload"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatalf("--json output: %v", err)
	}
	if d.Verified == nil || *d.Verified || d.Header["kid"] != vtKid || d.Payload["username"] != "alice" {
		t.Errorf("--json: got %+v", d)
	}

	// Forged tokens decode too: that is the point of the banner.
	forged := tok[:strings.LastIndexByte(tok, '.')+1] + "AAAA"
	if code, stdout, _ := runCLI(t, "", nil, "decode", forged); code != exitOK || !strings.Contains(stdout, "UNVERIFIED") {
		t.Errorf("forged: exit %d", code)
	}

	bad := []struct {
		name, tok, want string
		code            int
	}{
		{"two segments", "eyJhIjoxfQ.eyJhIjoxfQ", "2 segments", exitFailure},
		{"JWE", "a.b.c.d.e", "JWE", exitFailure},
		{"bad base64", "eyJhIjoxfQ==.eyJhIjoxfQ.AA", "base64url", exitFailure},
		{"payload not JSON", "eyJhIjoxfQ." + vtB64([]byte("hello")) + ".AA", "not a JSON object", exitFailure},
		{"no token", "", "no access token", exitUsage},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"decode"}
			if tc.tok != "" {
				args = append(args, tc.tok)
			}
			code, stdout, stderr := runCLI(t, "", nil, args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Errorf("got exit %d, stdout %q, stderr %q; want %d and %q", code, stdout, stderr, tc.code, tc.want)
			}
		})
	}
}

func TestHumanDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{90 * time.Second, "1m30s"}, {47 * time.Hour, "47h0m0s"}, {50 * time.Hour, "2d2h"}, {24*400*time.Hour + 5*time.Hour + time.Minute, "400d5h"}} {
		if got := humanDuration(tc.d); got != tc.want {
			t.Errorf("humanDuration(%v): got %s; want %s", tc.d, got, tc.want)
		}
	}
}

// FuzzDecodeSegments: the unverified decoder never panics and only returns
// JSON objects.
func FuzzDecodeSegments(f *testing.F) {
	f.Add(vtMint(f, time.Hour, nil))
	f.Add("eyJhIjoxfQ.eyJhIjoxfQ.")
	f.Add("a.b.c.d.e")
	f.Add("eyJhIjoxfQ==.eyJhIjoxfQ.AA")
	f.Fuzz(func(t *testing.T, tok string) {
		h, p, _, err := decodeSegments(tok)
		if err != nil {
			if h != nil || p != nil {
				t.Fatalf("segments with an error")
			}
			return
		}
		for _, seg := range [][]byte{h, p} {
			var m map[string]any
			if json.Unmarshal(seg, &m) != nil {
				t.Fatalf("decoded segment %q is not a JSON object", seg)
			}
		}
	})
}
