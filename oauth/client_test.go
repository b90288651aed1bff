package oauth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/verifier"
)

func TestExchange(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		client cognitotest.AppClient
		user   string
		pass   string
	}{
		{"public client, PKCE only", e.public, "alice", alicePass},
		{"confidential client, client_secret_basic", e.confidential, "alice", alicePass},
		{"user with TOTP", e.public, "bob", bobPass},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client(t, tc.client)
			code, req := login(t, c, tc.user, tc.pass)
			tok, err := c.Exchange(context.Background(), code, req)
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if tok.AccessToken == "" || tok.IDToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" {
				t.Fatalf("tokens = %+v; want access, id and refresh tokens of type Bearer", tok)
			}
			if d := time.Until(tok.Expiry); d < 59*time.Minute || d > 61*time.Minute {
				t.Errorf("Expiry in %v; want about 1h", d)
			}
			cl := tok.IDClaims
			if cl == nil || cl.Username != tc.user || cl.ClientID != tc.client.ID || cl.TokenUse != verifier.TokenUseID {
				t.Fatalf("IDClaims = %+v; want username %s, client %s", cl, tc.user, tc.client.ID)
			}
			if got, _ := cl.String("nonce"); got != req.Nonce {
				t.Errorf("nonce = %q; want %q", got, req.Nonce)
			}
			sum := sha256.Sum256([]byte(tok.AccessToken))
			if got, _ := cl.String("at_hash"); got != base64.RawURLEncoding.EncodeToString(sum[:16]) {
				t.Errorf("at_hash = %q; want the access token's", got)
			}
			if ot := tok.OAuth2Token(); ot.AccessToken != tok.AccessToken || ot.Extra("id_token") != tok.IDToken {
				t.Errorf("OAuth2Token() lost fields")
			}
		})
	}
}

func TestExchangeErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pub := e.client(t, e.public)

	t.Run("code replay is invalid_grant and revokes the first tokens", func(t *testing.T) {
		code, req := login(t, pub, "alice", alicePass)
		tok, err := pub.Exchange(ctx, code, req)
		if err != nil {
			t.Fatal(err)
		}
		_, err = pub.Exchange(ctx, code, req)
		wantIs(t, err, oauth.ErrInvalidGrant)
		var oe *oauth.Error
		if !errors.As(err, &oe) || oe.Code != "invalid_grant" || oe.StatusCode != 400 || oe.Op != "exchange" {
			t.Fatalf("err = %#v; want *Error{Op: exchange, Code: invalid_grant, StatusCode: 400}", err)
		}
		_, err = pub.Refresh(ctx, tok.RefreshToken)
		wantIs(t, err, oauth.ErrInvalidGrant)
	})
	t.Run("PKCE verifier mismatch", func(t *testing.T) {
		code, req := login(t, pub, "alice", alicePass)
		other, _ := oauth.NewAuthRequest()
		req.CodeVerifier = other.CodeVerifier
		_, err := pub.Exchange(ctx, code, req)
		wantIs(t, err, oauth.ErrInvalidGrant)
		if !strings.Contains(err.Error(), "code_verifier") {
			t.Errorf("err = %v; want it to name code_verifier", err)
		}
	})
	t.Run("a failed verifier spends the code", func(t *testing.T) {
		code, req := login(t, pub, "alice", alicePass)
		good := req
		other, _ := oauth.NewAuthRequest()
		req.CodeVerifier = other.CodeVerifier
		if _, err := pub.Exchange(ctx, code, req); err == nil {
			t.Fatal("wrong verifier accepted")
		}
		_, err := pub.Exchange(ctx, code, good)
		wantIs(t, err, oauth.ErrInvalidGrant)
	})
	t.Run("redirect_uri mismatch", func(t *testing.T) {
		conf := e.client(t, e.confidential)
		code, req := login(t, conf, "alice", alicePass)
		conf2 := e.client(t, e.confidential, func(c *oauth.Config) { c.RedirectURL = callbackURL + "2" })
		_, err := conf2.Exchange(ctx, code, req)
		wantIs(t, err, oauth.ErrInvalidGrant)
	})
	t.Run("code of another client", func(t *testing.T) {
		code, req := login(t, pub, "alice", alicePass)
		_, err := e.client(t, e.confidential).Exchange(ctx, code, req)
		wantIs(t, err, oauth.ErrInvalidGrant)
	})
	t.Run("unknown code", func(t *testing.T) {
		req, _ := oauth.NewAuthRequest()
		_, err := pub.Exchange(ctx, "0b6f1d3c-0000-4000-8000-000000000000", req)
		wantIs(t, err, oauth.ErrInvalidGrant)
	})
	t.Run("wrong client secret", func(t *testing.T) {
		code, req := login(t, e.client(t, e.confidential), "alice", alicePass)
		bad := e.client(t, e.confidential, func(c *oauth.Config) { c.ClientSecret = "not-the-secret" })
		_, err := bad.Exchange(ctx, code, req)
		wantIs(t, err, oauth.ErrInvalidClient)
		if strings.Contains(err.Error(), "not-the-secret") {
			t.Errorf("error leaks the secret: %v", err)
		}
	})
	t.Run("confidential client without its secret", func(t *testing.T) {
		code, req := login(t, e.client(t, e.confidential), "alice", alicePass)
		bad := e.client(t, e.confidential, func(c *oauth.Config) { c.ClientSecret = "" })
		_, err := bad.Exchange(ctx, code, req)
		wantIs(t, err, oauth.ErrInvalidClient)
	})
	t.Run("public client sending a secret", func(t *testing.T) {
		code, req := login(t, pub, "alice", alicePass)
		bad := e.client(t, e.public, func(c *oauth.Config) { c.ClientSecret = "invented" })
		_, err := bad.Exchange(ctx, code, req)
		wantIs(t, err, oauth.ErrInvalidClient)
	})
	t.Run("unknown client", func(t *testing.T) {
		req, _ := oauth.NewAuthRequest()
		bad := e.client(t, e.public, func(c *oauth.Config) { c.ClientID = "nosuchclient"; c.IDTokenVerifier = nil })
		_, err := bad.Exchange(ctx, "0b6f1d3c-0000-4000-8000-000000000000", req)
		wantIs(t, err, oauth.ErrInvalidClient)
	})
	t.Run("nonce mismatch", func(t *testing.T) {
		code, req := login(t, pub, "alice", alicePass)
		req.Nonce = "a-different-nonce"
		_, err := pub.Exchange(ctx, code, req)
		wantIs(t, err, oauth.ErrInvalidIDToken, oauth.ErrNonceMismatch)
	})
	t.Run("expired code", func(t *testing.T) {
		clk := &fakeClock{t: time.Now()}
		e2 := newEnv(t, cognitotest.WithClock(clk.Now))
		c := e2.client(t, e2.public)
		code, req := login(t, c, "alice", alicePass)
		clk.Add(5*time.Minute + time.Second)
		_, err := c.Exchange(ctx, code, req)
		wantIs(t, err, oauth.ErrInvalidGrant)
	})
	t.Run("bad inputs are refused before any request", func(t *testing.T) {
		req, _ := oauth.NewAuthRequest()
		for name, tc := range map[string]struct {
			code string
			req  oauth.AuthRequest
		}{
			"empty code":     {"", req},
			"huge code":      {strings.Repeat("a", 4096), req},
			"empty state":    {"c", oauth.AuthRequest{Nonce: "n", CodeVerifier: req.CodeVerifier}},
			"short verifier": {"c", oauth.AuthRequest{State: "s", CodeVerifier: "short"}},
			"bad verifier":   {"c", oauth.AuthRequest{State: "s", CodeVerifier: strings.Repeat("+", 43)}},
		} {
			_, err := pub.Exchange(ctx, tc.code, tc.req)
			if !errors.Is(err, oauth.ErrInvalidInput) {
				t.Errorf("%s: err = %v; want ErrInvalidInput", name, err)
			}
		}
	})
}

