package cognitotest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// secretHashOf computes SECRET_HASH with a given secret.
func secretHashOf(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// lifetime returns exp - iat of a token.
func lifetime(t testing.TB, tok string) time.Duration {
	t.Helper()
	c := claimsOf(t, tok)
	return time.Duration(c["exp"].(float64)-c["iat"].(float64)) * time.Second
}

// TestUpdateUserPoolClientTakesEffect: the flows, token validity and
// refresh token rotation of UpdateUserPoolClient apply to the next
// sign-in; the settings the request leaves out return to their defaults.
func TestUpdateUserPoolClientTakesEffect(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: testPassword})
	c := ctx()
	pid := aws.String(e.pool.ID())
	created := must(e.api.CreateUserPoolClient(c, &cip.CreateUserPoolClientInput{UserPoolId: pid, ClientName: aws.String("app"),
		ExplicitAuthFlows:   []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		AccessTokenValidity: aws.Int32(10), TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes}}))
	cid := created.UserPoolClient.ClientId
	app := must(e.pool.Client(*cid))

	out := must(e.passwordLogin(app, "alice", testPassword))
	if got := out.AuthenticationResult.ExpiresIn; got != 600 {
		t.Errorf("ExpiresIn before the update: got %d; want 600", got)
	}
	if got := lifetime(t, *out.AuthenticationResult.AccessToken); got != 10*time.Minute {
		t.Errorf("access token lifetime: got %v; want 10m", got)
	}
	oldRefresh := out.AuthenticationResult.RefreshToken

	upd := must(e.api.UpdateUserPoolClient(c, &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: cid,
		ExplicitAuthFlows:   []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		AccessTokenValidity: aws.Int32(2), IdTokenValidity: aws.Int32(90),
		TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeHours, IdToken: types.TimeUnitsTypeMinutes}}))
	if got := *upd.UserPoolClient.ClientName; got != "app" {
		t.Errorf("ClientName after an update without it: got %q; want app (kept)", got)
	}
	if got := *upd.UserPoolClient.AccessTokenValidity; got != 2 {
		t.Errorf("AccessTokenValidity: got %d; want 2", got)
	}

	// USER_PASSWORD_AUTH is no longer allowed.
	_, err := e.passwordLogin(app, "alice", testPassword)
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Fatalf("USER_PASSWORD_AUTH after it was removed: got %v; want InvalidParameterException", err)
	}
	// SRP now is, with the new lifetimes.
	res := must(e.srpLogin(app, "alice", testPassword)).AuthenticationResult
	if res.ExpiresIn != 7200 || lifetime(t, *res.AccessToken) != 2*time.Hour || lifetime(t, *res.IdToken) != 90*time.Minute {
		t.Errorf("lifetimes after the update: ExpiresIn %d, access %v, ID %v; want 7200, 2h, 1h30m",
			res.ExpiresIn, lifetime(t, *res.AccessToken), lifetime(t, *res.IdToken))
	}
	// A refresh token from before the update gives tokens with the new lifetimes.
	ref := must(e.api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: cid,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *oldRefresh}}))
	if got := lifetime(t, *ref.AuthenticationResult.AccessToken); got != 2*time.Hour {
		t.Errorf("refreshed access token lifetime: got %v; want 2h", got)
	}

	// Rotation: REFRESH_TOKEN_AUTH gives way to GetTokensFromRefreshToken,
	// which replaces the refresh token; the old one fails after the grace period.
	noErr(t, errOnly(e.api.UpdateUserPoolClient(c, &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: cid,
		ExplicitAuthFlows:    []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth},
		RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(10)}})))
	d := must(e.api.DescribeUserPoolClient(c, &cip.DescribeUserPoolClientInput{UserPoolId: pid, ClientId: cid})).UserPoolClient
	if *d.AccessTokenValidity != 60 || d.TokenValidityUnits.AccessToken != types.TimeUnitsTypeMinutes && d.TokenValidityUnits.AccessToken != types.TimeUnitsTypeHours {
		t.Errorf("AccessTokenValidity after an update without it: got %d %s; want the default (60 minutes or 1 hour)", *d.AccessTokenValidity, d.TokenValidityUnits.AccessToken)
	}
	res = must(e.srpLogin(app, "alice", testPassword)).AuthenticationResult
	if res.ExpiresIn != 3600 {
		t.Errorf("ExpiresIn after the lifetimes returned to their defaults: got %d; want 3600", res.ExpiresIn)
	}
	_, err = e.api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: cid,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *res.RefreshToken}})
	if !errors.As(err, &ip) {
		t.Errorf("REFRESH_TOKEN_AUTH with rotation: got %v; want InvalidParameterException", err)
	}
	rot := must(e.api.GetTokensFromRefreshToken(c, &cip.GetTokensFromRefreshTokenInput{ClientId: cid, RefreshToken: res.RefreshToken}))
	if rot.AuthenticationResult.RefreshToken == nil || *rot.AuthenticationResult.RefreshToken == *res.RefreshToken {
		t.Fatalf("GetTokensFromRefreshToken with rotation: got no new refresh token")
	}
	e.clock.Advance(11 * time.Second)
	_, err = e.api.GetTokensFromRefreshToken(c, &cip.GetTokensFromRefreshTokenInput{ClientId: cid, RefreshToken: res.RefreshToken})
	var reuse *types.RefreshTokenReuseException
	if !errors.As(err, &reuse) {
		t.Errorf("the replaced refresh token after the grace period: got %v; want RefreshTokenReuseException", err)
	}
	noErr(t, errOnly(e.api.GetTokensFromRefreshToken(c, &cip.GetTokensFromRefreshTokenInput{ClientId: cid, RefreshToken: rot.AuthenticationResult.RefreshToken})))
}

