package cognitotest_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/cognitotest/oidcprovider"
	"github.com/cognitokit/cognitokit/verifier"
)

// TestFederationTriggers: federated sign-ins run the Lambda triggers
// Cognito documents for federated users ("Lambda triggers for federated
// users"), and only those: at the first sign-in PreSignUp_ExternalProvider,
// PostConfirmation_ConfirmSignUp and TokenGeneration_HostedAuth; at later
// ones PreAuthentication_Authentication, PostAuthentication_Authentication
// and TokenGeneration_HostedAuth; never UserMigration or the custom
// authentication triggers. The events are checked against golden files
// and round trip through aws-lambda-go's types; a PreSignUp refusal
// refuses the sign-in with Cognito's error for the app.
func TestFederationTriggers(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	preSignUp := func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		if strings.HasSuffix(ev.Request.UserAttributes["email"], "@blocked.example") {
			return ev, errors.New("Registration from this domain is not allowed")
		}
		ev.Response.AutoVerifyEmail = true
		return ev, nil
	}
	postConfirmation := func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
		return ev, nil
	}
	preAuth := func(_ context.Context, ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error) {
		if ev.Request.UserAttributes["name"] == "Locked Out" {
			return ev, errors.New("Your account is suspended")
		}
		return ev, nil
	}
	postAuth := func(_ context.Context, ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
		return ev, nil
	}
	preToken := func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGen) (events.CognitoEventUserPoolsPreTokenGen, error) {
		ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = map[string]string{"federated_by": "trigger"}
		return ev, nil
	}
	migrate := func(_ context.Context, ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
		return ev, nil
	}
	e := newTriggerEnv(t, cognitotest.PoolConfig{LambdaTriggers: cognitotest.LambdaTriggers{PreSignUp: rec.wrap(preSignUp),
		PostConfirmation: rec.wrap(postConfirmation), PreAuthentication: rec.wrap(preAuth), PostAuthentication: rec.wrap(postAuth),
		PreTokenGeneration: rec.wrap(preToken), UserMigration: rec.wrap(migrate)}})
	blocked := oidcprovider.User{Subject: "200000000000000000002", Email: "eve@blocked.example", EmailVerified: true, Name: "Eve"}
	idp, err := oidcprovider.New(oidcprovider.Config{Key: standInKey(), Now: e.clock.Now, TrustLoginHint: true, Users: []oidcprovider.User{googleUser, blocked},
		Clients: []oidcprovider.Client{{ID: "google-client", Secret: "google-secret", RedirectURIs: []string{e.srv.URL() + "/oauth2/idpresponse"}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer idp.Close()
	e.pool.MustCreateIdentityProvider(cognitotest.IdentityProviderConfig{Name: "Google", Type: cognitotest.ProviderGoogle,
		Details: map[string]string{"client_id": "google-client", "client_secret": "google-secret", "authorize_scopes": "openid email profile",
			"authorize_url": idp.AuthorizeURL(), "token_url": idp.TokenURL(), "attributes_url": idp.UserInfoURL(), "jwks_uri": idp.JWKSURL(), "oidc_issuer": idp.Issuer()},
		AttributeMapping: map[string]string{"email": "email", "name": "name"}})
	app := e.pool.MustCreateClient(cognitotest.ClientConfig{ID: "triggerfed", Name: "fed", GenerateSecret: true, CallbackURLs: []string{oauthCallback},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"}, AllowedOAuthFlowsUserPoolClient: true,
		SupportedIdentityProviders: []string{"Google"}})
	conf := &oauth2.Config{ClientID: app.ID, ClientSecret: app.Secret, RedirectURL: oauthCallback, Scopes: []string{"openid", "email", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: e.srv.OAuthDomain() + "/oauth2/authorize", TokenURL: e.srv.OAuthDomain() + "/oauth2/token"}}
	vf, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: e.pool.ID(), ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseID,
		Issuer: e.pool.Issuer(), JWKSURL: e.pool.JWKSURL()}}, HTTPClient: e.srv.HTTPClient(), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer vf.Close()

	// signIn signs in as the provider's user hint and returns the
	// callback's query and the trigger sources that ran.
	signIn := func(t *testing.T, hint string) (map[string]string, *verifier.Claims, []string) {
		t.Helper()
		before := len(rec.sequence(0))
		resp, err := browser().Get(conf.AuthCodeURL("st", oauth2.SetAuthURLParam("identity_provider", "Google"), oauth2.SetAuthURLParam("login_hint", hint)))
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		cb, err := resp.Location()
		if err != nil {
			t.Fatalf("status %d at %s: %.300s", resp.StatusCode, resp.Request.URL, body)
		}
		q := map[string]string{"code": cb.Query().Get("code"), "error": cb.Query().Get("error"), "error_description": cb.Query().Get("error_description")}
		var id *verifier.Claims
		if q["code"] != "" {
			tok, err := conf.Exchange(ctx(), q["code"])
			if err != nil {
				t.Fatal(err)
			}
			if id, err = vf.Verify(ctx(), tok.Extra("id_token").(string)); err != nil {
				t.Fatal(err)
			}
		}
		return q, id, rec.sequence(before)
	}
	username := "Google_" + googleUser.Subject

	t.Run("first sign-in", func(t *testing.T) {
		q, id, ran := signIn(t, googleUser.Subject)
		if q["code"] == "" {
			t.Fatalf("callback %v; want a code", q)
		}
		want := []string{"PreSignUp_ExternalProvider", "PostConfirmation_ConfirmSignUp", "TokenGeneration_HostedAuth"}
		if !slices.Equal(ran, want) {
			t.Errorf("triggers %v; want %v", ran, want)
		}
		goldenEvent[events.CognitoEventUserPoolsPreSignup](t, "PreSignUp_ExternalProvider", rec.last(t, "PreSignUp_ExternalProvider"))
		goldenEvent[events.CognitoEventUserPoolsPostConfirmation](t, "PostConfirmation_ConfirmSignUp_federated", rec.last(t, "PostConfirmation_ConfirmSignUp"))
		goldenEvent[events.CognitoEventUserPoolsPreTokenGen](t, "PreTokenGeneration_V1_HostedAuth_federated", rec.last(t, "TokenGeneration_HostedAuth"))
		if got, _ := id.String("federated_by"); got != "trigger" {
			t.Errorf("federated_by = %q; want the PreTokenGeneration trigger's claim", got)
		}
		// autoVerifyEmail verified the mapped email.
		if u := e.user(t, username); u.Attributes["email_verified"] != "true" || u.Status != cognitotest.StatusExternalProvider {
			t.Errorf("user %s, email_verified %q; want EXTERNAL_PROVIDER, verified by autoVerifyEmail", u.Status, u.Attributes["email_verified"])
		}
	})
	t.Run("later sign-in", func(t *testing.T) {
		q, _, ran := signIn(t, googleUser.Subject)
		if q["code"] == "" {
			t.Fatalf("callback %v; want a code", q)
		}
		want := []string{"PreAuthentication_Authentication", "PostAuthentication_Authentication", "TokenGeneration_HostedAuth"}
		if !slices.Equal(ran, want) {
			t.Errorf("triggers %v; want %v", ran, want)
		}
		goldenEvent[events.CognitoEventUserPoolsPreAuthentication](t, "PreAuthentication_Authentication_federated", rec.last(t, "PreAuthentication_Authentication"))
		goldenEvent[events.CognitoEventUserPoolsPostAuthentication](t, "PostAuthentication_Authentication_federated", rec.last(t, "PostAuthentication_Authentication"))
	})
	t.Run("PreSignUp refuses", func(t *testing.T) {
		q, _, ran := signIn(t, blocked.Subject)
		if q["code"] != "" || q["error"] != "invalid_request" || q["error_description"] != "PreSignUp failed with error Registration from this domain is not allowed." {
			t.Errorf("callback %v; want error=invalid_request, PreSignUp failed with error Registration from this domain is not allowed.", q)
		}
		if !slices.Equal(ran, []string{"PreSignUp_ExternalProvider"}) {
			t.Errorf("triggers %v; want PreSignUp_ExternalProvider only", ran)
		}
		if _, err := e.pool.User("Google_" + blocked.Subject); err == nil {
			t.Error("the refused user was created")
		}
	})
	t.Run("PreAuthentication refuses", func(t *testing.T) {
		if _, err := e.api.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(e.pool.ID()), Username: aws.String(username),
			UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String("Locked Out")}}}); err != nil {
			t.Fatal(err)
		}
		// The mapping brings the provider's name back only once the
		// sign-in is allowed: PreAuthentication sees the stored user.
		q, _, ran := signIn(t, googleUser.Subject)
		if q["code"] != "" || q["error_description"] != "PreAuthentication failed with error Your account is suspended." {
			t.Errorf("callback %v; want PreAuthentication failed with error Your account is suspended.", q)
		}
		if !slices.Equal(ran, []string{"PreAuthentication_Authentication"}) {
			t.Errorf("triggers %v; want PreAuthentication_Authentication only", ran)
		}
	})
}
