package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/cognitokit/cognitokit/cognitotest"
)

func init() {
	register(&command{
		name:    "local",
		summary: "run a local Cognito user pool emulator (cognitotest) until interrupted",
		usage: `Usage: cognito local [--addr 127.0.0.1:9229] [--public-url URL] [--seed FILE] [--allow-host HOST]...
                    [--cors-origin URL]... [--negative-salts] [--verbose]
                    [--alb-target URL [--alb-addr 127.0.0.1:9230] [--alb-unauthenticated authenticate|deny|allow]
                     [--alb-scope "openid email"]]

Runs the cognitotest emulator: the Cognito user pool API (point the AWS SDK
at the endpoint), the JWKS at {public URL}/{poolId}/.well-known/jwks.json and
the discovery document at {public URL}/{poolId}/.well-known/openid-configuration.
Tokens are issued by {public URL}/{poolId}. The public URL is --public-url,
or the endpoint.

The emulator's own endpoints, which Cognito does not have, live under
/_cognitokit/, apart from Cognito's paths:
  GET    /_cognitokit/health     200 {"status":"ok"} while it serves (compose, CI)
  GET    /_cognitokit/messages   the codes, temporary passwords and one-time codes it
                                 "sent", as JSON, oldest first; filter with ?pool=ID,
                                 ?user=NAME (username, email or phone), ?kind=SignUp,
                                 ?after=SEQ, ?limit=N (the newest N); at most 10000 kept
  DELETE /_cognitokit/messages   deletes them (same filters)
  GET    /_cognitokit/console/   the web console: pools, clients, users, the outbox;
                                 create, confirm, set passwords, groups, tokens
  GET    /_cognitokit/export     the state as a seed file
Opening the endpoint in a browser leads to the console.

When ready it prints ONE JSON line on standard output:
  {"endpoint":"http://127.0.0.1:9229","public_url":"http://127.0.0.1:9229","region":"us-east-1",
   "messages_url":…,"console_url":…,"health_url":…,"pools":[{"id":…,"issuer":…,"jwks_url":…,
   "clients":[{"id":…,"name":…,"secret":…}],
   "users":[{"username":…,"password":…,"email":…,"groups":[…],"sub":…}]}]}
On a terminal it also prints a short summary on standard error.

Without --seed it creates the demo pool us-east-1_cognitokit with a public
client (cognitokitpublic), a confidential client (cognitokitconfidential,
random secret), the user alice (group admin) and the user bob (no groups);
their passwords are in the JSON line.

The seed file is JSON:
  {"pools":[{"id":"us-east-1_Example",
             "clients":[{"id":"exampleclient","secret":"optional","name":"web"}],
             "users":[{"username":"alice","password":"Passw0rd!","email":"alice@example.com",
                       "groups":["admin"],"alias_email":true}]}]}
A malformed seed is rejected with a message naming the bad field.

Web pages: the browser you use every day can reach the emulator, so it
guards itself. Requests must name it by a loopback name (localhost,
127.0.0.1, [::1]) or its listen address: others get 403, which defeats DNS
rebinding; --allow-host adds a name (a docker-compose service, a LAN
address). Pages of other origins may call only what Cognito serves without
AWS credentials (InitiateAuth, RespondToAuthChallenge, SignUp, GetUser,
GetId, the OAuth token endpoint, the JWKS, ...); the admin and management
operations answer them 403. --cors-origin trusts an origin (such as
http://localhost:5173) with every operation.

The ALB: with --alb-target, the emulator also plays an Application Load
Balancer whose listener rule runs authenticate-cognito against the first
pool, in front of the service at that URL. Open the ALB's address in a
browser: it redirects to the managed login, comes back to
/oauth2/idpresponse, keeps an AWSELBAuthSessionCookie session, and forwards
each request to the service with x-amzn-oidc-data (the user claims signed
with the emulator's ALB key, served per kid as PEM under
{endpoint}/alb/keys/), x-amzn-oidc-accesstoken and x-amzn-oidc-identity.
--alb-unauthenticated chooses what a request without a session gets (the
rule's on-unauthenticated-request). The JSON line gains "alb":{"url":…,
"arn":…,"key_url":…,"client_id":…,"issuer":…}: the values the service's
alb.Config needs (ALBARNs, ClientIDs, Issuer, KeyURL).

In a container: listen on all interfaces and name the URL other
containers use, so that tokens carry an issuer they can fetch:
  cognito local --addr 0.0.0.0:9229 --public-url http://cognito:9229
The public URL's host is accepted as a Host, and its origin trusted.

Everything is in memory and lost on exit. The emulator does not check AWS
signatures: whoever reaches it without a browser can administer it, so
keep it on loopback or a private (container) network.

On SIGINT or SIGTERM it stops accepting connections, lets the requests in
flight finish (10 seconds at most), then exits.

Exit status: 0 after an interrupt, 1 if it cannot listen, 2 usage or seed error.`,
		examples: `  cognito local
  cognito local --cors-origin http://localhost:5173          # a browser admin app may call Admin* too
  cognito local --addr 0.0.0.0:9229 --public-url http://cognito:9229   # in docker-compose
  curl -s 'http://127.0.0.1:9229/_cognitokit/messages?user=alice@example.com&limit=1' | jq -r '.messages[0].code'
  cognito local --addr 127.0.0.1:0 --seed testdata/seed.json | head -1 | jq -r .endpoint
  AWS_ENDPOINT_URL=http://127.0.0.1:9229 aws cognito-idp list-users --user-pool-id us-east-1_cognitokit
  cognito local --alb-target http://127.0.0.1:8080 --alb-scope "openid email"   # then open http://127.0.0.1:9230`,
		run: runLocal,
	})
}

