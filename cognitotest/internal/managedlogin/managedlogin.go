package managedlogin

import (
	"net/http"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/upstream"
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
	fed      map[string]*fedRequest   // sign-ins sent to identity providers, by state (federation.go)

	upstream *upstream.Client // calls identity providers
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
	passkey     *userpool.PasskeyLogin // a passkey sign-in in progress (passkeys.go), of passkeyUser
	passkeyUser *userRef
	federated   bool // signed in through a provider, whose triggers ran (federation.go)
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
	user       userRef
	authTime   time.Time
	expires    time.Time
	passkeyReg *userpool.PasskeyRegistration // a passkey enrolment in progress (passkeys.go)
}

// New returns the managed-login server of up.
func New(up *userpool.Service) *Server {
	return &Server{up: up, requests: map[string]*authzRequest{}, codes: map[string]*authzCode{}, sso: map[string]*ssoSession{},
		fed: map[string]*fedRequest{}, upstream: upstream.New(up.Now)}
}

// Routes returns the endpoints, with the web pages that may call them.
func (o *Server) Routes() []emulator.Route {
	routes := []emulator.Route{
		{Pattern: "GET /oauth2/authorize", Handler: o.authorize},
		{Pattern: "GET /login", Handler: o.loginPage},
		{Pattern: "POST /login", Handler: o.loginSubmit},
		{Pattern: "GET " + FederationResponsePath, Handler: o.idpResponse},
		{Pattern: "POST " + FederationResponsePath, Access: emulator.AnyOrigin, Handler: o.idpResponse}, // response_mode=form_post (Sign in with Apple), from the provider's origin
		{Pattern: "POST /oauth2/token", Access: emulator.AnyOrigin, Handler: o.token},
		{Pattern: "GET /oauth2/userInfo", Access: emulator.AnyOrigin, Handler: o.userInfo},
		{Pattern: "POST /oauth2/userInfo", Access: emulator.AnyOrigin, Handler: o.userInfo},
		{Pattern: "POST /oauth2/revoke", Access: emulator.AnyOrigin, Handler: o.revoke},
		{Pattern: "GET /logout", Handler: o.logout},
		{Pattern: "GET /{pool}/.well-known/jwks.json", Access: emulator.AnyOrigin, Handler: o.jwks},
		{Pattern: "GET /{pool}/.well-known/openid-configuration", Access: emulator.AnyOrigin, Handler: o.discovery},
		{Pattern: "GET /_cognitokit/ui/{pool}/{client}/logo", Handler: o.uiLogo}, // GetUICustomization's ImageUrl
	}
	return append(routes, o.passkeyRoutes()...)
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
