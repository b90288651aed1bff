package cognitotest

import (
	"context"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
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

// A MintOption changes a token minted by [Pool.MintTokens] or
// [Pool.MintM2MToken].
type MintOption func(*mintRequest)

// TokenIssuedAt sets iat (and auth_time); exp follows from the lifetime.
func TokenIssuedAt(t time.Time) MintOption { return func(r *mintRequest) { r.IssuedAt = t } }

// TokenExpiry sets the lifetime of the ID and access tokens.
func TokenExpiry(d time.Duration) MintOption { return func(r *mintRequest) { r.TTL = d } }

// TokenExpiresAt sets exp of the ID and access tokens; use a past time for
// expired tokens.
func TokenExpiresAt(t time.Time) MintOption { return func(r *mintRequest) { r.Expires = t } }

// TokenAuthTime sets auth_time.
func TokenAuthTime(t time.Time) MintOption { return func(r *mintRequest) { r.AuthTime = t } }

// IDClaims adds or replaces claims of the ID token; a nil value removes
// the claim.
func IDClaims(claims map[string]any) MintOption {
	return func(r *mintRequest) { r.ExtraID = mergeClaims(r.ExtraID, claims) }
}

// AccessClaims adds or replaces claims of the access token; a nil value
// removes the claim.
func AccessClaims(claims map[string]any) MintOption {
	return func(r *mintRequest) { r.ExtraAccess = mergeClaims(r.ExtraAccess, claims) }
}

// TokenScopes sets the scope claim of the access token (default
// "aws.cognito.signin.user.admin" for users).
func TokenScopes(scopes ...string) MintOption {
	return func(r *mintRequest) { r.Scope = strings.Join(scopes, " "); r.ScopeSet = true }
}

// TokenDeviceKey sets the device_key claim of the access token.
func TokenDeviceKey(key string) MintOption { return func(r *mintRequest) { r.DeviceKey = key } }

// TokenNonce sets the nonce claim of the ID token.
func TokenNonce(nonce string) MintOption { return func(r *mintRequest) { r.Nonce = nonce } }

// WithoutRefreshToken mints no refresh token.
func WithoutRefreshToken() MintOption { return func(r *mintRequest) { r.NoRefresh = true } }

func mergeClaims(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}

// mintRequest is what MintOptions change.
type mintRequest = userpool.MintRequest

// MintTokens issues ID, access and refresh tokens for a user of the pool
// through an app client, as a successful sign-in would, without any API
// call. username may be the internal username or an alias. The refresh
// token works with REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken.
func (p *Pool) MintTokens(clientID, username string, opts ...MintOption) (Tokens, error) {
	r := &mintRequest{}
	for _, o := range opts {
		o(r)
	}
	r.OriginJTI = ""
	return p.mint(r, func(tx *state.Tx, pool *state.Pool) error {
		c := tx.Client(clientID)
		if c == nil || c.PoolID != p.id {
			return notFoundf("app client %q in pool %s", clientID, p.id)
		}
		u := userpool.LookupUser(tx, pool, username)
		if u == nil {
			return notFoundf("user %q in pool %s", username, p.id)
		}
		r.Client, r.User = c, u
		return nil
	})
}

// mint issues the tokens of r once find has filled it in, in one
// transaction.
func (p *Pool) mint(r *mintRequest, find func(tx *state.Tx, pool *state.Pool) error) (Tokens, error) {
	var pt *userpool.PendingTokens
	err := p.s.up.State.Update(func(tx *state.Tx) error {
		pool := tx.Pool(p.id)
		if pool == nil {
			return p.notFound()
		}
		if err := find(tx, pool); err != nil {
			return err
		}
		var err error
		pt, err = p.s.up.PrepareTokens(tx, pool, r)
		return err
	})
	if err != nil {
		return Tokens{}, err
	}
	t, err := pt.Finish(context.Background())
	if err != nil {
		return Tokens{}, err
	}
	return tokensOf(t), nil
}

func tokensOf(t userpool.Tokens) Tokens {
	out := Tokens{IDToken: t.IDToken, AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, ExpiresIn: t.ExpiresIn, TokenType: t.TokenType}
	if t.NewDevice != nil {
		out.NewDevice = &DeviceMetadata{DeviceKey: t.NewDevice.DeviceKey, DeviceGroupKey: t.NewDevice.DeviceGroupKey}
	}
	return out
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
	r := &mintRequest{Scope: strings.Join(scopes, " "), NoRefresh: true, NoID: true}
	for _, o := range opts {
		o(r)
	}
	r.User = nil
	t, err := p.mint(r, func(tx *state.Tx, pool *state.Pool) error {
		c := tx.Client(clientID)
		if c == nil || c.PoolID != p.id {
			return notFoundf("app client %q in pool %s", clientID, p.id)
		}
		for _, sc := range scopes {
			if !userpool.ScopeExists(tx, p.id, sc) {
				return invalidf("scope %q does not exist in pool %s; create its resource server first", sc, p.id)
			}
		}
		r.Client = c
		return nil
	})
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
