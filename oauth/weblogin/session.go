package weblogin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// Session is a signed-in user's session: who they are (from the verified ID
// token) and their tokens. Handlers read it with [SessionFromContext]; treat
// it as read-only.
type Session struct {
	// ID identifies the session in a server-side store; the cookie store
	// leaves it empty.
	ID string `json:"-"`

	Subject  string   `json:"sub"`
	Username string   `json:"usr,omitempty"`
	Email    string   `json:"eml,omitempty"`
	Name     string   `json:"nam,omitempty"`
	Groups   []string `json:"grp,omitempty"`

	AccessToken  string `json:"at"`
	RefreshToken string `json:"rt,omitempty"`
	// Expiry is when AccessToken expires; the handler refreshes it
	// shortly before.
	Expiry time.Time `json:"exp"`
	// AuthTime is when the user signed in (the ID token's auth_time).
	AuthTime time.Time `json:"aut"`
	// CreatedAt is when the session started; Config.MaxAge counts from it.
	CreatedAt time.Time `json:"crt"`
	// Claims is the verified ID token payload (JSON) of the last sign-in
	// or refresh, for custom attributes: read it with [Session.IDClaims].
	Claims json.RawMessage `json:"clm,omitempty"`
}

// HasGroup reports whether the user is in group g (cognito:groups).
func (s *Session) HasGroup(g string) bool { return slices.Contains(s.Groups, g) }

func (s *Session) hasAnyGroup(groups []string) bool {
	return slices.ContainsFunc(groups, s.HasGroup)
}

func (s *Session) hasAllGroups(groups []string) bool {
	for _, g := range groups {
		if !s.HasGroup(g) {
			return false
		}
	}
	return true
}

// IDClaims returns the claims of the session's ID token (Session.Claims),
// read as package verifier reads verified claims, so that Get, String,
// Decode, HasGroup and the rest agree with the transports (see "One reading
// of the claims" in package verifier): names are case-sensitive, and a
// payload that repeats a member name, exactly or ignoring case, is an error.
//
// The claims were verified when the session was made (sign-in or refresh)
// and are kept where the SessionStore keeps the session; IDClaims does not
// verify them again. UserPoolID and KeyID are empty. It parses the payload
// on each call: keep the result to read several claims.
//
// A session without claims (saved by a SessionStore that dropped them)
// gives an error matching auth.ErrNoClaims, as ClaimsAs of the transports
// does; a payload that does not parse, an error matching
// verifier.ErrMalformed (or another sentinel of package verifier).
func (s *Session) IDClaims() (*verifier.Claims, error) {
	if len(s.Claims) == 0 {
		return nil, fmt.Errorf("weblogin: %w: the session holds no ID token claims", auth.ErrNoClaims)
	}
	c, err := verifier.ParseUnverifiedClaims(s.Claims)
	if err != nil {
		return nil, fmt.Errorf("weblogin: session claims: %w", err)
	}
	return c, nil
}

// Claim returns the string claim name of the ID token ("custom:tenant").
//
// Deprecated: use [Session.IDClaims] and its String method (or Get or
// Decode), one reading of the claims in every package.
func (s *Session) Claim(name string) (string, bool) {
	c, err := s.IDClaims()
	if err != nil {
		return "", false
	}
	return c.String(name)
}

type ctxKey struct{}

// SessionFromContext returns the session that [Handler.RequireLogin],
// [Handler.RequireAnyGroup], [Handler.RequireAllGroups] or
// [Handler.LoadSession] attached to the request context. It returns false
// when there is none (also for a nil ctx); check it.
func SessionFromContext(ctx context.Context) (*Session, bool) {
	if ctx == nil {
		return nil, false
	}
	s, ok := ctx.Value(ctxKey{}).(*Session)
	return s, ok && s != nil
}

// NewContext returns ctx carrying s, for tests of handlers that call
// SessionFromContext.
func NewContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// SessionStore keeps sessions. The default, [CookieStore], keeps them in
// encrypted cookies; implement SessionStore to keep them server-side (see
// [MemoryStore]), with the browser holding only an unguessable ID.
//
// Implementations must be safe for concurrent use. Load returns
// ErrNoSession when the request has no session, and any other error for a
// session that cannot be used (the handler then calls Delete and treats the
// browser as anonymous). Save stores s and sets whatever cookie is needed;
// when s.ID is empty it is a new session (after sign-in) and must get a new
// ID, never reuse one sent by the browser (session fixation). Delete
// removes the request's session and clears its cookie.
type SessionStore interface {
	Load(r *http.Request) (*Session, error)
	Save(w http.ResponseWriter, r *http.Request, s *Session) error
	Delete(w http.ResponseWriter, r *http.Request) error
}

