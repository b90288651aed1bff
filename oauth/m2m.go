package oauth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// TokenSource issues client-credentials (machine-to-machine) access tokens
// and caches each one until shortly before it expires (Config.EarlyExpiry).
// Concurrent callers share one request to the token endpoint. It implements
// [oauth2.TokenSource]; it is safe for concurrent use.
type TokenSource struct {
	c      *Client
	cc     clientcredentials.Config
	sem    chan struct{} // a one-slot lock that waiters can abandon; guards tok
	tok    *oauth2.Token
	expiry time.Time // when tok must be replaced
}

// ClientCredentials returns a TokenSource for the client-credentials grant
// with the given resource-server scopes ("orders/read"); no scopes asks for
// all the scopes the app client is allowed. The client must have a secret.
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
		sem: make(chan struct{}, 1),
	}, nil
}

// Token returns a cached token, or fetches a new one. See
// [TokenSource.TokenContext].
func (ts *TokenSource) Token() (*oauth2.Token, error) {
	return ts.TokenContext(context.Background())
}

// TokenContext is Token with a context bounding the wait and the request.
// It returns a copy the caller may keep.
func (ts *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	ctx = ctxOr(ctx)
	select {
	case ts.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: client_credentials: %w", ErrUnavailable, ctx.Err())
	}
	defer func() { <-ts.sem }()
	now := ts.c.now()
	if ts.tok != nil && now.Before(ts.expiry) {
		t := *ts.tok
		return &t, nil
	}
	tok, err := ts.cc.Token(ts.c.ctx(ctx))
	if err != nil {
		return nil, ts.c.wrap(ctx, "client_credentials", err)
	}
	if tok.AccessToken == "" || len(tok.AccessToken) > MaxTokenLength {
		return nil, fmt.Errorf("%w: client_credentials: missing or oversized access_token", ErrBadResponse)
	}
	if sec, ok := tok.Extra("expires_in").(float64); ok && sec > 0 {
		tok.Expiry = now.Add(time.Duration(sec) * time.Second) // on our clock
	}
	if tok.Expiry.IsZero() {
		// No expires_in: use it once, never cache it.
		t := *tok
		return &t, nil
	}
	early := ts.c.earlyExpy
	if life := tok.Expiry.Sub(now); early > life/4 {
		early = life / 4
	}
	ts.tok, ts.expiry = tok, tok.Expiry.Add(-early)
	t := *tok
	return &t, nil
}

// Invalidate drops the cached token, so that the next call fetches a new
// one (for example after a resource server rejected it).
func (ts *TokenSource) Invalidate() {
	ts.sem <- struct{}{}
	ts.tok = nil
	<-ts.sem
}