// TestAtHashMismatch serves a token response whose ID token (validly signed
// by the pool) carries the at_hash of another access token.
func TestAtHashMismatch(t *testing.T) {
	e := newEnv(t)
	req, _ := oauth.NewAuthRequest()
	other := e.pool.MustMintTokens(e.public.ID, "alice")
	tok := e.pool.MustMintTokens(e.public.ID, "alice", cognitotest.TokenNonce(req.Nonce),
		cognitotest.IDClaims(map[string]any{"at_hash": atHashOf(other.AccessToken)}))
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": tok.AccessToken, "id_token": tok.IDToken, "refresh_token": tok.RefreshToken, "expires_in": 3600, "token_type": "Bearer"})
	}))
	defer fake.Close()
	c := e.client(t, e.public, func(c *oauth.Config) { c.Domain = fake.URL })
	_, err := c.Exchange(context.Background(), "code", req)
	wantIs(t, err, oauth.ErrInvalidIDToken, oauth.ErrAtHashMismatch)
}

func atHashOf(at string) string {
	sum := sha256.Sum256([]byte(at))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// TestIDTokenRejected feeds the client ID tokens that a correct token
// endpoint would never send.
func TestIDTokenRejected(t *testing.T) {
	e := newEnv(t)
	req, _ := oauth.NewAuthRequest()
	other := e.pool.MustCreateClient(cognitotest.ClientConfig{Name: "other"})
	expired := e.pool.MustMintTokens(e.public.ID, "alice", cognitotest.TokenNonce(req.Nonce), cognitotest.TokenExpiresAt(time.Now().Add(-time.Hour)))
	foreign := e.pool.MustMintTokens(other.ID, "alice", cognitotest.TokenNonce(req.Nonce))
	noNonce := e.pool.MustMintTokens(e.public.ID, "alice")
	good := e.pool.MustMintTokens(e.public.ID, "alice", cognitotest.TokenNonce(req.Nonce))
	tests := []struct {
		name   string
		access string
		id     string
		want   []error
	}{
		{"expired", expired.AccessToken, expired.IDToken, []error{oauth.ErrInvalidIDToken, verifier.ErrExpired}},
		{"other audience", foreign.AccessToken, foreign.IDToken, []error{oauth.ErrInvalidIDToken, verifier.ErrWrongClient}},
		{"access token as ID token", good.AccessToken, good.AccessToken, []error{oauth.ErrInvalidIDToken}},
		{"no nonce", noNonce.AccessToken, noNonce.IDToken, []error{oauth.ErrNonceMismatch}},
		{"tampered", good.AccessToken, good.IDToken[:len(good.IDToken)-4] + "AAAA", []error{oauth.ErrInvalidIDToken, verifier.ErrBadSignature}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(map[string]any{"access_token": tc.access, "id_token": tc.id, "expires_in": 3600, "token_type": "Bearer"})
			}))
			defer fake.Close()
			c := e.client(t, e.public, func(c *oauth.Config) { c.Domain = fake.URL })
			_, err := c.Exchange(context.Background(), "code", req)
			wantIs(t, err, tc.want...)
		})
	}
}

