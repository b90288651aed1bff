package oidcprovider

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// parseAuthorize validates an authorization request (RFC 6749 §4.1.1,
// OIDC Core §3.1.2.1). code and desc are an error to send to the redirect
// URI. pageErr is for the error page: the client or the redirect URI
// cannot be trusted, so nothing is sent there.
func (p *Provider) parseAuthorize(q url.Values) (req *authRequest, code, desc string, pageErr error) {
	clientID, err := single(q, "client_id")
	if err != nil {
		return nil, "", "", err
	}
	c, ok := p.clients[clientID]
	if !ok {
		return nil, "", "", fmt.Errorf("unknown client_id")
	}
	redirect, err := single(q, "redirect_uri")
	if err != nil {
		return nil, "", "", err
	}
	if !slices.Contains(c.RedirectURIs, redirect) {
		// OIDC Core §3.1.2.1: redirect_uri is required and MUST
		// exactly match a registered one.
		return nil, "", "", fmt.Errorf("redirect_uri is missing or not registered for this client")
	}
	req = &authRequest{clientID: clientID, redirectURI: redirect}
	var bad error
	get := func(name string) string {
		v, err := single(q, name)
		if err != nil && bad == nil {
			bad = err
		}
		return v
	}
	req.state = get("state")
	req.nonce = get("nonce")
	req.scope = get("scope")
	rt := get("response_type")
	req.challenge = get("code_challenge")
	method := get("code_challenge_method")
	prompt := get("prompt")
	get("login_hint")
	switch {
	case bad != nil:
		return req, "invalid_request", bad.Error(), nil
	case q.Has("request") || q.Has("request_uri"):
		return req, "request_not_supported", "request objects are not supported", nil
	case rt == "":
		return req, "invalid_request", "response_type is missing", nil
	case rt != "code":
		return req, "unsupported_response_type", "only response_type=code is supported", nil
	case !slices.Contains(strings.Split(req.scope, " "), "openid"):
		return req, "invalid_scope", "the scope must include openid", nil
	case req.challenge == "" && method != "":
		return req, "invalid_request", "code_challenge_method without code_challenge", nil
	case req.challenge == "" && p.cfg.RequirePKCE:
		return req, "invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256", nil
	case req.challenge != "" && method != "S256":
		return req, "invalid_request", "code_challenge_method must be S256", nil
	case req.challenge != "" && (len(req.challenge) != 43 || !validVerifier(req.challenge)):
		return req, "invalid_request", "code_challenge is not a S256 challenge", nil
	case prompt != "" && prompt != "login" && prompt != "none" && prompt != "select_account" && prompt != "consent":
		return req, "invalid_request", "unknown prompt value", nil
	}
	return req, "", "", nil
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch r.Method {
	case http.MethodGet:
		p.authorizeGet(w, r)
	case http.MethodPost:
		p.authorizePost(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		errorPage(w, http.StatusMethodNotAllowed, "Use GET (or POST from the sign-in page).")
	}
}

func (p *Provider) authorizeGet(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.RawQuery) > 16<<10 {
		errorPage(w, http.StatusRequestURITooLong, "The request is too long.")
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		errorPage(w, http.StatusBadRequest, "The query string is malformed.")
		return
	}
	req, code, desc, pageErr := p.parseAuthorize(q)
	if pageErr != nil {
		errorPage(w, http.StatusBadRequest, pageErr.Error())
		return
	}
	if code != "" {
		redirectError(w, r, req, code, desc)
		return
	}
	hint := q.Get("login_hint")
	var user *User
	if p.cfg.AutoApprove != "" {
		user = p.byID[p.cfg.AutoApprove]
	} else if p.cfg.TrustLoginHint && hint != "" {
		user = p.findUser(hint)
	}
	if user != nil {
		p.approve(w, r, req, *user)
		return
	}
	if q.Get("prompt") == "none" {
		redirectError(w, r, req, "login_required", "the user must sign in")
		return
	}
	now := p.cfg.Now()
	req.expires = now.Add(p.cfg.CodeTTL * 10)
	id := randomID()
	p.mu.Lock()
	p.sweep(now)
	full := len(p.pending) >= maxPending
	if !full {
		p.pending[id] = req
	}
	p.mu.Unlock()
	if full {
		redirectError(w, r, req, "temporarily_unavailable", "too many sign-ins in progress")
		return
	}
	if u := p.findUser(hint); u != nil {
		hint = u.Subject
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Frame-Options", "DENY")
	// No form-action: browsers apply it to the redirect that follows
	// the form's POST, which goes to the relying party's origin.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	_ = pageTmpl.Execute(w, struct {
		Request, Hint, Error string
		Users                []User
	}{Request: id, Hint: hint, Users: p.users})
}