type localReady struct {
	Endpoint    string      `json:"endpoint"`
	PublicURL   string      `json:"public_url"`
	Region      string      `json:"region"`
	MessagesURL string      `json:"messages_url"`
	ConsoleURL  string      `json:"console_url"`
	HealthURL   string      `json:"health_url"`
	Pools       []localPool `json:"pools"`
	ALB         *localALB   `json:"alb,omitempty"`
}

type localALB struct {
	URL      string `json:"url"`
	ARN      string `json:"arn"`
	KeyURL   string `json:"key_url"`
	ClientID string `json:"client_id"`
	Issuer   string `json:"issuer"`
}

type localPool struct {
	ID      string        `json:"id"`
	Issuer  string        `json:"issuer"`
	JWKSURL string        `json:"jwks_url"`
	Clients []localClient `json:"clients"`
	Users   []localUser   `json:"users"`
}

type localClient struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Secret string `json:"secret,omitempty"`
}

type localUser struct {
	Username string   `json:"username"`
	Password string   `json:"password"`
	Email    string   `json:"email,omitempty"`
	Groups   []string `json:"groups,omitempty"`
	Sub      string   `json:"sub"`
}

func runLocal(ctx context.Context, e *env, args []string) int {
	c := commands["local"]
	fs := c.newFlagSet(e)
	addr := fs.String("addr", "127.0.0.1:9229", "listen address (host:port; port 0 picks a free port)")
	publicURL := fs.String("public-url", "", "base `URL` of issuers, discovery and managed login, as other programs reach the emulator (default: the endpoint), such as http://cognito:9229")
	seedFile := fs.String("seed", "", "JSON file with the pools, clients and users to create (default: the demo pool)")
	negative := fs.Bool("negative-salts", false, "hand out negative SRP salts, to test clients against that Cognito quirk")
	verbose := fs.Bool("verbose", false, "log one line per request, and every code it sends, on standard error")
	albTarget := fs.String("alb-target", "", "also play an ALB with authenticate-cognito in front of the service at this `URL`")
	albAddr := fs.String("alb-addr", "127.0.0.1:9230", "listen address of the ALB (with --alb-target)")
	albMode := fs.String("alb-unauthenticated", "authenticate", "what the ALB does with a request without a session: authenticate, deny or allow")
	albScope := fs.String("alb-scope", "openid", "the scopes the ALB asks for (space-separated)")
	var allowHosts, corsOrigins stringList
	fs.Var(&allowHosts, "allow-host", "also accept requests that name the emulator by this host `name` or IP address (repeatable; default: loopback names and the listen address)")
	fs.Var(&corsOrigins, "cors-origin", "trust web pages of this `origin` (scheme://host[:port]) with every operation, admin ones included (repeatable; default: pages of other origins get the public operations only)")
	if code, done := c.parseFlags(e, fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return fail(e, "local", exitUsage, usageErrorf("unexpected argument %q (see 'cognito local --help')", fs.Arg(0)))
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fail(e, "local", exitUsage, usageErrorf("--addr %q: want host:port, such as 127.0.0.1:9229", *addr))
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(e.stderr, "cognito local: WARNING: listening on %s, not loopback; the emulator has no real security\n", *addr)
	}
	ip := net.ParseIP(host)
	warnIssuer := (host == "" || ip != nil && ip.IsUnspecified()) && *publicURL == ""
	var seed *cognitotest.Seed
	if *seedFile != "" {
		data, err := readSeed(*seedFile)
		if err != nil {
			return fail(e, "local", exitUsage, err)
		}
		if seed, err = cognitotest.ParseSeed(data); err != nil {
			return fail(e, "local", exitUsage, fmt.Errorf("%s: %w", *seedFile, err))
		}
	}
	opts := []cognitotest.Option{cognitotest.WithListenAddr(*addr), cognitotest.WithAllowedHosts(allowHosts...), cognitotest.WithCORSOrigins(corsOrigins...),
		cognitotest.WithPublicURL(*publicURL)}
	if *negative {
		opts = append(opts, cognitotest.WithNegativeSalts())
	}
	if *verbose {
		log := slog.New(slog.NewTextHandler(e.stderr, nil))
		opts = append(opts, cognitotest.WithLogger(log), cognitotest.WithOnMessage(func(m cognitotest.Message) {
			// The codes are the point of --verbose: a local emulator's
			// codes guard nothing real.
			log.Info("cognito local: message sent", "pool", m.PoolID, "user", m.Username, "kind", m.Kind, "medium", m.Medium,
				"to", m.Destination, "code", m.Code, "op", m.Operation)
		}))
	}
	srv, err := cognitotest.New(opts...)
	if errors.Is(err, cognitotest.ErrInvalidConfig) {
		return fail(e, "local", exitUsage, usageErrorf("%s", strings.TrimPrefix(err.Error(), cognitotest.ErrInvalidConfig.Error()+": ")))
	}
	if err != nil {
		return fail(e, "local", exitFailure, err)
	}
	defer srv.Close()
	if warnIssuer {
		fmt.Fprintf(e.stderr, "cognito local: tokens are issued by %s/{poolId}; other machines and containers cannot fetch that: set --public-url to the URL they reach the emulator at\n", srv.PublicURL())
	}
	if seed == nil {
		seed = srv.DemoSeed()
	}
	pools, err := srv.ApplySeed(seed)
	if err != nil {
		return fail(e, "local", exitUsage, err)
	}
	ready := localReady{Endpoint: srv.URL(), PublicURL: srv.PublicURL(), Region: srv.Region(),
		MessagesURL: srv.MessagesURL(), ConsoleURL: srv.ConsoleURL(), HealthURL: srv.HealthURL()}
	for i, p := range pools {
		lp := localPool{ID: p.ID(), Issuer: p.Issuer(), JWKSURL: p.JWKSURL(), Clients: []localClient{}, Users: []localUser{}}
		for _, cl := range p.Clients() {
			lp.Clients = append(lp.Clients, localClient{ID: cl.ID, Name: cl.Name, Secret: cl.Secret})
		}
		for _, su := range seed.Pools[i].Users {
			name := su.Username
			if name == "" {
				name = su.Email
			}
			u, err := p.User(name)
			if err != nil {
				continue
			}
			lp.Users = append(lp.Users, localUser{Username: u.Username, Password: su.Password, Email: su.Email, Groups: u.Groups, Sub: u.Sub})
		}
		ready.Pools = append(ready.Pools, lp)
	}
	if *albTarget != "" {
		a, err := srv.StartALB(cognitotest.ALBConfig{Target: *albTarget, Pool: pools[0], Addr: *albAddr, OnUnauthenticated: *albMode, Scope: *albScope})
		if errors.Is(err, cognitotest.ErrInvalidConfig) {
			return fail(e, "local", exitUsage, usageErrorf("--alb-*: %s", strings.TrimPrefix(err.Error(), cognitotest.ErrInvalidConfig.Error()+": ")))
		}
		if err != nil {
			return fail(e, "local", exitFailure, err)
		}
		ready.ALB = &localALB{URL: a.URL(), ARN: a.ARN(), KeyURL: a.KeyURL(), ClientID: a.ClientID(), Issuer: a.Issuer()}
	}
	line, _ := json.Marshal(ready)
	if _, err := fmt.Fprintf(e.stdout, "%s\n", line); err != nil {
		return fail(e, "local", exitFailure, err)
	}
	if writerIsTerminal(e.stderr) {
		writeBanner(e.stderr, ready)
	}
	<-ctx.Done()
	// Finish the requests in flight, then close (deferred above).
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(e.stderr, "cognito local: requests still running after %v were cut off\n", shutdownGrace)
	}
	return exitOK
}

