package cognitotest_test

import (
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/verifier"
)

// fedEnv is an app's pool whose managed login federates to an upstream
// OIDC provider: a pool of a second emulator.
type fedEnv struct {
	srv, upSrv *cognitotest.Server
	pool, up   *cognitotest.Pool
	app        cognitotest.AppClient // the app's client, in pool
	rp         cognitotest.AppClient // the app pool's client at the upstream
	api        *cip.Client
}

const fedProvider = "Upstream"

func newFedEnv(t testing.TB, mapping map[string]string, poolCfg cognitotest.PoolConfig) *fedEnv {
	t.Helper()
	e := &fedEnv{srv: cognitotest.NewServer(t, fastKeys()), upSrv: cognitotest.NewServer(t, otherKeys())}
	e.up = e.upSrv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Upstream"})
	e.rp = e.up.MustCreateClient(cognitotest.ClientConfig{Name: "rp", GenerateSecret: true, CallbackURLs: []string{e.srv.URL() + "/oauth2/idpresponse"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"}, AllowedOAuthFlowsUserPoolClient: true})
	e.up.MustCreateUser(cognitotest.UserConfig{Username: "gina", Password: "Gina-Passw0rd!", Email: "gina@example.com",
		Attributes: map[string]string{"given_name": "Gina"}})
	if poolCfg.ID == "" {
		poolCfg.ID = "us-east-1_FedApp"
	}
	e.pool = e.srv.MustCreatePool(poolCfg)
	e.api = cip.NewFromConfig(e.srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	_, err := e.api.CreateIdentityProvider(ctx(), &cip.CreateIdentityProviderInput{UserPoolId: aws.String(e.pool.ID()), ProviderName: aws.String(fedProvider),
		ProviderType: types.IdentityProviderTypeTypeOidc, AttributeMapping: mapping, IdpIdentifiers: []string{"example.com"},
		ProviderDetails: map[string]string{"client_id": e.rp.ID, "client_secret": e.rp.Secret, "authorize_scopes": "openid email profile",
			"attributes_request_method": "GET", "oidc_issuer": e.up.Issuer()}})
	if err != nil {
		t.Fatalf("CreateIdentityProvider: %v", err)
	}
	e.app = e.pool.MustCreateClient(cognitotest.ClientConfig{Name: "app", GenerateSecret: true, CallbackURLs: []string{oauthCallback},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"}, AllowedOAuthFlowsUserPoolClient: true,
		SupportedIdentityProviders: []string{"COGNITO", fedProvider}})
	return e
}

func (e *fedEnv) oauth2Config() *oauth2.Config {
	return &oauth2.Config{ClientID: e.app.ID, ClientSecret: e.app.Secret, RedirectURL: oauthCallback, Scopes: []string{"openid", "email", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: e.srv.OAuthDomain() + "/oauth2/authorize", TokenURL: e.srv.OAuthDomain() + "/oauth2/token"}}
}

// browser returns an HTTP client with a cookie jar that follows
// redirects, except to the app's callback, where it stops.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), oauthCallback) || len(via) > 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// federate runs the browser from authURL through the upstream's sign-in
// page (as user, with password) and returns the URL the app's callback
// receives.
func (e *fedEnv) federate(t testing.TB, hc *http.Client, authURL, user, password string) *url.URL {
	t.Helper()
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode == http.StatusFound {
		return must(resp.Location())
	}
	// The upstream's sign-in page.
	m := requestIDRE.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil || !strings.HasPrefix(resp.Request.URL.String(), e.upSrv.URL()) {
		t.Fatalf("want the upstream's sign-in page; got %d at %s: %.300s", resp.StatusCode, resp.Request.URL, body)
	}
	resp, err = hc.PostForm(e.upSrv.URL()+"/login", url.Values{"request": {m[1]}, "username": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	body = readAll(t, resp)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("after the upstream sign-in: status %d at %s: %.300s", resp.StatusCode, resp.Request.URL, body)
	}
	return must(resp.Location())
}

func (e *fedEnv) verifier(t testing.TB, use verifier.TokenUse) *verifier.Verifier {
	t.Helper()
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: e.pool.ID(), ClientIDs: []string{e.app.ID}, TokenUse: use,
		Issuer: e.pool.Issuer(), JWKSURL: e.pool.JWKSURL()}}, HTTPClient: e.srv.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

type identityClaim struct {
	UserID, ProviderName, ProviderType, Primary, DateCreated string
	Issuer                                                   *string
}

func identitiesOf(t testing.TB, c *verifier.Claims) []verifier.Identity {
	t.Helper()
	ids, err := c.Identities()
	if err != nil || ids == nil {
		t.Fatalf("the ID token's identities claim: %v, %v", ids, err)
	}
	return ids
}

// TestFederatedSignIn runs the whole flow with golang.org/x/oauth2 and a
// browser-like client: the app sends the user to managed login with
// identity_provider, the emulator to the upstream provider (another
// emulator's pool), the user signs in there, and the app gets tokens of
// the federated user, which package verifier accepts.
func TestFederatedSignIn(t *testing.T) {
	t.Parallel()
	e := newFedEnv(t, map[string]string{"email": "email", "email_verified": "email_verified", "given_name": "given_name"}, cognitotest.PoolConfig{})
	conf := e.oauth2Config()
	verifierStr := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("app-state", oauth2.S256ChallengeOption(verifierStr), oauth2.SetAuthURLParam("identity_provider", fedProvider),
		oauth2.SetAuthURLParam("nonce", "app-nonce"))
	hc := browser()
	cb := e.federate(t, hc, authURL, "gina", "Gina-Passw0rd!")
	if cb.Query().Get("state") != "app-state" || cb.Query().Get("code") == "" {
		t.Fatalf("callback %s; want a code and the app's state", cb)
	}
	tok, err := conf.Exchange(ctx(), cb.Query().Get("code"), oauth2.VerifierOption(verifierStr))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	id, err := e.verifier(t, verifier.TokenUseID).Verify(ctx(), rawID)
	if err != nil {
		t.Fatalf("verify the ID token: %v", err)
	}
	upSub := must(e.up.User("gina")).Sub
	wantName := fedProvider + "_" + upSub
	if got, _ := id.String("cognito:username"); got != wantName {
		t.Errorf("cognito:username = %q; want %q", got, wantName)
	}
	group := e.pool.ID() + "_" + fedProvider
	if !id.HasGroup(group) {
		t.Errorf("cognito:groups = %v; want %s", id.Groups, group)
	}
	if email, _ := id.String("email"); email != "gina@example.com" {
		t.Errorf("email = %q; want the mapped gina@example.com", email)
	}
	if gn, _ := id.String("given_name"); gn != "Gina" {
		t.Errorf("given_name = %q; want Gina", gn)
	}
	if raw, _ := id.Get("email_verified"); string(raw) != "true" {
		t.Errorf("email_verified = %s; want true", raw)
	}
	if nonce, _ := id.String("nonce"); nonce != "app-nonce" {
		t.Errorf("nonce = %q; want the app's", nonce)
	}
	ids := identitiesOf(t, id)
	if len(ids) != 1 || ids[0].UserID != upSub || ids[0].ProviderName != fedProvider || ids[0].ProviderType != "OIDC" || !ids[0].Primary || ids[0].DateCreated.IsZero() {
		t.Errorf("identities = %+v; want one OIDC identity of %s", ids, upSub)
	}
	acc, err := e.verifier(t, verifier.TokenUseAccess).Verify(ctx(), tok.AccessToken)
	if err != nil {
		t.Fatalf("verify the access token: %v", err)
	}
	if acc.Username != wantName || !acc.HasGroup(group) {
		t.Errorf("access token: username %q, groups %v", acc.Username, acc.Groups)
	}

	// The user as the API sees it.
	u, err := e.api.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool.ID()), Username: aws.String(wantName)})
	if err != nil {
		t.Fatal(err)
	}
	if u.UserStatus != types.UserStatusTypeExternalProvider {
		t.Errorf("UserStatus = %s; want EXTERNAL_PROVIDER", u.UserStatus)
	}
	groups := must(e.api.AdminListGroupsForUser(ctx(), &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(e.pool.ID()), Username: aws.String(wantName)}))
	if len(groups.Groups) != 1 || aws.ToString(groups.Groups[0].GroupName) != group {
		t.Errorf("groups %v; want %s", groups.Groups, group)
	}

	// A second sign-in: the same user, attributes updated from the
	// provider.
	_, err = cip.NewFromConfig(e.upSrv.AWSConfig()).AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(e.up.ID()), Username: aws.String("gina"),
		UserAttributes: []types.AttributeType{{Name: aws.String("given_name"), Value: aws.String("Georgina")}}})
	if err != nil {
		t.Fatal(err)
	}
	cb = e.federate(t, browser(), authURL, "gina", "Gina-Passw0rd!")
	tok, err = conf.Exchange(ctx(), cb.Query().Get("code"), oauth2.VerifierOption(verifierStr))
	if err != nil {
		t.Fatal(err)
	}
	id2 := must(e.verifier(t, verifier.TokenUseID).Verify(ctx(), tok.Extra("id_token").(string)))
	if id2.Subject != id.Subject {
		t.Errorf("second sign-in: sub %s; want the same user %s", id2.Subject, id.Subject)
	}
	if gn, _ := id2.String("given_name"); gn != "Georgina" {
		t.Errorf("second sign-in: given_name %q; want the provider's new Georgina", gn)
	}

	// idp_identifier finds the provider too.
	cb = e.federate(t, browser(), conf.AuthCodeURL("s2", oauth2.SetAuthURLParam("idp_identifier", "EXAMPLE.com")), "gina", "Gina-Passw0rd!")
	if cb.Query().Get("code") == "" {
		t.Errorf("idp_identifier: callback %s; want a code", cb)
	}
}

