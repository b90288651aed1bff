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
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/cognitokit/cognitokit/cognitotest"
)

func init() {
	register(&command{
		name:    "local",
		summary: "run a local Cognito user pool emulator (cognitotest) until interrupted",
		usage: `Usage: cognito local [--addr 127.0.0.1:9229] [--public-url URL] [--data DIR] [--seed FILE] [--export FILE]
                    [--allow-host HOST]... [--cors-origin URL]... [--negative-salts] [--rate-limits] [--verbose]
                    [--trigger [POOL/]TRIGGER=URL]... [--lambda NAME=URL]... [--trigger-timeout 5s]
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
  GET    /_cognitokit/logs       the log events Cognito would deliver for pools with a log
                                 delivery configuration, as JSON, oldest first; filter
                                 with ?pool=ID, ?type=userNotification|userAuthEvents,
                                 ?after=SEQ, ?limit=N; at most 10000 kept
  GET    /_cognitokit/console/   the web console: pools, clients, users, the outbox;
                                 create, confirm, set passwords, groups, tokens
  GET    /_cognitokit/export     the state as a seed file (same origin only: it holds secrets)
Opening the endpoint in a browser leads to the console.

When ready it prints ONE JSON line on standard output:
  {"endpoint":"http://127.0.0.1:9229","public_url":"http://127.0.0.1:9229","region":"us-east-1",
   "messages_url":…,"logs_url":…,"console_url":…,"health_url":…,"pools":[{"id":…,"issuer":…,"jwks_url":…,
   "clients":[{"id":…,"name":…,"secret":…}],
   "users":[{"username":…,"password":…,"email":…,"groups":[…],"sub":…}]}]}
On a terminal it also prints a short summary on standard error.

Without --seed it creates the demo pool us-east-1_cognitokit with a public
client (cognitokitpublic), a confidential client (cognitokitconfidential,
random secret), the user alice (group admin) and the user bob (no groups);
their passwords are in the JSON line.

The seed file is JSON: the project's checked-in local Cognito. Pools with
their settings (password policy, MFA, sign-in attributes, custom
attributes, USER_AUTH factors, devices), domains, resource servers,
groups, app clients (flows, OAuth, token lifetimes, rotation) and users,
and identity pools with their roles:
  {"pools":[{"id":"us-east-1_Example",
             "clients":[{"id":"exampleclient","secret":"optional","name":"web"}],
             "users":[{"username":"alice","password":"Passw0rd!","email":"alice@example.com",
                       "groups":["admin"],"alias_email":true}]}]}
A malformed seed is rejected with a message naming the bad field. See
the cognitotest README for every field.

State: without --data, everything is in memory and lost on exit. With
--data DIR the state lives in DIR/cognito.db and survives restarts and
kill -9: a change is on disk before the API answers it. The seed (yours, or
the demo pool) is applied only to a new data directory; a directory with a
state is used as it is, and cognito local says so on standard error. One
cognito local at a time uses a directory. A damaged data file, or one of a
newer version, is refused and left as it is.

--export FILE writes the state as a seed ("-": standard output) and exits:
the state of --data DIR, or without --data the seed (or the demo pool) as
the emulator holds it, defaults filled in. Exported users have their SRP
password verifier instead of their password, and sign in with it as before.
The export of a running emulator is at {endpoint}/_cognitokit/export.

Web pages: the browser you use every day can reach the emulator, so it
guards itself. Requests must name it by a loopback name (localhost,
127.0.0.1, [::1]) or its listen address: others get 403, which defeats DNS
rebinding; --allow-host adds a name (a docker-compose service, a LAN
address). Pages of other origins may call only what Cognito serves without
AWS credentials (InitiateAuth, RespondToAuthChallenge, SignUp, GetUser,
GetId, the OAuth token endpoint, the JWKS, ...); the admin and management
operations and the export answer them 403. --cors-origin trusts an origin (such as
http://localhost:5173) with every operation.

Lambda triggers: --trigger PreSignUp=http://127.0.0.1:3000/pre-sign-up
makes every pool (or, as us-east-1_Example/PreSignUp=URL, one pool) POST
the trigger's event JSON to the URL, exactly as Cognito hands it to
Lambda, and read the answer as the function's: code in any language can
answer (a Lambda container image behind the runtime interface emulator
too). An answer with the header X-Amz-Function-Error, or a JSON body
{"errorMessage": ..., "errorType": ...}, is the function's error: the
operation fails with "PreSignUp failed with error <errorMessage>.", as in
Cognito. Each attempt has --trigger-timeout (Cognito's 5 seconds), three
attempts in all. The triggers are PreSignUp, PostConfirmation,
PreAuthentication, PostAuthentication, CustomMessage, UserMigration,
PreTokenGeneration, DefineAuthChallenge, CreateAuthChallenge,
VerifyAuthChallengeResponse, CustomEmailSender and CustomSMSSender;
--trigger PreTokenGenerationVersion=V2_0 (or V3_0) and KMSKeyID=ARN set
the pool's settings. --trigger changes the pools' configuration (kept in
--data). A seed sets triggers per pool ("lambda_triggers"). --lambda
NAME=URL serves the Lambda function NAME at the URL: pools configured
through the API (the LambdaConfig of CreateUserPool or UpdateUserPool)
with the ARN arn:aws:lambda:REGION:ACCOUNT:function:NAME run it. Only the operator's
seed and flags can make the emulator call a URL; the API takes ARNs.

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

The emulator does not check AWS signatures: whoever reaches it without a
browser can administer it, so keep it on loopback or a private (container)
network.

On SIGINT or SIGTERM it stops accepting connections, lets the requests in
flight finish (10 seconds at most), then exits.

Exit status: 0 after an interrupt or an export, 1 if it cannot listen or
open the data directory, 2 usage or seed error.`,
		examples: `  cognito local
  cognito local --data .cognito --seed cognito-seed.json      # state kept in .cognito; the seed applied once
  cognito local --data .cognito --export cognito-seed.json    # the state of .cognito as a seed
  cognito local --cors-origin http://localhost:5173          # a browser admin app may call Admin* too
  cognito local --addr 0.0.0.0:9229 --public-url http://cognito:9229   # in docker-compose
  curl -s 'http://127.0.0.1:9229/_cognitokit/messages?user=alice@example.com&limit=1' | jq -r '.messages[0].code'
  cognito local --addr 127.0.0.1:0 --seed testdata/seed.json | head -1 | jq -r .endpoint
  curl -s http://127.0.0.1:9229/_cognitokit/export > cognito-seed.json
  AWS_ENDPOINT_URL=http://127.0.0.1:9229 aws cognito-idp list-users --user-pool-id us-east-1_cognitokit
  cognito local --alb-target http://127.0.0.1:8080 --alb-scope "openid email"   # then open http://127.0.0.1:9230
  cognito local --trigger PreSignUp=http://127.0.0.1:3000/pre-sign-up --trigger CustomMessage=http://127.0.0.1:3000/message
  cognito local --lambda my-pre-token=http://127.0.0.1:9000/2015-03-31/functions/function/invocations   # a Lambda image under the RIE`,
		run: runLocal,
	})
}

