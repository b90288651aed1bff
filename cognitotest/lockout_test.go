package cognitotest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// lockedOut reports whether err is Cognito's lockout error.
func lockedOut(err error) bool {
	var na *types.NotAuthorizedException
	return errorsAs(err, &na) && na.ErrorMessage() == "Password attempts exceeded"
}

// wrongPassword reports whether err is the error of a wrong password (not
// the lockout).
func wrongPassword(err error) bool {
	var na *types.NotAuthorizedException
	return errorsAs(err, &na) && na.ErrorMessage() == "Incorrect username or password."
}

// TestLockout: after five failed sign-ins a user is locked out for 1 s,
// then 2 s, 4 s, ... at most 15 minutes, with NotAuthorizedException
// "Password attempts exceeded", even with the right password; attempts
// during a lockout do not count; a successful sign-in after the lockout,
// or 15 quiet minutes, reset the count. The injected clock drives it.
func TestLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "lou", Password: testPassword})
	wrong := func() error { _, err := e.passwordLogin(e.public, "lou", "Wrong-Passw0rd!"); return err }
	right := func() error { _, err := e.passwordLogin(e.public, "lou", testPassword); return err }

	for i := 1; i <= 5; i++ {
		if err := wrong(); !wrongPassword(err) {
			t.Fatalf("failure %d: %v; want Incorrect username or password.", i, err)
		}
	}
	if err := right(); !lockedOut(err) {
		t.Fatalf("the right password after 5 failures: %v; want Password attempts exceeded", err)
	}
	if err := wrong(); !lockedOut(err) {
		t.Fatalf("a wrong password during the lockout: %v; want Password attempts exceeded (not counted)", err)
	}
	e.clock.Advance(time.Second)
	if err := wrong(); !wrongPassword(err) { // the 6th failure: 2 s
		t.Fatalf("after 1 s: %v; want the password checked again", err)
	}
	e.clock.Advance(time.Second)
	if err := right(); !lockedOut(err) {
		t.Fatalf("1 s into a 2 s lockout: %v; want Password attempts exceeded", err)
	}
	e.clock.Advance(time.Second)
	if err := right(); err != nil {
		t.Fatalf("after the 2 s lockout: %v; want a sign-in", err)
	}
	// The success reset the count: four failures do not lock.
	for range 4 {
		if err := wrong(); !wrongPassword(err) {
			t.Fatalf("after the reset: %v", err)
		}
	}
	if err := right(); err != nil {
		t.Fatalf("after 4 failures: %v; want a sign-in", err)
	}

	t.Run("15 quiet minutes reset the count", func(t *testing.T) {
		for range 4 {
			wrong()
		}
		e.clock.Advance(15 * time.Minute)
		if err := wrong(); !wrongPassword(err) {
			t.Fatal(err)
		}
		if err := right(); err != nil {
			t.Fatalf("a 5th failure after 15 quiet minutes locked the user out: %v", err)
		}
	})
	t.Run("at most about 15 minutes", func(t *testing.T) {
		for n := 1; n <= 15; n++ { // the 15th failure: 2^10 s, capped at 900
			if err := wrong(); !wrongPassword(err) {
				t.Fatalf("failure %d: %v", n, err)
			}
			if n >= 5 && n < 15 {
				e.clock.Advance(time.Second << (n - 5))
			}
		}
		e.clock.Advance(899 * time.Second)
		if err := right(); !lockedOut(err) {
			t.Fatalf("899 s after the 15th failure: %v; want locked out", err)
		}
		e.clock.Advance(time.Second)
		if err := right(); err != nil {
			t.Fatalf("900 s after the 15th failure: %v; want a sign-in (the lockout is capped at 15 minutes, not 1024 s)", err)
		}
	})
	t.Run("SRP and admin sign-in", func(t *testing.T) {
		e.pool.MustCreateUser(cognitotest.UserConfig{Username: "sri", Password: testPassword})
		for i := 1; i <= 3; i++ {
			_, err := e.srpLogin(e.public, "sri", "Wrong-Passw0rd!")
			if !wrongPassword(err) {
				t.Fatalf("SRP failure %d: %v", i, err)
			}
		}
		for i := 4; i <= 5; i++ {
			_, err := e.api.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, UserPoolId: aws.String(e.pool.ID()),
				ClientId: aws.String(e.public.ID), AuthParameters: map[string]string{"USERNAME": "sri", "PASSWORD": "Wrong-Passw0rd!"}})
			if !wrongPassword(err) {
				t.Fatalf("admin failure %d: %v", i, err)
			}
		}
		if _, err := e.srpLogin(e.public, "sri", testPassword); !lockedOut(err) {
			t.Fatalf("SRP with the right password after 5 failures: %v; want Password attempts exceeded", err)
		}
		e.clock.Advance(time.Second)
		if _, err := e.srpLogin(e.public, "sri", testPassword); err != nil {
			t.Fatalf("SRP after the lockout: %v", err)
		}
	})
	t.Run("MFA codes", func(t *testing.T) {
		e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional})
		e.pool.MustCreateUser(cognitotest.UserConfig{Username: "mo", Password: testPassword, PhoneNumber: "+15555550111", SMSMFA: true})
		var out *cip.InitiateAuthOutput
		for i := 1; i <= 5; i++ {
			if i == 1 || i == 4 { // a session takes 3 wrong codes
				out = must(e.passwordLogin(e.public, "mo", testPassword))
			}
			_, err := e.respond(e.public, types.ChallengeNameTypeSmsMfa, out.Session, map[string]string{"USERNAME": "mo", "SMS_MFA_CODE": "000000"})
			wantErr[*types.CodeMismatchException](t, err, "a wrong code")
		}
		if _, err := e.passwordLogin(e.public, "mo", testPassword); !lockedOut(err) {
			t.Fatalf("signing in after 5 wrong codes: %v; want Password attempts exceeded", err)
		}
		e.clock.Advance(time.Second)
		out = must(e.passwordLogin(e.public, "mo", testPassword))
		res, err := e.respond(e.public, types.ChallengeNameTypeSmsMfa, out.Session, map[string]string{"USERNAME": "mo", "SMS_MFA_CODE": e.srv.LastCode("mo", cognitotest.MsgSMSMFA)})
		if err != nil || res.AuthenticationResult == nil {
			t.Fatalf("the right code after the lockout: %v", err)
		}
	})
}