// UserSessionStore is a SessionStore that can find every session of a
// user, for "sign out everywhere". redisstore.SessionStore and
// [MemoryStore] implement it.
type UserSessionStore interface {
	SessionStore
	// EndUserSessions deletes every session of the user whose Subject
	// is subject and returns them (with their tokens, so that their
	// refresh tokens can be revoked). Sessions whose browser presents
	// their cookie afterwards are unknown (ErrInvalidCookie).
	EndUserSessions(ctx context.Context, subject string) ([]*Session, error)
}

// HostPrefix is the cookie name prefix "__Host-". Browsers accept a cookie
// with this prefix only from an https page, with Secure, Path=/ and no
// Domain, so no other host (a sibling subdomain such as
// evil.example.com, or a plain-http page) can set or overwrite it. The
// session and login-state cookies use it by default wherever the
// deployment allows.
const HostPrefix = "__Host-"

// Cookie store defaults.
const (
	// DefaultSessionCookie is the base name of the session cookie: the
	// default name is HostPrefix + DefaultSessionCookie
	// ("__Host-cognito_session"), or DefaultSessionCookie alone when the
	// prefix is not possible (Insecure, a Domain, or a Path other than
	// "/").
	DefaultSessionCookie = "cognito_session"
	DefaultMaxCookies    = 3
	// DefaultMaxAge is the longest a session lives, whatever the refresh
	// token allows: Cognito's default refresh token lifetime.
	DefaultMaxAge = 30 * 24 * time.Hour
	// cookieChunk is the most bytes of sealed data per cookie, leaving room
	// for the name and attributes under the 4096-byte browser limit.
	cookieChunk = 3800
)

// CookieStoreConfig configures a [CookieStore].
type CookieStoreConfig struct {
	// Keys are 32-byte keys (see NewKey); the first encrypts, all decrypt,
	// so a new key is put first and an old one removed after MaxAge.
	// Required.
	Keys [][]byte
	// Name is the cookie name; further chunks are Name_1, Name_2. A name
	// starting with HostPrefix or "__Secure-" is checked against the
	// other attributes. Optional. Default "__Host-cognito_session"
	// (HostPrefix + DefaultSessionCookie), so that no other host can
	// plant a session; "cognito_session" when Insecure, Domain or Path
	// rule the prefix out.
	Name string
	// Path of the cookie. Optional. Default "/". Another path rules out
	// the __Host- prefix.
	Path string
	// Domain of the cookie. Optional. Default: host-only, the safe
	// choice. A Domain shares the session with every subdomain, lets any
	// of them set it, and rules out the __Host- prefix.
	Domain string
	// MaxCookies is how many cookies a session may span (each holds up to
	// 3800 bytes). Larger sessions fail with ErrSessionTooLarge; larger
	// incoming cookies are refused. Three cookies hold a user in 200
	// groups (see the package documentation). More cookies make every
	// request's Cookie header longer, which proxies may refuse (nginx's
	// default limit is 8 KB per header line). Optional. Default 3, at most
	// 8.
	MaxCookies int
	// MaxAge bounds the session's life from CreatedAt; it is sealed into
	// the cookie and also its Max-Age. Optional. Default DefaultMaxAge.
	MaxAge time.Duration
	// Insecure drops the Secure attribute so that the cookie works over
	// plain http://localhost during development. It MUST NOT be used in
	// production: without Secure, the session travels in clear text.
	Insecure bool
	// Now is the clock. Optional. Default time.Now.
	Now func() time.Time
}

// CookieStore keeps sessions in AES-256-GCM encrypted and authenticated
// cookies (HttpOnly, Secure, SameSite=Lax, named with the __Host- prefix
// over https), split across up to MaxCookies cookies. Sessions are encoded
// compactly: the tokens as raw bytes, and the parts that are not secret
// (identity, claims, the access token's payload) compressed, apart from
// the access token's signature and the refresh token. It needs no server
// state, so any number of replicas can share it given the same keys.
type CookieStore struct {
	cfg    CookieStoreConfig
	sealer *sealer
	codec  codec
}

