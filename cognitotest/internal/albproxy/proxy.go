package albproxy

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/internal/albtoken"
)

// The on-unauthenticated-request modes of an authenticate action.
const (
	Authenticate = "authenticate"
	Deny         = "deny"
	Allow        = "allow"
)

// Cookie names, as the ALB names them.
const (
	SessionCookie = "AWSELBAuthSessionCookie-0"
	NonceCookie   = "AWSELBAuthNonce"
)

// CallbackPath is the ALB's redirect URI path.
const CallbackPath = "/oauth2/idpresponse"

// Config configures a [Proxy].
type Config struct {
	Target       *url.URL // the service behind the ALB
	OAuthDomain  string   // the managed login's base URL
	Issuer       string   // the user pool's issuer
	ClientID     string
	ClientSecret string
	ARN          string // the signer
	Scope        string // default "openid"
	// OnUnauthenticated is Authenticate (default), Deny or Allow.
	OnUnauthenticated string
	SessionTimeout    time.Duration // default 7 days, the ALB's default
	TokenLifetime     time.Duration // of x-amzn-oidc-data; default 2 minutes
	Keys              *Keys
	HTTPClient        *http.Client
	Now               func() time.Time
	Logger            *slog.Logger
}

// Proxy is the emulated ALB listener.
type Proxy struct {
	cfg   Config
	proxy *httputil.ReverseProxy

	mu       sync.Mutex // guards sessions and pending
	sessions map[string]*session
	pending  map[string]*pending // by state
}

type session struct {
	sub      string
	userInfo map[string]any
	access   string
	refresh  string
	accessTo time.Time // access token expiry
	expires  time.Time
}

type pending struct {
	nonce   string
	target  string
	expires time.Time
}

const (
	maxSessions = 10000
	maxPending  = 10000
	maxBody     = 1 << 20
)

// New validates cfg and returns the proxy.
func New(cfg Config) (*Proxy, error) {
	switch cfg.OnUnauthenticated {
	case "":
		cfg.OnUnauthenticated = Authenticate
	case Authenticate, Deny, Allow:
	default:
		return nil, fmt.Errorf("on-unauthenticated-request %q: want authenticate, deny or allow", cfg.OnUnauthenticated)
	}
	if cfg.Target == nil || cfg.Target.Host == "" || (cfg.Target.Scheme != "http" && cfg.Target.Scheme != "https") {
		return nil, errors.New("the target must be an absolute http(s) URL, such as http://127.0.0.1:8080")
	}
	if cfg.Scope == "" {
		cfg.Scope = "openid"
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 7 * 24 * time.Hour
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = 2 * time.Minute
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Proxy{cfg: cfg, sessions: map[string]*session{}, pending: map[string]*pending{}}
	p.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(cfg.Target)
			pr.SetXForwarded()
			pr.Out.Host = pr.In.Host
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			cfg.Logger.Warn("albproxy: target unreachable", slog.Any("error", err))
			http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
		},
	}
	return p, nil
}

// ServeHTTP handles the callback and forwards everything else.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// What the client sent in the ALB's names is never forwarded.
	for name := range r.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-amzn-oidc-") {
			r.Header.Del(name)
		}
	}
	if r.URL.Path == CallbackPath {
		p.callback(w, r)
		return
	}
	s := p.session(r)
	if s == nil {
		switch p.cfg.OnUnauthenticated {
		case Deny:
			http.Error(w, "401 Authorization Required", http.StatusUnauthorized)
		case Allow:
			p.proxy.ServeHTTP(w, r)
		default:
			p.signIn(w, r)
		}
		return
	}
	data, err := p.dataToken(s)
	if err != nil {
		p.cfg.Logger.Error("albproxy: cannot sign the user claims", slog.Any("error", err))
		http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
		return
	}
	r.Header.Set("X-Amzn-Oidc-Data", data)
	r.Header.Set("X-Amzn-Oidc-Accesstoken", s.access)
	r.Header.Set("X-Amzn-Oidc-Identity", s.sub)
	p.proxy.ServeHTTP(w, r)
}

// session returns the request's live session, refreshing its access
// token when it is about to expire, or nil.
func (p *Proxy) session(r *http.Request) *session {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil
	}
	now := p.cfg.Now()
	p.mu.Lock()
	s := p.sessions[c.Value]
	if s != nil && now.After(s.expires) {
		delete(p.sessions, c.Value)
		s = nil
	}
	var cp session
	if s != nil {
		cp = *s
	}
	p.mu.Unlock()
	if s == nil {
		return nil
	}
	if now.Add(30 * time.Second).Before(cp.accessTo) {
		return &cp
	}
	tok, err := p.tokens(r.Context(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {cp.refresh}})
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.cfg.Logger.Info("albproxy: refresh failed; the user signs in again", slog.Any("error", err))
		delete(p.sessions, c.Value)
		return nil
	}
	s.access, s.accessTo = tok.AccessToken, now.Add(time.Duration(tok.ExpiresIn)*time.Second)
	if tok.RefreshToken != "" {
		s.refresh = tok.RefreshToken
	}
	cp = *s
	return &cp
}

