package main

// One-line, human errors for the failures of Cognito calls. The SDK's own
// messages name the operation, the HTTP status, the request ID and "https
// response error" even over plain http; a person at a terminal needs what
// happened and what to do. --verbose prints the whole chain below.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/srpclient"
)

// callInfo is what the messages may mention about the failed call.
type callInfo struct {
	endpoint string // --endpoint, "" for AWS
	srp      bool   // the password was proven with SRP, which signs with the pool ID
	timeout  string // --timeout, for "no answer within"
	token    string // the token Cognito judges ("the access token"), if any
}

// describe returns one line saying what went wrong in a Cognito call and
// what to do. It never includes tokens or passwords: Cognito's messages do
// not carry them, and the SDK chain (which does not either, but is long) is
// left to --verbose.
func describe(err error, ci callInfo) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return describeTransport(err, ci)
	}
	code, msg := ae.ErrorCode(), strings.TrimSpace(ae.ErrorMessage())
	quoted := ""
	if msg != "" {
		quoted = " (Cognito: " + strings.TrimSuffix(msg, ".") + ")"
	}
	switch {
	case errors.Is(err, srpclient.ErrRefreshTokenInvalid):
		return "the refresh token is revoked, expired or rotated away" + quoted + ": sign in again"
	case code == "NotAuthorizedException" && strings.Contains(strings.ToLower(msg), "session"):
		return "the sign-in session expired" + quoted + ": challenges must be answered within 3 minutes; sign in again"
	case code == "NotAuthorizedException" && strings.EqualFold(msg, "Incorrect username or password."):
		line := "incorrect username or password"
		if ci.srp {
			line += "; with SRP a wrong --user-pool-id is refused the same way (the proof is signed with the pool ID): check that the pool is the app client's"
		}
		return line
	case code == "NotAuthorizedException" && ci.token != "":
		return "Cognito refused " + ci.token + quoted
	case code == "NotAuthorizedException":
		line := "not authorized" + quoted
		if ci.srp && strings.Contains(strings.ToLower(msg), "password") {
			line += "; with SRP a wrong --user-pool-id is refused the same way: check that the pool is the app client's"
		}
		return line
	case code == "UserNotFoundException":
		return "no such user" + quoted + ": check --username (an email or phone number works only where the pool accepts it as username or alias)"
	case code == "UserNotConfirmedException":
		return "the user has not confirmed the sign-up yet" + quoted + ": confirm it with the code that was sent, or have an administrator confirm it"
	case code == "PasswordResetRequiredException":
		return "the user must reset the password before signing in" + quoted
	case code == "ExpiredCodeException":
		return "the code has expired" + quoted + ": ask for a new one and try again"
	case code == "CodeMismatchException":
		return "wrong code" + quoted
	case code == "ResourceNotFoundException":
		return "not found" + quoted + ": check --client-id, --user-pool-id and the region or --endpoint"
	case code == "InvalidParameterException" && strings.Contains(msg, "GetTokensFromRefreshToken"):
		return "the app client rotates refresh tokens: add --rotation" + quoted
	case code == "InvalidParameterException" && strings.Contains(msg, "flow not enabled"):
		return "the app client does not allow this sign-in flow" + quoted + ": enable it on the app client, or choose another with --flow"
	case code == "InvalidParameterException":
		return "Cognito refused the request" + quoted
	case code == "TooManyRequestsException", code == "LimitExceededException":
		return "Cognito throttled the request" + quoted + ": try again later"
	case code == "TooManyFailedAttemptsException":
		return "too many failed attempts" + quoted + ": wait before trying again"
	case code == "InternalErrorException", code == "InternalServerException":
		return "Cognito failed internally" + quoted + ": try again"
	}
	if msg != "" {
		return code + ": " + msg
	}
	return code
}

// describeTransport describes a call that got no answer from Cognito.
func describeTransport(err error, ci callInfo) string {
	where := "Cognito"
	if ci.endpoint != "" {
		where = ci.endpoint
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		if ci.timeout != "" {
			return fmt.Sprintf("no answer from %s within --timeout %s", where, ci.timeout)
		}
		return "no answer from " + where + " in time"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot reach %s: the host name %q does not resolve; check --endpoint or --region", where, dnsErr.Name)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		line := fmt.Sprintf("cannot reach %s: %v", where, opErr.Err)
		if ci.endpoint != "" && isLoopbackURL(ci.endpoint) {
			line += `; is the emulator ("cognito local") running?`
		}
		return line
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Sprintf("cannot reach %s: %v", where, ue.Err)
	}
	// Errors of the packages' own checks (a malformed challenge, an
	// unsupported one) are already one sentence.
	return err.Error()
}

// isLoopbackURL reports whether the URL's host is localhost or a loopback
// address.
func isLoopbackURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// failCall reports the failure of a Cognito call on one line, and the full
// error chain after it with --verbose.
func failCall(e *env, name string, code int, err error, ci callInfo, verbose bool) int {
	msg := describe(err, ci)
	if isOAuthError(err) {
		msg = err.Error() // the oauth package's errors are one sentence already
	}
	fmt.Fprintf(e.stderr, "cognito %s: %s\n", name, msg)
	if verbose && msg != err.Error() {
		fmt.Fprintf(e.stderr, "  cause: %v\n", err)
	}
	return code
}

// isOAuthError reports whether err comes from the oauth package.
func isOAuthError(err error) bool {
	var oe *oauth.Error
	return errors.As(err, &oe) || errors.Is(err, oauth.ErrUnavailable) || errors.Is(err, oauth.ErrBadResponse) ||
		errors.Is(err, oauth.ErrInvalidConfig) || errors.Is(err, oauth.ErrInvalidInput)
}
