package online

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/time/rate"

	"github.com/cognitokit/cognitokit/internal/flight"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// API is the operation of the Cognito user pool API the check calls.
// *cognitoidentityprovider.Client implements it.
type API interface {
	GetUser(ctx context.Context, in *cip.GetUserInput, optFns ...func(*cip.Options)) (*cip.GetUserOutput, error)
}

// Defaults of [Config].
const (
	DefaultCacheTTL  = time.Minute
	DefaultCacheSize = 100_000
	DefaultRate      = 10
	DefaultBurst     = 20
	DefaultMaxWait   = time.Second
	DefaultTimeout   = 3 * time.Second
)

// Config configures a [Checker].
type Config struct {
	// API answers GetUser: a cognitoidentityprovider client of the pool's
	// region. Required. It needs no AWS credentials (GetUser is
	// authorized by the access token).
	API API

	// List is consulted first, and learns the revocations the check
	// finds (and, with its Sync, shares them with the other replicas, so
	// that each revocation costs one GetUser in the whole fleet).
	// Optional. Default: none.
	List *revocation.List

	// CacheTTL is how long Cognito's "not revoked" answer for a token is
	// trusted: a revocation the application did not see takes up to this
	// long to be noticed. Optional. Default DefaultCacheTTL (1 min).
	CacheTTL time.Duration

	// CacheSize bounds the number of tokens whose answer is remembered.
	// Optional. Default DefaultCacheSize (100,000; about 10 MB).
	CacheSize int

	// Rate and Burst bound the GetUser calls of this process (a token
	// bucket of Burst calls refilled at Rate per second), so that the
	// check cannot exhaust the account's quota: GetUser counts against
	// Cognito's UserRead category, 120 requests per second per account
	// and Region by default, shared with AdminGetUser and every other
	// application of the account. Divide what you can spare by the
	// number of replicas. Optional. Defaults DefaultRate (10 per second)
	// and DefaultBurst (20).
	Rate  float64
	Burst int

	// MaxWait is how long a check waits for the rate limiter before it
	// gives up (and fails closed or open). Optional. Default
	// DefaultMaxWait (1 s).
	MaxWait time.Duration

	// Timeout bounds one GetUser call. Optional. Default DefaultTimeout
	// (3 s).
	Timeout time.Duration

	// FailOpen accepts a token whose status cannot be learned (Cognito
	// unreachable or throttling, the rate limit reached). Optional.
	// Default false: such a token fails with an error matching
	// [verifier.ErrRevocationUnavailable], which the transports answer
	// with 503. Fail open when availability matters more than a
	// revocation being noticed within CacheTTL.
	FailOpen bool

	// Observer receives metrics and tracing callbacks. Optional.
	Observer Observer

	// Logger receives failed calls (never tokens). Optional. Default:
	// discard.
	Logger *slog.Logger

	// Now is the clock. Optional. Default time.Now.
	Now func() time.Time
}

// Observer is a set of optional callbacks. Nil fields are not called; the
// functions run synchronously and concurrently.
type Observer struct {
	// OnCheck is called for every check with its outcome: one of the
	// Outcome constants.
	OnCheck func(outcome string)
	// OnCall is called after every GetUser call, with the context of
	// the check that started it (for a trace span).
	OnCall func(ctx context.Context, e CallEvent)
}

// CallEvent describes one GetUser call.
type CallEvent struct {
	Start    time.Time
	Duration time.Duration
	// Outcome is OutcomeActive, OutcomeRevoked or OutcomeUnavailable.
	Outcome string
	// Err is the call's error (an AWS SDK error, never holding the
	// token), nil when Cognito answered.
	Err error
}

// Outcomes of a check.
const (
	OutcomeActive      = "active"      // Cognito says the token is good (or the cache does)
	OutcomeRevoked     = "revoked"     // revoked, in the list or per Cognito
	OutcomeSkipped     = "skipped"     // cannot be checked online: ID, machine or unscoped token
	OutcomeUnavailable = "unavailable" // Cognito could not answer, or the rate limit was reached
)

