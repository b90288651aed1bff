package cognitotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognitokit/cognitokit/cognitotest/internal/albproxy"
	"github.com/cognitokit/cognitokit/cognitotest/internal/boltstore"
	"github.com/cognitokit/cognitokit/cognitotest/internal/console"
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/guard"
	"github.com/cognitokit/cognitokit/cognitotest/internal/identity"
	"github.com/cognitokit/cognitokit/cognitotest/internal/managedlogin"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/auth"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/devices"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/idp"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/imports"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/mfa"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/passkeys"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/pools"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/users"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Server is an in-process Amazon Cognito user pool emulator serving the
// Cognito API (AWS JSON 1.1), the JWKS and the OpenID discovery document of
// each pool on a loopback HTTP server. Create one with [NewServer] in tests
// and with [New] in programs.
//
// A Server is safe for concurrent use. All state lives in the Server: two
// servers never share pools, users or keys.
type Server struct {
	opts      options
	tb        TB
	hs        *httptest.Server
	url       string // the listen address
	publicURL string // of issuers and discovery

	emu *emulator.Emulator
	up  *userpool.Service
	ids *identity.Service
	reg *emulator.Registry

	routes  []emulator.Route
	mux     *http.ServeMux
	handler http.Handler // the guarded mux

	closeOnce sync.Once
	store     state.Store // the data directory's store; nil without WithDataDir

	albKeys *albproxy.Keys // the emulated ALB's signing key, served at /alb/keys/{kid}
	albMu   sync.Mutex     // guards albs
	albs    []*ALB         // closed with the server

	poolsMu sync.Mutex       // guards handles
	handles map[string]*Pool // the Pool of each pool ID handed out
}

// TB is the part of [testing.TB] that [NewServer] and [Start] use:
// *testing.T, *testing.B and *testing.F satisfy it. The package does not
// import testing, so programs that embed the emulator ("cognito local")
// do not link it.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// NewServer starts an emulator on a random loopback port (or the address of
// [WithListenAddr]) for a test. When tb is not nil, the server is closed by
// tb.Cleanup, and errors end the test with tb.Fatal; when tb is nil,
// NewServer panics on error. Programs use [New].
//
// The server starts without pools; create them with [Server.CreatePool] or
// through the API (CreateUserPool).
func NewServer(tb TB, opts ...Option) *Server {
	s, err := Start(tb, opts...)
	if err != nil {
		if tb != nil {
			tb.Helper()
			tb.Fatalf("cognitotest: %v", err)
		}
		panic(err)
	}
	return s
}

// Start is [NewServer] returning errors instead of failing the test. With
// a nil tb it is [New].
func Start(tb TB, opts ...Option) (*Server, error) {
	s, err := newServer(tb, opts)
	if err != nil {
		return nil, err
	}
	if tb != nil {
		tb.Cleanup(s.Close)
	}
	return s, nil
}

// New starts an emulator for a program, such as "cognito local": it
// listens on a random loopback port (or the address of [WithListenAddr])
// until [Server.Close]. Invalid options wrap [ErrInvalidConfig]; a listen
// failure is returned as is. Its [Server.MustCreatePool] and the other
// Must helpers panic on error.
func New(opts ...Option) (*Server, error) { return newServer(nil, opts) }