func errOnly[T any](_ T, err error) error { return err }

// TestUpdateUserPoolClientOAuth: the OAuth settings of an update apply to
// the next authorization request.
func TestUpdateUserPoolClientOAuth(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t)
	c := ctx()
	api := cip.NewFromConfig(e.srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	const newCallback = "https://new.example.com/cb"
	noErr(t, errOnly(api.UpdateUserPoolClient(c, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(e.pool.ID()), ClientId: aws.String(e.pub.ID),
		CallbackURLs: []string{newCallback}, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid"}, AllowedOAuthFlowsUserPoolClient: true})))
	hc := noRedirectClient()
	// The old callback URL is refused now.
	resp, err := hc.Get(e.srv.OAuthDomain() + "/oauth2/authorize?" + authQuery(e.pub.ID).Encode())
	noErr(t, err)
	readAll(t, resp)
	if resp.StatusCode != 400 {
		t.Errorf("authorize with the removed callback: status %d; want 400", resp.StatusCode)
	}
	// The new one is accepted, and the scope email is no longer allowed.
	q := authQuery(e.pub.ID, "redirect_uri", newCallback, "scope", "openid")
	resp, err = hc.Get(e.srv.OAuthDomain() + "/oauth2/authorize?" + q.Encode())
	noErr(t, err)
	readAll(t, resp)
	if resp.StatusCode != 302 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Errorf("authorize with the new callback: status %d, Location %q; want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	q.Set("scope", "openid email")
	resp, err = hc.Get(e.srv.OAuthDomain() + "/oauth2/authorize?" + q.Encode())
	noErr(t, err)
	readAll(t, resp)
	if loc, _ := resp.Location(); loc == nil || loc.Query().Get("error") != "invalid_scope" {
		t.Errorf("authorize with a scope the update removed: status %d, Location %v; want error=invalid_scope", resp.StatusCode, loc)
	}
	// Turning OAuth off closes the endpoint for the client.
	noErr(t, errOnly(api.UpdateUserPoolClient(c, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(e.pool.ID()), ClientId: aws.String(e.pub.ID)})))
	resp, err = hc.Get(e.srv.OAuthDomain() + "/oauth2/authorize?" + q.Encode())
	noErr(t, err)
	readAll(t, resp)
	if resp.StatusCode == 302 && strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Errorf("authorize for a client without OAuth: got the sign-in page")
	}
}

func TestUpdateUserPoolClientErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	c := ctx()
	pid, cid := aws.String(e.pool.ID()), aws.String(e.public.ID)
	var ip *types.InvalidParameterException
	var nf *types.ResourceNotFoundException
	cases := []struct {
		name string
		in   *cip.UpdateUserPoolClientInput
		want any
	}{
		{"unknown client", &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: aws.String("1234567890abcdefghijklmnop")}, &nf},
		{"unknown pool", &cip.UpdateUserPoolClientInput{UserPoolId: aws.String("us-east-1_Nope"), ClientId: cid}, &nf},
		{"legacy flow", &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: cid, ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeUserPasswordAuth}}, &ip},
		{"access token 2 days", &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: cid, AccessTokenValidity: aws.Int32(2), TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeDays}}, &ip},
		{"refresh shorter than access", &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: cid, AccessTokenValidity: aws.Int32(1), RefreshTokenValidity: 60,
			TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeDays, RefreshToken: types.TimeUnitsTypeMinutes}}, &ip},
		{"http callback", &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: cid, CallbackURLs: []string{"http://app.example.com/cb"}}, &ip},
		{"javascript callback", &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: cid, CallbackURLs: []string{"javascript:alert(1)"}}, &ip},
		{"client_credentials without a secret", &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: cid, AllowedOAuthFlowsUserPoolClient: true,
			AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthScopes: []string{"openid"}}, &ip},
		{"grace period 61s", &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: cid,
			RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(61)}}, &ip},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.api.UpdateUserPoolClient(c, tc.in)
			if !errors.As(err, tc.want) {
				t.Errorf("got %v; want %T", err, tc.want)
			}
		})
	}
}

