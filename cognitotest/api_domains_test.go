package cognitotest_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// signInPage opens the authorization endpoint for a client and returns the
// status of the sign-in page and its HTML ("" when authorize refused).
func signInPage(t testing.TB, srv *cognitotest.Server, clientID string) (int, string) {
	t.Helper()
	hc := noRedirectClient()
	resp, err := hc.Get(srv.OAuthDomain() + "/oauth2/authorize?" + authQuery(clientID, "scope", "openid").Encode())
	noErr(t, err)
	body := readAll(t, resp)
	if resp.StatusCode != 302 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		return resp.StatusCode, body
	}
	resp, err = hc.Get(srv.OAuthDomain() + resp.Header.Get("Location"))
	noErr(t, err)
	return resp.StatusCode, readAll(t, resp)
}

// TestDomainsBrandingTerms: managed login answers only while the pool has
// a domain; its page follows the UI customization (version 1), the
// branding style (version 2) and the terms documents.
func TestDomainsBrandingTerms(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	c := ctx()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{NoDomain: true})
	pid := aws.String(pool.ID())
	app := pool.MustCreateClient(cognitotest.ClientConfig{Name: "web", CallbackURLs: []string{oauthCallback},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid"}, AllowedOAuthFlowsUserPoolClient: true})
	cid := aws.String(app.ID)

	if code, _ := signInPage(t, srv, app.ID); code != 404 {
		t.Errorf("authorize for a pool without a domain: status %d; want 404", code)
	}
	if d := must(api.DescribeUserPool(c, &cip.DescribeUserPoolInput{UserPoolId: pid})).UserPool; d.Domain != nil {
		t.Errorf("DescribeUserPool Domain of a pool without one: %q", *d.Domain)
	}
	noErr(t, errOnly(api.CreateUserPoolDomain(c, &cip.CreateUserPoolDomainInput{UserPoolId: pid, Domain: aws.String("my-app"), ManagedLoginVersion: aws.Int32(1)})))
	desc := must(api.DescribeUserPoolDomain(c, &cip.DescribeUserPoolDomainInput{Domain: aws.String("my-app")})).DomainDescription
	if *desc.UserPoolId != pool.ID() || desc.Status != types.DomainStatusTypeActive || *desc.ManagedLoginVersion != 1 {
		t.Errorf("DescribeUserPoolDomain: pool %v, status %s, version %v", *desc.UserPoolId, desc.Status, *desc.ManagedLoginVersion)
	}
	if d := must(api.DescribeUserPool(c, &cip.DescribeUserPoolInput{UserPoolId: pid})).UserPool; d.Domain == nil || *d.Domain != "my-app" {
		t.Errorf("DescribeUserPool Domain: got %v; want my-app", d.Domain)
	}
	if code, _ := signInPage(t, srv, app.ID); code != 200 {
		t.Fatalf("sign-in page with a domain: status %d", code)
	}

	// Version 1: the classic UI customization shows.
	noErr(t, errOnly(api.SetUICustomization(c, &cip.SetUICustomizationInput{UserPoolId: pid, ClientId: cid,
		CSS: aws.String(".submitButton-customizable {background-color: #abcdef;}")})))
	if _, body := signInPage(t, srv, app.ID); !strings.Contains(body, "#abcdef") {
		t.Errorf("the sign-in page lacks the UI customization's CSS")
	}

	// Terms: the page links them once both documents exist.
	mk := func(name, link string) *types.TermsType {
		return must(api.CreateTerms(c, &cip.CreateTermsInput{UserPoolId: pid, ClientId: cid, TermsName: aws.String(name),
			TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone,
			Links: map[string]string{"cognito:default": link}})).Terms
	}
	tos := mk("terms-of-use", "https://example.com/tos")
	if _, body := signInPage(t, srv, app.ID); strings.Contains(body, "https://example.com/tos") {
		t.Errorf("the page links the terms of use without a privacy policy")
	}
	pp := mk("privacy-policy", "https://example.com/privacy")
	if _, body := signInPage(t, srv, app.ID); !strings.Contains(body, "https://example.com/tos") || !strings.Contains(body, "https://example.com/privacy") {
		t.Errorf("the page lacks the terms links")
	}
	noErr(t, errOnly(api.UpdateTerms(c, &cip.UpdateTermsInput{UserPoolId: pid, TermsId: tos.TermsId, Links: map[string]string{"cognito:default": "https://example.com/tos-v2"}})))
	got := must(api.DescribeTerms(c, &cip.DescribeTermsInput{UserPoolId: pid, TermsId: tos.TermsId})).Terms
	if got.Links["cognito:default"] != "https://example.com/tos-v2" || *got.TermsName != "terms-of-use" {
		t.Errorf("DescribeTerms after the update: %v %v", *got.TermsName, got.Links)
	}
	if _, body := signInPage(t, srv, app.ID); !strings.Contains(body, "https://example.com/tos-v2") {
		t.Errorf("the page does not follow UpdateTerms")
	}
	list := must(api.ListTerms(c, &cip.ListTermsInput{UserPoolId: pid, MaxResults: aws.Int32(1)}))
	if len(list.Terms) != 1 || list.NextToken == nil {
		t.Errorf("ListTerms with MaxResults 1: %d terms, NextToken %v", len(list.Terms), list.NextToken)
	} else if next := must(api.ListTerms(c, &cip.ListTermsInput{UserPoolId: pid, MaxResults: aws.Int32(1), NextToken: list.NextToken})); len(next.Terms) != 1 || next.NextToken != nil {
		t.Errorf("ListTerms page 2: %d terms, NextToken %v", len(next.Terms), next.NextToken)
	}
	for name, fn := range map[string]func() error{
		"terms twice": func() error {
			return errOnly(api.CreateTerms(c, &cip.CreateTermsInput{UserPoolId: pid, ClientId: cid, TermsName: aws.String("terms-of-use"),
				TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone, Links: map[string]string{"cognito:default": "https://example.com/x"}}))
		},
		"bad terms name": func() error {
			return errOnly(api.CreateTerms(c, &cip.CreateTermsInput{UserPoolId: pid, ClientId: cid, TermsName: aws.String("rules"),
				TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone, Links: map[string]string{"cognito:default": "https://example.com/x"}}))
		},
		"http link": func() error {
			return errOnly(api.UpdateTerms(c, &cip.UpdateTermsInput{UserPoolId: pid, TermsId: pp.TermsId, Links: map[string]string{"cognito:default": "http://example.com/x"}}))
		},
		"unknown terms": func() error {
			return errOnly(api.DescribeTerms(c, &cip.DescribeTermsInput{UserPoolId: pid, TermsId: aws.String("00000000-0000-0000-0000-000000000000")}))
		},
	} {
		if err := fn(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	noErr(t, errOnly(api.DeleteTerms(c, &cip.DeleteTermsInput{UserPoolId: pid, TermsId: pp.TermsId})))
	if _, body := signInPage(t, srv, app.ID); strings.Contains(body, "https://example.com/tos-v2") {
		t.Errorf("the page links the terms after the privacy policy was deleted")
	}

	// Version 2: the branding style's colours show.
	noErr(t, errOnly(api.UpdateUserPoolDomain(c, &cip.UpdateUserPoolDomainInput{UserPoolId: pid, Domain: aws.String("my-app"), ManagedLoginVersion: aws.Int32(2)})))
	settings := document.NewLazyDocument(map[string]any{"components": map[string]any{"primaryButton": map[string]any{"lightMode": map[string]any{
		"defaults": map[string]any{"backgroundColor": "123abcff", "textColor": "ffffffff"}}}}})
	b := must(api.CreateManagedLoginBranding(c, &cip.CreateManagedLoginBrandingInput{UserPoolId: pid, ClientId: cid, Settings: settings})).ManagedLoginBranding
	if _, body := signInPage(t, srv, app.ID); !strings.Contains(body, "#123abcff") || strings.Contains(body, "#abcdef") {
		t.Errorf("version 2 page: the branding colour shows %v, the v1 CSS shows %v; want the branding only",
			strings.Contains(body, "#123abcff"), strings.Contains(body, "#abcdef"))
	}
	byClient := must(api.DescribeManagedLoginBrandingByClient(c, &cip.DescribeManagedLoginBrandingByClientInput{UserPoolId: pid, ClientId: cid})).ManagedLoginBranding
	if *byClient.ManagedLoginBrandingId != *b.ManagedLoginBrandingId {
		t.Errorf("DescribeManagedLoginBrandingByClient: another style")
	}
	if _, err := api.CreateManagedLoginBranding(c, &cip.CreateManagedLoginBrandingInput{UserPoolId: pid, ClientId: cid, UseCognitoProvidedValues: true}); !isErr[*types.ManagedLoginBrandingExistsException](err) {
		t.Errorf("a second style for the client: got %v; want ManagedLoginBrandingExistsException", err)
	}
	noErr(t, errOnly(api.UpdateManagedLoginBranding(c, &cip.UpdateManagedLoginBrandingInput{UserPoolId: pid, ManagedLoginBrandingId: b.ManagedLoginBrandingId,
		Settings: document.NewLazyDocument(map[string]any{"components": map[string]any{"primaryButton": map[string]any{"lightMode": map[string]any{
			"defaults": map[string]any{"backgroundColor": "00ff00ff"}}}}})})))
	if _, body := signInPage(t, srv, app.ID); !strings.Contains(body, "#00ff00ff") {
		t.Errorf("the page does not follow UpdateManagedLoginBranding")
	}
	d := must(api.DescribeManagedLoginBranding(c, &cip.DescribeManagedLoginBrandingInput{UserPoolId: pid, ManagedLoginBrandingId: b.ManagedLoginBrandingId}))
	if d.ManagedLoginBranding.Settings == nil {
		t.Errorf("DescribeManagedLoginBranding without Settings")
	}
	if _, err := api.CreateManagedLoginBranding(c, &cip.CreateManagedLoginBrandingInput{UserPoolId: pid, ClientId: aws.String("nope"), UseCognitoProvidedValues: true}); !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("a style for an unknown client: got %v; want ResourceNotFoundException", err)
	}
	if _, err := api.CreateManagedLoginBranding(c, &cip.CreateManagedLoginBrandingInput{UserPoolId: pid, ClientId: cid,
		Assets: []types.AssetType{{Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeLight, Extension: "GIF", Bytes: []byte("x")}}}); err == nil {
		t.Errorf("an asset of an unknown extension: no error")
	}
	noErr(t, errOnly(api.DeleteManagedLoginBranding(c, &cip.DeleteManagedLoginBrandingInput{UserPoolId: pid, ManagedLoginBrandingId: b.ManagedLoginBrandingId})))
	if _, err := api.DescribeManagedLoginBrandingByClient(c, &cip.DescribeManagedLoginBrandingByClientInput{UserPoolId: pid, ClientId: cid}); !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("the style of a client after its deletion: got %v; want ResourceNotFoundException", err)
	}

	// Domain errors, then the deletion closes managed login.
	other := srv.MustCreatePool(cognitotest.PoolConfig{NoDomain: true})
	for name, fn := range map[string]func() error{
		"a domain of another pool": func() error {
			return errOnly(api.CreateUserPoolDomain(c, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(other.ID()), Domain: aws.String("my-app")}))
		},
		"leading hyphen": func() error {
			return errOnly(api.CreateUserPoolDomain(c, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(other.ID()), Domain: aws.String("-bad-")}))
		},
		"reserved word": func() error {
			return errOnly(api.CreateUserPoolDomain(c, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(other.ID()), Domain: aws.String("my-cognito")}))
		},
		"custom without certificate": func() error {
			return errOnly(api.CreateUserPoolDomain(c, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(other.ID()), Domain: aws.String("auth.example.com")}))
		},
		"version 3": func() error {
			return errOnly(api.UpdateUserPoolDomain(c, &cip.UpdateUserPoolDomainInput{UserPoolId: pid, Domain: aws.String("my-app"), ManagedLoginVersion: aws.Int32(3)}))
		},
		"delete with the wrong pool": func() error {
			return errOnly(api.DeleteUserPoolDomain(c, &cip.DeleteUserPoolDomainInput{UserPoolId: aws.String(other.ID()), Domain: aws.String("my-app")}))
		},
	} {
		if err := fn(); !isErr[*types.InvalidParameterException](err) {
			t.Errorf("%s: got %v; want InvalidParameterException", name, err)
		}
	}
	noErr(t, errOnly(api.DeleteUserPoolDomain(c, &cip.DeleteUserPoolDomainInput{UserPoolId: pid, Domain: aws.String("my-app")})))
	if code, _ := signInPage(t, srv, app.ID); code != 404 {
		t.Errorf("authorize after DeleteUserPoolDomain: status %d; want 404", code)
	}
	if got := must(api.DescribeUserPoolDomain(c, &cip.DescribeUserPoolDomainInput{Domain: aws.String("my-app")})).DomainDescription; got.UserPoolId != nil {
		t.Errorf("DescribeUserPoolDomain of a deleted domain: pool %v; want an empty description", *got.UserPoolId)
	}
}
