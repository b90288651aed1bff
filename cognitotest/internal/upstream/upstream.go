// Package upstream is the emulator's client of third-party identity
// providers: what Cognito does towards an OIDC or OAuth 2.0 provider when
// a user signs in with it. It fetches discovery documents, exchanges
// authorization codes at the provider's token endpoint, verifies the
// provider's ID tokens (signature with the provider's JWKS, issuer,
// audience, expiry, nonce) and calls its userinfo endpoint.
//
// Every request has a timeout ([Timeout]) and every answer a size bound
// ([MaxBody]); redirects are not followed. Provider URLs must be https,
// or http on a loopback host (a provider started by a test, or a second
// emulator): see [CheckURL].
//
// ID tokens are verified with github.com/lestrrat-go/jwx/v3 (jws), which
// knows every algorithm a provider may use; the emulator's own tokens are
// signed by the emulator package.
package upstream

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// Limits of the requests to a provider.
const (
	Timeout = 10 * time.Second // each request, connection included
	MaxBody = 1 << 20          // bytes of an answer
	// Leeway is the clock skew tolerated on exp, iat and nbf.
	Leeway = time.Minute
)

// Errors. An *Error (an OAuth error answer of the provider) wraps
// ErrProvider.
var (
	// ErrUnavailable: the provider could not be reached, or did not
	// answer in time, or answered something that is not what was asked.
	ErrUnavailable = errors.New("upstream: identity provider unavailable")
	// ErrProvider: the provider answered with an error.
	ErrProvider = errors.New("upstream: identity provider error")
	// ErrInvalidToken: the provider's ID token does not verify.
	ErrInvalidToken = errors.New("upstream: invalid ID token")
	// ErrInvalidURL: a provider URL the emulator will not call.
	ErrInvalidURL = errors.New("upstream: invalid provider URL")
)

// Error is an error answer of a provider's token or userinfo endpoint.
type Error struct {
	Status      int    // HTTP status
	Code        string // RFC 6749 "error"; "" when the answer had none
	Description string // "error_description"
}

func (e *Error) Error() string {
	s := fmt.Sprintf("identity provider error: HTTP %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Description != "" {
		s += " " + e.Description
	}
	return s
}

// Unwrap returns ErrProvider.
func (e *Error) Unwrap() error { return ErrProvider }

// CheckURL checks a provider URL: absolute, https, or http on a loopback
// host (localhost, 127.0.0.0/8, ::1), without user info or fragment.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || len(raw) > 2048 {
		return fmt.Errorf("%w: %q is not an absolute URL without user info or fragment", ErrInvalidURL, truncate(raw, 128))
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if Loopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%w: %q: http is allowed on loopback hosts only; use https", ErrInvalidURL, truncate(raw, 128))
	}
	return fmt.Errorf("%w: %q: want https", ErrInvalidURL, truncate(raw, 128))
}

// Loopback reports whether host is localhost or a loopback IP.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Client calls identity providers. The zero value is not usable: use
// [New].
type Client struct {
	http *http.Client
	now  func() time.Time
}

