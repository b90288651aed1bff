package managedlogin

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// userInfoRules are the rules of access tokens presented to userInfo.
var userInfoRules = userpool.TokenRules{Use: "access", User: true, Scope: "openid"}

// userInfo serves /oauth2/userInfo.
func (o *Server) userInfo(w http.ResponseWriter, r *http.Request) {
	if e := o.injected("OAuth2UserInfo"); e != nil {
		writeOAuthError(w, e)
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		writeOAuthError(w, &oauthError{status: http.StatusUnauthorized, code: "invalid_request", desc: "Missing Bearer access token"})
		return
	}
	var out map[string]string
	var err error
	o.view(func(tx *state.Tx) {
		var t *userpool.Token
		if t, err = o.up.CheckToken(tx, token, userInfoRules); err == nil {
			if !hasDomain(tx, t.Pool.ID) {
				err = errNoDomain
				return
			}
			out = userInfoClaims(tx, t)
		}
	})
	if err != nil {
		desc := "Invalid access token"
		switch err {
		case userpool.ErrTokenExpired:
			desc = "Access token has expired"
		case userpool.ErrTokenNoUser:
			desc = "Machine-to-machine tokens have no user information"
		case userpool.ErrTokenRevoked:
			desc = "Access token has been revoked"
		case userpool.ErrTokenScope:
			desc = "Access token does not have the openid scope"
		case errNoDomain:
			desc = noDomainMessage
		}
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
func userInfoClaims(tx *state.Tx, t *userpool.Token) map[string]string {
	u := t.User
	client := tx.Client(t.Claims.ClientID)
	if client != nil && client.PoolID != t.Pool.ID {
		client = nil
	}
	out := map[string]string{"sub": u.Sub, "username": u.Username}
	for k, v := range u.Attributes {
		if client != nil && !userpool.Readable(client, k) {
			continue
		}
		var ok bool
		switch {
		case t.HasScope("aws.cognito.signin.user.admin"):
			ok = true
		case k == "email" || k == "email_verified":
			ok = t.HasScope("email")
		case k == "phone_number" || k == "phone_number_verified":
			ok = t.HasScope("phone")
		case strings.Contains(k, ":"):
			ok = false
		default:
			ok = t.HasScope("profile")
		}
		if ok {
			out[k] = v
		}
	}
	return out
}

// revoke serves POST /oauth2/revoke.
func (o *Server) revoke(w http.ResponseWriter, r *http.Request) {
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
	client, e := o.clientAuth(r, form)
	if e == nil && token == "" {
		e = oerr("invalid_request", "Missing required parameter token")
	}
	if e == nil {
		err := o.up.State.Update(func(tx *state.Tx) error {
			if ae := o.up.RevokeRefresh(tx, client, token); ae != nil {
				if ae.Type == "UnsupportedTokenTypeException" {
					return oerr("unsupported_token_type", ae.Message)
				}
				return oerr("invalid_request", ae.Message)
			}
			return nil
		})
		if err != nil {
			var ok bool
			if e, ok = err.(*oauthError); !ok {
				e = &oauthError{status: http.StatusInternalServerError, code: "server_error", desc: "revocation failed"}
			}
		}
	}
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// logout serves GET /logout.
func (o *Server) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var client *state.Client
	domain := false
	o.view(func(tx *state.Tx) {
		if client = tx.Client(q.Get("client_id")); client != nil {
			domain = hasDomain(tx, client.PoolID)
		}
	})
	if client == nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "Missing or unknown client_id.")
		return
	}
	if !domain {
		errorPage(w, http.StatusNotFound, "invalid_request", noDomainMessage)
		return
	}
	var target string
	switch logoutURI, redirectURI := q.Get("logout_uri"), q.Get("redirect_uri"); {
	case logoutURI != "":
		if !userpool.HasString(client.LogoutURLs, logoutURI) {
			errorPage(w, http.StatusBadRequest, "invalid_request", "The logout_uri is not one of the app client's sign-out URLs.")
			return
		}
		target = logoutURI
	case redirectURI != "":
		// Sign out, then sign in again: Cognito's logout with
		// redirect_uri and response_type.
		if !userpool.HasString(client.CallbackURLs, redirectURI) {
			errorPage(w, http.StatusBadRequest, "redirect_mismatch", "The redirect_uri is not one of the app client's callback URLs.")
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
		errorPage(w, http.StatusBadRequest, "invalid_request", "Missing logout_uri (or redirect_uri and response_type).")
		return
	}
	if c, err := r.Cookie(ssoCookie); err == nil {
		o.mu.Lock()
		delete(o.sso, c.Value)
		o.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, target, http.StatusFound)
}
