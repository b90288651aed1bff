package identitypool

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cognitokit/cognitokit/internal/flight"
)

// Defaults.
const (
	// DefaultEarlyExpiry is how long before their real expiry credentials
	// are reported as expired (Config.EarlyExpiry).
	DefaultEarlyExpiry = 5 * time.Minute
	// DefaultRefreshMargin is the former name of DefaultEarlyExpiry.
	//
	// Deprecated: use DefaultEarlyExpiry.
	DefaultRefreshMargin       = DefaultEarlyExpiry
	DefaultRoleSessionName     = "cognitokit"
	DefaultMaxCachedIdentities = 64
	maxTrackedCaches           = 64
	// getIDTimeout bounds a GetId shared by concurrent callers, which runs
	// to its end even when the caller that started it gives up.
	getIDTimeout = 30 * time.Second
	// CredentialsSource is the Source of the aws.Credentials the Provider
	// returns.
	CredentialsSource = "identitypool"
)

var (
	identityPoolIDRE = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d:[0-9a-f-]{36}$`)
	roleARNRE        = regexp.MustCompile(`^arn:aws(-[a-z]+)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	sessionNameRE    = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	accountIDRE      = regexp.MustCompile(`^\d{12}$`)
)

// API is the subset of *cognitoidentity.Client that the Provider uses.
type API interface {
	GetId(context.Context, *ci.GetIdInput, ...func(*ci.Options)) (*ci.GetIdOutput, error)
	GetCredentialsForIdentity(context.Context, *ci.GetCredentialsForIdentityInput, ...func(*ci.Options)) (*ci.GetCredentialsForIdentityOutput, error)
	GetOpenIdToken(context.Context, *ci.GetOpenIdTokenInput, ...func(*ci.Options)) (*ci.GetOpenIdTokenOutput, error)
}

// STSAPI is the subset of *sts.Client that the basic flow uses.
type STSAPI interface {
	AssumeRoleWithWebIdentity(context.Context, *sts.AssumeRoleWithWebIdentityInput, ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error)
}

// DeveloperToken is an OpenID token of Cognito Identity for a
// developer-authenticated identity, as returned by
// GetOpenIdTokenForDeveloperIdentity (see [Developer.Token]).
type DeveloperToken struct {
	IdentityID string
	Token      string
	// Expiry is when the token expires, if known.
	Expiry time.Time
}

// DeveloperTokenFunc returns a fresh DeveloperToken, typically by asking
// your backend, which calls [Developer.Token] for the signed-in user. It is
// called on every credentials refresh, and once more when Cognito says the
// token expired. It must be safe for concurrent use.
type DeveloperTokenFunc func(ctx context.Context) (DeveloperToken, error)

// BasicFlow configures the basic (classic) flow: GetOpenIdToken, then STS
// AssumeRoleWithWebIdentity. The identity pool must allow it
// (AllowClassicFlow).
type BasicFlow struct {
	// STS is the STS client, such as sts.NewFromConfig(cfg). Required.
	STS STSAPI
	// RoleARN is the role assumed by authenticated identities. Required
	// unless the provider only serves guests.
	RoleARN string
	// GuestRoleARN is the role assumed by guests. Required when guests are
	// allowed.
	GuestRoleARN string
	// RoleSessionName names the role session. Optional. Default
	// [DefaultRoleSessionName].
	RoleSessionName string
	// Duration is the lifetime of the credentials. Optional. Default: the
	// role's (one hour); 15 minutes to 12 hours.
	Duration time.Duration
}

