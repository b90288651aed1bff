package weblogin

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/verifier"
)

// Defaults.
const (
	DefaultLoginPath     = "/auth/login"
	DefaultCallbackPath  = "/auth/callback"
	DefaultLogoutPath    = "/auth/logout"
	DefaultLoginStateTTL = 10 * time.Minute
	DefaultRefreshBefore = 2 * time.Minute
	loginCookiePrefix    = "cognito_login_"
	maxLoginCookies      = 4
	maxStateCookie       = 2048
)

// Config configures a [Handler].
type Config struct {
	// Client is the OAuth client of the app, with RedirectURL set to this
	// site's callback (for example https://app.example.com/auth/callback)
	// and the openid scope. Required. The Handler does not close it.
	Client *oauth.Client

	// Keys encrypt the login-state cookie and, with the default store,
	// the session cookies: one or more 32-byte keys (NewKey, ParseKeys),
	// newest first. Required.
	Keys [][]byte

	// Store keeps sessions. Optional. Default: a CookieStore with Keys,
	// InsecureCookies and MaxAge.
	Store SessionStore

	// LoginPath, CallbackPath and LogoutPath are the paths the Handler
	// serves. CallbackPath must be the path of the client's RedirectURL.
	// Optional. Defaults DefaultLoginPath, the RedirectURL's path, and
	// DefaultLogoutPath.
	LoginPath    string
	CallbackPath string
	LogoutPath   string

	// PostLogoutURL is the absolute URL Cognito sends the browser to after
	// sign-out; it must be one of the app client's allowed sign-out URLs.
	// Optional. When empty, sign-out ends the app session and goes to "/"
	// but leaves the managed-login session, so the next sign-in may not
	// ask for a password.
	PostLogoutURL string

	// DefaultReturnTo is where the browser lands after sign-in without a
	// return_to. Optional. Default "/".
	DefaultReturnTo string

	// AuthOptions are added to every authorization URL (identity
	// provider, language, ...). Optional.
	AuthOptions []oauth.AuthOption

	// LoginStateTTL is how long a sign-in may take, from /login to the
	// callback. Optional. Default DefaultLoginStateTTL.
	LoginStateTTL time.Duration

	// RefreshBefore: the access token is refreshed when it expires within
	// this margin. Optional. Default DefaultRefreshBefore.
	RefreshBefore time.Duration

	// MaxAge bounds a session's life whatever the refresh token allows.
	// Optional. Default DefaultMaxAge.
	MaxAge time.Duration

	// InsecureCookies drops the Secure attribute of the cookies so that
	// sign-in works over plain http://localhost during development. It
	// MUST NOT be used in production. New refuses it unless the client's
	// RedirectURL is an http://localhost (or loopback) URL.
	InsecureCookies bool

	// IsAPIRequest decides whether an anonymous request to a protected
	// route gets 401 (API clients) instead of a redirect to sign-in.
	// Optional. Default: requests whose Accept header does not mention
	// text/html, and non-GET/HEAD requests.
	IsAPIRequest func(*http.Request) bool

	// ErrorPage renders failures (bad callback, 403, 503). Optional.
	// Default: a small HTML page with a "Sign in again" link.
	ErrorPage func(w http.ResponseWriter, r *http.Request, status int, title, message string)

	// Logger receives sign-in, sign-out and refresh outcomes (never
	// tokens or cookie values). Optional. Default: discard.
	Logger *slog.Logger

	// Now is the clock. Optional. Default time.Now.
	Now func() time.Time
}

// Handler serves the sign-in routes of a web app (LoginPath, CallbackPath,
// LogoutPath) and provides the [Handler.RequireLogin] middleware. Mount it
// on the paths' common prefix: mux.Handle("/auth/", h). It is safe for
// concurrent use.
type Handler struct {
	cfg    Config
	client *oauth.Client
	store  SessionStore
	state  *sealer
	xorig  *http.CrossOriginProtection
	// loginPrefix starts the login-state cookie names: HostPrefix +
	// "cognito_login_" over https, so that no other host can plant one.
	loginPrefix string
}

