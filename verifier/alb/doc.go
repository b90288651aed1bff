// Package alb verifies what an Application Load Balancer forwards after it
// authenticated a user: the user-claims JWT of x-amzn-oidc-data, signed by
// the load balancer, and (through a [verifier.Verifier]) the access token
// of x-amzn-oidc-accesstoken.
//
// An ALB listener rule with an authenticate-cognito (or authenticate-oidc)
// action runs the sign-in itself, keeps the session in its
// AWSELBAuthSessionCookie cookies, and forwards each authenticated request
// to the target with three headers:
//
//	x-amzn-oidc-data         the user claims, as a JWT signed by the ALB (ES256)
//	x-amzn-oidc-accesstoken  the IdP's access token, in plain text
//	x-amzn-oidc-identity     the user's sub, in plain text
//
// # Never trust an unsigned header
//
// The target sees headers, not where they came from. Anyone who can reach
// it without going through the ALB (from inside the VPC, through another
// load balancer or a misconfigured security group, or through an SSRF in
// another service) can send x-amzn-oidc-identity: admin, and a service
// that reads it has handed them the account. Only x-amzn-oidc-data is
// signed, with a key that only the ALB holds, and it names the load
// balancer that signed it: [Verifier.Verify] checks that signature and
// that signer, so a request is believed only when the ALB you configured
// vouched for it. [Verifier.VerifyHeaders] never reads the identity header
// for anything but a consistency check. The access token is signed by
// Cognito, so it is verified as any bearer token, with package verifier.
//
// # Usage
//
//	v, err := alb.New(alb.Config{
//		ALBARNs:   []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"},
//		ClientIDs: []string{"4fmvht22tjrgd7d3k3tghttct7"},
//		Issuer:    "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
//	})
//	...
//	authenticate, err := middleware.NewALB(v, middleware.Config{})
//
// middleware.NewALB (net/http) and echoauth's Config.ALB (Echo) run
// [Verifier.VerifyHeaders] on every request and expose the result through
// the ClaimsFromContext of bearer mode, so handlers and Require… route
// requirements read the same way behind an ALB as behind a bearer token;
// [IdentityFromContext] returns both sets of claims. A *Verifier is also an
// auth.TokenVerifier of the data token alone.
//
// The user claims are the IdP's user-info answer: sub, email,
// email_verified, username, custom attributes. Cognito's user-info has no
// cognito:groups and no scope; set Config.AccessTokens to a
// verifier.Verifier (TokenUse access, the same client ID) to verify the
// forwarded access token too, and the claims the transports expose become
// the access token's, with its groups and scopes.
//
// # gRPC behind an ALB, and gRPC-gateway
//
// An ALB that authenticates users speaks HTTP to its targets. A
// grpc-gateway (or any HTTP-to-gRPC proxy) is then the target: its
// runtime.ServeMux is an http.Handler, so wrap it with middleware.NewALB,
// which verifies the headers before the gateway turns the request into a
// gRPC call. The gRPC server behind the gateway must not trust a header or
// metadata the gateway adds on its own. If it is reachable by anything but
// the gateway, forward the signed token instead (the gateway's
// WithIncomingHeaderMatcher keeping x-amzn-oidc-data) and verify it there:
// a *Verifier is an auth.TokenVerifier, and grpcauth.New(v, ...) with a
// token source reading the x-amzn-oidc-data metadata key checks the
// signature again.
//
// # What is checked
//
// See [Verifier.Verify]. The token's own quirks are tolerated exactly
// where the ALB produces them: its segments carry base64 padding ("="),
// against RFC 7515, and its signature covers the padded text. A token is
// accepted either wholly unpadded (as RFC 7515 encodes, should the ALB
// ever stop padding) or with every segment padded to a multiple of four
// characters, as the ALB sends it; padding in the middle of a segment,
// extra padding, a mixture, the standard base64 alphabet and line breaks
// are refused (ErrMalformed). Package verifier, for Cognito's own tokens,
// stays strict.
//
// # Keys
//
// The ALB signs with regional keys published one per key ID, as a PEM
// document at https://public-keys.auth.elb.{region}.amazonaws.com/{kid}
// (in GovCloud, https://s3-{region}.amazonaws.com/aws-elb-public-keys-prod-{region}/{kid});
// Config.KeyURL replaces the base for emulators (cognito local --alb).
// A key is fetched the first time its kid is seen, concurrent callers
// share that fetch (each waits with its own context), and it is kept: a
// kid always names the same key. The kid must be a UUID, the signer must
// be configured before any fetch, and after a failed fetch unknown kids
// fail without a fetch for Config.RefetchCooldown, so forged tokens cannot
// make the service hammer the endpoint. An endpoint that cannot be reached
// gives verifier.ErrKeysUnavailable (503 from the transports: the token
// was not judged); a 403 or 404 gives verifier.ErrUnknownKey.
//
// # Why hand-written
//
// jwx and golang-jwt refuse padded segments, and their options to accept
// them (golang-jwt's WithPaddingAllowed) apply to every token they parse;
// neither knows the signer header nor fetches one PEM key per kid. The
// package needs crypto/ecdsa, crypto/x509 and encoding/json, and reuses
// verifier.ParseUnverifiedClaims for the payload, so that the claims read
// exactly as those of a Cognito token.
//
// # Performance
//
// A full Verify with the key cached costs little more than the P-256
// signature check alone (BenchmarkVerifyVsFloor pairs them op by op; the
// figures are in the repository's README, produced by bench/run.sh).
// ALB tokens live for minutes and differ from user to user, so there is no
// verified-token cache.
package alb