func newServer(tb TB, opts []Option) (*Server, error) {
	o := options{
		now:             time.Now,
		rand:            rand.Reader,
		region:          DefaultRegion,
		sessionLifetime: DefaultSessionLifetime,
		srpSkew:         DefaultSRPClockSkew,
		maxBody:         DefaultMaxBodyBytes,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.rand == nil {
		o.rand = rand.Reader
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if !userpool.RegionRE.MatchString(o.region) {
		return nil, invalidf("region %q: want a region such as us-east-1", o.region)
	}
	if o.sessionLifetime <= 0 || o.srpSkew < 0 || o.maxBody <= 0 || o.triggerTimeout < 0 {
		return nil, invalidf("session lifetime, SRP clock skew, max body size and trigger timeout must be positive")
	}
	if l := o.lifetimes; l.ID < 0 || l.Access < 0 || l.Refresh < 0 {
		return nil, invalidf("token lifetimes must not be negative")
	}
	public, err := parsePublicURL(o.publicURL)
	if err != nil {
		return nil, err
	}
	origins := o.corsOrigins
	if public != nil {
		origins = append(slices.Clip(origins), public.String())
	}
	g, err := guard.New(o.allowedHosts, origins)
	if err != nil {
		return nil, err
	}
	if public != nil {
		g.AllowListenHost(public.Host)
	}
	store, closeStore, err := openStore(&o)
	if err != nil {
		return nil, err
	}
	st, err := state.Open(store)
	if err != nil {
		closeStore()
		if o.dataDir != "" {
			return nil, fmt.Errorf("cognitotest: data directory %s: %w; it was not changed", o.dataDir, err)
		}
		return nil, fmt.Errorf("cognitotest: %w", err)
	}
	emu := emulator.New(emulator.Config{
		Region: o.region, Now: o.now, Rand: o.rand, NegativeSalts: o.negativeSalts, Logger: o.logger,
		SessionLifetime: o.sessionLifetime, SRPClockSkew: o.srpSkew, MaxBodyBytes: o.maxBody,
		TokenLifetimes: state.TokenLifetimes(o.lifetimes), SigningKeys: o.keys, FreshKeys: o.freshKeys, OnMessage: onMessage(o.onMessage),
	}, st)
	s := &Server{opts: o, tb: tb, emu: emu, up: userpool.New(emu), handles: map[string]*Pool{}}
	s.up.TriggerTimeout = o.triggerTimeout
	if err := s.registerLambdas(o.lambdas); err != nil {
		closeStore()
		return nil, err
	}
	if o.dataDir != "" {
		s.store = store
	}
	s.enableRateLimits()
	s.ids = identity.New(s.up)
	s.reg = emulator.NewRegistry()
	auth.Register(s.reg, s.up)
	users.Register(s.reg, s.up)
	pools.Register(s.reg, s.up)
	devices.Register(s.reg, s.up)
	mfa.Register(s.reg, s.up)
	identity.Register(s.reg, s.ids)
	imports.Register(s.reg, s.up)
	idp.Register(s.reg, s.up)
	passkeys.Register(s.reg, s.up)

	// Every endpoint, with the web pages that may call it (see the guard).
	// The Cognito user pool API and Cognito Identity (AWS JSON 1.1) and
	// STS (form-encoded) share POST /.
	s.routes = append([]emulator.Route{
		{Pattern: "POST /{$}", Access: emulator.APIAccess, Handler: emu.APIHandler(s.reg, s.ids.STSHandler()).ServeHTTP},
	}, managedlogin.New(s.up).Routes()...)
	s.albKeys = albproxy.NewKeys(o.rand)
	s.routes = append(s.routes, s.albKeys.Route())
	s.routes = append(s.routes, console.New(s.up, s.reg).Routes()...)
	s.routes = append(s.routes, s.exportRoute())
	s.routes = append(s.routes, imports.Routes(s.up)...)
	s.mux = http.NewServeMux()
	for _, r := range s.routes {
		s.mux.HandleFunc(r.Pattern, r.Handler)
	}
	s.handler = g.Wrap(s.mux, s.routes, s.reg, o.logger, emu.WithLatency(s.mux))

	hs := httptest.NewUnstartedServer(s.handler)
	if o.addr != "" {
		ln, err := net.Listen("tcp", o.addr)
		if err != nil {
			hs.Close()
			closeStore()
			return nil, fmt.Errorf("cognitotest: listen on %s: %w", o.addr, err)
		}
		hs.Listener.Close()
		hs.Listener = ln
		g.AllowListenHost(o.addr)
	}
	g.AllowListenHost(hs.Listener.Addr().String())
	// Set the URLs before serving: handlers read them (issuers, discovery).
	s.hs = hs
	s.url = "http://" + dialAddr(hs.Listener.Addr().String())
	s.publicURL = s.url
	if public != nil {
		s.publicURL = public.String()
	}
	emu.SetURL(s.publicURL)
	hs.Start()
	imports.ResumeImports(s.up) // user import jobs a previous server left running
	return s, nil
}

// onMessage adapts a WithOnMessage function to the emulator's messages.
func onMessage(fn func(Message)) func(emulator.Message) {
	if fn == nil {
		return nil
	}
	return func(m emulator.Message) { fn(messageOf(m)) }
}

// parsePublicURL checks the URL of WithPublicURL: scheme://host[:port],
// without a path. It returns nil for "".
func parsePublicURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	bad := func(why string) error {
		return invalidf("public URL %q (WithPublicURL, cognito local --public-url): %s; want scheme://host[:port], such as http://cognito:9229", wire.Truncate(raw, 64), why)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, bad("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, bad("the scheme must be http or https")
	case u.Host == "" || u.Hostname() == "":
		return nil, bad("no host")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || u.ForceQuery:
		return nil, bad("only a scheme, a host and a port are allowed")
	case u.Path != "" && u.Path != "/":
		return nil, bad("the emulator serves its endpoints at the root of its URL: no path")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, bad("bad port")
		}
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}

// dialAddr returns the address to reach a listener at: the listen address,
// with an unspecified host (0.0.0.0, [::]) replaced by 127.0.0.1.
func dialAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

// Shutdown stops the server gracefully: it stops accepting connections,
// waits for the requests in flight to finish, or for ctx to end, and then
// closes the server ([Server.Close]). It returns ctx's error when requests
// were still running. "cognito local" calls it on SIGINT and SIGTERM.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.hs.Config.Shutdown(ctx)
	s.Close()
	return err
}

// Close shuts the server down, releasing requests held by fault injection,
// and then closes its data directory ([WithDataDir]). It is safe to call
// more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.albMu.Lock()
		albs := s.albs
		s.albs = nil
		s.albMu.Unlock()
		for _, a := range albs {
			a.Close()
		}
		s.emu.Close()
		s.hs.CloseClientConnections()
		s.hs.Close()
		if s.store != nil {
			// Every change is on disk already; this releases the lock.
			if err := s.store.Close(); err != nil {
				s.opts.logger.Error("cognitotest: closing the data directory", "err", err)
			}
		}
	})
}

