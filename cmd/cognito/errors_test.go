package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
)

// TestDescribe: each common Cognito failure becomes one line that says
// what to do, from the SDK's typed errors as srpclient wraps them.
func TestDescribe(t *testing.T) {
	sdk := func(sentinel, e error) error { return fmt.Errorf("srpclient: op: %w: %w", sentinel, e) }
	tests := []struct {
		name string
		err  error
		ci   callInfo
		want string
	}{
		{"wrong password, SRP", sdk(srpclient.ErrNotAuthorized, &types.NotAuthorizedException{Message: aws.String("Incorrect username or password.")}),
			callInfo{srp: true}, "incorrect username or password; with SRP a wrong --user-pool-id is refused the same way"},
		{"wrong password, plain", sdk(srpclient.ErrNotAuthorized, &types.NotAuthorizedException{Message: aws.String("Incorrect username or password.")}),
			callInfo{}, "incorrect username or password"},
		{"disabled user", sdk(srpclient.ErrNotAuthorized, &types.NotAuthorizedException{Message: aws.String("User is disabled.")}),
			callInfo{srp: true}, "not authorized (Cognito: User is disabled)"},
		{"unknown user", sdk(srpclient.ErrUserNotFound, &types.UserNotFoundException{Message: aws.String("User does not exist.")}),
			callInfo{}, "no such user (Cognito: User does not exist): check --username"},
		{"expired code", sdk(srpclient.ErrExpiredCode, &types.ExpiredCodeException{Message: aws.String("Invalid code provided, please request a code again.")}),
			callInfo{}, "the code has expired (Cognito: Invalid code provided, please request a code again): ask for a new one"},
		{"expired session", sdk(srpclient.ErrSessionExpired, &types.NotAuthorizedException{Message: aws.String("Invalid session for the user, session is expired.")}),
			callInfo{srp: true}, "the sign-in session expired"},
		{"wrong code", sdk(srpclient.ErrCodeMismatch, &types.CodeMismatchException{Message: aws.String("Invalid code received for user")}),
			callInfo{}, "wrong code (Cognito: Invalid code received for user)"},
		{"unconfirmed", sdk(srpclient.ErrUserNotConfirmed, &types.UserNotConfirmedException{Message: aws.String("User is not confirmed.")}),
			callInfo{}, "has not confirmed the sign-up yet"},
		{"unknown client", sdk(srpclient.ErrInvalidConfig, &types.ResourceNotFoundException{Message: aws.String("User pool client x does not exist.")}),
			callInfo{}, "not found (Cognito: User pool client x does not exist): check --client-id"},
		{"flow not enabled", sdk(srpclient.ErrInvalidInput, &types.InvalidParameterException{Message: aws.String("USER_SRP_AUTH flow not enabled for this client")}),
			callInfo{}, "does not allow this sign-in flow"},
		{"refresh token revoked", sdk(srpclient.ErrRefreshTokenInvalid, &types.NotAuthorizedException{Message: aws.String("Refresh Token has been revoked")}),
			callInfo{}, "the refresh token is revoked, expired or rotated away (Cognito: Refresh Token has been revoked): sign in again"},
		{"throttled", sdk(srpclient.ErrTooManyRequests, &types.TooManyRequestsException{Message: aws.String("Rate exceeded")}),
			callInfo{}, "Cognito throttled the request (Cognito: Rate exceeded): try again later"},
		{"timeout", fmt.Errorf("srpclient: op: %w", context.DeadlineExceeded), callInfo{timeout: "30s"}, "no answer from Cognito within --timeout 30s"},
		{"DNS", fmt.Errorf("wrapped: %w", &net.DNSError{Name: "cognito-idp.mars-1.amazonaws.com", Err: "no such host"}), callInfo{}, `the host name "cognito-idp.mars-1.amazonaws.com" does not resolve`},
		{"plain error", errors.New("srpclient: invalid challenge from server: SALT is not hex"), callInfo{}, "srpclient: invalid challenge from server: SALT is not hex"},
	}
	for _, tc := range tests {
		got := describe(tc.err, tc.ci)
		if !strings.Contains(got, tc.want) || strings.Contains(got, "\n") {
			t.Errorf("%s: got %q; want one line containing %q", tc.name, got, tc.want)
		}
	}
}

// TestLoginErrors: against the emulator, an unknown user and a wrong pool
// ID (which SRP cannot tell from a wrong password) are one line each.
func TestLoginErrors(t *testing.T) {
	le := newLoginEnv(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{})
	le.pool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: "pw-ann-1"})
	code, _, stderr := runCLI(t, "pw-1234\n", nil, le.args("--username", "nobody", "--password-stdin")...)
	if code != exitFailure {
		t.Errorf("unknown user: got exit %d; want %d (stderr %q)", code, exitFailure, stderr)
	}
	oneLine(t, stderr, "cognito login: no such user (Cognito: User does not exist): check --username")

	// The right password, the wrong pool ID: the SRP proof is signed with
	// the pool's name, so Cognito answers as for a wrong password.
	code, _, stderr = runCLI(t, "pw-ann-1\n", nil, le.args("--username", "ann", "--password-stdin", "--user-pool-id", "us-east-1_WrongPool")...)
	if code != exitFailure {
		t.Errorf("wrong pool ID: got exit %d; want %d (stderr %q)", code, exitFailure, stderr)
	}
	oneLine(t, stderr, "incorrect username or password; with SRP a wrong --user-pool-id is refused the same way")
}