// findUser returns the user whose Subject or Email is hint.
func (p *Provider) findUser(hint string) *User {
	if u := p.byID[hint]; u != nil {
		return u
	}
	for i := range p.users {
		if p.users[i].Email != "" && strings.EqualFold(p.users[i].Email, hint) {
			return &p.users[i]
		}
	}
	return nil
}

func (p *Provider) authorizePost(w http.ResponseWriter, r *http.Request) {
	form, ok := parseForm(w, r)
	if !ok {
		errorPage(w, http.StatusBadRequest, "The form is malformed or too large.")
		return
	}
	id, err := single(form, "request")
	if err != nil || id == "" {
		errorPage(w, http.StatusBadRequest, "The form has no sign-in request.")
		return
	}
	now := p.cfg.Now()
	p.mu.Lock()
	p.sweep(now)
	req := p.pending[id]
	delete(p.pending, id) // single use
	p.mu.Unlock()
	if req == nil {
		errorPage(w, http.StatusBadRequest, "This sign-in page has expired or was already used. Start again from the application.")
		return
	}
	if form.Get("deny") != "" {
		redirectError(w, r, req, "access_denied", "the user cancelled the sign-in")
		return
	}
	sub, err := single(form, "sub")
	if err != nil {
		errorPage(w, http.StatusBadRequest, err.Error())
		return
	}
	var user User
	if sub != "" {
		u := p.byID[sub]
		if u == nil {
			errorPage(w, http.StatusBadRequest, "Unknown user.")
			return
		}
		user = *u
	} else {
		var bad error
		get := func(name string) string {
			v, err := single(form, name)
			if err != nil && bad == nil {
				bad = err
			}
			return strings.TrimSpace(v)
		}
		user = User{Subject: get("custom_sub"), Email: get("custom_email"), Name: get("custom_name")}
		user.EmailVerified = user.Email != ""
		if bad == nil {
			bad = checkUser(user)
		}
		if bad != nil || len(user.Email) > 256 || len(user.Name) > 256 {
			errorPage(w, http.StatusBadRequest, "The subject must be 1 to 255 printable ASCII characters, the email and name at most 256 bytes.")
			return
		}
		if u := p.byID[user.Subject]; u != nil {
			user = *u // a configured user keeps their claims
		}
	}
	p.approve(w, r, req, user)
}

// parseForm reads a bounded application/x-www-form-urlencoded body.
func parseForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return nil, false
	}
	return r.PostForm, true
}

// approve issues a code for user and sends it to the redirect URI.
func (p *Provider) approve(w http.ResponseWriter, r *http.Request, req *authRequest, user User) {
	now := p.cfg.Now()
	code := randomID()
	p.mu.Lock()
	p.sweep(now)
	full := len(p.codes) >= maxCodes
	if !full {
		p.codes[code] = &grant{req: req, user: user, authTime: now, expires: now.Add(p.cfg.CodeTTL)}
	}
	p.mu.Unlock()
	if full {
		redirectError(w, r, req, "temporarily_unavailable", "too many codes outstanding")
		return
	}
	q := url.Values{"code": {code}}
	if req.state != "" {
		q.Set("state", req.state)
	}
	q.Set("iss", p.issuer) // RFC 9207
	http.Redirect(w, r, withQuery(req.redirectURI, q), http.StatusFound)
}

