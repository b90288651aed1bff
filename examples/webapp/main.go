// Command webapp is a small web site that signs users in with Amazon Cognito
// managed login, using [weblogin]: a public home page, a protected /me page
// showing the user's name and groups, an /admin page for the "admin" group,
// and sign-out.
//
// With no Cognito configuration in the environment it starts the embedded
// emulator (cognitotest) with demo users and prints their credentials:
//
//	go run ./examples/webapp
//	go run ./examples/webapp --addr 127.0.0.1:9000
//
// Against real Cognito, set:
//
//	COGNITO_DOMAIN         https://myapp.auth.eu-west-1.amazoncognito.com (or just the prefix "myapp")
//	COGNITO_CLIENT_ID      the app client ID
//	COGNITO_CLIENT_SECRET  the app client secret (empty for a public client)
//	COGNITO_USER_POOL_ID   eu-west-1_AbC123
//	AWS_REGION             eu-west-1 (used when COGNITO_DOMAIN is a prefix)
//	APP_URL                the public URL of this app (default http://{addr});
//	                       register APP_URL/auth/callback as callback URL and
//	                       APP_URL/ as sign-out URL on the app client
//	COOKIE_KEYS            comma-separated base64 32-byte keys, newest first
//	                       (default: a random key, so sessions end on restart)
//
// Cookies carry the Secure attribute unless --insecure-cookies is given,
// which is only allowed for http://localhost. In emulator mode over plain
// http the flag defaults to true, and the program says so when it starts.
//
// --provider NAME (repeatable) adds a "Sign in with NAME" button to the home
// page, which skips the managed-login page and goes straight to that
// identity provider of the user pool ("Google", "SignInWithApple", an OIDC
// or SAML provider's name). Enable the provider on the app client too. In
// emulator mode the app creates the provider in the demo pool, backed by a
// stand-in upstream (cognitotest/oidcprovider, with a "Sign in as" page),
// and enables it on the app client, so the button works offline; /me shows
// the provider the user signed in with (the identities claim).
//
// --self-check runs the whole sign-in flow against the emulator with an
// HTTP client (sign in, /me, 403 on /admin, sign out, then a sign-in
// through each --provider, or a stand-in Google without one) and exits 0
// on success; CI runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/cognitotest/oidcprovider"
	"github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
)

func main() { os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) }

var usage = stage.Usage{
	Name:     "webapp",
	Synopsis: "[--addr 127.0.0.1:8080] [--insecure-cookies] [--provider NAME]... [--self-check]",
	About:    "A small web site that signs users in with Cognito managed login through weblogin: a public home page, /me with the user's name and groups, /admin for group admin, and sign-out. --self-check always runs on the embedded emulator.",
	Env:      []stage.EnvVar{stage.EnvVar{Name: "COGNITO_DOMAIN", Meaning: "https://myapp.auth.eu-west-1.amazoncognito.com, or the prefix \"myapp\"; setting it leaves the emulator"}, stage.EnvClientID, stage.EnvSecret, stage.EnvVar{Name: "COGNITO_USER_POOL_ID", Meaning: "user pool ID, such as eu-west-1_AbC123"}, stage.EnvVar{Name: "AWS_REGION", Meaning: "region, used when COGNITO_DOMAIN is a prefix"}, stage.EnvVar{Name: "APP_URL", Meaning: "public URL of the app (default http://{addr}); register APP_URL/auth/callback as callback URL"}, stage.EnvVar{Name: "COOKIE_KEYS", Meaning: "comma-separated base64 32-byte keys, newest first (default: a random key)"}},
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port)")
	insecure := fs.Bool("insecure-cookies", false, "send cookies without Secure, for plain http://localhost only (default true in emulator mode)")
	selfCheck := fs.Bool("self-check", false, "run the sign-in flow against the embedded emulator and exit")
	var providers providerList
	fs.Var(&providers, "provider", "identity provider of the user pool to offer as a \"Sign in with NAME\" button (repeatable)")
	if code, done := usage.Parse(fs, args, stdout, stderr); done {
		return code
	}
	insecureSet := false
	fs.Visit(func(f *flag.Flag) { insecureSet = insecureSet || f.Name == "insecure-cookies" })
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opts := options{addr: *addr, insecureCookies: *insecure, insecureSet: insecureSet, getenv: getenv, log: log, providers: providers}
	if *selfCheck {
		opts.addr = "127.0.0.1:0"
		opts.getenv = func(string) string { return "" }
		if len(opts.providers) == 0 {
			opts.providers = []string{"Google"} // a stand-in: the self-check signs in through a provider too
		}
		if err := selfCheckRun(opts, stdout); err != nil {
			fmt.Fprintf(stderr, "self-check FAILED: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, "self-check OK")
		return 0
	}
	app, err := start(opts)
	if err != nil {
		fmt.Fprintf(stderr, "webapp: %v\n", err)
		return 1
	}
	defer app.Close()
	fmt.Fprintf(stdout, "webapp listening on %s\n", app.URL)
	if app.emu != nil {
		fmt.Fprintf(stdout, "Cognito emulator (managed login) at %s\n", app.emu.OAuthDomain())
		for _, u := range demoUsers {
			fmt.Fprintf(stdout, "  demo user %-6s password %-16s groups %v\n", u.name, u.password, u.groups)
		}
		for _, name := range opts.providers {
			fmt.Fprintf(stdout, "  provider %s: a stand-in at %s; sign in as %s <%s>\n", name, app.standIns[name].URL(), fedUser.Name, fedUser.Email)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case err := <-app.done:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "webapp: %v\n", err)
			return 1
		}
	}
	return 0
}

