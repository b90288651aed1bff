package userpool

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

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

// MintRequest describes tokens to issue. It is the entry point of every
// flow that issues tokens: API sign-in, refresh, the OAuth endpoints and
// the Go API.
type MintRequest struct {
	Client      *state.Client
	User        *state.User // nil for M2M (client_credentials)
	IssuedAt    time.Time
	AuthTime    time.Time
	Expires     time.Time
	TTL         time.Duration
	OriginJTI   string // set when refreshing: tokens keep their origin
	Scope       string
	ScopeSet    bool
	DeviceKey   string
	Nonce       string
	NoRefresh   bool
	ExtraID     map[string]any
	ExtraAccess map[string]any
	Trigger     string // PreTokenGeneration trigger source; "" = no trigger
	// ClientMetadata is the clientMetadata of the PreTokenGeneration
	// event.
	ClientMetadata map[string]string
	AtHash         bool // add at_hash to the ID token (managed login)
	NoID           bool // access token only (M2M)
}

// PendingTokens are claims built in a transaction, signed by Finish after
// it (signing is slow).
type PendingTokens struct {
	svc     *Service
	poolID  string
	client  *state.Client
	user    *state.User
	key     *state.SigningKey
	ID      map[string]any // nil: no ID token
	Access  map[string]any
	Refresh string
	ttl     time.Duration
	atHash  bool
	trigger string
	meta    map[string]string // ClientMetadata
	groups  []string          // of the user, and their roles (cognito:roles, cognito:preferred_role)
	roles   []string
	role    string
}

// OriginJTI returns the origin_jti of the access token ("" for M2M).
func (pt *PendingTokens) OriginJTI() string {
	o, _ := pt.Access["origin_jti"].(string)
	return o
}

// SetClientMetadata sets the clientMetadata of the PreTokenGeneration
// event (a refresh's ClientMetadata).
func (pt *PendingTokens) SetClientMetadata(m map[string]string) { pt.meta = m }

