package verifier

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// TokenUse is the kind of Cognito token a pool accepts, as carried in the
// token_use claim.
type TokenUse string

// Token uses.
const (
	TokenUseID     TokenUse = "id"     // ID tokens: aud is the app client ID
	TokenUseAccess TokenUse = "access" // access tokens: client_id is the app client ID
	TokenUseAny    TokenUse = "any"    // either; only valid in Pool.TokenUse
)

// IssuerFormat selects which of a pool's two AWS issuers its tokens may
// carry. Cognito issues tokens with
// https://cognito-idp.{region}.amazonaws.com/{userPoolId}, or with
// https://issuer-cognito-idp.{region}.amazonaws.com/{userPoolId} for pools
// configured to use that host; both are Cognito's own and are signed with
// the same keys.
type IssuerFormat int

// Issuer formats.
const (
	// IssuerEither, the default, accepts both AWS issuers of the pool.
	IssuerEither IssuerFormat = iota
	// IssuerCognitoIDP accepts only
	// https://cognito-idp.{region}.amazonaws.com/{userPoolId}.
	IssuerCognitoIDP
	// IssuerIssuerCognitoIDP accepts only
	// https://issuer-cognito-idp.{region}.amazonaws.com/{userPoolId}.
	IssuerIssuerCognitoIDP
)

// Pool describes one Cognito user pool whose tokens a [Verifier] accepts.
type Pool struct {
	// UserPoolID is the pool ID, such as "us-east-1_AbC123" or
	// "us-gov-west-1_AbC123". Required. The region is derived from it.
	// With Issuer set (emulators), any ID of the form "prefix_Suffix" is
	// accepted.
	UserPoolID string

	// ClientIDs are the accepted app client IDs: the aud of ID tokens and
	// the client_id of access tokens. Required, at least one.
	ClientIDs []string

	// TokenUse is the kind of token accepted: TokenUseID, TokenUseAccess or
	// TokenUseAny. Required.
	TokenUse TokenUse

	// Issuer overrides the expected iss, for emulators (cognito-local,
	// LocalStack, cognitotest) and custom issuers. Optional. Default: both
	// of the pool's AWS issuers,
	// https://cognito-idp.{region}.amazonaws.com/{UserPoolID} and
	// https://issuer-cognito-idp.{region}.amazonaws.com/{UserPoolID}, or
	// the one chosen by IssuerFormat. It must be an absolute http(s) URL
	// without a trailing slash; tokens must carry it byte for byte, and
	// it is then the only issuer accepted.
	Issuer string

	// IssuerFormat narrows the AWS issuers accepted when Issuer is empty.
	// Optional. Default IssuerEither: both.
	IssuerFormat IssuerFormat

	// JWKSURL overrides where the pool's keys are fetched. Optional.
	// Default {issuer}/.well-known/jwks.json (with IssuerEither, the
	// cognito-idp issuer's). It must be https, except for loopback hosts
	// and pools with an Issuer override (emulators).
	JWKSURL string

	// JWKS is a static JSON Web Key Set for air-gapped or offline use. With
	// it (or JWKSFile) the verifier never fetches keys for this pool.
	// Optional; mutually exclusive with JWKSURL and JWKSFile.
	JWKS []byte

	// JWKSFile is the path of a static JWKS file, read once by [New].
	// Optional; mutually exclusive with JWKSURL and JWKS.
	JWKSFile string

	// Policy is evaluated for every token of this pool after the signature
	// and claim checks pass (cached tokens included). Optional.
	Policy Policy
}