type options struct {
	addr            string
	insecureCookies bool
	insecureSet     bool
	getenv          func(string) string
	log             *slog.Logger
	providers       []string // identity providers offered as buttons
}

// providerList is the repeatable --provider flag.
type providerList []string

func (p *providerList) String() string { return strings.Join(*p, ",") }

func (p *providerList) Set(v string) error {
	if err := oauth.CheckProviderName(v); err != nil {
		return err
	}
	*p = append(*p, v)
	return nil
}

type demoUser struct {
	name, password, fullName, email string
	groups                          []string
}

var demoUsers = []demoUser{
	{"demo", "Demo-Passw0rd!", "Dana Demo", "demo@example.com", []string{"readers"}},
	{"admin", "Admin-Passw0rd!", "Ada Admin", "admin@example.com", []string{"admin", "readers"}},
}

// App is a running web app.
type App struct {
	URL string
	srv *http.Server
	emu *cognitotest.Server // nil against real Cognito
	// standIns are the demo's upstream identity providers (emulator
	// mode with --provider), by name.
	standIns map[string]*oidcprovider.Provider
	client   *oauth.Client
	done     chan error
}

// Close stops the app and the emulator.
func (a *App) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a.srv.Shutdown(ctx)
	a.client.Close()
	a.closeEmulator()
}

// closeEmulator stops the emulator and the stand-in providers.
func (a *App) closeEmulator() {
	if a.emu != nil {
		a.emu.Close()
	}
	for _, p := range a.standIns {
		p.Close()
	}
}

