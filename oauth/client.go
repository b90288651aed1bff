package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// Defaults.
const (
	// DefaultTimeout bounds each request of the default HTTP client.
	DefaultTimeout = 10 * time.Second
	// DefaultEarlyExpiry is how long before its expiry a client-credentials
	// token is replaced.
	DefaultEarlyExpiry = time.Minute
	// MaxTokenSize is the longest code, token or state accepted as input,
	// in bytes: verifier.DefaultMaxTokenSize, the name and the value of
	// package verifier.
	MaxTokenSize = 16 << 10
	// MaxTokenLength is the former name of MaxTokenSize.
	//
	// Deprecated: use MaxTokenSize.
	MaxTokenLength = MaxTokenSize
)

// Config configures a [Client].
type Config struct {
	// Domain is the OAuth domain: "https://{prefix}.auth.{region}.amazoncognito.com",
	// a custom domain, or an emulator's base URL. Required. See
	// [NewEndpoints].
	Domain string

	// ClientID is the app client ID. Required.
	ClientID string

	// ClientSecret is the app client secret. Optional: empty for a public
	// client, which authenticates with client_id alone and must use PKCE.
	// A confidential client authenticates with HTTP Basic
	// (client_secret_basic).
	ClientSecret string

	// RedirectURL is the callback URL registered on the app client, where
	// managed login sends the browser with the code. Required for the
	// authorization code flow (AuthCodeURL, Exchange).
	RedirectURL string

	// Scopes requested by AuthCodeURL. Optional. Default: "openid",
	// "email", "profile". Without "openid" no ID token is issued.
	Scopes []string

	// UserPoolID is the user pool ID ("us-east-1_AbC123"), used to verify
	// ID tokens. Required for the methods that verify ID tokens
	// ([Client.Exchange], [Client.Refresh], [Client.VerifyIDToken]) unless
	// IDTokenVerifier is set; those methods fail with a
	// [*MissingUserPoolError] without it. Optional for client credentials
	// ([Client.ClientCredentials]), revocation, userInfo and logout URLs.
	UserPoolID string

	// Issuer and JWKSURL override the expected ID token issuer and the key
	// set location, for emulators such as cognitotest (Pool.Issuer,
	// Pool.JWKSURL). Optional; only with UserPoolID. Default: the AWS
	// issuer of UserPoolID.
	Issuer  string
	JWKSURL string

	// IDTokenVerifier verifies ID tokens instead of a verifier built from
	// UserPoolID: a [*verifier.Verifier] that accepts ID tokens (TokenUseID
	// or TokenUseAny) of ClientID, or any [auth.TokenVerifier], as the
	// transports take. Optional. Whatever it returns, the Client still
	// checks that the claims are an ID token's (TokenUse) of ClientID, and
	// the nonce and at_hash, which it reads with Claims.String; a custom
	// verifier builds its claims with [verifier.ParseUnverifiedClaims]. Its
	// errors matching [verifier.ErrKeysUnavailable] become ErrUnavailable,
	// all others ErrInvalidIDToken. The Client does not close it.
	IDTokenVerifier auth.TokenVerifier

	// HTTPClient sends every request (token, userInfo, revoke, JWKS).
	// Optional. Default: a client with a DefaultTimeout timeout that does
	// not follow redirects.
	HTTPClient *http.Client

	// EarlyExpiry is how long before expiry a cached client-credentials
	// token is replaced. Optional. Default DefaultEarlyExpiry, reduced to
	// a quarter of the token lifetime for short-lived tokens.
	EarlyExpiry time.Duration

	// Now is the clock. Optional. Default time.Now.
	Now func() time.Time
}

// Client talks to the OAuth 2.0 endpoints of a Cognito user pool domain.
// It is safe for concurrent use. Create it with [New]; call [Client.Close]
// when done.
type Client struct {
	ep        Endpoints
	cfg       Config
	oc        oauth2.Config
	hc        *http.Client
	v         auth.TokenVerifier
	ownV      *verifier.Verifier // built by New from UserPoolID; Close closes it
	wantID    bool               // Scopes include openid
	now       func() time.Time
	earlyExpy time.Duration
}

