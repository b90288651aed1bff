package oidcprovider

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// Defaults.
const (
	// DefaultCodeTTL is how long an authorization code can be redeemed.
	DefaultCodeTTL = time.Minute
	// DefaultTokenTTL is the lifetime of ID and access tokens.
	DefaultTokenTTL = time.Hour
	// DefaultAddr is where New listens: a free loopback port.
	DefaultAddr = "127.0.0.1:0"
)

// Limits on what comes from outside.
const (
	maxParam   = 2048     // bytes of one query or form value
	maxForm    = 64 << 10 // bytes of a form body
	maxPending = 1024     // sign-in pages shown but not answered
	maxCodes   = 4096     // codes not yet redeemed
	maxTokens  = 8192     // access tokens alive
	maxUsers   = 1024
	maxClients = 64
)

// Config configures a [Provider].
type Config struct {
	// Clients are the registered relying parties. Required: at least one.
	Clients []Client

	// Users are listed on the "Sign in as" page. Optional: the page's form
	// signs in as any other subject too.
	Users []User

	// Addr is the listen address. Optional. Default DefaultAddr (a free
	// port on 127.0.0.1). It must be a loopback address.
	Addr string

	// Issuer overrides the issuer, the base of every endpoint URL, for a
	// provider reached through a proxy. Optional. Default "http://" + the
	// listen address.
	Issuer string

	// AutoApprove is the Subject of a user in Users whom /authorize signs
	// in at once, without the page: for tests that drive the flow with an
	// HTTP client. Optional. Default: show the page.
	AutoApprove string

	// TrustLoginHint makes /authorize sign in at once the user of Users
	// whose Subject or Email equals the login_hint parameter, when it has
	// one. Optional. Default false: login_hint only preselects the user on
	// the page.
	TrustLoginHint bool

	// RequirePKCE refuses authorization requests without a S256
	// code_challenge. Optional. Default false: PKCE is checked when the
	// relying party uses it (Cognito does not, towards its upstream
	// providers).
	RequirePKCE bool

	// CodeTTL and TokenTTL are the lifetimes of authorization codes and of
	// ID and access tokens. Optional. Defaults DefaultCodeTTL and
	// DefaultTokenTTL.
	CodeTTL  time.Duration
	TokenTTL time.Duration

	// Key signs the ID tokens (RS256). Optional. Default: a new 2048-bit
	// key.
	Key *rsa.PrivateKey

	// Now is the clock. Optional. Default time.Now.
	Now func() time.Time
}

// Client is a registered relying party.
type Client struct {
	// ID is the client_id. Required.
	ID string
	// Secret is the client secret. Optional: without it the client is
	// public and authenticates with client_id alone.
	Secret string
	// RedirectURIs are the allowed redirect_uri values, compared exactly.
	// Required: at least one.
	RedirectURIs []string
}

// User is a user the provider can sign in.
type User struct {
	// Subject is sub. Required, unique.
	Subject string
	// Email, EmailVerified, Name and Picture are the standard claims of
	// those names; empty ones are left out of the tokens (email_verified
	// is sent with Email).
	Email         string
	EmailVerified bool
	Name          string
	Picture       string
	// Claims are more claims for the ID token and userinfo, such as
	// Google's "hd", "given_name", "family_name" and "locale", or a
	// corporate IdP's "groups". They must not name the registered claims
	// (iss, sub, aud, exp, iat, nbf, auth_time, nonce, at_hash, azp, jti)
	// or those above.
	Claims map[string]any
}

// reserved claims that User.Claims must not set.
var reserved = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "auth_time", "nonce", "at_hash", "azp", "jti",
	"email", "email_verified", "name", "picture"}

// Provider is a running OpenID Connect provider. It is safe for concurrent
// use. Create it with [New]; Close it when done.
type Provider struct {
	cfg     Config
	issuer  string
	clients map[string]Client
	users   []User // in Config order, for the page
	byID    map[string]*User
	key     jwk.Key // private signing key, with kid
	jwks    []byte  // the public key set, JSON
	disc    []byte  // discovery document, JSON
	srv     *http.Server
	ln      net.Listener
	done    chan struct{}

	mu      sync.Mutex // guards pending, codes, tokens
	pending map[string]*authRequest
	codes   map[string]*grant
	tokens  map[string]*grant
}

// authRequest is a validated authorization request.
type authRequest struct {
	clientID, redirectURI, state, nonce, scope, challenge string
	expires                                               time.Time
}

// grant is what a code or an access token stands for.
type grant struct {
	req      *authRequest
	user     User
	authTime time.Time
	expires  time.Time
	access   string // the access token issued for a redeemed code
	used     bool
}

