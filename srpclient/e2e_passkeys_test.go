package srpclient_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
	"github.com/cognitokit/cognitokit/srpclient/passkeytest"
)

// passkeyE2E is a pool that allows passkeys, with user "pk" (password
// "pw-passkey-1") signed in: its access token.
type passkeyE2E struct {
	*e2e
	c     *srpclient.Client
	token string
}

func newPasskeyE2E(t *testing.T, factors ...string) *passkeyE2E {
	t.Helper()
	if factors == nil {
		factors = []string{"PASSWORD", "WEB_AUTHN"}
	}
	e := newE2E(t, cognitotest.PoolConfig{AllowedFirstAuthFactors: factors}, cognitotest.ClientConfig{GenerateSecret: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "pk", Email: "pk@example.com", Password: "pw-passkey-1"})
	c := e.client(t, nil)
	tk := mustDone(t, rr(c.SignIn(context.Background(), srpclient.SignInInput{Username: "pk", Password: "pw-passkey-1"})))
	return &passkeyE2E{e2e: e, c: c, token: tk.AccessToken}
}

func authenticator(t *testing.T, cfg passkeytest.Config) *passkeytest.Authenticator {
	t.Helper()
	if cfg.Origin == "" {
		// The emulator on 127.0.0.1 defaults the relying party ID to
		// localhost; an app served on localhost may use it.
		cfg.Origin = "http://localhost:3000"
	}
	a, err := passkeytest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestE2EPasskeys(t *testing.T) {
	t.Parallel()
	e := newPasskeyE2E(t)
	ctx := context.Background()
	a := authenticator(t, passkeytest.Config{})

	// Before a passkey, USER_AUTH does not offer WEB_AUTHN.
	sel := nextAs[*srpclient.SelectChallenge](t, rr(e.c.SignIn(ctx, srpclient.SignInInput{Username: "pk", Flow: srpclient.FlowUserAuth})))
	if strings.Contains(strings.Join(sel.Available, ","), "WEB_AUTHN") {
		t.Fatalf("available before a passkey: %v", sel.Available)
	}

	if err := e.c.RegisterPasskey(ctx, e.token, a); err != nil {
		t.Fatal(err)
	}
	keys, err := e.c.ListPasskeys(ctx, e.token)
	if err != nil {
		t.Fatal(err)
	}
	held := a.Credentials()
	if len(keys) != 1 || len(held) != 1 {
		t.Fatalf("passkeys: got %d listed, %d held; want 1 and 1", len(keys), len(held))
	}
	k := keys[0]
	if want := base64.RawURLEncoding.EncodeToString(held[0].ID); k.CredentialID != want || k.RelyingPartyID != "localhost" || k.AuthenticatorAttachment != "platform" ||
		strings.Join(k.Transports, ",") != "internal,hybrid" || k.CreatedAt.IsZero() {
		t.Errorf("listed %+v; want ID %s, relying party localhost, platform, internal and hybrid", k, want)
	}
	if held[0].RPID != "localhost" || string(held[0].UserHandle) == "" {
		t.Errorf("the authenticator holds %+v", held[0])
	}

	// Sign in with it; then SELECT_CHALLENGE offers it too.
	tk := mustDone(t, rr(e.c.SignInWithPasskey(ctx, "pk", a)))
	if tk.Username != "pk" || tk.AccessToken == "" || tk.IDToken == "" {
		t.Fatalf("tokens: %+v", tk)
	}
	sel = nextAs[*srpclient.SelectChallenge](t, rr(e.c.SignIn(ctx, srpclient.SignInInput{Username: "pk", Flow: srpclient.FlowUserAuth})))
	if !strings.Contains(strings.Join(sel.Available, ","), "WEB_AUTHN") {
		t.Fatalf("available with a passkey: %v", sel.Available)
	}
	res, err := sel.Choose(ctx, "WEB_AUTHN")
	step := nextAs[*srpclient.WebAuthnRequired](t, rr(res, err))
	mustDone(t, rr(step.AnswerWith(ctx, a)))
	if got := a.Credentials()[0].SignCount; got != 2 {
		t.Fatalf("sign count after two sign-ins: %d; want 2", got)
	}

	t.Run("cloned counter", func(t *testing.T) {
		// A clone of the authenticator whose counter went back: the
		// emulator saw 2; the next assertion carries 2 again.
		a.SetSignCount(held[0].ID, 1)
		_, err := e.c.SignInWithPasskey(ctx, "pk", a)
		if !errors.Is(err, srpclient.ErrNotAuthorized) || !strings.Contains(err.Error(), "counter") {
			t.Fatalf("got %v; want ErrNotAuthorized about the counter", err)
		}
		// The refused assertion did not move the stored counter: the
		// real authenticator (at 2, next 3) still signs in.
		a.SetSignCount(held[0].ID, 2)
		mustDone(t, rr(e.c.SignInWithPasskey(ctx, "pk", a)))
	})

	t.Run("wrong origin", func(t *testing.T) {
		// A page of another site relays the ceremony (the browser would
		// report its origin in clientDataJSON).
		phish := &originRewriter{a: a, origin: "https://evil.example"}
		_, err := e.c.SignInWithPasskey(ctx, "pk", phish)
		if !errors.Is(err, srpclient.ErrNotAuthorized) || !strings.Contains(err.Error(), "origin") {
			t.Fatalf("sign-in: got %v; want ErrNotAuthorized about the origin", err)
		}
		err = e.c.RegisterPasskey(ctx, e.token, &originRewriter{a: authenticator(t, passkeytest.Config{}), origin: "https://evil.example"})
		var notAllowed *types.WebAuthnOriginNotAllowedException
		if !errors.As(err, &notAllowed) {
			t.Fatalf("registration: got %v; want WebAuthnOriginNotAllowedException", err)
		}
	})

	t.Run("relying party of another site", func(t *testing.T) {
		other := authenticator(t, passkeytest.Config{Origin: "https://app.example.com"})
		err := e.c.RegisterPasskey(ctx, e.token, other)
		if err == nil {
			t.Fatal("a passkey for app.example.com was registered with relying party localhost")
		}
	})

	t.Run("user verification preferred", func(t *testing.T) {
		noUV := authenticator(t, passkeytest.Config{NoUserVerification: true})
		if err := e.c.RegisterPasskey(ctx, e.token, noUV); err != nil {
			t.Fatalf("a passkey without user verification, in a pool that prefers it: %v", err)
		}
		mustDone(t, rr(e.c.SignInWithPasskey(ctx, "pk", noUV)))
	})

	t.Run("delete", func(t *testing.T) {
		keys, err := e.c.ListPasskeys(ctx, e.token)
		if err != nil || len(keys) != 2 {
			t.Fatalf("ListPasskeys = %d, %v; want 2", len(keys), err)
		}
		for _, k := range keys {
			if err := e.c.DeletePasskey(ctx, e.token, k.CredentialID); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.c.DeletePasskey(ctx, e.token, keys[0].CredentialID); !errors.Is(err, srpclient.ErrInvalidConfig) {
			t.Fatalf("deleting it again: got %v; want ErrInvalidConfig (ResourceNotFoundException)", err)
		}
		if keys, err := e.c.ListPasskeys(ctx, e.token); err != nil || len(keys) != 0 {
			t.Fatalf("after deleting: %d passkeys, %v", len(keys), err)
		}
		if _, err := e.c.SignInWithPasskey(ctx, "pk", a); err == nil {
			t.Fatal("signed in with a deleted passkey")
		}
	})
}

func TestE2EPasskeyLimits(t *testing.T) {
	t.Parallel()
	e := newPasskeyE2E(t)
	ctx := context.Background()
	for i := range 20 {
		if err := e.c.RegisterPasskey(ctx, e.token, authenticator(t, passkeytest.Config{})); err != nil {
			t.Fatalf("passkey %d: %v", i+1, err)
		}
	}
	// The SDK retries LimitExceededException as throttling; once is
	// enough here.
	once := e.client(t, func(c *srpclient.Config) {
		c.API = cip.NewFromConfig(e.srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	})
	err := once.RegisterPasskey(ctx, e.token, authenticator(t, passkeytest.Config{}))
	var limit *types.LimitExceededException
	if !errors.As(err, &limit) {
		t.Fatalf("passkey 21: got %v; want LimitExceededException", err)
	}
	keys, err := e.c.ListPasskeys(ctx, e.token) // pages of at most 20
	if err != nil || len(keys) != 20 {
		t.Fatalf("ListPasskeys = %d, %v; want 20", len(keys), err)
	}
}

func TestE2EPasskeysNotEnabled(t *testing.T) {
	t.Parallel()
	e := newPasskeyE2E(t, "PASSWORD")
	err := e.c.RegisterPasskey(context.Background(), e.token, authenticator(t, passkeytest.Config{}))
	var notEnabled *types.WebAuthnNotEnabledException
	if !errors.As(err, &notEnabled) {
		t.Fatalf("got %v; want WebAuthnNotEnabledException", err)
	}
}

// originRewriter relays the ceremonies of an authenticator as a page of
// another origin would: with that origin in clientDataJSON.
type originRewriter struct {
	a      srpclient.PasskeyAuthenticator
	origin string
}

func (r *originRewriter) CreateCredential(ctx context.Context, opts []byte) ([]byte, error) {
	out, err := r.a.CreateCredential(ctx, opts)
	if err != nil {
		return nil, err
	}
	return r.rewrite(out)
}

func (r *originRewriter) GetAssertion(ctx context.Context, opts []byte) ([]byte, error) {
	out, err := r.a.GetAssertion(ctx, opts)
	if err != nil {
		return nil, err
	}
	return r.rewrite(out)
}

func (r *originRewriter) rewrite(resp []byte) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(resp, &m); err != nil {
		return nil, err
	}
	inner := m["response"].(map[string]any)
	raw, err := base64.RawURLEncoding.DecodeString(inner["clientDataJSON"].(string))
	if err != nil {
		return nil, err
	}
	var cd map[string]any
	if err := json.Unmarshal(raw, &cd); err != nil {
		return nil, err
	}
	cd["origin"] = r.origin
	raw, _ = json.Marshal(cd)
	inner["clientDataJSON"] = base64.RawURLEncoding.EncodeToString(raw)
	return json.Marshal(m)
}

// TestE2EPasskeyPoolSettings sets the pool's WebAuthnConfiguration
// (SetUserPoolMfaConfig): its relying party ID and required user
// verification act on registration and sign-in; GetUserAuthFactors lists
// WEB_AUTHN; a refused passkey is a failed sign-in event.
func TestE2EPasskeyPoolSettings(t *testing.T) {
	t.Parallel()
	e := newPasskeyE2E(t)
	ctx := context.Background()
	setUV := func(uv types.UserVerificationType) {
		t.Helper()
		_, err := e.api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool.ID()), MfaConfiguration: types.UserPoolMfaTypeOff,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
			WebAuthnConfiguration:         &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("example.com"), UserVerification: uv}})
		if err != nil {
			t.Fatal(err)
		}
	}
	setUV(types.UserVerificationTypeRequired)
	site := passkeytest.Config{Origin: "https://app.example.com"}

	noUV := authenticator(t, passkeytest.Config{Origin: site.Origin, NoUserVerification: true})
	if err := e.c.RegisterPasskey(ctx, e.token, noUV); !errors.Is(err, srpclient.ErrNotAuthorized) || !strings.Contains(err.Error(), "verif") {
		t.Fatalf("a passkey without user verification in a pool that requires it: got %v; want ErrNotAuthorized", err)
	}
	if err := e.c.RegisterPasskey(ctx, e.token, authenticator(t, passkeytest.Config{})); err == nil {
		t.Fatal("a passkey for localhost was registered with relying party example.com")
	}
	a := authenticator(t, site)
	if err := e.c.RegisterPasskey(ctx, e.token, a); err != nil {
		t.Fatal(err)
	}
	keys, err := e.c.ListPasskeys(ctx, e.token)
	if err != nil || len(keys) != 1 || keys[0].RelyingPartyID != "example.com" {
		t.Fatalf("ListPasskeys = %+v, %v; want one of example.com", keys, err)
	}
	mustDone(t, rr(e.c.SignInWithPasskey(ctx, "pk", a)))

	factors, err := e.api.GetUserAuthFactors(ctx, &cip.GetUserAuthFactorsInput{AccessToken: aws.String(e.token)})
	if err != nil {
		t.Fatal(err)
	}
	if got := factors.ConfiguredUserAuthFactors; len(got) != 2 || got[0] != types.AuthFactorTypePassword || got[1] != types.AuthFactorTypeWebAuthn {
		t.Fatalf("ConfiguredUserAuthFactors = %v; want [PASSWORD WEB_AUTHN]", got)
	}

	// A passkey without user verification, registered while the pool
	// preferred it, cannot sign in once the pool requires it.
	setUV(types.UserVerificationTypePreferred)
	if err := e.c.RegisterPasskey(ctx, e.token, noUV); err != nil {
		t.Fatal(err)
	}
	mustDone(t, rr(e.c.SignInWithPasskey(ctx, "pk", noUV)))
	setUV(types.UserVerificationTypeRequired)
	if _, err := e.c.SignInWithPasskey(ctx, "pk", noUV); !errors.Is(err, srpclient.ErrNotAuthorized) {
		t.Fatalf("sign-in without user verification in a pool that requires it: got %v; want ErrNotAuthorized", err)
	}
	events, err := e.api.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(e.pool.ID()), Username: aws.String("pk")})
	if err != nil {
		t.Fatal(err)
	}
	if len(events.AuthEvents) == 0 || events.AuthEvents[0].EventResponse != types.EventResponseTypeFail {
		t.Fatalf("the newest auth event: %+v; want the failed passkey sign-in", events.AuthEvents)
	}
}
