package cognitotest

import (
	"crypto/rsa"
	"io"
	"log/slog"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
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
	freshKeys       []*rsa.PrivateKey // tests' fixed keys where the server generates one (export_test.go)
	allowedHosts    []string
	corsOrigins     []string
	store           state.Store // nil: in memory only
	publicURL       string      // "": the listen URL
	onMessage       func(Message)
	dataDir         string        // "": no data directory
	lambdas         []namedLambda // WithLambda
	triggerTimeout  time.Duration // 0: Cognito's
	rateLimits      bool          // WithRateLimits
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

// WithSigningKeys gives the server RSA keys to use, in order, for new pools,
// [Pool.RotateKeys] and the OpenID tokens of Cognito Identity, before it
// generates fresh 2048-bit keys (which takes a few hundred milliseconds
// each). Each key is used once. Generate a handful once per test binary
// and pass them to every server to make tests faster. Keys shorter than
// 2048 bits are ignored.
func WithSigningKeys(keys ...*rsa.PrivateKey) Option {
	return func(o *options) {
		for _, k := range keys {
			if k != nil && k.N.BitLen() >= 2048 {
				o.keys = append(o.keys, k)
			}
		}
	}
}

// WithPublicURL sets the base URL other programs reach the server at
// ("scheme://host[:port]", no path), when it differs from the listen
// address: in a container listening on 0.0.0.0:9229 and reached by other
// containers as http://cognito:9229, say. Issuers (the iss claim),
// discovery documents, JWKS URLs and the managed-login endpoints use it;
// [Server.URL] stays the address the server listens on. The guard accepts
// the URL's host (see [WithAllowedHosts]) and trusts its origin (see
// [WithCORSOrigins]): it is the server's own. "cognito local --public-url"
// uses it.
func WithPublicURL(u string) Option { return func(o *options) { o.publicURL = u } }

// WithOnMessage calls fn with each message the server "sends" (codes,
// temporary passwords, one-time passwords), once it is committed, in the
// goroutine of the request that sent it. fn must not block, and must not
// log the codes anywhere a secret must not go. "cognito local --verbose"
// uses it to print the codes.
func WithOnMessage(fn func(Message)) Option { return func(o *options) { o.onMessage = fn } }

// WithDataDir keeps the server's state in the directory dir, so that a
// server started later on the same directory has it all: pools and their
// settings, app clients and their secrets, users with their password
// verifiers (never the passwords), MFA secrets, devices, groups, refresh
// tokens and their revocation, the signing keys (tokens issued before
// still verify), domains, resource servers, identity pools and
// identities, and the outbox. A change is on disk (synced) before the API
// answers it.
// The directory and its file "cognito.db" (a bbolt database) are created
// when missing, readable by the user only: they hold secrets.
//
// One server at a time uses a directory: another one, in this process or
// another ("cognito local --data"), fails with [ErrDataInUse]. A file that
// is damaged, or was written by a newer emulator, fails with
// [ErrDataCorrupt] or [ErrDataFormat] and is left as it is.
// [Server.Restored] tells whether the state came from the directory.
// [Server.Close] closes the directory. Sign-ins in progress, codes of the
// managed-login pages and the Go callbacks of [Triggers] are not kept.
// "cognito local --data" uses it; tests use t.TempDir().
func WithDataDir(dir string) Option { return func(o *options) { o.dataDir = dir } }
