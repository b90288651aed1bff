package managedlogin

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// oauthError is an RFC 6749 error answer.
type oauthError struct {
	status int
	code   string
	desc   string
}

func (e *oauthError) Error() string { return e.code + ": " + e.desc }

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
func (o *Server) injected(op string) *oauthError {
	ae := o.up.Faults.TakeFailure(op)
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
func (o *Server) readForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauthError) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return nil, oerr("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, o.up.Config().MaxBodyBytes))
	if err != nil {
		return nil, oerr("invalid_request", "The request body is too large or unreadable")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, oerr("invalid_request", "The request body is not valid form encoding")
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, oerr("invalid_request", "The parameter "+wire.Truncate(k, 64)+" is repeated")
		}
	}
	return form, nil
}

// clientAuth authenticates the client with HTTP Basic
// (client_secret_basic) or form parameters (client_secret_post, or
// client_id alone for public clients).
func (o *Server) clientAuth(r *http.Request, form url.Values) (*state.Client, *oauthError) {
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
	var c *state.Client
	domain := false
	o.view(func(tx *state.Tx) {
		if c = tx.Client(id); c != nil {
			domain = hasDomain(tx, c.PoolID)
		}
	})
	if c == nil {
		return nil, oerr("invalid_client", "Client authentication failed")
	}
	if !domain {
		return nil, oerr("invalid_request", noDomainMessage)
	}
	switch {
	case c.Secret == "" && secret != "":
		return nil, oerr("invalid_client", "Client authentication failed: the app client has no secret")
	case c.Secret != "" && !userpool.SecretMatches(c, secret):
		return nil, oerr("invalid_client", "Client authentication failed")
	}
	return c, nil
}

// token serves POST /oauth2/token.
func (o *Server) token(w http.ResponseWriter, r *http.Request) {
	s := o.up
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
	client, e := o.clientAuth(r, form)
	var pt *userpool.PendingTokens
	var err error
	if e == nil {
		switch grant {
		case "authorization_code":
			pt, e, err = o.codeGrant(client, form)
		case "refresh_token":
			pt, e, err = o.refreshGrant(client, form)
		case "client_credentials":
			pt, e, err = o.clientCredentials(client, form)
		}
	}
	if e == nil && err != nil {
		e = &oauthError{status: http.StatusInternalServerError, code: "server_error", desc: "token minting failed"}
		s.Logger().Error("cognitotest: oauth token", "err", err)
	}
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	meta, e := clientMetadata(form)
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	pt.SetClientMetadata(meta)
	t, err := pt.Finish(r.Context())
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
	s.Logger().Info("cognitotest: oauth token", "grant_type", grant, "client_id", client.ID)
	writeJSON(w, out)
}

// clientMetadata returns the aws_client_metadata of a token request: a
// JSON object of strings (URL-encoded in the form), the clientMetadata of
// the pre token generation trigger.
func clientMetadata(form url.Values) (map[string]string, *oauthError) {
	v := form.Get("aws_client_metadata")
	if v == "" {
		return nil, nil
	}
	var m map[string]string
	if len(v) > 4096 || json.Unmarshal([]byte(v), &m) != nil || len(m) > 64 {
		return nil, oerr("invalid_request", "aws_client_metadata must be a JSON object of at most 64 strings, at most 4096 bytes")
	}
	return m, nil
}

// mint prepares tokens in a transaction; an *oauthError from fn undoes
// it and is returned as such.
func (o *Server) mint(fn func(tx *state.Tx) (*userpool.PendingTokens, *oauthError, error)) (*userpool.PendingTokens, *oauthError, error) {
	var pt *userpool.PendingTokens
	var oe *oauthError
	err := o.up.State.Update(func(tx *state.Tx) error {
		var err error
		pt, oe, err = fn(tx)
		if oe != nil {
			return oe
		}
		return err
	})
	if oe != nil {
		return nil, oe, nil
	}
	return pt, nil, err
}