// NewCookieStore validates cfg and returns a CookieStore.
func NewCookieStore(cfg CookieStoreConfig) (*CookieStore, error) {
	if cfg.Path == "" {
		cfg.Path = "/"
	}
	if cfg.Name == "" {
		cfg.Name = defaultCookieName(cfg.Insecure, cfg.Path, cfg.Domain)
	}
	if err := checkCookieName(cfg.Name, cfg.Insecure, cfg.Path, cfg.Domain); err != nil {
		return nil, err
	}
	if cfg.MaxCookies == 0 {
		cfg.MaxCookies = DefaultMaxCookies
	}
	if cfg.MaxCookies < 1 || cfg.MaxCookies > 8 {
		return nil, fmt.Errorf("%w: MaxCookies %d: want 1 to 8", ErrInvalidConfig, cfg.MaxCookies)
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.MaxAge < time.Minute {
		return nil, fmt.Errorf("%w: MaxAge %v: want at least a minute", ErrInvalidConfig, cfg.MaxAge)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s, err := newSealer(cfg.Keys, "session", cfg.Now)
	if err != nil {
		return nil, err
	}
	return &CookieStore{cfg: cfg, sealer: s}, nil
}

// Name returns the name of the session cookie (the first chunk).
func (cs *CookieStore) Name() string { return cs.cfg.Name }

// defaultCookieName is HostPrefix + DefaultSessionCookie where the
// attributes allow the prefix, DefaultSessionCookie elsewhere.
func defaultCookieName(insecure bool, path, domain string) string {
	if hostPrefixAllowed(insecure, path, domain) {
		return HostPrefix + DefaultSessionCookie
	}
	return DefaultSessionCookie
}

func hostPrefixAllowed(insecure bool, path, domain string) bool {
	return !insecure && path == "/" && domain == ""
}

// hasPrefixFold reports whether name starts with prefix, ignoring case, as
// browsers match cookie prefixes.
func hasPrefixFold(name, prefix string) bool {
	return len(name) >= len(prefix) && strings.EqualFold(name[:len(prefix)], prefix)
}

// checkCookieName validates a cookie name and, for the __Host- and
// __Secure- prefixes, the attributes that browsers require with them
// (they would silently drop the cookie otherwise).
func checkCookieName(name string, insecure bool, path, domain string) error {
	if !validCookieName(name) {
		return fmt.Errorf("%w: cookie name %q: want at most 64 letters, digits, - and _", ErrInvalidConfig, name)
	}
	if hasPrefixFold(name, HostPrefix) && !hostPrefixAllowed(insecure, path, domain) {
		return fmt.Errorf("%w: cookie name %q has the %s prefix, which browsers accept only with Secure (not Insecure), Path=/ and no Domain", ErrInvalidConfig, name, HostPrefix)
	}
	if hasPrefixFold(name, "__Secure-") && insecure {
		return fmt.Errorf("%w: cookie name %q has the __Secure- prefix, which browsers accept only with Secure (not Insecure)", ErrInvalidConfig, name)
	}
	return nil
}

func (cs *CookieStore) chunkName(i int) string {
	if i == 0 {
		return cs.cfg.Name
	}
	return cs.cfg.Name + "_" + strconv.Itoa(i)
}

// Load opens the session cookies of r.
func (cs *CookieStore) Load(r *http.Request) (*Session, error) {
	first, err := r.Cookie(cs.cfg.Name)
	if err != nil || first.Value == "" {
		return nil, ErrNoSession
	}
	// Chunk 0 is "<count>.<data>".
	n, rest, ok := cutCount(first.Value)
	if !ok || n < 1 || n > cs.cfg.MaxCookies {
		return nil, fmt.Errorf("%w: bad chunk header", ErrInvalidCookie)
	}
	value := rest
	for i := 1; i < n; i++ {
		c, err := r.Cookie(cs.chunkName(i))
		if err != nil {
			return nil, fmt.Errorf("%w: chunk %d missing", ErrInvalidCookie, i)
		}
		value += c.Value
	}
	data, err := cs.sealer.open(cs.cfg.Name, value, cs.cfg.MaxCookies*cookieChunk)
	if err != nil {
		return nil, err
	}
	s, err := cs.codec.decode(data)
	if err != nil || s.Subject == "" || s.AccessToken == "" {
		return nil, fmt.Errorf("%w: bad session payload", ErrInvalidCookie)
	}
	return s, nil
}

func cutCount(v string) (int, string, bool) {
	if len(v) < 3 || v[1] != '.' || v[0] < '1' || v[0] > '9' {
		return 0, "", false
	}
	return int(v[0] - '0'), v[2:], true
}

// Save seals s into the response's cookies. It fails with
// ErrSessionTooLarge when s needs more than MaxCookies cookies.
func (cs *CookieStore) Save(w http.ResponseWriter, r *http.Request, s *Session) error {
	data, err := cs.codec.encode(s)
	if err != nil {
		return fmt.Errorf("weblogin: encode session: %w", err)
	}
	created := s.CreatedAt
	if created.IsZero() {
		created = cs.cfg.Now()
	}
	exp := created.Add(cs.cfg.MaxAge)
	value, err := cs.sealer.seal(cs.cfg.Name, data, exp)
	if err != nil {
		return err
	}
	n := (len(value) + cookieChunk - 1) / cookieChunk
	if n > cs.cfg.MaxCookies {
		return fmt.Errorf("%w: %d bytes sealed need %d cookies, more than MaxCookies (%d)", ErrSessionTooLarge, len(value), n, cs.cfg.MaxCookies)
	}
	maxAge := int(exp.Sub(cs.cfg.Now()) / time.Second)
	if maxAge <= 0 {
		return fmt.Errorf("%w: session older than MaxAge", ErrSessionEnded)
	}
	for i := 0; i < n; i++ {
		chunk := value[i*cookieChunk : min(len(value), (i+1)*cookieChunk)]
		if i == 0 {
			chunk = strconv.Itoa(n) + "." + chunk
		}
		http.SetCookie(w, cs.cookie(cs.chunkName(i), chunk, maxAge))
	}
	// Clear chunks a previous, larger session left behind.
	for i := n; i < cs.cfg.MaxCookies; i++ {
		if _, err := r.Cookie(cs.chunkName(i)); err == nil {
			http.SetCookie(w, cs.cookie(cs.chunkName(i), "", -1))
		}
	}
	cs.clearUnprefixed(w, r)
	return nil
}

// Delete clears the session cookies.
func (cs *CookieStore) Delete(w http.ResponseWriter, r *http.Request) error {
	for i := 0; i < cs.cfg.MaxCookies; i++ {
		if _, err := r.Cookie(cs.chunkName(i)); err == nil || i == 0 {
			http.SetCookie(w, cs.cookie(cs.chunkName(i), "", -1))
		}
	}
	cs.clearUnprefixed(w, r)
	return nil
}

// clearUnprefixed expires the cookies of the same name without the
// __Host- prefix (the default before the prefix), which would otherwise
// ride along with every request until their Max-Age. They are never read.
func (cs *CookieStore) clearUnprefixed(w http.ResponseWriter, r *http.Request) {
	if !hasPrefixFold(cs.cfg.Name, HostPrefix) {
		return
	}
	base := cs.cfg.Name[len(HostPrefix):]
	for i := 0; i < cs.cfg.MaxCookies; i++ {
		name := base
		if i > 0 {
			name += "_" + strconv.Itoa(i)
		}
		if _, err := r.Cookie(name); err == nil {
			http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
		}
	}
}

func (cs *CookieStore) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: cs.cfg.Path, Domain: cs.cfg.Domain, MaxAge: maxAge,
		HttpOnly: true, Secure: !cs.cfg.Insecure, SameSite: http.SameSiteLaxMode,
	}
}

