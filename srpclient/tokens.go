package srpclient

import (
	"time"

	"golang.org/x/oauth2"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Tokens are the result of a successful sign-in or refresh.
//
// They have the shape of [oauth.Tokens] for what both packages return:
// AccessToken, IDToken, RefreshToken, TokenType, Expiry and Rotated, with
// [Tokens.Valid] and [Tokens.OAuth2Token]. Username, DeviceKey and
// NewDevice are srpclient's own: a refresh through the user pool API needs
// them. oauth's IDClaims are not here: srpclient receives its tokens from
// Cognito's API directly and holds no verifier, so verify a token with
// package verifier where you need its claims.
//
// [oauth.Tokens]: https://pkg.go.dev/github.com/cognitokit/cognitokit/oauth#Tokens
type Tokens struct {
	AccessToken  string
	IDToken      string
	RefreshToken string // after a refresh without rotation, the one refreshed; see [Client.Refresh]
	TokenType    string // "Bearer"

	// Expiry is when the access token expires, computed from ExpiresIn
	// with the client's clock.
	Expiry time.Time

	// Rotated is true when a refresh returned a new refresh token
	// (Config.RefreshTokenRotation): store it, the old one stops working.
	Rotated bool

	// Username is the pool's internal username (USER_ID_FOR_SRP, often a
	// UUID), even when the user signed in with an alias. Refresh and
	// device storage use it.
	Username string

	// DeviceKey is the key of the device used or confirmed in this
	// sign-in, or "". Refresh sends it.
	DeviceKey string

	// NewDevice is the device Cognito announced with these tokens, if any.
	// When a DeviceStore is configured it has already been confirmed and
	// stored.
	NewDevice *DeviceMetadata
}

// DeviceMetadata identifies a device Cognito announced after a sign-in.
type DeviceMetadata struct {
	DeviceKey      string
	DeviceGroupKey string
}

// Valid reports whether t has an access token that is not expired at now.
// A nil t is not valid.
func (t *Tokens) Valid(now time.Time) bool {
	return t != nil && t.AccessToken != "" && now.Before(t.Expiry)
}

// OAuth2Token returns t as an *oauth2.Token, with the ID token in its
// "id_token" extra, for code that wants golang.org/x/oauth2's type. A
// [TokenSource] does this on every call and refreshes the tokens.
func (t *Tokens) OAuth2Token() *oauth2.Token {
	tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry}
	if t.IDToken != "" {
		tok = tok.WithExtra(map[string]any{"id_token": t.IDToken})
	}
	return tok
}

// tokensFrom converts an SDK authentication result. username is the best
// known internal username; the access token's username claim wins.
func (c *Client) tokensFrom(r *types.AuthenticationResultType, username, deviceKey string) *Tokens {
	t := &Tokens{
		AccessToken:  deref(r.AccessToken),
		IDToken:      deref(r.IdToken),
		RefreshToken: deref(r.RefreshToken),
		TokenType:    deref(r.TokenType),
		Username:     username,
		DeviceKey:    deviceKey,
	}
	if t.TokenType == "" {
		t.TokenType = "Bearer"
	}
	now := c.cfg.Now()
	t.Expiry = now.Add(time.Duration(r.ExpiresIn) * time.Second)
	if claims := jwtClaims(t.AccessToken); claims != nil {
		if u := claimString(claims, "username"); u != "" {
			t.Username = u
		}
		if r.ExpiresIn <= 0 {
			if exp := claimTime(claims, "exp"); !exp.IsZero() {
				t.Expiry = exp
			}
		}
		if dk := claimString(claims, "device_key"); dk != "" && t.DeviceKey == "" {
			t.DeviceKey = dk
		}
	}
	if m := r.NewDeviceMetadata; m != nil && deref(m.DeviceKey) != "" {
		t.NewDevice = &DeviceMetadata{DeviceKey: deref(m.DeviceKey), DeviceGroupKey: deref(m.DeviceGroupKey)}
	}
	return t
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