// PrepareTokens builds the claims of the tokens r describes, in pool p,
// and stores what they need: a new token origin, or the extended expiry of
// the one they continue, and the refresh token. Call Finish after the
// transaction.
func (s *Service) PrepareTokens(tx *state.Tx, p *state.Pool, r *MintRequest) (*PendingTokens, error) {
	now := s.Now()
	if r.IssuedAt.IsZero() {
		r.IssuedAt = now
	}
	if r.AuthTime.IsZero() {
		r.AuthTime = r.IssuedAt
	}
	key := ActiveKey(tx, p.ID)
	if key == nil {
		var err error
		if key, err = s.firstKey(tx, p.ID); err != nil {
			return nil, wire.Internal("user pool %s has no signing key: %v", p.ID, err)
		}
	}
	l := s.Lifetimes(r.Client)
	accessTTL, idTTL := l.Access, l.ID
	if r.TTL != 0 {
		accessTTL, idTTL = r.TTL, r.TTL
	}
	accessExp := r.IssuedAt.Add(accessTTL)
	idExp := r.IssuedAt.Add(idTTL)
	if !r.Expires.IsZero() {
		accessExp, idExp = r.Expires, r.Expires
	}
	origin := r.OriginJTI
	if origin == "" {
		origin = s.UUID()
	}
	eventID := s.UUID()
	issuer := s.Issuer(p.ID)
	pt := &PendingTokens{svc: s, poolID: p.ID, client: r.Client, user: r.User, key: key, ttl: accessExp.Sub(r.IssuedAt), atHash: r.AtHash,
		trigger: r.Trigger, meta: r.ClientMetadata}
	access := map[string]any{
		"sub":        r.Client.ID,
		"iss":        issuer,
		"client_id":  r.Client.ID,
		"origin_jti": origin,
		"event_id":   eventID,
		"token_use":  "access",
		"auth_time":  r.AuthTime.Unix(),
		"exp":        accessExp.Unix(),
		"iat":        r.IssuedAt.Unix(),
		"jti":        s.UUID(),
		"version":    2,
	}
	if r.User == nil { // M2M: no username, no groups, no event/origin
		delete(access, "origin_jti")
		delete(access, "event_id")
		if r.Scope != "" {
			access["scope"] = r.Scope
		}
		for k, v := range r.ExtraAccess {
			setClaim(access, k, v)
		}
		pt.Access = access
		return pt, nil
	}
	u := r.User
	scope := "aws.cognito.signin.user.admin"
	if r.ScopeSet {
		scope = r.Scope
	}
	access["sub"] = u.Sub
	access["username"] = u.Username
	if scope != "" {
		access["scope"] = scope
	}
	if r.DeviceKey != "" {
		access["device_key"] = r.DeviceKey
	}
	if len(u.Groups) > 0 {
		access["cognito:groups"] = u.Groups
	}
	pt.Access = access
	pt.groups = u.Groups
	pt.roles, pt.role = groupRoles(tx, p.ID, u.Groups)
	if !r.NoID {
		id := map[string]any{
			"sub":              u.Sub,
			"iss":              issuer,
			"aud":              r.Client.ID,
			"cognito:username": u.Username,
			"origin_jti":       origin,
			"event_id":         eventID,
			"token_use":        "id",
			"auth_time":        r.AuthTime.Unix(),
			"exp":              idExp.Unix(),
			"iat":              r.IssuedAt.Unix(),
			"jti":              s.UUID(),
		}
		if len(u.Groups) > 0 {
			id["cognito:groups"] = u.Groups
			if len(pt.roles) > 0 {
				id["cognito:roles"] = pt.roles
				if pt.role != "" {
					id["cognito:preferred_role"] = pt.role
				}
			}
		}
		for k, v := range u.Attributes {
			if k == IdentitiesAttribute { // a JSON array in ID tokens (federation.go)
				if c, ok := identitiesClaim(v); ok {
					id[k] = c
				}
				continue
			}
			if !Readable(r.Client, k) {
				continue
			}
			switch k {
			case "email_verified", "phone_number_verified":
				id[k] = v == "true"
			default:
				id[k] = v
			}
		}
		if r.Nonce != "" {
			id["nonce"] = r.Nonce
		}
		for k, v := range r.ExtraID {
			setClaim(id, k, v)
		}
		pt.ID = id
	}
	for k, v := range r.ExtraAccess {
		setClaim(access, k, v)
	}
	expires := accessExp
	if !r.NoID && idExp.After(expires) {
		expires = idExp
	}
	if !r.NoRefresh && r.OriginJTI == "" {
		rt := &state.RefreshToken{PoolID: p.ID, ClientID: r.Client.ID, Username: u.Username, Sub: u.Sub, OriginJTI: origin,
			AuthTime: r.AuthTime, Expires: now.Add(l.Refresh), DeviceKey: r.DeviceKey, Scope: scope}
		pt.Refresh = s.addRefreshToken(tx, rt)
		if rt.Expires.After(expires) {
			expires = rt.Expires
		}
	}
	s.extendOrigin(tx, p.ID, origin, u.Sub, expires)
	return pt, nil
}

// extendOrigin records a token origin, or extends its expiry to cover
// tokens that expire at expires.
func (s *Service) extendOrigin(tx *state.Tx, poolID, jti, sub string, expires time.Time) {
	o := tx.TokenOrigin(poolID, jti)
	if o != nil && !o.Expires.Before(expires) {
		return
	}
	if o == nil {
		o = &state.TokenOrigin{PoolID: poolID, JTI: jti, Sub: sub, Expires: expires}
	} else {
		c := *o
		c.Expires = expires
		o = &c
	}
	tx.PutTokenOrigin(o)
	if n := tx.TokenOriginCount(); n%1024 == 0 {
		// Drop expired origins now and then, so that a long-running
		// emulator does not grow without bound.
		now := s.Now()
		for _, old := range tx.TokenOrigins(poolID) {
			if now.After(old.Expires) {
				tx.DeleteTokenOrigin(old)
			}
		}
	}
}

// RevokeOrigin revokes a token origin: every token that carries it.
func (s *Service) RevokeOrigin(tx *state.Tx, poolID, jti string) {
	o := tx.TokenOrigin(poolID, jti)
	if o == nil || o.Revoked {
		return
	}
	c := *o
	c.Revoked = true
	tx.PutTokenOrigin(&c)
}