// TestFederationLinks: a provider's user linked to a user of the pool
// signs in as that user; AdminDisableProviderForUser ends it.
func TestFederationLinks(t *testing.T) {
	t.Parallel()
	e := newFedEnv(t, map[string]string{"email": "email"}, cognitotest.PoolConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "native", Password: "Native-Passw0rd!", Email: "native@example.com", Groups: []string{"staff"}})
	upSub := must(e.up.User("gina")).Sub
	pid := aws.String(e.pool.ID())
	src := &types.ProviderUserIdentifierType{ProviderName: aws.String(fedProvider), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String(upSub)}
	_, err := e.api.AdminLinkProviderForUser(ctx(), &cip.AdminLinkProviderForUserInput{UserPoolId: pid, SourceUser: src,
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("native")}})
	if err != nil {
		t.Fatalf("AdminLinkProviderForUser: %v", err)
	}
	conf := e.oauth2Config()
	cb := e.federate(t, browser(), conf.AuthCodeURL("s", oauth2.SetAuthURLParam("identity_provider", fedProvider)), "gina", "Gina-Passw0rd!")
	tok, err := conf.Exchange(ctx(), cb.Query().Get("code"))
	if err != nil {
		t.Fatalf("Exchange (callback %s): %v", cb, err)
	}
	id := must(e.verifier(t, verifier.TokenUseID).Verify(ctx(), tok.Extra("id_token").(string)))
	if got, _ := id.String("cognito:username"); got != "native" || !id.HasGroup("staff") {
		t.Errorf("linked sign-in: cognito:username %q, groups %v; want native in staff", got, id.Groups)
	}
	if ids := identitiesOf(t, id); len(ids) != 1 || ids[0].UserID != upSub || ids[0].ProviderName != fedProvider {
		t.Errorf("identities %+v; want the linked identity", ids)
	}
	if _, err := e.api.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String(fedProvider + "_" + upSub)}); err == nil {
		t.Error("a linked sign-in created a federated user")
	}

	// Unlinked: the next sign-in creates the federated user.
	_, err = e.api.AdminDisableProviderForUser(ctx(), &cip.AdminDisableProviderForUserInput{UserPoolId: pid, User: src})
	if err != nil {
		t.Fatalf("AdminDisableProviderForUser: %v", err)
	}
	cb = e.federate(t, browser(), conf.AuthCodeURL("s", oauth2.SetAuthURLParam("identity_provider", fedProvider)), "gina", "Gina-Passw0rd!")
	tok = must(conf.Exchange(ctx(), cb.Query().Get("code")))
	id = must(e.verifier(t, verifier.TokenUseID).Verify(ctx(), tok.Extra("id_token").(string)))
	if got, _ := id.String("cognito:username"); got != fedProvider+"_"+upSub {
		t.Errorf("after unlinking: cognito:username %q; want the federated user", got)
	}
	// Now the federated user exists: linking it is refused, as Cognito
	// refuses to merge profiles.
	_, err = e.api.AdminLinkProviderForUser(ctx(), &cip.AdminLinkProviderForUserInput{UserPoolId: pid, SourceUser: src,
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("native")}})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) || !strings.Contains(err.Error(), "Merging is not currently supported") {
		t.Errorf("linking an existing federated user: %v; want InvalidParameterException", err)
	}
	// Disabling the provider for the federated user stops its sign-ins;
	// the app hears of it at its callback.
	if _, err := e.api.AdminDisableProviderForUser(ctx(), &cip.AdminDisableProviderForUserInput{UserPoolId: pid, User: src}); err != nil {
		t.Fatal(err)
	}
	cb = e.federate(t, browser(), conf.AuthCodeURL("s3", oauth2.SetAuthURLParam("identity_provider", fedProvider)), "gina", "Gina-Passw0rd!")
	if cb.Query().Get("error") != "invalid_request" || !strings.Contains(cb.Query().Get("error_description"), "disabled") || cb.Query().Get("state") != "s3" {
		t.Errorf("disabled federated user: callback %s; want error=invalid_request, User is disabled", cb)
	}
}