// New validates cfg, starts the provider on a loopback port and returns
// it. Errors wrap [ErrInvalidConfig], or are the listener's.
func New(cfg Config) (*Provider, error) {
	if len(cfg.Clients) == 0 || len(cfg.Clients) > maxClients {
		return nil, fmt.Errorf("%w: want 1 to %d Clients", ErrInvalidConfig, maxClients)
	}
	if len(cfg.Users) > maxUsers {
		return nil, fmt.Errorf("%w: more than %d Users", ErrInvalidConfig, maxUsers)
	}
	p := &Provider{cfg: cfg, clients: map[string]Client{}, byID: map[string]*User{},
		pending: map[string]*authRequest{}, codes: map[string]*grant{}, tokens: map[string]*grant{}, done: make(chan struct{})}
	for _, c := range cfg.Clients {
		if c.ID == "" || len(c.ID) > 256 || !printable(c.ID) || strings.Contains(c.ID, ":") {
			return nil, fmt.Errorf("%w: Client.ID %q: want 1 to 256 printable ASCII characters without a colon", ErrInvalidConfig, c.ID)
		}
		if _, dup := p.clients[c.ID]; dup {
			return nil, fmt.Errorf("%w: Client.ID %q appears twice", ErrInvalidConfig, c.ID)
		}
		if len(c.Secret) > 512 || !printable(c.Secret) {
			return nil, fmt.Errorf("%w: Client %q: Secret must be at most 512 printable ASCII characters", ErrInvalidConfig, c.ID)
		}
		if len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("%w: Client %q has no RedirectURIs", ErrInvalidConfig, c.ID)
		}
		for _, r := range c.RedirectURIs {
			u, err := url.Parse(r)
			if err != nil || len(r) > maxParam || !u.IsAbs() || u.Host == "" || u.Fragment != "" || (u.Scheme != "http" && u.Scheme != "https") {
				return nil, fmt.Errorf("%w: Client %q: RedirectURI %q: want an absolute http(s) URL without fragment", ErrInvalidConfig, c.ID, r)
			}
		}
		c.RedirectURIs = slices.Clone(c.RedirectURIs)
		p.clients[c.ID] = c
	}
	for _, u := range cfg.Users {
		if err := checkUser(u); err != nil {
			return nil, err
		}
		if _, dup := p.byID[u.Subject]; dup {
			return nil, fmt.Errorf("%w: User.Subject %q appears twice", ErrInvalidConfig, u.Subject)
		}
		p.users = append(p.users, u)
		p.byID[u.Subject] = &p.users[len(p.users)-1]
	}
	if cfg.AutoApprove != "" && p.byID[cfg.AutoApprove] == nil {
		return nil, fmt.Errorf("%w: AutoApprove %q is not the Subject of a User", ErrInvalidConfig, cfg.AutoApprove)
	}
	if cfg.CodeTTL < 0 || cfg.TokenTTL < 0 {
		return nil, fmt.Errorf("%w: CodeTTL and TokenTTL must not be negative", ErrInvalidConfig)
	}
	if p.cfg.CodeTTL == 0 {
		p.cfg.CodeTTL = DefaultCodeTTL
	}
	if p.cfg.TokenTTL == 0 {
		p.cfg.TokenTTL = DefaultTokenTTL
	}
	if p.cfg.Now == nil {
		p.cfg.Now = time.Now
	}
	if p.cfg.Addr == "" {
		p.cfg.Addr = DefaultAddr
	}
	host, _, err := net.SplitHostPort(p.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("%w: Addr %q: %v", ErrInvalidConfig, p.cfg.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("%w: Addr %q: the provider signs anyone in, so it listens on loopback only", ErrInvalidConfig, p.cfg.Addr)
	}
	if cfg.Issuer != "" {
		u, err := url.Parse(cfg.Issuer)
		if err != nil || !u.IsAbs() || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(cfg.Issuer, "/") {
			return nil, fmt.Errorf("%w: Issuer %q: want an absolute URL without query, fragment or trailing slash", ErrInvalidConfig, cfg.Issuer)
		}
	}
	// The key last: generating one takes 60 ms or more, so a bad config
	// fails before.
	if err := p.initKeys(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", p.cfg.Addr)
	if err != nil {
		return nil, err
	}
	p.ln = ln
	p.issuer = cfg.Issuer
	if p.issuer == "" {
		p.issuer = "http://" + ln.Addr().String()
	}
	p.disc, _ = json.Marshal(map[string]any{
		"issuer":                                p.issuer,
		"authorization_endpoint":                p.issuer + "/authorize",
		"token_endpoint":                        p.issuer + "/token",
		"userinfo_endpoint":                     p.issuer + "/userinfo",
		"jwks_uri":                              p.issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "email", "email_verified", "name", "picture"},
	})
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("/authorize", p.authorize)
	mux.HandleFunc("/token", p.token)
	mux.HandleFunc("/jwks", p.keys)
	mux.HandleFunc("/userinfo", p.userinfo)
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	go func() {
		defer close(p.done)
		_ = p.srv.Serve(ln)
	}()
	return p, nil
}

