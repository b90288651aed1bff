// Package bench compares cognitokit's verifier with other Go JWT
// libraries on the same 2048-bit RSA key and Cognito-shaped access tokens.
// It is a separate module so that the comparison libraries never become
// dependencies of cognitokit.
//
//	cd bench && go test -run '^$' -bench . -benchtime 2s -count 5
package bench
