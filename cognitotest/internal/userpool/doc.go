// Package userpool is the user pool domain the operations share: finding
// users by name or alias, the password policy, attributes, codes, signing
// keys, issuing tokens ([Service.PrepareTokens]), checking them
// ([Service.CheckToken], the one token check of the emulator), refresh
// tokens and their revocation, the sessions of sign-ins in progress, and
// the Go callbacks that stand in for Lambda triggers.
//
// The operations themselves live in the packages below, grouped as the
// user pool API reference groups them: auth (sign-in and tokens), users
// (users, self-service and groups), pools (pools, app clients, resource
// servers), devices and mfa.
package userpool