func checkUser(u User) error {
	if u.Subject == "" || len(u.Subject) > 255 || !printable(u.Subject) {
		return fmt.Errorf("%w: User.Subject %q: want 1 to 255 printable ASCII characters (OIDC Core §2)", ErrInvalidConfig, u.Subject)
	}
	for k := range u.Claims {
		if slices.Contains(reserved, k) || k == "" {
			return fmt.Errorf("%w: User %q: Claims must not set %q", ErrInvalidConfig, u.Subject, k)
		}
	}
	if _, err := json.Marshal(u.Claims); err != nil {
		return fmt.Errorf("%w: User %q: Claims do not marshal to JSON: %v", ErrInvalidConfig, u.Subject, err)
	}
	return nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func (p *Provider) initKeys() error {
	priv := p.cfg.Key
	if priv == nil {
		var err error
		if priv, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return fmt.Errorf("oidcprovider: generate key: %w", err)
		}
	} else if priv.N.BitLen() < 2048 {
		return fmt.Errorf("%w: Key: want an RSA key of at least 2048 bits", ErrInvalidConfig)
	}
	k, err := jwk.Import(priv)
	if err != nil {
		return fmt.Errorf("%w: Key: %v", ErrInvalidConfig, err)
	}
	pub, err := jwk.PublicKeyOf(k)
	if err != nil {
		return fmt.Errorf("%w: Key: %v", ErrInvalidConfig, err)
	}
	tp, err := pub.Thumbprint(crypto256)
	if err != nil {
		return fmt.Errorf("%w: Key: %v", ErrInvalidConfig, err)
	}
	kid := base64.RawURLEncoding.EncodeToString(tp)
	for _, kk := range []jwk.Key{k, pub} {
		_ = kk.Set(jwk.KeyIDKey, kid)
		_ = kk.Set(jwk.AlgorithmKey, jwa.RS256())
		_ = kk.Set(jwk.KeyUsageKey, "sig")
	}
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	if p.jwks, err = json.Marshal(set); err != nil {
		return fmt.Errorf("oidcprovider: key set: %w", err)
	}
	p.key = k
	return nil
}

// URL returns the issuer: the base URL of the endpoints, such as
// "http://127.0.0.1:41234".
func (p *Provider) URL() string { return p.issuer }

// Issuer returns the issuer, the same as URL.
func (p *Provider) Issuer() string { return p.issuer }

// DiscoveryURL returns the URL of the discovery document.
func (p *Provider) DiscoveryURL() string { return p.issuer + "/.well-known/openid-configuration" }

// AuthorizeURL, TokenURL, JWKSURL and UserInfoURL return the endpoints'
// URLs.
func (p *Provider) AuthorizeURL() string { return p.issuer + "/authorize" }

// TokenURL returns the token endpoint's URL.
func (p *Provider) TokenURL() string { return p.issuer + "/token" }

// JWKSURL returns the key set's URL.
func (p *Provider) JWKSURL() string { return p.issuer + "/jwks" }

// UserInfoURL returns the userinfo endpoint's URL.
func (p *Provider) UserInfoURL() string { return p.issuer + "/userinfo" }

// PublicKey returns the public key that verifies the ID tokens.
func (p *Provider) PublicKey() *rsa.PublicKey {
	var raw rsa.PrivateKey
	if err := jwk.Export(p.key, &raw); err != nil {
		return nil
	}
	return &raw.PublicKey
}

// Close stops the provider. It is idempotent.
func (p *Provider) Close() error {
	err := p.srv.Close()
	<-p.done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(p.disc)
}

func (p *Provider) keys(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(p.jwks)
}

// randomID returns 256 random bits, base64url.
func randomID() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// single returns the one value of name in q: "" and ok when absent, an
// error when repeated or oversized (RFC 6749 §3.1: parameters MUST NOT be
// included more than once).
func single(q url.Values, name string) (string, error) {
	v := q[name]
	switch {
	case len(v) == 0:
		return "", nil
	case len(v) > 1:
		return "", fmt.Errorf("%s is repeated", name)
	case len(v[0]) > maxParam:
		return "", fmt.Errorf("%s is longer than %d bytes", name, maxParam)
	}
	return v[0], nil
}

