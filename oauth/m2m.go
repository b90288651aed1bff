package oauth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/cognitokit/cognitokit/internal/flight"
)

// TokenSource issues client-credentials (machine-to-machine) access tokens
// and caches each one until shortly before it expires (Config.EarlyExpiry).
// Concurrent callers share one request to the token endpoint, each waiting
// for as long as its own context allows ([TokenSource.TokenContext]). It
// implements [oauth2.TokenSource]; it is safe for concurrent use.
type TokenSource struct {
	c      *Client
	cc     clientcredentials.Config
	flight flight.Group[*oauth2.Token]

	mu     sync.Mutex // guards tok, expiry and gen; never held across a request
	tok    *oauth2.Token
	expiry time.Time // when tok must be replaced
	gen    uint64    // incremented by every Invalidate
}

// ClientCredentials returns a TokenSource for the client-credentials grant
// with the given resource-server scopes ("orders/read"); no scopes asks for
// all the scopes the app client is allowed. The client must have a secret.
// It does no I/O.
func (c *Client) ClientCredentials(scopes ...string) (*TokenSource, error) {
	if c.cfg.ClientSecret == "" {
		return nil, configErr("the client-credentials grant needs a confidential app client: set ClientSecret")
	}
	for _, s := range scopes {
		if err := checkScope(s); err != nil {
			return nil, inputErr("%v", err)
		}
		if !strings.Contains(s, "/") {
			return nil, inputErr("scope %q: client-credentials scopes look like \"resource-server-id/scope\"", truncate(s, 32))
		}
	}
	return &TokenSource{
		c: c,
		cc: clientcredentials.Config{
			ClientID:     c.cfg.ClientID,
			ClientSecret: c.cfg.ClientSecret,
			TokenURL:     c.ep.TokenURL,
			Scopes:       append([]string(nil), scopes...),
			AuthStyle:    oauth2.AuthStyleInHeader,
		},
	}, nil
}

// Token returns a cached token, or fetches a new one. See
// [TokenSource.TokenContext].
func (ts *TokenSource) Token() (*oauth2.Token, error) {
	return ts.TokenContext(context.Background())
}

// TokenContext returns the cached token, or fetches a new one. Concurrent
// callers share one request; a caller whose ctx ends first returns an error
// wrapping ErrUnavailable and ctx.Err() at once, while the request goes on
// for the others and its token is cached. The request is bounded by
// Config.HTTPClient's Timeout (DefaultTimeout when it has none). It returns
// a copy the caller may keep.
func (ts *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if t := ts.cached(); t != nil {
		return t, nil
	}
	tok, err, _ := ts.flight.Do(ctx, "token", ts.fetch)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && err == ctxErr {
			return nil, fmt.Errorf("%w: client_credentials: %w", ErrUnavailable, err)
		}
		return nil, err
	}
	t := *tok
	return &t, nil
}

// cached returns a copy of the cached token while it is fresh, else nil.
func (ts *TokenSource) cached() *oauth2.Token {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok != nil && ts.c.now().Before(ts.expiry) {
		t := *ts.tok
		return &t
	}
	return nil
}

// fetch runs in the flight, one at a time. It checks the cache again: a
// caller that found it stale just before the previous fetch stored its
// token starts a new flight that has nothing to do.
func (ts *TokenSource) fetch(ctx context.Context) (*oauth2.Token, error) {
	if t := ts.cached(); t != nil {
		return t, nil
	}
	ts.mu.Lock()
	gen := ts.gen
	ts.mu.Unlock()
	timeout := ts.c.hc.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	now := ts.c.now()
	tok, err := ts.cc.Token(ts.c.ctx(ctx))
	if err != nil {
		return nil, ts.c.wrap(ctx, "client_credentials", err)
	}
	if tok.AccessToken == "" || len(tok.AccessToken) > MaxTokenSize {
		return nil, fmt.Errorf("%w: client_credentials: missing or oversized access_token", ErrBadResponse)
	}
	if sec, ok := tok.Extra("expires_in").(float64); ok && sec > 0 {
		tok.Expiry = now.Add(time.Duration(sec) * time.Second) // on our clock
	}
	if tok.Expiry.IsZero() {
		// No expires_in: use it once, never cache it.
		return tok, nil
	}
	early := ts.c.earlyExpy
	if life := tok.Expiry.Sub(now); early > life/4 {
		early = life / 4
	}
	ts.mu.Lock()
	if ts.gen == gen { // else Invalidate was called during the request
		ts.tok, ts.expiry = tok, tok.Expiry.Add(-early)
	}
	ts.mu.Unlock()
	return tok, nil
}

// Invalidate drops the cached token, so that the next call fetches a new
// one (for example after a resource server rejected it). It never waits for
// a request in progress; a token that request returns is not cached.
func (ts *TokenSource) Invalidate() {
	ts.mu.Lock()
	ts.tok = nil
	ts.gen++
	ts.mu.Unlock()
}