// New validates cfg and returns a Client. It does no network I/O. Errors
// wrap [ErrInvalidConfig].
func New(cfg Config) (*Client, error) {
	ep, err := NewEndpoints(cfg.Domain)
	if err != nil {
		return nil, err
	}
	if cfg.ClientID == "" || len(cfg.ClientID) > 128 || strings.ContainsAny(cfg.ClientID, " \t\r\n:") {
		return nil, configErr("ClientID: want the app client ID (1 to 128 characters)")
	}
	if len(cfg.ClientSecret) > 512 || strings.ContainsAny(cfg.ClientSecret, "\r\n") {
		return nil, configErr("ClientSecret: longer than 512 bytes or contains a line break")
	}
	if cfg.RedirectURL != "" {
		if err := checkAbsURL(cfg.RedirectURL); err != nil {
			return nil, configErr("RedirectURL: %v", err)
		}
	}
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"openid", "email", "profile"}
	}
	cfg.Scopes = append([]string(nil), cfg.Scopes...)
	for _, s := range cfg.Scopes {
		if err := checkScope(s); err != nil {
			return nil, configErr("Scopes: %v", err)
		}
	}
	if cfg.EarlyExpiry < 0 {
		return nil, configErr("EarlyExpiry must not be negative")
	}
	if cfg.EarlyExpiry == 0 {
		cfg.EarlyExpiry = DefaultEarlyExpiry
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{
			Timeout:       DefaultTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	c := &Client{ep: ep, cfg: cfg, hc: hc, now: cfg.Now, earlyExpy: cfg.EarlyExpiry}
	for _, s := range cfg.Scopes {
		if s == "openid" {
			c.wantID = true
		}
	}
	style := oauth2.AuthStyleInHeader
	if cfg.ClientSecret == "" {
		style = oauth2.AuthStyleInParams
	}
	c.oc = oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint:     ep.OAuth2(style),
		RedirectURL:  cfg.RedirectURL,
		Scopes:       cfg.Scopes,
	}
	switch {
	case cfg.IDTokenVerifier != nil:
		if v, ok := cfg.IDTokenVerifier.(*verifier.Verifier); ok && v == nil {
			return nil, configErr("IDTokenVerifier is a nil *verifier.Verifier; check the error of verifier.New")
		}
		c.v = cfg.IDTokenVerifier
	case cfg.UserPoolID == "":
		// Fine for client credentials; the ID token methods report a
		// *MissingUserPoolError.
		if cfg.Issuer != "" || cfg.JWKSURL != "" {
			return nil, configErr("Issuer and JWKSURL apply to the ID token verifier: set UserPoolID too")
		}
	default:
		v, err := verifier.New(verifier.Config{
			Pools: []verifier.Pool{{
				UserPoolID: cfg.UserPoolID,
				ClientIDs:  []string{cfg.ClientID},
				TokenUse:   verifier.TokenUseID,
				Issuer:     cfg.Issuer,
				JWKSURL:    cfg.JWKSURL,
			}},
			HTTPClient: hc,
			Now:        cfg.Now,
			Leeway:     30 * time.Second,
		})
		if err != nil {
			return nil, configErr("ID token verifier: %v", err)
		}
		c.v, c.ownV = v, v
	}
	return c, nil
}

// idTokenVerifier returns the ID token verifier, or a *MissingUserPoolError
// naming op when the Client was created without one.
func (c *Client) idTokenVerifier(op string) (auth.TokenVerifier, error) {
	if c.v == nil {
		return nil, &MissingUserPoolError{Op: op}
	}
	return c.v, nil
}

// Close releases the ID token verifier built by [New] (not one passed in
// Config.IDTokenVerifier). It is idempotent.
func (c *Client) Close() error {
	if c.ownV != nil {
		return c.ownV.Close()
	}
	return nil
}

// VerifiesIDTokens reports whether the Client can verify ID tokens: whether
// it was created with Config.UserPoolID or Config.IDTokenVerifier. Without
// either, [Client.Exchange] (with the openid scope), [Client.Refresh] and
// [Client.VerifyIDToken] fail with a [*MissingUserPoolError]; code that
// needs them, such as a web login, checks this at startup.
func (c *Client) VerifiesIDTokens() bool { return c.v != nil }

