package online

import (
	"context"
	"fmt"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// AdminAPI is the part of the Cognito user pool API that [AdminSignOut]
// calls. *cognitoidentityprovider.Client implements it; the calls need AWS
// credentials allowed cognito-idp:AdminGetUser and
// cognito-idp:AdminUserGlobalSignOut.
type AdminAPI interface {
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, optFns ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	AdminUserGlobalSignOut(ctx context.Context, in *cip.AdminUserGlobalSignOutInput, optFns ...func(*cip.Options)) (*cip.AdminUserGlobalSignOutOutput, error)
}

// SignOutMargin is added to the time of a global sign-out to make the
// "issued before" of its entry: tokens issued by Cognito up to that long
// after the sign-out (by this server's clock) are refused too, so that a
// server clock a few seconds behind Cognito's cannot let a revoked token
// through. A user who signs in again within the margin signs in once more.
const SignOutMargin = 5 * time.Second

// AdminSignOut signs a user out of every device as an administrator: it
// calls AdminUserGlobalSignOut, which makes Cognito refuse the user's
// refresh tokens and access tokens, then records in r (usually a
// [*revocation.List]) that the user's tokens issued until now are
// revoked, so that verifiers sharing r refuse them at once. username is
// the user's username or an alias the pool accepts. A nil r only signs out
// in Cognito.
//
// It returns Cognito's error (an AWS SDK error, such as
// *types.UserNotFoundException) if a call fails, before anything is
// recorded; or r's error (for example revocation.ErrNotShared) after
// Cognito signed the user out.
func AdminSignOut(ctx context.Context, api AdminAPI, r revocation.Revoker, userPoolID, username string) error {
	if ctx == nil || api == nil || userPoolID == "" || username == "" {
		return fmt.Errorf("%w: AdminSignOut needs a context, an API, a user pool ID and a username", ErrInvalidInput)
	}
	out, err := api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &userPoolID, Username: &username})
	if err != nil {
		return fmt.Errorf("online: AdminGetUser: %w", err)
	}
	sub := ""
	for _, a := range out.UserAttributes {
		if a.Name != nil && *a.Name == "sub" && a.Value != nil {
			sub = *a.Value
		}
	}
	if _, err := api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &userPoolID, Username: &username}); err != nil {
		return fmt.Errorf("online: AdminUserGlobalSignOut: %w", err)
	}
	if r == nil {
		return nil
	}
	if sub == "" {
		return fmt.Errorf("online: AdminGetUser returned no sub attribute; the user was signed out in Cognito only")
	}
	return r.Revoke(ctx, revocation.Entry{Subject: sub, IssuedBefore: time.Now().Add(SignOutMargin)})
}
