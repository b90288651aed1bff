package cognitotest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The emulator serves Cognito's OAuth 2.0 endpoints (managed login, the
// former hosted UI) on its own base URL, which plays the role of the
// domain https://{prefix}.auth.{region}.amazoncognito.com: pass
// [Server.OAuthDomain] wherever a Cognito domain is expected.
//
//	GET  /oauth2/authorize  validates the request, then shows the sign-in page
//	GET  /login             the sign-in page (username and password, then a
//	                        TOTP code when the user has an authenticator app)
//	POST /login             the sign-in form
//	POST /oauth2/token      authorization_code, refresh_token, client_credentials
//	GET  /oauth2/userInfo   (and POST) the user's attributes, for the openid scope
//	POST /oauth2/revoke     revokes a refresh token
//	GET  /logout            ends the managed-login session, then redirects
//
// App clients need the OAuth settings of [ClientConfig]: CallbackURLs,
// LogoutURLs, AllowedOAuthFlows, AllowedOAuthScopes and
// AllowedOAuthFlowsUserPoolClient, exactly as in Cognito.
//
// Errors follow Cognito: the token and revoke endpoints answer HTTP 400 with
// {"error": "invalid_request" | "invalid_client" | "invalid_grant" |
// "unauthorized_client" | "unsupported_grant_type" | "invalid_scope" |
// "unsupported_token_type"}; userInfo answers 401 with a WWW-Authenticate
// Bearer challenge (error="invalid_token"); the authorization endpoint
// redirects errors to the callback URL (error, error_description, state)
// once the client and redirect URI are known to be valid, and shows an
// error page otherwise. Injected failures (Server.FailOperation) apply to
// the pseudo-operations "OAuth2Token", "OAuth2UserInfo" and "OAuth2Revoke".

// Lifetimes of the OAuth emulation.
const (
	oauthCodeLifetime    = 5 * time.Minute  // Cognito: authorization codes live 5 minutes
	oauthRequestLifetime = 15 * time.Minute // a pending sign-in page
	oauthSSOLifetime     = time.Hour        // Cognito's managed-login session
	oauthSSOCookie       = "cognitotest_sso"
	oauthMaxPending      = 10000 // bound on pending requests, codes and sessions
)

// OAuthDomain returns the base URL of the emulated OAuth domain: the
// server's URL. The endpoints are OAuthDomain()+"/oauth2/authorize",
// "/oauth2/token", "/oauth2/userInfo", "/oauth2/revoke" and "/logout".
func (s *Server) OAuthDomain() string { return s.url }

// oauthServer holds the state of the OAuth endpoints. All fields are
// guarded by s.mu, like the rest of the emulator's state.
type oauthServer struct {
	s        *Server
	requests map[string]*authzRequest // pending sign-in pages, by ID
	codes    map[string]*authzCode    // issued authorization codes
	sso      map[string]*ssoSession   // managed-login sessions, by cookie
}

// authzRequest is a validated authorization request waiting for sign-in.
type authzRequest struct {
	id          string
	client      *appClient
	redirectURI string
	state       string
	nonce       string
	challenge   string
	scopes      []string
	loginHint   string
	expires     time.Time
	user        *user  // set once the password is right
	step        string // "newpw" or "mfa" once user is set
	failures    int
}

type authzCode struct {
	client      *appClient
	user        *user
	redirectURI string
	challenge   string
	nonce       string
	scopes      []string
	authTime    time.Time
	expires     time.Time
	used        bool
	origin      string // origin_jti of the tokens it was redeemed for
}

type ssoSession struct {
	pool     *Pool
	user     *user
	authTime time.Time
	expires  time.Time
}

func (s *Server) registerOAuthRoutes(mux *http.ServeMux) {
	o := &oauthServer{s: s, requests: map[string]*authzRequest{}, codes: map[string]*authzCode{}, sso: map[string]*ssoSession{}}
	mux.HandleFunc("GET /oauth2/authorize", o.authorize)
	mux.HandleFunc("GET /login", o.loginPage)
	mux.HandleFunc("POST /login", o.loginSubmit)
	mux.HandleFunc("POST /oauth2/token", o.token)
	mux.HandleFunc("GET /oauth2/userInfo", o.userInfo)
	mux.HandleFunc("POST /oauth2/userInfo", o.userInfo)
	mux.HandleFunc("POST /oauth2/revoke", o.revoke)
	mux.HandleFunc("GET /logout", o.logout)
}