// New validates cfg and returns a Handler. Errors wrap ErrInvalidConfig.
func New(cfg Config) (*Handler, error) {
	if cfg.Client == nil {
		return nil, fmt.Errorf("%w: Client is required", ErrInvalidConfig)
	}
	oc := cfg.Client.OAuth2Config()
	if !slices.Contains(oc.Scopes, "openid") {
		return nil, fmt.Errorf("%w: the client's Scopes must include openid (the session comes from the ID token)", ErrInvalidConfig)
	}
	if !cfg.Client.VerifiesIDTokens() {
		return nil, fmt.Errorf("%w: the client cannot verify ID tokens: set UserPoolID (or IDTokenVerifier) in oauth.Config", ErrInvalidConfig)
	}
	redirect, err := url.Parse(oc.RedirectURL)
	if oc.RedirectURL == "" || err != nil {
		return nil, fmt.Errorf("%w: the client needs a RedirectURL pointing at this site's callback path", ErrInvalidConfig)
	}
	if cfg.CallbackPath == "" {
		cfg.CallbackPath = redirect.Path
	}
	if cfg.CallbackPath != redirect.Path {
		return nil, fmt.Errorf("%w: CallbackPath %q differs from the path of the client's RedirectURL %q", ErrInvalidConfig, cfg.CallbackPath, redirect.Path)
	}
	if cfg.LoginPath == "" {
		cfg.LoginPath = DefaultLoginPath
	}
	if cfg.LogoutPath == "" {
		cfg.LogoutPath = DefaultLogoutPath
	}
	for _, p := range []string{cfg.LoginPath, cfg.CallbackPath, cfg.LogoutPath} {
		if !LocalPath(p) || strings.ContainsAny(p, "?#") {
			return nil, fmt.Errorf("%w: path %q: want a local path such as /auth/login", ErrInvalidConfig, p)
		}
	}
	if cfg.LoginPath == cfg.CallbackPath || cfg.LoginPath == cfg.LogoutPath || cfg.CallbackPath == cfg.LogoutPath {
		return nil, fmt.Errorf("%w: LoginPath, CallbackPath and LogoutPath must differ", ErrInvalidConfig)
	}
	if cfg.DefaultReturnTo == "" {
		cfg.DefaultReturnTo = "/"
	}
	if !LocalPath(cfg.DefaultReturnTo) {
		return nil, fmt.Errorf("%w: DefaultReturnTo %q is not a local path", ErrInvalidConfig, cfg.DefaultReturnTo)
	}
	if cfg.PostLogoutURL != "" {
		if _, err := cfg.Client.LogoutURL(cfg.PostLogoutURL); err != nil {
			return nil, fmt.Errorf("%w: PostLogoutURL: %v", ErrInvalidConfig, err)
		}
	}
	if cfg.InsecureCookies && (redirect.Scheme != "http" || !isLoopbackHost(redirect.Hostname())) {
		return nil, fmt.Errorf("%w: InsecureCookies is only allowed with an http://localhost RedirectURL (development); use https in production", ErrInvalidConfig)
	}
	if cfg.LoginStateTTL == 0 {
		cfg.LoginStateTTL = DefaultLoginStateTTL
	}
	if cfg.RefreshBefore == 0 {
		cfg.RefreshBefore = DefaultRefreshBefore
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.LoginStateTTL < 0 || cfg.LoginStateTTL > time.Hour || cfg.RefreshBefore < 0 || cfg.MaxAge < 0 {
		return nil, fmt.Errorf("%w: LoginStateTTL (at most 1h), RefreshBefore and MaxAge must not be negative", ErrInvalidConfig)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IsAPIRequest == nil {
		cfg.IsAPIRequest = isAPIRequest
	}
	if cfg.ErrorPage == nil {
		cfg.ErrorPage = defaultErrorPage(cfg.LoginPath)
	}
	st, err := newSealer(cfg.Keys, "login-state", cfg.Now)
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, client: cfg.Client, state: st, xorig: http.NewCrossOriginProtection(), loginPrefix: loginCookiePrefix}
	if !cfg.InsecureCookies {
		h.loginPrefix = HostPrefix + loginCookiePrefix
	}
	h.store = cfg.Store
	if h.store == nil {
		cs, err := NewCookieStore(CookieStoreConfig{Keys: cfg.Keys, MaxAge: cfg.MaxAge, Insecure: cfg.InsecureCookies, Now: cfg.Now})
		if err != nil {
			return nil, err
		}
		h.store = cs
	}
	return h, nil
}

func isLoopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || strings.HasPrefix(h, "127.")
}

