package identitypool

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"golang.org/x/oauth2"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

var parseSeeds = []string{
	b64(`{"alg":"RS256"}`) + "." + b64(`{"sub":"abc","iss":"https://x","token_use":"id","exp":1700000000}`) + ".sig",
	b64(`{}`) + "." + b64(`{"sub":1,"exp":"soon"}`) + ".",
	b64(`{}`) + "." + b64(`{"token_use":"access"}`) + ".s",
	"a.b.c", "a.b", "..", "", "a.b.c.d", "x." + b64(`[1,2]`) + ".y", "x." + b64(`{"exp":1e300}`) + ".y",
	"x." + b64(`{"sub":"\u0000"}`) + ".y",
}

// FuzzParseUnverified: the unverified claims reader never panics and agrees
// with encoding/json on sub, iss and token_use.
func FuzzParseUnverified(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := parseUnverified(tok)
		if err != nil {
			return
		}
		_, rest, _ := cut(tok)
		body, derr := base64.RawURLEncoding.DecodeString(rest)
		var m map[string]any
		if derr != nil || json.Unmarshal(body, &m) != nil {
			t.Fatalf("parseUnverified accepted %q, which encoding/json rejects", tok)
		}
		for name, got := range map[string]string{"sub": c.Sub, "iss": c.Iss, "token_use": c.TokenUse} {
			want, _ := m[name].(string)
			if got != want {
				t.Fatalf("%s: got %q; want %q", name, got, want)
			}
		}
	})
}

func cut(tok string) (string, string, string) {
	var parts [3]string
	i := 0
	start := 0
	for j := 0; j < len(tok) && i < 2; j++ {
		if tok[j] == '.' {
			parts[i] = tok[start:j]
			i++
			start = j + 1
		}
	}
	rest := tok[start:]
	if i == 2 {
		return parts[0], parts[1], rest
	}
	return parts[0], rest, ""
}

type fuzzSource string

func (s fuzzSource) Token() (*oauth2.Token, error) {
	t := &oauth2.Token{AccessToken: string(s)}
	return t, nil
}

// FuzzFetchLogins: whatever a login source returns, fetchLogins either
// builds a Logins map carrying exactly that token or fails with
// ErrInvalidLogin; it never panics and never leaks the token in errors.
func FuzzFetchLogins(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add("cognito-idp.us-east-1.amazonaws.com/us-east-1_A", s)
		f.Add("accounts.google.com", s)
	}
	f.Fuzz(func(t *testing.T, provider, tok string) {
		l := Login{Provider: provider, Source: fuzzSource(tok)}
		if l.validate() != nil {
			return
		}
		r, err := fetchLogins(context.Background(), []Login{l}, false)
		if err != nil {
			if !errors.Is(err, ErrInvalidLogin) {
				t.Fatalf("got %v; want ErrInvalidLogin", err)
			}
			if len(tok) >= 12 && contains(err.Error(), tok) {
				t.Fatalf("error leaks the token: %v", err)
			}
			return
		}
		if r.m[provider] != tok || len(r.m) != 1 || r.key == "" {
			t.Fatalf("logins: got %v, key %q", r.m, r.key)
		}
	})
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
