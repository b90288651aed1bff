package identitypool

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Limits on what login sources return and on Config.
const (
	// MaxLogins is the largest number of logins Cognito accepts in one
	// Logins map.
	MaxLogins = 10
	// MaxTokenBytes is the longest login token Cognito accepts.
	MaxTokenBytes = 50000
)

// DeveloperProvider is the Logins key of the OpenID tokens that Cognito
// Identity issues itself, for developer-authenticated identities.
const DeveloperProvider = "cognito-identity.amazonaws.com"

var (
	userPoolIDRE   = regexp.MustCompile(`^([a-z]{2}(?:-gov)?-[a-z]+-\d)_[A-Za-z0-9]+$`)
	providerNameRE = regexp.MustCompile(`^[\w._:/-]{1,128}$`)
)

// Login is one entry of the Logins map: an identity provider and a source
// of its tokens.
type Login struct {
	// Provider is the Logins key, such as
	// "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123" (see
	// [UserPoolProvider]) or "accounts.google.com".
	Provider string

	// Source returns the provider's tokens. The ID token is read from
	// the token's "id_token" extra when present (x/oauth2 sources, the
	// srpclient and oauth packages) and from AccessToken otherwise
	// (srpclient.TokenSourceConfig.UseIDToken). It must be safe for
	// concurrent use. If it also has a method Invalidate(), that is called
	// before asking again when Cognito says the token expired.
	Source oauth2.TokenSource
}

// UserPoolProvider returns the Logins key of a Cognito user pool:
// "cognito-idp.{region}.amazonaws.com/{userPoolID}". It returns "" when
// userPoolID is not a pool ID such as "us-east-1_AbC123".
func UserPoolProvider(userPoolID string) string {
	m := userPoolIDRE.FindStringSubmatch(userPoolID)
	if m == nil {
		return ""
	}
	return "cognito-idp." + m[1] + ".amazonaws.com/" + userPoolID
}

// UserPoolLogin is the Login of a Cognito user pool whose ID tokens come
// from src, such as an srpclient.TokenSource. It returns an error wrapping
// ErrInvalidInput for a malformed pool ID or a nil source.
func UserPoolLogin(userPoolID string, src oauth2.TokenSource) (Login, error) {
	p := UserPoolProvider(userPoolID)
	if p == "" {
		return Login{}, errorf(ErrInvalidInput, "user pool ID %q: want region_id, such as us-east-1_AbC123", clip(userPoolID, 64))
	}
	l := Login{Provider: p, Source: src}
	return l, l.validate()
}

func (l Login) validate() error {
	switch {
	case !providerNameRE.MatchString(l.Provider):
		return errorf(ErrInvalidInput, "login provider %q: want a Logins key such as cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123", clip(l.Provider, 64))
	case l.Provider == DeveloperProvider:
		return errorf(ErrInvalidInput, "login provider %s: use Config.Developer for developer-authenticated identities", DeveloperProvider)
	case l.Source == nil:
		return errorf(ErrInvalidInput, "login %s has no Source", l.Provider)
	}
	return nil
}

func validateLogins(logins []Login) error {
	if len(logins) > MaxLogins {
		return errorf(ErrInvalidInput, "%d logins; Cognito accepts at most %d", len(logins), MaxLogins)
	}
	seen := make(map[string]bool, len(logins))
	for _, l := range logins {
		if err := l.validate(); err != nil {
			return err
		}
		if seen[l.Provider] {
			return errorf(ErrInvalidInput, "login provider %s appears twice", l.Provider)
		}
		seen[l.Provider] = true
	}
	return nil
}

// tokenClaims are the unverified claims the provider reads from a login
// token. They only key the identity cache and schedule refreshes; Cognito
// verifies the token.
type tokenClaims struct {
	Sub      string
	Iss      string
	TokenUse string
	Exp      time.Time
}

var errNotJWT = errors.New("not a JWT")