// Config configures a [Provider]. API and IdentityPoolID are required; every
// other field is optional and its zero value is the documented default.
type Config struct {
	// API is the Cognito Identity client, usually
	// cognitoidentity.NewFromConfig(awsCfg). Its retryer handles
	// throttling: the Provider does not retry on its own except once after
	// an expired login token or a stale cached identity. Required.
	API API

	// IdentityPoolID is the identity pool, such as
	// "us-east-1:0a1b2c3d-...". Required.
	IdentityPoolID string

	// AccountID is sent with GetId. Optional.
	AccountID string

	// Logins are the signed-in user's identity providers. Optional: without
	// logins (and without Developer) the provider asks for guest
	// credentials when AllowGuest is set. [Provider.SetLogins] changes
	// them later.
	Logins []Login

	// Developer supplies developer-authenticated tokens. Optional;
	// mutually exclusive with Logins.
	Developer DeveloperTokenFunc

	// AllowGuest allows unauthenticated (guest) identities when there are
	// no logins. Optional. Default false: Retrieve without logins fails
	// with ErrNoLogins.
	AllowGuest bool

	// CustomRoleARN asks GetCredentialsForIdentity for this role (enhanced
	// flow only), which must be one the pool's role mapping allows for the
	// user. Optional.
	CustomRoleARN string

	// Basic selects the basic (classic) flow. Optional. Default nil: the
	// enhanced flow (GetId, GetCredentialsForIdentity).
	Basic *BasicFlow

	// EarlyExpiry is how long before their expiry credentials are
	// reported as expired, so that aws.CredentialsCache refreshes them
	// early: the Expires of the returned credentials is the real expiry
	// minus EarlyExpiry (but at least half the remaining lifetime). It is
	// the name of the same setting in package oauth, srpclient and
	// weblogin (the AWS SDK's ExpiryWindow of aws.CredentialsCacheOptions
	// works on top of it). Optional. Default [DefaultEarlyExpiry]; at most
	// 30 minutes.
	EarlyExpiry time.Duration

	// RefreshMargin is the former name of EarlyExpiry, used when
	// EarlyExpiry is zero.
	//
	// Deprecated: use EarlyExpiry.
	RefreshMargin time.Duration

	// MaxCachedIdentities bounds the identity-ID cache (one entry per
	// user and for guests). Optional. Default
	// [DefaultMaxCachedIdentities].
	MaxCachedIdentities int

	// Now is the clock. Optional. Default time.Now.
	Now func() time.Time
}

// Provider is an aws.CredentialsProvider that exchanges logins for
// temporary AWS credentials through a Cognito identity pool. Wrap it in
// aws.NewCredentialsCache, or use [Provider.CredentialsCache], which is also
// invalidated when the logins change. It is safe for concurrent use.
type Provider struct {
	cfg Config

	mu     sync.Mutex // guards logins, gen, ids, keys and caches
	logins []Login
	gen    uint64            // incremented by every SetLogins
	ids    map[string]string // identity IDs by logins key ("" for guests)
	keys   map[string]bool   // access key IDs returned for the current logins
	caches []*aws.CredentialsCache

	getID flight.Group[string] // one GetId per logins key at a time
}

var _ aws.CredentialsProvider = (*Provider)(nil)

