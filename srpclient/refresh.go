package srpclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// Refresh returns new tokens for prev.RefreshToken.
//
// Without Config.RefreshTokenRotation it uses REFRESH_TOKEN_AUTH, with the
// SECRET_HASH computed from prev.Username (the internal username: an alias
// would fail) and the DEVICE_KEY of the remembered device; Cognito returns no
// new refresh token, so the result keeps prev's. With rotation it uses
// GetTokensFromRefreshToken; the result carries the new refresh token
// (Tokens.Rotated), which is passed to Config.OnRefreshTokenRotated before
// Refresh returns.
//
// A revoked, expired or signed-out refresh token gives an error wrapping
// [ErrRefreshTokenInvalid]: sign in again.
func (c *Client) Refresh(ctx context.Context, prev *Tokens) (*Tokens, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if prev == nil || prev.RefreshToken == "" {
		return nil, ErrNoRefreshToken
	}
	if len(prev.RefreshToken) > maxTokenLength {
		return nil, fmt.Errorf("%w: refresh token longer than 16 KiB", ErrInvalidInput)
	}
	if c.cfg.ClientSecret != "" && prev.Username == "" && !c.cfg.RefreshTokenRotation {
		return nil, fmt.Errorf("%w: Tokens.Username (the internal username) is needed for SECRET_HASH", ErrInvalidInput)
	}
	deviceKey := prev.DeviceKey
	if deviceKey == "" && c.cfg.Devices != nil && prev.Username != "" {
		if d, ok, err := c.cfg.Devices.Get(ctx, c.poolID, prev.Username); err != nil {
			return nil, fmt.Errorf("%w: get: %w", ErrDeviceStore, err)
		} else if ok {
			deviceKey = d.Key
		}
	}
	var (
		res *types.AuthenticationResultType
		err error
	)
	start := c.cfg.Now()
	flowName, call := string(types.AuthFlowTypeRefreshTokenAuth), "InitiateAuth"
	if c.cfg.RefreshTokenRotation {
		flowName, call = "GetTokensFromRefreshToken", "GetTokensFromRefreshToken"
	}
	defer func() { c.observe(ctx, flowName, call, "", start, challenge{result: res}, err) }()
	if c.cfg.RefreshTokenRotation {
		in := &cip.GetTokensFromRefreshTokenInput{
			ClientId: &c.cfg.ClientID, RefreshToken: &prev.RefreshToken, ClientMetadata: c.cfg.ClientMetadata,
		}
		if c.cfg.ClientSecret != "" {
			in.ClientSecret = &c.cfg.ClientSecret
		}
		if deviceKey != "" {
			in.DeviceKey = &deviceKey
		}
		var out *cip.GetTokensFromRefreshTokenOutput
		if out, err = c.api.GetTokensFromRefreshToken(ctx, in); err == nil {
			res = out.AuthenticationResult
		}
	} else {
		params := map[string]string{"REFRESH_TOKEN": prev.RefreshToken}
		if h := c.secretHash(prev.Username); h != "" {
			params["SECRET_HASH"] = h
		}
		if deviceKey != "" {
			params["DEVICE_KEY"] = deviceKey
		}
		var out *cip.InitiateAuthOutput
		if out, err = c.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
			AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &c.cfg.ClientID,
			AuthParameters: params, ClientMetadata: c.cfg.ClientMetadata,
		}); err == nil {
			res = out.AuthenticationResult
		}
	}
	if err != nil {
		if errorAs[*types.NotAuthorizedException](err) || errorAs[*types.RefreshTokenReuseException](err) {
			return nil, &opError{op: "refresh", sentinel: ErrRefreshTokenInvalid, err: err}
		}
		return nil, wrapAPI("refresh", err)
	}
	if res == nil || deref(res.AccessToken) == "" {
		return nil, fmt.Errorf("%w: refresh returned no access token", ErrBadChallenge)
	}
	t := c.tokensFrom(res, prev.Username, deviceKey)
	t.Rotated = t.RefreshToken != "" && t.RefreshToken != prev.RefreshToken
	if t.RefreshToken == "" {
		t.RefreshToken = prev.RefreshToken
	}
	if t.Rotated && c.cfg.OnRefreshTokenRotated != nil {
		if err := c.cfg.OnRefreshTokenRotated(ctx, t); err != nil {
			return t, fmt.Errorf("srpclient: persisting the rotated refresh token: %w", err)
		}
	}
	return t, nil
}

