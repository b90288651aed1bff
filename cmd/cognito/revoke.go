package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitokit/cognitokit/adapters/redisstore"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/srpclient"
	"github.com/cognitokit/cognitokit/verifier/revocation"
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
access tokens until they expire. With --redis URL, the revocation is also
added to the revocation list that cognitokit services share through that
Redis (package redisstore), and they refuse the sign-in's access and ID
tokens at once; it needs the sign-in's access or ID token, from the JSON
of "cognito login" on standard input or from --access-token. Without it,
keep access tokens short-lived; "cognito whoami" asks Cognito and sees the
revocation.

The refresh token is the argument, else $COGNITO_REFRESH_TOKEN, else standard
input: the token alone, or the JSON printed by "cognito login". An access
or ID token, or something that is no token, is refused before any call.

COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET,
COGNITO_ENDPOINT, COGNITO_DOMAIN, COGNITO_REDIS_URL and AWS_REGION are the
defaults of the corresponding flags.

Exit status: 0 revoked, 1 refused (wrong client or secret, revocation
disabled on the app client), 2 usage error, 3 Cognito or Redis could not be
reached.`,
		examples: `  cognito revoke "$COGNITO_REFRESH_TOKEN"
  cognito login --username ann --output json | tee tokens.json; cognito revoke < tokens.json
  cognito revoke --oauth --domain https://myapp.auth.us-east-1.amazoncognito.com --client-id 1example23456789 - < refresh.txt
  cognito revoke --redis redis://localhost:6379/0 < tokens.json`,
		run: runRevoke,
	})
}

func runRevoke(ctx context.Context, e *env, args []string) int {
	c := commands["revoke"]
	fs := c.newFlagSet(e)
	f := addConnFlags(fs, e, cfPool|cfClient|cfSecret|cfEndpoint|cfRegion|cfDomain|cfVerbose)
	useOAuth := fs.Bool("oauth", false, "use the OAuth 2.0 revocation endpoint of --domain instead of the user pool API")
	quiet := fs.Bool("quiet", false, "print nothing on success")
	redisURL := fs.String("redis", e.getenv("COGNITO_REDIS_URL"), "also add the revocation to the list shared through this Redis (redis://host:port/db)")
	redisPrefix := fs.String("redis-prefix", redisstore.DefaultPrefix, "key prefix of the shared list (redisstore.RevocationSyncConfig.Prefix)")
	accessToken := fs.String("access-token", "", "the sign-in's access or ID token, for --redis (default: access_token of the JSON on standard input)")
	pos, code, done := c.parseInterspersed(e, fs, args)
	if done {
		return code
	}
	if err := f.validate(cfPool | cfClient); err != nil {
		return fail(e, "revoke", exitUsage, err)
	}
	rt, in, err := readCredential(e, pos, envRefreshToken, func(in *credentialInput) string { return in.RefreshToken })
	if err == nil {
		err = needRefreshToken(rt)
	}
	if err != nil {
		return fail(e, "revoke", exitUsage, err)
	}
	var shared *sharedRevocation
	if *redisURL != "" {
		at := *accessToken
		if at == "" && in != nil {
			at = in.AccessToken
		}
		if shared, err = newSharedRevocation(*redisURL, *redisPrefix, at); err != nil {
			return fail(e, "revoke", exitUsage, err)
		}
		defer shared.close()
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
		if err := sc.Revoke(ctx, rt); err != nil {
			return failCall(e, "revoke", srpExitCode(err), err, f.callInfo(false), f.verbose)
		}
	}
	if shared != nil {
		if err := shared.publish(ctx); err != nil {
			return failCall(e, "revoke", exitUnavailable, fmt.Errorf("revoked in Cognito, but not added to the shared revocation list: %w", err), f.callInfo(false), f.verbose)
		}
		if !*quiet {
			fmt.Fprintln(e.stderr, "cognito revoke: refresh token revoked; Cognito and the services sharing the revocation list now refuse it and the access and ID tokens issued from it")
		}
		return exitOK
	}
	if !*quiet {
		fmt.Fprintln(e.stderr, "cognito revoke: refresh token revoked; Cognito now refuses it and the access tokens issued from it, but local verifiers accept those access tokens until they expire")
	}
	return exitOK
}

// sharedRevocation is the --redis part of revoke: the entry of the
// sign-in, published to the list services share through Redis.
type sharedRevocation struct {
	client *redis.Client
	sync   *redisstore.RevocationSync
	entry  revocation.Entry
}

func newSharedRevocation(rawURL, prefix, token string) (*sharedRevocation, error) {
	if token == "" {
		return nil, usageErrorf("--redis needs the sign-in's access or ID token, to know which tokens to refuse: pipe the JSON of \"cognito login\" or pass --access-token")
	}
	e, err := revocation.EntryForToken(token)
	if err != nil {
		return nil, usageErrorf("--access-token: %v", err)
	}
	e.Expires = time.Now().Add(revocation.DefaultMaxTokenLifetime)
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, usageErrorf("--redis %q: %v (want redis://host:port/db or rediss://...)", redactURL(rawURL), err)
	}
	c := redis.NewClient(opts)
	rs, err := redisstore.NewRevocationSync(redisstore.RevocationSyncConfig{Client: c, Prefix: prefix})
	if err != nil {
		c.Close()
		return nil, usageErrorf("%v", err)
	}
	return &sharedRevocation{client: c, sync: rs, entry: e}, nil
}

func (s *sharedRevocation) publish(ctx context.Context) error { return s.sync.Publish(ctx, s.entry) }
func (s *sharedRevocation) close()                            { s.client.Close() }

// redactURL drops the password of a Redis URL, for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