// openStore opens the store of the options: the data directory's, the
// given one (in tests) or none. closeStore closes a store it opened.
func openStore(o *options) (st state.Store, closeStore func(), err error) {
	if o.dataDir == "" {
		return o.store, func() {}, nil
	}
	if o.store != nil {
		return nil, nil, invalidf("a store and a data directory: use one")
	}
	bs, err := boltstore.Open(o.dataDir, boltstore.Options{})
	if errors.Is(err, state.ErrCorrupt) {
		return nil, nil, fmt.Errorf("cognitotest: data directory %s: %w; it was not changed: move it away to start anew", o.dataDir, err)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cognitotest: data directory %s: %w", o.dataDir, err)
	}
	return bs, func() { bs.Close() }, nil
}

// Restored reports whether the server's state came from its data
// directory ([WithDataDir]): the directory held a state. It is false for
// a new (or empty) directory and without a data directory: "cognito local
// --data" applies its seed only then.
func (s *Server) Restored() bool { return s.up.State.Loaded() }

// URL returns the base URL of the server, such as "http://127.0.0.1:41234":
// its listen address, with 127.0.0.1 for an unspecified host (0.0.0.0).
// The Cognito API is served at URL()+"/".
func (s *Server) URL() string { return s.url }

// PublicURL returns the base URL of issuers and of the endpoints in
// discovery documents: the URL of [WithPublicURL], or [Server.URL].
func (s *Server) PublicURL() string { return s.publicURL }

// The emulator's own endpoints, which Cognito does not have, live under
// /_cognitokit/ (see the package documentation, "The emulator's own
// endpoints"). Their URLs are on [Server.URL].

// HealthURL returns the URL of the health endpoint, which answers 200
// {"status":"ok"} while the server serves.
func (s *Server) HealthURL() string { return s.url + console.HealthPath }