// Checker is a [verifier.RevocationChecker] that consults Config.List,
// then asks Cognito. Set it as verifier.Config.Revocation.
//
// # What is checked
//
// GetUser answers "Access Token has been revoked" for an access token whose
// refresh token was revoked or whose user signed out everywhere, and
// refuses tokens of disabled and deleted users. It takes only access
// tokens of users that carry the aws.cognito.signin.user.admin scope
// (every token of the user pool API's sign-in; managed-login tokens only
// when the app client allows that scope). Other tokens (ID tokens,
// machine-to-machine tokens, access tokens without the scope) are not
// checked online (OutcomeSkipped); the List still applies to them.
//
// # Cost
//
// One GetUser per distinct access token per CacheTTL, single-flighted:
// concurrent requests with one token share a call. With the defaults, a
// user active all day costs 1,440 calls per replica and token lifetime, and
// a replica never makes more than 10 calls per second. Each check that is
// answered from the cache costs a SHA-256 of the token and a map lookup.
type Checker struct {
	cfg     Config
	limiter *rate.Limiter
	group   flight.Group[verdict]
	mu      sync.Mutex // guards cache
	cache   map[[sha256.Size]byte]cached
}

type verdict uint8

const (
	vActive verdict = iota + 1
	vRevoked
	vUnavailable
)

type cached struct {
	v       verdict
	expires time.Time
}

// scopeAdmin is the scope GetUser requires.
const scopeAdmin = "aws.cognito.signin.user.admin"

