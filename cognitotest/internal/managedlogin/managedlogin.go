// Package managedlogin serves a user pool's OAuth 2.0 and OpenID Connect
// endpoints, which Cognito serves on the pool's domain
// (https://{prefix}.auth.{region}.amazoncognito.com) and the emulator on
// its own base URL:
//
//	GET  /oauth2/authorize  validates the request, then shows the sign-in page
//	GET  /login             the sign-in page (username and password, then a
//	                        TOTP code when the user has an authenticator app)
//	POST /login             the sign-in form
//	POST /oauth2/token      authorization_code, refresh_token, client_credentials
//	GET  /oauth2/userInfo   (and POST) the user's attributes, for the openid scope
//	POST /oauth2/revoke     revokes a refresh token
//	GET  /logout            ends the managed-login session, then redirects
//	GET  /{pool}/.well-known/jwks.json, /openid-configuration
//
// Errors follow Cognito: the token and revoke endpoints answer HTTP 400 with
// {"error": "invalid_request" | "invalid_client" | "invalid_grant" |
// "unauthorized_client" | "unsupported_grant_type" | "invalid_scope" |
// "unsupported_token_type"}; userInfo answers 401 with a WWW-Authenticate
// Bearer challenge (error="invalid_token"); the authorization endpoint
// redirects errors to the callback URL (error, error_description, state)
// once the client and redirect URI are known to be valid, and shows an
// error page otherwise. Injected failures apply to the pseudo-operations
// "OAuth2Token", "OAuth2UserInfo" and "OAuth2Revoke".
//
// The pending sign-in pages, the authorization codes and the managed-login
// sessions are held here, in memory: they are short-lived flow state, not
// part of the durable state. Users, clients and tokens are the user pool
// service's.
//
// The files follow the endpoints: authorize.go, login.go (and pages.go,
// its HTML), token.go, userinfo.go (userInfo, revoke, logout) and
// wellknown.go.
package managedlogin

import (
	"net/http"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// Lifetimes and limits of the managed login.
const (
	codeLifetime    = 5 * time.Minute  // Cognito: authorization codes live 5 minutes
	requestLifetime = 15 * time.Minute // a pending sign-in page
	ssoLifetime     = time.Hour        // Cognito's managed-login session
	ssoCookie       = "cognitotest_sso"
	maxPending      = 10000 // bound on pending requests, codes and sessions
)

// Server holds the state of the managed-login endpoints.
//
// Its handlers take mu first and may then open state transactions; no
// code takes mu inside a transaction.
type Server struct {
	up *userpool.Service

	mu       sync.Mutex               // guards the maps
	requests map[string]*authzRequest // pending sign-in pages, by ID
	codes    map[string]*authzCode    // issued authorization codes
	sso      map[string]*ssoSession   // managed-login sessions, by cookie
}

// userRef names a user: the username and sub of the record.
type userRef struct{ poolID, username, sub string }

func refOf(u *state.User) userRef { return userRef{u.PoolID, u.Username, u.Sub} }

// user returns the current record of the user, or nil when it is gone.
func (r userRef) user(tx *state.Tx) *state.User {
	return userpool.UserOf(tx, tx.Pool(r.poolID), r.username, r.sub)
}

// authzRequest is a validated authorization request waiting for sign-in.
type authzRequest struct {
	id          string
	client      *state.Client
	redirectURI string
	state       string
	nonce       string
	challenge   string
	scopes      []string
	loginHint   string
	expires     time.Time
	user        *userRef // set once the password is right
	step        string   // "newpw" or "mfa" once user is set
	failures    int
}

type authzCode struct {
	clientID    string
	user        userRef
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
	user     userRef
	authTime time.Time
	expires  time.Time
}

// New returns the managed-login server of up.
func New(up *userpool.Service) *Server {
	return &Server{up: up, requests: map[string]*authzRequest{}, codes: map[string]*authzCode{}, sso: map[string]*ssoSession{}}
}

// Routes returns the endpoints, with the web pages that may call them.
func (o *Server) Routes() []emulator.Route {
	return []emulator.Route{
		{Pattern: "GET /oauth2/authorize", Handler: o.authorize},
		{Pattern: "GET /login", Handler: o.loginPage},
		{Pattern: "POST /login", Handler: o.loginSubmit},
		{Pattern: "POST /oauth2/token", Access: emulator.AnyOrigin, Handler: o.token},
		{Pattern: "GET /oauth2/userInfo", Access: emulator.AnyOrigin, Handler: o.userInfo},
		{Pattern: "POST /oauth2/userInfo", Access: emulator.AnyOrigin, Handler: o.userInfo},
		{Pattern: "POST /oauth2/revoke", Access: emulator.AnyOrigin, Handler: o.revoke},
		{Pattern: "GET /logout", Handler: o.logout},
		{Pattern: "GET /{pool}/.well-known/jwks.json", Access: emulator.AnyOrigin, Handler: o.jwks},
		{Pattern: "GET /{pool}/.well-known/openid-configuration", Access: emulator.AnyOrigin, Handler: o.discovery},
	}
}

// gcLocked drops expired requests, codes and sessions.
func (o *Server) gcLocked() {
	now := o.up.Now()
	for id, r := range o.requests {
		if now.After(r.expires) {
			delete(o.requests, id)
		}
	}
	for id, c := range o.codes {
		// Used codes are kept a while longer to detect replays.
		if now.After(c.expires.Add(codeLifetime)) {
			delete(o.codes, id)
		}
	}
	for id, ss := range o.sso {
		if now.After(ss.expires) {
			delete(o.sso, id)
		}
	}
}

// view runs fn in a read-only transaction.
func (o *Server) view(fn func(tx *state.Tx)) {
	o.up.State.View(func(tx *state.Tx) error { fn(tx); return nil })
}

// ssoLocked returns the managed-login session of the request for pool p,
// when it is valid and its user still exists, is enabled and has not
// signed out since.
func (o *Server) ssoLocked(r *http.Request, poolID string) *ssoSession {
	c, err := r.Cookie(ssoCookie)
	if err != nil {
		return nil
	}
	ss := o.sso[c.Value]
	if ss == nil || ss.user.poolID != poolID || !o.up.Now().Before(ss.expires) {
		return nil
	}
	var ok bool
	o.view(func(tx *state.Tx) {
		u := ss.user.user(tx)
		ok = u != nil && u.Enabled && (u.SignedOutAt.IsZero() || ss.authTime.After(u.SignedOutAt))
	})
	if !ok {
		return nil
	}
	return ss
}
