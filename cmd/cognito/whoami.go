package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

func init() {
	register(&command{
		name:    "whoami",
		summary: "ask Cognito who an access token belongs to (GetUser)",
		usage: `Usage: cognito whoami [--endpoint URL] [--region R] [--output json|env] [ACCESS_TOKEN | -]

Calls the user pool API's GetUser with an access token and prints the user:
{"username":…,"attributes":{"sub":…,"email":…},"preferred_mfa":…,"mfa":[…]}.

Unlike "cognito verify", which checks the token locally, whoami asks
Cognito: a token that was revoked (cognito revoke, GlobalSignOut) is refused
here even though its signature is still valid. The access token needs the
aws.cognito.signin.user.admin scope, which sign-ins through the user pool API
always carry.

The access token is the argument, else $COGNITO_ACCESS_TOKEN, else standard
input: the token alone, or the JSON printed by "cognito login". An ID or
refresh token is refused before any call. The region is --region, else
$AWS_REGION, else the prefix of $COGNITO_USER_POOL_ID, else the one in the
token's issuer. Without --endpoint, a token issued by an emulator on this
machine (issuer http://127.0.0.1:9229/POOL) is sent to that emulator, and
one issued by another host that is not AWS is not sent anywhere: the
message names the --endpoint to pass.

Exit status: 0 the token is valid, 1 Cognito refused it (expired, revoked,
signed out, wrong scope), 2 usage error, 3 Cognito could not be reached.`,
		examples: `  cognito whoami "$COGNITO_ACCESS_TOKEN"
  cognito login --username ann | cognito whoami
  cognito whoami --endpoint http://127.0.0.1:9229 - < access.txt`,
		run: runWhoami,
	})
}

// whoamiOutput is the JSON whoami prints.
type whoamiOutput struct {
	Username     string            `json:"username"`
	Attributes   map[string]string `json:"attributes"`
	PreferredMFA string            `json:"preferred_mfa,omitempty"`
	MFA          []string          `json:"mfa,omitempty"`
}

func runWhoami(ctx context.Context, e *env, args []string) int {
	c := commands["whoami"]
	fs := c.newFlagSet(e)
	f := addConnFlags(fs, e, cfEndpoint|cfRegion|cfOutput|cfVerbose, "json", "env")
	pos, code, done := c.parseInterspersed(e, fs, args)
	if done {
		return code
	}
	if err := f.validate(0); err != nil {
		return fail(e, "whoami", exitUsage, err)
	}
	tok, _, err := readCredential(e, pos, envAccessToken, func(in *credentialInput) string { return in.AccessToken })
	if err == nil {
		err = needAccessToken(tok)
	}
	if err != nil {
		return fail(e, "whoami", exitUsage, err)
	}
	if f.endpoint == "" {
		// A token of an emulator: GetUser at AWS can only fail. Use the
		// issuer's host when it is this machine; name it otherwise.
		if base, notAWS := emulatorEndpoint(tok); notAWS {
			switch {
			case base == "":
				return fail(e, "whoami", exitUsage, usageErrorf("the token's issuer %q is not Cognito's: pass the --endpoint of the service that issued it", clip(unverifiedClaim(tok, "iss"), 80)))
			case !isLoopbackURL(base):
				return fail(e, "whoami", exitUsage, usageErrorf("the token was issued by %s, not by AWS: pass --endpoint %s (or set %s)", clip(unverifiedClaim(tok, "iss"), 80), base, envEndpoint))
			}
			f.endpoint = base
			fmt.Fprintf(e.stderr, "cognito whoami: asking the emulator at %s, the token's issuer (pass --endpoint to choose)\n", base)
		}
	}
	if f.region == "" {
		// $COGNITO_USER_POOL_ID's prefix, else the token's issuer.
		if pre, _, ok := strings.Cut(e.getenv(envPoolID), "_"); ok && cliRegionRe.MatchString(pre) {
			f.region = pre
		}
	}
	if f.region == "" {
		f.regionFromToken = regionOfIssuer(tok)
		if f.regionFromToken == "" && f.endpoint != "" {
			f.regionFromToken = "us-east-1"
		}
	}
	api, err := f.api()
	if err != nil {
		return fail(e, "whoami", exitUsage, err)
	}
	ctx, cancel := f.withTimeout(ctx)
	defer cancel()
	res, err := api.GetUser(ctx, &cip.GetUserInput{AccessToken: &tok})
	if err != nil {
		ci := f.callInfo(false)
		ci.token = "the access token"
		return failCall(e, "whoami", apiExitCode(err), err, ci, f.verbose)
	}
	out := whoamiOutput{Attributes: map[string]string{}, MFA: res.UserMFASettingList}
	if res.Username != nil {
		out.Username = *res.Username
	}
	if res.PreferredMfaSetting != nil {
		out.PreferredMFA = *res.PreferredMfaSetting
	}
	for _, a := range res.UserAttributes {
		if a.Name != nil && a.Value != nil {
			out.Attributes[*a.Name] = *a.Value
		}
	}
	if f.output == "env" {
		var sb strings.Builder
		sb.WriteString("export " + envUsername + "=" + quoteShell(out.Username) + "\n")
		if sub := out.Attributes["sub"]; sub != "" {
			sb.WriteString("export COGNITO_SUB=" + quoteShell(sub) + "\n")
		}
		if email := out.Attributes["email"]; email != "" {
			sb.WriteString("export COGNITO_EMAIL=" + quoteShell(email) + "\n")
		}
		e.stdout.Write([]byte(sb.String()))
		return exitOK
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fail(e, "whoami", exitFailure, err)
	}
	return exitOK
}

// quoteShell quotes s for POSIX shells.
func quoteShell(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// regionOfIssuer returns the region of an AWS Cognito issuer in the
// token's (unverified) payload, or "". It only chooses where to send the
// token; Cognito judges it.
func regionOfIssuer(tok string) string {
	iss := unverifiedClaim(tok, "iss")
	for _, prefix := range []string{"https://cognito-idp.", "https://issuer-cognito-idp."} {
		if rest, ok := strings.CutPrefix(iss, prefix); ok {
			region, _, _ := strings.Cut(rest, ".amazonaws.com/")
			if cliRegionRe.MatchString(region) {
				return region
			}
		}
	}
	return ""
}

// unverifiedClaim returns a string claim of a JWT's payload WITHOUT
// verifying the token, or "". Use it only for display and routing.
func unverifiedClaim(tok, name string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(parts[1]) > maxCredential {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims map[string]json.RawMessage
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	var v string
	if json.Unmarshal(claims[name], &v) != nil {
		return ""
	}
	return v
}

// clip shortens s to n bytes for a message.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
