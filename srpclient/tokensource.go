package srpclient

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// TokenSourceConfig configures [Client.TokenSource]. The zero value is the
// default.
type TokenSourceConfig struct {
	// Margin is how long before expiry the token is refreshed. Optional.
	// Default one minute.
	Margin time.Duration

	// UseIDToken makes Token return the ID token in AccessToken instead of
	// the access token. Optional. Default false.
	UseIDToken bool

	// RefreshTimeout bounds one refresh. Optional. Default 30 seconds.
	RefreshTimeout time.Duration

	// OnRefresh is called, under the source's lock, with each new set of
	// tokens. Optional.
	OnRefresh func(*Tokens)
}

// TokenSource is an [oauth2.TokenSource] over a sign-in's tokens that
// refreshes them Margin before they expire. It is safe for concurrent use:
// however many goroutines ask at expiry, one refresh is made and the others
// wait for it. Once the refresh token is revoked or expired, every call
// returns the same error wrapping [ErrRefreshTokenInvalid], without calling
// Cognito again.
type TokenSource struct {
	c   *Client
	ctx context.Context
	cfg TokenSourceConfig

	mu    sync.Mutex // guards cur, stale and dead, and serializes refreshes
	cur   *Tokens
	stale bool  // Invalidate was called: refresh on the next Token call
	dead  error // permanent refresh error
}

var _ oauth2.TokenSource = (*TokenSource)(nil)

// TokenSource returns a TokenSource starting from t. ctx is used for the
// refresh calls, like oauth2.Config.TokenSource does: cancel it to stop
// refreshing.
func (c *Client) TokenSource(ctx context.Context, t *Tokens, cfg TokenSourceConfig) (*TokenSource, error) {
	if t == nil || t.AccessToken == "" {
		return nil, fmt.Errorf("%w: TokenSource needs tokens from a sign-in", ErrInvalidInput)
	}
	if cfg.Margin < 0 || cfg.RefreshTimeout < 0 {
		return nil, fmt.Errorf("%w: negative Margin or RefreshTimeout", ErrInvalidConfig)
	}
	if cfg.Margin == 0 {
		cfg.Margin = time.Minute
	}
	if cfg.RefreshTimeout == 0 {
		cfg.RefreshTimeout = 30 * time.Second
	}
	if ctx == nil {
		ctx = context.Background()
	}
	cp := *t
	return &TokenSource{c: c, ctx: ctx, cfg: cfg, cur: &cp}, nil
}

// Token implements [oauth2.TokenSource].
func (s *TokenSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead != nil {
		return nil, s.dead
	}
	now := s.c.cfg.Now()
	if s.stale || !now.Add(s.cfg.Margin).Before(s.expiry(s.cur)) {
		ctx, cancel := context.WithTimeout(s.ctx, s.cfg.RefreshTimeout)
		t, err := s.c.Refresh(ctx, s.cur)
		cancel()
		if err != nil {
			if isPermanent(err) {
				s.dead = err
			}
			return nil, err
		}
		s.cur = t
		s.stale = false
		if s.cfg.OnRefresh != nil {
			s.cfg.OnRefresh(t)
		}
	}
	return s.oauth2Token(s.cur), nil
}

// Invalidate makes the next Token call refresh the tokens even if they have
// not reached their expiry margin: call it when a service rejected a token
// that the local clock still considers valid (a revoked access token, a
// skewed clock). Concurrent callers still cause one refresh. It does not
// revive a source whose refresh token is invalid.
func (s *TokenSource) Invalidate() {
	s.mu.Lock()
	s.stale = true
	s.mu.Unlock()
}

// Tokens returns a copy of the current tokens.
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
