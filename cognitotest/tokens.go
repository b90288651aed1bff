package cognitotest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"
)

// signingKey is one RSA key of a pool. Immutable after creation.
type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
	jwk  map[string]string
}

func newSigningKey(s *Server) (*signingKey, error) {
	priv := s.takeProvidedKey()
	if priv == nil {
		var err error
		if priv, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("cognitotest: generate RSA key: %w", err)
		}
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("cognitotest: encode RSA key: %w", err)
	}
	sum := sha256.Sum256(der)
	// Cognito's kids are standard base64 with '+', '/' and '=', which
	// catches verifiers that mangle them.
	kid := base64.StdEncoding.EncodeToString(sum[:])
	k := &signingKey{kid: kid, priv: priv}
	k.jwk = map[string]string{
		"alg": "RS256",
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(priv.E)).Bytes()),
		"kid": kid,
		"kty": "RSA",
		"n":   base64.RawURLEncoding.EncodeToString(priv.N.Bytes()),
		"use": "sig",
	}
	return k, nil
}

// sign returns a compact RS256 JWT of claims with header {"kid","alg"}.
func (k *signingKey) sign(claims map[string]any) (string, error) {
	hdr, _ := json.Marshal(struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}{k.kid, "RS256"})
	body, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("%w: claims cannot be encoded as JSON: %v", ErrInvalidConfig, err)
	}
	var b strings.Builder
	b.Grow(len(hdr)*4/3 + len(body)*4/3 + 350)
	b.WriteString(base64.RawURLEncoding.EncodeToString(hdr))
	b.WriteByte('.')
	b.WriteString(base64.RawURLEncoding.EncodeToString(body))
	sum := sha256.Sum256([]byte(b.String()))
	sig, err := rsa.SignPKCS1v15(nil, k.priv, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("cognitotest: sign token: %w", err)
	}
	b.WriteByte('.')
	b.WriteString(base64.RawURLEncoding.EncodeToString(sig))
	return b.String(), nil
}