func TestRefresh(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	t.Run("without rotation", func(t *testing.T) {
		c := e.client(t, e.public)
		code, req := login(t, c, "alice", alicePass)
		tok, err := c.Exchange(ctx, code, req)
		if err != nil {
			t.Fatal(err)
		}
		r1, err := c.Refresh(ctx, tok.RefreshToken)
		if err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		if r1.Rotated || r1.RefreshToken != tok.RefreshToken || r1.AccessToken == tok.AccessToken || r1.IDClaims == nil {
			t.Fatalf("refresh = rotated %v, same refresh %v, new access %v, claims %v; want same refresh token, new access and ID tokens",
				r1.Rotated, r1.RefreshToken == tok.RefreshToken, r1.AccessToken != tok.AccessToken, r1.IDClaims != nil)
		}
		if r1.IDClaims.Username != "alice" {
			t.Errorf("username = %q; want alice", r1.IDClaims.Username)
		}
	})
	t.Run("with rotation", func(t *testing.T) {
		clk := &fakeClock{t: time.Now()}
		e := newEnv(t, cognitotest.WithClock(clk.Now))
		c := e.client(t, e.confidential, func(c *oauth.Config) { c.Now = clk.Now })
		code, req := login(t, c, "alice", alicePass)
		tok, err := c.Exchange(ctx, code, req)
		if err != nil {
			t.Fatal(err)
		}
		r1, err := c.Refresh(ctx, tok.RefreshToken)
		if err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		if !r1.Rotated || r1.RefreshToken == tok.RefreshToken {
			t.Fatalf("Rotated = %v; want a new refresh token", r1.Rotated)
		}
		clk.Add(time.Second) // RetryGracePeriod is 0: the old token dies at once
		_, err = c.Refresh(ctx, tok.RefreshToken)
		wantIs(t, err, oauth.ErrInvalidGrant)
		if _, err := c.Refresh(ctx, r1.RefreshToken); err != nil {
			t.Fatalf("Refresh with the rotated token: %v", err)
		}
	})
	t.Run("garbage refresh token", func(t *testing.T) {
		_, err := e.client(t, e.public).Refresh(ctx, "not-a-token")
		wantIs(t, err, oauth.ErrInvalidGrant)
		if !strings.Contains(err.Error(), "sign in again") {
			t.Errorf("err = %v; want a hint to sign in again", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		_, err := e.client(t, e.public).Refresh(ctx, "")
		wantIs(t, err, oauth.ErrInvalidInput)
	})
}

func TestRevokeAndUserInfo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, ac := range []cognitotest.AppClient{e.public, e.confidential} {
		t.Run(ac.Name, func(t *testing.T) {
			c := e.client(t, ac)
			code, req := login(t, c, "alice", alicePass)
			tok, err := c.Exchange(ctx, code, req)
			if err != nil {
				t.Fatal(err)
			}
			ui, err := c.UserInfo(ctx, tok.AccessToken)
			if err != nil {
				t.Fatalf("UserInfo: %v", err)
			}
			if ui.Subject != tok.IDClaims.Subject || ui.Username != "alice" || ui.Email != "alice@example.com" || !ui.EmailVerified || ui.Name != "Alice Liddell" {
				t.Fatalf("UserInfo = %+v; want alice's attributes", ui)
			}
			if _, ok := ui.Attributes["custom:tenant"]; ok {
				t.Errorf("custom:tenant present; want it only with the aws.cognito.signin.user.admin scope")
			}
			err = c.Revoke(ctx, tok.AccessToken)
			wantIs(t, err, oauth.ErrUnsupportedTokenType)
			if err := c.Revoke(ctx, tok.RefreshToken); err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			_, err = c.Refresh(ctx, tok.RefreshToken)
			wantIs(t, err, oauth.ErrInvalidGrant)
			_, err = c.UserInfo(ctx, tok.AccessToken)
			wantIs(t, err, oauth.ErrInvalidToken)
			var oe *oauth.Error
			if !errors.As(err, &oe) || oe.StatusCode != 401 {
				t.Fatalf("err = %#v; want a 401 *Error", err)
			}
			if err := c.Revoke(ctx, tok.RefreshToken); err != nil {
				t.Errorf("revoking twice: %v; want nil (RFC 7009)", err)
			}
		})
	}
	t.Run("scopes limit the attributes", func(t *testing.T) {
		c := e.client(t, e.public, func(c *oauth.Config) { c.Scopes = []string{"openid", "email"} })
		code, req := login(t, c, "alice", alicePass)
		tok, err := c.Exchange(ctx, code, req)
		if err != nil {
			t.Fatal(err)
		}
		ui, err := c.UserInfo(ctx, tok.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if ui.Email != "alice@example.com" || ui.Name != "" || ui.Attributes["custom:tenant"] != "" {
			t.Fatalf("UserInfo = %+v; want email only", ui)
		}
	})
	t.Run("the admin scope allows custom attributes", func(t *testing.T) {
		c := e.client(t, e.public, func(c *oauth.Config) { c.Scopes = []string{"openid", "aws.cognito.signin.user.admin"} })
		code, req := login(t, c, "alice", alicePass)
		tok, err := c.Exchange(ctx, code, req)
		if err != nil {
			t.Fatal(err)
		}
		ui, err := c.UserInfo(ctx, tok.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if ui.Attributes["custom:tenant"] != "acme" || ui.Name != "Alice Liddell" {
			t.Fatalf("UserInfo = %+v; want every attribute", ui)
		}
	})
	t.Run("no openid scope: no ID token, no userInfo", func(t *testing.T) {
		c := e.client(t, e.public, func(c *oauth.Config) { c.Scopes = []string{"email", "aws.cognito.signin.user.admin"} })
		code, req := login(t, c, "alice", alicePass)
		tok, err := c.Exchange(ctx, code, req)
		if err != nil {
			t.Fatal(err)
		}
		if tok.IDToken != "" || tok.IDClaims != nil {
			t.Fatalf("got an ID token without the openid scope")
		}
		_, err = c.UserInfo(ctx, tok.AccessToken)
		wantIs(t, err, oauth.ErrInvalidToken)
	})
	t.Run("garbage access token", func(t *testing.T) {
		_, err := e.client(t, e.public).UserInfo(ctx, "a.b.c")
		wantIs(t, err, oauth.ErrInvalidToken)
		_, err = e.client(t, e.public).UserInfo(ctx, "has space")
		wantIs(t, err, oauth.ErrInvalidInput)
	})
	t.Run("revocation disabled", func(t *testing.T) {
		ac := e.pool.MustCreateClient(cognitotest.ClientConfig{Name: "norevoke", DisableTokenRevocation: true})
		tok := e.pool.MustMintTokens(ac.ID, "alice")
		err := e.client(t, ac).Revoke(ctx, tok.RefreshToken)
		wantIs(t, err, oauth.ErrInvalidRequest)
	})
}

func TestClientCredentials(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	e := newEnv(t, cognitotest.WithClock(clk.Now))
	ctx := context.Background()
	c := e.client(t, e.m2m, func(c *oauth.Config) { c.Now = clk.Now })
	ts, err := c.ClientCredentials("orders/read")
	if err != nil {
		t.Fatal(err)
	}
	var _ oauth2.TokenSource = ts
	t1, err := ts.Token()
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: e.pool.ID(), ClientIDs: []string{e.m2m.ID}, TokenUse: verifier.TokenUseAccess,
		Issuer: e.pool.Issuer(), JWKSURL: e.pool.JWKSURL()}}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	claims, err := v.Verify(ctx, t1.AccessToken)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !claims.IsMachine() || !claims.HasScope("orders/read") || claims.HasScope("orders/write") {
		t.Fatalf("claims = %+v; want an M2M token with orders/read only", claims)
	}
	t2, _ := ts.Token()
	if t2.AccessToken != t1.AccessToken {
		t.Fatal("second Token() fetched a new token; want the cached one")
	}
	clk.Add(58 * time.Minute)
	t3, _ := ts.TokenContext(ctx)
	if t3.AccessToken != t1.AccessToken {
		t.Fatal("token replaced 2 minutes before expiry; want it kept until 1 minute before")
	}
	clk.Add(90 * time.Second)
	t4, err := ts.TokenContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if t4.AccessToken == t1.AccessToken {
		t.Fatal("token kept 30 s before expiry; want a new one")
	}
	ts.Invalidate()
	if t5, _ := ts.Token(); t5.AccessToken == t4.AccessToken {
		t.Fatal("Invalidate did not drop the cached token")
	}
	all, _ := c.ClientCredentials()
	ta, err := all.Token()
	if err != nil {
		t.Fatal(err)
	}
	if claims, err := v.Verify(ctx, ta.AccessToken); err != nil || !claims.HasAllScopes("orders/read", "orders/write") {
		t.Fatalf("no scopes: claims %v, err %v; want all allowed scopes", claims, err)
	}

	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name   string
			client *oauth.Client
			scopes []string
			want   error
		}{
			{"scope not allowed", c, []string{"orders/delete"}, oauth.ErrInvalidScope},
			{"client not allowed the grant", e.client(t, e.noCode), []string{"orders/read"}, oauth.ErrUnauthorizedClient},
			{"code-flow client", e.client(t, e.confidential), []string{"orders/read"}, oauth.ErrUnauthorizedClient},
			{"wrong secret", e.client(t, e.m2m, func(c *oauth.Config) { c.ClientSecret = "wrong" }), []string{"orders/read"}, oauth.ErrInvalidClient},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ts, err := tc.client.ClientCredentials(tc.scopes...)
				if err != nil {
					t.Fatal(err)
				}
				_, err = ts.Token()
				wantIs(t, err, tc.want)
			})
		}
		if _, err := e.client(t, e.public).ClientCredentials("orders/read"); !errors.Is(err, oauth.ErrInvalidConfig) {
			t.Errorf("public client: err = %v; want ErrInvalidConfig", err)
		}
		if _, err := c.ClientCredentials("openid"); !errors.Is(err, oauth.ErrInvalidInput) {
			t.Errorf("scope without /: err = %v; want ErrInvalidInput", err)
		}
	})
}