// TestClientSecretRotation: a second secret works alongside the first for
// SECRET_HASH and the token endpoint's client authentication; a deleted
// one stops at once.
func TestClientSecretRotation(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t)
	c := ctx()
	api := cip.NewFromConfig(e.srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	pid, cid := aws.String(e.pool.ID()), aws.String(e.m2m.ID)
	first := e.m2m.Secret

	list := must(api.ListUserPoolClientSecrets(c, &cip.ListUserPoolClientSecretsInput{UserPoolId: pid, ClientId: cid})).ClientSecrets
	if len(list) != 1 || list[0].ClientSecretValue != nil {
		t.Fatalf("secrets of a new client: got %d (value shown: %v); want 1 without its value", len(list), len(list) == 1 && list[0].ClientSecretValue != nil)
	}
	firstID := *list[0].ClientSecretId

	added := must(api.AddUserPoolClientSecret(c, &cip.AddUserPoolClientSecretInput{UserPoolId: pid, ClientId: cid})).ClientSecretDescriptor
	if added.ClientSecretValue == nil || len(*added.ClientSecretValue) < 24 {
		t.Fatalf("AddUserPoolClientSecret: no generated value")
	}
	second := *added.ClientSecretValue

	cc := func(secret string) int {
		code, _ := e.token(t, url.Values{"grant_type": {"client_credentials"}, "scope": {"orders/read"}}, e.m2m.ID, secret)
		return code
	}
	for name, s := range map[string]string{"first": first, "second": second} {
		if got := cc(s); got != 200 {
			t.Errorf("client_credentials with the %s secret: status %d; want 200", name, got)
		}
	}
	if got := cc("not-the-secret-at-all-000000"); got != 401 && got != 400 {
		t.Errorf("client_credentials with a wrong secret: status %d; want 400 or 401", got)
	}

	// Both secrets give a valid SECRET_HASH on the API, too.
	web := *aws.String(e.web.ID)
	webAdded := must(api.AddUserPoolClientSecret(c, &cip.AddUserPoolClientSecretInput{UserPoolId: pid, ClientId: &web,
		ClientSecret: aws.String("my_own_secret_value_0123456789")})).ClientSecretDescriptor
	if webAdded.ClientSecretValue != nil {
		t.Errorf("AddUserPoolClientSecret with a given secret shows it back; Cognito shows only generated ones")
	}
	noErr(t, errOnly(api.UpdateUserPoolClient(c, &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: &web,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth}})))
	for _, s := range []string{e.web.Secret, "my_own_secret_value_0123456789"} {
		_, err := api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &web,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Alice-Passw0rd!", "SECRET_HASH": secretHashOf(s, "alice", web)}})
		noErr(t, err)
	}

	// A third secret is over the limit.
	_, err := api.AddUserPoolClientSecret(c, &cip.AddUserPoolClientSecretInput{UserPoolId: pid, ClientId: cid})
	var le *types.LimitExceededException
	if !errors.As(err, &le) {
		t.Errorf("a third secret: got %v; want LimitExceededException", err)
	}
	// Deleting the first: it stops working, the second goes on.
	noErr(t, errOnly(api.DeleteUserPoolClientSecret(c, &cip.DeleteUserPoolClientSecretInput{UserPoolId: pid, ClientId: cid, ClientSecretId: &firstID})))
	if got := cc(first); got == 200 {
		t.Errorf("client_credentials with the deleted secret: status 200")
	}
	if got := cc(second); got != 200 {
		t.Errorf("client_credentials with the remaining secret: status %d; want 200", got)
	}
	list = must(api.ListUserPoolClientSecrets(c, &cip.ListUserPoolClientSecretsInput{UserPoolId: pid, ClientId: cid})).ClientSecrets
	if len(list) != 1 || *list[0].ClientSecretId != *added.ClientSecretId {
		t.Errorf("secrets after deleting the first: got %d; want only the second", len(list))
	}
	// DescribeUserPoolClient shows the remaining secret.
	d := must(api.DescribeUserPoolClient(c, &cip.DescribeUserPoolClientInput{UserPoolId: pid, ClientId: cid})).UserPoolClient
	if d.ClientSecret == nil || *d.ClientSecret != second {
		t.Errorf("DescribeUserPoolClient after the rotation: the secret is not the second one")
	}

	var ip *types.InvalidParameterException
	var nf *types.ResourceNotFoundException
	_, err = api.DeleteUserPoolClientSecret(c, &cip.DeleteUserPoolClientSecretInput{UserPoolId: pid, ClientId: cid, ClientSecretId: added.ClientSecretId})
	if !errors.As(err, &ip) {
		t.Errorf("deleting the last secret: got %v; want InvalidParameterException", err)
	}
	_, err = api.DeleteUserPoolClientSecret(c, &cip.DeleteUserPoolClientSecretInput{UserPoolId: pid, ClientId: cid, ClientSecretId: &firstID})
	if !errors.As(err, &nf) {
		t.Errorf("deleting a deleted secret: got %v; want ResourceNotFoundException", err)
	}
	_, err = api.AddUserPoolClientSecret(c, &cip.AddUserPoolClientSecretInput{UserPoolId: pid, ClientId: aws.String(e.pub.ID)})
	if !errors.As(err, &ip) {
		t.Errorf("a secret for a public client: got %v; want InvalidParameterException", err)
	}
	_, err = api.AddUserPoolClientSecret(c, &cip.AddUserPoolClientSecretInput{UserPoolId: pid, ClientId: cid, ClientSecret: aws.String("short")})
	if !errors.As(err, &ip) {
		t.Errorf("a too short secret: got %v; want InvalidParameterException", err)
	}
	_, err = api.ListUserPoolClientSecrets(c, &cip.ListUserPoolClientSecretsInput{UserPoolId: pid, ClientId: aws.String("nope")})
	if !errors.As(err, &nf) {
		t.Errorf("secrets of an unknown client: got %v; want ResourceNotFoundException", err)
	}
}