// Config configures a [Verifier]. The zero value of every field except
// Pools is a documented default.
type Config struct {
	// Pools are the user pools whose tokens are accepted. Required, at
	// least one (or one IdentityPools entry), with distinct issuers.
	// Tokens are routed to their pool by iss.
	Pools []Pool

	// IdentityPools are the Cognito identity pools whose OpenID tokens
	// (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity) are accepted;
	// they are routed by iss, then by aud. Optional.
	IdentityPools []IdentityPool

	// HTTPClient fetches JWKS documents. Optional. Default: a client using
	// http.DefaultTransport. Its Timeout, if any, applies in addition to
	// FetchTimeout. Whatever the client, a JWKS fetch follows at most 5
	// redirects, never from https to http, and only to the host (name
	// and port) of the JWKS URL unless AllowCrossHostRedirects is set;
	// the client's own CheckRedirect, if any, runs after these checks.
	HTTPClient *http.Client

	// AllowCrossHostRedirects lets JWKS fetches follow redirects to
	// another host, such as a CDN. Optional. Default false: a JWKS
	// endpoint that redirects elsewhere fails the fetch with a
	// [*RedirectError] (wrapped in ErrKeysUnavailable), because whoever
	// answers at the redirect target would choose the keys that sign
	// tokens. Redirects from https to http are refused even when this is
	// set.
	AllowCrossHostRedirects bool

	// Now is the clock for exp, nbf and iat. Optional. Default time.Now.
	// The JWKS cache (cooldown, staleness, refresh) always uses real time.
	Now func() time.Time

	// Leeway is the clock skew tolerated for exp, nbf and iat. Optional.
	// Default 0; at most 5 minutes. With 0, a server whose clock is behind
	// Cognito's rejects brand-new tokens (iat in the future) until it
	// catches up; set a few seconds unless clocks are tightly synchronized.
	Leeway time.Duration

	// MaxTokenSize is the longest token accepted, in bytes; longer tokens
	// fail with ErrTooLarge before any parsing. Optional. Default 16 KiB;
	// at most 1 MiB.
	MaxTokenSize int

	// FetchTimeout bounds one JWKS fetch, from request to parsed keys.
	// Optional. Default 5 s.
	FetchTimeout time.Duration

	// MaxJWKSSize caps a JWKS response body. Optional. Default 1 MiB.
	MaxJWKSSize int64

	// RefetchCooldown is the minimum time between two fetches of one JWKS
	// URL triggered by unknown kids or by failed fetches. Tokens with an
	// unknown kid inside the window fail fast with ErrCooldown. Optional.
	// Default 10 s.
	RefetchCooldown time.Duration

	// MinRefreshInterval and MaxRefreshInterval bound the background
	// refresh period, which otherwise follows the JWKS response's
	// Cache-Control max-age (MaxRefreshInterval when absent). Optional.
	// Defaults 5 min and 1 h.
	MinRefreshInterval time.Duration
	MaxRefreshInterval time.Duration

	// MaxStaleness is how long after the last successful fetch a key set
	// is still trusted while refreshes fail. After that, Verify returns
	// ErrKeysUnavailable until a fetch succeeds. Optional. Default 24 h.
	MaxStaleness time.Duration

	// CacheSize is the number of distinct verified tokens the cache is
	// sized for, so that a repeated token costs a lookup plus the time
	// checks: a working set of CacheSize tokens is served from the cache
	// (TestCacheWorkingSet: at most 1% misses, none measured). The table
	// has room for twice as many, so that hashing never crowds a set, and
	// may hold more than CacheSize tokens when CacheMaxBytes allows.
	// Optional. 0 means 4096; a negative value disables the cache.
	CacheSize int

	// CacheMaxBytes bounds the memory the verified-token cache keeps
	// alive, in bytes. Optional. 0 means DefaultCacheMaxBytes (16 MiB).
	// Each entry holds a copy of its token and its decoded claims: about
	// 2.5 KB for a typical Cognito token (so 4096 of them fit), about 32 KB
	// for a token at the 16 KiB MaxTokenSize. The bound counts that
	// estimate, rounded up for the allocator, and holds whatever the
	// traffic: when it is reached, large entries make room for smaller
	// ones, and a token that does not fit is verified but not remembered.
	// The table itself adds 32 bytes per CacheSize entry (two slots of a
	// tag and a pointer), 128 KiB for the default.
	CacheMaxBytes int64

	// Logger receives JWKS fetch outcomes and skipped keys (never tokens).
	// Optional. Default: discard.
	Logger *slog.Logger

	// Observer receives metrics callbacks. Optional.
	Observer Observer

	// Revocation is asked about every token whose signature and claims
	// check out, tokens served from the verified-token cache included, so
	// that a revoked token is refused from the moment the revocation is
	// known. Optional. Default: none, and a token stays valid until it
	// expires, whatever happened to it in Cognito. Package
	// [github.com/cognitokit/cognitokit/verifier/revocation] implements it.
	Revocation RevocationChecker
}

// RevocationChecker tells whether a verified token has been revoked.
//
// CheckRevoked is called with the token and its verified claims, after the
// signature, claim and time checks and before the pool's Policy, on every
// Verify (cache hits included). It returns nil for a token that may be
// used, an error matching [ErrRevoked] for a revoked one, and an error
// matching [ErrRevocationUnavailable] when it cannot tell and the token
// must not be accepted (503: retry later). It must not modify or retain c
// and must not log or return the token. It is called concurrently and on
// the request's path: keep it fast (a map lookup), and bound any I/O with
// ctx.
type RevocationChecker interface {
	CheckRevoked(ctx context.Context, token string, c *Claims) error
}

