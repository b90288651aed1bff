// Package albproxy plays an Application Load Balancer whose listener rule
// runs authenticate-cognito in front of a local service: cognito local
// --alb-target and cognitotest's Server.StartALB.
//
// Like the ALB, the proxy is an OAuth 2.0 client of the user pool's
// managed login: it talks to the emulator's /oauth2/authorize,
// /oauth2/token and /oauth2/userInfo over HTTP, exactly as it would talk
// to a Cognito domain. A request without a session is, by the rule's
// on-unauthenticated-request mode, redirected to sign in (authenticate),
// answered 401 (deny) or forwarded without identity (allow). The sign-in
// comes back to /oauth2/idpresponse, where the proxy checks the state
// against its AWSELBAuthNonce cookie, redeems the code with the client
// secret, reads user-info, opens a session (the AWSELBAuthSessionCookie-0
// cookie) and sends the browser back to the page it asked for. Requests
// with a session are forwarded with the three headers the ALB adds:
// x-amzn-oidc-accesstoken, x-amzn-oidc-identity, and x-amzn-oidc-data,
// the user-info claims as a JWT signed with the emulator's ALB key the
// way the ALB signs it (ES256, padded base64url, signer, client, iss and
// exp in the header). Whatever x-amzn-oidc-* headers the client sent are
// removed first, as the ALB removes them. An access token about to expire
// is refreshed with the refresh token; when that fails the user signs in
// again.
//
// [Keys] holds the ALB key and serves it per kid as a PEM document, as
// https://public-keys.auth.elb.{region}.amazonaws.com/{kid} does.
//
// Simplified: the session lives in the proxy's memory (the real ALB
// encrypts it into the cookie), so it ends with the process; the ALB's
// session cookie is split in 4 KB shards, this one is a short ID; there is
// no logout endpoint (as with the ALB: the application expires the cookie
// and redirects to the IdP's /logout).
package albproxy
