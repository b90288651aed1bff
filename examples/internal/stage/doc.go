// Package stage is where the cognitokit examples find Cognito: the user
// pool named by the environment, or else the embedded emulator
// (cognitotest) with the demo pool of "cognito local".
//
// The nethttp, echo, grpc and m2m examples share it, so that each of them
// starts, signs in and reads its configuration the same way. To copy one
// example out of this repository, copy this package along with it (or
// inline stage.go into the example's package main).
//
// # Environment
//
// [New] reads COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID (comma-separated),
// COGNITO_CLIENT_SECRET, COGNITO_ENDPOINT, COGNITO_DOMAIN, AWS_REGION,
// COGNITO_USERNAME and COGNITO_PASSWORD. Without COGNITO_USER_POOL_ID it
// starts the embedded emulator; [Stage.Close] stops it.
package stage