// shutdownGrace bounds how long an interrupted "cognito local" waits for
// requests in flight.
const shutdownGrace = 10 * time.Second

// writerIsTerminal reports whether w is an interactive terminal.
func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// writeBanner prints a summary for a person at a terminal: where to point
// clients and browsers, the pools, and how to sign in as the demo users.
func writeBanner(w io.Writer, r localReady) {
	var b strings.Builder
	fmt.Fprintf(&b, "\ncognito local is ready (in memory: state is lost on exit)\n\n")
	fmt.Fprintf(&b, "  endpoint   %s   (AWS SDK endpoint, AWS_ENDPOINT_URL)\n", r.Endpoint)
	if r.PublicURL != r.Endpoint {
		fmt.Fprintf(&b, "  public     %s   (issuers, discovery, managed login)\n", r.PublicURL)
	}
	fmt.Fprintf(&b, "  console    %s\n", r.ConsoleURL)
	fmt.Fprintf(&b, "  messages   %s   (codes the emulator sent, as JSON)\n", r.MessagesURL)
	if r.ALB != nil {
		fmt.Fprintf(&b, "  alb        %s   (authenticate-cognito in front of your service)\n", r.ALB.URL)
	}
	for _, p := range r.Pools {
		fmt.Fprintf(&b, "\n  pool %s   issuer %s\n", p.ID, p.Issuer)
		for _, c := range p.Clients {
			kind := "public"
			if c.Secret != "" {
				kind = "secret " + c.Secret
			}
			fmt.Fprintf(&b, "    client  %-24s %s\n", c.ID, kind)
		}
		for _, u := range p.Users {
			fmt.Fprintf(&b, "    user    %-24s password %s", u.Username, u.Password)
			if u.Email != "" {
				fmt.Fprintf(&b, "   email %s", u.Email)
			}
			if len(u.Groups) > 0 {
				fmt.Fprintf(&b, "   groups %s", strings.Join(u.Groups, ","))
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\nPress Ctrl+C to stop.\n")
	io.WriteString(w, b.String())
}

const maxSeedFile = cognitotest.MaxSeedBytes

func readSeed(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, usageErrorf("--seed %s: no such file", path)
		}
		return nil, usageErrorf("--seed: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSeedFile+1))
	if err != nil {
		return nil, usageErrorf("--seed %s: %v", path, err)
	}
	if len(data) > maxSeedFile {
		return nil, usageErrorf("--seed %s: larger than %d bytes", path, maxSeedFile)
	}
	return data, nil
}