func isAPIRequest(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return true
	}
	return !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// ServeHTTP serves LoginPath, CallbackPath and LogoutPath, and answers 404
// for anything else.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case h.cfg.LoginPath:
		h.login(w, r)
	case h.cfg.CallbackPath:
		h.callback(w, r)
	case h.cfg.LogoutPath:
		h.logout(w, r)
	default:
		http.NotFound(w, r)
	}
}

// LoginURL returns the path that starts a sign-in and then returns to
// returnTo (a local path; anything else is replaced by DefaultReturnTo).
func (h *Handler) LoginURL(returnTo string) string {
	if !LocalPath(returnTo) {
		returnTo = h.cfg.DefaultReturnTo
	}
	return h.cfg.LoginPath + "?" + url.Values{"return_to": {returnTo}}.Encode()
}

// LogoutPath returns the sign-out path (POST it from a form; GET shows a
// confirmation page).
func (h *Handler) LogoutPath() string { return h.cfg.LogoutPath }

// loginState is sealed into the login-state cookie.
type loginState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	ReturnTo string `json:"r"`
}

// stateCookieName binds a login-state cookie to its state: a browser can
// run several sign-ins at once (tabs), each with its own cookie.
func (h *Handler) stateCookieName(state string) string {
	sum := sha256.Sum256([]byte(state))
	return h.loginPrefix + base64.RawURLEncoding.EncodeToString(sum[:9])
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.cfg.ErrorPage(w, r, http.StatusMethodNotAllowed, "Method not allowed", "Open the sign-in link with GET.")
		return
	}
	returnTo := r.URL.Query().Get("return_to")
	if returnTo == "" {
		returnTo = h.cfg.DefaultReturnTo
	}
	if !LocalPath(returnTo) {
		h.cfg.Logger.Warn("weblogin: refused a non-local return_to", "err", ErrUnsafeReturnTo)
		h.cfg.ErrorPage(w, r, http.StatusBadRequest, "Invalid sign-in link", "The return address must be a page of this site.")
		return
	}
	req, err := oauth.NewAuthRequest()
	if err != nil {
		h.cfg.ErrorPage(w, r, http.StatusInternalServerError, "Sign-in unavailable", "Please try again.")
		return
	}
	authURL, err := h.client.AuthCodeURL(req, h.cfg.AuthOptions...)
	if err != nil {
		h.cfg.Logger.Error("weblogin: authorization URL", "err", err)
		h.cfg.ErrorPage(w, r, http.StatusInternalServerError, "Sign-in unavailable", "The sign-in configuration is invalid.")
		return
	}
	data, _ := json.Marshal(loginState{State: req.State, Nonce: req.Nonce, Verifier: req.CodeVerifier, ReturnTo: returnTo})
	name := h.stateCookieName(req.State)
	value, err := h.state.seal(name, data, h.cfg.Now().Add(h.cfg.LoginStateTTL))
	if err != nil {
		h.cfg.ErrorPage(w, r, http.StatusInternalServerError, "Sign-in unavailable", "Please try again.")
		return
	}
	// Bound the number of pending sign-ins per browser.
	var pending []*http.Cookie
	for _, c := range r.Cookies() {
		if strings.HasPrefix(c.Name, h.loginPrefix) {
			pending = append(pending, c)
		}
	}
	if len(pending) >= maxLoginCookies {
		for _, c := range pending {
			http.SetCookie(w, h.stateCookie(c.Name, "", -1))
		}
	}
	http.SetCookie(w, h.stateCookie(name, value, int(h.cfg.LoginStateTTL/time.Second)))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusFound)
}

// stateCookie is a login-state cookie: Path=/ (which the __Host- prefix
// requires, and which lets LoginPath count the pending sign-ins).
func (h *Handler) stateCookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: !h.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode}
}

