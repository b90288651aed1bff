// Package weblogin is a ready, secure server-side sign-in for Go web apps
// with Amazon Cognito managed login: the /auth/login, /auth/callback and
// /auth/logout handlers, the [Handler.RequireLogin],
// [Handler.RequireAnyGroup] and [Handler.RequireAllGroups] middleware, and
// sessions.
//
// # Usage
//
//	client, _ := oauth.New(oauth.Config{
//		Domain: "https://auth.example.com", ClientID: id, ClientSecret: secret,
//		RedirectURL: "https://app.example.com/auth/callback", UserPoolID: poolID,
//	})
//	keys, _ := weblogin.ParseKeys(os.Getenv("COOKIE_KEYS"))
//	wl, _ := weblogin.New(weblogin.Config{
//		Client: client, Keys: keys,
//		PostLogoutURL: "https://app.example.com/",
//	})
//	mux.Handle("/auth/", wl)                       // /auth/login, /auth/callback, /auth/logout
//	mux.Handle("/me", wl.RequireLogin(meHandler))  // weblogin.SessionFromContext(r.Context())
//	mux.Handle("/admin", wl.RequireAnyGroup("admin")(adminHandler))
//
// The requirement names are those of package middleware, echoauth and
// grpcauth (see package [github.com/cognitokit/cognitokit/middleware/auth]):
// RequireAnyGroup("admin", "support") lets either group in,
// RequireAllGroups only members of both. Handlers read the session with
// [SessionFromContext]; its ok is false only when the route is not behind
// RequireLogin or a requirement. [Session.IDClaims] returns the ID token's
// claims as a *verifier.Claims, read as the transports read verified claims
// (String, Get, Decode for custom attributes such as "custom:tenant").
//
// # Sign-in
//
// /auth/login?return_to=/path starts an authorization code flow with PKCE
// (S256) and an OIDC nonce. The state, nonce, code verifier and return-to
// path live in a short-lived login-state cookie, encrypted and authenticated
// with AES-256-GCM and named after the state: the callback only completes
// in the browser that started the sign-in.
// The callback refuses a missing or mismatched state, an expired or
// tampered login-state cookie, a replayed code and a wrong PKCE verifier,
// with a clear error page. The return-to path must be local ([LocalPath]):
// "//evil.com", "https://evil.com", "/\evil.com" and their percent-encoded
// forms are refused.
//
// # Signing in with an identity provider
//
// A "Sign in with Google" button links to [Handler.ProviderLoginURL]:
// LoginPath?identity_provider=Google, which skips the managed-login page
// and sends the browser straight to the provider. Only the providers in
// Config.IdentityProviders (and the IdP identifiers in
// Config.IDPIdentifiers, for ?idp_identifier=) may be named; any other
// name, both parameters at once or a repeated one get 400
// ([ErrUnknownProvider]). After a federated sign-in, the ID token's
// identities claim says which provider the user came from: read it with
// [Session.IDClaims] and [verifier.Claims.Identities].
//
// # Sessions
//
// By default sessions live in cookies ([CookieStore]): AES-256-GCM with keys
// derived per purpose, several keys for rotation (the first seals, all
// open), HttpOnly, Secure, SameSite=Lax, an expiry sealed inside, and a size
// check: a session spans at most MaxCookies cookies of 3800 bytes. No
// server state is needed, so any number of replicas can serve it. A
// [SessionStore] keeps sessions server-side instead: package
// [github.com/cognitokit/cognitokit/adapters/redisstore] keeps them in Redis, shared
// by every replica, with the browser holding only an opaque ID
// ([MemoryStore] shows the idea in one process). When a server-side store
// cannot be reached ([ErrStoreUnavailable]), requests get 503, never 401,
// and the browser keeps its cookie.
//
// # Large tokens
//
// A session holds the access and refresh tokens and the ID token's
// claims, and Cognito repeats a user's groups in both tokens. The cookie
// store encodes sessions compactly (tokens as raw bytes, the non-secret
// parts compressed) so that users in many groups still sign in. Measured
// with the emulator and 20 profile and custom attributes: a user in 100
// groups (Cognito's most per user) with names like
// "platform-engineering-prod-admins" needs 4.6 KB, two cookies; 200 groups
// named by GUIDs need 10.2 KB, three cookies (the default
// CookieStoreConfig.MaxCookies, 11,400 bytes). Sessions larger than that,
// which take many kilobytes of attributes that do not compress, and ID
// tokens over the verifier's 16 KiB limit, end the sign-in on a clear
// error page (403: signing in again would not help) and are logged with
// [ErrSessionTooLarge]; a session that outgrows its cookies at a refresh
// ends, and the next sign-in shows the page. For such users keep sessions
// server-side (Config.Store), or allow more cookies (up to 8) if every
// proxy in front accepts the longer Cookie header (nginx's default limit
// is 8 KB per header line).
//
// # Cookies no other host can set
//
// Over https the session cookie is "__Host-cognito_session" and the
// login-state cookies "__Host-cognito_login_…" ([HostPrefix]): browsers
// accept such cookies only from this exact host, over https, with Path=/
// and no Domain. A sibling subdomain (evil.example.com next to
// app.example.com) or a plain-http page can therefore neither plant its
// own session in a visitor's browser nor plant a login-state cookie to
// complete its own sign-in there (login CSRF). The prefix is dropped only
// where it cannot work: Config.InsecureCookies (http://localhost), or a
// CookieStoreConfig with a Domain or a Path other than "/", which you
// should avoid for that reason. A name given in CookieStoreConfig.Name is
// used as is, and New refuses a __Host- or __Secure- name whose attributes
// browsers would reject. Cookies of the unprefixed name (from earlier
// versions) are never read, and are cleared at the next sign-in or
// sign-out.
//
// Access tokens are refreshed transparently shortly before they expire
// (with refresh token rotation, enable a RetryGracePeriod on the app client
// so that concurrent requests of one browser can all refresh). A refused
// refresh token (expired, revoked, global sign-out) ends the session
// cleanly: the cookie is cleared and the browser is sent to sign in. When
// Cognito is unreachable, a still-valid access token keeps working; an
// expired one gives 503.
//
// # Sign-out
//
// GET /auth/logout shows a confirmation form; POST revokes the refresh
// token, clears the session and, with PostLogoutURL, ends the managed-login
// session through Cognito's /logout. Cross-origin POSTs are refused
// ([http.CrossOriginProtection]). With a [UserSessionStore] (Redis), the
// form also offers "Sign out everywhere" ([Handler.SignOutEverywhere]),
// which ends every session of the user and revokes their refresh tokens.
//
// With Config.Revocation (a revocation.List), every sign-out is recorded
// there, so that APIs verifying the session's access token refuse it at
// once, on every replica; and every request checks the session's access
// token against it, so that a session whose tokens were revoked elsewhere
// ends. Config.Observer reports sign-ins, refreshes and sign-outs (package
// otelcognito turns them into OpenTelemetry metrics and spans).
//
// # Development over plain http
//
// Browsers (and Go's cookie jar) do not send Secure cookies over plain
// http. Config.InsecureCookies drops the attribute for http://localhost
// development only; New refuses it for any other redirect URL.
package weblogin
