package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/oauth"
)

func init() {
	register(&command{
		name:    "token",
		summary: "get a machine-to-machine access token (OAuth 2.0 client credentials)",
		usage: `Usage: cognito token --client-id ID [--client-secret S]
                     [--domain URL | --endpoint URL] [--scope SCOPE]... [--output json|env|token]

Asks the user pool's OAuth 2.0 token endpoint ({domain}/oauth2/token) for an
access token with the client-credentials grant, for service-to-service
calls. The app client must have a secret, the client_credentials OAuth flow
and the resource-server scopes asked for ("orders/read"); without --scope
Cognito grants every scope the client is allowed.

--domain is the pool's OAuth domain: https://PREFIX.auth.REGION.amazoncognito.com
or a custom domain. With --endpoint ("cognito local" and other emulators) the
endpoint serves the OAuth endpoints too.

--output json (default) prints {"access_token","token_type","expires_in",
"expires_at","scope"}; env prints shell export lines (COGNITO_ACCESS_TOKEN,
...); token prints the access token alone.

COGNITO_DOMAIN, COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET and COGNITO_ENDPOINT
are the defaults of the corresponding flags. No user pool ID is needed: the
token endpoint knows the pool from the client (--user-pool-id and
COGNITO_USER_POOL_ID are accepted and ignored, so that one environment serves
every command).

Exit status: 0 token issued, 1 refused (invalid_client, invalid_scope,
unauthorized_client), 2 usage error, 3 the endpoint could not be reached.`,
		examples: `  export COGNITO_DOMAIN=https://myapp.auth.us-east-1.amazoncognito.com
  export COGNITO_CLIENT_ID=1example23456789 COGNITO_CLIENT_SECRET=...
  cognito token --scope orders/read
  curl -H "Authorization: Bearer $(cognito token --scope orders/read --output token)" https://api.example.com/orders
  cognito token --endpoint http://127.0.0.1:9229 --client-id cognitokitconfidential --scope demo-api/read`,
		run: runToken,
	})
}

func runToken(ctx context.Context, e *env, args []string) int {
	c := commands["token"]
	fs := c.newFlagSet(e)
	f := addConnFlags(fs, e, cfPool|cfClient|cfSecret|cfEndpoint|cfDomain|cfOutput, "json", "env", "token")
	var scopes stringList
	fs.Var(&scopes, "scope", "resource-server `scope` to ask for, such as orders/read; repeat for several")
	if code, done := c.parseFlags(e, fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return fail(e, "token", exitUsage, usageErrorf("unexpected argument %q; scopes go in --scope (see 'cognito token --help')", fs.Arg(0)))
	}
	if err := f.validate(cfClient | cfSecret); err != nil {
		return fail(e, "token", exitUsage, err)
	}
	domain, err := f.oauthDomain()
	if err != nil {
		return fail(e, "token", exitUsage, err)
	}
	var list []string
	for _, s := range scopes {
		list = append(list, strings.Fields(s)...)
	}
	client, err := oauth.New(oauth.Config{
		Domain:       domain,
		ClientID:     f.clientID,
		ClientSecret: f.secret,
	})
	if err != nil {
		return fail(e, "token", exitUsage, err)
	}
	defer client.Close()
	ts, err := client.ClientCredentials(list...)
	if err != nil {
		return fail(e, "token", exitUsage, err)
	}
	ctx, cancel := f.withTimeout(ctx)
	defer cancel()
	tok, err := ts.TokenContext(ctx)
	if err != nil {
		return failCall(e, "token", oauthExitCode(err), err, f.callInfo(false), false) // oauth errors are whole already: no --verbose
	}
	out := tokenOutput{AccessToken: tok.AccessToken, TokenType: tok.TokenType, ExpiresAt: tok.Expiry}
	if !tok.Expiry.IsZero() {
		out.ExpiresIn = int64(time.Until(tok.Expiry).Round(time.Second).Seconds())
	}
	if s, ok := tok.Extra("scope").(string); ok && s != "" {
		out.Scope = s
	} else {
		// Cognito's token endpoint does not echo the granted scopes; show
		// the token's own claim (informative: the token is not verified here).
		out.Scope = unverifiedClaim(tok.AccessToken, "scope")
	}
	if err := writeTokens(e.stdout, f.output, out); err != nil {
		return fail(e, "token", exitFailure, err)
	}
	return exitOK
}

// oauthExitCode maps an error of package oauth to an exit status.
func oauthExitCode(err error) int {
	switch {
	case errors.Is(err, oauth.ErrUnavailable), errors.Is(err, oauth.ErrBadResponse):
		return exitUnavailable
	case errors.Is(err, oauth.ErrInvalidConfig), errors.Is(err, oauth.ErrInvalidInput):
		return exitUsage
	}
	return exitFailure
}
