package alb

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitokit/cognitokit/internal/flight"
	"github.com/cognitokit/cognitokit/verifier"
)

// keyStore fetches and caches the ALB's public keys, one PEM document per
// kid. An ALB key never changes under its kid, so a key once fetched is
// kept (up to MaxKeys) and never refetched.
type keyStore struct {
	client   *http.Client
	timeout  time.Duration
	cooldown time.Duration
	maxKeys  int
	log      *slog.Logger

	keys atomic.Pointer[map[string]*ecdsa.PublicKey] // key URL → key; copied on write

	mu       sync.Mutex // guards order, failedAt, failure and writes to keys
	order    []string   // key URLs, oldest first
	failedAt time.Time  // the last failed fetch
	failure  error      // its error (a *rejection)

	flight flight.Group[*ecdsa.PublicKey]
}

var errRedirect = errors.New("the key endpoint answered with a redirect, which is not followed")

func newKeyStore(cfg Config) (*keyStore, error) {
	ks := &keyStore{timeout: cfg.FetchTimeout, cooldown: cfg.RefetchCooldown, maxKeys: cfg.MaxKeys, log: cfg.Logger}
	switch {
	case ks.timeout < 0:
		return nil, configErrorf("FetchTimeout is negative; use 0 for the default %v", DefaultFetchTimeout)
	case ks.timeout == 0:
		ks.timeout = DefaultFetchTimeout
	}
	switch {
	case ks.cooldown < 0:
		return nil, configErrorf("RefetchCooldown is negative; use 0 for the default %v", DefaultRefetchCooldown)
	case ks.cooldown == 0:
		ks.cooldown = DefaultRefetchCooldown
	}
	switch {
	case ks.maxKeys < 0:
		return nil, configErrorf("MaxKeys is negative; use 0 for the default %d", DefaultMaxKeys)
	case ks.maxKeys == 0:
		ks.maxKeys = DefaultMaxKeys
	}
	if ks.log == nil {
		ks.log = slog.New(slog.DiscardHandler)
	}
	c := http.Client{}
	if cfg.HTTPClient != nil {
		c = *cfg.HTTPClient // the caller's client stays as it was
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return errRedirect }
	ks.client = &c
	empty := map[string]*ecdsa.PublicKey{}
	ks.keys.Store(&empty)
	return ks, nil
}

// key returns the key of kid at the endpoint base, fetching it once.
func (ks *keyStore) key(ctx context.Context, base, kid string) (*ecdsa.PublicKey, error) {
	u := base + "/" + kid
	if k := (*ks.keys.Load())[u]; k != nil {
		return k, nil
	}
	ks.mu.Lock()
	if !ks.failedAt.IsZero() {
		if since := time.Since(ks.failedAt); since >= 0 && since < ks.cooldown {
			failure := ks.failure
			ks.mu.Unlock()
			var prev *rejection
			if errors.As(failure, &prev) && prev.sentinel == verifier.ErrKeysUnavailable {
				return nil, &rejection{sentinel: verifier.ErrKeysUnavailable, msg: "the ALB key endpoint failed recently and is retried after RefetchCooldown", cause: prev.cause}
			}
			return nil, &rejection{sentinel: verifier.ErrCooldown, also: verifier.ErrUnknownKey,
				msg: "the kid is not a cached ALB key, and a fetch of an unknown key failed less than RefetchCooldown ago"}
		}
	}
	ks.mu.Unlock()
	k, err, _ := ks.flight.Do(ctx, u, func(fctx context.Context) (*ecdsa.PublicKey, error) {
		return ks.fetch(fctx, u)
	})
	if err != nil {
		var rej *rejection
		if !errors.As(err, &rej) { // the caller's context ended
			return nil, &rejection{sentinel: verifier.ErrKeysUnavailable, msg: "stopped waiting for the ALB key", cause: err}
		}
		return nil, err
	}
	return k, nil
}

// fetch downloads, parses and stores one key. Its errors are rejections
// matching verifier.ErrUnknownKey (the endpoint has no such key) or
// verifier.ErrKeysUnavailable.
func (ks *keyStore) fetch(ctx context.Context, u string) (*ecdsa.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, ks.timeout)
	defer cancel()
	began := time.Now()
	k, err := ks.get(ctx, u)
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		err = &rejection{sentinel: verifier.ErrKeysUnavailable, msg: fmt.Sprintf("no complete answer from %s within FetchTimeout (%v)", u, ks.timeout), cause: err}
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if err != nil {
		ks.failedAt, ks.failure = time.Now(), err
		ks.log.Warn("cognitokit/alb: key fetch failed", slog.String("url", u), slog.Duration("elapsed", time.Since(began)), slog.Any("error", err))
		return nil, err
	}
	old := *ks.keys.Load()
	next := make(map[string]*ecdsa.PublicKey, len(old)+1)
	for url, key := range old {
		next[url] = key
	}
	next[u] = k
	ks.order = append(ks.order, u)
	for len(ks.order) > ks.maxKeys {
		delete(next, ks.order[0])
		ks.order = ks.order[1:]
	}
	ks.keys.Store(&next)
	ks.log.Debug("cognitokit/alb: key fetched", slog.String("url", u), slog.Duration("elapsed", time.Since(began)))
	return k, nil
}

func (ks *keyStore) get(ctx context.Context, u string) (*ecdsa.PublicKey, error) {
	unavailable := func(msg string, cause error) error {
		return &rejection{sentinel: verifier.ErrKeysUnavailable, msg: msg, cause: cause}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, unavailable("cannot build the key request", err)
	}
	resp, err := ks.client.Do(req)
	if err != nil {
		return nil, unavailable("cannot fetch the ALB key at "+u, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusForbidden, http.StatusGone:
		// S3 (GovCloud) answers 403 for a missing object.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, &rejection{sentinel: verifier.ErrUnknownKey, msg: fmt.Sprintf("the ALB key endpoint has no key for this kid (HTTP %d)", resp.StatusCode)}
	default:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, unavailable(fmt.Sprintf("HTTP status %d from %s; want 200", resp.StatusCode, u), nil)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeyBody+1))
	if err != nil {
		return nil, unavailable("reading the key from "+u, err)
	}
	if len(body) > maxKeyBody {
		return nil, unavailable(fmt.Sprintf("the key document at %s is larger than %d bytes", u, maxKeyBody), nil)
	}
	k, err := ParsePublicKeyPEM(body)
	if err != nil {
		return nil, unavailable("the document at "+u+" is not an ALB public key", err)
	}
	return k, nil
}

// ParsePublicKeyPEM parses a key as the ALB key endpoint serves it: one
// PEM "PUBLIC KEY" block holding a P-256 SubjectPublicKeyInfo, and nothing
// but whitespace around it.
func ParsePublicKeyPEM(b []byte) (*ecdsa.PublicKey, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(b), []byte("-----BEGIN ")) {
		return nil, errors.New("not a PEM document")
	}
	blk, rest := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("no PEM PUBLIC KEY block")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("data after the PEM block")
	}
	if len(blk.Headers) != 0 {
		return nil, errors.New("the PEM block has headers")
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || k.Curve != elliptic.P256() {
		return nil, fmt.Errorf("a %T, not a P-256 ECDSA key", pub)
	}
	return k, nil
}
