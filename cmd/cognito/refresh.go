package main

import (
	"context"
	"errors"
	"time"

	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/srpclient"
)

func init() {
	register(&command{
		name:    "refresh",
		summary: "exchange a refresh token for new ID and access tokens",
		usage: `Usage: cognito refresh --user-pool-id ID --client-id ID [--client-secret S] [--username U]
                       [--device-key K] [--rotation | --oauth [--domain URL]] [--endpoint URL] [--region R]
                       [--output json|env|token] [REFRESH_TOKEN | -]

Gets new ID and access tokens for a refresh token, through the user pool API
(REFRESH_TOKEN_AUTH), or with --rotation through GetTokensFromRefreshToken,
which app clients with refresh-token rotation require and which returns a
new refresh token. With --oauth it uses the OAuth 2.0 token endpoint of
--domain instead (refresh tokens from managed login), and verifies the new
ID token.

The refresh token is the argument, else $COGNITO_REFRESH_TOKEN, else
standard input: the token alone, or the JSON printed by "cognito login",
from which the username and device key are taken too. An access or ID
token, or something that is no token, is refused before any call. A
confidential client (with a secret) needs the pool's internal username for
SECRET_HASH (--username, $COGNITO_USERNAME or the JSON), not an email
alias; a remembered device needs its key (--device-key, $COGNITO_DEVICE_KEY
or the JSON).

The output has the shape of "cognito login" output (see --output), so that
"cognito login ... | cognito refresh" works.

COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET,
COGNITO_ENDPOINT, COGNITO_DOMAIN and AWS_REGION are the defaults of the
corresponding flags.

Exit status: 0 refreshed, 1 refused (the refresh token is revoked, expired
or rotated away: sign in again), 2 usage error, 3 Cognito could not be
reached.`,
		examples: `  cognito login --username ann --output json > tokens.json && cognito refresh < tokens.json
  eval "$(cognito login --username ann --output env)"; cognito refresh --output env
  cognito refresh --rotation --client-id 1example23456789 --user-pool-id us-east-1_AbC123 "$REFRESH_TOKEN"
  cognito refresh --endpoint http://127.0.0.1:9229 --user-pool-id us-east-1_cognitokit --client-id cognitokitpublic - < refresh.txt`,
		run: runRefresh,
	})
}

func runRefresh(ctx context.Context, e *env, args []string) int {
	c := commands["refresh"]
	fs := c.newFlagSet(e)
	f := addConnFlags(fs, e, cfPool|cfClient|cfSecret|cfEndpoint|cfRegion|cfDomain|cfOutput|cfVerbose, "json", "env", "token")
	username := fs.String("username", e.getenv(envUsername), "the pool's internal `username` (cognito:username), needed with a client secret (env "+envUsername+")")
	deviceKey := fs.String("device-key", e.getenv(envDeviceKey), "`key` of the remembered device the tokens were issued to (env "+envDeviceKey+")")
	rotation := fs.Bool("rotation", false, "use GetTokensFromRefreshToken (app clients with refresh-token rotation)")
	useOAuth := fs.Bool("oauth", false, "use the OAuth 2.0 token endpoint of --domain instead of the user pool API")
	pos, code, done := c.parseInterspersed(e, fs, args)
	if done {
		return code
	}
	if err := f.validate(cfPool | cfClient); err != nil {
		return fail(e, "refresh", exitUsage, err)
	}
	if *rotation && *useOAuth {
		return fail(e, "refresh", exitUsage, usageErrorf("--rotation and --oauth are mutually exclusive (the token endpoint rotates by itself)"))
	}
	rt, in, err := readCredential(e, pos, envRefreshToken, func(in *credentialInput) string { return in.RefreshToken })
	if err == nil {
		err = needRefreshToken(rt)
	}
	if err != nil {
		return fail(e, "refresh", exitUsage, err)
	}
	if in != nil {
		if *username == "" {
			*username = in.Username
		}
		if *deviceKey == "" {
			*deviceKey = in.DeviceKey
		}
	}
	ctx, cancel := f.withTimeout(ctx)
	defer cancel()

	if *useOAuth {
		domain, err := f.oauthDomain()
		if err != nil {
			return fail(e, "refresh", exitUsage, err)
		}
		client, err := oauth.New(oauth.Config{Domain: domain, ClientID: f.clientID, ClientSecret: f.secret, UserPoolID: f.poolID, Issuer: f.issuer()})
		if err != nil {
			return fail(e, "refresh", exitUsage, err)
		}
		defer client.Close()
		t, err := client.Refresh(ctx, rt)
		if err != nil {
			if errors.Is(err, oauth.ErrInvalidGrant) {
				return fail(e, "refresh", exitFailure, errors.New("the refresh token is revoked, expired or rotated away: sign in again"))
			}
			return failCall(e, "refresh", oauthExitCode(err), err, f.callInfo(false), f.verbose)
		}
		out := tokenOutput{AccessToken: t.AccessToken, IDToken: t.IDToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType,
			ExpiresIn: int64(time.Until(t.Expiry).Round(time.Second).Seconds()), ExpiresAt: t.Expiry}
		if t.IDClaims != nil {
			out.Username = t.IDClaims.Username
		}
		return printTokensOrFail(e, "refresh", f.output, out)
	}

	if f.secret != "" && *username == "" && !*rotation {
		return fail(e, "refresh", exitUsage, usageErrorf("a client secret needs --username (the internal username, cognito:username) or %s for SECRET_HASH", envUsername))
	}
	api, err := f.api()
	if err != nil {
		return fail(e, "refresh", exitUsage, err)
	}
	sc, err := srpclient.New(srpclient.Config{API: api, UserPoolID: f.poolID, ClientID: f.clientID, ClientSecret: f.secret, RefreshTokenRotation: *rotation})
	if err != nil {
		return fail(e, "refresh", exitUsage, err)
	}
	t, err := sc.Refresh(ctx, &srpclient.Tokens{RefreshToken: rt, Username: *username, DeviceKey: *deviceKey})
	if err != nil {
		return failCall(e, "refresh", srpExitCode(err), err, f.callInfo(false), f.verbose)
	}
	username2 := t.Username
	if username2 == "" {
		username2 = *username
	}
	out := tokenOutput{AccessToken: t.AccessToken, IDToken: t.IDToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType,
		ExpiresIn: int64(time.Until(t.Expiry).Round(time.Second).Seconds()), ExpiresAt: t.Expiry,
		Username: username2, DeviceKey: t.DeviceKey}
	if out.DeviceKey == "" {
		out.DeviceKey = *deviceKey
	}
	return printTokensOrFail(e, "refresh", f.output, out)
}

func printTokensOrFail(e *env, name, format string, out tokenOutput) int {
	if err := writeTokens(e.stdout, format, out); err != nil {
		return fail(e, name, exitFailure, err)
	}
	return exitOK
}

// srpExitCode maps an error of package srpclient to an exit status.
func srpExitCode(err error) int {
	switch {
	case errors.Is(err, srpclient.ErrUnavailable), errors.Is(err, srpclient.ErrTooManyRequests),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return exitUnavailable
	case errors.Is(err, srpclient.ErrInvalidConfig), errors.Is(err, srpclient.ErrInvalidInput):
		return exitUsage
	}
	return exitFailure
}
