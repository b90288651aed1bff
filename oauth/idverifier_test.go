package oauth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/verifier"
)

// stubVerifier is a custom auth.TokenVerifier: it "verifies" a token by
// looking it up, and builds the claims with verifier.ParseUnverifiedClaims
// as the auth documentation says.
type stubVerifier struct {
	payloads map[string]string
	err      error
	noClaims bool
}

func (s stubVerifier) Verify(_ context.Context, token string) (*verifier.Claims, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.noClaims {
		return nil, nil
	}
	p, ok := s.payloads[token]
	if !ok {
		return nil, verifier.ErrBadSignature
	}
	return verifier.ParseUnverifiedClaims([]byte(p))
}

func idPayload(t *testing.T, m map[string]any) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testAtHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// TestCustomIDTokenVerifier: Config.IDTokenVerifier takes any
// auth.TokenVerifier, and the Client still checks what only it can: the
// token use, the client, the nonce and at_hash.
func TestCustomIDTokenVerifier(t *testing.T) {
	const client = "client1"
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"sub": "u1", "aud": client, "token_use": "id", "nonce": "n1", "exp": int64(4102444800), "at_hash": testAtHash("access1")}
		for k, v := range extra {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	stub := stubVerifier{payloads: map[string]string{
		"good":      idPayload(t, base(nil)),
		"access":    idPayload(t, base(map[string]any{"token_use": "access", "client_id": client, "aud": nil})),
		"other":     idPayload(t, base(map[string]any{"aud": "client2"})),
		"no-nonce":  idPayload(t, base(map[string]any{"nonce": nil})),
		"no-athash": idPayload(t, base(map[string]any{"at_hash": nil})),
	}}
	newClient := func(t *testing.T, v auth.TokenVerifier) *oauth.Client {
		c, err := oauth.New(oauth.Config{Domain: "https://example.auth.us-east-1.amazoncognito.com", ClientID: client, IDTokenVerifier: v})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := newClient(t, stub)
	if !c.VerifiesIDTokens() {
		t.Fatal("VerifiesIDTokens: got false; want true with a custom verifier")
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name, token, access, nonce string
		want                       []error
	}{
		{"good", "good", "access1", "n1", nil},
		{"no nonce asked", "no-nonce", "", "", nil},
		{"no at_hash in the token", "no-athash", "access1", "n1", nil},
		{"bad signature", "forged", "", "", []error{oauth.ErrInvalidIDToken, verifier.ErrBadSignature}},
		{"access token", "access", "", "", []error{oauth.ErrInvalidIDToken, verifier.ErrWrongTokenUse}},
		{"other client", "other", "", "", []error{oauth.ErrInvalidIDToken, verifier.ErrWrongClient}},
		{"nonce differs", "good", "", "n2", []error{oauth.ErrInvalidIDToken, oauth.ErrNonceMismatch}},
		{"nonce missing", "no-nonce", "", "n1", []error{oauth.ErrInvalidIDToken, oauth.ErrNonceMismatch}},
		{"at_hash differs", "good", "access2", "", []error{oauth.ErrInvalidIDToken, oauth.ErrAtHashMismatch}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			claims, err := c.VerifyIDToken(ctx, tc.token, tc.access, tc.nonce)
			if tc.want == nil {
				if err != nil || claims == nil || claims.Subject != "u1" {
					t.Fatalf("got %v, %v; want the claims of u1", claims, err)
				}
				return
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("got %v; want an error matching %v", err, w)
				}
			}
		})
	}
	t.Run("keys unavailable", func(t *testing.T) {
		c := newClient(t, stubVerifier{err: fmt.Errorf("custom: %w", verifier.ErrKeysUnavailable)})
		_, err := c.VerifyIDToken(ctx, "good", "", "")
		if !errors.Is(err, oauth.ErrUnavailable) || errors.Is(err, oauth.ErrInvalidIDToken) {
			t.Errorf("got %v; want ErrUnavailable, not ErrInvalidIDToken", err)
		}
	})
	t.Run("no claims and no error", func(t *testing.T) {
		c := newClient(t, stubVerifier{noClaims: true})
		if _, err := c.VerifyIDToken(ctx, "good", "", ""); !errors.Is(err, oauth.ErrInvalidIDToken) {
			t.Errorf("got %v; want ErrInvalidIDToken", err)
		}
	})
	t.Run("nil *verifier.Verifier", func(t *testing.T) {
		var v *verifier.Verifier
		_, err := oauth.New(oauth.Config{Domain: "https://example.auth.us-east-1.amazoncognito.com", ClientID: client, IDTokenVerifier: v})
		if !errors.Is(err, oauth.ErrInvalidConfig) || !strings.Contains(err.Error(), "verifier.New") {
			t.Errorf("got %v; want ErrInvalidConfig naming verifier.New", err)
		}
	})
}

// countingVerifier wraps a real verifier, as a user's decorator would
// (metrics, a deny list).
type countingVerifier struct {
	v     auth.TokenVerifier
	calls atomic.Int32
}

func (c *countingVerifier) Verify(ctx context.Context, token string) (*verifier.Claims, error) {
	c.calls.Add(1)
	return c.v.Verify(ctx, token)
}

// TestWrappedIDTokenVerifierExchange: a decorated *verifier.Verifier
// verifies the ID token of a real code flow against the emulator.
func TestWrappedIDTokenVerifierExchange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: e.pool.ID(), ClientIDs: []string{e.public.ID},
		TokenUse: verifier.TokenUseID, Issuer: e.pool.Issuer(), JWKSURL: e.pool.JWKSURL()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	cv := &countingVerifier{v: v}
	c := e.client(t, e.public, func(c *oauth.Config) { c.UserPoolID, c.Issuer, c.JWKSURL, c.IDTokenVerifier = "", "", "", cv })
	code, req := login(t, c, "alice", alicePass)
	got, err := c.Exchange(context.Background(), code, req)
	if err != nil || got.IDClaims == nil || got.IDClaims.Username != "alice" {
		t.Fatalf("Exchange: %v; want alice's verified claims", err)
	}
	if n := cv.calls.Load(); n != 1 {
		t.Errorf("verifier calls: got %d; want 1", n)
	}
}