// Endpoints returns the endpoints of the client's domain.
func (c *Client) Endpoints() Endpoints { return c.ep }

// ClientID returns the app client ID.
func (c *Client) ClientID() string { return c.cfg.ClientID }

// OAuth2Config returns a copy of the golang.org/x/oauth2 configuration the
// client uses, for code that wants x/oauth2 directly.
func (c *Client) OAuth2Config() *oauth2.Config {
	oc := c.oc
	oc.Scopes = append([]string(nil), c.oc.Scopes...)
	return &oc
}

// AuthRequest holds the secrets of one authorization request: the state
// (CSRF protection of the callback), the OIDC nonce (replay protection of the
// ID token) and the PKCE code verifier. Keep it on the server side, or in an
// encrypted cookie, between [Client.AuthCodeURL] and [Client.Exchange].
type AuthRequest struct {
	State        string
	Nonce        string
	CodeVerifier string
}

// NewAuthRequest returns an AuthRequest with fresh random values (256 bits
// each; the code verifier is 43 characters, per RFC 7636).
func NewAuthRequest() (AuthRequest, error) {
	var b [96]byte
	if _, err := rand.Read(b[:]); err != nil {
		return AuthRequest{}, fmt.Errorf("oauth: random source failed: %w", err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return AuthRequest{State: enc(b[:32]), Nonce: enc(b[32:64]), CodeVerifier: enc(b[64:])}, nil
}

// An AuthOption adds a parameter to the authorization URL. The set of
// options is closed: use the functions below.
type AuthOption interface{ apply(url.Values) error }

type authParam struct{ k, v string }

func (p authParam) apply(q url.Values) error {
	if p.v == "" || len(p.v) > 2048 {
		return inputErr("%s: want 1 to 2048 bytes", p.k)
	}
	q.Set(p.k, p.v)
	return nil
}

// providerParam is identity_provider or idp_identifier: at most one of the
// two may be set, since managed login would have to guess which one wins.
type providerParam struct{ k, v string }

func (p providerParam) apply(q url.Values) error {
	var err error
	other := "idp_identifier"
	if p.k == "identity_provider" {
		err = CheckProviderName(p.v)
	} else {
		other = "identity_provider"
		err = CheckIDPIdentifier(p.v)
	}
	if err != nil {
		return err
	}
	if q.Has(other) {
		return inputErr("identity_provider and idp_identifier both set: name the provider one way only")
	}
	q.Set(p.k, p.v)
	return nil
}

// IdentityProvider sends the browser straight to an identity provider of
// the app client, skipping the managed-login page: "Google", "Facebook",
// "LoginWithAmazon", "SignInWithApple", the name of an OIDC or SAML
// provider, or "COGNITO" for the user pool's own sign-in page. The name is
// checked with [CheckProviderName]; AuthCodeURL fails when it is invalid or
// when [IDPIdentifier] is also given.
func IdentityProvider(name string) AuthOption { return providerParam{"identity_provider", name} }

// IDPIdentifier sends the browser straight to the identity provider that
// has this identifier (CreateIdentityProvider's IdpIdentifiers), checked
// with [CheckIDPIdentifier]. AuthCodeURL fails when [IdentityProvider] is
// also given.
func IDPIdentifier(id string) AuthOption { return providerParam{"idp_identifier", id} }

// Limits of identity provider names and identifiers, as Cognito sets them.
const (
	// MaxProviderNameLen is the longest provider name, in characters.
	MaxProviderNameLen = 32
	// MaxIDPIdentifierLen is the longest IdP identifier, in characters.
	MaxIDPIdentifierLen = 40
)

// CheckProviderName reports whether name is an identity provider name
// Cognito accepts (CreateIdentityProvider's ProviderName): 1 to 32
// letters, marks, symbols, digits or punctuation, without spaces, and
// without an underscore except as the second character (Cognito builds
// federated usernames as "Provider_sub"). Errors wrap
// [ErrInvalidInput].
func CheckProviderName(name string) error {
	if name == "" || len(name) > 4*MaxProviderNameLen || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxProviderNameLen {
		return inputErr("identity provider name %q: want 1 to %d characters", truncate(name, 40), MaxProviderNameLen)
	}
	i := 0
	for _, r := range name {
		if !unicode.In(r, unicode.L, unicode.M, unicode.S, unicode.N, unicode.P) || (r == '_' && i != 1) {
			return inputErr("identity provider name %q: only letters, digits, symbols and punctuation, without spaces, and an underscore only as the second character", truncate(name, 40))
		}
		i++
	}
	return nil
}

// CheckIDPIdentifier reports whether id is an IdP identifier Cognito
// accepts: 1 to 40 of A-Z a-z 0-9 _ + = . @ - and space, not starting or
// ending with a space. Errors wrap [ErrInvalidInput].
func CheckIDPIdentifier(id string) error {
	if id == "" || len(id) > MaxIDPIdentifierLen {
		return inputErr("IdP identifier %q: want 1 to %d characters", truncate(id, 48), MaxIDPIdentifierLen)
	}
	if id[0] == ' ' || id[len(id)-1] == ' ' {
		return inputErr("IdP identifier %q: must not start or end with a space", truncate(id, 48))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_+=.@- ", c) >= 0) {
			return inputErr("IdP identifier %q: only A-Z a-z 0-9 _ + = . @ - and spaces are allowed", truncate(id, 48))
		}
	}
	return nil
}

// LoginHint pre-fills the username field of the sign-in page.
func LoginHint(username string) AuthOption { return authParam{"login_hint", username} }

// Lang sets the language of managed login ("en", "fr", "de", ...).
func Lang(lang string) AuthOption { return authParam{"lang", lang} }

// Prompt sets prompt: "login" forces a new sign-in even with an existing
// managed-login session; "none" fails with login_required instead of
// showing the sign-in page.
func Prompt(prompt string) AuthOption { return authParam{"prompt", prompt} }

type scopesOption []string

func (s scopesOption) apply(q url.Values) error {
	if len(s) == 0 {
		return inputErr("WithScopes: want at least one scope")
	}
	for _, sc := range s {
		if err := checkScope(sc); err != nil {
			return inputErr("WithScopes: %v", err)
		}
	}
	q.Set("scope", strings.Join(s, " "))
	return nil
}

// WithScopes requests these scopes instead of Config.Scopes.
func WithScopes(scopes ...string) AuthOption { return scopesOption(append([]string(nil), scopes...)) }

// AuthCodeURL returns the managed-login URL that starts an authorization
// code flow with PKCE (S256): response_type=code, client_id, redirect_uri,
// scope, state, nonce, code_challenge and code_challenge_method, plus the
// options. Errors wrap [ErrInvalidInput] or [ErrInvalidConfig].
func (c *Client) AuthCodeURL(req AuthRequest, opts ...AuthOption) (string, error) {
	if c.cfg.RedirectURL == "" {
		return "", configErr("RedirectURL is required for the authorization code flow")
	}
	if err := req.check(); err != nil {
		return "", err
	}
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {c.cfg.ClientID},
		"redirect_uri":          {c.cfg.RedirectURL},
		"state":                 {req.State},
		"nonce":                 {req.Nonce},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(req.CodeVerifier)},
		"code_challenge_method": {"S256"},
	}
	if len(c.cfg.Scopes) > 0 {
		q.Set("scope", strings.Join(c.cfg.Scopes, " "))
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(q); err != nil {
			return "", err
		}
	}
	return c.ep.AuthURL + "?" + q.Encode(), nil
}

