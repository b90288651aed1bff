package weblogin_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/oauth/weblogin"
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

func newRevocationList(t *testing.T, clk *clock) *revocation.List {
	t.Helper()
	l, err := revocation.New(revocation.Config{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestSignOutEverywhereMemoryStore: with a UserSessionStore the logout
// form offers "Sign out everywhere", which ends every session of the
// user, revokes their refresh tokens in Cognito, and records the user in
// Config.Revocation.
func TestSignOutEverywhereMemoryStore(t *testing.T) {
	var list *revocation.List
	var events []weblogin.Event
	s := newSite(t, siteOpt{
		store: func(keys [][]byte, clk *clock) weblogin.SessionStore {
			ms, _ := weblogin.NewMemoryStore(weblogin.MemoryStoreConfig{Insecure: true, Now: clk.Now})
			return ms
		},
		mod: func(c *weblogin.Config) {
			list = newRevocationList(t, &clock{t: time.Now()})
			c.Revocation = list
			c.Observer.OnSignOut = func(_ context.Context, e weblogin.Event) { events = append(events, e) }
		},
	})
	laptop, phone, other := s.agent(), s.agent(), s.agent()
	laptop.login("alice", alicePass)
	phone.login("alice", alicePass)
	other.login("root", adminPass)
	if _, body := laptop.get(s.ts.URL + "/auth/logout"); !strings.Contains(body, `id="signout-everywhere"`) {
		t.Fatalf("the logout form does not offer sign out everywhere: %.300s", body)
	}
	resp, _ := laptop.do(http.MethodPost, s.ts.URL+"/auth/logout", url.Values{"everywhere": {"1"}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != 200 {
		t.Fatalf("sign out everywhere: %d", resp.StatusCode)
	}
	if !laptop.sentToSignIn(s.ts.URL+"/me") || !phone.sentToSignIn(s.ts.URL+"/me") {
		t.Fatal("a session of alice survived sign out everywhere")
	}
	if other.sentToSignIn(s.ts.URL + "/me") {
		t.Fatal("root's session ended too")
	}
	if list.Len() != 1 {
		t.Fatalf("revocation list Len = %d; want 1 (alice)", list.Len())
	}
	if len(events) != 1 || !events[0].Everywhere || events[0].Outcome != "ok" {
		t.Fatalf("OnSignOut events = %+v", events)
	}
}

// TestRevokedSessionEnds: with the cookie store, a session whose user was
// signed out everywhere elsewhere (another replica, an administrator)
// ends at its next request, and a plain sign-out records the session's
// origin_jti so that APIs refuse its access token.
func TestRevokedSessionEnds(t *testing.T) {
	var list *revocation.List
	s := newSite(t, siteOpt{mod: func(c *weblogin.Config) {
		list = newRevocationList(t, &clock{t: time.Now()})
		c.Revocation = list
	}})
	a := s.agent()
	a.login("alice", alicePass)
	if _, body := a.get(s.ts.URL + "/auth/logout"); strings.Contains(body, "signout-everywhere") {
		t.Fatal("the cookie store cannot end other sessions; the form must not offer it")
	}
	if _, err := s.h.SignOutEverywhere(context.Background(), "someone"); !errors.Is(err, weblogin.ErrNoUserSessions) {
		t.Fatalf("SignOutEverywhere with the cookie store: got %v; want ErrNoUserSessions", err)
	}
	tokens := s.pool.MustMintTokens(s.ac.ID, "alice")
	e, err := revocation.EntryForUser(tokens.AccessToken, s.clk.Now().Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	list.Revoke(context.Background(), e)
	if !a.sentToSignIn(s.ts.URL + "/me") {
		t.Fatal("the session survived its user's revocation")
	}

	// A plain sign-out records the sign-in.
	b := s.agent()
	s.clk.Add(10 * time.Second) // past the user entry
	b.login("alice", alicePass)
	before := list.Len()
	b.do(http.MethodPost, s.ts.URL+"/auth/logout", url.Values{}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if list.Len() != before+1 {
		t.Fatalf("list Len %d after sign-out; want %d", list.Len(), before+1)
	}
}
