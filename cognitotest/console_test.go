package cognitotest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/verifier"
)

// screenshotDir is where the browser tests save screenshots:
// $SCREENSHOT_DIR, or "" when it is unset and they take none (a
// screenshot costs Chromium a tenth of a second of CPU, and one saved in
// a directory the test then removes helps nobody).
func screenshotDir(t *testing.T) string {
	d := os.Getenv("SCREENSHOT_DIR")
	if d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// TestConsoleBrowser drives the web console in headless Chromium: the
// page lists the pool, its clients and users and the outbox; a client's
// secret shows when asked; an app's sign-up is confirmed; a user is
// created (the invitation lands in the outbox), given a password, added
// to a group, given fresh tokens (which the verifier accepts) and
// deleted. Every effect is checked through the AWS SDK too. Screenshots
// go to $SCREENSHOT_DIR, when it is set.
func TestConsoleBrowser(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Console", Name: "console test",
		AutoVerifiedAttributes: []string{"email"}, AliasAttributes: []string{"email"}})
	web := pool.MustCreateClient(cognitotest.ClientConfig{Name: "web"})
	backend := pool.MustCreateClient(cognitotest.ClientConfig{Name: "backend", GenerateSecret: true})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: testPassword, Email: "alice@example.com", Groups: []string{"admin"}})
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	_, err := api.SignUp(ctx(), &cip.SignUpInput{ClientId: aws.String(web.ID), Username: aws.String("dave"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("dave@example.com")}}})
	noErr(t, err)
	daveCode := srv.LastCode("dave", cognitotest.MsgSignUp)
	if daveCode == "" {
		t.Fatal("no sign-up code for dave")
	}
	status := func(username string) string {
		t.Helper()
		out, err := api.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID()), Username: aws.String(username)})
		if err != nil {
			var nf *types.UserNotFoundException
			if errors.As(err, &nf) {
				return "gone"
			}
			t.Fatalf("AdminGetUser %s: %v", username, err)
		}
		return string(out.UserStatus)
	}

	bctx := newBrowser(t, nil)
	dir := screenshotDir(t)
	shot := func(name string) {
		t.Helper()
		if dir == "" {
			return
		}
		buf, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(dir, name+".png")
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			shot("failed")
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	value := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("value of %s: %v", sel, err)
		}
		return s
	}
	// until waits for a condition of the page, in JavaScript: the actions
	// change the page in place (no navigation), and a poll in the page
	// sees each change whole, where node queries could race with it.
	until := func(what, cond string) {
		t.Helper()
		_, err := chromedp.Run(bctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
		if err != nil {
			shot("failed")
			t.Fatalf("%s: %v", what, err)
		}
	}
	present := func(sel string) string { return fmt.Sprintf("document.querySelector(%q) !== null", sel) }
	user := func(name string) string { return `tr.user[data-username="` + name + `"]` }
	details := func(name string) string { return `tr.user-details[data-username="` + name + `"]` }

	// The emulator's URL leads to the console.
	do("open the console", chromedp.EmulateViewport(1280, 1000), chromedp.Navigate(srv.URL()+"/"), chromedp.WaitVisible(chromedp.CSS(user("dave"))))
	shot("1-console")
	if h := text("#pool h2"); !strings.Contains(h, "us-east-1_Console") {
		t.Errorf("pool heading %q", h)
	}
	clients := text("#clients tbody")
	if !strings.Contains(clients, web.ID) || !strings.Contains(clients, backend.ID) || strings.Contains(clients, backend.Secret) {
		t.Errorf("clients table %q: want both clients, the secret hidden", clients)
	}
	if s := text(user("dave") + " .status"); s != "UNCONFIRMED" {
		t.Errorf("dave's status on the page: %q", s)
	}
	if g := text(user("alice") + " .groups"); !strings.Contains(g, "admin") {
		t.Errorf("alice's groups on the page: %q", g)
	}
	if o := text("#outbox tbody tr.message"); !strings.Contains(o, daveCode) || !strings.Contains(o, "dave@example.com") || !strings.Contains(o, "SignUp") {
		t.Errorf("newest message on the page %q: want dave's sign-up code %s", o, daveCode)
	}

	// The secret, when asked.
	row := `tr[data-client="` + backend.ID + `"]`
	do("show the secret", chromedp.Click(chromedp.CSS(row+` button[data-action="show-secret"]`)))
	until("the secret", present(row+" .secret:not([hidden])"))
	if got := text(row + " .secret"); got != backend.Secret {
		t.Errorf("shown secret %q; want %q", got, backend.Secret)
	}

	// Confirm dave's sign-up.
	do("confirm dave", chromedp.Click(chromedp.CSS(user("dave")+` button[data-action="confirm"]`)))
	until("dave confirmed", present(user("dave")+" .status-CONFIRMED"))
	if got := status("dave"); got != "CONFIRMED" {
		t.Errorf("dave after Confirm: %s; want CONFIRMED", got)
	}
	if f := text("#flash"); !strings.Contains(f, "Confirmed dave") {
		t.Errorf("flash after Confirm: %q", f)
	}

	// Create carol without a password: the invitation goes to the outbox.
	do("create carol",
		chromedp.SetValue(chromedp.CSS(`#create-user input[name="username"]`), "carol"),
		chromedp.SetValue(chromedp.CSS(`#create-user input[name="email"]`), "carol@example.com"),
		chromedp.Click(chromedp.CSS(`#create-user button[type="submit"]`)))
	until("carol created", present(user("carol")))
	if got := status("carol"); got != "FORCE_CHANGE_PASSWORD" {
		t.Errorf("carol after Create user: %s; want FORCE_CHANGE_PASSWORD", got)
	}
	invite, ok := srv.LastMessage("carol", cognitotest.MsgTemporaryPassword)
	if !ok || invite.Operation != "AdminCreateUser" || invite.Destination != "carol@example.com" {
		t.Fatalf("carol's invitation: %+v, %v", invite, ok)
	}
	if o := text("#outbox tbody tr.message"); !strings.Contains(o, invite.Code) {
		t.Errorf("newest message on the page %q: want carol's temporary password", o)
	}

	// Set a permanent password: carol can sign in with it.
	const carolPassword = "Console-Passw0rd!"
	do("set carol's password",
		chromedp.Click(chromedp.CSS(details("carol")+" summary")),
		chromedp.SetValue(chromedp.CSS(details("carol")+` form[data-form="set-password"] input[name="password"]`), carolPassword),
		chromedp.Click(chromedp.CSS(details("carol")+` form[data-form="set-password"] button`)))
	until("carol confirmed", present(user("carol")+" .status-CONFIRMED"))
	e := &env{srv: srv, pool: pool, api: api}
	if _, err := e.passwordLogin(web, "carol", carolPassword); err != nil {
		t.Errorf("carol signs in with the password set in the console: %v", err)
	}

	// Add carol to a new group.
	do("add carol to editors",
		chromedp.Click(chromedp.CSS(details("carol")+" summary")),
		chromedp.SetValue(chromedp.CSS(details("carol")+` form[data-form="add-to-group"] input[name="group"]`), "editors"),
		chromedp.Click(chromedp.CSS(details("carol")+` form[data-form="add-to-group"] button`)))
	until("carol in editors", present(user("carol")+" .groups .tag"))
	if g := text(user("carol") + " .groups"); !strings.Contains(g, "editors") {
		t.Errorf("carol's groups on the page: %q", g)
	}

	// Fresh tokens for carol, through the backend client.
	do("tokens for carol",
		chromedp.Click(chromedp.CSS(details("carol")+" summary")),
		chromedp.SetValue(chromedp.CSS(details("carol")+` select[name="client"]`), backend.ID),
		chromedp.Click(chromedp.CSS(user("carol")+` button[data-action="token"]`)))
	until("the tokens", present("#token:not([hidden])"))
	shot("2-token")
	idToken, accessToken := value("#id-token"), value("#access-token")
	newVerifier := func(use verifier.TokenUse) *verifier.Verifier {
		v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: pool.ID(), ClientIDs: []string{backend.ID}, TokenUse: use,
			Issuer: pool.Issuer(), JWKSURL: pool.JWKSURL()}}, HTTPClient: srv.HTTPClient()})
		noErr(t, err)
		t.Cleanup(func() { v.Close() })
		return v
	}
	if c, err := newVerifier(verifier.TokenUseID).Verify(ctx(), idToken); err != nil || c.Username != "carol" || !c.HasGroup("editors") {
		t.Errorf("the console's ID token: %+v, %v; want carol in editors", c, err)
	}
	if _, err := newVerifier(verifier.TokenUseAccess).Verify(ctx(), accessToken); err != nil {
		t.Errorf("the console's access token: %v", err)
	}
	if _, err := api.GetUser(ctx(), &cip.GetUserInput{AccessToken: aws.String(accessToken)}); err != nil {
		t.Errorf("GetUser with the console's access token: %v", err)
	}
	// The copy button puts the token on the clipboard (or, where the
	// clipboard is unavailable, selects it); either way it says so.
	do("copy", chromedp.Click(chromedp.CSS(`button[data-action="copy"][data-target="access-token"]`)))
	until("Copied.", `document.getElementById("flash").textContent === "Copied."`)

	// A token for a user who cannot sign in is refused, with the reason.
	_, err = api.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: aws.String(pool.ID()), Username: aws.String("erin"), MessageAction: types.MessageActionTypeSuppress})
	noErr(t, err)
	do("reload", chromedp.Navigate(srv.ConsoleURL()), chromedp.WaitVisible(chromedp.CSS(user("erin"))),
		chromedp.Click(chromedp.CSS(user("erin")+` button[data-action="token"]`)))
	until("the refusal", present("#flash.error"))
	if f := text("#flash"); !strings.Contains(f, "FORCE_CHANGE_PASSWORD") {
		t.Errorf("flash after Token for erin: %q; want the reason", f)
	}

	// Delete carol: two clicks.
	do("arm delete", chromedp.Click(chromedp.CSS(user("carol")+` button[data-action="delete-user"]`)))
	until("the delete button armed", present(user("carol")+` button[data-armed="1"]`))
	do("delete carol", chromedp.Click(chromedp.CSS(user("carol")+` button[data-action="delete-user"]`)))
	until("carol gone", "!("+present(user("carol"))+")")
	if got := status("carol"); got != "gone" {
		t.Errorf("carol after Delete: %s; want gone", got)
	}
	if f := text("#flash"); f != "Deleted carol." {
		t.Errorf("flash after Delete: %q", f)
	}

	// The outbox refreshes itself: a message sent now appears without a
	// reload.
	_, err = api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: aws.String(web.ID), Username: aws.String("alice")})
	noErr(t, err)
	reset := srv.LastCode("alice", cognitotest.MsgForgotPassword)
	until("the outbox refreshed", present(fmt.Sprintf(`#outbox tr.message[data-seq="%d"]`, len(srv.Messages()))))
	if o := text("#outbox tbody tr.message"); !strings.Contains(o, reset) || !strings.Contains(o, "ForgotPassword") {
		t.Errorf("newest message after the refresh: %q; want alice's reset code", o)
	}
	shot("3-after")
}

