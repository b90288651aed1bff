package main

import (
	"fmt"
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
	return nil
}

func statusOf(r *http.Response) any {
	if r == nil {
		return "none"
	}
	return r.StatusCode
}