// ---- authorization endpoint -------------------------------------------------

func (o *oauthServer) authorize(w http.ResponseWriter, r *http.Request) {
	s := o.s
	q := r.URL.Query()
	for k, v := range q {
		if len(v) > 1 {
			o.errorPage(w, http.StatusBadRequest, "invalid_request", "The parameter "+truncate(k, 64)+" is repeated.")
			return
		}
	}
	clientID, redirectURI := q.Get("client_id"), q.Get("redirect_uri")
	s.mu.Lock()
	defer s.mu.Unlock()
	if clientID == "" {
		o.errorPage(w, http.StatusBadRequest, "invalid_request", "Missing required parameter client_id.")
		return
	}
	client := s.clients[clientID]
	if client == nil {
		o.errorPage(w, http.StatusBadRequest, "invalid_request", "The client_id does not match any app client.")
		return
	}
	if redirectURI == "" {
		o.errorPage(w, http.StatusBadRequest, "invalid_request", "Missing required parameter redirect_uri.")
		return
	}
	if !hasString(client.cfg.CallbackURLs, redirectURI) {
		o.errorPage(w, http.StatusBadRequest, "redirect_mismatch", "The redirect_uri is not one of the app client's callback URLs.")
		return
	}
	state := q.Get("state")
	fail := func(code, desc string) { redirectError(w, r, redirectURI, state, code, desc) }
	if len(state) > 2048 || len(q.Get("nonce")) > 2048 || len(q.Get("login_hint")) > 256 {
		fail("invalid_request", "state and nonce are limited to 2048 bytes, login_hint to 256")
		return
	}
	switch rt := q.Get("response_type"); {
	case rt == "":
		fail("invalid_request", "Missing required parameter response_type")
		return
	case rt != "code":
		fail("unsupported_response_type", "cognitotest supports response_type=code only")
		return
	}
	if !client.cfg.AllowedOAuthFlowsUserPoolClient || !hasString(client.cfg.AllowedOAuthFlows, "code") {
		fail("unauthorized_client", "The app client is not allowed the authorization code grant (AllowedOAuthFlows, AllowedOAuthFlowsUserPoolClient)")
		return
	}
	scopes, ok := requestedScopes(q.Get("scope"), client.cfg.AllowedOAuthScopes)
	if !ok {
		fail("invalid_scope", "A requested scope is not allowed for the app client")
		return
	}
	for _, sc := range scopes {
		if !client.pool.scopeExistsLocked(sc) {
			fail("invalid_scope", "A requested scope does not exist")
			return
		}
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		fail("invalid_request", "code_challenge_method without code_challenge")
		return
	case challenge != "" && method != "S256":
		fail("invalid_request", "code_challenge_method must be S256")
		return
	case challenge != "" && !validChallenge(challenge):
		fail("invalid_request", "code_challenge must be 43 base64url characters (S256)")
		return
	}
	if idp := q.Get("identity_provider"); idp != "" && idp != "COGNITO" {
		if !hasString(client.cfg.SupportedIdentityProviders, idp) {
			fail("invalid_request", "The identity provider is not enabled for the app client")
			return
		}
		o.errorPage(w, http.StatusNotImplemented, "invalid_request", "cognitotest does not emulate federated identity providers; use identity_provider=COGNITO.")
		return
	}
	if q.Get("idp_identifier") != "" {
		o.errorPage(w, http.StatusNotImplemented, "invalid_request", "cognitotest does not emulate federated identity providers (idp_identifier).")
		return
	}
	req := &authzRequest{
		client: client, redirectURI: redirectURI, state: state, nonce: q.Get("nonce"), challenge: challenge,
		scopes: scopes, loginHint: q.Get("login_hint"), expires: s.now().Add(oauthRequestLifetime),
	}
	prompt := q.Get("prompt")
	if prompt != "login" {
		if sess := o.ssoLocked(r, client.pool); sess != nil {
			o.issueCodeLocked(w, r, req, sess.user, sess.authTime)
			return
		}
	}
	if prompt == "none" {
		fail("login_required", "No managed-login session")
		return
	}
	o.gcLocked()
	if len(o.requests) >= oauthMaxPending {
		o.errorPage(w, http.StatusServiceUnavailable, "temporarily_unavailable", "Too many pending sign-in requests.")
		return
	}
	req.id = s.randString(32, alnum)
	o.requests[req.id] = req
	http.Redirect(w, r, "/login?request="+req.id, http.StatusFound)
}