func validCookieName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// MemoryStoreConfig configures a [MemoryStore].
type MemoryStoreConfig struct {
	// Name of the cookie holding the session ID. Optional. Default
	// "__Host-cognito_session" (HostPrefix + DefaultSessionCookie), or
	// "cognito_session" when Insecure.
	Name string
	// MaxSessions bounds the number of sessions kept; when full, the
	// session closest to expiry is dropped. Optional. Default 100000.
	MaxSessions int
	// MaxAge bounds a session's life. Optional. Default DefaultMaxAge.
	MaxAge time.Duration
	// Insecure drops the Secure cookie attribute (http://localhost only;
	// MUST NOT be used in production).
	Insecure bool
	// Now is the clock. Optional. Default time.Now.
	Now func() time.Time
}

// MemoryStore keeps sessions in process memory; the browser holds a random
// 256-bit ID. It shows how to keep sessions server-side: sessions are lost
// on restart and not shared between replicas, so production deployments
// implement SessionStore over Redis or a database instead.
type MemoryStore struct {
	cfg MemoryStoreConfig
	mu  sync.Mutex // guards m
	m   map[string]memEntry
}

type memEntry struct {
	s       Session
	expires time.Time
}

// NewMemoryStore validates cfg and returns a MemoryStore.
func NewMemoryStore(cfg MemoryStoreConfig) (*MemoryStore, error) {
	if cfg.Name == "" {
		cfg.Name = defaultCookieName(cfg.Insecure, "/", "")
	}
	if err := checkCookieName(cfg.Name, cfg.Insecure, "/", ""); err != nil {
		return nil, err
	}
	if cfg.MaxSessions == 0 {
		cfg.MaxSessions = 100000
	}
	if cfg.MaxSessions < 0 {
		return nil, fmt.Errorf("%w: MaxSessions must be positive", ErrInvalidConfig)
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &MemoryStore{cfg: cfg, m: map[string]memEntry{}}, nil
}

// Load returns the session named by the request's cookie.
func (ms *MemoryStore) Load(r *http.Request) (*Session, error) {
	c, err := r.Cookie(ms.cfg.Name)
	if err != nil || c.Value == "" {
		return nil, ErrNoSession
	}
	if len(c.Value) != 43 {
		return nil, fmt.Errorf("%w: bad session ID", ErrInvalidCookie)
	}
	ms.mu.Lock()
	e, ok := ms.m[c.Value]
	ms.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: unknown session ID", ErrInvalidCookie)
	}
	if !ms.cfg.Now().Before(e.expires) {
		return nil, fmt.Errorf("%w: session expired", ErrExpired)
	}
	s := e.s
	s.Groups = slices.Clone(s.Groups)
	return &s, nil
}

