package redisstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitokit/cognitokit/oauth/weblogin"
)

// Session store defaults.
const (
	// DefaultMaxSessionsPerUser bounds the sessions of one user; the
	// oldest go first.
	DefaultMaxSessionsPerUser = 50
	// maxSessionBytes bounds a stored session read back from Redis.
	maxSessionBytes = 1 << 20
	// idLen is the length of a session ID: 32 random bytes, base64url.
	idLen = 43
)

// SessionStoreConfig configures a [SessionStore].
type SessionStoreConfig struct {
	// Client is the Redis client: redis.NewUniversalClient for a
	// standalone server, Sentinel (MasterName set) or Cluster (several
	// Addrs). Required. The store does not close it.
	Client redis.UniversalClient

	// Prefix starts every key: {Prefix}session:{hash of the ID} and
	// {Prefix}user:{sub}. Optional. Default DefaultPrefix
	// ("cognitokit:").
	Prefix string

	// Name is the name of the cookie holding the session ID. Optional.
	// Default "__Host-cognito_session" (weblogin.HostPrefix +
	// weblogin.DefaultSessionCookie), or "cognito_session" when Insecure.
	Name string

	// Insecure drops the Secure cookie attribute so that sessions work
	// over plain http://localhost during development. It MUST NOT be
	// used in production.
	Insecure bool

	// MaxAge is the absolute lifetime of a session, from sign-in,
	// whatever the activity. Optional. Default weblogin.DefaultMaxAge
	// (30 days). Set weblogin.Config.MaxAge to the same value.
	MaxAge time.Duration

	// IdleTimeout, when set, makes expiry sliding as well: a session
	// unused for this long ends (still never later than MaxAge). Each
	// request pushes the expiry back, with at most one extra write per
	// tenth of IdleTimeout. Optional. Default 0: absolute expiry only.
	IdleTimeout time.Duration

	// MaxSessionsPerUser bounds the sessions of one user (browsers and
	// devices); a new sign-in beyond it ends the user's oldest session.
	// Optional. Default DefaultMaxSessionsPerUser (50).
	MaxSessionsPerUser int

	// Timeout bounds each exchange with Redis. Optional. Default
	// DefaultTimeout (2 s).
	Timeout time.Duration

	// Now is the clock. Optional. Default time.Now.
	Now func() time.Time
}

// SessionStore is a [weblogin.SessionStore] in Redis, shared by every
// replica of an application: a user signs in on one replica and is signed
// in on all of them. Set it as weblogin.Config.Store.
//
// # What is stored where
//
// The browser's cookie holds only the session ID: 32 random bytes
// (256 bits, base64url), HttpOnly, Secure, SameSite=Lax, named with the
// __Host- prefix over https. Redis holds the session (the user's identity
// and tokens) under a key made of the SHA-256 of the ID, so that neither
// a copy of the Redis data nor its key names let anyone present a
// session, and a lookup by hash compares no secret byte by byte. Each
// user also has a sorted set of their sessions, for [SessionStore.Sessions]
// and "sign out everywhere" ([SessionStore.EndUserSessions],
// weblogin.Handler.SignOutEverywhere).
//
// # Expiry
//
// Sessions end MaxAge after sign-in (absolute), and, with IdleTimeout,
// after that long without a request (sliding). Redis expires the keys
// itself.
//
// # When Redis is down
//
// Every error reaching Redis wraps weblogin.ErrStoreUnavailable, which
// weblogin answers with 503 and never 401: the browser keeps its cookie,
// and its session is there when Redis is back. Save returns nil only once
// Redis has acknowledged the write; a refreshed session is written only if
// it still exists, so a session ended by another replica ("sign out
// everywhere") is never brought back by a concurrent refresh.
type SessionStore struct {
	cfg SessionStoreConfig
}

// storedSession is the JSON value of a session key.
type storedSession struct {
	Session *weblogin.Session `json:"s"`
	// Expires is the absolute expiry (CreatedAt + MaxAge), Unix ms.
	Expires int64 `json:"x"`
}

