package userpool

import (
	"crypto/subtle"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
	"github.com/cognitokit/cognitokit/internal/srp"
)

// Refresh finds a usable refresh token of client, and its user. It is the
// shared entry point of REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken and
// the OAuth token endpoint.
func (s *Service) Refresh(tx *state.Tx, client *state.Client, token string) (*state.RefreshToken, *state.User, *wire.Error) {
	if token == "" {
		return nil, nil, wire.InvalidParameter("Missing required parameter REFRESH_TOKEN")
	}
	rt := tx.RefreshToken(token)
	if rt == nil || rt.ClientID != client.ID {
		return nil, nil, wire.NotAuthorized("Invalid Refresh Token")
	}
	now := s.Now()
	switch o := tx.TokenOrigin(rt.PoolID, rt.OriginJTI); {
	case o != nil && o.Revoked:
		return nil, nil, wire.NotAuthorized("Refresh Token has been revoked")
	case !now.Before(rt.Expires):
		return nil, nil, wire.NotAuthorized("Refresh Token has expired")
	case !rt.ReplacedAt.IsZero() && now.After(rt.ReplacedAt.Add(client.RetryGracePeriod)):
		return nil, nil, wire.Errorf("RefreshTokenReuseException", "This refresh token has already been used and its grace period is over.")
	}
	u := UserOf(tx, tx.Pool(rt.PoolID), rt.Username, rt.Sub)
	if u == nil {
		return nil, nil, wire.NotAuthorized("Invalid Refresh Token")
	}
	if !u.Enabled {
		return nil, nil, wire.NotAuthorized("User is disabled.")
	}
	return rt, u, nil
}

// RefreshRequest returns the mint request of the tokens a refresh token
// gives.
func RefreshRequest(client *state.Client, rt *state.RefreshToken, u *state.User) *MintRequest {
	return &MintRequest{Client: client, User: u, AuthTime: rt.AuthTime, OriginJTI: rt.OriginJTI, Scope: rt.Scope, ScopeSet: true,
		DeviceKey: rt.DeviceKey, NoRefresh: true, Trigger: "TokenGeneration_RefreshTokens"}
}

// RedeemRefresh issues new tokens for a refresh token, rotating it when
// the client enables rotation. deviceKey, when given, must be the token's.
func (s *Service) RedeemRefresh(tx *state.Tx, client *state.Client, token, deviceKey string) (*PendingTokens, *wire.Error, error) {
	rt, u, aerr := s.Refresh(tx, client, token)
	if aerr != nil {
		return nil, aerr, nil
	}
	if rt.DeviceKey != "" && deviceKey != "" && deviceKey != rt.DeviceKey {
		return nil, wire.NotAuthorized("Invalid Refresh Token"), nil
	}
	p := tx.Pool(rt.PoolID)
	pt, err := s.PrepareTokens(tx, p, RefreshRequest(client, rt, u))
	if err != nil {
		return nil, nil, err
	}
	if client.RefreshTokenRotation {
		now := s.Now()
		if rt.ReplacedAt.IsZero() {
			c := *rt
			c.ReplacedAt = now
			tx.PutRefreshToken(&c)
		}
		nrt := &state.RefreshToken{PoolID: rt.PoolID, ClientID: client.ID, Username: u.Username, Sub: u.Sub, OriginJTI: rt.OriginJTI,
			AuthTime: rt.AuthTime, Expires: now.Add(s.Lifetimes(client).Refresh), DeviceKey: rt.DeviceKey, Scope: rt.Scope}
		pt.Refresh = s.addRefreshToken(tx, nrt)
		s.extendOrigin(tx, rt.PoolID, rt.OriginJTI, u.Sub, nrt.Expires)
	}
	return pt, nil, nil
}

// RevokeRefresh revokes a refresh token and the tokens of its origin.
// Unknown tokens are ignored, as RFC 7009 asks.
func (s *Service) RevokeRefresh(tx *state.Tx, client *state.Client, token string) *wire.Error {
	if client.DisableTokenRevocation {
		return wire.Errorf("UnsupportedOperationException", "Token revocation is not enabled for client %s", client.ID)
	}
	if strings.Count(token, ".") == 2 {
		return wire.Errorf("UnsupportedTokenTypeException", "Only refresh tokens can be revoked")
	}
	rt := tx.RefreshToken(token)
	if rt == nil {
		return nil
	}
	if rt.ClientID != client.ID {
		return wire.Errorf("UnauthorizedException", "The refresh token was not issued to client %s", client.ID)
	}
	s.RevokeOrigin(tx, rt.PoolID, rt.OriginJTI)
	return nil
}

// CheckSecretHash enforces SECRET_HASH for clients with a secret.
// username must be the USERNAME sent in the same request.
func CheckSecretHash(c *state.Client, username, got string) *wire.Error {
	if c.Secret == "" {
		return nil
	}
	if got == "" {
		return wire.NotAuthorized("Client %s is configured with secret but SECRET_HASH was not received", c.ID)
	}
	// Every secret of the client is valid (two during a rotation).
	ok := srp.VerifySecretHash(c.ID, c.Secret, username, got)
	for _, s := range c.MoreSecrets {
		ok = srp.VerifySecretHash(c.ID, s.Value, username, got) || ok
	}
	if !ok {
		return wire.NotAuthorized("Unable to verify secret hash for client %s", c.ID)
	}
	return nil
}

// CheckClientSecret checks a raw client secret (GetTokensFromRefreshToken,
// RevokeToken).
func CheckClientSecret(c *state.Client, got string) *wire.Error {
	if c.Secret == "" {
		return nil
	}
	if got == "" {
		return wire.NotAuthorized("Client %s is configured with secret but ClientSecret was not received", c.ID)
	}
	if !SecretMatches(c, got) {
		return wire.NotAuthorized("Unable to verify client secret for client %s", c.ID)
	}
	return nil
}

// SecretMatches reports, in constant time, whether got is one of the
// secrets of c (two during a rotation).
func SecretMatches(c *state.Client, got string) bool {
	ok := subtle.ConstantTimeCompare([]byte(got), []byte(c.Secret)) == 1
	for _, s := range c.MoreSecrets {
		ok = subtle.ConstantTimeCompare([]byte(got), []byte(s.Value)) == 1 || ok
	}
	return ok && c.Secret != ""
}
