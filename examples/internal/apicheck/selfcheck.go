package apicheck

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/examples/internal/stage"
)

// check is one request of the self-check and the status it must get.
type check struct {
	who, method, path string
	want              int
}

// Run calls the API at base as anonymous, as the demo users and as machine
// clients, prints one line per request to out, and fails on the first
// unexpected answer. On the embedded emulator it signs alice and bob in over
// SRP and gets client-credentials tokens; against real Cognito it signs in
// the users of st.Users and checks that they may call /me.
func Run(ctx context.Context, st *stage.Stage, base string, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tokens := map[string]string{"anonymous": ""}
	checks := []check{
		{"anonymous", "GET", "/healthz", 200},
		{"anonymous", "GET", "/me", 401},
		{"anonymous", "POST", "/orders", 401},
	}
	if st.Emu != nil {
		for _, u := range []string{"alice", "bob"} {
			t, err := st.SignIn(ctx, u)
			if err != nil {
				return fmt.Errorf("sign-in of %s: %w", u, err)
			}
			tokens[u] = t.AccessToken
			if u == "bob" {
				tokens["bob's ID token"] = t.IDToken
			}
		}
		for _, scope := range []string{"demo-api/read", "demo-api/write"} {
			tok, err := st.M2MToken(ctx, scope)
			if err != nil {
				return err
			}
			tokens["m2m "+scope] = tok
		}
		checks = append(checks,
			check{"bob", "GET", "/me", 200},
			check{"bob's ID token", "GET", "/me", 401},
			check{"bob", "GET", "/admin/users", 403},
			check{"bob", "GET", "/orders", 403},
			check{"alice", "GET", "/admin/users", 200},
			check{"alice", "GET", "/orders", 200},
			check{"alice", "POST", "/orders", 403},
			check{"m2m demo-api/read", "GET", "/orders", 200},
			check{"m2m demo-api/read", "POST", "/orders", 403},
			check{"m2m demo-api/read", "GET", "/admin/users", 403},
			check{"m2m demo-api/write", "POST", "/orders", 201},
		)
	} else {
		for u := range st.Users {
			t, err := st.SignIn(ctx, u)
			if err != nil {
				return fmt.Errorf("sign-in of %s: %w", u, err)
			}
			tokens[u] = t.AccessToken
			checks = append(checks, check{u, "GET", "/me", 200})
		}
	}
	for _, c := range checks {
		req, err := http.NewRequestWithContext(ctx, c.method, base+c.path, nil)
		if err != nil {
			return err
		}
		if tok := tokens[c.who]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Fprintf(out, "%-20s %-4s %-13s -> %d\n", c.who, c.method, c.path, resp.StatusCode)
		if resp.StatusCode != c.want {
			return fmt.Errorf("%s %s as %s: got %d; want %d", c.method, c.path, c.who, resp.StatusCode, c.want)
		}
		if c.want == 401 || c.want == 403 {
			if ch := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Bearer ") {
				return fmt.Errorf("%s %s as %s: WWW-Authenticate %q; want a Bearer challenge", c.method, c.path, c.who, ch)
			}
		}
	}
	return nil
}