// requestedScopes returns the scopes of the request, or all allowed scopes
// when none are requested; ok is false when one is not allowed.
func requestedScopes(param string, allowed []string) ([]string, bool) {
	fields := strings.Fields(param)
	if len(fields) == 0 {
		return append([]string(nil), allowed...), len(allowed) > 0
	}
	if len(fields) > 50 {
		return nil, false
	}
	var out []string
	for _, f := range fields {
		if !hasString(allowed, f) {
			return nil, false
		}
		if !hasString(out, f) {
			out = append(out, f)
		}
	}
	return out, true
}

func validChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil
}

func redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state, code, desc string) {
	v := url.Values{"error": {code}, "error_description": {desc}}
	if state != "" {
		v.Set("state", state)
	}
	http.Redirect(w, r, appendQuery(redirectURI, v), http.StatusFound)
}

func appendQuery(u string, v url.Values) string {
	if strings.Contains(u, "?") {
		return u + "&" + v.Encode()
	}
	return u + "?" + v.Encode()
}

// gcLocked drops expired requests, codes and sessions.
func (o *oauthServer) gcLocked() {
	now := o.s.now()
	for id, r := range o.requests {
		if now.After(r.expires) {
			delete(o.requests, id)
		}
	}
	for id, c := range o.codes {
		// Used codes are kept a while longer to detect replays.
		if now.After(c.expires.Add(oauthCodeLifetime)) {
			delete(o.codes, id)
		}
	}
	for id, ss := range o.sso {
		if now.After(ss.expires) {
			delete(o.sso, id)
		}
	}
}

func (o *oauthServer) ssoLocked(r *http.Request, p *Pool) *ssoSession {
	c, err := r.Cookie(oauthSSOCookie)
	if err != nil {
		return nil
	}
	ss := o.sso[c.Value]
	if ss == nil || ss.pool != p || !o.s.now().Before(ss.expires) {
		return nil
	}
	u := ss.user
	if p.users[p.normUsername(u.username)] != u || !u.enabled || (!u.signedOutAt.IsZero() && !ss.authTime.After(u.signedOutAt)) {
		return nil
	}
	return ss
}