// SessionInfo describes one session of a user, without its tokens.
type SessionInfo struct {
	// Handle names the session for [SessionStore.EndSession]. It is
	// derived from the session ID but cannot be turned back into it, so
	// it may be shown to the user (a "your devices" page).
	Handle string
	// CreatedAt is when the user signed in; ExpiresAt when the session
	// ends at the latest.
	CreatedAt time.Time
	ExpiresAt time.Time
}

// NewSessionStore validates cfg and returns a SessionStore. It does no
// I/O.
func NewSessionStore(cfg SessionStoreConfig) (*SessionStore, error) {
	if cfg.Client == nil {
		return nil, fmt.Errorf("%w: Client is required (redis.NewUniversalClient)", ErrInvalidConfig)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if len(cfg.Prefix) > 256 {
		return nil, fmt.Errorf("%w: Prefix is longer than 256 bytes", ErrInvalidConfig)
	}
	if cfg.Name == "" {
		cfg.Name = weblogin.HostPrefix + weblogin.DefaultSessionCookie
		if cfg.Insecure {
			cfg.Name = weblogin.DefaultSessionCookie
		}
	}
	if err := checkCookieName(cfg.Name, cfg.Insecure); err != nil {
		return nil, err
	}
	var err error
	if cfg.MaxAge, err = duration("MaxAge", cfg.MaxAge, weblogin.DefaultMaxAge); err != nil {
		return nil, err
	}
	if cfg.MaxAge < time.Minute {
		return nil, fmt.Errorf("%w: MaxAge %v: want at least a minute", ErrInvalidConfig, cfg.MaxAge)
	}
	if cfg.IdleTimeout < 0 || (cfg.IdleTimeout > 0 && cfg.IdleTimeout < time.Minute) {
		return nil, fmt.Errorf("%w: IdleTimeout %v: want 0 (absolute expiry only) or at least a minute", ErrInvalidConfig, cfg.IdleTimeout)
	}
	if cfg.Timeout, err = duration("Timeout", cfg.Timeout, DefaultTimeout); err != nil {
		return nil, err
	}
	switch {
	case cfg.MaxSessionsPerUser < 0:
		return nil, fmt.Errorf("%w: MaxSessionsPerUser is negative; use 0 for the default %d", ErrInvalidConfig, DefaultMaxSessionsPerUser)
	case cfg.MaxSessionsPerUser == 0:
		cfg.MaxSessionsPerUser = DefaultMaxSessionsPerUser
	case cfg.MaxSessionsPerUser > 10000:
		return nil, fmt.Errorf("%w: MaxSessionsPerUser %d is larger than 10000", ErrInvalidConfig, cfg.MaxSessionsPerUser)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &SessionStore{cfg: cfg}, nil
}

func checkCookieName(name string, insecure bool) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("%w: cookie name %q: want 1 to 64 letters, digits, - and _", ErrInvalidConfig, name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w: cookie name %q: want 1 to 64 letters, digits, - and _", ErrInvalidConfig, name)
		}
	}
	lower := strings.ToLower(name)
	if insecure && (strings.HasPrefix(lower, "__host-") || strings.HasPrefix(lower, "__secure-")) {
		return fmt.Errorf("%w: cookie name %q has a prefix that browsers accept only with Secure (not Insecure)", ErrInvalidConfig, name)
	}
	return nil
}

// Name returns the session cookie's name.
func (st *SessionStore) Name() string { return st.cfg.Name }

