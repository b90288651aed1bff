package main

import (
	"context"
	"fmt"

	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/srpclient"
)

func init() {
	register(&command{
		name:    "revoke",
		summary: "revoke a refresh token (sign out) and the access tokens issued from it",
		usage: `Usage: cognito revoke --user-pool-id ID --client-id ID [--client-secret S]
                      [--oauth [--domain URL]] [--endpoint URL] [--region R] [REFRESH_TOKEN | -]

Revokes a refresh token with the user pool API's RevokeToken, or with --oauth
at the OAuth 2.0 revocation endpoint ({domain}/oauth2/revoke). Cognito then
refuses the refresh token and the ID and access tokens issued from it.

Revocation is only visible to Cognito: an API that verifies tokens locally
(cognitokit's verifier, aws-jwt-verify, any JWT library) still accepts the
access tokens until they expire. Keep access tokens short-lived; "cognito
whoami" asks Cognito and sees the revocation.

The refresh token is the argument, else $COGNITO_REFRESH_TOKEN, else standard
input: the token alone, or the JSON printed by "cognito login". An access
or ID token, or something that is no token, is refused before any call.

COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET,
COGNITO_ENDPOINT, COGNITO_DOMAIN and AWS_REGION are the defaults of the
corresponding flags.

Exit status: 0 revoked, 1 refused (wrong client or secret, revocation
disabled on the app client), 2 usage error, 3 Cognito could not be reached.`,
		examples: `  cognito revoke "$COGNITO_REFRESH_TOKEN"
  cognito login --username ann --output json | tee tokens.json; cognito revoke < tokens.json
  cognito revoke --oauth --domain https://myapp.auth.us-east-1.amazoncognito.com --client-id 1example23456789 - < refresh.txt`,
		run: runRevoke,
	})
}

func runRevoke(ctx context.Context, e *env, args []string) int {
	c := commands["revoke"]
	fs := c.newFlagSet(e)
	f := addConnFlags(fs, e, cfPool|cfClient|cfSecret|cfEndpoint|cfRegion|cfDomain|cfVerbose)
	useOAuth := fs.Bool("oauth", false, "use the OAuth 2.0 revocation endpoint of --domain instead of the user pool API")
	quiet := fs.Bool("quiet", false, "print nothing on success")
	pos, code, done := c.parseInterspersed(e, fs, args)
	if done {
		return code
	}
	if err := f.validate(cfPool | cfClient); err != nil {
		return fail(e, "revoke", exitUsage, err)
	}
	rt, _, err := readCredential(e, pos, envRefreshToken, func(in *credentialInput) string { return in.RefreshToken })
	if err == nil {
		err = needRefreshToken(rt)
	}
	if err != nil {
		return fail(e, "revoke", exitUsage, err)
	}
	ctx, cancel := f.withTimeout(ctx)
	defer cancel()
	if *useOAuth {
		domain, err := f.oauthDomain()
		if err != nil {
			return fail(e, "revoke", exitUsage, err)
		}
		client, err := oauth.New(oauth.Config{Domain: domain, ClientID: f.clientID, ClientSecret: f.secret, UserPoolID: f.poolID, Issuer: f.issuer()})
		if err != nil {
			return fail(e, "revoke", exitUsage, err)
		}
		defer client.Close()
		if err := client.Revoke(ctx, rt); err != nil {
			return failCall(e, "revoke", oauthExitCode(err), err, f.callInfo(false), f.verbose)
		}
	} else {
		api, err := f.api()
		if err != nil {
			return fail(e, "revoke", exitUsage, err)
		}
		sc, err := srpclient.New(srpclient.Config{API: api, UserPoolID: f.poolID, ClientID: f.clientID, ClientSecret: f.secret})
		if err != nil {
			return fail(e, "revoke", exitUsage, err)
		}
		if err := sc.RevokeToken(ctx, rt); err != nil {
			return failCall(e, "revoke", srpExitCode(err), err, f.callInfo(false), f.verbose)
		}
	}
	if !*quiet {
		fmt.Fprintln(e.stderr, "cognito revoke: refresh token revoked; Cognito now refuses it and the access tokens issued from it, but local verifiers accept those access tokens until they expire")
	}
	return exitOK
}
