package main

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var requestField = regexp.MustCompile(`name="request" value="([^"]+)"`)

// selfCheckRun starts the app in emulator mode and walks through the
// sign-in flow with a cookie-keeping HTTP client.
func selfCheckRun(o options, out io.Writer) error {
	app, err := start(o)
	if err != nil {
		return err
	}
	defer app.Close()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(u string) (*http.Response, string, error) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp, string(b), err
	}
	step := func(format string, args ...any) { fmt.Fprintf(out, "  ok  "+format+"\n", args...) }

	resp, body, err := get(app.URL + "/me")
	if err != nil {
		return err
	}
	m := requestField.FindStringSubmatch(body)
	if m == nil || !strings.HasPrefix(resp.Request.URL.String(), app.emu.OAuthDomain()+"/login") {
		return fmt.Errorf("GET /me did not lead to the sign-in page (status %d, at %s)", resp.StatusCode, resp.Request.URL.Redacted())
	}
	step("/me redirects anonymous browsers to the sign-in page")
	u := demoUsers[0]
	resp, err = hc.PostForm(app.emu.OAuthDomain()+"/login", url.Values{"request": {m[1]}, "username": {u.name}, "password": {u.password}})
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.Request.URL.Path != "/me" || resp.StatusCode != http.StatusOK || !strings.Contains(string(b), u.fullName) {
		return fmt.Errorf("after sign-in: status %d at %s; want /me showing %q", resp.StatusCode, resp.Request.URL.Path, u.fullName)
	}
	step("signing in as %s lands on /me showing %q", u.name, u.fullName)
	if resp, _, err = get(app.URL + "/admin"); err != nil || resp.StatusCode != http.StatusForbidden {
		return fmt.Errorf("GET /admin as %s: status %v, err %v; want 403", u.name, statusOf(resp), err)
	}
	step("/admin answers 403 to a non-admin")
	resp, err = hc.PostForm(app.URL+"/auth/logout", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != app.URL+"/" {
		return fmt.Errorf("sign-out: status %d at %s; want the home page", resp.StatusCode, resp.Request.URL.Redacted())
	}
	step("sign-out ends both sessions and returns home")
	resp, body, err = get(app.URL + "/me")
	if err != nil {
		return err
	}
	if !strings.Contains(body, `id="password"`) {
		return fmt.Errorf("GET /me after sign-out: status %d at %s; want the sign-in page", resp.StatusCode, resp.Request.URL.Redacted())
	}
	step("/me asks to sign in again")
	for _, name := range o.providers {
		if err := providerCheck(app, hc, get, name); err != nil {
			return fmt.Errorf("sign-in with %s: %w", name, err)
		}
		step("signing in with %s (a stand-in) lands on /me showing %q, signed in with %s", name, fedUser.Name, name)
	}
	return nil
}

// providerCheck signs in through the home page's "Sign in with NAME"
// button: managed login sends the browser to the stand-in provider, whose
// "Sign in as" page signs in its user, and the app's /me shows the user
// and the provider; then it signs out.
func providerCheck(app *App, hc *http.Client, get func(string) (*http.Response, string, error), name string) error {
	_, body, err := get(app.URL + "/")
	if err != nil {
		return err
	}
	m := regexp.MustCompile(`data-provider="` + regexp.QuoteMeta(name) + `" href="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		return fmt.Errorf("the home page has no %s button", name)
	}
	resp, body, err := get(app.URL + html.UnescapeString(m[1]))
	if err != nil {
		return err
	}
	idp := app.standIns[name]
	r := requestField.FindStringSubmatch(body)
	if r == nil || !strings.HasPrefix(resp.Request.URL.String(), idp.AuthorizeURL()) {
		return fmt.Errorf("the button did not lead to the provider's sign-in page (status %d, at %s)", resp.StatusCode, resp.Request.URL.Redacted())
	}
	resp, err = hc.PostForm(idp.AuthorizeURL(), url.Values{"request": {r[1]}, "sub": {fedUser.Subject}})
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	want := `<span class="group identity">` + name + `</span>`
	if resp.Request.URL.Path != "/me" || resp.StatusCode != http.StatusOK || !strings.Contains(string(b), fedUser.Name) || !strings.Contains(string(b), want) {
		return fmt.Errorf("after the provider's sign-in: status %d at %s; want /me showing %q signed in with %s", resp.StatusCode, resp.Request.URL.Redacted(), fedUser.Name, name)
	}
	resp, err = hc.PostForm(app.URL+"/auth/logout", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != app.URL+"/" {
		return fmt.Errorf("sign-out: status %d at %s; want the home page", resp.StatusCode, resp.Request.URL.Redacted())
	}
	return nil
}

func statusOf(r *http.Response) any {
	if r == nil {
		return "none"
	}
	return r.StatusCode
}