// handle is the SHA-256 of a session ID, base64url: the session's name in
// Redis and in SessionInfo.
func handle(id string) string {
	sum := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (st *SessionStore) sessionKey(h string) string { return st.cfg.Prefix + "session:" + h }
func (st *SessionStore) userKey(sub string) string  { return st.cfg.Prefix + "user:" + sub }

func unavailable(op string, err error) error {
	return fmt.Errorf("%w: redisstore: %s: %w", weblogin.ErrStoreUnavailable, op, err)
}

// validID reports whether id has the shape of a session ID (43 base64url
// characters), so that nothing else reaches Redis.
func validID(id string) bool {
	if len(id) != idLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Load implements [weblogin.SessionStore]: it returns the session named by
// the request's cookie, weblogin.ErrNoSession without one, an error
// matching weblogin.ErrInvalidCookie for an unknown or ended one, and one
// matching weblogin.ErrStoreUnavailable when Redis cannot be reached.
func (st *SessionStore) Load(r *http.Request) (*weblogin.Session, error) {
	c, err := r.Cookie(st.cfg.Name)
	if err != nil || c.Value == "" {
		return nil, weblogin.ErrNoSession
	}
	if !validID(c.Value) {
		return nil, fmt.Errorf("%w: malformed session ID", weblogin.ErrInvalidCookie)
	}
	ctx, cancel := context.WithTimeout(r.Context(), st.cfg.Timeout)
	defer cancel()
	key := st.sessionKey(handle(c.Value))
	var get *redis.StringCmd
	var ttl *redis.DurationCmd
	_, err = st.cfg.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.Get(ctx, key)
		if st.cfg.IdleTimeout > 0 {
			ttl = p.PTTL(ctx, key)
		}
		return nil
	})
	if errors.Is(err, redis.Nil) || errors.Is(get.Err(), redis.Nil) {
		return nil, fmt.Errorf("%w: unknown or ended session", weblogin.ErrInvalidCookie)
	}
	if err != nil {
		return nil, unavailable("load session", err)
	}
	data := get.Val()
	if len(data) > maxSessionBytes {
		return nil, fmt.Errorf("%w: stored session too large", weblogin.ErrInvalidCookie)
	}
	var ss storedSession
	if json.Unmarshal([]byte(data), &ss) != nil || ss.Session == nil || ss.Session.Subject == "" || ss.Session.AccessToken == "" {
		return nil, fmt.Errorf("%w: bad stored session", weblogin.ErrInvalidCookie)
	}
	now := st.cfg.Now()
	abs := time.UnixMilli(ss.Expires)
	if !now.Before(abs) {
		return nil, fmt.Errorf("%w: session older than MaxAge", weblogin.ErrExpired)
	}
	if ttl != nil {
		// Push the idle expiry back, at most once per tenth of it.
		if left := ttl.Val(); left > 0 && left < st.cfg.IdleTimeout-st.cfg.IdleTimeout/10 {
			exp := min(abs.UnixMilli(), now.Add(st.cfg.IdleTimeout).UnixMilli())
			if err := st.cfg.Client.PExpireAt(ctx, key, time.UnixMilli(exp)).Err(); err != nil {
				return nil, unavailable("extend session", err)
			}
		}
	}
	ss.Session.ID = c.Value
	return ss.Session, nil
}