func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		h.cfg.ErrorPage(w, r, http.StatusMethodNotAllowed, "Method not allowed", "The sign-in callback takes GET.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	st, err := h.takeState(w, r, q.Get("state"))
	if err != nil {
		h.cfg.Logger.Warn("weblogin: callback refused", "err", err)
		h.cfg.ErrorPage(w, r, http.StatusBadRequest, "Sign-in could not be completed",
			"This sign-in link has expired or was opened in another browser. Please sign in again.")
		return
	}
	if err := oauth.CallbackError(q); err != nil {
		h.cfg.Logger.Info("weblogin: sign-in refused by the authorization server", "err", err)
		h.cfg.ErrorPage(w, r, http.StatusForbidden, "Sign-in was not completed", "The sign-in was cancelled or refused. Please try again.")
		return
	}
	code := q.Get("code")
	if code == "" || len(code) > 2048 {
		h.cfg.ErrorPage(w, r, http.StatusBadRequest, "Sign-in could not be completed", "The sign-in response has no code. Please sign in again.")
		return
	}
	tok, err := h.client.Exchange(r.Context(), code, oauth.AuthRequest{State: st.State, Nonce: st.Nonce, CodeVerifier: st.Verifier})
	if err != nil {
		if errors.Is(err, verifier.ErrTooLarge) {
			h.cfg.Logger.Error("weblogin: the ID token is larger than the verifier's MaxTokenSize", "err", err)
			h.tooLarge(w, r)
			return
		}
		status, msg := http.StatusBadRequest, "This sign-in link was already used or has expired. Please sign in again."
		if errors.Is(err, oauth.ErrUnavailable) {
			status, msg = http.StatusServiceUnavailable, "The sign-in service is unavailable. Please try again in a moment."
		}
		h.cfg.Logger.Warn("weblogin: code exchange failed", "err", err)
		h.cfg.ErrorPage(w, r, status, "Sign-in could not be completed", msg)
		return
	}
	if tok.IDClaims == nil {
		h.cfg.ErrorPage(w, r, http.StatusInternalServerError, "Sign-in could not be completed", "No ID token was issued (the openid scope is missing).")
		return
	}
	now := h.cfg.Now()
	sess := &Session{CreatedAt: now}
	fill(sess, tok)
	// A new session: drop the previous one (a new ID for server stores).
	_ = h.store.Delete(w, r)
	if err := h.store.Save(w, r, sess); err != nil {
		if errors.Is(err, ErrSessionTooLarge) {
			h.cfg.Logger.Error("weblogin: the session does not fit the cookie store; use a server-side Config.Store", "sub", sess.Subject, "err", err)
			h.tooLarge(w, r)
			return
		}
		h.cfg.Logger.Error("weblogin: cannot save the session", "err", err)
		h.cfg.ErrorPage(w, r, http.StatusInternalServerError, "Sign-in could not be completed", "The session could not be stored.")
		return
	}
	h.cfg.Logger.Info("weblogin: signed in", "sub", sess.Subject)
	returnTo := st.ReturnTo
	if !LocalPath(returnTo) {
		returnTo = h.cfg.DefaultReturnTo
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}

// tooLarge answers a sign-in whose tokens are too large to keep: 403
// (signing in again would not help, so the page has no sign-in link).
func (h *Handler) tooLarge(w http.ResponseWriter, r *http.Request) {
	h.cfg.ErrorPage(w, r, http.StatusForbidden, "Sign-in could not be completed",
		"Your account carries too much information (groups or profile attributes) for this site to keep you signed in. Please contact the site's administrator.")
}

// takeState finds, clears and opens the login-state cookie of state.
func (h *Handler) takeState(w http.ResponseWriter, r *http.Request, state string) (*loginState, error) {
	if state == "" || len(state) > 1024 {
		return nil, fmt.Errorf("%w: missing state parameter", ErrStateMismatch)
	}
	name := h.stateCookieName(state)
	c, err := r.Cookie(name)
	if err != nil {
		return nil, fmt.Errorf("%w: no login-state cookie for this state", ErrStateMismatch)
	}
	http.SetCookie(w, h.stateCookie(name, "", -1)) // single use
	data, err := h.state.open(name, c.Value, maxStateCookie)
	if err != nil {
		return nil, err
	}
	var st loginState
	if json.Unmarshal(data, &st) != nil {
		return nil, fmt.Errorf("%w: bad login-state payload", ErrInvalidCookie)
	}
	if subtle.ConstantTimeCompare([]byte(st.State), []byte(state)) != 1 {
		return nil, fmt.Errorf("%w: state differs from the login-state cookie's", ErrStateMismatch)
	}
	return &st, nil
}

func fill(s *Session, t *oauth.Tokens) {
	s.AccessToken, s.RefreshToken, s.Expiry = t.AccessToken, t.RefreshToken, t.Expiry
	if c := t.IDClaims; c != nil {
		s.Subject, s.Username, s.Email = c.Subject, c.Username, c.Email
		s.Groups = slices.Clone(c.Groups)
		s.Name, _ = c.String("name")
		if !c.AuthTime.IsZero() {
			s.AuthTime = c.AuthTime
		}
		s.Claims = append(json.RawMessage(nil), c.Raw()...)
	}
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		writeLogoutPage(w, h.cfg.LogoutPath)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		h.cfg.ErrorPage(w, r, http.StatusMethodNotAllowed, "Method not allowed", "Sign out with the button.")
		return
	}
	if err := h.xorig.Check(r); err != nil {
		h.cfg.ErrorPage(w, r, http.StatusForbidden, "Sign-out refused", "Cross-site sign-out requests are not accepted.")
		return
	}
	if s, err := h.store.Load(r); err == nil && s.RefreshToken != "" {
		if err := h.client.Revoke(r.Context(), s.RefreshToken); err != nil {
			h.cfg.Logger.Warn("weblogin: refresh token revocation failed", "err", err)
		}
	}
	_ = h.store.Delete(w, r)
	target := "/"
	if h.cfg.PostLogoutURL != "" {
		target, _ = h.client.LogoutURL(h.cfg.PostLogoutURL)
	}
	h.cfg.Logger.Info("weblogin: signed out")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// Session loads the request's session, refreshing its access token when it
// is about to expire (and saving the result through w). It returns
// ErrNoSession for anonymous browsers, ErrSessionEnded when the refresh
// token was rejected or the session outlived MaxAge (its cookie is
// cleared), and an error matching oauth.ErrUnavailable when the token
// expired and Cognito cannot be reached. Invalid cookies (tampered, from
// other keys, oversized) are cleared and reported as ErrNoSession.
func (h *Handler) Session(w http.ResponseWriter, r *http.Request) (*Session, error) {
	s, err := h.store.Load(r)
	switch {
	case errors.Is(err, ErrNoSession):
		return nil, ErrNoSession
	case err != nil:
		h.cfg.Logger.Info("weblogin: discarding an unusable session cookie", "err", err)
		_ = h.store.Delete(w, r)
		return nil, ErrNoSession
	}
	now := h.cfg.Now()
	if !s.CreatedAt.IsZero() && !now.Before(s.CreatedAt.Add(h.cfg.MaxAge)) {
		_ = h.store.Delete(w, r)
		return nil, fmt.Errorf("%w: older than MaxAge", ErrSessionEnded)
	}
	if now.Add(h.cfg.RefreshBefore).Before(s.Expiry) {
		return s, nil
	}
	if s.RefreshToken == "" {
		if now.Before(s.Expiry) {
			return s, nil
		}
		_ = h.store.Delete(w, r)
		return nil, fmt.Errorf("%w: access token expired and no refresh token", ErrSessionEnded)
	}
	t, err := h.client.Refresh(r.Context(), s.RefreshToken)
	switch {
	case err == nil:
	case errors.Is(err, oauth.ErrInvalidGrant), errors.Is(err, oauth.ErrInvalidClient), errors.Is(err, oauth.ErrUnauthorizedClient),
		errors.Is(err, verifier.ErrTooLarge): // signing in again shows why
		h.cfg.Logger.Info("weblogin: session ended: refresh refused", "sub", s.Subject, "err", err)
		_ = h.store.Delete(w, r)
		return nil, fmt.Errorf("%w: %w", ErrSessionEnded, err)
	default:
		if now.Before(s.Expiry) {
			h.cfg.Logger.Warn("weblogin: refresh failed; the access token is still valid", "err", err)
			return s, nil
		}
		return nil, fmt.Errorf("weblogin: refresh: %w", err)
	}
	ns := *s
	fill(&ns, t)
	if t.IDClaims == nil { // keep the identity of the last ID token
		ns.Subject, ns.Username, ns.Email, ns.Name, ns.Groups, ns.Claims = s.Subject, s.Username, s.Email, s.Name, s.Groups, s.Claims
	}
	if err := h.store.Save(w, r, &ns); err != nil {
		if errors.Is(err, ErrSessionTooLarge) { // grew since sign-in; signing in again shows why
			h.cfg.Logger.Error("weblogin: the refreshed session does not fit the cookie store; use a server-side Config.Store", "sub", ns.Subject, "err", err)
			_ = h.store.Delete(w, r)
			return nil, fmt.Errorf("%w: %w", ErrSessionEnded, err)
		}
		h.cfg.Logger.Error("weblogin: cannot save the refreshed session", "err", err)
		return nil, err
	}
	h.cfg.Logger.Debug("weblogin: access token refreshed", "sub", ns.Subject, "rotated", t.Rotated)
	return &ns, nil
}

// RequireLogin is middleware that lets signed-in requests through with
// their session in the context ([SessionFromContext]). Anonymous browsers
// are redirected to sign in and brought back to the same page; API clients
// (see Config.IsAPIRequest) get 401. When Cognito is unreachable and the
// access token has expired, the answer is 503.
func (h *Handler) RequireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := h.Session(w, r)
		if err != nil {
			h.denied(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), s)))
	})
}