// Revoke revokes a refresh token and the access and ID tokens issued from
// it in Cognito (the RevokeToken operation), as [oauth.Client.Revoke] does
// at the OAuth revocation endpoint. A refresh token does not say which
// access tokens came from it, so Config.Revoker is not told: use
// [Client.SignOut] with the tokens of the sign-in to have local verifiers
// refuse them too. An empty token fails with [ErrNoRefreshToken], a token
// longer than 16 KiB with [ErrInvalidInput].
//
// [oauth.Client.Revoke]: https://pkg.go.dev/github.com/cognitokit/cognitokit/oauth#Client.Revoke
func (c *Client) Revoke(ctx context.Context, refreshToken string) error {
	if ctx == nil {
		return errNilContext
	}
	if refreshToken == "" {
		return ErrNoRefreshToken
	}
	if len(refreshToken) > maxTokenLength {
		return fmt.Errorf("%w: refresh token longer than 16 KiB", ErrInvalidInput)
	}
	in := &cip.RevokeTokenInput{ClientId: &c.cfg.ClientID, Token: &refreshToken}
	if c.cfg.ClientSecret != "" {
		in.ClientSecret = &c.cfg.ClientSecret
	}
	_, err := c.api.RevokeToken(ctx, in)
	return wrapAPI("revoke token", err)
}

// RevokeToken revokes a refresh token.
//
// Deprecated: use [Client.Revoke], the name package oauth uses too.
func (c *Client) RevokeToken(ctx context.Context, refreshToken string) error {
	return c.Revoke(ctx, refreshToken)
}

// GlobalSignOut signs the user out of every device: all refresh tokens of
// the user stop working.
func (c *Client) GlobalSignOut(ctx context.Context, accessToken string) error {
	if ctx == nil {
		return errNilContext
	}
	if accessToken == "" {
		return fmt.Errorf("%w: empty access token", ErrInvalidInput)
	}
	_, err := c.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: &accessToken})
	if err != nil {
		return wrapAPI("global sign out", err)
	}
	if c.cfg.Revoker == nil {
		return nil
	}
	// The access token was just accepted by Cognito: its sub is the user's.
	e, err := revocation.EntryForUser(accessToken, c.cfg.Now().Add(signOutMargin))
	if err == nil {
		err = c.cfg.Revoker.Revoke(ctx, e)
	}
	if err != nil {
		return fmt.Errorf("srpclient: signed out in Cognito, but not recorded in Config.Revoker: %w", err)
	}
	return nil
}

// signOutMargin is online.SignOutMargin: a global sign-out's entry also
// covers tokens issued that long after it by this machine's clock, in case
// the clock is behind Cognito's.
const signOutMargin = 5 * time.Second

// SignOut ends one sign-in: it revokes t.RefreshToken in Cognito (which
// then refuses the refresh token and the access tokens issued from it)
// and records the sign-in's origin_jti, read from t.AccessToken (or
// t.IDToken), in Config.Revoker, so that local verifiers refuse its access
// and ID tokens at once. Without a Revoker it is Revoke.
func (c *Client) SignOut(ctx context.Context, t *Tokens) error {
	if t == nil {
		return fmt.Errorf("%w: nil tokens", ErrInvalidInput)
	}
	if err := c.Revoke(ctx, t.RefreshToken); err != nil {
		return err
	}
	if c.cfg.Revoker == nil {
		return nil
	}
	tok := t.AccessToken
	if tok == "" {
		tok = t.IDToken
	}
	e, err := revocation.EntryForToken(tok)
	if err == nil {
		err = c.cfg.Revoker.Revoke(ctx, e)
	}
	if err != nil {
		return fmt.Errorf("srpclient: revoked in Cognito, but not recorded in Config.Revoker: %w", err)
	}
	return nil
}

// isPermanent reports whether a refresh error will not go away by retrying.
func isPermanent(err error) bool {
	return errors.Is(err, ErrRefreshTokenInvalid) || errors.Is(err, ErrNoRefreshToken) || errors.Is(err, ErrInvalidInput)
}
