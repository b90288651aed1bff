package userpool

import (
	"context"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/srpclient/passkeytest"
)

func TestRelyingPartyAllows(t *testing.T) {
	rp := &RelyingParty{ID: "example.com", UserVerification: "preferred", public: "http://cognito:9229"}
	local := &RelyingParty{ID: "localhost", UserVerification: "preferred", public: "http://localhost:9229"}
	for _, tc := range []struct {
		rp     *RelyingParty
		origin string
		want   bool
	}{
		{rp, "https://example.com", true},
		{rp, "https://auth.example.com", true},
		{rp, "https://auth.example.com:8443", true},
		{rp, "http://auth.example.com", false}, // not a secure context
		{rp, "https://evilexample.com", false},
		{rp, "https://example.com.evil.test", false},
		{rp, "https://example.com/path", false},
		{rp, "https://user@example.com", false},
		{rp, "android:apk-key-hash:abc", false},
		{rp, "", false},
		{local, "http://localhost:3000", true},
		{local, "http://localhost:9229", true},
		{local, "https://localhost", true},
		{local, "http://127.0.0.1:9229", false}, // an IP is not within localhost
		{local, "http://app.localhost:3000", true},
	} {
		if got := tc.rp.Allows(tc.origin); got != tc.want {
			t.Errorf("relying party %s, origin %q: got %v; want %v", tc.rp.ID, tc.origin, got, tc.want)
		}
	}
}

// ceremonyFixture is a user with a registration in progress and a
// registered passkey with a sign-in in progress, for the fuzz targets.
func ceremonyFixture(tb testing.TB) (u *state.User, reg *PasskeyRegistration, key *state.Passkey, login *PasskeyLogin, regJSON, loginJSON []byte) {
	tb.Helper()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rp := &RelyingParty{ID: "localhost", UserVerification: "preferred", public: "http://localhost:9229"}
	u = &state.User{PoolID: "us-east-1_Fuzz", Username: "alice", Sub: "7d0b1c2e-0000-4000-8000-000000000001"}
	a, err := passkeytest.New(passkeytest.Config{Origin: "http://localhost:9229"})
	if err != nil {
		tb.Fatal(err)
	}
	opts, reg0, aerr := BeginPasskeyRegistration(rp, u, nil, now)
	if aerr != nil {
		tb.Fatal(aerr)
	}
	first, err := a.CreateCredential(context.Background(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	if key, aerr = FinishPasskeyRegistration(reg0, u, nil, first, now); aerr != nil {
		tb.Fatal(aerr)
	}
	opts, reg, _ = BeginPasskeyRegistration(rp, u, nil, now)
	b, _ := passkeytest.New(passkeytest.Config{Origin: "http://localhost:9229"})
	regJSON, _ = b.CreateCredential(context.Background(), opts)
	opts, login, aerr = BeginPasskeyLogin(rp, u, []*state.Passkey{key})
	if aerr != nil {
		tb.Fatal(aerr)
	}
	if loginJSON, err = a.GetAssertion(context.Background(), opts); err != nil {
		tb.Fatal(err)
	}
	return u, reg, key, login, regJSON, loginJSON
}

func TestPasskeyCeremonies(t *testing.T) {
	u, reg, key, login, regJSON, loginJSON := ceremonyFixture(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	k, aerr := FinishPasskeyRegistration(reg, u, []*state.Passkey{key}, regJSON, now)
	if aerr != nil || k.RPID != "localhost" || len(k.PublicKey) == 0 || k.AttestationFormat != "none" {
		t.Fatalf("registration: %+v, %v", k, aerr)
	}
	used, aerr := FinishPasskeyLogin(login, u, []*state.Passkey{key}, loginJSON, now)
	if aerr != nil || used.SignCount != 1 || !used.LastUsedAt.Equal(now) {
		t.Fatalf("sign-in: %+v, %v", used, aerr)
	}
	// The same assertion again: the counter did not go up.
	if _, aerr := FinishPasskeyLogin(login, u, []*state.Passkey{used}, loginJSON, now); aerr == nil || aerr.Type != "NotAuthorizedException" {
		t.Fatalf("a replayed assertion: %v; want NotAuthorizedException", aerr)
	}
}

// FuzzPasskeyResponses verifies arbitrary registration and
// authentication responses: nothing panics, failures are errors of the
// API, and what verifies is the relying party's and the user's passkey.
func FuzzPasskeyResponses(f *testing.F) {
	u, reg, key, login, regJSON, loginJSON := ceremonyFixture(f)
	f.Add(regJSON)
	f.Add(loginJSON)
	f.Add([]byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}`))
	f.Add([]byte(`{}`))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		k, aerr := FinishPasskeyRegistration(reg, u, nil, data, now)
		switch {
		case aerr != nil && (aerr.Type == "" || aerr.Message == ""):
			t.Fatalf("registration: an empty error %+v", aerr)
		case aerr == nil && (k.RPID != "localhost" || k.Sub != u.Sub || len(k.PublicKey) == 0):
			t.Fatalf("registered %+v from %q", k, data)
		}
		used, aerr := FinishPasskeyLogin(login, u, []*state.Passkey{key}, data, now)
		switch {
		case aerr != nil && (aerr.Type == "" || aerr.Message == ""):
			t.Fatalf("sign-in: an empty error %+v", aerr)
		case aerr == nil && string(used.ID) != string(key.ID):
			t.Fatalf("signed in with %x, not the user's passkey, from %q", used.ID, data)
		}
	})
}

// BenchmarkFinishPasskeyLogin measures the verification of an assertion
// (parse, origin, go-webauthn's checks, the ES256 signature).
func BenchmarkFinishPasskeyLogin(b *testing.B) {
	u, _, key, login, _, loginJSON := ceremonyFixture(b)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	keys := []*state.Passkey{key}
	if _, aerr := FinishPasskeyLogin(login, u, keys, loginJSON, now); aerr != nil {
		b.Fatal(aerr)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, aerr := FinishPasskeyLogin(login, u, keys, loginJSON, now); aerr != nil {
			b.Fatal(aerr)
		}
	}
}