func start(o options) (*App, error) {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	appURL := "http://" + net.JoinHostPort(host, port)
	if u := o.getenv("APP_URL"); u != "" {
		appURL = strings.TrimRight(u, "/")
	}
	app := &App{URL: appURL, done: make(chan error, 1)}
	fail := func(err error) (*App, error) {
		ln.Close()
		app.closeEmulator()
		return nil, err
	}
	cfg := oauth.Config{RedirectURL: appURL + "/auth/callback", Scopes: []string{"openid", "email", "profile"}}
	postLogout := appURL + "/"
	if o.getenv("COGNITO_DOMAIN") == "" {
		if !o.insecureSet && strings.HasPrefix(appURL, "http://") {
			o.insecureCookies = true
			o.log.Warn("demo mode over plain http: cookies are sent without Secure (--insecure-cookies); never do this in production")
		}
		emu, err := cognitotest.Start(nil, stage.EmulatorOptions...) // fixed keys in tests
		if err != nil {
			return fail(err)
		}
		app.emu = emu
		pool, client, err := seedDemo(app, cfg.RedirectURL, postLogout, o.providers)
		if err != nil {
			return fail(err)
		}
		cfg.Domain, cfg.ClientID, cfg.ClientSecret = emu.OAuthDomain(), client.ID, client.Secret
		cfg.UserPoolID, cfg.Issuer, cfg.JWKSURL = pool.ID(), pool.Issuer(), pool.JWKSURL()
	} else {
		domain := o.getenv("COGNITO_DOMAIN")
		if !strings.Contains(domain, ".") {
			if domain, err = oauth.CognitoDomain(domain, o.getenv("AWS_REGION")); err != nil {
				return fail(fmt.Errorf("COGNITO_DOMAIN is a prefix, so AWS_REGION is needed: %w", err))
			}
		}
		cfg.Domain, cfg.ClientID, cfg.ClientSecret = domain, o.getenv("COGNITO_CLIENT_ID"), o.getenv("COGNITO_CLIENT_SECRET")
		cfg.UserPoolID = o.getenv("COGNITO_USER_POOL_ID")
	}
	client, err := oauth.New(cfg)
	if err != nil {
		return fail(err)
	}
	app.client = client
	keys, err := cookieKeys(o)
	if err != nil {
		client.Close()
		return fail(err)
	}
	wl, err := weblogin.New(weblogin.Config{
		Client: client, Keys: keys, PostLogoutURL: postLogout, InsecureCookies: o.insecureCookies, Logger: o.log,
		IdentityProviders: o.providers,
	})
	if err != nil {
		client.Close()
		return fail(err)
	}
	var buttons []providerButton
	for _, p := range o.providers {
		u, err := wl.ProviderLoginURL(p, "/me")
		if err != nil {
			client.Close()
			return fail(err)
		}
		buttons = append(buttons, providerButton{Name: p, URL: u})
	}
	app.srv = &http.Server{Handler: routes(wl, buttons), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(o.log.Handler(), slog.LevelWarn)}
	go func() { app.done <- app.srv.Serve(ln) }()
	return app, nil
}

func cookieKeys(o options) ([][]byte, error) {
	if s := o.getenv("COOKIE_KEYS"); s != "" {
		return weblogin.ParseKeys(s)
	}
	k, err := weblogin.NewKey()
	if err != nil {
		return nil, err
	}
	if o.getenv("COGNITO_DOMAIN") != "" {
		o.log.Warn("COOKIE_KEYS is not set: using a random key, so sessions end when the app restarts")
	}
	return [][]byte{k}, nil
}

// seedDemo creates the demo pool, its identity providers (each with a
// stand-in upstream, see standIn), app client and users in the emulator.
func seedDemo(app *App, callback, logout string, providers []string) (*cognitotest.Pool, cognitotest.AppClient, error) {
	pool, err := app.emu.CreatePool(cognitotest.PoolConfig{ID: "us-east-1_DemoPool", Name: "cognitokit demo"})
	if err != nil {
		return nil, cognitotest.AppClient{}, err
	}
	app.standIns = map[string]*oidcprovider.Provider{}
	for _, name := range providers {
		if app.standIns[name] != nil {
			continue
		}
		idp, err := standIn(app.emu, pool, name)
		if err != nil {
			return nil, cognitotest.AppClient{}, err
		}
		app.standIns[name] = idp
	}
	client, err := pool.CreateClient(cognitotest.ClientConfig{
		Name: "webapp", GenerateSecret: true,
		CallbackURLs: []string{callback}, LogoutURLs: []string{logout},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"},
		AllowedOAuthFlowsUserPoolClient: true,
		SupportedIdentityProviders:      append([]string{"COGNITO"}, providers...),
	})
	if err != nil {
		return nil, cognitotest.AppClient{}, err
	}
	for _, u := range demoUsers {
		if _, err := pool.CreateUser(cognitotest.UserConfig{Username: u.name, Password: u.password, Email: u.email,
			Attributes: map[string]string{"name": u.fullName}, Groups: u.groups}); err != nil {
			return nil, cognitotest.AppClient{}, err
		}
	}
	return pool, client, nil
}

// providerButton is a "Sign in with …" button of the home page.
type providerButton struct{ Name, URL string }