func TestUnavailable(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, e.m2m)
	ts, _ := c.ClientCredentials("orders/read")

	e.srv.FailOperation("OAuth2Token", 1, "", "")
	_, err := ts.Token()
	wantIs(t, err, oauth.ErrUnavailable)
	if _, err := ts.Token(); err != nil {
		t.Fatalf("after the injected failure: %v", err)
	}

	e.srv.FailOperation("OAuth2UserInfo", 1, "", "")
	_, err = c.UserInfo(context.Background(), "x.y.z")
	wantIs(t, err, oauth.ErrUnavailable)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Refresh(ctx, "token")
	wantIs(t, err, oauth.ErrUnavailable, context.Canceled)
	_, err = ts.TokenContext(ctx)
	if err == nil {
		// The cached token may be returned; force a fetch.
		ts.Invalidate()
		_, err = ts.TokenContext(ctx)
	}
	wantIs(t, err, oauth.ErrUnavailable, context.Canceled)

	e.srv.Close()
	ts.Invalidate()
	_, err = ts.Token()
	wantIs(t, err, oauth.ErrUnavailable)
	err = c.Revoke(context.Background(), "token")
	wantIs(t, err, oauth.ErrUnavailable)
}

func TestAuthorizeErrorsReachTheCallback(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		ac   cognitotest.AppClient
		opts []oauth.AuthOption
		want error
		code string
	}{
		{"scope not allowed", e.public, []oauth.AuthOption{oauth.WithScopes("openid", "orders/read")}, oauth.ErrInvalidScope, "invalid_scope"},
		{"client without the code flow", e.noCode, nil, oauth.ErrUnauthorizedClient, "unauthorized_client"},
		{"prompt=none without a session", e.public, []oauth.AuthOption{oauth.Prompt("none")}, oauth.ErrAccessDenied, "login_required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client(t, tc.ac)
			req, _ := oauth.NewAuthRequest()
			u, err := c.AuthCodeURL(req, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			resp, _ := newBrowser(t).get(u)
			loc := callback(resp)
			if loc == nil {
				t.Fatalf("status %d; want a redirect to the callback", resp.StatusCode)
			}
			if loc.Query().Get("state") != req.State {
				t.Errorf("state not passed through")
			}
			err = oauth.CallbackError(loc.Query())
			wantIs(t, err, tc.want)
			var oe *oauth.Error
			if !errors.As(err, &oe) || oe.Code != tc.code || oe.Op != "authorize" {
				t.Fatalf("err = %#v; want code %s", err, tc.code)
			}
		})
	}
	if oauth.CallbackError(url.Values{"code": {"x"}}) != nil {
		t.Error("CallbackError without error = non-nil")
	}
}