// issueCodeLocked creates an authorization code for u and redirects to the
// callback.
func (o *oauthServer) issueCodeLocked(w http.ResponseWriter, r *http.Request, req *authzRequest, u *user, authTime time.Time) {
	s := o.s
	o.gcLocked()
	if len(o.codes) >= oauthMaxPending {
		redirectError(w, r, req.redirectURI, req.state, "temporarily_unavailable", "Too many outstanding codes")
		return
	}
	code := s.uuid()
	o.codes[code] = &authzCode{
		client: req.client, user: u, redirectURI: req.redirectURI, challenge: req.challenge, nonce: req.nonce,
		scopes: req.scopes, authTime: authTime, expires: s.now().Add(oauthCodeLifetime),
	}
	v := url.Values{"code": {code}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	http.Redirect(w, r, appendQuery(req.redirectURI, v), http.StatusFound)
}

// ---- sign-in page -----------------------------------------------------------

func (o *oauthServer) loginPage(w http.ResponseWriter, r *http.Request) {
	s := o.s
	s.mu.Lock()
	defer s.mu.Unlock()
	req := o.requests[r.URL.Query().Get("request")]
	if req == nil || s.now().After(req.expires) {
		o.errorPage(w, http.StatusBadRequest, "invalid_request", "This sign-in page has expired. Go back to the application and sign in again.")
		return
	}
	o.renderLogin(w, http.StatusOK, req, "")
}

func (o *oauthServer) loginSubmit(w http.ResponseWriter, r *http.Request) {
	s := o.s
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		o.errorPage(w, http.StatusBadRequest, "invalid_request", "The form could not be read.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	req := o.requests[r.PostForm.Get("request")]
	if req == nil || s.now().After(req.expires) {
		o.errorPage(w, http.StatusBadRequest, "invalid_request", "This sign-in page has expired. Go back to the application and sign in again.")
		return
	}
	p := req.client.pool
	if u := req.user; u != nil {
		if p.users[p.normUsername(u.username)] != u || !u.enabled {
			delete(o.requests, req.id)
			o.errorPage(w, http.StatusBadRequest, "invalid_request", "The user no longer exists or is disabled.")
			return
		}
		if req.step == "newpw" {
			o.newPasswordLocked(w, r, req, u)
			return
		}
		if !checkTOTP(u.totpSecret, strings.TrimSpace(r.PostForm.Get("code")), s.now()) {
			o.failLocked(w, req, "Invalid code received for user")
			return
		}
		o.finishLoginLocked(w, r, req, u)
		return
	}
	username, password := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	if username == "" || password == "" {
		o.renderLogin(w, http.StatusOK, req, "Enter your username and password.")
		return
	}
	u := p.lookupLocked(username)
	msg := ""
	switch {
	case u == nil && !req.client.cfg.PreventUserExistenceErrors:
		msg = "User does not exist."
	case u == nil || !u.checkPassword(password):
		msg = "Incorrect username or password."
	case u.status == StatusUnconfirmed:
		msg = "User is not confirmed."
	case !u.enabled:
		msg = "User is disabled."
	case u.status == StatusResetRequired:
		msg = "Password reset required for the user"
	case u.status == StatusForceChangePassword && s.now().After(u.tempUntil):
		msg = "Temporary password has expired and must be reset by an administrator."
	}
	if msg != "" {
		o.failLocked(w, req, msg)
		return
	}
	req.user, req.failures = u, 0
	if u.status == StatusForceChangePassword {
		req.step = "newpw"
		o.renderLogin(w, http.StatusOK, req, "")
		return
	}
	o.afterPasswordLocked(w, r, req, u)
}

// failLocked counts a failed attempt and shows the form again, or ends the
// request after five failures.
func (o *oauthServer) failLocked(w http.ResponseWriter, req *authzRequest, msg string) {
	req.failures++
	if req.failures >= 5 {
		delete(o.requests, req.id)
		o.errorPage(w, http.StatusBadRequest, "access_denied", "Too many failed attempts. Go back to the application and sign in again.")
		return
	}
	o.renderLogin(w, http.StatusOK, req, msg)
}

// afterPasswordLocked asks for a TOTP code when the user has an
// authenticator app and the pool has MFA, and finishes otherwise.
func (o *oauthServer) afterPasswordLocked(w http.ResponseWriter, r *http.Request, req *authzRequest, u *user) {
	p := req.client.pool
	if p.cfg.MFA != MFAOff && u.totpSecret != "" && hasString(p.userMFAMethodsLocked(u), MFATOTP) {
		req.step = "mfa"
		o.renderLogin(w, http.StatusOK, req, "")
		return
	}
	o.finishLoginLocked(w, r, req, u)
}

// newPasswordLocked handles the new-password form of a user created with a
// temporary password (Cognito's NEW_PASSWORD_REQUIRED).
func (o *oauthServer) newPasswordLocked(w http.ResponseWriter, r *http.Request, req *authzRequest, u *user) {
	s, p := o.s, req.client.pool
	pw := r.PostForm.Get("new_password")
	if pw != r.PostForm.Get("confirm_password") {
		o.failLocked(w, req, "The passwords do not match.")
		return
	}
	if msg := p.checkPasswordPolicy(pw); msg != "" {
		o.failLocked(w, req, msg)
		return
	}
	for _, a := range p.cfg.RequiredAttributes {
		if _, ok := u.attrs[a]; !ok {
			o.errorPage(w, http.StatusBadRequest, "invalid_request", "The user lacks the required attribute "+a+", which the cognitotest sign-in page cannot collect.")
			return
		}
	}
	salt, v := p.passwordSecrets(u.username, pw)
	u.setPassword(pw, salt, v)
	u.status = StatusConfirmed
	u.modified = s.now()
	req.step = ""
	o.afterPasswordLocked(w, r, req, u)
}

func (o *oauthServer) finishLoginLocked(w http.ResponseWriter, r *http.Request, req *authzRequest, u *user) {
	s := o.s
	delete(o.requests, req.id)
	now := s.now()
	if len(o.sso) < oauthMaxPending {
		id := s.randString(40, alnum)
		o.sso[id] = &ssoSession{pool: req.client.pool, user: u, authTime: now, expires: now.Add(oauthSSOLifetime)}
		http.SetCookie(w, &http.Cookie{Name: oauthSSOCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: int(oauthSSOLifetime / time.Second)})
	}
	o.issueCodeLocked(w, r, req, u, now)
}

// ---- token endpoint ---------------------------------------------------------

// oauthError is an RFC 6749 error answer.
type oauthError struct {
	status int
	code   string
	desc   string
}

func oerr(code, desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: code, desc: desc}
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if e.status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer error="`+e.code+`", error_description="`+strings.ReplaceAll(e.desc, `"`, `'`)+`"`)
	}
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]string{"error": e.code, "error_description": e.desc})
}