func (r AuthRequest) check() error {
	if r.State == "" || len(r.State) > 1024 {
		return inputErr("AuthRequest.State: want 1 to 1024 bytes (use NewAuthRequest)")
	}
	if len(r.Nonce) > 1024 {
		return inputErr("AuthRequest.Nonce: at most 1024 bytes")
	}
	if n := len(r.CodeVerifier); n < 43 || n > 128 {
		return inputErr("AuthRequest.CodeVerifier: want 43 to 128 characters (RFC 7636; use NewAuthRequest)")
	}
	for i := 0; i < len(r.CodeVerifier); i++ {
		ch := r.CodeVerifier[i]
		if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			return inputErr("AuthRequest.CodeVerifier: only A-Z a-z 0-9 - . _ ~ are allowed (RFC 7636)")
		}
	}
	return nil
}

// Tokens are the tokens returned by the token endpoint.
//
// They have the shape of [srpclient.Tokens] for what both packages return:
// AccessToken, IDToken, RefreshToken, TokenType, Expiry and Rotated, with
// [Tokens.Valid] and [Tokens.OAuth2Token]. IDClaims is oauth's own: this
// package verifies every ID token it receives, because the code flow passes
// through the browser. srpclient's Username and DeviceKey are not here:
// they serve refreshes through the user pool API, which this package does
// not use.
//
// [srpclient.Tokens]: https://pkg.go.dev/github.com/cognitokit/cognitokit/srpclient#Tokens
type Tokens struct {
	AccessToken  string
	IDToken      string // empty when the scope had no openid
	RefreshToken string // empty for client credentials; after a refresh without rotation, the one refreshed
	TokenType    string // "Bearer"
	// Expiry is when the access token expires (from expires_in).
	Expiry time.Time
	// Rotated is true when a refresh returned a new refresh token
	// (refresh token rotation): store it, the old one stops working.
	Rotated bool
	// IDClaims are the verified claims of IDToken; nil without ID token.
	IDClaims *verifier.Claims
}