// addRefreshToken stores a new refresh token (rt without its hash) and
// returns the token. Expired refresh tokens are dropped now and then.
func (s *Service) addRefreshToken(tx *state.Tx, rt *state.RefreshToken) string {
	token := s.newRefreshToken()
	rt.Hash = state.TokenHash(token)
	tx.PutRefreshToken(rt)
	if tx.RefreshTokenCount(rt.PoolID)%1024 == 0 {
		now := s.Now()
		for _, old := range tx.RefreshTokens(rt.PoolID) {
			if now.After(old.Expires) {
				tx.DeleteRefreshToken(old)
			}
		}
	}
	return token
}

// newRefreshToken returns an opaque refresh token shaped like Cognito's
// (a five-part JWE), so that clients never try to decode it.
func (s *Service) newRefreshToken() string {
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}`))
	return hdr + "." + s.RandString(342, emulator.Alnum) + "." + s.RandString(16, emulator.Alnum) + "." + s.RandString(400, emulator.Alnum) + "." + s.RandString(22, emulator.Alnum)
}

func setClaim(m map[string]any, k string, v any) {
	if v == nil {
		delete(m, k)
	} else {
		m[k] = v
	}
}

// Finish runs the PreTokenGeneration trigger and signs the tokens. Call
// it outside transactions.
func (pt *PendingTokens) Finish(ctx context.Context) (Tokens, error) {
	if pt.trigger != "" {
		if err := pt.preTokenGeneration(ctx); err != nil {
			return Tokens{}, err
		}
	}
	var t Tokens
	var err error
	priv := pt.key.Private()
	t.AccessToken, err = emulator.SignJWT(priv, "RS256", jwtHeader{pt.key.KID, "RS256"}, pt.Access)
	if err != nil {
		return Tokens{}, err
	}
	if pt.ID != nil {
		if pt.atHash {
			sum := sha256.Sum256([]byte(t.AccessToken))
			pt.ID["at_hash"] = base64.RawURLEncoding.EncodeToString(sum[:16])
		}
		t.IDToken, err = emulator.SignJWT(priv, "RS256", jwtHeader{pt.key.KID, "RS256"}, pt.ID)
		if err != nil {
			return Tokens{}, err
		}
	}
	t.RefreshToken = pt.Refresh
	t.ExpiresIn = int32(pt.ttl / time.Second)
	t.TokenType = "Bearer"
	return t, nil
}

// jwtHeader is the header of the pools' tokens, in Cognito's field order.
type jwtHeader struct {
	Kid string `json:"kid"`
	Alg string `json:"alg"`
}

// Mint is PrepareTokens in its own transaction, then Finish.
func (s *Service) Mint(ctx context.Context, poolID string, r *MintRequest) (Tokens, error) {
	var pt *PendingTokens
	err := s.State.Update(func(tx *state.Tx) error {
		p := tx.Pool(poolID)
		if p == nil {
			return emulator.NotFoundf("user pool %q", poolID)
		}
		var err error
		pt, err = s.PrepareTokens(tx, p, r)
		return err
	})
	if err != nil {
		return Tokens{}, err
	}
	return pt.Finish(ctx)
}

// groupRoles returns the IAM roles of the groups (the cognito:roles claim
// of ID tokens) and the preferred one (cognito:preferred_role), as
// Cognito chooses it: the role of the group with the lowest precedence;
// none when groups of that precedence have different roles, or no group
// with a role has a precedence.
func groupRoles(tx *state.Tx, poolID string, groups []string) (roles []string, preferred string) {
	var best *int32
	tie := false
	for _, name := range groups {
		g := tx.Group(poolID, name)
		if g == nil || g.RoleARN == "" {
			continue
		}
		if !slices.Contains(roles, g.RoleARN) {
			roles = append(roles, g.RoleARN)
		}
		switch {
		case g.Precedence == nil:
		case best == nil || *g.Precedence < *best:
			best, preferred, tie = g.Precedence, g.RoleARN, false
		case *g.Precedence == *best && g.RoleARN != preferred:
			tie = true
		}
	}
	if tie {
		preferred = ""
	}
	return roles, preferred
}
