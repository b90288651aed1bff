package cognitotest_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// fetchJWKS returns the pool's keys by kid, fetched over HTTP.
func fetchJWKS(t testing.TB, srv *cognitotest.Server, url string) map[string]*rsa.PublicKey {
	t.Helper()
	resp, err := srv.HTTPClient().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("JWKS status %d", resp.StatusCode)
	}
	var set struct {
		Keys []struct{ Kid, Kty, Alg, Use, N, E string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	out := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" {
			t.Errorf("key %s: kty %s alg %s use %s", k.Kid, k.Kty, k.Alg, k.Use)
		}
		n, _ := base64.RawURLEncoding.DecodeString(k.N)
		e, _ := base64.RawURLEncoding.DecodeString(k.E)
		out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return out
}

// verifyRS256 checks a JWT's signature against keys.
func verifyRS256(tok string, keys map[string]*rsa.PublicKey) bool {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return false
	}
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var hdr struct{ Alg, Kid string }
	if json.Unmarshal(h, &hdr) != nil || hdr.Alg != "RS256" {
		return false
	}
	k := keys[hdr.Kid]
	if k == nil {
		return false
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], sig) == nil
}

func TestJWKSAndDiscovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{ID: "us-east-1_Example1"})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "erin", Password: testPassword})
	tok := e.pool.MustMintTokens(e.public.ID, "erin")
	if got, want := e.pool.Issuer(), e.srv.URL()+"/us-east-1_Example1"; got != want {
		t.Errorf("Issuer: got %s; want %s", got, want)
	}
	keys := fetchJWKS(t, e.srv, e.pool.JWKSURL())
	if len(keys) != 1 || !verifyRS256(tok.IDToken, keys) || !verifyRS256(tok.AccessToken, keys) {
		t.Fatalf("tokens do not verify with the JWKS (%d keys)", len(keys))
	}
	resp := must(e.srv.HTTPClient().Get(e.pool.DiscoveryURL()))
	var disc map[string]any
	json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if disc["issuer"] != e.pool.Issuer() || disc["jwks_uri"] != e.pool.JWKSURL() {
		t.Errorf("discovery: issuer %v jwks_uri %v", disc["issuer"], disc["jwks_uri"])
	}
	if disc["token_endpoint"] != e.srv.URL()+"/oauth2/token" {
		t.Errorf("discovery token_endpoint %v", disc["token_endpoint"])
	}
	resp = must(e.srv.HTTPClient().Get(e.srv.URL() + "/us-east-1_Nope/.well-known/jwks.json"))
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown pool JWKS: status %d; want 404", resp.StatusCode)
	}

	t.Run("rotate keeping old", func(t *testing.T) {
		kid := must(e.pool.RotateKeys(false))
		keys := fetchJWKS(t, e.srv, e.pool.JWKSURL())
		if len(keys) != 2 || keys[kid] == nil {
			t.Fatalf("after rotation: %d keys", len(keys))
		}
		if !verifyRS256(tok.IDToken, keys) {
			t.Error("old token no longer verifies")
		}
		newTok := e.pool.MustMintTokens(e.public.ID, "erin")
		if !verifyRS256(newTok.AccessToken, map[string]*rsa.PublicKey{kid: keys[kid]}) {
			t.Error("new token not signed by the new key")
		}
		if _, err := e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tok.AccessToken}); err != nil {
			t.Errorf("GetUser with a token of the old key: %v", err)
		}
	})
	t.Run("rotate retiring old", func(t *testing.T) {
		must(e.pool.RotateKeys(true))
		keys := fetchJWKS(t, e.srv, e.pool.JWKSURL())
		if len(keys) != 1 || verifyRS256(tok.IDToken, keys) {
			t.Fatalf("retired key still verifies (%d keys)", len(keys))
		}
		_, err := e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tok.AccessToken})
		wantErr[*types.NotAuthorizedException](t, err, "token of a retired key")
	})
}

func TestMintTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "frank", Password: testPassword, Groups: []string{"ops", "admin"}})
	noErr(t, e.pool.CreateResourceServer(cognitotest.ResourceServerConfig{Identifier: "orders", Scopes: map[string]string{"read": "", "write": ""}}))
	now := e.clock.Now()

	tok := e.pool.MustMintTokens(e.public.ID, "frank", cognitotest.TokenExpiresAt(now.Add(-time.Minute)),
		cognitotest.IDClaims(map[string]any{"custom:plan": "gold", "email": nil}), cognitotest.TokenDeviceKey("us-east-1_dev"))
	id, acc := claimsOf(t, tok.IDToken), claimsOf(t, tok.AccessToken)
	if id["custom:plan"] != "gold" || int64(id["exp"].(float64)) != now.Add(-time.Minute).Unix() {
		t.Errorf("id claims: %v", id)
	}
	if g := acc["cognito:groups"].([]any); len(g) != 2 || g[0] != "admin" {
		t.Errorf("groups %v; want sorted [admin ops]", g)
	}
	if acc["device_key"] != "us-east-1_dev" {
		t.Errorf("device_key %v", acc["device_key"])
	}
	_, err := e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tok.AccessToken})
	ex := wantErr[*types.NotAuthorizedException](t, err, "expired access token")
	if ex.ErrorMessage() != "Access Token has expired" {
		t.Errorf("message %q", ex.ErrorMessage())
	}

	m2m := e.pool.MustMintM2MToken(e.secret.ID, []string{"orders/read", "orders/write"})
	c := claimsOf(t, m2m)
	if c["scope"] != "orders/read orders/write" || c["sub"] != e.secret.ID || c["client_id"] != e.secret.ID || c["token_use"] != "access" {
		t.Errorf("m2m claims %v", c)
	}
	for _, k := range []string{"username", "cognito:groups", "aud"} {
		if _, ok := c[k]; ok {
			t.Errorf("m2m token has %s", k)
		}
	}
	if _, err := e.pool.MintM2MToken(e.secret.ID, []string{"orders/delete"}); err == nil {
		t.Error("unknown scope: no error")
	}
	if _, err := e.pool.MintTokens("nope", "frank"); err == nil {
		t.Error("unknown client: no error")
	}
	if _, err := e.pool.MintTokens(e.public.ID, "nobody"); err == nil {
		t.Error("unknown user: no error")
	}
	_, err = e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &m2m})
	wantErr[*types.NotAuthorizedException](t, err, "M2M token on GetUser")
	_, err = e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tok.IDToken})
	wantErr[*types.NotAuthorizedException](t, err, "ID token on GetUser")
	forged, _ := e.pool.SignJWT(map[string]any{"token_use": "access"})
	parts := strings.Split(tok.AccessToken, ".")
	other := strings.Split(forged, ".")
	tampered := parts[0] + "." + parts[1] + "." + other[2]
	_, err = e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tampered})
	wantErr[*types.NotAuthorizedException](t, err, "bad signature")
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{UsernameAttributes: []string{"email"}})
	u := e.pool.MustCreateUser(cognitotest.UserConfig{Email: "gina@example.com", Password: testPassword})
	refresh := func(c cognitotest.AppClient, rt, hashUser string) (*cip.InitiateAuthOutput, error) {
		p := map[string]string{"REFRESH_TOKEN": rt}
		if c.Secret != "" {
			p["SECRET_HASH"] = c.SecretHash(hashUser)
		}
		return e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(c.ID), AuthParameters: p})
	}
	login := must(e.passwordLogin(e.secret, "gina@example.com", testPassword))
	rt := *login.AuthenticationResult.RefreshToken
	if strings.Count(rt, ".") != 4 {
		t.Errorf("refresh token is not JWE-shaped")
	}
	origin := claimsOf(t, *login.AuthenticationResult.AccessToken)["origin_jti"]

	e.clock.Advance(time.Minute)
	out, err := refresh(e.secret, rt, u.Username)
	if err != nil {
		t.Fatalf("REFRESH_TOKEN_AUTH with the internal username: %v", err)
	}
	if out.AuthenticationResult.RefreshToken != nil {
		t.Error("REFRESH_TOKEN_AUTH returned a refresh token")
	}
	acc := claimsOf(t, *out.AuthenticationResult.AccessToken)
	if acc["origin_jti"] != origin || int64(acc["iat"].(float64)) != e.clock.Now().Unix() {
		t.Errorf("refreshed token: origin_jti %v (want %v), iat %v", acc["origin_jti"], origin, acc["iat"])
	}
	_, err = refresh(e.secret, rt, "gina@example.com")
	wantErr[*types.NotAuthorizedException](t, err, "SECRET_HASH computed with the alias")
	_, err = refresh(e.public, rt, "")
	wantErr[*types.NotAuthorizedException](t, err, "another client's refresh token")
	_, err = refresh(e.secret, "garbage", u.Username)
	wantErr[*types.NotAuthorizedException](t, err, "garbage refresh token")

	t.Run("expired", func(t *testing.T) {
		c := e.pool.MustCreateClient(cognitotest.ClientConfig{TokenLifetimes: cognitotest.TokenLifetimes{Refresh: time.Hour}})
		tok := e.pool.MustMintTokens(c.ID, u.Username)
		if _, err := refresh(c, tok.RefreshToken, ""); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		_, err := refresh(c, tok.RefreshToken, "")
		ex := wantErr[*types.NotAuthorizedException](t, err, "expired refresh token")
		if ex.ErrorMessage() != "Refresh Token has expired" {
			t.Errorf("message %q", ex.ErrorMessage())
		}
	})
	t.Run("revoked", func(t *testing.T) {
		tok := e.pool.MustMintTokens(e.secret.ID, u.Username)
		_, err := e.api.RevokeToken(ctx(), &cip.RevokeTokenInput{ClientId: aws.String(e.secret.ID), Token: &tok.RefreshToken})
		wantErr[*types.UnauthorizedException](t, err, "RevokeToken without the secret")
		if _, err := e.api.RevokeToken(ctx(), &cip.RevokeTokenInput{ClientId: aws.String(e.secret.ID), ClientSecret: &e.secret.Secret, Token: &tok.RefreshToken}); err != nil {
			t.Fatal(err)
		}
		_, err = refresh(e.secret, tok.RefreshToken, u.Username)
		ex := wantErr[*types.NotAuthorizedException](t, err, "revoked refresh token")
		if ex.ErrorMessage() != "Refresh Token has been revoked" {
			t.Errorf("message %q", ex.ErrorMessage())
		}
		_, err = e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tok.AccessToken})
		wantErr[*types.NotAuthorizedException](t, err, "access token of a revoked refresh token")
		_, err = e.api.RevokeToken(ctx(), &cip.RevokeTokenInput{ClientId: aws.String(e.secret.ID), ClientSecret: &e.secret.Secret, Token: &tok.AccessToken})
		wantErr[*types.UnsupportedTokenTypeException](t, err, "revoking an access token")
		// Other sessions are unaffected.
		if _, err := refresh(e.secret, rt, u.Username); err != nil {
			t.Errorf("unrelated refresh token: %v", err)
		}
	})
	t.Run("global sign-out", func(t *testing.T) {
		a := e.pool.MustMintTokens(e.public.ID, u.Username)
		b := e.pool.MustMintTokens(e.public.ID, u.Username)
		if _, err := e.api.GlobalSignOut(ctx(), &cip.GlobalSignOutInput{AccessToken: &a.AccessToken}); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []cognitotest.Tokens{a, b} {
			_, err := refresh(e.public, tok.RefreshToken, "")
			wantErr[*types.NotAuthorizedException](t, err, "refresh after GlobalSignOut")
			_, err = e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tok.AccessToken})
			ex := wantErr[*types.NotAuthorizedException](t, err, "access after GlobalSignOut")
			if ex.ErrorMessage() != "Access Token has been revoked" {
				t.Errorf("message %q", ex.ErrorMessage())
			}
		}
		c := e.pool.MustMintTokens(e.public.ID, u.Username)
		if _, err := e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &c.AccessToken}); err != nil {
			t.Errorf("new sign-in after GlobalSignOut: %v", err)
		}
		if _, err := e.api.AdminUserGlobalSignOut(ctx(), &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(e.pool.ID()), Username: &u.Username}); err != nil {
			t.Fatal(err)
		}
		_, err := e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &c.AccessToken})
		wantErr[*types.NotAuthorizedException](t, err, "access after AdminUserGlobalSignOut")
	})
}

func TestRefreshTokenRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "hank", Password: testPassword})
	c := e.pool.MustCreateClient(cognitotest.ClientConfig{GenerateSecret: true, RefreshTokenRotation: true, RetryGracePeriod: 10 * time.Second})
	tok := e.pool.MustMintTokens(c.ID, "hank")
	get := func(rt string) (*cip.GetTokensFromRefreshTokenOutput, error) {
		return e.api.GetTokensFromRefreshToken(ctx(), &cip.GetTokensFromRefreshTokenInput{ClientId: &c.ID, ClientSecret: &c.Secret, RefreshToken: &rt})
	}
	out, err := get(tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	next := out.AuthenticationResult.RefreshToken
	if next == nil || *next == tok.RefreshToken {
		t.Fatalf("rotation: got refresh token %v; want a new one", next)
	}
	e.clock.Advance(5 * time.Second)
	if _, err := get(tok.RefreshToken); err != nil {
		t.Errorf("old token within the grace period: %v", err)
	}
	e.clock.Advance(6 * time.Second)
	_, err = get(tok.RefreshToken)
	wantErr[*types.RefreshTokenReuseException](t, err, "old token after the grace period")
	if _, err := get(*next); err != nil {
		t.Errorf("new token: %v", err)
	}
	_, err = e.api.GetTokensFromRefreshToken(ctx(), &cip.GetTokensFromRefreshTokenInput{ClientId: &c.ID, ClientSecret: aws.String("wrong"), RefreshToken: next})
	wantErr[*types.NotAuthorizedException](t, err, "wrong client secret")
	_, err = e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &c.ID,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *next, "SECRET_HASH": c.SecretHash("hank")}})
	wantErr[*types.InvalidParameterException](t, err, "REFRESH_TOKEN_AUTH with rotation")

	// Without rotation, GetTokensFromRefreshToken returns no new refresh token.
	plain := e.pool.MustMintTokens(e.public.ID, "hank")
	out2, err := e.api.GetTokensFromRefreshToken(ctx(), &cip.GetTokensFromRefreshTokenInput{ClientId: &e.public.ID, RefreshToken: &plain.RefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	if out2.AuthenticationResult.RefreshToken != nil || out2.AuthenticationResult.AccessToken == nil {
		t.Errorf("without rotation: %+v", out2.AuthenticationResult)
	}
}

func TestProtocol(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{}, cognitotest.WithMaxBodyBytes(4096))
	post := func(target, ctype, body string, auth bool) (int, map[string]string, http.Header) {
		req, _ := http.NewRequest("POST", e.srv.URL()+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", ctype)
		if auth {
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
		}
		resp, err := e.srv.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]string
		json.Unmarshal(b, &m)
		return resp.StatusCode, m, resp.Header
	}
	const json11 = "application/x-amz-json-1.1"
	for _, tc := range []struct {
		name, target, ctype, body string
		auth                      bool
		status                    int
		typ, msg                  string
	}{
		{"unknown op", "AWSCognitoIdentityProviderService.ListUserPoolWidgets", json11, "{}", true, 400, "UnknownOperationException", "ListUserPoolWidgets"},
		{"no target", "", json11, "{}", true, 400, "UnknownOperationException", "X-Amz-Target"},
		{"wrong content type", "AWSCognitoIdentityProviderService.InitiateAuth", "text/plain", "{}", false, 400, "SerializationException", "Content-Type"},
		{"bad json", "AWSCognitoIdentityProviderService.InitiateAuth", json11, "{", false, 400, "SerializationException", "JSON"},
		{"wrong field type", "AWSCognitoIdentityProviderService.InitiateAuth", json11, `{"AuthParameters": 5}`, false, 400, "SerializationException", "AuthParameters"},
		{"oversized", "AWSCognitoIdentityProviderService.InitiateAuth", json11, `{"x":"` + strings.Repeat("a", 5000) + `"}`, false, 400, "InvalidParameterException", "exceeds"},
		{"admin without IAM", "AWSCognitoIdentityProviderService.AdminGetUser", json11, "{}", false, 400, "MissingAuthenticationTokenException", "credentials"},
		{"admin with IAM", "AWSCognitoIdentityProviderService.AdminGetUser", json11, `{"UserPoolId":"` + e.pool.ID() + `","Username":"x"}`, true, 400, "UserNotFoundException", "User does not exist."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, hdr := post(tc.target, tc.ctype, tc.body, tc.auth)
			if status != tc.status || body["__type"] != tc.typ || hdr.Get("X-Amzn-Errortype") != tc.typ {
				t.Errorf("got %d %v (header %q); want %d %s", status, body, hdr.Get("X-Amzn-Errortype"), tc.status, tc.typ)
			}
			if !strings.Contains(body["message"], tc.msg) {
				t.Errorf("message %q lacks %q", body["message"], tc.msg)
			}
		})
	}
	// Every operation of the SDK answers now (TestEveryOperationAnswers);
	// one the SDK does not have is an UnknownOperationException above.
}