// crypto256 is the hash of key thumbprints.
const crypto256 = 5 // crypto.SHA256, without importing crypto for one constant

// atHash is the at_hash of an access token for RS256: the left half of
// its SHA-256, base64url (OIDC Core §3.1.3.6).
func atHash(access string) string {
	sum := sha256.Sum256([]byte(access))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// s256 is the PKCE S256 challenge of verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validVerifier checks an RFC 7636 code_verifier: 43 to 128 unreserved
// characters.
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// signIDToken returns the ID token of g, for access.
func (p *Provider) signIDToken(g *grant, access string) (string, error) {
	now := p.cfg.Now()
	claims := map[string]any{}
	for k, v := range g.user.Claims {
		claims[k] = v
	}
	maps := map[string]any{
		"iss": p.issuer, "sub": g.user.Subject, "aud": g.req.clientID, "azp": g.req.clientID,
		"iat": now.Unix(), "exp": now.Add(p.cfg.TokenTTL).Unix(), "auth_time": g.authTime.Unix(),
		"at_hash": atHash(access), "jti": randomID(),
	}
	for k, v := range maps {
		claims[k] = v
	}
	if g.req.nonce != "" {
		claims["nonce"] = g.req.nonce
	}
	addProfile(claims, g.user)
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, "JWT")
	kid, _ := p.key.KeyID()
	_ = hdr.Set(jws.KeyIDKey, kid)
	tok, err := jws.Sign(payload, jws.WithKey(jwa.RS256(), p.key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", err
	}
	return string(tok), nil
}

func addProfile(claims map[string]any, u User) {
	if u.Email != "" {
		claims["email"] = u.Email
		claims["email_verified"] = u.EmailVerified
	}
	if u.Name != "" {
		claims["name"] = u.Name
	}
	if u.Picture != "" {
		claims["picture"] = u.Picture
	}
}

// sweep drops expired entries. Callers hold p.mu.
func (p *Provider) sweep(now time.Time) {
	for k, v := range p.pending {
		if now.After(v.expires) {
			delete(p.pending, k)
		}
	}
	for k, v := range p.codes {
		if now.After(v.expires) {
			delete(p.codes, k)
		}
	}
	for k, v := range p.tokens {
		if now.After(v.expires) {
			delete(p.tokens, k)
		}
	}
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in as · test OpenID provider</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:560px;margin:40px auto;padding:0 16px}
button{font:inherit;padding:6px 14px;margin:4px 0;cursor:pointer}fieldset{margin-top:24px}label{display:block;margin:6px 0}</style>
</head><body>
<h1>Sign in as</h1>
<p>Test OpenID provider. <strong>For tests only</strong>: anyone can sign in as anyone.</p>
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/authorize" id="users">
<input type="hidden" name="request" value="{{.Request}}">
{{range .Users}}<button type="submit" name="sub" value="{{.Subject}}" data-sub="{{.Subject}}"{{if eq .Subject $.Hint}} autofocus{{end}}>{{if .Name}}{{.Name}}{{else}}{{.Subject}}{{end}}{{if .Email}} &lt;{{.Email}}&gt;{{end}}</button><br>
{{end}}
</form>
<form method="post" action="/authorize" id="custom"><fieldset><legend>Another user</legend>
<input type="hidden" name="request" value="{{.Request}}">
<label>Subject <input name="custom_sub" id="custom_sub" required maxlength="255"></label>
<label>Email <input name="custom_email" id="custom_email" type="email" maxlength="256"></label>
<label>Name <input name="custom_name" id="custom_name" maxlength="256"></label>
<button type="submit" id="custom_submit">Sign in</button>
</fieldset></form>
<form method="post" action="/authorize"><input type="hidden" name="request" value="{{.Request}}">
<button type="submit" name="deny" value="1" id="deny">Cancel</button></form>
</body></html>`))

var errorTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Error · test OpenID provider</title></head>
<body><h1>Invalid request</h1><p id="error">{{.}}</p></body></html>`))

// errorPage answers an authorization request that cannot be sent back to
// the relying party (unknown client or redirect URI).
func errorPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = errorTmpl.Execute(w, msg)
}

// redirectError sends an RFC 6749 §4.1.2.1 error to the redirect URI.
func redirectError(w http.ResponseWriter, r *http.Request, req *authRequest, code, desc string) {
	q := url.Values{"error": {code}, "error_description": {desc}}
	if req.state != "" {
		q.Set("state", req.state)
	}
	http.Redirect(w, r, withQuery(req.redirectURI, q), http.StatusFound)
}

// withQuery appends q to u, which may have a query of its own.
func withQuery(u string, q url.Values) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + q.Encode()
}