// TestLockoutManagedLogin: the managed-login sign-in page counts failed
// passwords towards the same lockout.
func TestLockoutManagedLogin(t *testing.T) {
	t.Parallel()
	clock := newClock()
	srv := cognitotest.NewServer(t, cognitotest.WithClock(clock.Now), fastKeys())
	pool := srv.MustCreatePool(cognitotest.PoolConfig{})
	web := pool.MustCreateClient(cognitotest.ClientConfig{Name: "web", CallbackURLs: []string{oauthCallback}, AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid"}, AllowedOAuthFlowsUserPoolClient: true})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "lee", Password: testPassword})
	e := &oauthEnv{srv: srv, pool: pool}
	submit := func(pass string) (*http.Response, string) {
		hc := noRedirectClient()
		id := e.authorize(t, hc, url.Values{"response_type": {"code"}, "client_id": {web.ID}, "redirect_uri": {oauthCallback}, "scope": {"openid"}})
		return e.submit(t, hc, url.Values{"request": {id}, "username": {"lee"}, "password": {pass}})
	}
	for range 5 {
		if _, body := submit("Wrong-Passw0rd!"); !strings.Contains(body, "Incorrect username or password.") {
			t.Fatal("wrong password: want the form with Incorrect username or password.")
		}
	}
	if resp, body := submit(testPassword); resp.StatusCode == http.StatusFound || !strings.Contains(body, "Password attempts exceeded") {
		t.Fatalf("the right password after 5 failures: status %d; want the form with Password attempts exceeded", resp.StatusCode)
	}
	// The API sees the same lockout.
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	_, err := api.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, UserPoolId: aws.String(pool.ID()),
		ClientId: aws.String(web.ID), AuthParameters: map[string]string{"USERNAME": "lee", "PASSWORD": testPassword}})
	if !lockedOut(err) {
		t.Fatalf("AdminInitiateAuth during the managed-login lockout: %v", err)
	}
	clock.Advance(time.Second)
	if resp, _ := submit(testPassword); resp.StatusCode != http.StatusFound {
		t.Fatalf("after the lockout: status %d; want the redirect with a code", resp.StatusCode)
	}
}
