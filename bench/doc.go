// Package bench compares cognitokit's verifier with other JWT verifiers on
// the same 2048-bit RSA key and Cognito-shaped access tokens. It is a
// separate module so that the comparison libraries never become
// dependencies of cognitokit.
//
// BenchmarkVersusFloor alternates, op by op, SHA-256 plus
// rsa.VerifyPKCS1v15 (the floor), cognitokit, golang-jwt v5, go-oidc and
// jwx's jwt.Parse, and reports each one's median time over the floor's.
// BenchmarkFloor, BenchmarkCognitokit and the others measure each alone,
// for their allocations.
//
// BenchmarkVersusAWSJWTVerify runs aws-jwt-verify, the reference
// JavaScript verifier, in a Node.js worker (node/verify.mjs, with the
// package pinned in node/package-lock.json) on the same corpus, alternating
// batches of Node and Go, and reports the tokens per second of each on one
// thread. It skips without node or node/node_modules:
//
//	npm ci --prefix node --no-audit --no-fund
//	go test -run '^$' -bench VersusAWSJWTVerify -benchtime 100x
//
// run.sh (bench/run.sh from the repository root) runs these with the main
// module's benchmarks; the README's figures come from it.
package bench