// RotateKeys adds a new signing key to the pool's JWKS; new tokens are
// signed with it. With retireOld, the previous keys leave the JWKS, so
// tokens they signed no longer verify (and the emulator rejects them). It
// returns the kid of the new key.
func (p *Pool) RotateKeys(retireOld bool) (string, error) {
	k, err := newSigningKey(p.s)
	if err != nil {
		return "", err
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if retireOld {
		p.keys = []*signingKey{k}
	} else {
		p.keys = append(p.keys, k)
	}
	return k.kid, nil
}

// KeyIDs returns the kids of the pool's JWKS; the last one signs.
func (p *Pool) KeyIDs() []string {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	out := make([]string, len(p.keys))
	for i, k := range p.keys {
		out[i] = k.kid
	}
	return out
}

// PublicKey returns the public key with the given kid.
func (p *Pool) PublicKey(kid string) (*rsa.PublicKey, error) {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	for _, k := range p.keys {
		if k.kid == kid {
			return &k.priv.PublicKey, nil
		}
	}
	return nil, notFoundf("key %q in pool %s", kid, p.id)
}

func (p *Pool) activeKeyLocked() *signingKey { return p.keys[len(p.keys)-1] }

// JWKS returns the pool's JSON Web Key Set document.
func (p *Pool) JWKS() []byte {
	p.s.mu.Lock()
	keys := make([]map[string]string, len(p.keys))
	for i, k := range p.keys {
		keys[i] = k.jwk
	}
	p.s.mu.Unlock()
	b, _ := json.Marshal(map[string]any{"keys": keys})
	return b
}

// discovery returns the pool's OpenID Connect discovery document. The OAuth
// endpoints are served by the same server.
func (p *Pool) discovery() []byte {
	base := p.s.url
	b, _ := json.Marshal(map[string]any{
		"authorization_endpoint":                base + "/oauth2/authorize",
		"end_session_endpoint":                  base + "/logout",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"issuer":                                p.Issuer(),
		"jwks_uri":                              p.JWKSURL(),
		"response_types_supported":              []string{"code", "token"},
		"revocation_endpoint":                   base + "/oauth2/revoke",
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"subject_types_supported":               []string{"public"},
		"token_endpoint":                        base + "/oauth2/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"userinfo_endpoint":                     base + "/oauth2/userInfo",
	})
	return b
}

// SignJWT signs arbitrary claims with the pool's active key (RS256, with its
// kid), for tests of verifiers against hostile or unusual tokens. Nothing is
// added to claims.
func (p *Pool) SignJWT(claims map[string]any) (string, error) {
	p.s.mu.Lock()
	k := p.activeKeyLocked()
	p.s.mu.Unlock()
	return k.sign(claims)
}

// Tokens is the result of a sign-in: what Cognito returns in
// AuthenticationResult.
type Tokens struct {
	IDToken      string
	AccessToken  string
	RefreshToken string // empty when not issued
	ExpiresIn    int32  // access token lifetime in seconds
	TokenType    string // "Bearer"
	// NewDevice is set when the pool tracks devices and the sign-in did not
	// use a known device.
	NewDevice *DeviceMetadata
}

// DeviceMetadata is Cognito's NewDeviceMetadata.
type DeviceMetadata struct {
	DeviceKey      string
	DeviceGroupKey string
}

// A MintOption changes a token minted by [Pool.MintTokens] or
// [Pool.MintM2MToken].
type MintOption func(*mintRequest)

// TokenIssuedAt sets iat (and auth_time); exp follows from the lifetime.
func TokenIssuedAt(t time.Time) MintOption { return func(r *mintRequest) { r.iat = t } }

// TokenExpiry sets the lifetime of the ID and access tokens.
func TokenExpiry(d time.Duration) MintOption { return func(r *mintRequest) { r.ttl = d } }

// TokenExpiresAt sets exp of the ID and access tokens; use a past time for
// expired tokens.
func TokenExpiresAt(t time.Time) MintOption { return func(r *mintRequest) { r.exp = t } }

// TokenAuthTime sets auth_time.
func TokenAuthTime(t time.Time) MintOption { return func(r *mintRequest) { r.authTime = t } }

// IDClaims adds or replaces claims of the ID token; a nil value removes
// the claim.
func IDClaims(claims map[string]any) MintOption {
	return func(r *mintRequest) { r.extraID = mergeClaims(r.extraID, claims) }
}

// AccessClaims adds or replaces claims of the access token; a nil value
// removes the claim.
func AccessClaims(claims map[string]any) MintOption {
	return func(r *mintRequest) { r.extraAccess = mergeClaims(r.extraAccess, claims) }
}

// TokenScopes sets the scope claim of the access token (default
// "aws.cognito.signin.user.admin" for users).
func TokenScopes(scopes ...string) MintOption {
	return func(r *mintRequest) { r.scope = strings.Join(scopes, " "); r.scopeSet = true }
}

// TokenDeviceKey sets the device_key claim of the access token.
func TokenDeviceKey(key string) MintOption { return func(r *mintRequest) { r.deviceKey = key } }

// TokenNonce sets the nonce claim of the ID token.
func TokenNonce(nonce string) MintOption { return func(r *mintRequest) { r.nonce = nonce } }

// WithoutRefreshToken mints no refresh token.
func WithoutRefreshToken() MintOption { return func(r *mintRequest) { r.noRefresh = true } }

func mergeClaims(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}

// mintRequest describes tokens to issue. It is the internal entry point for
// every flow that issues tokens (API sign-in, refresh, OAuth endpoints).
type mintRequest struct {
	client      *appClient
	user        *user // nil for M2M (client_credentials)
	iat         time.Time
	authTime    time.Time
	exp         time.Time
	ttl         time.Duration
	originJTI   string // set when refreshing: tokens keep their origin
	scope       string
	scopeSet    bool
	deviceKey   string
	nonce       string
	noRefresh   bool
	extraID     map[string]any
	extraAccess map[string]any
	trigger     string // PreTokenGeneration trigger source; "" = no trigger
	atHash      bool   // add at_hash to the ID token (hosted UI)
	noID        bool   // access token only (M2M)
}

// pendingTokens are claims built under s.mu, signed by finishTokens
// without it.
type pendingTokens struct {
	pool    *Pool
	client  *appClient
	user    *user
	key     *signingKey
	id      map[string]any
	access  map[string]any
	refresh string
	ttl     time.Duration
	atHash  bool
	trigger string
	attrs   map[string]string
	groups  []string
}

// prepareTokensLocked builds the claims of the tokens described by r and
// registers the refresh token. Call with s.mu held, then call finishTokens
// without it.
func (p *Pool) prepareTokensLocked(r *mintRequest) (*pendingTokens, error) {
	s := p.s
	now := s.now()
	if r.iat.IsZero() {
		r.iat = now
	}
	if r.authTime.IsZero() {
		r.authTime = r.iat
	}
	l := r.client.lifetimes()
	accessTTL, idTTL := l.Access, l.ID
	if r.ttl != 0 {
		accessTTL, idTTL = r.ttl, r.ttl
	}
	accessExp := r.iat.Add(accessTTL)
	idExp := r.iat.Add(idTTL)
	if !r.exp.IsZero() {
		accessExp, idExp = r.exp, r.exp
	}
	origin := r.originJTI
	if origin == "" {
		origin = s.uuid()
	}
	eventID := s.uuid()
	pt := &pendingTokens{pool: p, client: r.client, user: r.user, key: p.activeKeyLocked(), ttl: accessExp.Sub(r.iat), atHash: r.atHash, trigger: r.trigger}
	access := map[string]any{
		"sub":        r.client.cfg.ID,
		"iss":        p.Issuer(),
		"client_id":  r.client.cfg.ID,
		"origin_jti": origin,
		"event_id":   eventID,
		"token_use":  "access",
		"auth_time":  r.authTime.Unix(),
		"exp":        accessExp.Unix(),
		"iat":        r.iat.Unix(),
		"jti":        s.uuid(),
		"version":    2,
	}
	if r.user == nil { // M2M: no username, no groups, no event/origin
		delete(access, "origin_jti")
		delete(access, "event_id")
		if r.scope != "" {
			access["scope"] = r.scope
		}
		for k, v := range r.extraAccess {
			setClaim(access, k, v)
		}
		pt.access = access
		return pt, nil
	}
	u := r.user
	scope := "aws.cognito.signin.user.admin"
	if r.scopeSet {
		scope = r.scope
	}
	access["sub"] = u.sub
	access["username"] = u.username
	if scope != "" {
		access["scope"] = scope
	}
	if r.deviceKey != "" {
		access["device_key"] = r.deviceKey
	}
	groups := u.groupList()
	if len(groups) > 0 {
		access["cognito:groups"] = groups
	}
	pt.access = access
	pt.attrs = u.attrMap()
	pt.groups = groups
	if !r.noID {
		id := map[string]any{
			"sub":              u.sub,
			"iss":              p.Issuer(),
			"aud":              r.client.cfg.ID,
			"cognito:username": u.username,
			"origin_jti":       origin,
			"event_id":         eventID,
			"token_use":        "id",
			"auth_time":        r.authTime.Unix(),
			"exp":              idExp.Unix(),
			"iat":              r.iat.Unix(),
			"jti":              s.uuid(),
		}
		if len(groups) > 0 {
			id["cognito:groups"] = groups
		}
		for k, v := range u.attrs {
			if !readable(r.client, k) {
				continue
			}
			switch k {
			case "email_verified", "phone_number_verified":
				id[k] = v == "true"
			default:
				id[k] = v
			}
		}
		if r.nonce != "" {
			id["nonce"] = r.nonce
		}
		for k, v := range r.extraID {
			setClaim(id, k, v)
		}
		pt.id = id
	}
	for k, v := range r.extraAccess {
		setClaim(access, k, v)
	}
	u.origins()[origin] = true
	if !r.noRefresh && r.originJTI == "" {
		rt := &refreshToken{
			token: s.newRefreshToken(), client: r.client, user: u, originJTI: origin,
			authTime: r.authTime, expires: now.Add(l.Refresh), deviceKey: r.deviceKey, scope: scope,
		}
		p.addRefreshTokenLocked(rt)
		pt.refresh = rt.token
	}
	return pt, nil
}

func setClaim(m map[string]any, k string, v any) {
	if v == nil {
		delete(m, k)
	} else {
		m[k] = v
	}
}

func readable(c *appClient, attr string) bool {
	if len(c.cfg.ReadAttributes) == 0 || attr == "sub" {
		return true
	}
	return hasString(c.cfg.ReadAttributes, attr)
}

// finishTokens runs the PreTokenGeneration trigger and signs the tokens.
// Call without s.mu.
func (pt *pendingTokens) finish(ctx context.Context) (Tokens, error) {
	if pt.trigger != "" && pt.user != nil {
		if fn := pt.pool.cfg.Triggers.PreTokenGeneration; fn != nil {
			ev := &PreTokenGenerationEvent{
				UserPoolID: pt.pool.id, ClientID: pt.client.cfg.ID, Username: pt.user.username,
				UserAttributes: pt.attrs, Groups: pt.groups, TriggerSource: pt.trigger,
			}
			if err := fn(ctx, ev); err != nil {
				return Tokens{}, apiErr("UnexpectedLambdaException", "PreTokenGeneration failed with error %v.", err)
			}
			for k, v := range ev.IDClaimsToAdd {
				if pt.id != nil {
					setClaim(pt.id, k, v)
				}
			}
			for _, k := range ev.IDClaimsToSuppress {
				delete(pt.id, k)
			}
			for k, v := range ev.AccessClaimsToAdd {
				setClaim(pt.access, k, v)
			}
			for _, k := range ev.AccessClaimsToSuppress {
				delete(pt.access, k)
			}
		}
	}
	var t Tokens
	var err error
	t.AccessToken, err = pt.key.sign(pt.access)
	if err != nil {
		return Tokens{}, err
	}
	if pt.id != nil {
		if pt.atHash {
			sum := sha256.Sum256([]byte(t.AccessToken))
			pt.id["at_hash"] = base64.RawURLEncoding.EncodeToString(sum[:16])
		}
		t.IDToken, err = pt.key.sign(pt.id)
		if err != nil {
			return Tokens{}, err
		}
	}
	t.RefreshToken = pt.refresh
	t.ExpiresIn = int32(pt.ttl / time.Second)
	t.TokenType = "Bearer"
	return t, nil
}

// mintTokens is prepareTokensLocked + finish for callers that do not hold
// s.mu.
func (p *Pool) mintTokens(ctx context.Context, r *mintRequest) (Tokens, error) {
	p.s.mu.Lock()
	pt, err := p.prepareTokensLocked(r)
	p.s.mu.Unlock()
	if err != nil {
		return Tokens{}, err
	}
	return pt.finish(ctx)
}

// MintTokens issues ID, access and refresh tokens for a user of the pool
// through an app client, as a successful sign-in would, without any API
// call. username may be the internal username or an alias. The refresh
// token works with REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken.
func (p *Pool) MintTokens(clientID, username string, opts ...MintOption) (Tokens, error) {
	p.s.mu.Lock()
	c, ok := p.clients[clientID]
	u := p.lookupLocked(username)
	p.s.mu.Unlock()
	if !ok {
		return Tokens{}, notFoundf("app client %q in pool %s", clientID, p.id)
	}
	if u == nil {
		return Tokens{}, notFoundf("user %q in pool %s", username, p.id)
	}
	r := &mintRequest{client: c, user: u}
	for _, o := range opts {
		o(r)
	}
	r.originJTI = ""
	return p.mintTokens(context.Background(), r)
}

// MustMintTokens is [Pool.MintTokens] that ends the test on error.
func (p *Pool) MustMintTokens(clientID, username string, opts ...MintOption) Tokens {
	t, err := p.MintTokens(clientID, username, opts...)
	if err != nil {
		p.s.fatal(err)
	}
	return t
}

// MintM2MToken issues a client-credentials (machine-to-machine) access
// token for an app client: sub and client_id are the client ID, there is no
// username and no groups, and scope lists the given resource-server scopes
// ("orders/read"). Scopes must exist in the pool.
func (p *Pool) MintM2MToken(clientID string, scopes []string, opts ...MintOption) (string, error) {
	p.s.mu.Lock()
	c, ok := p.clients[clientID]
	var bad string
	for _, sc := range scopes {
		if !p.scopeExistsLocked(sc) {
			bad = sc
			break
		}
	}
	p.s.mu.Unlock()
	if !ok {
		return "", notFoundf("app client %q in pool %s", clientID, p.id)
	}
	if bad != "" {
		return "", invalidf("scope %q does not exist in pool %s; create its resource server first", bad, p.id)
	}
	r := &mintRequest{client: c, scope: strings.Join(scopes, " "), noRefresh: true, noID: true}
	for _, o := range opts {
		o(r)
	}
	r.user = nil
	t, err := p.mintTokens(context.Background(), r)
	return t.AccessToken, err
}

// MustMintM2MToken is [Pool.MintM2MToken] that ends the test on error.
func (p *Pool) MustMintM2MToken(clientID string, scopes []string, opts ...MintOption) string {
	t, err := p.MintM2MToken(clientID, scopes, opts...)
	if err != nil {
		p.s.fatal(err)
	}
	return t
}

// refreshToken is an issued refresh token. Guarded by s.mu.
type refreshToken struct {
	token     string
	client    *appClient
	user      *user
	originJTI string
	authTime  time.Time
	expires   time.Time
	deviceKey string
	scope     string
	revoked   bool
	// replacedAt is set when rotation replaced the token; it keeps working
	// for the client's grace period.
	replacedAt time.Time
}

// addRefreshTokenLocked stores a refresh token, dropping expired ones now
// and then so that a long-running emulator does not grow without bound.
func (p *Pool) addRefreshTokenLocked(rt *refreshToken) {
	p.refreshTokens[rt.token] = rt
	if len(p.refreshTokens)%1024 == 0 {
		now := p.s.now()
		for k, v := range p.refreshTokens {
			if now.After(v.expires) {
				delete(p.refreshTokens, k)
			}
		}
	}
}

// newRefreshToken returns an opaque refresh token shaped like Cognito's
// (a five-part JWE), so that clients never try to decode it.
func (s *Server) newRefreshToken() string {
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}`))
	return hdr + "." + s.randString(342, alnum) + "." + s.randString(16, alnum) + "." + s.randString(400, alnum) + "." + s.randString(22, alnum)
}

func (u *user) origins() map[string]bool {
	if u.originSet == nil {
		u.originSet = map[string]bool{}
	}
	return u.originSet
}

// accessClaims are the claims the emulator reads from an access token it
// accepts.
type accessClaims struct {
	Sub       string `json:"sub"`
	TokenUse  string `json:"token_use"`
	ClientID  string `json:"client_id"`
	Username  string `json:"username"`
	OriginJTI string `json:"origin_jti"`
	Exp       int64  `json:"exp"`
	Iss       string `json:"iss"`
	Scope     string `json:"scope"`
	DeviceKey string `json:"device_key"`
}

// authenticateLocked validates an access token presented to the API (GetUser,
// ChangePassword, ...) and returns its pool and user. Messages match
// Cognito's.
func (s *Server) authenticateLocked(token string) (*Pool, *user, *accessClaims, *apiError) {
	invalid := errNotAuthorized("Invalid Access Token")
	if token == "" || len(token) > 16<<10 {
		return nil, nil, nil, invalid
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, nil, invalid
	}
	hdrJSON, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	body, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, nil, nil, invalid
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var c accessClaims
	if json.Unmarshal(hdrJSON, &hdr) != nil || hdr.Alg != "RS256" || json.Unmarshal(body, &c) != nil {
		return nil, nil, nil, invalid
	}
	p := s.poolForIssuerLocked(c.Iss)
	if p == nil {
		return nil, nil, nil, invalid
	}
	var key *signingKey
	for _, k := range p.keys {
		if k.kid == hdr.Kid {
			key = k
		}
	}
	if key == nil {
		return nil, nil, nil, invalid
	}
	sum := sha256.Sum256([]byte(token[:len(parts[0])+1+len(parts[1])]))
	if rsa.VerifyPKCS1v15(&key.priv.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return nil, nil, nil, invalid
	}
	if c.TokenUse != "access" {
		return nil, nil, nil, invalid
	}
	if !s.now().Before(time.Unix(c.Exp, 0)) {
		return nil, nil, nil, errNotAuthorized("Access Token has expired")
	}
	if c.Username == "" { // M2M tokens cannot call user operations
		return nil, nil, nil, invalid
	}
	if c.OriginJTI != "" && p.revokedOrigins[c.OriginJTI] {
		return nil, nil, nil, errNotAuthorized("Access Token has been revoked")
	}
	u := p.users[p.normUsername(c.Username)]
	if u == nil || u.sub != c.Sub {
		return nil, nil, nil, errUserNotFound()
	}
	if !u.enabled {
		return nil, nil, nil, errNotAuthorized("User is disabled.")
	}
	if !hasScope(c.Scope, "aws.cognito.signin.user.admin") {
		return nil, nil, nil, errNotAuthorized("Access Token does not have required scopes")
	}
	return p, u, &c, nil
}

func hasScope(scopes, want string) bool {
	for _, sc := range strings.Fields(scopes) {
		if sc == want {
			return true
		}
	}
	return false
}

func (s *Server) poolForIssuerLocked(iss string) *Pool {
	id, ok := strings.CutPrefix(iss, s.url+"/")
	if !ok {
		return nil
	}
	return s.pools[id]
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