// TestFederationErrors: what goes wrong upstream reaches the app's
// redirect_uri as Cognito sends it.
func TestFederationErrors(t *testing.T) {
	t.Parallel()
	t.Run("required attribute missing", func(t *testing.T) {
		e := newFedEnv(t, nil, cognitotest.PoolConfig{ID: "us-east-1_FedReq", RequiredAttributes: []string{"email"}})
		cb := e.federate(t, browser(), e.oauth2Config().AuthCodeURL("s", oauth2.SetAuthURLParam("identity_provider", fedProvider)), "gina", "Gina-Passw0rd!")
		if q := cb.Query(); q.Get("error") != "invalid_request" || q.Get("error_description") != "attributes required: [email]" || q.Get("state") != "s" {
			t.Errorf("callback %s; want error=invalid_request, attributes required: [email]", cb)
		}
	})
	t.Run("upstream token endpoint refuses", func(t *testing.T) {
		e := newFedEnv(t, nil, cognitotest.PoolConfig{})
		e.upSrv.FailOperation("OAuth2Token", 1, "InvalidParameterException", "no way")
		cb := e.federate(t, browser(), e.oauth2Config().AuthCodeURL("s", oauth2.SetAuthURLParam("identity_provider", fedProvider)), "gina", "Gina-Passw0rd!")
		if q := cb.Query(); q.Get("error") != "invalid_request" || !strings.HasPrefix(q.Get("error_description"), fedProvider+" Error - 400 invalid_request") {
			t.Errorf("callback %s; want error=invalid_request with the provider's error", cb)
		}
	})
	t.Run("upstream authorize error", func(t *testing.T) {
		e := newFedEnv(t, nil, cognitotest.PoolConfig{})
		// The upstream refuses the scope the provider asks for: it
		// answers the emulator's idpresponse with error=invalid_scope.
		_, err := e.api.UpdateIdentityProvider(ctx(), &cip.UpdateIdentityProviderInput{UserPoolId: aws.String(e.pool.ID()), ProviderName: aws.String(fedProvider),
			ProviderDetails: map[string]string{"client_id": e.rp.ID, "client_secret": e.rp.Secret, "authorize_scopes": "openid phone",
				"attributes_request_method": "GET", "oidc_issuer": e.up.Issuer()}})
		if err != nil {
			t.Fatal(err)
		}
		cb := e.federate(t, browser(), e.oauth2Config().AuthCodeURL("s", oauth2.SetAuthURLParam("identity_provider", fedProvider)), "gina", "Gina-Passw0rd!")
		if q := cb.Query(); q.Get("error") != "invalid_request" || !strings.HasPrefix(q.Get("error_description"), fedProvider+" Error - invalid_scope") {
			t.Errorf("callback %s; want error=invalid_request, Upstream Error - invalid_scope", cb)
		}
	})
	t.Run("forged state", func(t *testing.T) {
		e := newFedEnv(t, nil, cognitotest.PoolConfig{})
		resp, err := browser().Get(e.srv.URL() + "/oauth2/idpresponse?code=x&state=forged")
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("forged state: status %d; want 400", resp.StatusCode)
		}
	})
	t.Run("provider not enabled for the client", func(t *testing.T) {
		e := newFedEnv(t, nil, cognitotest.PoolConfig{})
		solo := e.pool.MustCreateClient(cognitotest.ClientConfig{Name: "solo", CallbackURLs: []string{oauthCallback},
			AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid"}, AllowedOAuthFlowsUserPoolClient: true})
		resp, err := noRedirectClient().Get(e.srv.OAuthDomain() + "/oauth2/authorize?" + authQuery(solo.ID, "scope", "openid", "identity_provider", fedProvider).Encode())
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		loc, _ := resp.Location()
		if loc == nil || loc.Query().Get("error") != "invalid_request" {
			t.Errorf("identity_provider not enabled: Location %v; want error=invalid_request", loc)
		}
	})
}

// TestSignInPageProviderButtons: the sign-in page shows a button per
// provider of the app client, which leads through the provider.
func TestSignInPageProviderButtons(t *testing.T) {
	t.Parallel()
	e := newFedEnv(t, map[string]string{"email": "email"}, cognitotest.PoolConfig{})
	hc := browser()
	resp, err := hc.Get(e.oauth2Config().AuthCodeURL("btn"))
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	i := strings.Index(body, `data-provider="`+fedProvider+`" href="`)
	if i < 0 || !strings.Contains(body, `id="password"`) {
		t.Fatalf("the sign-in page has no %s button or no password form:\n%.2000s", fedProvider, body)
	}
	href := body[i+len(`data-provider="`+fedProvider+`" href="`):]
	href = html.UnescapeString(href[:strings.IndexByte(href, '"')])
	cb := e.federate(t, hc, e.srv.OAuthDomain()+href, "gina", "Gina-Passw0rd!")
	if cb.Query().Get("code") == "" || cb.Query().Get("state") != "btn" {
		t.Errorf("the button led to %s; want a code and the state", cb)
	}

	// A client without COGNITO shows the buttons only.
	fedOnly := e.pool.MustCreateClient(cognitotest.ClientConfig{Name: "fedonly", CallbackURLs: []string{oauthCallback}, AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid"}, AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: []string{fedProvider}})
	resp, err = browser().Get(e.srv.OAuthDomain() + "/oauth2/authorize?" + authQuery(fedOnly.ID, "scope", "openid").Encode())
	if err != nil {
		t.Fatal(err)
	}
	body = readAll(t, resp)
	if !strings.Contains(body, `data-provider="`+fedProvider+`"`) || strings.Contains(body, `id="password"`) {
		t.Errorf("a client without COGNITO: want the button and no password form:\n%.1500s", body)
	}
}

// TestIdentityProviderOperations drives the eight operations through the
// AWS SDK, with their failure modes.
func TestIdentityProviderOperations(t *testing.T) {
	t.Parallel()
	e := newFedEnv(t, map[string]string{"email": "email"}, cognitotest.PoolConfig{})
	c, api, pid := ctx(), e.api, aws.String(e.pool.ID())
	d, err := api.DescribeIdentityProvider(c, &cip.DescribeIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String(fedProvider)})
	if err != nil {
		t.Fatal(err)
	}
	det := d.IdentityProvider.ProviderDetails
	want := map[string]string{"authorize_url": e.upSrv.URL() + "/oauth2/authorize", "token_url": e.upSrv.URL() + "/oauth2/token",
		"attributes_url": e.upSrv.URL() + "/oauth2/userInfo", "jwks_uri": e.up.JWKSURL(), "oidc_issuer": e.up.Issuer(), "attributes_url_add_attributes": "false"}
	for k, v := range want {
		if det[k] != v {
			t.Errorf("ProviderDetails[%s] = %q; want %q (discovered)", k, det[k], v)
		}
	}
	if m := d.IdentityProvider.AttributeMapping; m["username"] != "sub" || m["email"] != "email" {
		t.Errorf("AttributeMapping %v; want username=sub (default) and email", m)
	}
	if d.IdentityProvider.CreationDate == nil || !slices.Equal(d.IdentityProvider.IdpIdentifiers, []string{"example.com"}) {
		t.Errorf("described %+v", d.IdentityProvider)
	}

	google := map[string]string{"client_id": "g", "client_secret": "gs", "authorize_scopes": "openid email"}
	create := func(name string, typ types.IdentityProviderTypeType, details map[string]string, mapping map[string]string, ids ...string) error {
		_, err := api.CreateIdentityProvider(c, &cip.CreateIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String(name), ProviderType: typ,
			ProviderDetails: details, AttributeMapping: mapping, IdpIdentifiers: ids})
		return err
	}
	var dup *types.DuplicateProviderException
	var ipe *types.InvalidParameterException
	var nf *types.ResourceNotFoundException
	cases := []struct {
		name string
		err  error
		want any
	}{
		{"duplicate name", create(fedProvider, types.IdentityProviderTypeTypeOidc, map[string]string{"client_id": "c", "authorize_scopes": "openid",
			"attributes_request_method": "GET", "oidc_issuer": e.up.Issuer()}, nil), &dup},
		{"social name must be its type", create("MyGoogle", types.IdentityProviderTypeTypeGoogle, google, nil), &ipe},
		{"missing client_secret", create("Google", types.IdentityProviderTypeTypeGoogle, map[string]string{"client_id": "g", "authorize_scopes": "email"}, nil), &ipe},
		{"unknown detail", create("Google", types.IdentityProviderTypeTypeGoogle, map[string]string{"client_id": "g", "client_secret": "s", "authorize_scopes": "email", "colour": "red"}, nil), &ipe},
		{"OIDC without openid", create("Corp", types.IdentityProviderTypeTypeOidc, map[string]string{"client_id": "c", "authorize_scopes": "email", "attributes_request_method": "GET", "oidc_issuer": e.up.Issuer()}, nil), &ipe},
		{"OIDC bad method", create("Corp", types.IdentityProviderTypeTypeOidc, map[string]string{"client_id": "c", "authorize_scopes": "openid", "attributes_request_method": "PUT", "oidc_issuer": e.up.Issuer()}, nil), &ipe},
		{"OIDC issuer unreachable", create("Corp", types.IdentityProviderTypeTypeOidc, map[string]string{"client_id": "c", "authorize_scopes": "openid", "attributes_request_method": "GET", "oidc_issuer": "http://127.0.0.1:1/nothing"}, nil), &ipe},
		{"OIDC issuer over plain http elsewhere", create("Corp", types.IdentityProviderTypeTypeOidc, map[string]string{"client_id": "c", "authorize_scopes": "openid", "attributes_request_method": "GET", "oidc_issuer": "http://idp.example.com"}, nil), &ipe},
		{"mapping to an unknown attribute", create("Google", types.IdentityProviderTypeTypeGoogle, google, map[string]string{"shoe_size": "x"}), &ipe},
		{"mapping sub", create("Google", types.IdentityProviderTypeTypeGoogle, google, map[string]string{"sub": "sub"}), &ipe},
		{"identifier of another provider", create("Google", types.IdentityProviderTypeTypeGoogle, google, nil, "Example.COM"), &dup},
		{"bad identifier", create("Google", types.IdentityProviderTypeTypeGoogle, google, nil, "a/b"), &ipe},
		{"SAML without metadata", create("Corp", types.IdentityProviderTypeTypeSaml, map[string]string{}, nil), &ipe},
		{"Apple with a bad key", create("SignInWithApple", types.IdentityProviderTypeTypeSignInWithApple, map[string]string{"client_id": "a", "team_id": "t", "key_id": "k", "private_key": "nope", "authorize_scopes": "email"}, nil), &ipe},
		{"unknown pool", func() error {
			_, err := api.CreateIdentityProvider(c, &cip.CreateIdentityProviderInput{UserPoolId: aws.String("us-east-1_Nope"), ProviderName: aws.String("Google"),
				ProviderType: types.IdentityProviderTypeTypeGoogle, ProviderDetails: google})
			return err
		}(), &nf},
		{"describe unknown", func() error {
			_, err := api.DescribeIdentityProvider(c, &cip.DescribeIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Nope")})
			return err
		}(), &nf},
		{"identifier unknown", func() error {
			_, err := api.GetIdentityProviderByIdentifier(c, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: pid, IdpIdentifier: aws.String("nope.org")})
			return err
		}(), &nf},
		{"client with an unknown provider", func() error {
			_, err := api.CreateUserPoolClient(c, &cip.CreateUserPoolClientInput{UserPoolId: pid, ClientName: aws.String("x"), SupportedIdentityProviders: []string{"Facebook"}})
			return err
		}(), &ipe},
	}
	for _, tc := range cases {
		if tc.err == nil || !errors.As(tc.err, tc.want) {
			t.Errorf("%s: %v; want %T", tc.name, tc.err, tc.want)
		}
	}

	// A social provider gets its own endpoints; SAML is stored.
	if err := create("Google", types.IdentityProviderTypeTypeGoogle, google, map[string]string{"email": "email"}, "gmail.com"); err != nil {
		t.Fatal(err)
	}
	g := must(api.DescribeIdentityProvider(c, &cip.DescribeIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Google")})).IdentityProvider
	if g.ProviderDetails["authorize_url"] != "https://accounts.google.com/o/oauth2/v2/auth" || g.ProviderDetails["oidc_issuer"] != "https://accounts.google.com" || g.AttributeMapping["username"] != "sub" {
		t.Errorf("Google: %v %v", g.ProviderDetails, g.AttributeMapping)
	}
	if err := create("Corp", types.IdentityProviderTypeTypeSaml, map[string]string{"MetadataURL": "https://corp.example.com/md", "IDPSignout": "true"}, map[string]string{"email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}); err != nil {
		t.Fatal(err)
	}
	byID := must(api.GetIdentityProviderByIdentifier(c, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: pid, IdpIdentifier: aws.String("GMAIL.com")}))
	if aws.ToString(byID.IdentityProvider.ProviderName) != "Google" {
		t.Errorf("GetIdentityProviderByIdentifier = %s; want Google", aws.ToString(byID.IdentityProvider.ProviderName))
	}

	// List, paginated.
	var names []string
	var next *string
	for {
		out := must(api.ListIdentityProviders(c, &cip.ListIdentityProvidersInput{UserPoolId: pid, MaxResults: aws.Int32(2), NextToken: next}))
		for _, p := range out.Providers {
			names = append(names, aws.ToString(p.ProviderName)+":"+string(p.ProviderType))
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if !slices.Equal(names, []string{fedProvider + ":OIDC", "Google:Google", "Corp:SAML"}) {
		t.Errorf("ListIdentityProviders = %v", names)
	}

	// Update: what is given replaces, what is not stays.
	up := must(api.UpdateIdentityProvider(c, &cip.UpdateIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Google"), IdpIdentifiers: []string{"googlemail.com"}})).IdentityProvider
	if !slices.Equal(up.IdpIdentifiers, []string{"googlemail.com"}) || up.AttributeMapping["email"] != "email" || up.ProviderDetails["client_id"] != "g" {
		t.Errorf("UpdateIdentityProvider: %+v", up)
	}
	_, err = api.UpdateIdentityProvider(c, &cip.UpdateIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Google"), IdpIdentifiers: []string{"example.com"}})
	if !errors.As(err, &ipe) {
		t.Errorf("update to another provider's identifier: %v; want InvalidParameterException", err)
	}
	_, err = api.UpdateIdentityProvider(c, &cip.UpdateIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Nope"), IdpIdentifiers: []string{"x.org"}})
	if !errors.As(err, &nf) {
		t.Errorf("update unknown: %v; want ResourceNotFoundException", err)
	}

	// Clients accept providers that exist; deleting one removes it
	// from the clients.
	cl := must(api.CreateUserPoolClient(c, &cip.CreateUserPoolClientInput{UserPoolId: pid, ClientName: aws.String("g"), SupportedIdentityProviders: []string{"COGNITO", "Google"}})).UserPoolClient
	if _, err := api.DeleteIdentityProvider(c, &cip.DeleteIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Google")}); err != nil {
		t.Fatal(err)
	}
	cl = must(api.DescribeUserPoolClient(c, &cip.DescribeUserPoolClientInput{UserPoolId: pid, ClientId: cl.ClientId})).UserPoolClient
	if !slices.Equal(cl.SupportedIdentityProviders, []string{"COGNITO"}) {
		t.Errorf("after DeleteIdentityProvider the client has %v", cl.SupportedIdentityProviders)
	}
	if _, err := api.DeleteIdentityProvider(c, &cip.DeleteIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Google")}); !errors.As(err, &nf) {
		t.Errorf("delete twice: %v; want ResourceNotFoundException", err)
	}

	// Links: checks of the destination and the source.
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "nat", Password: "Nat-Passw0rd!"})
	link := func(dstProvider, dst, srcProvider, attr, value string) error {
		_, err := api.AdminLinkProviderForUser(c, &cip.AdminLinkProviderForUserInput{UserPoolId: pid,
			DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String(dstProvider), ProviderAttributeValue: aws.String(dst)},
			SourceUser:      &types.ProviderUserIdentifierType{ProviderName: aws.String(srcProvider), ProviderAttributeName: aws.String(attr), ProviderAttributeValue: aws.String(value)}})
		return err
	}
	var unf *types.UserNotFoundException
	var alias *types.AliasExistsException
	var limit *types.LimitExceededException
	if err := link("Cognito", "nobody", fedProvider, "Cognito_Subject", "s1"); !errors.As(err, &unf) {
		t.Errorf("link to an unknown user: %v; want UserNotFoundException", err)
	}
	if err := link("Facebook", "nat", fedProvider, "Cognito_Subject", "s1"); !errors.As(err, &ipe) {
		t.Errorf("link to a non-Cognito destination: %v; want InvalidParameterException", err)
	}
	if err := link("Cognito", "nat", fedProvider, "email", "s1"); !errors.As(err, &ipe) {
		t.Errorf("OIDC source by another attribute than Cognito_Subject: %v; want InvalidParameterException", err)
	}
	if err := link("Cognito", "nat", "Nope", "Cognito_Subject", "s1"); !errors.As(err, &ipe) {
		t.Errorf("link from an unknown provider: %v; want InvalidParameterException", err)
	}
	for i := range 5 {
		if err := link("Cognito", "nat", fedProvider, "Cognito_Subject", "s"+string(rune('0'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := link("Cognito", "nat", fedProvider, "Cognito_Subject", "s9"); !errors.As(err, &limit) {
		t.Errorf("a sixth link: %v; want LimitExceededException", err)
	}
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "other", Password: "Other-Passw0rd!"})
	if err := link("Cognito", "other", fedProvider, "Cognito_Subject", "s0"); !errors.As(err, &alias) {
		t.Errorf("a source linked to another user: %v; want AliasExistsException", err)
	}
	attrs := must(api.AdminGetUser(c, &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String("nat")})).UserAttributes
	var idsAttr string
	for _, a := range attrs {
		if aws.ToString(a.Name) == "identities" {
			idsAttr = aws.ToString(a.Value)
		}
	}
	var linked []identityClaim
	if err := json.Unmarshal([]byte(idsAttr), &linked); err != nil || len(linked) != 5 || linked[0].ProviderName != fedProvider {
		t.Errorf("nat's identities attribute %q; want 5 linked identities", idsAttr)
	}
	_, err = api.AdminDisableProviderForUser(c, &cip.AdminDisableProviderForUserInput{UserPoolId: pid,
		User: &types.ProviderUserIdentifierType{ProviderName: aws.String(fedProvider), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String("unknown")}})
	if !errors.As(err, &unf) {
		t.Errorf("disable an unknown provider user: %v; want UserNotFoundException", err)
	}
}

// TestIdentityProvidersExport: identity providers go into the export (with
// the endpoints Cognito derived) and come back from it; federated users
// are left out, a sign-in creating them again.
func TestIdentityProvidersExport(t *testing.T) {
	t.Parallel()
	e := newFedEnv(t, map[string]string{"email": "email"}, cognitotest.PoolConfig{})
	e.federate(t, browser(), e.oauth2Config().AuthCodeURL("s", oauth2.SetAuthURLParam("identity_provider", fedProvider)), "gina", "Gina-Passw0rd!")
	seed := must(e.srv.Export())
	var sp *cognitotest.SeedPool
	for i := range seed.Pools {
		if seed.Pools[i].ID == e.pool.ID() {
			sp = &seed.Pools[i]
		}
	}
	if sp == nil || len(sp.IdentityProviders) != 1 {
		t.Fatalf("the export has no identity provider: %+v", sp)
	}
	ip := sp.IdentityProviders[0]
	if ip.Name != fedProvider || ip.Type != "OIDC" || ip.Details["token_url"] != e.upSrv.URL()+"/oauth2/token" || ip.AttributeMapping["email"] != "email" ||
		!slices.Equal(ip.Identifiers, []string{"example.com"}) {
		t.Errorf("exported %+v", ip)
	}
	for _, u := range sp.Users {
		if strings.HasPrefix(u.Username, fedProvider+"_") {
			t.Errorf("the federated user %s was exported", u.Username)
		}
	}
	// Applied to a new server, the provider signs users in again, with
	// no discovery needed.
	b := cognitotest.NewServer(t, fastKeys())
	must(b.ApplySeed(must(cognitotest.ParseSeed(must(seed.Encode())))))
	d, err := cip.NewFromConfig(b.AWSConfig()).DescribeIdentityProvider(ctx(), &cip.DescribeIdentityProviderInput{UserPoolId: aws.String(e.pool.ID()), ProviderName: aws.String(fedProvider)})
	if err != nil || d.IdentityProvider.ProviderDetails["jwks_uri"] != e.up.JWKSURL() {
		t.Errorf("after applying the export: %v, %+v", err, d)
	}
}