type localReady struct {
	Endpoint    string      `json:"endpoint"`
	PublicURL   string      `json:"public_url"`
	Region      string      `json:"region"`
	MessagesURL string      `json:"messages_url"`
	LogsURL     string      `json:"logs_url"`
	ConsoleURL  string      `json:"console_url"`
	HealthURL   string      `json:"health_url"`
	DataDir     string      `json:"data_dir,omitempty"` // --data: where the state is kept
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
	Password string   `json:"password,omitempty"` // unknown for a restored state
	Email    string   `json:"email,omitempty"`
	Groups   []string `json:"groups,omitempty"`
	Sub      string   `json:"sub"`
}

func runLocal(ctx context.Context, e *env, args []string) int {
	c := commands["local"]
	fs := c.newFlagSet(e)
	addr := fs.String("addr", "127.0.0.1:9229", "listen address (host:port; port 0 picks a free port)")
	publicURL := fs.String("public-url", "", "base `URL` of issuers, discovery and managed login, as other programs reach the emulator (default: the endpoint), such as http://cognito:9229")
	seedFile := fs.String("seed", "", "JSON file with the pools, clients and users to create (default: the demo pool); with --data, applied to a new data directory only")
	dataDir := fs.String("data", "", "keep the state in this `directory` across restarts (default: in memory)")
	exportFile := fs.String("export", "", "write the state (of --data, or else of the seed) as a seed to this `file` (\"-\": standard output) and exit")
	negative := fs.Bool("negative-salts", false, "hand out negative SRP salts, to test clients against that Cognito quirk")
	rateLimits := fs.Bool("rate-limits", false, "enforce Cognito's API request rate quotas (per category, provisioned limits included): over one, TooManyRequestsException")
	verbose := fs.Bool("verbose", false, "log one line per request, and every code it sends, on standard error")
	albTarget := fs.String("alb-target", "", "also play an ALB with authenticate-cognito in front of the service at this `URL`")
	albAddr := fs.String("alb-addr", "127.0.0.1:9230", "listen address of the ALB (with --alb-target)")
	albMode := fs.String("alb-unauthenticated", "authenticate", "what the ALB does with a request without a session: authenticate, deny or allow")
	albScope := fs.String("alb-scope", "openid", "the scopes the ALB asks for (space-separated)")
	triggerTimeout := fs.Duration("trigger-timeout", 5*time.Second, "how long each attempt of a Lambda trigger may take (Cognito: 5s, three attempts)")
	var allowHosts, corsOrigins, triggers, lambdas stringList
	fs.Var(&triggers, "trigger", "POST the events of a Lambda `trigger` to a URL: [POOL/]TRIGGER=URL, such as PreSignUp=http://127.0.0.1:3000/pre-sign-up (repeatable; all pools unless POOL/ is given)")
	fs.Var(&lambdas, "lambda", "serve the Lambda function NAME, which ARNs of LambdaConfig name, at a URL: NAME=URL (repeatable)")
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
	if *exportFile != "" {
		return exportLocal(e, *dataDir, *exportFile, seed)
	}
	opts := []cognitotest.Option{cognitotest.WithListenAddr(*addr), cognitotest.WithAllowedHosts(allowHosts...), cognitotest.WithCORSOrigins(corsOrigins...),
		cognitotest.WithPublicURL(*publicURL), cognitotest.WithTriggerTimeout(*triggerTimeout)}
	for _, l := range lambdas {
		name, u, ok := strings.Cut(l, "=")
		if !ok || name == "" || u == "" {
			return fail(e, "local", exitUsage, usageErrorf("--lambda %q: want NAME=URL", l))
		}
		opts = append(opts, cognitotest.WithLambda(name, u))
	}
	triggerSet, err := parseTriggers(triggers)
	if err != nil {
		return fail(e, "local", exitUsage, err)
	}
	if *dataDir != "" {
		opts = append(opts, cognitotest.WithDataDir(*dataDir))
	}
	if *negative {
		opts = append(opts, cognitotest.WithNegativeSalts())
	}
	if *rateLimits {
		opts = append(opts, cognitotest.WithRateLimits())
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
	srv, err := cognitotest.New(append(opts, e.localOptions...)...)
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
	ready := localReady{Endpoint: srv.URL(), PublicURL: srv.PublicURL(), Region: srv.Region(),
		MessagesURL: srv.MessagesURL(), LogsURL: srv.LogsURL(), ConsoleURL: srv.ConsoleURL(), HealthURL: srv.HealthURL(), DataDir: *dataDir, Pools: []localPool{}}
	var pools []*cognitotest.Pool
	if srv.Restored() {
		// The data directory has a state: it is the truth, not the seed.
		if *seedFile != "" {
			fmt.Fprintf(e.stderr, "cognito local: %s holds a state; the seed %s was not applied (remove the directory to start from the seed)\n", *dataDir, *seedFile)
		}
		pools = srv.Pools()
		for _, p := range pools {
			ready.Pools = append(ready.Pools, readyPool(p, nil))
		}
	} else {
		name := *seedFile
		if seed == nil {
			seed, name = srv.DemoSeed(), "of the demo pool"
		}
		pools, err = srv.ApplySeed(seed)
		if err != nil {
			return fail(e, "local", exitUsage, err)
		}
		if *dataDir != "" {
			fmt.Fprintf(e.stderr, "cognito local: applied the seed %s to the new data directory %s\n", name, *dataDir)
		}
		for i, p := range pools {
			ready.Pools = append(ready.Pools, readyPool(p, &seed.Pools[i]))
		}
	}
	if err := applyTriggers(pools, triggerSet); err != nil {
		return fail(e, "local", exitUsage, err)
	}
	if *albTarget != "" {
		if len(pools) == 0 {
			return fail(e, "local", exitUsage, usageErrorf("--alb-target: the ALB needs a user pool, and the emulator has none"))
		}
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

// triggerFlag is one --trigger: a pool's (or every pool's, when pool is
// empty) trigger or trigger setting.
type triggerFlag struct{ pool, name, value string }

func parseTriggers(flags []string) ([]triggerFlag, error) {
	var out []triggerFlag
	for _, f := range flags {
		key, value, ok := strings.Cut(f, "=")
		if !ok || key == "" || value == "" {
			return nil, usageErrorf("--trigger %q: want [POOL/]TRIGGER=URL, such as PreSignUp=http://127.0.0.1:3000/pre-sign-up", f)
		}
		pool, name, ok := strings.Cut(key, "/")
		if !ok {
			pool, name = "", key
		}
		out = append(out, triggerFlag{pool, name, value})
	}
	return out, nil
}

// applyTriggers sets the --trigger flags on the pools they name.
func applyTriggers(pools []*cognitotest.Pool, flags []triggerFlag) error {
	for _, f := range flags {
		found := false
		for _, p := range pools {
			if f.pool != "" && p.ID() != f.pool {
				continue
			}
			found = true
			if err := p.SetTrigger(f.name, f.value); err != nil {
				return usageErrorf("--trigger %s=%s: %s", f.name, f.value, strings.TrimPrefix(err.Error(), cognitotest.ErrInvalidConfig.Error()+": "))
			}
		}
		if !found {
			return usageErrorf("--trigger %s/%s: the emulator has no pool %q", f.pool, f.name, f.pool)
		}
	}
	return nil
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
	if r.DataDir != "" {
		fmt.Fprintf(&b, "\ncognito local is ready (state kept in %s)\n\n", r.DataDir)
	} else {
		fmt.Fprintf(&b, "\ncognito local is ready (in memory: state is lost on exit)\n\n")
	}
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

// maxReadyUsers bounds the users of a restored pool in the ready line.
const maxReadyUsers = 100

// readyPool describes a pool for the ready line: with the seed that
// created it, its users with their passwords; else (a restored state) its
// first users, without.
func readyPool(p *cognitotest.Pool, sp *cognitotest.SeedPool) localPool {
	lp := localPool{ID: p.ID(), Issuer: p.Issuer(), JWKSURL: p.JWKSURL(), Clients: []localClient{}, Users: []localUser{}}
	for _, cl := range p.Clients() {
		lp.Clients = append(lp.Clients, localClient{ID: cl.ID, Name: cl.Name, Secret: cl.Secret})
	}
	if sp == nil {
		for _, u := range p.Users() {
			if len(lp.Users) == maxReadyUsers {
				break
			}
			lp.Users = append(lp.Users, localUser{Username: u.Username, Email: u.Attributes["email"], Groups: u.Groups, Sub: u.Sub})
		}
		return lp
	}
	for _, su := range sp.Users {
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
	return lp
}

// exportLocal writes the state of the data directory dir (or, without
// one, of seed, or the demo pool, applied in memory) as a seed to file
// ("-": standard output).
func exportLocal(e *env, dir, file string, seed *cognitotest.Seed) int {
	opts := []cognitotest.Option{cognitotest.WithListenAddr("127.0.0.1:0")}
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "cognito.db")); err != nil {
			return fail(e, "local", exitUsage, usageErrorf("--export: %s has no state (no cognito.db); run cognito local --data %s first", dir, dir))
		}
		opts = append(opts, cognitotest.WithDataDir(dir))
	}
	srv, err := cognitotest.New(append(opts, e.localOptions...)...)
	if errors.Is(err, cognitotest.ErrDataInUse) {
		return fail(e, "local", exitFailure, fmt.Errorf("--export: %w; a running cognito local serves its state at {endpoint}%s", err, cognitotest.ExportPath))
	}
	if err != nil {
		return fail(e, "local", exitFailure, err)
	}
	defer srv.Close()
	if dir == "" {
		if seed == nil {
			seed = srv.DemoSeed()
		}
		if _, err := srv.ApplySeed(seed); err != nil {
			return fail(e, "local", exitUsage, err)
		}
	}
	out, err := srv.Export()
	var data []byte
	if err == nil {
		data, err = out.Encode()
	}
	if err != nil {
		return fail(e, "local", exitFailure, err)
	}
	if file == "-" {
		_, err = e.stdout.Write(data)
	} else {
		err = writeFileAtomic(file, data)
	}
	if err != nil {
		return fail(e, "local", exitFailure, fmt.Errorf("--export: %w", err))
	}
	return exitOK
}

// writeFileAtomic writes data to path through a temporary file in its
// directory, readable by the user only (the seed holds secrets), so that
// path is never half written.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
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
