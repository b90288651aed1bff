package weblogin

import (
	"context"
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
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// Defaults.
const (
	DefaultLoginPath     = "/auth/login"
	DefaultCallbackPath  = "/auth/callback"
	DefaultLogoutPath    = "/auth/logout"
	DefaultLoginStateTTL = 10 * time.Minute
	// DefaultEarlyExpiry is how long before its expiry a session's access
	// token is refreshed (Config.EarlyExpiry).
	DefaultEarlyExpiry = 2 * time.Minute
	// DefaultRefreshBefore is the former name of DefaultEarlyExpiry.
	//
	// Deprecated: use DefaultEarlyExpiry.
	DefaultRefreshBefore = DefaultEarlyExpiry
	loginCookiePrefix    = "cognito_login_"
	maxLoginCookies      = 4
	maxStateCookie       = 2048
	maxProviders         = 64
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

	// IdentityProviders lists the identity providers a sign-in link may
	// name, so that a "Sign in with Google" button skips the managed-login
	// page: LoginPath?identity_provider=Google (see
	// [Handler.ProviderLoginURL]) sends the browser straight to the
	// provider. Names are those of the user pool's identity providers
	// ("Google", "SignInWithApple", an OIDC or SAML provider's name, or
	// "COGNITO"), checked with [oauth.CheckProviderName]; matching is
	// exact. Optional. Default: none, and a sign-in link naming a provider
	// is refused with 400 ([ErrUnknownProvider]), so that nobody can
	// craft links to providers the app does not offer.
	IdentityProviders []string

	// IDPIdentifiers lists the IdP identifiers a sign-in link may name
	// (LoginPath?idp_identifier=example.com), checked with
	// [oauth.CheckIDPIdentifier]. Optional. Default: none, as for
	// IdentityProviders.
	IDPIdentifiers []string

	// LoginStateTTL is how long a sign-in may take, from /login to the
	// callback. Optional. Default DefaultLoginStateTTL.
	LoginStateTTL time.Duration

	// EarlyExpiry is how long before its expiry the session's access
	// token is refreshed, on the first request in that window: the name
	// of the same setting in package oauth, srpclient and identitypool.
	// Optional. Default DefaultEarlyExpiry.
	EarlyExpiry time.Duration

	// RefreshBefore is the former name of EarlyExpiry, used when
	// EarlyExpiry is zero.
	//
	// Deprecated: use EarlyExpiry.
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

	// Revocation records every sign-out of this Handler (the session's
	// sign-in by its origin_jti; for "sign out everywhere", every token of
	// the user issued until then), so that verifiers consulting it
	// (verifier.Config.Revocation) refuse the session's access and ID
	// tokens at once, on every replica when it is shared. It is also
	// asked about the session's access token on every request, so that a
	// session whose tokens were revoked elsewhere (another replica's "sign
	// out everywhere", an administrator through online.AdminSignOut) ends
	// at once even with the cookie store. Optional; usually the
	// application's *revocation.List. Default: none, and a sign-out only
	// revokes the refresh token in Cognito.
	Revocation Revocation

	// Observer receives sign-in, refresh and sign-out events for metrics
	// and traces. Optional.
	Observer Observer
}

// Revocation is what [Config].Revocation needs: a revocation list that
// records revocations and answers checks. *revocation.List implements it.
type Revocation interface {
	revocation.Revoker
	verifier.RevocationChecker
}

// Observer is a set of optional callbacks. Nil fields are not called. They
// run synchronously on the request's goroutine, with its context (for
// trace spans), and must be fast and safe for concurrent use.
type Observer struct {
	// OnSignIn is called after each sign-in callback.
	OnSignIn func(ctx context.Context, e Event)
	// OnRefresh is called after each refresh of a session's tokens.
	OnRefresh func(ctx context.Context, e Event)
	// OnSignOut is called after each sign-out (Event.Everywhere tells
	// which kind).
	OnSignOut func(ctx context.Context, e Event)
}

// Event describes one sign-in, refresh or sign-out. It never holds tokens.
type Event struct {
	// Start is when the step began; Duration how long it took.
	Start    time.Time
	Duration time.Duration
	// Outcome is "ok" or a short label of the failure:
	// "state_mismatch", "refused" (by the authorization server or the
	// user), "bad_request", "exchange_failed", "unavailable" (Cognito or
	// the store), "too_large", "store_failed" for sign-ins; "ended" (the
	// refresh token was refused), "unavailable" or "store_failed" for
	// refreshes ("unavailable" also when the access token, still valid,
	// is kept).
	Outcome string
	// Everywhere is set for a "sign out everywhere".
	Everywhere bool
	// Err is the error behind a failure (never holding a token).
	Err error
}

func (h *Handler) emit(f func(context.Context, Event), ctx context.Context, start time.Time, outcome string, err error) {
	if f != nil {
		f(ctx, Event{Start: start, Duration: h.cfg.Now().Sub(start), Outcome: outcome, Err: err})
	}
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
	if err := checkProviders(cfg); err != nil {
		return nil, err
	}
	if cfg.LoginStateTTL == 0 {
		cfg.LoginStateTTL = DefaultLoginStateTTL
	}
	if cfg.EarlyExpiry == 0 {
		cfg.EarlyExpiry = cfg.RefreshBefore
	}
	if cfg.EarlyExpiry == 0 {
		cfg.EarlyExpiry = DefaultEarlyExpiry
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.LoginStateTTL < 0 || cfg.LoginStateTTL > time.Hour || cfg.EarlyExpiry < 0 || cfg.MaxAge < 0 {
		return nil, fmt.Errorf("%w: LoginStateTTL (at most 1h), EarlyExpiry and MaxAge must not be negative", ErrInvalidConfig)
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

// ProviderLoginURL returns the path that starts a sign-in with the
// identity provider named provider, skipping the managed-login page, and
// then returns to returnTo (a local path; anything else is replaced by
// DefaultReturnTo). provider must be one of Config.IdentityProviders;
// otherwise the error matches [ErrUnknownProvider].
func (h *Handler) ProviderLoginURL(provider, returnTo string) (string, error) {
	if !slices.Contains(h.cfg.IdentityProviders, provider) {
		return "", fmt.Errorf("%w: %q is not in Config.IdentityProviders", ErrUnknownProvider, truncate(provider, 40))
	}
	if !LocalPath(returnTo) {
		returnTo = h.cfg.DefaultReturnTo
	}
	return h.cfg.LoginPath + "?" + url.Values{"identity_provider": {provider}, "return_to": {returnTo}}.Encode(), nil
}

// checkProviders validates the allow-lists of identity providers, and
// that AuthOptions combine with each of them into a valid URL (an
// AuthOptions naming an IdP identifier cannot, for example, be combined
// with a provider name).
func checkProviders(cfg Config) error {
	if len(cfg.IdentityProviders) > maxProviders || len(cfg.IDPIdentifiers) > maxProviders {
		return fmt.Errorf("%w: more than %d IdentityProviders or IDPIdentifiers", ErrInvalidConfig, maxProviders)
	}
	req := oauth.AuthRequest{State: "s", CodeVerifier: strings.Repeat("v", 43)}
	try := func(what string, extra oauth.AuthOption) error {
		opts := append(slices.Clone(cfg.AuthOptions), extra)
		if _, err := cfg.Client.AuthCodeURL(req, opts...); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalidConfig, what, err)
		}
		return nil
	}
	for _, p := range cfg.IdentityProviders {
		if err := try("IdentityProviders", oauth.IdentityProvider(p)); err != nil {
			return err
		}
	}
	for _, id := range cfg.IDPIdentifiers {
		if err := try("IDPIdentifiers", oauth.IDPIdentifier(id)); err != nil {
			return err
		}
	}
	return nil
}

// providerOption returns the option of the provider the sign-in link
// names, nil when it names none, or an error matching ErrUnknownProvider.
func (h *Handler) providerOption(q url.Values) (oauth.AuthOption, error) {
	idp, hasIDP := q["identity_provider"]
	ident, hasIdent := q["idp_identifier"]
	switch {
	case !hasIDP && !hasIdent:
		return nil, nil
	case hasIDP && hasIdent:
		return nil, fmt.Errorf("%w: both identity_provider and idp_identifier", ErrUnknownProvider)
	case hasIDP:
		if len(idp) != 1 || !slices.Contains(h.cfg.IdentityProviders, idp[0]) {
			return nil, fmt.Errorf("%w: identity_provider is not in Config.IdentityProviders", ErrUnknownProvider)
		}
		return oauth.IdentityProvider(idp[0]), nil
	default:
		if len(ident) != 1 || !slices.Contains(h.cfg.IDPIdentifiers, ident[0]) {
			return nil, fmt.Errorf("%w: idp_identifier is not in Config.IDPIdentifiers", ErrUnknownProvider)
		}
		return oauth.IDPIdentifier(ident[0]), nil
	}
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
	q := r.URL.Query()
	provider, err := h.providerOption(q)
	if err != nil {
		h.cfg.Logger.Warn("weblogin: refused a sign-in link naming an identity provider that is not allowed", "err", err)
		h.cfg.ErrorPage(w, r, http.StatusBadRequest, "Invalid sign-in link", "This sign-in option is not offered by this site.")
		return
	}
	returnTo := q.Get("return_to")
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
	opts := h.cfg.AuthOptions
	if provider != nil {
		opts = append(slices.Clip(opts), provider)
	}
	authURL, err := h.client.AuthCodeURL(req, opts...)
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
	start := h.cfg.Now()
	outcome, err := h.signIn(w, r)
	h.emit(h.cfg.Observer.OnSignIn, r.Context(), start, outcome, err)
}

// signIn completes a sign-in and returns the outcome label for the
// observer.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) (string, error) {
	q := r.URL.Query()
	st, err := h.takeState(w, r, q.Get("state"))
	if err != nil {
		h.cfg.Logger.Warn("weblogin: callback refused", "err", err)
		h.cfg.ErrorPage(w, r, http.StatusBadRequest, "Sign-in could not be completed",
			"This sign-in link has expired or was opened in another browser. Please sign in again.")
		return "state_mismatch", err
	}
	if err := oauth.CallbackError(q); err != nil {
		h.cfg.Logger.Info("weblogin: sign-in refused by the authorization server", "err", err)
		h.cfg.ErrorPage(w, r, http.StatusForbidden, "Sign-in was not completed", "The sign-in was cancelled or refused. Please try again.")
		return "refused", err
	}
	code := q.Get("code")
	if code == "" || len(code) > 2048 {
		h.cfg.ErrorPage(w, r, http.StatusBadRequest, "Sign-in could not be completed", "The sign-in response has no code. Please sign in again.")
		return "bad_request", nil
	}
	tok, err := h.client.Exchange(r.Context(), code, oauth.AuthRequest{State: st.State, Nonce: st.Nonce, CodeVerifier: st.Verifier})
	if err != nil {
		if errors.Is(err, verifier.ErrTooLarge) {
			h.cfg.Logger.Error("weblogin: the ID token is larger than the verifier's MaxTokenSize", "err", err)
			h.tooLarge(w, r)
			return "too_large", err
		}
		status, msg, outcome := http.StatusBadRequest, "This sign-in link was already used or has expired. Please sign in again.", "exchange_failed"
		if errors.Is(err, oauth.ErrUnavailable) {
			status, msg, outcome = http.StatusServiceUnavailable, "The sign-in service is unavailable. Please try again in a moment.", "unavailable"
		}
		h.cfg.Logger.Warn("weblogin: code exchange failed", "err", err)
		h.cfg.ErrorPage(w, r, status, "Sign-in could not be completed", msg)
		return outcome, err
	}
	if tok.IDClaims == nil {
		h.cfg.ErrorPage(w, r, http.StatusInternalServerError, "Sign-in could not be completed", "No ID token was issued (the openid scope is missing).")
		return "bad_request", nil
	}
	now := h.cfg.Now()
	sess := &Session{CreatedAt: now}
	fill(sess, tok)
	if h.cfg.Revocation != nil {
		// Tokens issued within seconds after a "sign out everywhere"
		// are refused (see signOutMargin). Say so here rather than
		// saving a session that the next request would end, which with
		// managed login's single sign-on would redirect in a loop.
		if err := h.checkRevoked(r.Context(), sess); err != nil {
			status, outcome := http.StatusConflict, "revoked"
			if errors.Is(err, verifier.ErrRevocationUnavailable) {
				status, outcome = http.StatusServiceUnavailable, "unavailable"
			}
			h.cfg.Logger.Warn("weblogin: the new sign-in's tokens are refused by the revocation list", "err", err)
			h.cfg.ErrorPage(w, r, status, "Sign-in could not be completed", "You were just signed out everywhere. Please wait a few seconds and sign in again.")
			return outcome, err
		}
	}
	// A new session: drop the previous one (a new ID for server stores).
	_ = h.store.Delete(w, r)
	if err := h.store.Save(w, r, sess); err != nil {
		if errors.Is(err, ErrSessionTooLarge) {
			h.cfg.Logger.Error("weblogin: the session does not fit the cookie store; use a server-side Config.Store", "sub", sess.Subject, "err", err)
			h.tooLarge(w, r)
			return "too_large", err
		}
		if errors.Is(err, ErrStoreUnavailable) {
			h.cfg.Logger.Error("weblogin: the session store is unavailable", "err", err)
			h.cfg.ErrorPage(w, r, http.StatusServiceUnavailable, "Sign-in could not be completed", "The session could not be stored. Please try again in a moment.")
			return "unavailable", err
		}
		h.cfg.Logger.Error("weblogin: cannot save the session", "err", err)
		h.cfg.ErrorPage(w, r, http.StatusInternalServerError, "Sign-in could not be completed", "The session could not be stored.")
		return "store_failed", err
	}
	h.cfg.Logger.Info("weblogin: signed in", "sub", sess.Subject)
	returnTo := st.ReturnTo
	if !LocalPath(returnTo) {
		returnTo = h.cfg.DefaultReturnTo
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
	return "ok", nil
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
	_, multi := h.store.(UserSessionStore)
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		writeLogoutPage(w, h.cfg.LogoutPath, multi)
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
	start := h.cfg.Now()
	everywhere := r.PostFormValue("everywhere") == "1"
	s, err := h.store.Load(r)
	if errors.Is(err, ErrStoreUnavailable) {
		h.signOutUnavailable(w, r, start, everywhere, err)
		return
	}
	if err == nil && everywhere {
		if _, err := h.SignOutEverywhere(r.Context(), s.Subject); err != nil {
			if errors.Is(err, ErrStoreUnavailable) {
				h.signOutUnavailable(w, r, start, everywhere, err)
				return
			}
			h.cfg.Logger.Error("weblogin: sign out everywhere failed", "err", err)
			h.cfg.ErrorPage(w, r, http.StatusInternalServerError, "Sign-out could not be completed", "Your sessions could not all be ended. Please try again.")
			h.emitSignOut(r.Context(), start, true, "failed", err)
			return
		}
	} else if err == nil {
		h.revokeSession(r.Context(), s)
	}
	if err := h.store.Delete(w, r); errors.Is(err, ErrStoreUnavailable) {
		h.signOutUnavailable(w, r, start, everywhere, err)
		return
	}
	target := "/"
	if h.cfg.PostLogoutURL != "" {
		target, _ = h.client.LogoutURL(h.cfg.PostLogoutURL)
	}
	h.cfg.Logger.Info("weblogin: signed out", "everywhere", everywhere)
	h.emitSignOut(r.Context(), start, everywhere, "ok", nil)
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// signOutUnavailable answers a sign-out that could not end the session
// because the store is down: 503, so that the user tries again, rather
// than a sign-out that did not happen.
func (h *Handler) signOutUnavailable(w http.ResponseWriter, r *http.Request, start time.Time, everywhere bool, err error) {
	h.cfg.Logger.Error("weblogin: sign-out failed: the session store is unavailable", "err", err)
	h.emitSignOut(r.Context(), start, everywhere, "unavailable", err)
	h.cfg.ErrorPage(w, r, http.StatusServiceUnavailable, "Sign-out could not be completed", "The session service is unavailable. Please try again in a moment.")
}

func (h *Handler) emitSignOut(ctx context.Context, start time.Time, everywhere bool, outcome string, err error) {
	if f := h.cfg.Observer.OnSignOut; f != nil {
		f(ctx, Event{Start: start, Duration: h.cfg.Now().Sub(start), Outcome: outcome, Everywhere: everywhere, Err: err})
	}
}

// revokeSession revokes s's refresh token in Cognito and records its
// sign-in in Config.Revocation. Failures are logged: the session is
// deleted anyway.
func (h *Handler) revokeSession(ctx context.Context, s *Session) {
	if s.RefreshToken != "" {
		if err := h.client.Revoke(ctx, s.RefreshToken); err != nil {
			h.cfg.Logger.Warn("weblogin: refresh token revocation failed", "err", err)
		}
	}
	if h.cfg.Revocation == nil {
		return
	}
	e, err := revocation.EntryForToken(s.AccessToken)
	if err == nil {
		err = h.cfg.Revocation.Revoke(ctx, e)
	}
	if err != nil {
		h.cfg.Logger.Warn("weblogin: the sign-out could not be recorded in the revocation list", "err", err)
	}
}

// maxRevokedSessions bounds the Cognito revocation calls of one "sign out
// everywhere"; further sessions are deleted (and their tokens refused
// through Config.Revocation) without a call.
const maxRevokedSessions = 50

// SignOutEverywhere ends every session of the user subject (the sub
// claim), for "sign out everywhere" buttons and administrators: it deletes
// them from the store (which must be a [UserSessionStore], such as
// redisstore.SessionStore; otherwise ErrNoUserSessions), revokes their
// refresh tokens in Cognito (at most 50 calls), and records in
// Config.Revocation that every token of the user issued until now is
// revoked. It returns the number of sessions ended. An error matching
// ErrStoreUnavailable means nothing was ended: retry.
func (h *Handler) SignOutEverywhere(ctx context.Context, subject string) (int, error) {
	if ctx == nil || subject == "" {
		return 0, fmt.Errorf("%w: SignOutEverywhere needs a context and a subject", ErrInvalidConfig)
	}
	us, ok := h.store.(UserSessionStore)
	if !ok {
		return 0, ErrNoUserSessions
	}
	now := h.cfg.Now()
	sessions, err := us.EndUserSessions(ctx, subject)
	if err != nil {
		return 0, err
	}
	for i, s := range sessions {
		if i == maxRevokedSessions {
			break
		}
		if s.RefreshToken != "" {
			if err := h.client.Revoke(ctx, s.RefreshToken); err != nil {
				h.cfg.Logger.Warn("weblogin: refresh token revocation failed", "err", err)
			}
		}
	}
	if h.cfg.Revocation != nil {
		e := revocation.Entry{Subject: subject, IssuedBefore: now.Add(signOutMargin)}
		if err := h.cfg.Revocation.Revoke(ctx, e); err != nil {
			h.cfg.Logger.Warn("weblogin: sign out everywhere could not be recorded in the revocation list", "err", err)
		}
	}
	h.cfg.Logger.Info("weblogin: signed out everywhere", "sub", subject, "sessions", len(sessions))
	return len(sessions), nil
}

// signOutMargin is added to the time of a "sign out everywhere" for the
// revocation entry, so that a server clock a few seconds behind Cognito's
// cannot let a token issued just before through (online.SignOutMargin).
const signOutMargin = 5 * time.Second

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
	case errors.Is(err, ErrStoreUnavailable):
		// Not the browser's fault: keep its cookie, answer 503.
		h.cfg.Logger.Error("weblogin: the session store is unavailable", "err", err)
		return nil, err
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
	if h.cfg.Revocation != nil {
		if err := h.checkRevoked(r.Context(), s); err != nil {
			if errors.Is(err, verifier.ErrRevocationUnavailable) {
				return nil, err
			}
			h.cfg.Logger.Info("weblogin: session ended: its tokens were revoked", "sub", s.Subject)
			_ = h.store.Delete(w, r)
			return nil, fmt.Errorf("%w: %w", ErrSessionEnded, err)
		}
	}
	if now.Add(h.cfg.EarlyExpiry).Before(s.Expiry) {
		return s, nil
	}
	if s.RefreshToken == "" {
		if now.Before(s.Expiry) {
			return s, nil
		}
		_ = h.store.Delete(w, r)
		return nil, fmt.Errorf("%w: access token expired and no refresh token", ErrSessionEnded)
	}
	start := h.cfg.Now()
	ns, err := h.refresh(w, r, s, now)
	outcome := "ok"
	switch {
	case err == nil && ns == s:
		// The refresh failed, but the access token is still valid.
		outcome = "unavailable"
	case err == nil:
	case errors.Is(err, ErrSessionEnded):
		outcome = "ended"
	case errors.Is(err, oauth.ErrUnavailable), errors.Is(err, ErrStoreUnavailable):
		outcome = "unavailable"
	default:
		outcome = "failed"
	}
	h.emit(h.cfg.Observer.OnRefresh, r.Context(), start, outcome, err)
	return ns, err
}

// refresh refreshes s's tokens and saves the result. It returns s itself
// when the refresh failed but the access token is still valid.
func (h *Handler) refresh(w http.ResponseWriter, r *http.Request, s *Session, now time.Time) (*Session, error) {
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
		return nil, fmt.Errorf("weblogin: save the refreshed session: %w", err)
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

// checkRevoked asks Config.Revocation about the session's access token.
// The token comes from this application's own session store, so its
// claims are read without checking the signature again.
func (h *Handler) checkRevoked(ctx context.Context, s *Session) error {
	c, err := unverifiedClaims(s.AccessToken)
	if err != nil {
		return nil // not a JWT this list could know
	}
	return h.cfg.Revocation.CheckRevoked(ctx, s.AccessToken, c)
}

func unverifiedClaims(token string) (*verifier.Claims, error) {
	_, rest, _ := strings.Cut(token, ".")
	payload, _, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, ErrInvalidCookie
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, err
	}
	return verifier.ParseUnverifiedClaims(raw)
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

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