func writeJSON(w http.ResponseWriter, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	json.NewEncoder(w).Encode(v)
}

// injected returns the error of a failure queued with FailOperation.
func (o *oauthServer) injected(op string) *oauthError {
	ae := o.s.faults.takeFailure(op)
	if ae == nil {
		return nil
	}
	if ae.Status >= 500 {
		return &oauthError{status: ae.Status, code: "server_error", desc: ae.Message}
	}
	return oerr("invalid_request", ae.Message)
}

// readForm parses an application/x-www-form-urlencoded body, refusing
// repeated parameters as RFC 6749 asks.
func (o *oauthServer) readForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauthError) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return nil, oerr("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, o.s.opts.maxBody))
	if err != nil {
		return nil, oerr("invalid_request", "The request body is too large or unreadable")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, oerr("invalid_request", "The request body is not valid form encoding")
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, oerr("invalid_request", "The parameter "+truncate(k, 64)+" is repeated")
		}
	}
	return form, nil
}

// clientAuthLocked authenticates the client with HTTP Basic
// (client_secret_basic) or form parameters (client_secret_post, or
// client_id alone for public clients).
func (o *oauthServer) clientAuthLocked(r *http.Request, form url.Values) (*appClient, *oauthError) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, oerr("invalid_client", "The Authorization header is malformed")
		}
		if form.Get("client_secret") != "" {
			return nil, oerr("invalid_request", "Use one client authentication method, not both Basic and client_secret")
		}
		if fid := form.Get("client_id"); fid != "" && fid != id {
			return nil, oerr("invalid_request", "client_id differs from the Authorization header's")
		}
	} else if r.Header.Get("Authorization") != "" {
		return nil, oerr("invalid_client", "The Authorization header must use the Basic scheme")
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if id == "" {
		return nil, oerr("invalid_request", "Missing client_id (form) or Basic authentication")
	}
	c := o.s.clients[id]
	if c == nil {
		return nil, oerr("invalid_client", "Client authentication failed")
	}
	switch {
	case c.cfg.Secret == "" && secret != "":
		return nil, oerr("invalid_client", "Client authentication failed: the app client has no secret")
	case c.cfg.Secret != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(c.cfg.Secret)) != 1:
		return nil, oerr("invalid_client", "Client authentication failed")
	}
	return c, nil
}