// signIn redirects to the managed login.
func (p *Proxy) signIn(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// The ALB redirects only what a browser can replay.
		http.Error(w, "401 Authorization Required", http.StatusUnauthorized)
		return
	}
	state, nonce := random(), random()
	p.mu.Lock()
	p.gcLocked()
	if len(p.pending) >= maxPending {
		p.mu.Unlock()
		http.Error(w, "503 Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	p.pending[state] = &pending{nonce: nonce, target: r.URL.RequestURI(), expires: p.cfg.Now().Add(15 * time.Minute)}
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: NonceCookie, Value: nonce, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 900})
	q := url.Values{"response_type": {"code"}, "client_id": {p.cfg.ClientID}, "redirect_uri": {redirectURI(r)},
		"scope": {p.cfg.Scope}, "state": {state}}
	http.Redirect(w, r, strings.TrimSuffix(p.cfg.OAuthDomain, "/")+"/oauth2/authorize?"+q.Encode(), http.StatusFound)
}

func redirectURI(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + CallbackPath
}

// callback finishes the sign-in.
func (p *Proxy) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state, code := q.Get("state"), q.Get("code")
	p.mu.Lock()
	pend := p.pending[state]
	delete(p.pending, state)
	p.mu.Unlock()
	nonce, err := r.Cookie(NonceCookie)
	if pend == nil || err != nil || nonce.Value != pend.nonce || p.cfg.Now().After(pend.expires) {
		http.Error(w, "401 Authorization Required: the sign-in is unknown, expired, or from another browser", http.StatusUnauthorized)
		return
	}
	if e := q.Get("error"); e != "" || code == "" {
		http.Error(w, "401 Authorization Required: the identity provider refused the sign-in", http.StatusUnauthorized)
		return
	}
	tok, err := p.tokens(r.Context(), url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI(r)}})
	if err != nil {
		p.cfg.Logger.Warn("albproxy: code redemption failed", slog.Any("error", err))
		http.Error(w, "561 Authentication error: the token endpoint refused the code", 561)
		return
	}
	info, err := p.userInfo(r.Context(), tok.AccessToken)
	if err != nil {
		p.cfg.Logger.Warn("albproxy: user-info failed", slog.Any("error", err))
		http.Error(w, "561 Authentication error: user-info failed", 561)
		return
	}
	sub, _ := info["sub"].(string)
	if sub == "" {
		http.Error(w, "561 Authentication error: user-info has no sub", 561)
		return
	}
	now := p.cfg.Now()
	s := &session{sub: sub, userInfo: info, access: tok.AccessToken, refresh: tok.RefreshToken,
		accessTo: now.Add(time.Duration(tok.ExpiresIn) * time.Second), expires: now.Add(p.cfg.SessionTimeout)}
	id := random()
	p.mu.Lock()
	p.gcLocked()
	if len(p.sessions) >= maxSessions {
		p.mu.Unlock()
		http.Error(w, "503 Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	p.sessions[id] = s
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: NonceCookie, Value: "", Path: "/", MaxAge: -1})
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Expires: s.expires})
	http.Redirect(w, r, pend.target, http.StatusFound)
}

// gcLocked drops expired sessions and sign-ins.
func (p *Proxy) gcLocked() {
	now := p.cfg.Now()
	for k, s := range p.sessions {
		if now.After(s.expires) {
			delete(p.sessions, k)
		}
	}
	for k, s := range p.pending {
		if now.After(s.expires) {
			delete(p.pending, k)
		}
	}
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
}

// tokens calls the token endpoint with the client's credentials.
func (p *Proxy) tokens(ctx context.Context, form url.Values) (*tokenResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(p.cfg.OAuthDomain, "/")+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(p.cfg.ClientID), url.QueryEscape(p.cfg.ClientSecret))
	body, err := p.do(req)
	if err != nil {
		return nil, err
	}
	var t tokenResponse
	if err := json.Unmarshal(body, &t); err != nil || t.AccessToken == "" {
		return nil, fmt.Errorf("the token endpoint's answer has no access_token")
	}
	return &t, nil
}

func (p *Proxy) userInfo(ctx context.Context, access string) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(p.cfg.OAuthDomain, "/")+"/oauth2/userInfo", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+access)
	body, err := p.do(req)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("user-info is not a JSON object: %w", err)
	}
	return m, nil
}

func (p *Proxy) do(req *http.Request) ([]byte, error) {
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered HTTP %d", req.URL.Path, resp.StatusCode)
	}
	return body, nil
}

// dataToken signs the session's user claims as the ALB does.
func (p *Proxy) dataToken(s *session) (string, error) {
	kid, key, err := p.cfg.Keys.Current()
	if err != nil {
		return "", err
	}
	exp := p.cfg.Now().Add(p.cfg.TokenLifetime).Unix()
	claims := make(map[string]any, len(s.userInfo)+2)
	for k, v := range s.userInfo {
		claims[k] = v
	}
	claims["exp"], claims["iss"] = exp, p.cfg.Issuer
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	return albtoken.Sign(key, albtoken.Header{Kid: kid, Iss: p.cfg.Issuer, Client: p.cfg.ClientID, Signer: p.cfg.ARN, Exp: exp}, payload, albtoken.Options{})
}

func random() string {
	var b [18]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
