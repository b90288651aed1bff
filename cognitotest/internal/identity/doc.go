// Package identity emulates Amazon Cognito Identity (identity pools): the
// AWSCognitoIdentityService API over AWS JSON 1.1 on POST /, next to the
// user pool API, and STS AssumeRoleWithWebIdentity (the AWS query
// protocol) for the basic (classic) flow.
//
// Logins of the emulator's user pools are ID tokens, checked with
// userpool's one token check. The OpenID tokens it issues (GetOpenIdToken,
// GetOpenIdTokenForDeveloperIdentity) are signed with Cognito Identity's
// own RS512 key. The AWS credentials it issues are made up.
package identity