func (o *oauthServer) token(w http.ResponseWriter, r *http.Request) {
	if e := o.injected("OAuth2Token"); e != nil {
		writeOAuthError(w, e)
		return
	}
	form, e := o.readForm(w, r)
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	grant := form.Get("grant_type")
	switch grant {
	case "":
		writeOAuthError(w, oerr("invalid_request", "Missing required parameter grant_type"))
		return
	case "authorization_code", "refresh_token", "client_credentials":
	default:
		writeOAuthError(w, oerr("unsupported_grant_type", "grant_type must be authorization_code, refresh_token or client_credentials"))
		return
	}
	s := o.s
	s.mu.Lock()
	client, e := o.clientAuthLocked(r, form)
	var pt *pendingTokens
	var err error
	if e == nil {
		switch grant {
		case "authorization_code":
			pt, e, err = o.codeGrantLocked(client, form)
		case "refresh_token":
			pt, e, err = o.refreshGrantLocked(client, form)
		case "client_credentials":
			pt, e, err = o.clientCredentialsLocked(client, form)
		}
	}
	s.mu.Unlock()
	if e == nil && err != nil {
		e = &oauthError{status: http.StatusInternalServerError, code: "server_error", desc: "token minting failed"}
		s.opts.logger.Error("cognitotest: oauth token", "err", err)
	}
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	t, err := pt.finish(r.Context())
	if err != nil {
		writeOAuthError(w, &oauthError{status: http.StatusBadRequest, code: "invalid_request", desc: err.Error()})
		return
	}
	out := map[string]any{"access_token": t.AccessToken, "expires_in": t.ExpiresIn, "token_type": t.TokenType}
	if t.IDToken != "" {
		out["id_token"] = t.IDToken
	}
	if t.RefreshToken != "" {
		out["refresh_token"] = t.RefreshToken
	}
	s.opts.logger.Info("cognitotest: oauth token", "grant_type", grant, "client_id", client.cfg.ID)
	writeJSON(w, out)
}

func (o *oauthServer) codeGrantLocked(client *appClient, form url.Values) (*pendingTokens, *oauthError, error) {
	s := o.s
	code := form.Get("code")
	if code == "" {
		return nil, oerr("invalid_request", "Missing required parameter code"), nil
	}
	if form.Get("redirect_uri") == "" {
		return nil, oerr("invalid_request", "Missing required parameter redirect_uri"), nil
	}
	if !client.cfg.AllowedOAuthFlowsUserPoolClient || !hasString(client.cfg.AllowedOAuthFlows, "code") {
		return nil, oerr("unauthorized_client", "The app client is not allowed the authorization code grant"), nil
	}
	ac := o.codes[code]
	invalid := oerr("invalid_grant", "The authorization code is invalid, expired or already used")
	switch {
	case ac == nil || ac.client != client:
		return nil, invalid, nil
	case ac.used:
		// A replayed code: revoke what the first redemption issued
		// (RFC 6749 section 4.1.2).
		if ac.origin != "" {
			p := client.pool
			p.revokedOrigins[ac.origin] = true
			for _, rt := range p.refreshTokens {
				if rt.originJTI == ac.origin {
					rt.revoked = true
				}
			}
		}
		return nil, invalid, nil
	case !s.now().Before(ac.expires):
		return nil, invalid, nil
	}
	// The code is spent by any redemption attempt with the right client,
	// successful or not, so that a guessed verifier cannot be retried.
	ac.used = true
	if form.Get("redirect_uri") != ac.redirectURI {
		return nil, oerr("invalid_grant", "redirect_uri does not match the authorization request"), nil
	}
	verifier := form.Get("code_verifier")
	if ac.challenge != "" {
		if verifier == "" {
			return nil, oerr("invalid_grant", "Missing code_verifier"), nil
		}
		sum := sha256.Sum256([]byte(verifier))
		if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(ac.challenge)) != 1 {
			return nil, oerr("invalid_grant", "code_verifier does not match code_challenge"), nil
		}
	} else if verifier != "" {
		return nil, oerr("invalid_grant", "code_verifier sent but the authorization request had no code_challenge"), nil
	}
	u := ac.user
	p := client.pool
	if p.users[p.normUsername(u.username)] != u || !u.enabled {
		return nil, invalid, nil
	}
	openid := hasString(ac.scopes, "openid")
	pt, err := p.prepareTokensLocked(&mintRequest{
		client: client, user: u, authTime: ac.authTime, scope: strings.Join(ac.scopes, " "), scopeSet: true,
		nonce: ac.nonce, atHash: true, noID: !openid, trigger: "TokenGeneration_HostedAuth",
	})
	if err != nil {
		return nil, nil, err
	}
	ac.origin, _ = pt.access["origin_jti"].(string)
	return pt, nil, nil
}