// parseUnverified reads sub, iss, token_use and exp from a compact JWS
// without verifying it.
func parseUnverified(tok string) (tokenClaims, error) {
	if len(tok) == 0 || len(tok) > MaxTokenBytes {
		return tokenClaims{}, errNotJWT
	}
	_, rest, ok := strings.Cut(tok, ".")
	if !ok {
		return tokenClaims{}, errNotJWT
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sig, ".") || payload == "" {
		return tokenClaims{}, errNotJWT
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return tokenClaims{}, errNotJWT
	}
	// A map, not a struct: encoding/json matches struct fields case
	// insensitively, and "SUB" must not pass for "sub".
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return tokenClaims{}, errNotJWT
	}
	var c tokenClaims
	c.Sub, _ = raw["sub"].(string)
	c.Iss, _ = raw["iss"].(string)
	c.TokenUse, _ = raw["token_use"].(string)
	if f, ok := raw["exp"].(float64); ok && f > 0 && f < 1e11 {
		c.Exp = time.Unix(int64(f), 0)
	}
	return c, nil
}

// idTokenOf returns the ID token carried by an oauth2.Token.
func idTokenOf(t *oauth2.Token) string {
	if t == nil {
		return ""
	}
	if s, ok := t.Extra("id_token").(string); ok && s != "" {
		return s
	}
	return t.AccessToken
}

// resolvedLogins are the tokens of one Retrieve.
type resolvedLogins struct {
	m   map[string]string // Logins map for the API
	key string            // identity cache key: providers and subjects
	exp time.Time         // earliest token expiry (zero if unknown)
}

type tokenContexter interface {
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

type invalidator interface{ Invalidate() }

// fetch asks each source for its token. With refresh, sources that can be
// invalidated are invalidated first.
func fetchLogins(ctx context.Context, logins []Login, refresh bool) (resolvedLogins, error) {
	r := resolvedLogins{m: make(map[string]string, len(logins))}
	var key strings.Builder
	for _, l := range logins {
		if refresh {
			if inv, ok := l.Source.(invalidator); ok {
				inv.Invalidate()
			}
		}
		var t *oauth2.Token
		var err error
		if tc, ok := l.Source.(tokenContexter); ok {
			t, err = tc.TokenContext(ctx)
		} else {
			t, err = l.Source.Token()
		}
		if err != nil {
			return r, errorf(ErrLoginSource, "login %s: %w", l.Provider, err)
		}
		tok := idTokenOf(t)
		if tok == "" {
			return r, errorf(ErrInvalidLogin, "login %s: the source returned no token", l.Provider)
		}
		if len(tok) > MaxTokenBytes {
			return r, errorf(ErrInvalidLogin, "login %s: the token is longer than %d bytes", l.Provider, MaxTokenBytes)
		}
		c, err := parseUnverified(tok)
		if err != nil {
			if strings.HasPrefix(l.Provider, "cognito-idp.") {
				return r, errorf(ErrInvalidLogin, "login %s: the source returned a token that is not a JWT", l.Provider)
			}
			c = tokenClaims{} // other providers may use opaque tokens
		}
		if c.TokenUse == "access" {
			return r, errorf(ErrInvalidLogin, "login %s: the source returned an access token; Cognito Identity needs the ID token (srpclient: TokenSourceConfig.UseIDToken; oauth: the openid scope)", l.Provider)
		}
		subject := c.Sub
		if subject == "" {
			sum := sha256.Sum256([]byte(tok))
			subject = "#" + hex.EncodeToString(sum[:16])
		}
		r.m[l.Provider] = tok
		key.WriteString(l.Provider)
		key.WriteByte(0)
		key.WriteString(c.Iss)
		key.WriteByte(0)
		key.WriteString(subject)
		key.WriteByte(0)
		if !c.Exp.IsZero() && (r.exp.IsZero() || c.Exp.Before(r.exp)) {
			r.exp = c.Exp
		}
	}
	r.key = key.String()
	return r, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
