package srpclient

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/internal/flight"
)

// DefaultEarlyExpiry is how long before its expiry a [TokenSource]
// refreshes the tokens, as package oauth's client-credentials source does.
const DefaultEarlyExpiry = time.Minute

// TokenSourceConfig configures [Client.NewTokenSource]. The zero value is the
// default.
type TokenSourceConfig struct {
	// EarlyExpiry is how long before their expiry the tokens are
	// refreshed: x/oauth2's name, which package oauth (Config.EarlyExpiry),
	// weblogin and identitypool use too. Optional. Default
	// DefaultEarlyExpiry.
	EarlyExpiry time.Duration

	// Margin is the former name of EarlyExpiry, used when EarlyExpiry is
	// zero.
	//
	// Deprecated: use EarlyExpiry.
	Margin time.Duration

	// UseIDToken makes Token return the ID token in AccessToken instead of
	// the access token. Optional. Default false.
	UseIDToken bool

	// RefreshTimeout bounds one refresh. A refresh that was sent runs to
	// its end (or to this timeout) even when every caller waiting for it
	// gave up, so that its tokens, and a rotated refresh token, are kept.
	// Optional. Default 30 seconds.
	RefreshTimeout time.Duration

	// OnRefresh is called with each new set of tokens, after the source
	// has stored them and before the callers waiting for them get them.
	// Calls are made one at a time, in refresh order; OnRefresh may call
	// the source's methods. Optional.
	OnRefresh func(*Tokens)
}

// TokenSource is an [oauth2.TokenSource] over a sign-in's tokens that
// refreshes them EarlyExpiry before they expire. It is safe for concurrent use:
// however many goroutines ask at expiry, one refresh is made and the others
// wait for it, each for as long as its own context allows
// ([TokenSource.TokenContext]). [TokenSource.Tokens] and
// [TokenSource.Invalidate] never wait for a refresh. Once the refresh token
// is revoked or expired, every call returns the same error wrapping
// [ErrRefreshTokenInvalid], without calling Cognito again.
//
// It has the shape of the oauth package's TokenSource: Token, TokenContext
// and Invalidate.
type TokenSource struct {
	c      *Client
	cfg    TokenSourceConfig
	legacy context.Context // set only by the deprecated Client.TokenSource
	flight flight.Group[*Tokens]

	mu    sync.Mutex // guards the fields below; never held across a network call
	cur   *Tokens
	stale bool   // Invalidate was called: refresh on the next Token call
	gen   uint64 // incremented by every Invalidate
	dead  error  // permanent refresh error
}

var _ oauth2.TokenSource = (*TokenSource)(nil)

// NewTokenSource returns a TokenSource starting from t, which it copies. It
// does no I/O. Errors wrap [ErrInvalidInput] (no tokens) or
// [ErrInvalidConfig].
func (c *Client) NewTokenSource(t *Tokens, cfg TokenSourceConfig) (*TokenSource, error) {
	if t == nil || t.AccessToken == "" {
		return nil, fmt.Errorf("%w: a TokenSource needs tokens from a sign-in", ErrInvalidInput)
	}
	if cfg.EarlyExpiry == 0 {
		cfg.EarlyExpiry = cfg.Margin
	}
	if cfg.EarlyExpiry < 0 || cfg.RefreshTimeout < 0 {
		return nil, fmt.Errorf("%w: negative EarlyExpiry or RefreshTimeout", ErrInvalidConfig)
	}
	if cfg.EarlyExpiry == 0 {
		cfg.EarlyExpiry = DefaultEarlyExpiry
	}
	if cfg.RefreshTimeout == 0 {
		cfg.RefreshTimeout = 30 * time.Second
	}
	cp := *t
	return &TokenSource{c: c, cfg: cfg, cur: &cp}, nil
}

// TokenSource returns a TokenSource whose refreshes stop once ctx is done.
//
// Deprecated: use [Client.NewTokenSource], and [TokenSource.TokenContext]
// to bound a call with a context. A context stored for later calls is one
// that no caller can cancel for its own call.
func (c *Client) TokenSource(ctx context.Context, t *Tokens, cfg TokenSourceConfig) (*TokenSource, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	s, err := c.NewTokenSource(t, cfg)
	if err != nil {
		return nil, err
	}
	s.legacy = ctx
	return s, nil
}