func (o *oauthServer) refreshGrantLocked(client *appClient, form url.Values) (*pendingTokens, *oauthError, error) {
	token := form.Get("refresh_token")
	if token == "" {
		return nil, oerr("invalid_request", "Missing required parameter refresh_token"), nil
	}
	pt, ae, err := o.s.redeemRefreshLocked(client, token, "")
	if ae != nil {
		return nil, oerr("invalid_grant", ae.Message), nil
	}
	return pt, nil, err
}

func (o *oauthServer) clientCredentialsLocked(client *appClient, form url.Values) (*pendingTokens, *oauthError, error) {
	if client.cfg.Secret == "" {
		return nil, oerr("invalid_client", "The client_credentials grant requires an app client with a secret"), nil
	}
	if !client.cfg.AllowedOAuthFlowsUserPoolClient || !hasString(client.cfg.AllowedOAuthFlows, "client_credentials") {
		return nil, oerr("unauthorized_client", "The app client is not allowed the client_credentials grant"), nil
	}
	var allowed []string
	for _, sc := range client.cfg.AllowedOAuthScopes {
		if strings.Contains(sc, "/") && client.pool.scopeExistsLocked(sc) {
			allowed = append(allowed, sc)
		}
	}
	scopes, ok := requestedScopes(form.Get("scope"), allowed)
	if !ok {
		return nil, oerr("invalid_scope", "A requested scope is not a resource-server scope allowed for the app client"), nil
	}
	pt, err := client.pool.prepareTokensLocked(&mintRequest{client: client, scope: strings.Join(scopes, " "), scopeSet: true, noRefresh: true, noID: true})
	return pt, nil, err
}

// ---- userInfo, revoke, logout -----------------------------------------------

func (o *oauthServer) userInfo(w http.ResponseWriter, r *http.Request) {
	if e := o.injected("OAuth2UserInfo"); e != nil {
		writeOAuthError(w, e)
		return
	}
	authz := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(authz, "Bearer ")
	if !ok || token == "" {
		writeOAuthError(w, &oauthError{status: http.StatusUnauthorized, code: "invalid_request", desc: "Missing Bearer access token"})
		return
	}
	s := o.s
	s.mu.Lock()
	p, u, claims, desc := s.oauthAccessLocked(token)
	var out map[string]string
	if desc == "" {
		out = userInfoClaims(p, u, claims)
	}
	s.mu.Unlock()
	if desc != "" {
		writeOAuthError(w, &oauthError{status: http.StatusUnauthorized, code: "invalid_token", desc: desc})
		return
	}
	writeJSON(w, out)
}

// userInfoClaims returns the attributes the token's scopes allow: sub and
// username always; email and email_verified with "email"; phone_number and
// phone_number_verified with "phone"; the other standard attributes with
// "profile"; everything readable (custom attributes too) with
// "aws.cognito.signin.user.admin". Values are strings, as Cognito sends
// them.
func userInfoClaims(p *Pool, u *user, c *accessClaims) map[string]string {
	scopes := strings.Fields(c.Scope)
	has := func(s string) bool { return hasString(scopes, s) }
	client := p.clients[c.ClientID]
	out := map[string]string{"sub": u.sub, "username": u.username}
	for k, v := range u.attrs {
		if client != nil && !readable(client, k) {
			continue
		}
		var ok bool
		switch {
		case has("aws.cognito.signin.user.admin"):
			ok = true
		case k == "email" || k == "email_verified":
			ok = has("email")
		case k == "phone_number" || k == "phone_number_verified":
			ok = has("phone")
		case strings.Contains(k, ":"):
			ok = false
		default:
			ok = has("profile")
		}
		if ok {
			out[k] = v
		}
	}
	return out
}