func routes(wl *weblogin.Handler, buttons []providerButton) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/auth/", wl)
	mux.Handle("GET /{$}", wl.LoadSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := weblogin.SessionFromContext(r.Context())
		render(w, http.StatusOK, page{Title: "Home", Session: s, Login: wl.LoginURL("/me"), Providers: buttons, Logout: wl.LogoutPath()})
	})))
	mux.Handle("GET /me", wl.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := weblogin.SessionFromContext(r.Context())
		render(w, http.StatusOK, page{Title: "Your account", Session: s, Me: true, Identities: identities(s), Logout: wl.LogoutPath()})
	})))
	mux.Handle("GET /admin", wl.RequireAnyGroup("admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := weblogin.SessionFromContext(r.Context())
		render(w, http.StatusOK, page{Title: "Administration", Session: s, Admin: true, Logout: wl.LogoutPath()})
	})))
	return securityHeaders(mux)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

type page struct {
	Title         string
	Session       *weblogin.Session
	Me, Admin     bool
	Login, Logout string
	Providers     []providerButton
	Identities    []string // the providers the user signed in with (the identities claim)
}

// identities returns the names of the identity providers of the
// session's user (the ID token's identities claim), nil for a user of the
// pool itself.
func identities(s *weblogin.Session) []string {
	c, err := s.IDClaims()
	if err != nil {
		return nil
	}
	ids, err := c.Identities()
	if err != nil {
		return nil
	}
	var out []string
	for _, id := range ids {
		out = append(out, id.ProviderName)
	}
	return out
}

var tmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · cognitokit webapp</title>
<style>
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f4f6f8;color:#16191f}
header{background:#232f3e;color:#fff;padding:14px 28px;display:flex;align-items:center;gap:20px}
header a{color:#fff;text-decoration:none;opacity:.85}header strong{margin-right:auto}
main{max-width:640px;margin:32px auto;background:#fff;border-radius:12px;padding:28px 32px;box-shadow:0 8px 30px rgba(0,0,0,.06)}
h1{margin-top:0;font-size:24px}dt{font-weight:600;color:#5f6b7a;font-size:13px}dd{margin:0 0 12px}
.group{display:inline-block;background:#e9f2fd;color:#0972d3;border-radius:10px;padding:1px 10px;margin-right:6px;font-size:13px}
button,.button{background:#0972d3;color:#fff;border:0;border-radius:16px;padding:7px 16px;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
form{margin:0}
</style></head><body>
<header><strong>cognitokit webapp</strong><a href="/">Home</a><a href="/me">Me</a><a href="/admin">Admin</a>
{{if .Session}}<form method="post" action="{{.Logout}}"><button id="signout" type="submit">Sign out</button></form>{{end}}</header>
<main>
{{if .Me}}
  <h1 id="welcome">Hello, {{or .Session.Name .Session.Username}}</h1>
  <dl>
    <dt>Username</dt><dd id="username">{{.Session.Username}}</dd>
    <dt>Email</dt><dd id="email">{{.Session.Email}}</dd>
    <dt>Signed in with</dt><dd id="identities">{{range .Identities}}<span class="group identity">{{.}}</span>{{else}}a password{{end}}</dd>
    <dt>Groups</dt><dd id="groups">{{range .Session.Groups}}<span class="group">{{.}}</span>{{else}}none{{end}}</dd>
    <dt>Signed in</dt><dd>{{.Session.AuthTime.UTC.Format "2006-01-02 15:04:05 MST"}}</dd>
  </dl>
{{else if .Admin}}
  <h1 id="admin">Administration</h1><p>Only members of the <span class="group">admin</span> group see this page.</p>
{{else}}
  <h1>Welcome</h1>
  {{if .Session}}<p>You are signed in as <strong>{{.Session.Username}}</strong>. See <a href="/me">your account</a>.</p>
  {{else}}<p>This page is public. <a id="signin" class="button" href="{{.Login}}">Sign in</a></p>
  {{range .Providers}}<p><a class="button provider" data-provider="{{.Name}}" href="{{.URL}}">Sign in with {{.Name}}</a></p>{{end}}{{end}}
{{end}}
</main></body></html>`))

func render(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	tmpl.Execute(w, p)
}