func (o *Server) codeGrant(client *state.Client, form url.Values) (*userpool.PendingTokens, *oauthError, error) {
	s := o.up
	code := form.Get("code")
	if code == "" {
		return nil, oerr("invalid_request", "Missing required parameter code"), nil
	}
	if form.Get("redirect_uri") == "" {
		return nil, oerr("invalid_request", "Missing required parameter redirect_uri"), nil
	}
	if !client.AllowedOAuthFlowsUserPoolClient || !userpool.HasString(client.AllowedOAuthFlows, "code") {
		return nil, oerr("unauthorized_client", "The app client is not allowed the authorization code grant"), nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	ac := o.codes[code]
	invalid := oerr("invalid_grant", "The authorization code is invalid, expired or already used")
	switch {
	case ac == nil || ac.clientID != client.ID:
		return nil, invalid, nil
	case ac.used:
		// A replayed code: revoke what the first redemption issued
		// (RFC 6749 section 4.1.2).
		if ac.origin != "" {
			err := s.State.Update(func(tx *state.Tx) error {
				s.RevokeOrigin(tx, client.PoolID, ac.origin)
				return nil
			})
			if err != nil {
				return nil, nil, err
			}
		}
		return nil, invalid, nil
	case !s.Now().Before(ac.expires):
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
	pt, oe, err := o.mint(func(tx *state.Tx) (*userpool.PendingTokens, *oauthError, error) {
		u := ac.user.user(tx)
		if u == nil || !u.Enabled {
			return nil, invalid, nil
		}
		openid := userpool.HasString(ac.scopes, "openid")
		pt, err := s.PrepareTokens(tx, tx.Pool(client.PoolID), &userpool.MintRequest{
			Client: client, User: u, AuthTime: ac.authTime, Scope: strings.Join(ac.scopes, " "), ScopeSet: true,
			Nonce: ac.nonce, AtHash: true, NoID: !openid, Trigger: "TokenGeneration_HostedAuth",
		})
		return pt, nil, err
	})
	if pt != nil {
		ac.origin = pt.OriginJTI()
	}
	return pt, oe, err
}

func (o *Server) refreshGrant(client *state.Client, form url.Values) (*userpool.PendingTokens, *oauthError, error) {
	token := form.Get("refresh_token")
	if token == "" {
		return nil, oerr("invalid_request", "Missing required parameter refresh_token"), nil
	}
	return o.mint(func(tx *state.Tx) (*userpool.PendingTokens, *oauthError, error) {
		pt, ae, err := o.up.RedeemRefresh(tx, client, token, "")
		if ae != nil {
			return nil, oerr("invalid_grant", ae.Message), nil
		}
		return pt, nil, err
	})
}

func (o *Server) clientCredentials(client *state.Client, form url.Values) (*userpool.PendingTokens, *oauthError, error) {
	if client.Secret == "" {
		return nil, oerr("invalid_client", "The client_credentials grant requires an app client with a secret"), nil
	}
	if !client.AllowedOAuthFlowsUserPoolClient || !userpool.HasString(client.AllowedOAuthFlows, "client_credentials") {
		return nil, oerr("unauthorized_client", "The app client is not allowed the client_credentials grant"), nil
	}
	return o.mint(func(tx *state.Tx) (*userpool.PendingTokens, *oauthError, error) {
		var allowed []string
		for _, sc := range client.AllowedOAuthScopes {
			if strings.Contains(sc, "/") && userpool.ScopeExists(tx, client.PoolID, sc) {
				allowed = append(allowed, sc)
			}
		}
		scopes, ok := requestedScopes(form.Get("scope"), allowed)
		if !ok {
			return nil, oerr("invalid_scope", "A requested scope is not a resource-server scope allowed for the app client"), nil
		}
		pt, err := o.up.PrepareTokens(tx, tx.Pool(client.PoolID), &userpool.MintRequest{Client: client, Scope: strings.Join(scopes, " "), ScopeSet: true, NoRefresh: true, NoID: true,
			Trigger: "TokenGeneration_ClientCredentials"})
		return pt, nil, err
	})
}