// oauthAccessLocked validates an access token presented to userInfo. It
// returns a description of the problem, or "" when the token is good.
func (s *Server) oauthAccessLocked(token string) (*Pool, *user, *accessClaims, string) {
	const invalid = "Invalid access token"
	if len(token) > 16<<10 {
		return nil, nil, nil, invalid
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, nil, invalid
	}
	hdrJSON, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	body, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, nil, nil, invalid
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var c accessClaims
	if json.Unmarshal(hdrJSON, &hdr) != nil || hdr.Alg != "RS256" || json.Unmarshal(body, &c) != nil {
		return nil, nil, nil, invalid
	}
	p := s.poolForIssuerLocked(c.Iss)
	if p == nil {
		return nil, nil, nil, invalid
	}
	var key *signingKey
	for _, k := range p.keys {
		if k.kid == hdr.Kid {
			key = k
		}
	}
	if key == nil {
		return nil, nil, nil, invalid
	}
	sum := sha256.Sum256([]byte(token[:len(parts[0])+1+len(parts[1])]))
	if rsa.VerifyPKCS1v15(&key.priv.PublicKey, crypto.SHA256, sum[:], sig) != nil || c.TokenUse != "access" {
		return nil, nil, nil, invalid
	}
	if !s.now().Before(time.Unix(c.Exp, 0)) {
		return nil, nil, nil, "Access token has expired"
	}
	if c.Username == "" {
		return nil, nil, nil, "Machine-to-machine tokens have no user information"
	}
	if c.OriginJTI != "" && p.revokedOrigins[c.OriginJTI] {
		return nil, nil, nil, "Access token has been revoked"
	}
	u := p.users[p.normUsername(c.Username)]
	if u == nil || u.sub != c.Sub || !u.enabled {
		return nil, nil, nil, invalid
	}
	if !hasScope(c.Scope, "openid") {
		return nil, nil, nil, "Access token does not have the openid scope"
	}
	return p, u, &c, ""
}

func (o *oauthServer) revoke(w http.ResponseWriter, r *http.Request) {
	if e := o.injected("OAuth2Revoke"); e != nil {
		writeOAuthError(w, e)
		return
	}
	form, e := o.readForm(w, r)
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	token := form.Get("token")
	s := o.s
	s.mu.Lock()
	client, e := o.clientAuthLocked(r, form)
	if e == nil && token == "" {
		e = oerr("invalid_request", "Missing required parameter token")
	}
	if e == nil {
		if ae := s.revokeRefreshLocked(client, token); ae != nil {
			switch ae.Type {
			case "UnsupportedTokenTypeException":
				e = oerr("unsupported_token_type", ae.Message)
			default:
				e = oerr("invalid_request", ae.Message)
			}
		}
	}
	s.mu.Unlock()
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

func (o *oauthServer) logout(w http.ResponseWriter, r *http.Request) {
	s := o.s
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	client := s.clients[q.Get("client_id")]
	if client == nil {
		o.errorPage(w, http.StatusBadRequest, "invalid_request", "Missing or unknown client_id.")
		return
	}
	var target string
	switch logoutURI, redirectURI := q.Get("logout_uri"), q.Get("redirect_uri"); {
	case logoutURI != "":
		if !hasString(client.cfg.LogoutURLs, logoutURI) {
			o.errorPage(w, http.StatusBadRequest, "invalid_request", "The logout_uri is not one of the app client's sign-out URLs.")
			return
		}
		target = logoutURI
	case redirectURI != "":
		// Sign out, then sign in again: Cognito's logout with
		// redirect_uri and response_type.
		if !hasString(client.cfg.CallbackURLs, redirectURI) {
			o.errorPage(w, http.StatusBadRequest, "redirect_mismatch", "The redirect_uri is not one of the app client's callback URLs.")
			return
		}
		v := url.Values{}
		for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method"} {
			if x := q.Get(k); x != "" {
				v.Set(k, x)
			}
		}
		target = "/oauth2/authorize?" + v.Encode()
	default:
		o.errorPage(w, http.StatusBadRequest, "invalid_request", "Missing logout_uri (or redirect_uri and response_type).")
		return
	}
	if c, err := r.Cookie(oauthSSOCookie); err == nil {
		delete(o.sso, c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: oauthSSOCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, target, http.StatusFound)
}