// New validates cfg and returns a Checker.
func New(cfg Config) (*Checker, error) {
	if cfg.API == nil {
		return nil, fmt.Errorf("%w: API is required (cognitoidentityprovider.NewFromConfig(awsCfg))", ErrInvalidConfig)
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{{"CacheTTL", &cfg.CacheTTL, DefaultCacheTTL}, {"MaxWait", &cfg.MaxWait, DefaultMaxWait}, {"Timeout", &cfg.Timeout, DefaultTimeout}} {
		switch {
		case *d.v < 0:
			return nil, fmt.Errorf("%w: %s is negative; use 0 for the default %v", ErrInvalidConfig, d.name, d.def)
		case *d.v == 0:
			*d.v = d.def
		}
	}
	switch {
	case cfg.CacheSize < 0:
		return nil, fmt.Errorf("%w: CacheSize is negative; use 0 for the default %d", ErrInvalidConfig, DefaultCacheSize)
	case cfg.CacheSize == 0:
		cfg.CacheSize = DefaultCacheSize
	}
	switch {
	case cfg.Rate < 0 || cfg.Burst < 0:
		return nil, fmt.Errorf("%w: Rate and Burst must not be negative", ErrInvalidConfig)
	case cfg.Rate == 0:
		cfg.Rate = DefaultRate
	}
	if cfg.Burst == 0 {
		cfg.Burst = max(DefaultBurst, int(cfg.Rate))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Checker{
		cfg:     cfg,
		limiter: rate.NewLimiter(rate.Limit(cfg.Rate), cfg.Burst),
		cache:   map[[sha256.Size]byte]cached{},
	}, nil
}

var (
	errRevoked     = fmt.Errorf("%w: Cognito says the token was revoked, or its user disabled or deleted; sign in again", verifier.ErrRevoked)
	errUnavailable = fmt.Errorf("%w: Cognito could not be asked whether the token was revoked; retry later", verifier.ErrRevocationUnavailable)
)

// CheckRevoked implements [verifier.RevocationChecker].
func (ch *Checker) CheckRevoked(ctx context.Context, token string, c *verifier.Claims) error {
	if ch.cfg.List != nil {
		if err := ch.cfg.List.CheckRevoked(ctx, token, c); err != nil {
			ch.observe(OutcomeRevoked)
			return err
		}
	}
	if c.TokenUse != verifier.TokenUseAccess || c.Username == "" || !c.HasScope(scopeAdmin) {
		ch.observe(OutcomeSkipped)
		return nil
	}
	key := sha256.Sum256([]byte(token))
	now := ch.cfg.Now()
	ch.mu.Lock()
	e, ok := ch.cache[key]
	ch.mu.Unlock()
	v := e.v
	if !ok || !now.Before(e.expires) {
		var err error
		v, err, _ = ch.group.Do(ctx, string(key[:]), func(fctx context.Context) (verdict, error) {
			return ch.ask(ctx, fctx, key, token, c), nil
		})
		if err != nil { // the caller's context ended
			ch.observe(OutcomeUnavailable)
			return fmt.Errorf("%w: %w", errUnavailable, err)
		}
	}
	switch v {
	case vActive:
		ch.observe(OutcomeActive)
		return nil
	case vRevoked:
		ch.observe(OutcomeRevoked)
		return errRevoked
	}
	ch.observe(OutcomeUnavailable)
	if ch.cfg.FailOpen {
		return nil
	}
	return errUnavailable
}

func (ch *Checker) observe(outcome string) {
	if f := ch.cfg.Observer.OnCheck; f != nil {
		f(outcome)
	}
}

// ask calls GetUser (within the rate limit) and caches the verdict. ctx is
// the checking request's context, for the observer; fctx is detached from
// its cancellation (see package flight).
func (ch *Checker) ask(ctx, fctx context.Context, key [sha256.Size]byte, token string, c *verifier.Claims) verdict {
	wctx, cancel := context.WithTimeout(fctx, ch.cfg.MaxWait)
	err := ch.limiter.Wait(wctx)
	cancel()
	if err != nil {
		ch.cfg.Logger.Warn("online: GetUser rate limit reached (Config.Rate); the token's revocation status is unknown", "fail_open", ch.cfg.FailOpen)
		return vUnavailable
	}
	start := ch.cfg.Now()
	cctx, cancel := context.WithTimeout(fctx, ch.cfg.Timeout)
	_, err = ch.cfg.API.GetUser(cctx, &cip.GetUserInput{AccessToken: &token})
	cancel()
	v, entry := classify(err, c, ch.cfg.Now())
	if f := ch.cfg.Observer.OnCall; f != nil {
		outcome := map[verdict]string{vActive: OutcomeActive, vRevoked: OutcomeRevoked, vUnavailable: OutcomeUnavailable}[v]
		f(ctx, CallEvent{Start: start, Duration: ch.cfg.Now().Sub(start), Outcome: outcome, Err: err})
	}
	switch v {
	case vUnavailable:
		ch.cfg.Logger.Warn("online: GetUser failed; the token's revocation status is unknown", "err", err, "fail_open", ch.cfg.FailOpen)
		return v
	case vRevoked:
		if ch.cfg.List != nil && entry != (revocation.Entry{}) {
			if err := ch.cfg.List.Revoke(fctx, entry); err != nil {
				ch.cfg.Logger.Warn("online: could not record the revocation Cognito reported", "err", err)
			}
		}
	}
	now := ch.cfg.Now()
	exp := c.ExpiresAt
	if ttl := now.Add(ch.cfg.CacheTTL); v == vActive && ttl.Before(exp) {
		exp = ttl
	}
	ch.mu.Lock()
	if len(ch.cache) >= ch.cfg.CacheSize {
		ch.shrinkLocked(now)
	}
	ch.cache[key] = cached{v: v, expires: exp}
	ch.mu.Unlock()
	return v
}

// shrinkLocked drops expired answers, then, if the cache is still more
// than three quarters full, arbitrary ones (map order) until it is not.
func (ch *Checker) shrinkLocked(now time.Time) {
	for k, e := range ch.cache {
		if !now.Before(e.expires) {
			delete(ch.cache, k)
		}
	}
	for k := range ch.cache {
		if len(ch.cache) <= ch.cfg.CacheSize*3/4 {
			break
		}
		delete(ch.cache, k)
	}
}

// classify turns GetUser's answer into a verdict and, for a revocation,
// the list entry that covers it.
func classify(err error, c *verifier.Claims, now time.Time) (verdict, revocation.Entry) {
	if err == nil {
		return vActive, revocation.Entry{}
	}
	var na *types.NotAuthorizedException
	var nf *types.UserNotFoundException
	switch {
	case errors.As(err, &na):
		msg := strings.ToLower(na.ErrorMessage())
		switch {
		case strings.Contains(msg, "revoked"):
			if c.OriginJTI != "" {
				return vRevoked, revocation.Entry{OriginJTI: c.OriginJTI}
			}
			return vRevoked, revocation.Entry{}
		case strings.Contains(msg, "disabled"):
			// Disabling a user revokes every token Cognito had issued.
			return vRevoked, revocation.Entry{Subject: c.Subject, IssuedBefore: now}
		case strings.Contains(msg, "scope"):
			return vActive, revocation.Entry{} // cannot be checked; pre-filtered by scope
		}
		return vRevoked, revocation.Entry{}
	case errors.As(err, &nf):
		return vRevoked, revocation.Entry{Subject: c.Subject, IssuedBefore: now}
	}
	return vUnavailable, revocation.Entry{}
}

var _ verifier.RevocationChecker = (*Checker)(nil)
