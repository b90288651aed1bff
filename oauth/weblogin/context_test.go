package weblogin_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
	"github.com/cognitokit/cognitokit/verifier"
)

func TestSessionFromContext(t *testing.T) {
	s := &weblogin.Session{Subject: "sub-1", Groups: []string{"admin"}}
	if got, ok := weblogin.SessionFromContext(weblogin.NewContext(context.Background(), s)); !ok || got != s {
		t.Errorf("got %v, %v; want the stored session", got, ok)
	}
	if got, ok := weblogin.SessionFromContext(context.Background()); ok || got != nil {
		t.Errorf("empty context: got %v, %v; want nil, false", got, ok)
	}
	if got, ok := weblogin.SessionFromContext(weblogin.NewContext(context.Background(), nil)); ok || got != nil {
		t.Errorf("nil session: got %v, %v; want nil, false", got, ok)
	}
	//lint:ignore SA1012 a nil context is the input under test
	if got, ok := weblogin.SessionFromContext(nil); ok || got != nil {
		t.Errorf("nil context: got %v, %v; want nil, false", got, ok)
	}
}

// TestSessionIDClaims: a session's claims are read as package verifier
// reads them (case-sensitive names, no repeated members), by IDClaims and
// by the deprecated Claim alike.
func TestSessionIDClaims(t *testing.T) {
	for _, tc := range []struct {
		name, payload string
		claim         string
		want          string // "" when the claim must not be found
		wantErr       error
	}{
		{"string claim", `{"sub":"u1","custom:tenant":"acme"}`, "custom:tenant", "acme", nil},
		{"names are case-sensitive", `{"sub":"u1","custom:tenant":"acme"}`, "custom:Tenant", "", nil},
		{"not a string", `{"sub":"u1","custom:n":7}`, "custom:n", "", nil},
		{"repeated member", `{"sub":"u1","custom:role":"viewer","custom:role":"admin"}`, "custom:role", "", verifier.ErrMalformed},
		{"repeated ignoring case", `{"sub":"u1","custom:role":"viewer","custom:Role":"admin"}`, "custom:role", "", verifier.ErrMalformed},
		{"a known claim in another case", `{"sub":"u1","SUB":"u2"}`, "sub", "", verifier.ErrMalformed},
		{"not an object", `["sub"]`, "sub", "", verifier.ErrMalformed},
		{"no claims", ``, "sub", "", auth.ErrNoClaims},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &weblogin.Session{Subject: "u1", Claims: json.RawMessage(tc.payload)}
			c, err := s.IDClaims()
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("IDClaims: got %v; want %v", err, tc.wantErr)
				}
			case err != nil:
				t.Fatalf("IDClaims: %v", err)
			default:
				got, ok := c.String(tc.claim)
				if got != tc.want || ok != (tc.want != "") {
					t.Errorf("IDClaims().String(%q): got %q, %v; want %q", tc.claim, got, ok, tc.want)
				}
				if c.Subject != "u1" {
					t.Errorf("Subject: got %q; want u1", c.Subject)
				}
			}
			got, ok := s.Claim(tc.claim)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("Claim(%q): got %q, %v; want %q", tc.claim, got, ok, tc.want)
			}
		})
	}
}