// tokenError writes an RFC 6749 §5.2 error.
func tokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		tokenError(w, http.StatusMethodNotAllowed, "invalid_request", "the token endpoint takes POST")
		return
	}
	form, ok := parseForm(w, r)
	if !ok {
		tokenError(w, http.StatusBadRequest, "invalid_request", "want an application/x-www-form-urlencoded body of at most 64 KiB")
		return
	}
	for name, v := range form {
		if len(v) > 1 {
			tokenError(w, http.StatusBadRequest, "invalid_request", name+" is repeated")
			return
		}
		if len(v[0]) > maxParam {
			tokenError(w, http.StatusBadRequest, "invalid_request", name+" is too long")
			return
		}
	}
	client, basic, msg := p.authenticate(r, form)
	if client == nil {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		}
		tokenError(w, http.StatusUnauthorized, "invalid_client", msg)
		return
	}
	switch gt := form.Get("grant_type"); gt {
	case "authorization_code":
	case "":
		tokenError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
		return
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code is supported")
		return
	}
	code := form.Get("code")
	if code == "" {
		tokenError(w, http.StatusBadRequest, "invalid_request", "code is missing")
		return
	}
	now := p.cfg.Now()
	p.mu.Lock()
	g := p.codes[code]
	if g != nil && g.used {
		// RFC 6749 §4.1.2: a code used twice revokes what it gave.
		delete(p.tokens, g.access)
		delete(p.codes, code)
		p.mu.Unlock()
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the code was already used")
		return
	}
	if g == nil || now.After(g.expires) {
		p.mu.Unlock()
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the code is unknown or expired")
		return
	}
	if g.req.clientID != client.ID {
		p.mu.Unlock()
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the code was issued to another client")
		return
	}
	if form.Get("redirect_uri") != g.req.redirectURI {
		p.mu.Unlock()
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request's")
		return
	}
	verifier := form.Get("code_verifier")
	switch {
	case g.req.challenge == "" && verifier != "":
		p.mu.Unlock()
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier without a code_challenge in the authorization request")
		return
	case g.req.challenge != "" && (!validVerifier(verifier) || !equal(s256(verifier), g.req.challenge)):
		p.mu.Unlock()
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the PKCE code_verifier does not match the code_challenge")
		return
	}
	g.used = true
	if len(p.tokens) >= maxTokens {
		p.sweep(now)
	}
	if len(p.tokens) >= maxTokens {
		p.mu.Unlock()
		tokenError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "too many access tokens alive")
		return
	}
	access := randomID()
	g.access = access
	p.tokens[access] = &grant{req: g.req, user: g.user, authTime: g.authTime, expires: now.Add(p.cfg.TokenTTL)}
	p.mu.Unlock()
	idToken, err := p.signIDToken(g, access)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", "cannot sign the ID token")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": int(p.cfg.TokenTTL.Seconds()),
		"id_token": idToken, "scope": g.req.scope,
	})
}

// authenticate finds the client of a token request: client_secret_basic,
// client_secret_post, or client_id alone for a public client. basic
// reports whether the request used HTTP Basic (for WWW-Authenticate).
func (p *Provider) authenticate(r *http.Request, form url.Values) (c *Client, basic bool, msg string) {
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: the Basic credentials are form-encoded.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, true, "malformed Basic credentials"
		}
		if form.Has("client_secret") {
			return nil, true, "use one client authentication method, not two"
		}
		if fid := form.Get("client_id"); fid != "" && fid != id {
			return nil, true, "client_id differs from the Basic credentials"
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	cl, ok := p.clients[id]
	if !ok {
		return nil, basic, "unknown client"
	}
	if cl.Secret == "" {
		if secret != "" {
			return nil, basic, "this client is public: send no secret"
		}
		return &cl, basic, ""
	}
	if !equal(secret, cl.Secret) {
		return nil, basic, "wrong client secret"
	}
	return &cl, basic, ""
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	auth := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" || len(tok) > maxParam {
		w.Header().Set("WWW-Authenticate", `Bearer realm="userinfo"`)
		http.Error(w, "send the access token as Authorization: Bearer", http.StatusUnauthorized)
		return
	}
	now := p.cfg.Now()
	p.mu.Lock()
	g := p.tokens[tok]
	if g != nil && now.After(g.expires) {
		delete(p.tokens, tok)
		g = nil
	}
	p.mu.Unlock()
	if g == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="userinfo", error="invalid_token", error_description="the access token is unknown, expired or revoked"`)
		http.Error(w, "invalid_token", http.StatusUnauthorized)
		return
	}
	claims := map[string]any{}
	for k, v := range g.user.Claims {
		claims[k] = v
	}
	claims["sub"] = g.user.Subject
	addProfile(claims, g.user)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(claims)
}