func TestSSOSessionAndPrompt(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, e.public)
	b := newBrowser(t)
	req, _ := oauth.NewAuthRequest()
	u, _ := c.AuthCodeURL(req)
	b.signIn(u, "alice", alicePass)

	// A second authorization in the same browser needs no password.
	req2, _ := oauth.NewAuthRequest()
	u2, _ := c.AuthCodeURL(req2, oauth.Prompt("none"))
	resp, _ := b.get(u2)
	loc := callback(resp)
	if loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("prompt=none with a session: status %d; want a code", resp.StatusCode)
	}
	if _, err := c.Exchange(context.Background(), loc.Query().Get("code"), req2); err != nil {
		t.Fatal(err)
	}
	// prompt=login shows the form again.
	u3, _ := c.AuthCodeURL(req2, oauth.Prompt("login"))
	if resp, body := b.get(u3); callback(resp) != nil || !strings.Contains(body, `id="password"`) {
		t.Fatalf("prompt=login: want the sign-in form")
	}
	// Logout ends the session.
	lo, err := c.LogoutURL(logoutURL)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ = b.get(lo)
	if l := callback(resp); l == nil || l.String() != logoutURL {
		t.Fatalf("logout: status %d; want a redirect to %s", resp.StatusCode, logoutURL)
	}
	resp, _ = b.get(u2)
	if l := callback(resp); l == nil || l.Query().Get("error") != "login_required" {
		t.Fatalf("prompt=none after logout: want login_required")
	}
}

