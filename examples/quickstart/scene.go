package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/srpclient"
)

// scene prints numbered steps and stops at the first one that misbehaves.
type scene struct {
	out io.Writer
	n   int
}

// step runs one step: run returns the lines to print and an error when the
// step did not behave as expected.
func (s *scene) step(title string, run func() ([]string, error)) error {
	s.n++
	fmt.Fprintf(s.out, "\n%d. %s\n", s.n, title)
	lines, err := run()
	for _, l := range lines {
		fmt.Fprintf(s.out, "   %s\n", l)
	}
	if err != nil {
		fmt.Fprintf(s.out, "   ✗ FAILED: %v\n", err)
		return fmt.Errorf("step %d (%s) failed: %w", s.n, title, err)
	}
	fmt.Fprintf(s.out, "   ✓\n")
	return nil
}

// response is what the scene shows of an API answer.
type response struct {
	status    int
	challenge string // WWW-Authenticate
	body      string
}

func (r response) String() string {
	s := fmt.Sprintf("%d %s", r.status, http.StatusText(r.status))
	if r.challenge != "" {
		s += "\n   WWW-Authenticate: " + r.challenge
	}
	if r.body != "" {
		s += "\n   " + r.body
	}
	return s
}

// get calls the API with an optional bearer token.
func (d *demo) get(ctx context.Context, path, token string) (response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.apiURL+path, nil)
	if err != nil {
		return response{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return response{}, err
	}
	return response{resp.StatusCode, resp.Header.Get("WWW-Authenticate"), strings.TrimSpace(string(body))}, nil
}

// expect calls the API and checks the status code.
func (d *demo) expect(ctx context.Context, path, token string, want int) (response, []string, error) {
	r, err := d.get(ctx, path, token)
	if err != nil {
		return r, nil, err
	}
	lines := []string{"→ GET " + path + ": " + r.String()}
	if r.status != want {
		return r, lines, fmt.Errorf("got status %d; want %d", r.status, want)
	}
	return r, lines, nil
}

// short abbreviates a token for display.
func short(tok string) string {
	if len(tok) <= 16 {
		return tok
	}
	return tok[:12] + "…(" + fmt.Sprint(len(tok)) + " bytes)"
}