// Save implements [weblogin.SessionStore]. A session without an ID is new:
// it gets a fresh random ID and a new cookie, and the user's oldest
// sessions beyond MaxSessionsPerUser end. A session with an ID (a refresh)
// is written only if it still exists in Redis; if it was ended meanwhile,
// Save fails with weblogin.ErrSessionEnded. Save returns nil only once
// Redis acknowledged the write.
func (st *SessionStore) Save(w http.ResponseWriter, r *http.Request, s *weblogin.Session) error {
	now := st.cfg.Now()
	created := s.CreatedAt
	if created.IsZero() {
		created = now
	}
	abs := created.Add(st.cfg.MaxAge)
	if !now.Before(abs) {
		return fmt.Errorf("%w: session older than MaxAge", weblogin.ErrSessionEnded)
	}
	exp := abs
	if st.cfg.IdleTimeout > 0 {
		if idle := now.Add(st.cfg.IdleTimeout); idle.Before(abs) {
			exp = idle
		}
	}
	isNew := s.ID == ""
	id := s.ID
	if isNew {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("redisstore: random source failed: %w", err)
		}
		id = base64.RawURLEncoding.EncodeToString(b[:])
	} else if !validID(id) {
		return fmt.Errorf("%w: malformed session ID", weblogin.ErrInvalidCookie)
	}
	data, err := json.Marshal(storedSession{Session: s, Expires: abs.UnixMilli()})
	if err != nil {
		return fmt.Errorf("redisstore: encode session: %w", err)
	}
	if len(data) > maxSessionBytes {
		return fmt.Errorf("%w: %d bytes, more than the store's 1 MiB", weblogin.ErrSessionTooLarge, len(data))
	}
	ctx, cancel := context.WithTimeout(r.Context(), st.cfg.Timeout)
	defer cancel()
	h := handle(id)
	key, ukey := st.sessionKey(h), st.userKey(s.Subject)
	mode := "NX"
	if !isNew {
		mode = "XX"
	}
	var set *redis.StatusCmd
	var card *redis.IntCmd
	_, err = st.cfg.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		set = p.SetArgs(ctx, key, data, redis.SetArgs{Mode: mode, ExpireAt: exp})
		p.ZAdd(ctx, ukey, redis.Z{Score: float64(abs.UnixMilli()), Member: h})
		p.ZRemRangeByScore(ctx, ukey, "-inf", strconv.FormatInt(now.UnixMilli(), 10))
		// No session of the user outlives now + MaxAge.
		p.PExpireAt(ctx, ukey, now.Add(st.cfg.MaxAge))
		card = p.ZCard(ctx, ukey)
		return nil
	})
	if errors.Is(set.Err(), redis.Nil) {
		// XX and the key is gone: the session was ended meanwhile. Undo
		// the index entry the pipeline added.
		st.cfg.Client.ZRem(ctx, ukey, h)
		return fmt.Errorf("%w: the session was ended (signed out elsewhere)", weblogin.ErrSessionEnded)
	}
	if err != nil {
		return unavailable("save session", err)
	}
	if n := card.Val(); isNew && n > int64(st.cfg.MaxSessionsPerUser) {
		if err := st.trim(ctx, ukey, h, n-int64(st.cfg.MaxSessionsPerUser)); err != nil {
			return err
		}
	}
	s.ID = id
	http.SetCookie(w, st.cookie(id, int(abs.Sub(now)/time.Second)))
	return nil
}

// trim ends the n oldest sessions of a user, never keep.
func (st *SessionStore) trim(ctx context.Context, ukey, keep string, n int64) error {
	old, err := st.cfg.Client.ZRange(ctx, ukey, 0, n).Result()
	if err != nil {
		return unavailable("trim sessions", err)
	}
	var drop []string
	for _, h := range old {
		if h != keep && int64(len(drop)) < n {
			drop = append(drop, h)
		}
	}
	_, err = st.cfg.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, h := range drop {
			p.Del(ctx, st.sessionKey(h))
			p.ZRem(ctx, ukey, h)
		}
		return nil
	})
	if err != nil {
		return unavailable("trim sessions", err)
	}
	return nil
}

func (st *SessionStore) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: st.cfg.Name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: !st.cfg.Insecure, SameSite: http.SameSiteLaxMode}
}

// Delete implements [weblogin.SessionStore]: it deletes the request's
// session from Redis and clears the cookie. When Redis cannot be reached it
// returns an error matching weblogin.ErrStoreUnavailable and leaves the
// cookie, so that the sign-out can be retried.
func (st *SessionStore) Delete(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(st.cfg.Name)
	if err == nil && validID(c.Value) {
		ctx, cancel := context.WithTimeout(r.Context(), st.cfg.Timeout)
		defer cancel()
		h := handle(c.Value)
		data, err := st.cfg.Client.GetDel(ctx, st.sessionKey(h)).Result()
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			return unavailable("delete session", err)
		default:
			var ss storedSession
			if len(data) <= maxSessionBytes && json.Unmarshal([]byte(data), &ss) == nil && ss.Session != nil {
				if err := st.cfg.Client.ZRem(ctx, st.userKey(ss.Session.Subject), h).Err(); err != nil {
					return unavailable("delete session", err)
				}
			}
		}
	}
	http.SetCookie(w, st.cookie("", -1))
	return nil
}

// maxListed bounds the sessions one call reads for a user.
const maxListed = 10000