// Valid reports whether t has an access token that is not expired at now.
// A nil t is not valid.
func (t *Tokens) Valid(now time.Time) bool {
	return t != nil && t.AccessToken != "" && now.Before(t.Expiry)
}

// OAuth2Token returns t as an *oauth2.Token, with the ID token in its
// "id_token" extra.
func (t *Tokens) OAuth2Token() *oauth2.Token {
	tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry}
	if t.IDToken != "" {
		tok = tok.WithExtra(map[string]any{"id_token": t.IDToken})
	}
	return tok
}

// Exchange redeems an authorization code at the token endpoint with the
// request's PKCE verifier, then verifies the ID token: signature, issuer,
// audience, expiry, the nonce of req and, when present, at_hash against the
// access token.
//
// Compare the callback's state with req.State before calling Exchange
// (weblogin does). Errors: [*Error] for endpoint errors (ErrInvalidGrant for
// a used or expired code, a wrong verifier or redirect URI),
// ErrInvalidIDToken (and ErrNonceMismatch, ErrAtHashMismatch),
// ErrUnavailable, ErrBadResponse, ErrInvalidInput.
func (c *Client) Exchange(ctx context.Context, code string, req AuthRequest) (*Tokens, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if code == "" || len(code) > 2048 {
		return nil, inputErr("code: want 1 to 2048 bytes")
	}
	if c.cfg.RedirectURL == "" {
		return nil, configErr("RedirectURL is required for the authorization code flow")
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	if c.wantID && c.v == nil {
		// Fail before redeeming the single-use code.
		return nil, &MissingUserPoolError{Op: "exchange"}
	}
	tok, err := c.oc.Exchange(c.ctx(ctx), code, oauth2.VerifierOption(req.CodeVerifier))
	if err != nil {
		return nil, c.wrap(ctx, "exchange", err)
	}
	t, err := c.tokens(tok)
	if err != nil {
		return nil, err
	}
	if t.IDToken == "" {
		if c.wantID {
			return nil, fmt.Errorf("%w: exchange: no id_token in the response although the openid scope was requested", ErrBadResponse)
		}
		return t, nil
	}
	claims, err := c.verifyIDToken(ctx, "exchange", t.IDToken, t.AccessToken, req.Nonce, true)
	if err != nil {
		return nil, err
	}
	t.IDClaims = claims
	return t, nil
}

// Refresh redeems a refresh token for new tokens. With refresh token
// rotation the result carries a new refresh token (Tokens.Rotated);
// otherwise RefreshToken is the one passed in. The new ID token is verified
// (it carries no nonce).
//
// ErrInvalidGrant means the refresh token is expired, revoked or unknown:
// the session is over and the user must sign in again.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if refreshToken == "" || len(refreshToken) > MaxTokenSize {
		return nil, inputErr("refresh token: want 1 to %d bytes", MaxTokenSize)
	}
	if c.wantID && c.v == nil {
		// Fail before a rotating refresh token is spent.
		return nil, &MissingUserPoolError{Op: "refresh"}
	}
	// x/oauth2's refresher posts grant_type=refresh_token with the client
	// authentication style; it copies the old refresh token into the result
	// when none is returned, which is how rotation is detected below.
	src := c.oc.TokenSource(c.ctx(ctx), &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Unix(1, 0)})
	tok, err := src.Token()
	if err != nil {
		return nil, c.wrap(ctx, "refresh", err)
	}
	t, err := c.tokens(tok)
	if err != nil {
		return nil, err
	}
	if t.RefreshToken != "" && t.RefreshToken != refreshToken {
		t.Rotated = true
	} else {
		t.RefreshToken = refreshToken
	}
	if t.IDToken != "" {
		claims, err := c.verifyIDToken(ctx, "refresh", t.IDToken, t.AccessToken, "", false)
		if err != nil {
			return nil, err
		}
		t.IDClaims = claims
	}
	return t, nil
}

