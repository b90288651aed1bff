package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/albtoken"
)

var requestField = regexp.MustCompile(`name="request" value="([^"]*)"`)

// check signs alice and bob in through the emulated ALB, as a browser
// would, and checks the service's answers.
func check(ctx context.Context, a *cognitotest.ALB, passwords map[string]string, service string, out io.Writer) error {
	for _, u := range []struct {
		name, groups string
		admin        int
	}{{"alice", "admin", 200}, {"bob", "", 403}} {
		c, me, err := signIn(ctx, a, u.name, passwords[u.name])
		if err != nil {
			return fmt.Errorf("%s: %w", u.name, err)
		}
		var got struct {
			Username string   `json:"username"`
			Email    string   `json:"email"`
			Groups   []string `json:"groups"`
		}
		if err := json.Unmarshal([]byte(me), &got); err != nil || got.Username != u.name || got.Email != u.name+"@example.com" || strings.Join(got.Groups, ",") != u.groups {
			return fmt.Errorf("%s: /me through the ALB = %s; want %s with groups %q", u.name, me, u.name, u.groups)
		}
		fmt.Fprintf(out, "ok   %s signs in through the ALB; /me = %s", u.name, me)
		status, _, err := get(ctx, c, a.URL()+"/admin", nil)
		if err != nil || status != u.admin {
			return fmt.Errorf("%s: /admin = %d, %v; want %d", u.name, status, err, u.admin)
		}
		fmt.Fprintf(out, "ok   %s: /admin %d\n", u.name, status)
	}
	// Requests that bypass the ALB.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	forged, err := albtoken.Sign(key, albtoken.Header{Kid: "1f0c4b2a-7d3e-4c55-9a61-2b8e9f0d1c3a", Iss: a.Issuer(), Client: a.ClientID(), Signer: a.ARN(),
		Exp: time.Now().Add(time.Minute).Unix()}, []byte(`{"sub":"x","username":"alice"}`), albtoken.Options{})
	if err != nil {
		return err
	}
	for name, h := range map[string]http.Header{
		"a forged x-amzn-oidc-identity":      {"X-Amzn-Oidc-Identity": {"admin"}},
		"a data token signed by another key": {"X-Amzn-Oidc-Data": {forged}},
		"nothing":                            {},
	} {
		status, _, err := get(ctx, http.DefaultClient, service+"/me", h)
		if err != nil || status != http.StatusUnauthorized {
			return fmt.Errorf("direct request with %s: %d, %v; want 401", name, status, err)
		}
		fmt.Fprintf(out, "ok   direct request with %s: 401\n", name)
	}
	return nil
}

// signIn opens /me through the ALB with a fresh cookie jar, fills the
// managed login form, and returns the client (holding the ALB session)
// and the page it lands on.
func signIn(ctx context.Context, a *cognitotest.ALB, user, password string) (*http.Client, string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	status, page, err := get(ctx, c, a.URL()+"/me", nil)
	if err != nil || status != http.StatusOK {
		return nil, "", fmt.Errorf("opening /me: %d, %v", status, err)
	}
	m := requestField.FindStringSubmatch(page)
	if m == nil {
		return nil, "", fmt.Errorf("opening /me did not show the sign-in form")
	}
	login, err := url.Parse(a.Issuer())
	if err != nil {
		return nil, "", err
	}
	login.Path = "/login"
	form := url.Values{"request": {html.UnescapeString(m[1])}, "username": {user}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, login.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/me" {
		return nil, "", fmt.Errorf("signing in ended at %s with %d: %.200s", resp.Request.URL, resp.StatusCode, b)
	}
	return c, string(b), nil
}

func get(ctx context.Context, c *http.Client, u string, h http.Header) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b), err
}