// RequireAnyGroup returns middleware that is RequireLogin and also
// requires membership in at least one of groups (any-of, from the ID
// token's cognito:groups); signed-in users outside them get a 403 page.
// It panics when no group is given, since requirements are written as
// constants at wiring time.
func (h *Handler) RequireAnyGroup(groups ...string) func(http.Handler) http.Handler {
	if len(groups) == 0 {
		panic("weblogin.Handler.RequireAnyGroup: no names given")
	}
	return h.requireGroups(groups, (*Session).hasAnyGroup)
}

// RequireAllGroups returns middleware that is RequireLogin and also
// requires membership in every one of groups (all-of); signed-in users
// who lack one get a 403 page. It panics when no group is given.
func (h *Handler) RequireAllGroups(groups ...string) func(http.Handler) http.Handler {
	if len(groups) == 0 {
		panic("weblogin.Handler.RequireAllGroups: no names given")
	}
	return h.requireGroups(groups, (*Session).hasAllGroups)
}

// RequireGroup is RequireLogin that also requires membership of one of
// groups.
//
// Deprecated: use RequireAnyGroup, the same requirement under the name
// every transport uses (RequireAllGroups requires all of them).
func (h *Handler) RequireGroup(groups ...string) func(http.Handler) http.Handler {
	return h.requireGroups(groups, (*Session).hasAnyGroup)
}

func (h *Handler) requireGroups(groups []string, member func(*Session, []string) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return h.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, _ := SessionFromContext(r.Context())
			if member(s, groups) {
				next.ServeHTTP(w, r)
				return
			}
			h.cfg.ErrorPage(w, r, http.StatusForbidden, "Forbidden", "Your account is not allowed to see this page.")
		}))
	}
}

// LoadSession is middleware that attaches the session when there is one
// and lets every request through, for pages that merely look different to
// signed-in users.
func (h *Handler) LoadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, err := h.Session(w, r); err == nil {
			r = r.WithContext(NewContext(r.Context(), s))
		}
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) denied(w http.ResponseWriter, r *http.Request, err error) {
	if !errors.Is(err, ErrNoSession) && !errors.Is(err, ErrSessionEnded) {
		h.cfg.ErrorPage(w, r, http.StatusServiceUnavailable, "Service unavailable", "The sign-in service cannot be reached. Please try again in a moment.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if h.cfg.IsAPIRequest(r) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"login_required","login_url":%q}`+"\n", h.cfg.LoginPath)
		return
	}
	http.Redirect(w, r, h.LoginURL(r.URL.RequestURI()), http.StatusFound)
}
