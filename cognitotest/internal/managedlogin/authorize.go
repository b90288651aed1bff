package managedlogin

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// authorize serves GET /oauth2/authorize.
func (o *Server) authorize(w http.ResponseWriter, r *http.Request) {
	s := o.up
	q := r.URL.Query()
	for k, v := range q {
		if len(v) > 1 {
			errorPage(w, http.StatusBadRequest, "invalid_request", "The parameter "+wire.Truncate(k, 64)+" is repeated.")
			return
		}
	}
	clientID, redirectURI := q.Get("client_id"), q.Get("redirect_uri")
	o.mu.Lock()
	defer o.mu.Unlock()
	if clientID == "" {
		errorPage(w, http.StatusBadRequest, "invalid_request", "Missing required parameter client_id.")
		return
	}
	var client *state.Client
	o.view(func(tx *state.Tx) { client = tx.Client(clientID) })
	if client == nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "The client_id does not match any app client.")
		return
	}
	var domain bool
	o.view(func(tx *state.Tx) { domain = hasDomain(tx, client.PoolID) })
	if !domain {
		errorPage(w, http.StatusNotFound, "invalid_request", noDomainMessage)
		return
	}
	if redirectURI == "" {
		errorPage(w, http.StatusBadRequest, "invalid_request", "Missing required parameter redirect_uri.")
		return
	}
	if !userpool.HasString(client.CallbackURLs, redirectURI) {
		errorPage(w, http.StatusBadRequest, "redirect_mismatch", "The redirect_uri is not one of the app client's callback URLs.")
		return
	}
	st := q.Get("state")
	fail := func(code, desc string) { redirectError(w, r, redirectURI, st, code, desc) }
	if len(st) > 2048 || len(q.Get("nonce")) > 2048 || len(q.Get("login_hint")) > 256 {
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
	if !client.AllowedOAuthFlowsUserPoolClient || !userpool.HasString(client.AllowedOAuthFlows, "code") {
		fail("unauthorized_client", "The app client is not allowed the authorization code grant (AllowedOAuthFlows, AllowedOAuthFlowsUserPoolClient)")
		return
	}
	scopes, ok := requestedScopes(q.Get("scope"), client.AllowedOAuthScopes)
	if !ok {
		fail("invalid_scope", "A requested scope is not allowed for the app client")
		return
	}
	exist := true
	o.view(func(tx *state.Tx) {
		for _, sc := range scopes {
			exist = exist && userpool.ScopeExists(tx, client.PoolID, sc)
		}
	})
	if !exist {
		fail("invalid_scope", "A requested scope does not exist")
		return
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
	idp, msg := o.resolveProvider(client, q.Get("identity_provider"), q.Get("idp_identifier"))
	if msg != "" {
		fail("invalid_request", msg)
		return
	}
	req := &authzRequest{
		client: client, redirectURI: redirectURI, state: st, nonce: q.Get("nonce"), challenge: challenge,
		scopes: scopes, loginHint: q.Get("login_hint"), expires: s.Now().Add(requestLifetime),
	}
	if idp != nil {
		o.federateLocked(w, r, req, idp)
		return
	}
	prompt := q.Get("prompt")
	if prompt != "login" {
		if sess := o.ssoLocked(r, client.PoolID); sess != nil {
			o.issueCodeLocked(w, r, req, sess.user, sess.authTime)
			return
		}
	}
	if prompt == "none" {
		fail("login_required", "No managed-login session")
		return
	}
	o.gcLocked()
	if len(o.requests) >= maxPending {
		errorPage(w, http.StatusServiceUnavailable, "temporarily_unavailable", "Too many pending sign-in requests.")
		return
	}
	req.id = s.RandString(32, emulator.Alnum)
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
		if !userpool.HasString(allowed, f) {
			return nil, false
		}
		if !userpool.HasString(out, f) {
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

// issueCodeLocked creates an authorization code for the user and
// redirects to the callback.
func (o *Server) issueCodeLocked(w http.ResponseWriter, r *http.Request, req *authzRequest, u userRef, authTime time.Time) {
	s := o.up
	o.gcLocked()
	if len(o.codes) >= maxPending {
		redirectError(w, r, req.redirectURI, req.state, "temporarily_unavailable", "Too many outstanding codes")
		return
	}
	code := s.UUID()
	o.codes[code] = &authzCode{
		clientID: req.client.ID, user: u, redirectURI: req.redirectURI, challenge: req.challenge, nonce: req.nonce,
		scopes: req.scopes, authTime: authTime, expires: s.Now().Add(codeLifetime),
	}
	v := url.Values{"code": {code}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	http.Redirect(w, r, appendQuery(req.redirectURI, v), http.StatusFound)
}
