package cognitotest

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Default values of the server options.
const (
	DefaultRegion          = "us-east-1"
	DefaultSessionLifetime = 3 * time.Minute
	DefaultSRPClockSkew    = 5 * time.Minute
	DefaultMaxBodyBytes    = 1 << 20 // 1 MiB
	// The static credentials of [Server.AWSConfig]. The emulator does not
	// validate SigV4 signatures; it only requires that IAM-authorized
	// operations (Admin*, pool management) carry an Authorization header.
	TestAccessKeyID     = "AKIDCOGNITOTEST"
	TestSecretAccessKey = "cognitotest-secret-access-key"
)

// TokenLifetimes are the validity periods of the tokens issued to an app
// client. A zero field means the Cognito default: one hour for ID and access
// tokens, 30 days for refresh tokens.
type TokenLifetimes struct {
	ID      time.Duration
	Access  time.Duration
	Refresh time.Duration
}

func (l TokenLifetimes) withDefaults(d TokenLifetimes) TokenLifetimes {
	if l.ID == 0 {
		l.ID = d.ID
	}
	if l.Access == 0 {
		l.Access = d.Access
	}
	if l.Refresh == 0 {
		l.Refresh = d.Refresh
	}
	return l
}

var cognitoDefaultLifetimes = TokenLifetimes{ID: time.Hour, Access: time.Hour, Refresh: 30 * 24 * time.Hour}

// An Option configures a [Server].
type Option func(*options)

type options struct {
	now             func() time.Time
	rand            io.Reader
	negativeSalts   bool
	logger          *slog.Logger
	region          string
	addr            string
	sessionLifetime time.Duration
	srpSkew         time.Duration
	maxBody         int64
	lifetimes       TokenLifetimes
	keys            []*rsa.PrivateKey
	allowedHosts    []string
	corsOrigins     []string
}

// WithClock makes the server read the time from now instead of time.Now. It
// drives token iat/exp, session expiry, the SRP TIMESTAMP window and TOTP.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithRand makes the server read randomness (SRP secrets, salts, IDs,
// codes, refresh tokens) from r instead of crypto/rand. Reads are
// serialized, so r need not be safe for concurrent use. RSA signing keys
// always come from crypto/rand.
func WithRand(r io.Reader) Option { return func(o *options) { o.rand = r } }

// WithNegativeSalts makes every SRP salt the server creates a negative
// integer, sent on the wire as SALT "-hex". Real Cognito has been seen to do
// this; clients that hash the raw string instead of the integer's
// two's-complement form fail against such a server.
func WithNegativeSalts() Option { return func(o *options) { o.negativeSalts = true } }

// WithLogger makes the server log one line per request (operation, status,
// error type, duration) to l. Bodies, passwords, codes and tokens are never
// logged. The default discards logs.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithRegion sets the region of pools created without an explicit ID and of
// [Server.AWSConfig]. The default is [DefaultRegion].
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithListenAddr makes the server listen on addr (host:port) instead of a
// random loopback port. "cognito local" uses it.
func WithListenAddr(addr string) Option { return func(o *options) { o.addr = addr } }

// WithAllowedHosts lets requests name the server by these host names or IP
// addresses (no scheme or port), such as a docker-compose service name or
// a LAN address. By default the server answers only requests whose Host is
// a loopback name (localhost, 127.0.0.0/8, [::1]) or its listen address,
// and refuses others with 403 HostNotAllowedException: a web page can make
// a name it controls resolve to 127.0.0.1 (DNS rebinding), and would then
// pass as same-origin. Allow only names you control. Repeated calls add to
// the list. "cognito local --allow-host" uses it.
func WithAllowedHosts(hosts ...string) Option {
	return func(o *options) { o.allowedHosts = append(o.allowedHosts, hosts...) }
}

// WithCORSOrigins trusts web pages of these origins ("scheme://host[:port]",
// as browsers send them in the Origin header, such as
// "http://localhost:5173") to call every operation, the admin and
// management operations included, which still need an Authorization
// header. Without it, pages of other origins may call only what Cognito
// serves to web pages without AWS credentials (InitiateAuth, SignUp,
// GetUser, the OAuth token endpoint, the key sets, ...); see the package
// documentation, "Web pages and the emulator". "*" and "null" are refused.
// Repeated calls add to the list. "cognito local --cors-origin" uses it.
func WithCORSOrigins(origins ...string) Option {
	return func(o *options) { o.corsOrigins = append(o.corsOrigins, origins...) }
}

// WithSessionLifetime sets how long an authentication Session stays valid
// between challenges. The default is [DefaultSessionLifetime], Cognito's
// three minutes; app clients can override it.
func WithSessionLifetime(d time.Duration) Option {
	return func(o *options) { o.sessionLifetime = d }
}

// WithSRPClockSkew sets how far the TIMESTAMP of a PASSWORD_VERIFIER answer
// may be from the server's clock. The default is [DefaultSRPClockSkew].
func WithSRPClockSkew(d time.Duration) Option { return func(o *options) { o.srpSkew = d } }