// Observer is a set of optional callbacks for metrics. Nil fields are not
// called. The functions are called synchronously on the verifying or
// fetching goroutine, concurrently, so they must be fast and safe for
// concurrent use.
type Observer struct {
	// OnFetch is called after every JWKS fetch attempt.
	OnFetch func(FetchEvent)
	// OnCache is called on every Verify that consults the verified-token
	// cache, with hit true when the token was found.
	OnCache func(hit bool)
	// OnReject is called for every rejected token with the sentinel of
	// the rejection (ErrExpired, ErrKeysUnavailable, ...). [Reason] turns
	// it into a label.
	OnReject func(reason error)
	// OnAccept is called for every accepted token with its kind
	// (TokenUseID or TokenUseAccess).
	OnAccept func(use TokenUse)
}

// FetchEvent describes one JWKS fetch attempt.
type FetchEvent struct {
	URL      string
	Trigger  string // "cold", "unknown_kid", "refresh", "stale" or "warm"
	Duration time.Duration
	Status   int   // HTTP status, 0 if no response
	Keys     int   // usable keys in the new set (0 on failure)
	Err      error // nil on success
	// NotModified is true when the server answered 304 to a conditional
	// request and the existing keys were kept.
	NotModified bool
}

// Defaults.
const (
	DefaultMaxTokenSize       = 16 << 10
	DefaultFetchTimeout       = 5 * time.Second
	DefaultMaxJWKSSize        = 1 << 20
	DefaultRefetchCooldown    = 10 * time.Second
	DefaultMinRefreshInterval = 5 * time.Minute
	DefaultMaxRefreshInterval = time.Hour
	DefaultMaxStaleness       = 24 * time.Hour
	DefaultCacheSize          = 4096
	DefaultCacheMaxBytes      = 16 << 20

	maxLeeway       = 5 * time.Minute
	maxTokenSizeCap = 1 << 20
)

// settings is the validated, defaulted configuration.
type settings struct {
	client       *http.Client
	now          func() time.Time // token clock (exp, nbf, iat)
	clock        func() time.Time // JWKS clock (cooldown, staleness): always real time outside tests
	customNow    bool             // now is not time.Now, so the hot path cannot reuse it as clock
	leeway       time.Duration
	maxToken     int
	fetchTimeout time.Duration
	maxJWKS      int64
	cooldown     time.Duration
	minRefresh   time.Duration
	maxRefresh   time.Duration
	maxStale     time.Duration
	cacheSize    int
	cacheBytes   int64
	log          *slog.Logger
	obs          Observer
	revocation   RevocationChecker
}

var (
	awsPoolID     = regexp.MustCompile(`^([a-z]{2}(?:-gov)?-[a-z]+-\d)_[A-Za-z0-9]+$`)
	anyPoolID     = regexp.MustCompile(`^[A-Za-z0-9-]+_[A-Za-z0-9]+$`)
	printableName = regexp.MustCompile(`^[\x21-\x7e]+$`)
)

func durationSetting(name string, v, def time.Duration) (time.Duration, error) {
	switch {
	case v < 0:
		return 0, configErrorf("%s is negative (%v); use 0 for the default %v", name, v, def)
	case v == 0:
		return def, nil
	}
	return v, nil
}

