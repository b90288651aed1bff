package weblogin

import "errors"

// Sentinel errors. Errors never contain tokens, cookie values or keys.
var (
	// ErrInvalidConfig is wrapped by every error [New], [NewCookieStore],
	// [NewMemoryStore] and [ParseKeys] return.
	ErrInvalidConfig = errors.New("weblogin: invalid configuration")

	// ErrNoSession: the request carries no session. SessionStore.Load
	// returns it for anonymous requests.
	ErrNoSession = errors.New("weblogin: no session")

	// ErrInvalidCookie: a session or login-state cookie is malformed,
	// oversized, tampered with, or sealed with a key that is not
	// configured (any more). The cookie is cleared and the browser is
	// treated as anonymous.
	ErrInvalidCookie = errors.New("weblogin: invalid cookie")

	// ErrExpired: a session or login-state cookie is past its expiry.
	ErrExpired = errors.New("weblogin: expired")

	// ErrSessionTooLarge: the session does not fit in the cookies allowed
	// by the cookie store (CookieStoreConfig.MaxCookies). The callback
	// then answers 403 with a page saying the account carries too much
	// information. Use a server-side SessionStore, or fewer groups and
	// attributes.
	ErrSessionTooLarge = errors.New("weblogin: session too large for cookies")

	// ErrStateMismatch: the callback's state is missing, or no login-state
	// cookie of this browser matches it: the sign-in was started in
	// another browser, took too long, or is a forgery (login CSRF).
	ErrStateMismatch = errors.New("weblogin: state mismatch")

	// ErrUnsafeReturnTo: the return-to target is not a local path (an
	// open-redirect attempt).
	ErrUnsafeReturnTo = errors.New("weblogin: return-to is not a local path")

	// ErrUnknownProvider: a sign-in link names an identity provider (or
	// IdP identifier) that is not in Config.IdentityProviders (or
	// Config.IDPIdentifiers), names both kinds, or repeats the parameter.
	// LoginPath answers it with 400.
	ErrUnknownProvider = errors.New("weblogin: identity provider not allowed")

	// ErrStoreUnavailable: a server-side SessionStore cannot be reached
	// (Redis down). Requests that need the session get 503, never 401,
	// and the browser keeps its cookie: the session is still there when
	// the store comes back. Stores wrap their own error with it.
	ErrStoreUnavailable = errors.New("weblogin: session store unavailable")

	// ErrNoUserSessions: "sign out everywhere" needs a SessionStore that
	// can find a user's sessions ([UserSessionStore]); the configured
	// one cannot.
	ErrNoUserSessions = errors.New("weblogin: the session store cannot list a user's sessions")

	// ErrSessionEnded: the refresh token was rejected (expired, revoked,
	// user signed out everywhere) or the session outlived MaxAge: the user
	// must sign in again.
	ErrSessionEnded = errors.New("weblogin: session ended")
)
