package srpclient

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Tokens are the result of a successful sign-in or refresh.
type Tokens struct {
	AccessToken  string
	IDToken      string
	RefreshToken string // empty after a refresh that did not rotate it; see [Client.Refresh]
	TokenType    string // "Bearer"

	// Expiry is when the access token expires, computed from ExpiresIn
	// with the client's clock.
	Expiry time.Time

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
func (t *Tokens) Valid(now time.Time) bool {
	return t != nil && t.AccessToken != "" && now.Before(t.Expiry)
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
