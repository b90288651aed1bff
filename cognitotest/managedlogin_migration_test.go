package cognitotest_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestManagedLoginUserMigration: managed login's sign-in page runs the
// UserMigration trigger (UserMigration_Authentication) for a user the
// pool does not have, as Cognito's managed login does: the migrated user
// signs in on the page, with the password it gave, and is a user of the
// pool from then on; a trigger error is shown on the page.
func TestManagedLoginUserMigration(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	migrate := func(_ context.Context, ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
		switch {
		case ev.UserName != "olga":
			return ev, nil // not migrated
		case ev.CognitoEventUserPoolsMigrateUserRequest.Password != testPassword:
			return ev, errors.New("Bad password")
		}
		ev.CognitoEventUserPoolsMigrateUserResponse = events.CognitoEventUserPoolsMigrateUserResponse{
			UserAttributes: map[string]string{"email": "olga@example.com", "email_verified": "true"}, MessageAction: "SUPPRESS"}
		return ev, nil
	}
	e := newTriggerEnv(t, cognitotest.PoolConfig{LambdaTriggers: cognitotest.LambdaTriggers{UserMigration: rec.wrap(migrate)}})
	app := e.pool.MustCreateClient(cognitotest.ClientConfig{ID: "triggerweb", Name: "web", GenerateSecret: true, CallbackURLs: []string{oauthCallback},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email"}, AllowedOAuthFlowsUserPoolClient: true})
	conf := &oauth2.Config{ClientID: app.ID, ClientSecret: app.Secret, RedirectURL: oauthCallback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: e.srv.OAuthDomain() + "/oauth2/authorize", TokenURL: e.srv.OAuthDomain() + "/oauth2/token"}}
	const source = "UserMigration_Authentication"

	// page signs in on the sign-in page and returns the response to the
	// form and its body.
	page := func(t *testing.T, username, password string) (*http.Response, string) {
		t.Helper()
		hc := browser()
		resp, err := hc.Get(conf.AuthCodeURL("st"))
		if err != nil {
			t.Fatal(err)
		}
		m := requestIDRE.FindStringSubmatch(readAll(t, resp))
		if m == nil {
			t.Fatalf("no sign-in page: %d at %s", resp.StatusCode, resp.Request.URL)
		}
		resp, err = hc.PostForm(e.srv.OAuthDomain()+"/login", url.Values{"request": {m[1]}, "username": {username}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		return resp, readAll(t, resp)
	}

	resp, body := page(t, "olga", testPassword)
	cb, _ := resp.Location()
	if resp.StatusCode != http.StatusFound || cb == nil || cb.Query().Get("code") == "" {
		t.Fatalf("sign-in of a user to migrate: %d %v: %.300s; want a code", resp.StatusCode, cb, body)
	}
	goldenEvent[events.CognitoEventUserPoolsMigrateUser](t, "UserMigration_Authentication_managedlogin", rec.last(t, source), "response.enableSMSMFA")
	tok, err := conf.Exchange(ctx(), cb.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("id_token") == nil {
		t.Error("no ID token for the migrated user")
	}
	u := e.user(t, "olga")
	if u.Status != cognitotest.StatusConfirmed || u.Attributes["email"] != "olga@example.com" {
		t.Errorf("migrated user %s %v; want CONFIRMED with the legacy email", u.Status, u.Attributes)
	}
	// The user is in the pool now: the page signs her in without the
	// trigger, and checks her password.
	n := rec.count(source)
	if resp, _ := page(t, "olga", testPassword); resp.StatusCode != http.StatusFound {
		t.Errorf("second sign-in: status %d; want a redirect with a code", resp.StatusCode)
	}
	if _, body := page(t, "olga", "Wrong-Passw0rd!"); !strings.Contains(body, "Incorrect username or password.") {
		t.Errorf("a wrong password of the migrated user: want Incorrect username or password.; got %.300s", body)
	}
	if rec.count(source) != n {
		t.Error("UserMigration ran for a user the pool has")
	}

	// Not migrated: an unknown user; a trigger error: its message.
	if _, body := page(t, "nobody", testPassword); !strings.Contains(body, "User does not exist.") {
		t.Errorf("a user the trigger does not migrate: %.300s; want User does not exist.", body)
	}
	if _, body := page(t, "olga2", testPassword); rec.count(source) != n+2 || !strings.Contains(body, "User does not exist.") {
		t.Errorf("UserMigration ran %d times; want %d", rec.count(source), n+2)
	}
	if err := e.pool.DeleteUser("olga"); err != nil {
		t.Fatal(err)
	}
	if _, body := page(t, "olga", "Other-Passw0rd!"); !strings.Contains(body, "UserMigration failed with error Bad password.") {
		t.Errorf("a failing trigger: %.300s; want UserMigration failed with error Bad password.", body)
	}
	if _, err := e.pool.User("olga"); !errors.Is(err, cognitotest.ErrNotFound) {
		t.Errorf("a refused migration created the user: %v", err)
	}
}
