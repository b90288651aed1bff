package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/examples/internal/stagetest"
)

func TestSelfCheck(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"--self-check"}, func(string) string { return "" }, &out, &errOut); code != 0 {
		t.Fatalf("exit code %d; want 0\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	if got := strings.Count(out.String(), "  ok  "); got != 6 {
		t.Fatalf("%d steps passed; want 6:\n%s", got, out.String())
	}
}

func TestBadFlagsAndEnv(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"unknown flag", []string{"--nope"}, nil, 2},
		{"bad domain", []string{"--addr", "127.0.0.1:0"}, map[string]string{"COGNITO_DOMAIN": "http://evil.example.com", "COGNITO_CLIENT_ID": "abc", "COGNITO_USER_POOL_ID": "us-east-1_Abc"}, 1},
		{"prefix without region", []string{"--addr", "127.0.0.1:0"}, map[string]string{"COGNITO_DOMAIN": "myapp", "COGNITO_CLIENT_ID": "abc", "COGNITO_USER_POOL_ID": "us-east-1_Abc"}, 1},
		{"insecure cookies on a public URL", []string{"--addr", "127.0.0.1:0", "--insecure-cookies"}, map[string]string{"APP_URL": "http://app.example.com", "COGNITO_DOMAIN": "https://auth.example.com", "COGNITO_CLIENT_ID": "abc", "COGNITO_USER_POOL_ID": "us-east-1_Abc"}, 1},
		{"Sign in with Apple in demo mode", []string{"--addr", "127.0.0.1:0", "--provider", "SignInWithApple"}, nil, 1},
		{"bad cookie keys", []string{"--addr", "127.0.0.1:0"}, map[string]string{"COOKIE_KEYS": "c2hvcnQ="}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tc.args, func(k string) string { return tc.env[k] }, &out, &errOut); code != tc.want {
				t.Fatalf("exit code %d; want %d\nstderr: %s", code, tc.want, errOut.String())
			}
			if tc.want == 1 && !strings.Contains(errOut.String(), "webapp:") {
				t.Errorf("stderr = %q; want an explanation", errOut.String())
			}
		})
	}
}

// TestHelp: --help has the layout every example shares and names the
// variables that switch the example to real Cognito.
func TestHelp(t *testing.T) {
	stagetest.Help(t, func(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
		return run(args, getenv, stdout, stderr)
	}, "webapp", "COGNITO_DOMAIN", "COGNITO_CLIENT_ID", "COGNITO_CLIENT_SECRET", "COGNITO_USER_POOL_ID")
}

// TestProviderButton: --provider adds a "Sign in with …" button whose link
// goes straight to the provider through managed login; a provider that is
// not offered is refused, and the flag checks the name.
func TestProviderButton(t *testing.T) {
	var errOut bytes.Buffer
	log := slog.New(slog.NewTextHandler(&errOut, nil))
	app, err := start(options{addr: "127.0.0.1:0", getenv: func(string) string { return "" }, log: log, providers: []string{"Google", "Corp"}})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(app.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, p := range []string{"Google", "Corp"} {
		want := `data-provider="` + p + `" href="/auth/login?identity_provider=` + p + `&amp;return_to=%2Fme">Sign in with ` + p + `</a>`
		if !strings.Contains(string(body), want) {
			t.Fatalf("home page lacks the %s button %s:\n%s", p, want, body)
		}
	}
	resp, err = hc.Get(app.URL + "/auth/login?identity_provider=Google&return_to=%2Fme")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("identity_provider") != "Google" || !strings.HasPrefix(loc.String(), app.emu.OAuthDomain()+"/oauth2/authorize") {
		t.Fatalf("Google button: %d %v; want a redirect to managed login with identity_provider=Google", resp.StatusCode, loc)
	}
	resp, err = hc.Get(app.URL + "/auth/login?identity_provider=Facebook")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a provider not offered: %d; want 400", resp.StatusCode)
	}
	var out bytes.Buffer
	if code := run([]string{"--provider", "My IdP", "--self-check"}, func(string) string { return "" }, &out, &errOut); code != 2 {
		t.Fatalf("--provider with a space: exit %d; want 2", code)
	}
}