// Sessions lists the live sessions of the user subject (the sub claim),
// oldest first, without their tokens.
func (st *SessionStore) Sessions(ctx context.Context, subject string) ([]SessionInfo, error) {
	if ctx == nil || subject == "" {
		return nil, fmt.Errorf("%w: Sessions needs a context and a subject", ErrInvalidInput)
	}
	ctx, cancel := context.WithTimeout(ctx, st.cfg.Timeout)
	defer cancel()
	handles, err := st.cfg.Client.ZRangeArgs(ctx, redis.ZRangeArgs{Key: st.userKey(subject), Start: strconv.FormatInt(st.cfg.Now().UnixMilli(), 10), Stop: "+inf", ByScore: true, Count: maxListed}).Result()
	if err != nil {
		return nil, unavailable("list sessions", err)
	}
	sessions, err := st.read(ctx, handles, false)
	if err != nil {
		return nil, err
	}
	out := make([]SessionInfo, 0, len(sessions))
	for i, ss := range sessions {
		if ss != nil {
			out = append(out, SessionInfo{Handle: handles[i], CreatedAt: ss.Session.CreatedAt, ExpiresAt: time.UnixMilli(ss.Expires)})
		}
	}
	return out, nil
}

// read gets (and with del, deletes) the sessions named by handles; a
// missing or unreadable one is nil.
func (st *SessionStore) read(ctx context.Context, handles []string, del bool) ([]*storedSession, error) {
	cmds := make([]*redis.StringCmd, len(handles))
	_, err := st.cfg.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, h := range handles {
			if del {
				cmds[i] = p.GetDel(ctx, st.sessionKey(h))
			} else {
				cmds[i] = p.Get(ctx, st.sessionKey(h))
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable("read sessions", err)
	}
	out := make([]*storedSession, len(handles))
	for i, c := range cmds {
		var ss storedSession
		if c.Err() == nil && len(c.Val()) <= maxSessionBytes && json.Unmarshal([]byte(c.Val()), &ss) == nil && ss.Session != nil {
			out[i] = &ss
		}
	}
	return out, nil
}

// EndSession ends one session of the user subject, named by its
// SessionInfo.Handle. Ending a session that does not exist is not an
// error.
func (st *SessionStore) EndSession(ctx context.Context, subject, handle string) error {
	if ctx == nil || subject == "" || handle == "" || len(handle) > 64 {
		return fmt.Errorf("%w: EndSession needs a context, a subject and a handle", ErrInvalidInput)
	}
	ctx, cancel := context.WithTimeout(ctx, st.cfg.Timeout)
	defer cancel()
	ss, err := st.read(ctx, []string{handle}, false)
	if err != nil {
		return err
	}
	if ss[0] != nil && ss[0].Session.Subject != subject {
		return nil // another user's session: leave it
	}
	_, err = st.cfg.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, st.sessionKey(handle))
		p.ZRem(ctx, st.userKey(subject), handle)
		return nil
	})
	if err != nil {
		return unavailable("end session", err)
	}
	return nil
}

// EndUserSessions implements [weblogin.UserSessionStore]: it deletes every
// session of the user subject and returns them, tokens included, so that
// weblogin.Handler.SignOutEverywhere can revoke their refresh tokens.
func (st *SessionStore) EndUserSessions(ctx context.Context, subject string) ([]*weblogin.Session, error) {
	if ctx == nil || subject == "" {
		return nil, fmt.Errorf("%w: EndUserSessions needs a context and a subject", ErrInvalidInput)
	}
	ctx, cancel := context.WithTimeout(ctx, st.cfg.Timeout)
	defer cancel()
	ukey := st.userKey(subject)
	handles, err := st.cfg.Client.ZRange(ctx, ukey, 0, maxListed-1).Result()
	if err != nil {
		return nil, unavailable("end sessions", err)
	}
	stored, err := st.read(ctx, handles, true)
	if err != nil {
		return nil, err
	}
	if err := st.cfg.Client.ZRem(ctx, ukey, toAny(handles)...).Err(); err != nil && len(handles) > 0 {
		return nil, unavailable("end sessions", err)
	}
	var out []*weblogin.Session
	for _, ss := range stored {
		if ss != nil && ss.Session.Subject == subject {
			out = append(out, ss.Session)
		}
	}
	return out, nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

var _ weblogin.UserSessionStore = (*SessionStore)(nil)