// New returns a client with the package's timeout, no redirects, and now
// as its clock (for expiry checks).
func New(now func() time.Time) *Client {
	return &Client{
		http: &http.Client{
			Timeout:       Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		now: now,
	}
}

// Discovery is what the emulator uses of an OpenID Provider's discovery
// document.
type Discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	UserinfoEndpoint      string `json:"userinfo_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
}

// Discover fetches {issuer}/.well-known/openid-configuration and checks
// that it names issuer and has the endpoints a sign-in needs.
func (c *Client) Discover(ctx context.Context, issuer string) (*Discovery, error) {
	if err := CheckURL(issuer); err != nil {
		return nil, err
	}
	var d Discovery
	if err := c.getJSON(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &d); err != nil {
		return nil, err
	}
	if strings.TrimSuffix(d.Issuer, "/") != strings.TrimSuffix(issuer, "/") {
		return nil, fmt.Errorf("%w: the discovery document of %s names the issuer %q", ErrUnavailable, truncate(issuer, 128), truncate(d.Issuer, 128))
	}
	for name, u := range map[string]string{"authorization_endpoint": d.AuthorizationEndpoint, "token_endpoint": d.TokenEndpoint, "jwks_uri": d.JWKSURI} {
		if err := CheckURL(u); err != nil {
			return nil, fmt.Errorf("%w: the discovery document of %s: %s: %w", ErrUnavailable, truncate(issuer, 128), name, err)
		}
	}
	if d.UserinfoEndpoint != "" {
		if err := CheckURL(d.UserinfoEndpoint); err != nil {
			return nil, fmt.Errorf("%w: the discovery document of %s: userinfo_endpoint: %w", ErrUnavailable, truncate(issuer, 128), err)
		}
	}
	return &d, nil
}

// TokenResponse is a provider's answer to an authorization code.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	IDToken     string `json:"id_token"`
}

// Exchange redeems an authorization code at tokenURL with form (the
// grant, the client's credentials as client_secret_post).
func (c *Client) Exchange(ctx context.Context, tokenURL string, form url.Values) (*TokenResponse, error) {
	if err := CheckURL(tokenURL); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	var t TokenResponse
	if err := c.do(req, &t); err != nil {
		return nil, err
	}
	if t.AccessToken == "" && t.IDToken == "" {
		return nil, fmt.Errorf("%w: the token endpoint answered neither access_token nor id_token", ErrUnavailable)
	}
	return &t, nil
}

// UserInfo calls a userinfo (attributes) endpoint with the access token,
// by GET or POST (Cognito's attributes_request_method).
func (c *Client) UserInfo(ctx context.Context, endpoint, method, accessToken string) (map[string]any, error) {
	if err := CheckURL(endpoint); err != nil {
		return nil, err
	}
	var req *http.Request
	var err error
	if method == http.MethodPost {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, endpoint, http.NoBody)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, endpoint, http.NoBody)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	var claims map[string]any
	if err := c.do(req, &claims); err != nil {
		return nil, err
	}
	if claims == nil {
		return nil, fmt.Errorf("%w: the userinfo endpoint answered null", ErrUnavailable)
	}
	return claims, nil
}

// IDTokenCheck is what an ID token must satisfy.
type IDTokenCheck struct {
	JWKSURI  string
	Issuer   string // "" : not checked (a provider without an issuer)
	Audience string // the client ID
	Nonce    string // "" : the token must have none
}

// VerifyIDToken verifies raw's signature with the keys at chk.JWKSURI and
// its claims, and returns the claims.
func (c *Client) VerifyIDToken(ctx context.Context, raw string, chk IDTokenCheck) (map[string]any, error) {
	if len(raw) > 64<<10 {
		return nil, fmt.Errorf("%w: larger than 64 KiB", ErrInvalidToken)
	}
	if err := CheckURL(chk.JWKSURI); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, chk.JWKSURI, http.NoBody)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	body, err := c.fetch(req)
	if err != nil {
		return nil, err
	}
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("%w: the key set at %s: %v", ErrUnavailable, truncate(chk.JWKSURI, 128), err)
	}
	payload, err := jws.Verify([]byte(raw), jws.WithKeySet(set, jws.WithInferAlgorithmFromKey(true)))
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrInvalidToken, err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil || claims == nil {
		return nil, fmt.Errorf("%w: the payload is not a JSON object", ErrInvalidToken)
	}
	now := c.now()
	if iss, _ := claims["iss"].(string); chk.Issuer != "" && strings.TrimSuffix(iss, "/") != strings.TrimSuffix(chk.Issuer, "/") {
		return nil, fmt.Errorf("%w: issuer %q; want %q", ErrInvalidToken, truncate(iss, 128), truncate(chk.Issuer, 128))
	}
	if !HasAudience(claims["aud"], chk.Audience) {
		return nil, fmt.Errorf("%w: the audience is not the client ID %q", ErrInvalidToken, chk.Audience)
	}
	exp, ok := claims["exp"].(float64)
	if !ok {
		return nil, fmt.Errorf("%w: no exp", ErrInvalidToken)
	}
	if !now.Before(time.Unix(int64(exp), 0).Add(Leeway)) {
		return nil, fmt.Errorf("%w: expired", ErrInvalidToken)
	}
	if nbf, ok := claims["nbf"].(float64); ok && now.Add(Leeway).Before(time.Unix(int64(nbf), 0)) {
		return nil, fmt.Errorf("%w: not valid yet (nbf)", ErrInvalidToken)
	}
	if iat, ok := claims["iat"].(float64); ok && now.Add(Leeway).Before(time.Unix(int64(iat), 0)) {
		return nil, fmt.Errorf("%w: issued in the future (iat)", ErrInvalidToken)
	}
	nonce, _ := claims["nonce"].(string)
	if subtle.ConstantTimeCompare([]byte(nonce), []byte(chk.Nonce)) != 1 {
		return nil, fmt.Errorf("%w: the nonce does not match the sign-in's", ErrInvalidToken)
	}
	if sub, _ := claims["sub"].(string); sub == "" {
		return nil, fmt.Errorf("%w: no sub", ErrInvalidToken)
	}
	return claims, nil
}

func HasAudience(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		for _, v := range a {
			if s, _ := v.(string); s == want {
				return true
			}
		}
	}
	return false
}

func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, http.NoBody)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	req.Header.Set("Accept", "application/json")
	return c.do(req, v)
}

// do sends req and decodes a JSON answer into v; an error status becomes
// an *Error.
func (c *Client) do(req *http.Request, v any) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s %s: %v", ErrUnavailable, req.Method, truncate(req.URL.Redacted(), 128), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return fmt.Errorf("%w: %s %s: reading the answer: %v", ErrUnavailable, req.Method, truncate(req.URL.Redacted(), 128), err)
	}
	if len(body) > MaxBody {
		return fmt.Errorf("%w: %s %s: the answer exceeds %d bytes", ErrUnavailable, req.Method, truncate(req.URL.Redacted(), 128), MaxBody)
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Status: resp.StatusCode}
		var oe struct {
			Error            string `json:"error"`
			ErrorDescription string `json:"error_description"`
		}
		if json.Unmarshal(body, &oe) == nil {
			e.Code, e.Description = truncate(oe.Error, 64), truncate(oe.ErrorDescription, 256)
		}
		return e
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		return fmt.Errorf("%w: %s %s: answered %q, not JSON", ErrUnavailable, req.Method, truncate(req.URL.Redacted(), 128), truncate(ct, 64))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %s %s: the answer is not the expected JSON: %v", ErrUnavailable, req.Method, truncate(req.URL.Redacted(), 128), err)
	}
	return nil
}

// fetch GETs req's body (any content type), bounded.
func (c *Client) fetch(req *http.Request) ([]byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: GET %s: %v", ErrUnavailable, truncate(req.URL.Redacted(), 128), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: GET %s: %v", ErrUnavailable, truncate(req.URL.Redacted(), 128), err)
	case len(body) > MaxBody:
		return nil, fmt.Errorf("%w: GET %s: the answer exceeds %d bytes", ErrUnavailable, truncate(req.URL.Redacted(), 128), MaxBody)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: GET %s: HTTP %d", ErrUnavailable, truncate(req.URL.Redacted(), 128), resp.StatusCode)
	}
	return body, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