// TestResourceServerOps: Describe/List/Update/DeleteResourceServer, and
// client_credentials follows the scopes they leave.
func TestResourceServerOps(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t)
	c := ctx()
	api := cip.NewFromConfig(e.srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	pid := aws.String(e.pool.ID())
	for i := range 3 {
		noErr(t, errOnly(api.CreateResourceServer(c, &cip.CreateResourceServerInput{UserPoolId: pid, Identifier: aws.String("api" + string(rune('a'+i))),
			Name: aws.String("API"), Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("x"), ScopeDescription: aws.String("x")}}})))
	}
	d := must(api.DescribeResourceServer(c, &cip.DescribeResourceServerInput{UserPoolId: pid, Identifier: aws.String("orders")})).ResourceServer
	if len(d.Scopes) != 1 || *d.Scopes[0].ScopeName != "read" {
		t.Errorf("DescribeResourceServer: scopes %v; want read", d.Scopes)
	}
	// Pagination walks all four, two at a time.
	var ids []string
	var next *string
	for pages := 0; ; pages++ {
		out := must(api.ListResourceServers(c, &cip.ListResourceServersInput{UserPoolId: pid, MaxResults: aws.Int32(2), NextToken: next}))
		for _, rs := range out.ResourceServers {
			ids = append(ids, *rs.Identifier)
		}
		if next = out.NextToken; next == nil {
			break
		}
		if pages > 3 {
			t.Fatal("ListResourceServers does not end")
		}
	}
	if strings.Join(ids, ",") != "apia,apib,apic,orders" {
		t.Errorf("ListResourceServers: got %v; want apia, apib, apic, orders", ids)
	}
	var ip *types.InvalidParameterException
	var nf *types.ResourceNotFoundException
	if _, err := api.ListResourceServers(c, &cip.ListResourceServersInput{UserPoolId: pid, MaxResults: aws.Int32(2), NextToken: aws.String("forged")}); !errors.As(err, &ip) {
		t.Errorf("a forged NextToken: got %v; want InvalidParameterException", err)
	}
	if _, err := api.DescribeResourceServer(c, &cip.DescribeResourceServerInput{UserPoolId: pid, Identifier: aws.String("nope")}); !errors.As(err, &nf) {
		t.Errorf("an unknown resource server: got %v; want ResourceNotFoundException", err)
	}

	cc := func(scope string) (int, map[string]any) {
		return e.token(t, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}, e.m2m.ID, e.m2m.Secret)
	}
	if code, _ := cc("orders/read"); code != 200 {
		t.Fatalf("client_credentials before the update: status %d", code)
	}
	// The scope read goes, write comes: the client may no longer get read.
	upd := must(api.UpdateResourceServer(c, &cip.UpdateResourceServerInput{UserPoolId: pid, Identifier: aws.String("orders"), Name: aws.String("Orders v2"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("write"), ScopeDescription: aws.String("w")}}})).ResourceServer
	if *upd.Name != "Orders v2" || len(upd.Scopes) != 1 {
		t.Errorf("UpdateResourceServer: got %s %v", *upd.Name, upd.Scopes)
	}
	if code, body := cc("orders/read"); code != 400 || body["error"] != "invalid_scope" {
		t.Errorf("client_credentials for a removed scope: status %d %v; want 400 invalid_scope", code, body["error"])
	}
	// Allowing the new scope lets the client have it.
	noErr(t, errOnly(api.UpdateUserPoolClient(c, &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: aws.String(e.m2m.ID),
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthScopes: []string{"orders/write"}, AllowedOAuthFlowsUserPoolClient: true})))
	code, body := cc("orders/write")
	if code != 200 {
		t.Fatalf("client_credentials for the new scope: status %d %v", code, body)
	}
	if got := claimsOf(t, body["access_token"].(string))["scope"]; got != "orders/write" {
		t.Errorf("scope claim: got %v; want orders/write", got)
	}
	noErr(t, errOnly(api.DeleteResourceServer(c, &cip.DeleteResourceServerInput{UserPoolId: pid, Identifier: aws.String("orders")})))
	if code, _ := cc("orders/write"); code == 200 {
		t.Errorf("client_credentials for a scope of a deleted resource server: status 200")
	}
	if _, err := api.DeleteResourceServer(c, &cip.DeleteResourceServerInput{UserPoolId: pid, Identifier: aws.String("orders")}); !errors.As(err, &nf) {
		t.Errorf("deleting it twice: got %v; want ResourceNotFoundException", err)
	}
	if _, err := api.UpdateResourceServer(c, &cip.UpdateResourceServerInput{UserPoolId: pid, Identifier: aws.String("apia"), Name: aws.String("A"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("x"), ScopeDescription: aws.String("1")}, {ScopeName: aws.String("x"), ScopeDescription: aws.String("2")}}}); !errors.As(err, &ip) {
		t.Errorf("a scope twice: got %v; want InvalidParameterException", err)
	}
}
