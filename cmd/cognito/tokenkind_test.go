package main

import (
	"strings"
	"testing"
)

// TestTokenKinds: revoke and refresh take a refresh token and say what
// they got instead, before calling Cognito (the endpoint is dead: a
// network call would exit 3).
func TestTokenKinds(t *testing.T) {
	f := newCLIFixture(t)
	bob := f.signIn(t, f.public, "bob")
	dead := f.environ(f.public)
	dead[envEndpoint] = deadEndpoint(t)
	tests := []struct {
		name, cmd, tok, want string
	}{
		{"revoke access token", "revoke", bob.AccessToken, "this is an access token, not a refresh token"},
		{"revoke ID token", "revoke", bob.IDToken, "this is an ID token, not a refresh token"},
		{"revoke non-token", "revoke", "hello", "this is not a refresh token"},
		{"revoke JSON error", "revoke", `{"message":"x"}x`, "this is not a refresh token"},
		{"refresh access token", "refresh", bob.AccessToken, "this is an access token, not a refresh token"},
		{"refresh other JWT", "refresh", unsignedJWT(t, map[string]any{"sub": "x"}), "neither a Cognito access nor ID token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", dead, tc.cmd, tc.tok)
			if code != exitUsage || stdout != "" {
				t.Errorf("got exit %d, stdout %q; want %d and nothing", code, stdout, exitUsage)
			}
			oneLine(t, stderr, "cognito "+tc.cmd+": ", tc.want, "refresh_token")
		})
	}
	// A quoted refresh token is taken as the token.
	code, _, stderr := runCLI(t, `"`+bob.RefreshToken+`"`, f.environ(f.public), "refresh", "--output", "token")
	if code != exitOK {
		t.Errorf("quoted refresh token: got exit %d (stderr %q)", code, stderr)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		tok  string
		want tokenKind
	}{
		{"", kindNotToken},
		{"hello", kindNotToken},
		{"a b c", kindNotToken},
		{"abc.def.ghi", kindNotToken}, // not base64 JSON
		{"1b0e8c6a-0000-4000-8000-0123456789ab", kindOpaque},
		{"eyJjdHkiOiJKV1QifQ.a.b.c.d", kindRefresh},
		{"a.b", kindNotToken},
		{strings.Repeat("x", 19), kindNotToken},
	}
	for _, tc := range tests {
		if got := kindOf(tc.tok); got != tc.want {
			t.Errorf("kindOf(%q): got %v; want %v", tc.tok, got, tc.want)
		}
	}
}

func TestCleanCredential(t *testing.T) {
	for in, want := range map[string]string{
		"tok":               "tok",
		"  tok \n":          "tok",
		`"tok"`:             "tok",
		`'tok'`:             "tok",
		"Bearer tok":        "tok",
		`"Bearer tok"`:      "tok",
		`Bearer "tok"`:      "tok",
		`bearer 'tok'`:      "tok",
		`""tok""`:           `"tok"`, // one pair only
		`"tok'`:             `"tok'`,
		`"`:                 `"`,
		`"Bearer "tok""`:    `"tok"`,
		"Bearer  \t tok  ":  "tok",
		`  "  Bearer tok "`: "tok",
	} {
		if got := cleanCredential(in); got != want {
			t.Errorf("cleanCredential(%q): got %q; want %q", in, got, want)
		}
	}
}