// MessagesURL returns the URL of the outbox as JSON: the messages the
// server sent, which GET lists (filtered by the query parameters pool,
// user, kind, after and limit) and DELETE deletes.
func (s *Server) MessagesURL() string { return s.url + console.MessagesPath }

// ConsoleURL returns the URL of the web console.
func (s *Server) ConsoleURL() string { return s.url + console.ConsolePath }

// Region returns the default region of the server (see [WithRegion]).
func (s *Server) Region() string { return s.opts.region }

// HTTPClient returns an HTTP client suited to the server.
func (s *Server) HTTPClient() *http.Client { return s.hs.Client() }

// AWSConfig returns an aws.Config pointing at the server: BaseEndpoint is
// [Server.URL], the region is the server's region and the credentials are
// static test credentials. Pass it to cognitoidentityprovider.NewFromConfig.
// The SDK's default retryer is kept, so operations failed with
// [Server.FailOperation] as InternalErrorException are retried by the SDK.
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:       s.opts.region,
		Credentials:  credentials.NewStaticCredentialsProvider(TestAccessKeyID, TestSecretAccessKey, ""),
		BaseEndpoint: aws.String(s.url),
		HTTPClient:   sdkHTTPClient{s.hs.Client()},
	}
}

// maxSDKRequestBody bounds what sdkHTTPClient buffers: the emulator
// refuses larger API requests anyway.
const maxSDKRequestBody = 16 << 20

// sdkHTTPClient is the HTTP client of [Server.AWSConfig]. It hands the
// transport a buffered copy of the request body. smithy-go closes the body
// it built as soon as the response arrives; net/http may still be reading
// it (the check for bytes past Content-Length), and then closes the
// connection under the response ("use of closed network connection",
// aws/aws-sdk-go-v2#2737). Against a server as fast as the in-process
// emulator, that race is common enough to fail a test whose client does
// not retry.
type sdkHTTPClient struct{ c *http.Client }

func (h sdkHTTPClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return h.c.Do(r)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxSDKRequestBody+1))
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(b) > maxSDKRequestBody {
		return nil, fmt.Errorf("cognitotest: request body over %d bytes", maxSDKRequestBody)
	}
	c := r.Clone(r.Context())
	c.ContentLength = int64(len(b))
	c.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	c.Body, _ = c.GetBody()
	return h.c.Do(c)
}

// OAuthDomain returns the base URL of the emulated OAuth domain
// (https://{prefix}.auth.{region}.amazoncognito.com in Cognito): the
// server's [Server.PublicURL]. The endpoints are
// OAuthDomain()+"/oauth2/authorize", "/oauth2/token", "/oauth2/userInfo",
// "/oauth2/revoke" and "/logout".
func (s *Server) OAuthDomain() string { return s.publicURL }

// Pools returns the pools of the server, sorted by ID.
func (s *Server) Pools() []*Pool {
	var ids []string
	s.view(func(tx *state.Tx) {
		for _, p := range tx.Pools() {
			ids = append(ids, p.ID)
		}
	})
	out := make([]*Pool, len(ids))
	for i, id := range ids {
		out[i] = s.handle(id)
	}
	return out
}

// Pool returns the pool with the given ID.
func (s *Server) Pool(id string) (*Pool, error) {
	var ok bool
	s.view(func(tx *state.Tx) { ok = tx.Pool(id) != nil })
	if !ok {
		return nil, notFoundf("user pool %q", id)
	}
	return s.handle(id), nil
}

// handle returns the Pool of a pool ID, the same for every call.
func (s *Server) handle(id string) *Pool {
	s.poolsMu.Lock()
	defer s.poolsMu.Unlock()
	p := s.handles[id]
	if p == nil {
		p = &Pool{s: s, id: id}
		s.handles[id] = p
	}
	return p
}

// view runs fn in a read-only transaction of the state.
func (s *Server) view(fn func(tx *state.Tx)) {
	s.up.State.View(func(tx *state.Tx) error { fn(tx); return nil })
}

func (s *Server) fatal(err error) {
	if s.tb != nil {
		s.tb.Helper()
		s.tb.Fatalf("cognitotest: %v", err)
		return
	}
	panic(err)
}
