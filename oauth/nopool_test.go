package oauth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/verifier"
)

// noPool configures a Client without UserPoolID, Issuer and JWKSURL.
func noPool(c *oauth.Config) { c.UserPoolID, c.Issuer, c.JWKSURL = "", "", "" }

func TestClientCredentialsWithoutUserPoolID(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client(t, e.m2m, noPool)
	ts, err := c.ClientCredentials("orders/read")
	if err != nil {
		t.Fatalf("ClientCredentials: %v", err)
	}
	tok, err := ts.TokenContext(ctx)
	if err != nil {
		t.Fatalf("Token without UserPoolID: %v", err)
	}
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: e.pool.ID(), ClientIDs: []string{e.m2m.ID},
		TokenUse: verifier.TokenUseAccess, Issuer: e.pool.Issuer(), JWKSURL: e.pool.JWKSURL()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	claims, err := v.Verify(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("the token does not verify: %v", err)
	}
	if !claims.HasAllScopes("orders/read") || claims.ClientID != e.m2m.ID {
		t.Fatalf("claims: client %q, scopes %v; want %s with orders/read", claims.ClientID, claims.Scopes, e.m2m.ID)
	}
	if c.VerifiesIDTokens() {
		t.Error("VerifiesIDTokens() = true without UserPoolID; want false")
	}
	if !e.client(t, e.m2m).VerifiesIDTokens() {
		t.Error("VerifiesIDTokens() = false with UserPoolID; want true")
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close without a verifier: %v", err)
	}
}

func TestIDTokenPathsWithoutUserPoolID(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bare := e.client(t, e.public, noPool)
	full := e.client(t, e.public)

	// A real code and real tokens, obtained with a fully configured client.
	code, req := login(t, full, "alice", alicePass)
	tok, err := full.Exchange(ctx, code, req)
	if err != nil {
		t.Fatal(err)
	}
	code2, req2 := login(t, full, "alice", alicePass)

	wantMissing := func(t *testing.T, err error, op string) {
		t.Helper()
		var me *oauth.MissingUserPoolError
		if !errors.As(err, &me) || !errors.Is(err, oauth.ErrInvalidConfig) {
			t.Fatalf("err = %v; want a *MissingUserPoolError matching ErrInvalidConfig", err)
		}
		if me.Op != op {
			t.Errorf("Op = %q; want %q", me.Op, op)
		}
		if msg := err.Error(); !strings.Contains(msg, "UserPoolID") || strings.Contains(msg, tok.IDToken) {
			t.Errorf("message %q: want it to name UserPoolID and carry no token", msg)
		}
	}
	t.Run("Exchange", func(t *testing.T) {
		_, err := bare.Exchange(ctx, code2, req2)
		wantMissing(t, err, "exchange")
		// The code was not spent: the configured client can still redeem it.
		if _, err := full.Exchange(ctx, code2, req2); err != nil {
			t.Fatalf("the code was consumed by the failed Exchange: %v", err)
		}
	})
	t.Run("Refresh", func(t *testing.T) {
		_, err := bare.Refresh(ctx, tok.RefreshToken)
		wantMissing(t, err, "refresh")
	})
	t.Run("VerifyIDToken", func(t *testing.T) {
		_, err := bare.VerifyIDToken(ctx, tok.IDToken, tok.AccessToken, req.Nonce)
		wantMissing(t, err, "verify ID token")
	})
	t.Run("without openid", func(t *testing.T) {
		// No ID token is asked for, so none has to be verified.
		c := e.client(t, e.public, noPool, func(c *oauth.Config) { c.Scopes = []string{"email"} })
		code, req := login(t, c, "alice", alicePass)
		got, err := c.Exchange(ctx, code, req)
		if err != nil {
			t.Fatalf("Exchange without openid and without UserPoolID: %v", err)
		}
		if got.AccessToken == "" || got.IDToken != "" || got.IDClaims != nil {
			t.Fatalf("tokens: access %v, id %v, claims %v; want an access token and no ID token",
				got.AccessToken != "", got.IDToken != "", got.IDClaims != nil)
		}
	})
	t.Run("revoke and userInfo", func(t *testing.T) {
		if _, err := bare.UserInfo(ctx, tok.AccessToken); err != nil {
			t.Fatalf("UserInfo without UserPoolID: %v", err)
		}
		if err := bare.Revoke(ctx, tok.RefreshToken); err != nil {
			t.Fatalf("Revoke without UserPoolID: %v", err)
		}
	})
	t.Run("with IDTokenVerifier", func(t *testing.T) {
		v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: e.pool.ID(), ClientIDs: []string{e.public.ID},
			TokenUse: verifier.TokenUseID, Issuer: e.pool.Issuer(), JWKSURL: e.pool.JWKSURL()}}})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		c := e.client(t, e.public, noPool, func(c *oauth.Config) { c.IDTokenVerifier = v })
		code, req := login(t, c, "alice", alicePass)
		got, err := c.Exchange(ctx, code, req)
		if err != nil || got.IDClaims == nil || got.IDClaims.Username != "alice" {
			t.Fatalf("Exchange with IDTokenVerifier only: %v", err)
		}
	})
}