// WithMaxBodyBytes limits the size of API request bodies; larger requests
// get an InvalidParameterException. The default is [DefaultMaxBodyBytes].
func WithMaxBodyBytes(n int64) Option { return func(o *options) { o.maxBody = n } }

// WithTokenLifetimes sets the default token lifetimes of app clients that do
// not set their own.
func WithTokenLifetimes(l TokenLifetimes) Option { return func(o *options) { o.lifetimes = l } }

// Server is an in-process Amazon Cognito user pool emulator serving the
// Cognito API (AWS JSON 1.1), the JWKS and the OpenID discovery document of
// each pool on a loopback HTTP server. Create one with [NewServer].
//
// A Server is safe for concurrent use. All state lives in the Server: two
// servers never share pools, users or keys.
type Server struct {
	opts options
	tb   TB
	hs   *httptest.Server
	url  string

	closeOnce sync.Once
	closing   chan struct{} // closed by Close; releases hung requests

	randMu  sync.Mutex // guards reads of opts.rand
	keyList keyList    // hands out opts.keys

	faults   faults
	messages messageSink
	guard    *guard // Host and Origin checks (guard.go); immutable once serving

	mu       sync.Mutex            // guards the fields below and all pool state
	pools    map[string]*Pool      // by pool ID
	clients  map[string]*appClient // by client ID, across pools
	sessions map[string]*session   // by opaque session string
	ops      map[string]opFunc     // immutable after NewServer

	ids idStore // Cognito Identity and STS state (identity.go); has its own lock
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
	if !regionRE.MatchString(o.region) {
		return nil, invalidf("region %q: want a region such as us-east-1", o.region)
	}
	if o.sessionLifetime <= 0 || o.srpSkew < 0 || o.maxBody <= 0 {
		return nil, invalidf("session lifetime, SRP clock skew and max body size must be positive")
	}
	o.lifetimes = o.lifetimes.withDefaults(cognitoDefaultLifetimes)
	g, err := newGuard(o.allowedHosts, o.corsOrigins)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:     o,
		tb:       tb,
		closing:  make(chan struct{}),
		pools:    map[string]*Pool{},
		clients:  map[string]*appClient{},
		sessions: map[string]*session{},
		guard:    g,
	}
	s.ops = s.operations()
	s.faults.init()
	hs := httptest.NewUnstartedServer(s.routes())
	if o.addr != "" {
		ln, err := net.Listen("tcp", o.addr)
		if err != nil {
			return nil, fmt.Errorf("cognitotest: listen on %s: %w", o.addr, err)
		}
		hs.Listener.Close()
		hs.Listener = ln
		g.allowListenHost(o.addr)
	}
	g.allowListenHost(hs.Listener.Addr().String())
	// Set the URL before serving: handlers read it (issuers, discovery).
	s.hs = hs
	s.url = "http://" + hs.Listener.Addr().String()
	hs.Start()
	return s, nil
}

// Close shuts the server down, releasing requests held by fault injection.
// It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.hs.CloseClientConnections()
		s.hs.Close()
	})
}

// URL returns the base URL of the server, such as "http://127.0.0.1:41234".
// The Cognito API is served at URL()+"/".
func (s *Server) URL() string { return s.url }

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
		HTTPClient:   s.hs.Client(),
	}
}

func (s *Server) now() time.Time { return s.opts.now() }

// readRand fills b from the server's random source.
func (s *Server) readRand(b []byte) error {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	_, err := io.ReadFull(s.opts.rand, b)
	return err
}

// randReader is an io.Reader over the server's random source, safe for
// concurrent use.
type randReader struct{ s *Server }

func (r randReader) Read(b []byte) (int, error) {
	if err := r.s.readRand(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

const alnumLower = "abcdefghijklmnopqrstuvwxyz0123456789"
const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randString returns n characters drawn uniformly from alphabet
// (len(alphabet) <= 256), by rejection sampling.
func (s *Server) randString(n int, alphabet string) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if err := s.readRand(buf); err != nil {
			panic(fmt.Sprintf("cognitotest: random source failed: %v", err))
		}
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

func (s *Server) randDigits(n int) string { return s.randString(n, "0123456789") }

// uuid returns a random version 4 UUID.
func (s *Server) uuid() string {
	var b [16]byte
	if err := s.readRand(b[:]); err != nil {
		panic(fmt.Sprintf("cognitotest: random source failed: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Pools returns the pools of the server, sorted by ID.
func (s *Server) Pools() []*Pool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Pool, 0, len(s.pools))
	for _, p := range s.pools {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// Pool returns the pool with the given ID.
func (s *Server) Pool(id string) (*Pool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[id]
	if !ok {
		return nil, notFoundf("user pool %q", id)
	}
	return p, nil
}

func (s *Server) fatal(err error) {
	if s.tb != nil {
		s.tb.Helper()
		s.tb.Fatalf("cognitotest: %v", err)
		return
	}
	panic(err)
}

func hasString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