// TestClientCredentialsConcurrent: concurrent callers on a cold source share
// one token request.
func TestClientCredentialsConcurrent(t *testing.T) {
	e := newEnv(t)
	ts, err := e.client(t, e.m2m).ClientCredentials("orders/read")
	if err != nil {
		t.Fatal(err)
	}
	const n = 16
	tokens := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := ts.Token()
			if err != nil {
				t.Error(err)
				return
			}
			tokens <- tok.AccessToken
		}()
	}
	wg.Wait()
	close(tokens)
	seen := map[string]bool{}
	for tok := range tokens {
		seen[tok] = true
	}
	if len(seen) != 1 {
		t.Fatalf("%d distinct tokens for %d concurrent callers; want 1", len(seen), n)
	}
}

func TestVerifyIDToken(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, e.public)
	tok := e.pool.MustMintTokens(e.public.ID, "alice", cognitotest.TokenNonce("n1"))
	if cl, err := c.VerifyIDToken(context.Background(), tok.IDToken, "", "n1"); err != nil || cl.Username != "alice" {
		t.Fatalf("VerifyIDToken = %v, %v", cl, err)
	}
	_, err := c.VerifyIDToken(context.Background(), tok.IDToken, "", "n2")
	wantIs(t, err, oauth.ErrNonceMismatch)
	_, err = c.VerifyIDToken(context.Background(), "", "", "")
	wantIs(t, err, oauth.ErrInvalidInput)
	e.srv.SetJWKSMode(cognitotest.JWKSFail)
	c2 := e.client(t, e.public) // cold key cache
	_, err = c2.VerifyIDToken(context.Background(), tok.IDToken, "", "")
	wantIs(t, err, oauth.ErrUnavailable)
	if errors.Is(err, oauth.ErrInvalidIDToken) {
		t.Fatal("an unreachable key set was reported as a bad token")
	}
}