func (cfg *Config) settings() (*settings, error) {
	s := &settings{
		client:     cfg.HTTPClient,
		now:        cfg.Now,
		log:        cfg.Logger,
		obs:        cfg.Observer,
		revocation: cfg.Revocation,
	}
	if s.client == nil {
		s.client = &http.Client{}
	} else {
		c := *s.client // the caller's client stays as it was
		s.client = &c
	}
	s.client.CheckRedirect = redirectPolicy(cfg.AllowCrossHostRedirects, s.client.CheckRedirect)
	s.clock = time.Now
	if s.now == nil {
		s.now = time.Now
	} else {
		s.customNow = true
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Leeway < 0 || cfg.Leeway > maxLeeway {
		return nil, configErrorf("Leeway %v is outside [0, %v]; clocks should agree within seconds", cfg.Leeway, maxLeeway)
	}
	s.leeway = cfg.Leeway
	switch {
	case cfg.MaxTokenSize < 0 || cfg.MaxTokenSize > maxTokenSizeCap:
		return nil, configErrorf("MaxTokenSize %d is outside [0, %d]; use 0 for the default %d", cfg.MaxTokenSize, maxTokenSizeCap, DefaultMaxTokenSize)
	case cfg.MaxTokenSize == 0:
		s.maxToken = DefaultMaxTokenSize
	default:
		s.maxToken = cfg.MaxTokenSize
	}
	switch {
	case cfg.MaxJWKSSize < 0:
		return nil, configErrorf("MaxJWKSSize is negative; use 0 for the default %d", DefaultMaxJWKSSize)
	case cfg.MaxJWKSSize == 0:
		s.maxJWKS = DefaultMaxJWKSSize
	default:
		s.maxJWKS = cfg.MaxJWKSSize
	}
	var err error
	if s.fetchTimeout, err = durationSetting("FetchTimeout", cfg.FetchTimeout, DefaultFetchTimeout); err != nil {
		return nil, err
	}
	if s.cooldown, err = durationSetting("RefetchCooldown", cfg.RefetchCooldown, DefaultRefetchCooldown); err != nil {
		return nil, err
	}
	if s.minRefresh, err = durationSetting("MinRefreshInterval", cfg.MinRefreshInterval, DefaultMinRefreshInterval); err != nil {
		return nil, err
	}
	if s.maxRefresh, err = durationSetting("MaxRefreshInterval", cfg.MaxRefreshInterval, DefaultMaxRefreshInterval); err != nil {
		return nil, err
	}
	if s.minRefresh > s.maxRefresh {
		return nil, configErrorf("MinRefreshInterval (%v) is larger than MaxRefreshInterval (%v)", s.minRefresh, s.maxRefresh)
	}
	if s.maxStale, err = durationSetting("MaxStaleness", cfg.MaxStaleness, DefaultMaxStaleness); err != nil {
		return nil, err
	}
	switch {
	case cfg.CacheSize < 0:
		s.cacheSize = 0
	case cfg.CacheSize == 0:
		s.cacheSize = DefaultCacheSize
	case cfg.CacheSize > 1<<24:
		return nil, configErrorf("CacheSize %d is larger than %d", cfg.CacheSize, 1<<24)
	default:
		s.cacheSize = cfg.CacheSize
	}
	switch {
	case cfg.CacheMaxBytes < 0:
		return nil, configErrorf("CacheMaxBytes is negative; use 0 for the default %d (set CacheSize to -1 to disable the cache)", DefaultCacheMaxBytes)
	case cfg.CacheMaxBytes == 0:
		s.cacheBytes = DefaultCacheMaxBytes
	default:
		s.cacheBytes = cfg.CacheMaxBytes
	}
	return s, nil
}

// maxRedirects is how many redirects a JWKS fetch follows.
const maxRedirects = 5

// redirectPolicy returns the CheckRedirect of JWKS fetches: at most
// maxRedirects redirects, never from https to http, and only to the host
// of the first request unless allowCrossHost; then next, the caller's own
// policy, if any.
func redirectPolicy(allowCrossHost bool, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errTooManyRedirects
		}
		from := via[len(via)-1].URL
		for _, r := range via {
			if r.URL.Scheme == "https" && req.URL.Scheme != "https" {
				return &RedirectError{From: from.Redacted(), To: req.URL.Redacted(), Reason: RedirectDowngrade}
			}
		}
		if !allowCrossHost && !sameHost(via[0].URL, req.URL) {
			return &RedirectError{From: from.Redacted(), To: req.URL.Redacted(), Reason: RedirectCrossHost}
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// sameHost reports whether a and b name the same host: the same host name
// (ignoring case) and the same port, explicit or the scheme's default.
func sameHost(a, b *url.URL) bool {
	return strings.EqualFold(a.Hostname(), b.Hostname()) && effectivePort(a) == effectivePort(b)
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// poolSpec is a validated Pool.
type poolSpec struct {
	id        string
	region    string
	issuers   []string
	clientIDs []string
	use       TokenUse
	jwksURL   string
	static    []byte
	policy    Policy
	identity  bool // an identity pool: clientIDs holds its ID, the aud
}

func checkURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return configErrorf("%s %q is not a URL: %v", field, raw, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return configErrorf("%s %q must be an absolute http:// or https:// URL", field, raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return configErrorf("%s %q must not have a query, fragment or user info", field, raw)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (p *Pool) spec(i int) (*poolSpec, error) {
	where := "Pools[" + strconv.Itoa(i) + "]"
	sp := &poolSpec{id: p.UserPoolID, policy: p.Policy}
	if p.UserPoolID == "" {
		return nil, configErrorf("%s.UserPoolID is empty; set it to the pool ID, like us-east-1_AbC123", where)
	}
	if m := awsPoolID.FindStringSubmatch(p.UserPoolID); m != nil {
		sp.region = m[1]
	} else if p.Issuer == "" || !anyPoolID.MatchString(p.UserPoolID) {
		return nil, configErrorf("%s.UserPoolID %q is not a Cognito user pool ID like us-east-1_AbC123 (emulator IDs need Pool.Issuer)", where, p.UserPoolID)
	}
	if len(p.ClientIDs) == 0 {
		return nil, configErrorf("%s.ClientIDs is empty; list the app client IDs whose tokens are accepted", where)
	}
	seen := map[string]bool{}
	for _, c := range p.ClientIDs {
		if !printableName.MatchString(c) {
			return nil, configErrorf("%s.ClientIDs has an empty or non-printable client ID %q", where, c)
		}
		if !seen[c] {
			seen[c] = true
			sp.clientIDs = append(sp.clientIDs, c)
		}
	}
	switch p.TokenUse {
	case TokenUseID, TokenUseAccess, TokenUseAny:
		sp.use = p.TokenUse
	case "":
		return nil, configErrorf("%s.TokenUse is empty; set TokenUseAccess, TokenUseID or TokenUseAny", where)
	default:
		return nil, configErrorf("%s.TokenUse %q is unknown; use %q, %q or %q", where, p.TokenUse, TokenUseAccess, TokenUseID, TokenUseAny)
	}
	if p.Issuer != "" {
		if p.IssuerFormat != IssuerEither {
			return nil, configErrorf("%s sets both Issuer and IssuerFormat; IssuerFormat only chooses the AWS host when Issuer is empty", where)
		}
		if err := checkURL(where+".Issuer", p.Issuer); err != nil {
			return nil, err
		}
		if strings.HasSuffix(p.Issuer, "/") {
			return nil, configErrorf("%s.Issuer %q ends with a slash; Cognito issuers do not, and iss must match exactly", where, p.Issuer)
		}
		sp.issuers = []string{p.Issuer}
	} else {
		std := "https://cognito-idp." + sp.region + ".amazonaws.com/" + p.UserPoolID
		alt := "https://issuer-cognito-idp." + sp.region + ".amazonaws.com/" + p.UserPoolID
		switch p.IssuerFormat {
		case IssuerEither:
			sp.issuers = []string{std, alt}
		case IssuerCognitoIDP:
			sp.issuers = []string{std}
		case IssuerIssuerCognitoIDP:
			sp.issuers = []string{alt}
		default:
			return nil, configErrorf("%s.IssuerFormat %d is unknown", where, p.IssuerFormat)
		}
	}
	nSources := 0
	if p.JWKSURL != "" {
		nSources++
	}
	if p.JWKS != nil {
		nSources++
	}
	if p.JWKSFile != "" {
		nSources++
	}
	if nSources > 1 {
		return nil, configErrorf("%s sets more than one of JWKSURL, JWKS and JWKSFile; choose one", where)
	}
	switch {
	case p.JWKS != nil:
		if len(p.JWKS) == 0 {
			return nil, configErrorf("%s.JWKS is empty", where)
		}
		sp.static = p.JWKS
	case p.JWKSFile != "":
		b, err := os.ReadFile(p.JWKSFile)
		if err != nil {
			return nil, &rejection{sentinel: ErrInvalidConfig, msg: where + ".JWKSFile cannot be read", cause: err}
		}
		sp.static = b
	case p.JWKSURL != "":
		if err := checkURL(where+".JWKSURL", p.JWKSURL); err != nil {
			return nil, err
		}
		if u, _ := url.Parse(p.JWKSURL); u.Scheme == "http" && p.Issuer == "" && !isLoopback(u.Hostname()) {
			return nil, configErrorf("%s.JWKSURL %q uses plain http: anyone on the path could substitute keys; use https (http is accepted for loopback hosts and with an emulator Pool.Issuer)", where, p.JWKSURL)
		}
		sp.jwksURL = p.JWKSURL
	default:
		sp.jwksURL = sp.issuers[0] + "/.well-known/jwks.json"
	}
	if err := p.Policy.validate(where + ".Policy"); err != nil {
		return nil, err
	}
	return sp, nil
}