// TestConsoleRefusesOtherOrigins: pages of other origins cannot make the
// console act, whether by fetch with the console's header (the preflight
// is refused), by a simple no-cors post, or by a form post; nor read the
// outbox or a secret.
func TestConsoleRefusesOtherOrigins(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Origins"})
	backend := pool.MustCreateClient(cognitotest.ClientConfig{GenerateSecret: true})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: testPassword, Email: "alice@example.com"})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: testPassword})
	api := srv.ConsoleURL() + "api/"

	bctx := newBrowser(t, map[string]string{"evil.test": "127.0.0.1"})
	evil := "http://evil.test:" + pageServer(t) + "/"
	if err := chromedp.Do(bctx, chromedp.Navigate(evil)); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`(async () => {
  const api = %q, secret = %q, messages = %q;
  const body = JSON.stringify({pool: %q, username: "alice"});
  const out = {};
  const attempt = async (name, f) => { try { const r = await f(); out[name] = r.type === "opaque" ? "opaque" : r.status + " " + await r.text(); } catch (e) { out[name] = "error " + e; } };
  await attempt("fetch", () => fetch(api + "delete-user", {method: "POST", headers: {"Content-Type": "application/json", "X-Cognitokit-Console": "1"}, body}));
  await attempt("simple", () => fetch(api + "delete-user", {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body}));
  await attempt("secret", () => fetch(secret));
  await attempt("messages", () => fetch(messages));
  const f = document.createElement("form");
  f.method = "POST"; f.action = api + "delete-user"; f.enctype = "text/plain";
  const i = document.createElement("input"); i.name = body; i.value = ""; f.appendChild(i);
  const frame = document.createElement("iframe"); frame.name = "sink"; document.body.appendChild(frame); f.target = "sink";
  // The answer to the post loads in the frame: a document of another
  // origin (the emulator's, or an error page), unlike the frame's first
  // about:blank.
  const answered = new Promise(r => frame.addEventListener("load", () => { if (frame.contentDocument === null) r(); }));
  document.body.appendChild(f); f.submit();
  await answered;
  return JSON.stringify(out);
})()`, api, api+"secret?pool="+pool.ID()+"&client="+backend.ID, srv.MessagesURL(), pool.ID())
	raw, err := chromedp.Run(bctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	noErr(t, err)
	var out map[string]string
	noErr(t, json.Unmarshal([]byte(raw), &out))
	for name, got := range out {
		if strings.HasPrefix(got, "200") || strings.Contains(got, backend.Secret) {
			t.Errorf("%s from another origin: %q; want no readable answer", name, got)
		}
	}
	if _, err := pool.User("alice"); err != nil {
		t.Errorf("alice after the attacks: %v; want her kept", err)
	}

	// Without a browser: the guard refuses a cross-origin POST before the
	// console sees it, and the console refuses a call without its header
	// or in another format.
	post := func(hdr map[string]string, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, api+"delete-user", strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		noErr(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	body := `{"pool":"` + pool.ID() + `","username":"alice"}`
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"cross-origin", map[string]string{"Origin": "http://evil.example", "Content-Type": "application/json", "X-Cognitokit-Console": "1"}, http.StatusForbidden},
		{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json", "X-Cognitokit-Console": "1"}, http.StatusForbidden},
		{"no console header", map[string]string{"Content-Type": "application/json"}, http.StatusForbidden},
		{"form post", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Cognitokit-Console": "1"}, http.StatusUnsupportedMediaType},
	} {
		if code, b := post(tc.hdr, body); code != tc.want {
			t.Errorf("%s: status %d %s; want %d", tc.name, code, b, tc.want)
		}
	}
	if _, err := pool.User("alice"); err != nil {
		t.Fatalf("alice after refused posts: %v", err)
	}
	// The same call from the console itself works.
	if code, b := post(map[string]string{"Content-Type": "application/json", "X-Cognitokit-Console": "1", "Sec-Fetch-Site": "same-origin"}, body); code != http.StatusOK {
		t.Errorf("same-origin delete: %d %s", code, b)
	}
	if _, err := pool.User("alice"); !errors.Is(err, cognitotest.ErrNotFound) {
		t.Errorf("alice after the console's delete: %v; want ErrNotFound", err)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"pool":"` + pool.ID() + `","username":"bob","extra":1}`, "unknown field"},
		{`{"username":"bob"}`, "pool: required"},
		{`{"pool":"` + pool.ID() + `"}`, "username: required"},
	} {
		code, b := post(map[string]string{"Content-Type": "application/json", "X-Cognitokit-Console": "1"}, tc.body)
		if code != http.StatusBadRequest || !strings.Contains(b, tc.want) {
			t.Errorf("body %s: %d %s; want 400 with %q", tc.body, code, b, tc.want)
		}
	}
	code, b := post(map[string]string{"Content-Type": "application/json", "X-Cognitokit-Console": "1"}, strings.Repeat(" ", 70<<10)+"{}")
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 70 KiB body: %d %s; want 413", code, b)
	}
}

// TestMessagesEndpoint: GET /_cognitokit/messages lists what the emulator
// sent, oldest first, with the operation and trigger, filtered by pool,
// user, kind, after and limit; DELETE deletes; bad parameters are refused
// by name; and other origins get no CORS headers.
func TestMessagesEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{AutoVerifiedAttributes: []string{"email"}, AliasAttributes: []string{"email"}})
	other := e.srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Other", AutoVerifiedAttributes: []string{"email"}})
	otherApp := other.MustCreateClient(cognitotest.ClientConfig{})
	signUp := func(client, name, email string) {
		t.Helper()
		_, err := e.api.SignUp(ctx(), &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String(name), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}}})
		noErr(t, err)
	}
	signUp(e.public.ID, "ann", "ann@example.com")
	signUp(e.public.ID, "ben", "ben@example.com")
	signUp(otherApp.ID, "ann", "ann@other.example")
	_, err := e.api.ResendConfirmationCode(ctx(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(e.public.ID), Username: aws.String("ann")})
	noErr(t, err)

	type msg struct {
		Seq                                                 int64
		PoolID, Username, Destination, DeliveryMedium, Kind string
		Operation, Trigger, Code, Subject, Message          string
		Time                                                time.Time
	}
	get := func(query string) (int, []msg, string) {
		t.Helper()
		resp, err := http.Get(e.srv.MessagesURL() + query)
		noErr(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out struct {
			Messages []struct {
				Seq            int64     `json:"seq"`
				PoolID         string    `json:"pool_id"`
				Username       string    `json:"username"`
				Destination    string    `json:"destination"`
				DeliveryMedium string    `json:"delivery_medium"`
				Kind           string    `json:"kind"`
				Operation      string    `json:"operation"`
				Trigger        string    `json:"trigger"`
				Code           string    `json:"code"`
				Subject        string    `json:"subject"`
				Message        string    `json:"message"`
				Time           time.Time `json:"time"`
			} `json:"messages"`
			MaxMessages int `json:"max_messages"`
		}
		json.Unmarshal(raw, &out)
		var ms []msg
		for _, m := range out.Messages {
			ms = append(ms, msg(m))
		}
		if resp.StatusCode == 200 && out.MaxMessages != cognitotest.MaxMessages {
			t.Errorf("max_messages = %d; want %d", out.MaxMessages, cognitotest.MaxMessages)
		}
		return resp.StatusCode, ms, string(raw)
	}
	_, all, _ := get("")
	if len(all) != 4 {
		t.Fatalf("got %d messages; want 4", len(all))
	}
	for i, m := range all {
		if m.Seq != int64(i+1) {
			t.Errorf("message %d has seq %d; want oldest first", i, m.Seq)
		}
	}
	first := all[0]
	wantFirst := msg{Seq: 1, PoolID: e.pool.ID(), Username: "ann", Destination: "ann@example.com", DeliveryMedium: "EMAIL", Kind: "SignUp",
		Operation: "SignUp", Trigger: "CustomMessage_SignUp", Code: e.srv.Messages()[0].Code, Subject: "Your verification code",
		Message: "Your verification code is " + e.srv.Messages()[0].Code + ".", Time: e.clock.Now()}
	if !first.Time.Equal(wantFirst.Time) {
		t.Errorf("time %v; want %v", first.Time, wantFirst.Time)
	}
	first.Time = wantFirst.Time
	if first != wantFirst {
		t.Errorf("first message:\n got %+v\nwant %+v", first, wantFirst)
	}
	if m := all[3]; m.Kind != "ResendCode" || m.Operation != "ResendConfirmationCode" || m.Trigger != "CustomMessage_ResendCode" {
		t.Errorf("resent code: %+v", m)
	}

	seqs := func(ms []msg) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.Seq)
		}
		return out
	}
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"?pool=" + e.pool.ID(), []int64{1, 2, 4}},
		{"?user=ann", []int64{1, 3, 4}},
		{"?user=ANN@example.com", []int64{1, 4}},
		{"?pool=" + e.pool.ID() + "&user=ann", []int64{1, 4}},
		{"?kind=ResendCode", []int64{4}},
		{"?after=2", []int64{3, 4}},
		{"?user=ann&limit=1", []int64{4}},
		{"?user=nobody", nil},
	} {
		code, ms, raw := get(tc.query)
		if code != 200 || !slices.Equal(seqs(ms), tc.want) {
			t.Errorf("GET %s: %d %v; want %v (%s)", tc.query, code, seqs(ms), tc.want, raw)
		}
	}
	for _, tc := range []struct{ query, want string }{
		{"?usr=ann", `unknown query parameter \"usr\"`},
		{"?after=x", "after: want"},
		{"?limit=0", "limit: want"},
		{"?user=a&user=b", "more than once"},
	} {
		code, _, raw := get(tc.query)
		if code != http.StatusBadRequest || !strings.Contains(raw, tc.want) {
			t.Errorf("GET %s: %d %s; want 400 with %q", tc.query, code, raw, tc.want)
		}
	}

	// Other origins: no CORS headers (a page cannot read the codes).
	req, _ := http.NewRequest(http.MethodGet, e.srv.MessagesURL(), nil)
	req.Header.Set("Origin", "http://evil.example")
	resp, err := http.DefaultClient.Do(req)
	noErr(t, err)
	resp.Body.Close()
	if acao := resp.Header.Get("Access-Control-Allow-Origin"); acao != "" {
		t.Errorf("Access-Control-Allow-Origin %q for another origin; want none", acao)
	}

	del := func(query string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodDelete, e.srv.MessagesURL()+query, nil)
		resp, err := http.DefaultClient.Do(req)
		noErr(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, b := del("?pool=us-east-1_Other"); code != 200 || !strings.Contains(b, `"deleted":1`) {
		t.Errorf("DELETE ?pool=Other: %d %s", code, b)
	}
	if _, ms, _ := get(""); !slices.Equal(seqs(ms), []int64{1, 2, 4}) {
		t.Errorf("after DELETE: %v", seqs(ms))
	}
	if code, b := del(""); code != 200 || !strings.Contains(b, `"deleted":3`) || len(e.srv.Messages()) != 0 {
		t.Errorf("DELETE all: %d %s; %d left", code, b, len(e.srv.Messages()))
	}
	// Numbering goes on after a deletion.
	signUp(e.public.ID, "cy", "cy@example.com")
	if ms := e.srv.Messages(); len(ms) != 1 || ms[0].Seq != 5 {
		t.Errorf("after deleting all, a new message: %+v; want seq 5", ms)
	}
}

// TestHealth: the health endpoint answers while the server serves.
func TestHealth(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	resp, err := http.Get(srv.HealthURL())
	noErr(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != `{"status":"ok"}` {
		t.Errorf("health: %d %s", resp.StatusCode, b)
	}
	u, _ := url.Parse(srv.HealthURL())
	if u.Path != "/_cognitokit/health" {
		t.Errorf("HealthURL %s", srv.HealthURL())
	}
}

// blockingTokens returns a pool whose pre token generation trigger tells
// when a sign-in reaches it, and then waits for release (or for the
// request to end).
func blockingTokens(t *testing.T) (e *env, entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	e = newEnv(t, cognitotest.PoolConfig{Triggers: cognitotest.Triggers{PreTokenGeneration: func(ctx context.Context, ev *cognitotest.PreTokenGenerationEvent) error {
		close(entered)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: testPassword})
	return e, entered, release
}

// TestShutdownFinishesRequests: Shutdown stops accepting connections, lets
// a request in flight finish with its answer, and then closes the server.
func TestShutdownFinishesRequests(t *testing.T) {
	t.Parallel()
	e, entered, release := blockingTokens(t)
	signIn := make(chan error, 1)
	go func() { _, err := e.passwordLogin(e.public, "ann", testPassword); signIn <- err }()
	<-entered // the sign-in is in flight

	shutdown := make(chan error, 1)
	go func() { shutdown <- e.srv.Shutdown(context.Background()) }()
	// Once the listener is closed, new connections are refused...
	for {
		c, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL(), "http://"))
		if err != nil {
			break
		}
		c.Close()
		select {
		case err := <-shutdown:
			t.Fatalf("Shutdown returned %v while a request was in flight", err)
		default:
		}
		runtime.Gosched()
	}
	// ...and the request in flight still gets its answer.
	close(release)
	if err := <-signIn; err != nil {
		t.Errorf("the sign-in in flight during Shutdown: %v; want tokens", err)
	}
	if err := <-shutdown; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// TestShutdownBound: a request still running when the context of Shutdown
// ends is cut off, and Shutdown says so.
func TestShutdownBound(t *testing.T) {
	t.Parallel()
	e, entered, _ := blockingTokens(t)
	signIn := make(chan error, 1)
	go func() { _, err := e.passwordLogin(e.public, "ann", testPassword); signIn <- err }()
	<-entered
	c, cancel := context.WithCancel(context.Background())
	cancel() // the bound is over at once
	if err := e.srv.Shutdown(c); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown with a request in flight and an ended context: %v; want context.Canceled", err)
	}
	if err := <-signIn; err == nil {
		t.Error("the request cut off by Shutdown got tokens")
	}
}