// play runs the scene against the running demo.
func (d *demo) play(ctx context.Context, out io.Writer) error {
	fmt.Fprintf(out, "cognitokit quickstart: a net/http API protected by cognitokit, on an embedded Cognito emulator\n\n")
	fmt.Fprintf(out, "  Cognito emulator  %s   user pool %s\n", d.srv.URL(), d.pool.ID())
	fmt.Fprintf(out, "  protected API     %s\n", d.apiURL)
	fmt.Fprintf(out, "    GET /me        any valid access token of the pool\n")
	fmt.Fprintf(out, "    GET /admin     group admin\n")
	fmt.Fprintf(out, "    GET /reports   scope demo-api/read\n")

	api := cip.NewFromConfig(d.srv.AWSConfig())
	users, err := srpclient.New(srpclient.Config{API: api, UserPoolID: d.pool.ID(), ClientID: d.public.ID})
	if err != nil {
		return err
	}
	s := &scene{out: out}
	var bob, alice, refreshed *srpclient.Tokens

	if err := s.step("A call without a token is refused", func() ([]string, error) {
		r, lines, err := d.expect(ctx, "/me", "", http.StatusUnauthorized)
		if err == nil && !strings.HasPrefix(r.challenge, `Bearer realm="quickstart"`) {
			err = fmt.Errorf("WWW-Authenticate %q; want a Bearer challenge", r.challenge)
		}
		return lines, err
	}); err != nil {
		return err
	}

	if err := s.step("bob signs in with SRP (USER_SRP_AUTH: his password never leaves the client)", func() ([]string, error) {
		bob, err = signIn(ctx, users, "bob", d.password("bob"))
		if err != nil {
			return nil, err
		}
		return []string{
			"→ access token  " + short(bob.AccessToken) + ", expires " + bob.Expiry.Format(time.TimeOnly),
			"→ ID token      " + short(bob.IDToken),
			"→ refresh token " + short(bob.RefreshToken),
		}, nil
	}); err != nil {
		return err
	}

	if err := s.step("bob calls GET /me with his access token", func() ([]string, error) {
		r, lines, err := d.expect(ctx, "/me", bob.AccessToken, http.StatusOK)
		if err != nil {
			return lines, err
		}
		var claims struct{ Username string }
		if err := json.Unmarshal([]byte(r.body), &claims); err != nil || claims.Username != "bob" {
			return lines, fmt.Errorf("got username %q (%v); want bob", claims.Username, err)
		}
		return lines, nil
	}); err != nil {
		return err
	}

	if err := s.step("bob calls GET /admin, but he is not in group admin", func() ([]string, error) {
		r, lines, err := d.expect(ctx, "/admin", bob.AccessToken, http.StatusForbidden)
		if err == nil && !strings.Contains(r.challenge, `error="insufficient_scope"`) {
			err = fmt.Errorf("WWW-Authenticate %q; want error=\"insufficient_scope\"", r.challenge)
		}
		return lines, err
	}); err != nil {
		return err
	}

	if err := s.step("alice, in group admin, signs in and calls GET /admin", func() ([]string, error) {
		alice, err = signIn(ctx, users, "alice", d.password("alice"))
		if err != nil {
			return nil, err
		}
		_, lines, err := d.expect(ctx, "/admin", alice.AccessToken, http.StatusOK)
		return append([]string{"→ signed in as alice (SRP)"}, lines...), err
	}); err != nil {
		return err
	}

	if err := s.step("bob's refresh token gets him a new access token", func() ([]string, error) {
		refreshed, err = users.Refresh(ctx, bob)
		if err != nil {
			return nil, err
		}
		lines := []string{"→ new access token " + short(refreshed.AccessToken) + ", expires " + refreshed.Expiry.Format(time.TimeOnly)}
		if refreshed.AccessToken == bob.AccessToken {
			return lines, errors.New("the refreshed access token is the old one")
		}
		_, more, err := d.expect(ctx, "/me", refreshed.AccessToken, http.StatusOK)
		return append(lines, more...), err
	}); err != nil {
		return err
	}

	if err := s.step("bob signs out: his refresh token is revoked and stops working", func() ([]string, error) {
		if err := users.Revoke(ctx, bob.RefreshToken); err != nil {
			return nil, err
		}
		lines := []string{"→ RevokeToken: ok"}
		_, err := users.Refresh(ctx, bob)
		if !errors.Is(err, srpclient.ErrRefreshTokenInvalid) {
			return lines, fmt.Errorf("refresh after revocation: got %v; want ErrRefreshTokenInvalid", err)
		}
		lines = append(lines, "→ refresh with the revoked token: refused (srpclient.ErrRefreshTokenInvalid)")
		// Cognito itself now refuses the access tokens issued from it...
		_, err = api.GetUser(ctx, &cip.GetUserInput{AccessToken: &refreshed.AccessToken})
		var na *types.NotAuthorizedException
		if !errors.As(err, &na) {
			return lines, fmt.Errorf("GetUser after revocation: got %v; want NotAuthorizedException", err)
		}
		lines = append(lines, "→ Cognito GetUser with the refreshed access token: NotAuthorizedException")
		// ...but local verification cannot see revocation: an API that
		// verifies tokens locally accepts them until they expire.
		_, more, err := d.expect(ctx, "/me", refreshed.AccessToken, http.StatusOK)
		lines = append(lines, more...)
		lines = append(lines, "  (local verification cannot see revocations: keep access tokens short-lived)")
		return lines, err
	}); err != nil {
		return err
	}

	if err := s.step("a service gets an M2M token (client credentials) and calls GET /reports", func() ([]string, error) {
		c, err := oauth.New(oauth.Config{
			Domain:       d.srv.OAuthDomain(),
			ClientID:     d.m2m.ID,
			ClientSecret: d.m2m.Secret,
			UserPoolID:   d.pool.ID(),
			Issuer:       d.pool.Issuer(),
		})
		if err != nil {
			return nil, err
		}
		defer c.Close()
		ts, err := c.ClientCredentials("demo-api/read")
		if err != nil {
			return nil, err
		}
		tok, err := ts.TokenContext(ctx)
		if err != nil {
			return nil, err
		}
		lines := []string{"→ access token " + short(tok.AccessToken) + " for " + d.m2m.ID + ", scope demo-api/read"}
		r, more, err := d.expect(ctx, "/reports", tok.AccessToken, http.StatusOK)
		lines = append(lines, more...)
		if err == nil && !strings.Contains(r.body, `"machine":true`) {
			err = errors.New("the API did not see a machine token")
		}
		return lines, err
	}); err != nil {
		return err
	}

	fmt.Fprintf(out, "\nAll %d steps behaved as expected.\n", s.n)
	return nil
}

// signIn signs a demo user in; the demo users have no MFA, so the result is
// tokens or an error.
func signIn(ctx context.Context, c *srpclient.Client, username, password string) (*srpclient.Tokens, error) {
	res, err := c.SignIn(ctx, srpclient.SignInInput{Username: username, Password: password})
	if err != nil {
		return nil, err
	}
	if !res.Done() {
		return nil, fmt.Errorf("unexpected challenge %s", res.Next.ChallengeName())
	}
	return res.Tokens, nil
}
