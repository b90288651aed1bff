// Package guard protects the emulator from web pages. A browser sends
// requests to the loopback emulator on behalf of any page the developer
// visits: directly (cross-origin fetch and form posts) or through DNS
// rebinding (a name the page controls that resolves to 127.0.0.1, so the
// page is "same-origin" with the emulator). Listening on loopback only
// stops neither. The guard wraps every route, and enforces:
//
//  1. Host. A request must name the emulator by a loopback name
//     (localhost, 127.0.0.0/8, [::1]), its listen address, or a host the
//     user allowed (cognitotest.WithAllowedHosts, cognito local
//     --allow-host). Any other Host is a rebound name: 403
//     HostNotAllowedException.
//  2. Origin. A browser request from another origin (told by Origin or
//     Sec-Fetch-Site, as [http.CrossOriginProtection] does) may use only
//     what Cognito serves to web pages without AWS credentials: the public
//     operations of the registry ([emulator.Op].Public) and STS
//     AssumeRoleWithWebIdentity, and the routes open to any origin
//     ([emulator.AnyOrigin]: the key sets, the discovery documents and the
//     OAuth token, userInfo and revoke endpoints). Everything else (the
//     Admin* operations, pool, client and identity pool management,
//     ListUsers, ...) answers 403 AccessDeniedException before the
//     operation runs, and no other route takes cross-origin POSTs (the
//     sign-in form included: no login CSRF). Origins the user trusts
//     (cognitotest.WithCORSOrigins, cognito local --cors-origin) may call
//     everything.
//  3. CORS. Preflights are answered here: any origin may send the headers
//     of an unsigned call; only trusted origins may send authorization and
//     x-amz-security-token, so a page cannot even attempt a signed call.
//     Responses carry Access-Control-Allow-Origin only where a page may
//     read them.
//
// The classification of operations is Cognito's own: the AWS SDKs send
// the public operations unsigned (their service models mark them as
// needing no SigV4), and Cognito authorizes every other operation with
// IAM. It lives with each operation, in the registry; an operation or a
// route added later is closed to other origins until it says otherwise.
//
// STS: the emulator implements only AssumeRoleWithWebIdentity, which STS
// serves unsigned; the STS handler refuses every other action before it
// reads any state. An STS action that needs credentials must be
// classified here.
//
// Cross-origin detection uses the standard library's
// [http.CrossOriginProtection] (Sec-Fetch-Site, then Origin against Host);
// the host and CORS rules have no library equivalent.
package guard
