package auth

import (
	"context"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// refreshTokenAuth implements REFRESH_TOKEN_AUTH.
func (o *ops) refreshTokenAuth(ctx context.Context, client *state.Client, ap map[string]string) (any, error) {
	s := o.svc
	if !userpool.Allows(client, userpool.FlowRefreshToken) {
		return nil, wire.InvalidParameter("Refresh Token flow not enabled for this client")
	}
	if client.RefreshTokenRotation {
		return nil, wire.InvalidParameter("REFRESH_TOKEN_AUTH is not allowed for a client with refresh token rotation; call GetTokensFromRefreshToken")
	}
	var pt *userpool.PendingTokens
	err := s.State.Update(func(tx *state.Tx) error {
		rt, u, aerr := s.Refresh(tx, client, ap["REFRESH_TOKEN"])
		if aerr == nil {
			// SECRET_HASH is computed with the internal username, never an alias.
			aerr = userpool.CheckSecretHash(client, u.Username, ap["SECRET_HASH"])
		}
		if aerr == nil && rt.DeviceKey != "" && ap["DEVICE_KEY"] != rt.DeviceKey {
			aerr = wire.NotAuthorized("Invalid Refresh Token")
		}
		if aerr != nil {
			return aerr
		}
		var err error
		pt, err = s.PrepareTokens(tx, tx.Pool(rt.PoolID), userpool.RefreshRequest(client, rt, u))
		return err
	})
	if err != nil {
		return nil, err
	}
	// Cognito does not pass the ClientMetadata of InitiateAuth to
	// PreTokenGeneration (GetTokensFromRefreshToken's, it does).
	t, err := pt.Finish(ctx)
	if err != nil {
		return nil, err
	}
	return &authOutput{AuthenticationResult: resultOf(t), ChallengeParameters: map[string]string{}}, nil
}

type getTokensInput struct {
	RefreshToken   string
	ClientId       string
	ClientSecret   string
	DeviceKey      string
	ClientMetadata map[string]string
}

// getTokensFromRefreshToken implements GetTokensFromRefreshToken, with
// refresh-token rotation when the client enables it.
func (o *ops) getTokensFromRefreshToken(c *emulator.Call) (any, error) {
	s := o.svc
	var in getTokensInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.RefreshToken == "" {
		return nil, wire.InvalidParameter("Missing required parameter RefreshToken")
	}
	var pt *userpool.PendingTokens
	err := s.State.Update(func(tx *state.Tx) error {
		client, aerr := userpool.Client(tx, in.ClientId)
		if aerr == nil {
			aerr = userpool.CheckClientSecret(client, in.ClientSecret)
		}
		if aerr != nil {
			return aerr
		}
		var err error
		pt, aerr, err = s.RedeemRefresh(tx, client, in.RefreshToken, in.DeviceKey)
		if aerr != nil {
			return aerr
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	pt.SetClientMetadata(in.ClientMetadata)
	t, err := pt.Finish(c.Context())
	if err != nil {
		return nil, err
	}
	return map[string]any{"AuthenticationResult": resultOf(t)}, nil
}

type revokeInput struct {
	Token        string
	ClientId     string
	ClientSecret string
}

func (o *ops) revokeToken(c *emulator.Call) (any, error) {
	s := o.svc
	var in revokeInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Token == "" {
		return nil, wire.InvalidParameter("Missing required parameter Token")
	}
	err := s.State.Update(func(tx *state.Tx) error {
		client, aerr := userpool.Client(tx, in.ClientId)
		if aerr != nil {
			return aerr
		}
		if err := userpool.CheckClientSecret(client, in.ClientSecret); err != nil {
			// RevokeToken reports client authentication failures this way.
			return wire.Errorf("UnauthorizedException", "%s", err.Message)
		}
		return wire.Err(s.RevokeRefresh(tx, client, in.Token))
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type accessTokenInput struct {
	AccessToken string
	UserPoolId  string
	Username    string
}

func (o *ops) globalSignOut(c *emulator.Call) (any, error) {
	s := o.svc
	var in accessTokenInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	err := s.State.Update(func(tx *state.Tx) error {
		t, aerr := s.AccessToken(tx, in.AccessToken)
		if aerr != nil {
			return aerr
		}
		s.SignOut(tx, t.Pool, t.User)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (o *ops) adminUserGlobalSignOut(c *emulator.Call) (any, error) {
	s := o.svc
	var in accessTokenInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	err := s.State.Update(func(tx *state.Tx) error {
		p, u, aerr := userpool.AdminUser(tx, in.UserPoolId, in.Username)
		if aerr != nil {
			return aerr
		}
		s.SignOut(tx, p, u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