// Save stores s, under a new random ID when s.ID is empty.
func (ms *MemoryStore) Save(w http.ResponseWriter, r *http.Request, s *Session) error {
	now := ms.cfg.Now()
	if s.ID == "" {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("weblogin: random source failed: %w", err)
		}
		s.ID = base64.RawURLEncoding.EncodeToString(b[:])
	}
	created := s.CreatedAt
	if created.IsZero() {
		created = now
	}
	exp := created.Add(ms.cfg.MaxAge)
	if !now.Before(exp) {
		return fmt.Errorf("%w: session older than MaxAge", ErrSessionEnded)
	}
	ms.mu.Lock()
	if _, exists := ms.m[s.ID]; !exists && len(ms.m) >= ms.cfg.MaxSessions {
		var victim string
		var soonest time.Time
		for id, e := range ms.m {
			if victim == "" || e.expires.Before(soonest) {
				victim, soonest = id, e.expires
			}
		}
		delete(ms.m, victim)
	}
	cp := *s
	cp.Groups = slices.Clone(s.Groups)
	ms.m[s.ID] = memEntry{s: cp, expires: exp}
	ms.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: ms.cfg.Name, Value: s.ID, Path: "/", MaxAge: int(exp.Sub(now) / time.Second),
		HttpOnly: true, Secure: !ms.cfg.Insecure, SameSite: http.SameSiteLaxMode})
	return nil
}

// Delete removes the request's session.
func (ms *MemoryStore) Delete(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(ms.cfg.Name); err == nil {
		ms.mu.Lock()
		delete(ms.m, c.Value)
		ms.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: ms.cfg.Name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: !ms.cfg.Insecure, SameSite: http.SameSiteLaxMode})
	return nil
}

// EndUserSessions deletes every session of subject and returns them.
func (ms *MemoryStore) EndUserSessions(_ context.Context, subject string) ([]*Session, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	var out []*Session
	for id, e := range ms.m {
		if e.s.Subject == subject {
			s := e.s
			out = append(out, &s)
			delete(ms.m, id)
		}
	}
	return out, nil
}

// Len returns the number of sessions held.
func (ms *MemoryStore) Len() int {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return len(ms.m)
}