// New validates cfg and returns a Provider. Errors wrap ErrInvalidConfig or
// ErrInvalidInput (a malformed Login). New does no I/O.
func New(cfg Config) (*Provider, error) {
	if cfg.API == nil {
		return nil, errorf(ErrInvalidConfig, "API is required: pass cognitoidentity.NewFromConfig(awsCfg)")
	}
	if !identityPoolIDRE.MatchString(cfg.IdentityPoolID) {
		return nil, errorf(ErrInvalidConfig, "IdentityPoolID %q: want region:uuid, such as us-east-1:0a1b2c3d-0000-4000-8000-000000000000", clip(cfg.IdentityPoolID, 64))
	}
	if cfg.AccountID != "" && !accountIDRE.MatchString(cfg.AccountID) {
		return nil, errorf(ErrInvalidConfig, "AccountID must be 12 digits")
	}
	if err := validateLogins(cfg.Logins); err != nil {
		return nil, err
	}
	if cfg.Developer != nil && len(cfg.Logins) > 0 {
		return nil, errorf(ErrInvalidConfig, "Developer and Logins are mutually exclusive")
	}
	if cfg.CustomRoleARN != "" && !roleARNRE.MatchString(cfg.CustomRoleARN) {
		return nil, errorf(ErrInvalidConfig, "CustomRoleARN %q is not an IAM role ARN", clip(cfg.CustomRoleARN, 128))
	}
	if cfg.EarlyExpiry == 0 {
		cfg.EarlyExpiry = cfg.RefreshMargin
	}
	if cfg.EarlyExpiry < 0 || cfg.EarlyExpiry > 30*time.Minute {
		return nil, errorf(ErrInvalidConfig, "EarlyExpiry must be between 0 and 30 minutes")
	}
	if cfg.EarlyExpiry == 0 {
		cfg.EarlyExpiry = DefaultEarlyExpiry
	}
	if cfg.MaxCachedIdentities < 0 {
		return nil, errorf(ErrInvalidConfig, "MaxCachedIdentities must not be negative")
	}
	if cfg.MaxCachedIdentities == 0 {
		cfg.MaxCachedIdentities = DefaultMaxCachedIdentities
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if b := cfg.Basic; b != nil {
		cp := *b
		cfg.Basic = &cp
		b = &cp
		switch {
		case b.STS == nil:
			return nil, errorf(ErrInvalidConfig, "Basic.STS is required: pass sts.NewFromConfig(awsCfg)")
		case cfg.CustomRoleARN != "":
			return nil, errorf(ErrInvalidConfig, "CustomRoleARN is for the enhanced flow; the basic flow assumes Basic.RoleARN")
		case b.RoleARN == "" && b.GuestRoleARN == "":
			return nil, errorf(ErrInvalidConfig, "Basic.RoleARN or Basic.GuestRoleARN is required")
		case b.RoleARN != "" && !roleARNRE.MatchString(b.RoleARN):
			return nil, errorf(ErrInvalidConfig, "Basic.RoleARN %q is not an IAM role ARN", clip(b.RoleARN, 128))
		case b.GuestRoleARN != "" && !roleARNRE.MatchString(b.GuestRoleARN):
			return nil, errorf(ErrInvalidConfig, "Basic.GuestRoleARN %q is not an IAM role ARN", clip(b.GuestRoleARN, 128))
		case b.Duration != 0 && (b.Duration < 15*time.Minute || b.Duration > 12*time.Hour || b.Duration%time.Second != 0):
			return nil, errorf(ErrInvalidConfig, "Basic.Duration must be whole seconds between 15 minutes and 12 hours")
		}
		if b.RoleSessionName == "" {
			b.RoleSessionName = DefaultRoleSessionName
		}
		if !sessionNameRE.MatchString(b.RoleSessionName) {
			return nil, errorf(ErrInvalidConfig, "Basic.RoleSessionName must be 2-64 characters of [\\w+=,.@-]")
		}
	}
	p := &Provider{cfg: cfg, ids: map[string]string{}, keys: map[string]bool{}}
	p.logins = append([]Login(nil), cfg.Logins...)
	return p, nil
}

// SetLogins replaces the logins, as when another user signs in. Credentials
// of the previous logins are never returned afterwards: caches made by
// [Provider.CredentialsCache] are invalidated, and a Retrieve running
// concurrently starts over with the new logins. Callers that wrap the
// Provider in their own aws.CredentialsCache must call its Invalidate.
func (p *Provider) SetLogins(logins ...Login) error {
	if err := validateLogins(logins); err != nil {
		return err
	}
	if p.cfg.Developer != nil && len(logins) > 0 {
		return errorf(ErrInvalidInput, "the provider uses Config.Developer; it takes no logins")
	}
	p.mu.Lock()
	p.logins = append([]Login(nil), logins...)
	p.gen++
	p.keys = map[string]bool{}
	caches := append([]*aws.CredentialsCache(nil), p.caches...)
	p.mu.Unlock()
	for _, c := range caches {
		c.Invalidate()
	}
	return nil
}

// ClearLogins removes the logins, as when the user signs out: later
// credentials are a guest's (with AllowGuest) or ErrNoLogins.
func (p *Provider) ClearLogins() { _ = p.SetLogins() }

// CredentialsCache returns a cache of the provider's credentials, an
// aws.NewCredentialsCache(p, optFns...) that also never returns credentials
// obtained for logins that [Provider.SetLogins] or [Provider.ClearLogins]
// have since replaced, not even when the switch races with a refresh. Use
// it as aws.Config.Credentials.
func (p *Provider) CredentialsCache(optFns ...func(*aws.CredentialsCacheOptions)) *Credentials {
	c := aws.NewCredentialsCache(p, optFns...)
	p.mu.Lock()
	// Invalidating on SetLogins only saves a round trip: Credentials.Retrieve
	// checks the keys anyway. So the list is capped rather than allowed to
	// grow with callers that make a cache per request.
	if len(p.caches) >= maxTrackedCaches {
		p.caches = append(p.caches[:0:0], p.caches[1:]...)
	}
	p.caches = append(p.caches, c)
	p.mu.Unlock()
	return &Credentials{p: p, cache: c}
}

// Credentials is the cache returned by [Provider.CredentialsCache]. It is an
// aws.CredentialsProvider, safe for concurrent use.
type Credentials struct {
	p     *Provider
	cache *aws.CredentialsCache
}

var _ aws.CredentialsProvider = (*Credentials)(nil)

// Retrieve returns cached credentials, refreshing them when they are near
// expiry or belong to replaced logins.
func (c *Credentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if ctx == nil {
		return aws.Credentials{}, errNilContext
	}
	for range 3 {
		creds, err := c.cache.Retrieve(ctx)
		if err != nil {
			return creds, err
		}
		c.p.mu.Lock()
		current := c.p.keys[creds.AccessKeyID]
		c.p.mu.Unlock()
		if current {
			return creds, nil
		}
		c.cache.Invalidate()
	}
	return aws.Credentials{}, errorf(ErrConflict, "the logins changed three times during one Retrieve")
}

// Invalidate drops the cached credentials.
func (c *Credentials) Invalidate() { c.cache.Invalidate() }

// IdentityID returns the identity ID of the current logins (or of the
// guest), calling GetId when it is not cached. With Developer, it is the
// identity of a fresh developer token.
func (p *Provider) IdentityID(ctx context.Context) (string, error) {
	if ctx == nil {
		return "", errNilContext
	}
	p.mu.Lock()
	logins := p.logins
	p.mu.Unlock()
	res, err := p.resolve(ctx, logins, false)
	if err != nil {
		return "", err
	}
	id, _, err := p.identity(ctx, res)
	return id, err
}

// Retrieve implements aws.CredentialsProvider: it returns credentials for
// the current logins. Errors match a sentinel of this package; errors
// answered by AWS are [*APIError].
func (p *Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if ctx == nil {
		return aws.Credentials{}, errNilContext
	}
	for attempt := 0; ; attempt++ {
		p.mu.Lock()
		logins, gen := p.logins, p.gen
		p.mu.Unlock()
		creds, err := p.retrieve(ctx, logins)
		p.mu.Lock()
		changed := gen != p.gen
		if !changed && err == nil {
			if len(p.keys) >= 1024 {
				p.keys = map[string]bool{}
			}
			p.keys[creds.AccessKeyID] = true
		}
		p.mu.Unlock()
		if !changed {
			return creds, err
		}
		if attempt == 2 {
			return aws.Credentials{}, errorf(ErrConflict, "the logins changed three times during one Retrieve")
		}
	}
}

// resolved is what one attempt sends.
type resolved struct {
	resolvedLogins
	developer  bool
	identityID string // developer tokens carry their identity
	devToken   string
}

func (p *Provider) resolve(ctx context.Context, logins []Login, refresh bool) (resolved, error) {
	if p.cfg.Developer != nil {
		t, err := p.cfg.Developer(ctx)
		switch {
		case err != nil:
			return resolved{}, errorf(ErrLoginSource, "developer token: %w", err)
		case !identityPoolIDRE.MatchString(t.IdentityID):
			return resolved{}, errorf(ErrInvalidLogin, "developer token: IdentityID %q is not of the form region:uuid", clip(t.IdentityID, 64))
		case t.Token == "" || len(t.Token) > MaxTokenBytes:
			return resolved{}, errorf(ErrInvalidLogin, "developer token: the token must be 1-%d bytes", MaxTokenBytes)
		}
		r := resolved{developer: true, identityID: t.IdentityID, devToken: t.Token}
		r.m = map[string]string{DeveloperProvider: t.Token}
		r.key = "developer\x00" + t.IdentityID
		r.exp = t.Expiry
		return r, nil
	}
	if len(logins) == 0 {
		if !p.cfg.AllowGuest {
			return resolved{}, errorf(ErrNoLogins, "set Config.Logins, call SetLogins after the user signs in, or set AllowGuest")
		}
		return resolved{}, nil
	}
	rl, err := fetchLogins(ctx, logins, refresh)
	if err != nil {
		return resolved{}, err
	}
	return resolved{resolvedLogins: rl}, nil
}

func (p *Provider) retrieve(ctx context.Context, logins []Login) (aws.Credentials, error) {
	res, err := p.resolve(ctx, logins, false)
	if err != nil {
		return aws.Credentials{}, err
	}
	authenticated := len(res.m) > 0
	retried := false
	if authenticated && !res.exp.IsZero() && !p.cfg.Now().Before(res.exp) {
		// The source handed out a token that is already expired by our
		// clock: ask it for a fresh one before bothering Cognito.
		if res, err = p.resolve(ctx, logins, true); err != nil {
			return aws.Credentials{}, err
		}
	}
	for {
		creds, fresh, err := p.exchange(ctx, res)
		if err == nil || retried {
			return creds, err
		}
		switch {
		case authenticated && isExpiredLogin(err):
			// Cognito says the token expired (clock skew, or a source
			// that refreshes late): refresh through the source, retry
			// once.
			if res, err = p.resolve(ctx, logins, true); err != nil {
				return aws.Credentials{}, err
			}
		case !fresh && !res.developer && staleIdentity(err):
			// The cached identity was deleted, merged or linked to
			// other logins: forget it and ask GetId again, once.
			p.forget(res.key)
		default:
			return creds, err
		}
		retried = true
	}
}

func staleIdentity(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.Code == "ResourceNotFoundException" && ae.Op != "GetId" ||
		ae.Code == "NotAuthorizedException" && (strings.Contains(ae.Message, "Logins don't match") || strings.Contains(ae.Message, "forbidden"))
}

// identity returns the identity ID of res, from the cache or GetId, and
// whether it was just obtained.
func (p *Provider) identity(ctx context.Context, res resolved) (string, bool, error) {
	if res.developer {
		return res.identityID, true, nil
	}
	p.mu.Lock()
	id, ok := p.ids[res.key]
	p.mu.Unlock()
	if ok {
		return id, false, nil
	}
	id, err := p.getIDShared(ctx, res)
	return id, true, err
}

// getIDShared calls GetId for res, once for concurrent callers with the
// same logins key, and caches the result. A caller whose ctx ends stops
// waiting; the GetId goes on for the others (bounded by getIDTimeout).
func (p *Provider) getIDShared(ctx context.Context, res resolved) (string, error) {
	id, err, _ := p.getID.Do(ctx, res.key, func(ctx context.Context) (string, error) {
		// A caller that missed the cache just before an earlier flight for
		// this key stored its result starts a new flight: look again.
		p.mu.Lock()
		cached, ok := p.ids[res.key]
		p.mu.Unlock()
		if ok {
			return cached, nil
		}
		ctx, cancel := context.WithTimeout(ctx, getIDTimeout)
		defer cancel()
		in := &ci.GetIdInput{IdentityPoolId: aws.String(p.cfg.IdentityPoolID), Logins: res.m}
		if p.cfg.AccountID != "" {
			in.AccountId = aws.String(p.cfg.AccountID)
		}
		if len(res.m) == 0 {
			in.Logins = nil
		}
		out, err := p.cfg.API.GetId(ctx, in)
		if err != nil {
			return "", classify("GetId", err)
		}
		id := aws.ToString(out.IdentityId)
		if id == "" {
			return "", errorf(ErrUnavailable, "GetId returned no IdentityId")
		}
		p.mu.Lock()
		if len(p.ids) >= p.cfg.MaxCachedIdentities {
			for k := range p.ids {
				delete(p.ids, k)
				break
			}
		}
		p.ids[res.key] = id
		p.mu.Unlock()
		return id, nil
	})
	if err != nil && ctx.Err() != nil && err == ctx.Err() {
		return "", errorf(ErrUnavailable, "GetId: %w", err)
	}
	return id, err
}

func (p *Provider) forget(key string) {
	p.mu.Lock()
	delete(p.ids, key)
	p.mu.Unlock()
}

// exchange turns res into credentials. fresh reports whether the identity
// ID was just obtained (not from the cache).
func (p *Provider) exchange(ctx context.Context, res resolved) (aws.Credentials, bool, error) {
	id, fresh, err := p.identity(ctx, res)
	if err != nil {
		return aws.Credentials{}, fresh, err
	}
	logins := res.m
	if len(logins) == 0 {
		logins = nil
	}
	if p.cfg.Basic == nil {
		in := &ci.GetCredentialsForIdentityInput{IdentityId: aws.String(id), Logins: logins}
		if p.cfg.CustomRoleARN != "" && len(logins) > 0 {
			in.CustomRoleArn = aws.String(p.cfg.CustomRoleARN)
		}
		out, err := p.cfg.API.GetCredentialsForIdentity(ctx, in)
		if err != nil {
			return aws.Credentials{}, fresh, classify("GetCredentialsForIdentity", err)
		}
		c := out.Credentials
		if c == nil || aws.ToString(c.AccessKeyId) == "" || aws.ToString(c.SecretKey) == "" {
			return aws.Credentials{}, fresh, errorf(ErrUnavailable, "GetCredentialsForIdentity returned no credentials")
		}
		return p.credentials(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretKey), aws.ToString(c.SessionToken), aws.ToTime(c.Expiration)), fresh, nil
	}

	b := p.cfg.Basic
	token := res.devToken
	if !res.developer {
		out, err := p.cfg.API.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: aws.String(id), Logins: logins})
		if err != nil {
			return aws.Credentials{}, fresh, classify("GetOpenIdToken", err)
		}
		token = aws.ToString(out.Token)
	}
	role := b.RoleARN
	if len(logins) == 0 {
		role = b.GuestRoleARN
	}
	if role == "" {
		return aws.Credentials{}, fresh, errorf(ErrInvalidConfig, "the basic flow needs Basic.RoleARN for signed-in users and Basic.GuestRoleARN for guests")
	}
	in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(role), RoleSessionName: aws.String(b.RoleSessionName),
		WebIdentityToken: aws.String(token)}
	if b.Duration != 0 {
		in.DurationSeconds = aws.Int32(int32(b.Duration / time.Second))
	}
	out, err := b.STS.AssumeRoleWithWebIdentity(ctx, in)
	if err != nil {
		return aws.Credentials{}, fresh, classify("AssumeRoleWithWebIdentity", err)
	}
	c := out.Credentials
	if c == nil || aws.ToString(c.AccessKeyId) == "" {
		return aws.Credentials{}, fresh, errorf(ErrUnavailable, "AssumeRoleWithWebIdentity returned no credentials")
	}
	return p.credentials(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken), aws.ToTime(c.Expiration)), fresh, nil
}

// credentials builds the aws.Credentials, reporting them as expiring
// EarlyExpiry early (but keeping at least half the remaining lifetime).
func (p *Provider) credentials(key, secret, session string, exp time.Time) aws.Credentials {
	c := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: session, Source: CredentialsSource}
	if exp.IsZero() {
		return c
	}
	c.CanExpire = true
	now := p.cfg.Now()
	early := exp.Add(-p.cfg.EarlyExpiry)
	if half := now.Add(exp.Sub(now) / 2); early.Before(half) {
		early = half
	}
	c.Expires = early
	return c
}