func (c *Client) tokens(tok *oauth2.Token) (*Tokens, error) {
	if tok.AccessToken == "" || len(tok.AccessToken) > MaxTokenSize {
		if tok.AccessToken != "" {
			return nil, fmt.Errorf("%w: %w: the access_token is longer than %d bytes", ErrBadResponse, verifier.ErrTooLarge, MaxTokenSize)
		}
		return nil, fmt.Errorf("%w: missing access_token", ErrBadResponse)
	}
	t := &Tokens{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType, Expiry: tok.Expiry}
	if id, ok := tok.Extra("id_token").(string); ok {
		if len(id) > MaxTokenSize {
			return nil, fmt.Errorf("%w: %w: the id_token is longer than %d bytes", ErrBadResponse, verifier.ErrTooLarge, MaxTokenSize)
		}
		t.IDToken = id
	}
	if sec, ok := tok.Extra("expires_in").(float64); ok && sec > 0 {
		t.Expiry = c.now().Add(time.Duration(sec) * time.Second) // on our clock
	}
	return t, nil
}

// ctx attaches the HTTP client the way x/oauth2 expects it. The value
// never leaves this package.
func (c *Client) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.hc)
}

// wrap converts x/oauth2 and transport errors into this package's errors.
func (c *Client) wrap(ctx context.Context, op string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		e := &Error{Op: op, Code: re.ErrorCode, Description: cleanDescription(re.ErrorDescription), URI: cleanDescription(re.ErrorURI)}
		if re.Response != nil {
			e.StatusCode = re.Response.StatusCode
		}
		if e.Code != "" && !validCode(e.Code) {
			e.Code = ""
		}
		return e
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, ctx.Err())
	}
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, scrub(err))
	}
	// x/oauth2 reports malformed bodies and missing fields as plain errors.
	return fmt.Errorf("%w: %s: %v", ErrBadResponse, op, scrub(err))
}

// scrub drops the URL of a *url.Error: token endpoint URLs carry no
// secrets, but userInfo or logout URLs built by callers might.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s request failed: %w", ue.Op, ue.Err)
	}
	return err
}

func validCode(code string) bool {
	if len(code) > 64 {
		return false
	}
	for i := 0; i < len(code); i++ {
		ch := code[i]
		if !(ch >= 'a' && ch <= 'z' || ch == '_' || ch >= 'A' && ch <= 'Z') {
			return false
		}
	}
	return true
}

func checkScope(s string) error {
	if s == "" || len(s) > 256 {
		return fmt.Errorf("scope %q: want 1 to 256 characters", truncate(s, 32))
	}
	for i := 0; i < len(s); i++ {
		if ch := s[i]; ch <= ' ' || ch >= 0x7f || ch == '"' || ch == '\\' {
			return fmt.Errorf("scope %q: spaces, quotes, backslashes and control characters are not allowed", truncate(s, 32))
		}
	}
	return nil
}

func checkAbsURL(s string) error {
	if len(s) > 2048 {
		return errors.New("longer than 2048 bytes")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q: want an absolute http(s) URL without fragment or user information", truncate(s, 64))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%q: plain http is only allowed for localhost", truncate(s, 64))
	}
	return nil
}
