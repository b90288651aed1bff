package passkeytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/cognitokit/cognitokit/srpclient/passkeytest"
)

// user is a relying party's user for go-webauthn.
type user struct {
	id    []byte
	creds []webauthn.Credential
}

func (u *user) WebAuthnID() []byte                         { return u.id }
func (u *user) WebAuthnName() string                       { return "ann@example.com" }
func (u *user) WebAuthnDisplayName() string                { return "Ann" }
func (u *user) WebAuthnCredentials() []webauthn.Credential { return u.creds }

const (
	rpID   = "example.com"
	origin = "https://app.example.com"
)

func newRP(t *testing.T, uv protocol.UserVerificationRequirement) *webauthn.WebAuthn {
	t.Helper()
	w, err := webauthn.New(&webauthn.Config{RPID: rpID, RPDisplayName: "Example", RPOrigins: []string{origin},
		AuthenticatorSelection: protocol.AuthenticatorSelection{UserVerification: uv, ResidentKey: protocol.ResidentKeyRequirementRequired}})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func newAuthenticator(t *testing.T, cfg passkeytest.Config) *passkeytest.Authenticator {
	t.Helper()
	if cfg.Origin == "" {
		cfg.Origin = origin
	}
	a, err := passkeytest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// register runs a registration ceremony and returns the credential the
// relying party stored, or the relying party's error.
func register(t *testing.T, w *webauthn.WebAuthn, a *passkeytest.Authenticator, u *user) (*webauthn.Credential, error) {
	t.Helper()
	creation, session, err := w.BeginRegistration(u)
	if err != nil {
		t.Fatal(err)
	}
	opts, _ := json.Marshal(creation.Response)
	resp, err := a.CreateCredential(context.Background(), opts)
	if err != nil {
		t.Fatalf("CreateCredential: %v", err)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(resp)
	if err != nil {
		return nil, err
	}
	return w.CreateCredential(u, *session, parsed)
}

// login runs an authentication ceremony, with allowCredentials when
// discoverable is false.
func login(t *testing.T, w *webauthn.WebAuthn, a *passkeytest.Authenticator, u *user, discoverable bool) (*webauthn.Credential, error) {
	t.Helper()
	var assertion *protocol.CredentialAssertion
	var session *webauthn.SessionData
	var err error
	if discoverable {
		assertion, session, err = w.BeginDiscoverableLogin()
	} else {
		assertion, session, err = w.BeginLogin(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	opts, _ := json.Marshal(assertion.Response)
	resp, err := a.GetAssertion(context.Background(), opts)
	if err != nil {
		t.Fatalf("GetAssertion: %v", err)
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(resp)
	if err != nil {
		return nil, err
	}
	if discoverable {
		return w.ValidateDiscoverableLogin(func(rawID, userHandle []byte) (webauthn.User, error) {
			if string(userHandle) != string(u.id) {
				return nil, errors.New("unknown user handle")
			}
			return u, nil
		}, *session, parsed)
	}
	return w.ValidateLogin(u, *session, parsed)
}

func TestRegisterAndLoginWithGoWebAuthn(t *testing.T) {
	w := newRP(t, protocol.VerificationRequired)
	a := newAuthenticator(t, passkeytest.Config{})
	u := &user{id: []byte("user-handle-0001")}
	cred, err := register(t, w, a, u)
	if err != nil {
		t.Fatalf("registration refused: %v", err)
	}
	if cred.AttestationType != "none" || !cred.Flags.UserPresent || !cred.Flags.UserVerified || cred.Authenticator.SignCount != 0 {
		t.Fatalf("credential %+v; want none attestation, UP, UV, count 0", cred)
	}
	u.creds = append(u.creds, *cred)
	creds := a.Credentials()
	if len(creds) != 1 || string(creds[0].ID) != string(cred.ID) || creds[0].RPID != rpID || string(creds[0].UserHandle) != string(u.id) {
		t.Fatalf("Credentials() = %+v", creds)
	}
	for i, discoverable := range []bool{false, true, false} {
		got, err := login(t, w, a, u, discoverable)
		if err != nil {
			t.Fatalf("login %d (discoverable %v) refused: %v", i, discoverable, err)
		}
		if got.Authenticator.CloneWarning || got.Authenticator.SignCount != uint32(i+1) {
			t.Fatalf("login %d: count %d, clone warning %v; want %d and none", i, got.Authenticator.SignCount, got.Authenticator.CloneWarning, i+1)
		}
		u.creds[0] = *got
	}

	// A cloned authenticator whose counter went back: go-webauthn flags
	// it (CloneWarning), which a relying party such as Cognito refuses.
	a.SetSignCount(cred.ID, 1)
	got, err := login(t, w, a, u, false)
	if err == nil && !got.Authenticator.CloneWarning {
		t.Fatalf("a counter going back from 3 to 2 was accepted without a clone warning")
	}
}

func TestRelyingPartyRefuses(t *testing.T) {
	u := &user{id: []byte("user-handle-0002")}
	t.Run("wrong origin at registration", func(t *testing.T) {
		_, err := register(t, newRP(t, protocol.VerificationPreferred), newAuthenticator(t, passkeytest.Config{Origin: "https://evil.example.com"}), u)
		if err == nil {
			t.Fatal("a credential created for another origin was accepted")
		}
	})
	t.Run("no user verification when required", func(t *testing.T) {
		_, err := register(t, newRP(t, protocol.VerificationRequired), newAuthenticator(t, passkeytest.Config{NoUserVerification: true}), u)
		if err == nil {
			t.Fatal("a registration without UV was accepted although UV is required")
		}
	})
	t.Run("no user presence", func(t *testing.T) {
		_, err := register(t, newRP(t, protocol.VerificationPreferred), newAuthenticator(t, passkeytest.Config{NoUserPresence: true}), u)
		if err == nil {
			t.Fatal("a registration without UP was accepted")
		}
	})
	t.Run("wrong origin at login", func(t *testing.T) {
		w := newRP(t, protocol.VerificationPreferred)
		good := newAuthenticator(t, passkeytest.Config{})
		cred, err := register(t, w, good, u)
		if err != nil {
			t.Fatal(err)
		}
		uu := &user{id: u.id, creds: []webauthn.Credential{*cred}}
		// A relying party that accepts only another origin.
		w2, _ := webauthn.New(&webauthn.Config{RPID: rpID, RPDisplayName: "Example", RPOrigins: []string{"https://other.example.com"}})
		if _, err := login(t, w2, good, uu, false); err == nil {
			t.Fatal("an assertion from an origin the relying party does not list was accepted")
		}
	})
	t.Run("wrong relying party ID", func(t *testing.T) {
		w := newRP(t, protocol.VerificationPreferred)
		a := newAuthenticator(t, passkeytest.Config{})
		cred, err := register(t, w, a, u)
		if err != nil {
			t.Fatal(err)
		}
		uu := &user{id: u.id, creds: []webauthn.Credential{*cred}}
		// A relying party of app.example.com: the credential is scoped
		// to example.com, so the authenticator has none for it.
		w2, _ := webauthn.New(&webauthn.Config{RPID: "app.example.com", RPDisplayName: "Example", RPOrigins: []string{origin}})
		assertion, _, err := w2.BeginLogin(uu)
		if err != nil {
			t.Fatal(err)
		}
		opts, _ := json.Marshal(assertion.Response)
		if _, err := a.GetAssertion(context.Background(), opts); !errors.Is(err, passkeytest.ErrNoCredential) {
			t.Fatalf("GetAssertion for another RP ID: %v; want ErrNoCredential", err)
		}
	})
}

func TestAuthenticatorRefuses(t *testing.T) {
	a := newAuthenticator(t, passkeytest.Config{})
	good := `{"rp":{"id":"example.com","name":"x"},"user":{"id":"dXNlcg","name":"u","displayName":"U"},"challenge":"AAAAAAAAAAAAAAAAAAAAAA","pubKeyCredParams":[{"type":"public-key","alg":-7}]}`
	resp, err := a.CreateCredential(context.Background(), []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		ID string `json:"id"`
	}
	json.Unmarshal(resp, &r)
	tests := []struct {
		name string
		opts string
		want error
	}{
		{"not JSON", `{`, passkeytest.ErrInvalidOptions},
		{"no challenge", `{"rp":{"id":"example.com"},"user":{"id":"dXNlcg"}}`, passkeytest.ErrInvalidOptions},
		{"short challenge", `{"rp":{"id":"example.com"},"user":{"id":"dXNlcg"},"challenge":"AAAA"}`, passkeytest.ErrInvalidOptions},
		{"foreign RP ID", `{"rp":{"id":"evil.com"},"user":{"id":"dXNlcg"},"challenge":"AAAAAAAAAAAAAAAAAAAAAA"}`, passkeytest.ErrInvalidOptions},
		{"public suffix RP ID", `{"rp":{"id":"com"},"user":{"id":"dXNlcg"},"challenge":"AAAAAAAAAAAAAAAAAAAAAA"}`, passkeytest.ErrInvalidOptions},
		{"no user id", `{"rp":{"id":"example.com"},"challenge":"AAAAAAAAAAAAAAAAAAAAAA"}`, passkeytest.ErrInvalidOptions},
		{"RS256 only", `{"rp":{"id":"example.com"},"user":{"id":"dXNlcg"},"challenge":"AAAAAAAAAAAAAAAAAAAAAA","pubKeyCredParams":[{"type":"public-key","alg":-257}]}`, passkeytest.ErrInvalidOptions},
		{"excluded", `{"rp":{"id":"example.com"},"user":{"id":"b3RoZXI"},"challenge":"AAAAAAAAAAAAAAAAAAAAAA","excludeCredentials":[{"type":"public-key","id":"` + r.ID + `"}]}`, passkeytest.ErrExcluded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := a.CreateCredential(context.Background(), []byte(tc.opts)); !errors.Is(err, tc.want) {
				t.Fatalf("CreateCredential: %v; want %v", err, tc.want)
			}
		})
	}
	for name, opts := range map[string]string{
		"unknown credential": `{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","rpId":"example.com","allowCredentials":[{"type":"public-key","id":"AAAA"}]}`,
		"other RP":           `{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","rpId":"app.example.com"}`,
	} {
		if _, err := a.GetAssertion(context.Background(), []byte(opts)); !errors.Is(err, passkeytest.ErrNoCredential) {
			t.Errorf("%s: %v; want ErrNoCredential", name, err)
		}
	}
	if _, err := a.GetAssertion(context.Background(), []byte(`{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","rpId":"evil.com"}`)); !errors.Is(err, passkeytest.ErrInvalidOptions) {
		t.Errorf("foreign rpId: %v; want ErrInvalidOptions", err)
	}
	// The {"publicKey": ...} wrapper of navigator.credentials.get works.
	if _, err := a.GetAssertion(context.Background(), []byte(`{"publicKey":{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","rpId":"example.com"}}`)); err != nil {
		t.Errorf("wrapped options: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.GetAssertion(ctx, []byte(good)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	for _, o := range []string{"", "http://app.example.com", "https://app.example.com/path", "ftp://x"} {
		if _, err := passkeytest.New(passkeytest.Config{Origin: o}); !errors.Is(err, passkeytest.ErrInvalidConfig) {
			t.Errorf("New(Origin %q): %v; want ErrInvalidConfig", o, err)
		}
	}
	if _, err := passkeytest.New(passkeytest.Config{Origin: "http://localhost:8080"}); err != nil {
		t.Errorf("http://localhost: %v", err)
	}
}