// Token implements [oauth2.TokenSource]: TokenContext with
// context.Background() (or the deprecated constructor's context); a
// refresh is bounded by TokenSourceConfig.RefreshTimeout.
func (s *TokenSource) Token() (*oauth2.Token, error) {
	if s.legacy != nil {
		return s.TokenContext(s.legacy)
	}
	return s.TokenContext(context.Background())
}

// TokenContext returns the current token, refreshing it first when it is
// within EarlyExpiry of its expiry or was invalidated. Concurrent callers share
// one refresh; a caller whose ctx ends first returns an error wrapping
// ctx.Err() at once, while the refresh goes on for the others (see
// TokenSourceConfig.RefreshTimeout). The token is a copy the caller may
// keep.
func (s *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	s.mu.Lock()
	cur, dead, need := s.cur, s.dead, s.needRefresh()
	s.mu.Unlock()
	switch {
	case dead != nil:
		return nil, dead
	case !need:
		return s.oauth2Token(cur), nil
	}
	t, err, _ := s.flight.Do(ctx, "refresh", s.refresh)
	if err != nil {
		if ctx.Err() != nil && err == ctx.Err() {
			return nil, fmt.Errorf("srpclient: waiting for a token refresh: %w", err)
		}
		return nil, err
	}
	return s.oauth2Token(t), nil
}

// needRefresh reports whether cur must be refreshed. s.mu must be held.
func (s *TokenSource) needRefresh() bool {
	return s.stale || !s.c.cfg.Now().Add(s.cfg.EarlyExpiry).Before(s.expiry(s.cur))
}

// refresh runs in the flight, one at a time. It checks again under the lock
// first: a caller that read the state just before the previous refresh
// stored its tokens starts a new flight that has nothing to do.
func (s *TokenSource) refresh(ctx context.Context) (*Tokens, error) {
	s.mu.Lock()
	cur, dead, gen := s.cur, s.dead, s.gen
	need := s.needRefresh()
	s.mu.Unlock()
	if dead != nil {
		return nil, dead
	}
	if !need {
		return cur, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RefreshTimeout)
	defer cancel()
	if s.legacy != nil {
		// The deprecated constructor's context stops refreshes.
		stop := context.AfterFunc(s.legacy, cancel)
		defer stop()
	}
	t, err := s.c.Refresh(ctx, cur)
	s.mu.Lock()
	if err != nil {
		if isPermanent(err) {
			s.dead = err
		}
		s.mu.Unlock()
		return nil, err
	}
	s.cur = t
	if s.gen == gen {
		s.stale = false // else Invalidate was called during the refresh: refresh again next time
	}
	s.mu.Unlock()
	if s.cfg.OnRefresh != nil {
		s.cfg.OnRefresh(t)
	}
	return t, nil
}

// Invalidate makes the next Token call refresh the tokens even if they are
// not yet within EarlyExpiry of their expiry: call it when a service
// rejected a token that the local clock still considers valid (a revoked
// access token, a skewed clock). Concurrent callers still cause one refresh. It does not
// revive a source whose refresh token is invalid, and it never waits for a
// refresh in progress.
func (s *TokenSource) Invalidate() {
	s.mu.Lock()
	s.stale = true
	s.gen++
	s.mu.Unlock()
}

// Tokens returns a copy of the current tokens. It never waits for a refresh
// in progress.
func (s *TokenSource) Tokens() *Tokens {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := *s.cur
	return &cp
}

func (s *TokenSource) expiry(t *Tokens) time.Time {
	if s.cfg.UseIDToken {
		if exp := claimTime(jwtClaims(t.IDToken), "exp"); !exp.IsZero() && exp.Before(t.Expiry) {
			return exp
		}
	}
	return t.Expiry
}

func (s *TokenSource) oauth2Token(t *Tokens) *oauth2.Token {
	tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: "Bearer", RefreshToken: t.RefreshToken, Expiry: s.expiry(t)}
	if s.cfg.UseIDToken {
		tok.AccessToken = t.IDToken
	}
	return tok.WithExtra(map[string]any{"id_token": t.IDToken, "access_token": t.AccessToken})
}
