// Package cognitotest is an in-process Amazon Cognito user pool emulator for
// tests, in the spirit of net/http/httptest: the real AWS SDK, the reference
// JavaScript client and any JWT verifier talk to it over HTTP as they would
// to Cognito, without an AWS account.
//
// # Getting started
//
//	srv := cognitotest.NewServer(t)             // closed by t.Cleanup
//	pool := srv.MustCreatePool(cognitotest.PoolConfig{})
//	app := pool.MustCreateClient(cognitotest.ClientConfig{})
//	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Groups: []string{"admin"}})
//
//	api := cognitoidentityprovider.NewFromConfig(srv.AWSConfig())
//	// ... InitiateAuth, RespondToAuthChallenge, GetUser, AdminCreateUser ...
//
//	tokens := pool.MustMintTokens(app.ID, "alice") // no sign-in needed
//
// Tokens are RS256 JWTs with the exact Cognito claim sets. The issuer is
// [Pool.Issuer] ("{public URL}/{pool ID}", see [WithPublicURL]), the key set is at
// [Pool.JWKSURL] and the discovery document at [Pool.DiscoveryURL].
// [Pool.RotateKeys] adds a signing key and can retire the old ones.
//
// # What is emulated
//
// The Cognito user pool API over the AWS JSON 1.1 protocol (POST / with
// X-Amz-Target), with errors the SDK maps onto its typed exceptions
// (*types.NotAuthorizedException, *types.UserNotFoundException, ...):
//
//   - sign-in: InitiateAuth and AdminInitiateAuth with USER_SRP_AUTH (exact
//     SRP, including negative salts with [WithNegativeSalts]),
//     USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH,
//     CUSTOM_AUTH (driven by the pool's Lambda triggers, see "Lambda
//     triggers") and
//     USER_AUTH; RespondToAuthChallenge for PASSWORD_VERIFIER, SMS_MFA,
//     SOFTWARE_TOKEN_MFA (RFC 6238, see [TOTPCode]), EMAIL_OTP, SMS_OTP,
//     SELECT_MFA_TYPE, SELECT_CHALLENGE, MFA_SETUP, NEW_PASSWORD_REQUIRED,
//     CUSTOM_CHALLENGE, DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER (a
//     remembered DEVICE_KEY is honoured in InitiateAuth and with the answer
//     to any challenge; a remembered device stands in for MFA only in a
//     pool with ChallengeRequiredOnNewDevice);
//   - Cognito's defences: the lockout after five failed sign-ins
//     ("Password attempts exceeded", doubling back-off), and an app client
//     with PreventUserExistenceErrors answering for unknown users as for
//     real ones (a stable decoy SRP salt and USER_ID_FOR_SRP, simulated
//     CodeDeliveryDetails);
//   - auth events: sign-ins (passed or failed, by step), sign-ups,
//     password resets and changes, listed by AdminListUserAuthEvents and
//     rated by Admin/UpdateAuthEventFeedback (the user's feedback token
//     comes from [Pool.AuthEventFeedbackToken]);
//   - tokens: GetTokensFromRefreshToken with rotation and grace period,
//     RevokeToken, GlobalSignOut, AdminUserGlobalSignOut;
//   - devices, MFA settings, self-service sign-up and password reset, user
//     attributes, groups, ListUsers with filters, and pool and app client
//     management;
//   - pool administration, each setting acting on the rest of the emulator:
//     ListUserPools, UpdateUserPool (as in Cognito, the settings a request
//     leaves out return to their defaults; password policy, message
//     templates, Lambda triggers, AllowAdminCreateUserOnly, deletion
//     protection), Get/SetUserPoolMfaConfig (sign-in, MFA_SETUP and
//     SetUserMFAPreference offer only the pool's MFA methods; its SMS
//     message and SNS configuration are the pool's SmsAuthenticationMessage
//     and SmsConfiguration, which UpdateUserPool sets too),
//     AddCustomAttributes (custom attributes are checked on users),
//     GetSigningCertificate, GetCSVHeader, log delivery, risk configuration
//     (the blocked IP ranges of an ENFORCED pool refuse sign-ins), UI
//     customization, provisioned limits, tags and replicas;
//   - app clients: UpdateUserPoolClient (flows, token validity, OAuth
//     settings and refresh token rotation apply from the next sign-in) and
//     client secrets (two valid at once, for SECRET_HASH and the token
//     endpoint, so they can be rotated);
//   - domains (managed login answers only for the app clients of a pool
//     with a domain), managed-login branding and terms (the sign-in page
//     follows them), resource servers (client_credentials grants only the
//     scopes they still have);
//   - user import jobs: CreateUserImportJob hands out a pre-signed URL the
//     emulator serves (PUT the CSV file there, as with curl), and the
//     imported users appear in RESET_REQUIRED.
//
// An operation the emulator does not implement answers
// UnknownOperationException naming it (TestEveryOperationAnswers keeps the
// list of those). The operations Cognito authorizes
// with IAM (everything but the public operations listed under "Web pages
// and the emulator") require an Authorization header (the SDK signs
// requests with the static credentials of [Server.AWSConfig]); signatures
// are not checked.
//
// # Managed login (OAuth 2.0)
//
// The server also plays the pool's OAuth domain
// (https://{prefix}.auth.{region}.amazoncognito.com): pass
// [Server.OAuthDomain] wherever a Cognito domain is expected. It serves
// GET /oauth2/authorize with a minimal HTML sign-in page (username and
// password, a new password for users with a temporary one, then a TOTP
// code when the user has an authenticator app), POST /oauth2/token
// (authorization_code with single-use codes bound to the redirect URI and
// the PKCE S256 verifier, refresh_token with rotation, client_credentials
// with resource-server scopes; client_secret_basic or client_secret_post),
// /oauth2/userInfo, POST /oauth2/revoke and GET /logout (logout_uri checked
// against the client's sign-out URLs). It enforces the app client's
// callback URLs, allowed flows and scopes, passes state and nonce through,
// keeps a managed-login session cookie (prompt=login and prompt=none
// behave as in Cognito) and answers with Cognito's OAuth error codes. App
// clients need the OAuth fields of [ClientConfig] (CallbackURLs,
// AllowedOAuthFlows, AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient).
//
// # Federation (identity providers)
//
// The identity-provider operations are emulated: CreateIdentityProvider,
// DescribeIdentityProvider, UpdateIdentityProvider, DeleteIdentityProvider,
// ListIdentityProviders, GetIdentityProviderByIdentifier,
// AdminLinkProviderForUser and AdminDisableProviderForUser, with Cognito's
// checks (ProviderDetails per type, AttributeMapping onto the pool's
// attributes, IdpIdentifiers unique in the pool, 300 providers per pool, 5
// links per user). An OIDC provider's endpoints (authorize_url, token_url,
// attributes_url, jwks_uri) are filled in from its oidc_issuer's discovery
// document when it is created or its details change; social providers
// (Google, Facebook, LoginWithAmazon, SignInWithApple) get their own.
// Unlike Cognito, a social provider's endpoints may be given in
// ProviderDetails, so that a local provider stands in for Google. App
// clients accept in SupportedIdentityProviders only COGNITO and the
// pool's providers. Create providers from Go with
// [Pool.CreateIdentityProvider], or in a seed.
//
// Managed login federates: /oauth2/authorize with identity_provider=NAME
// or idp_identifier=ID, or a "Sign in with NAME" button of the sign-in
// page (one per provider of the app client; without COGNITO among them,
// the page has no password form), sends the browser to the provider
// (with a state and, for OIDC, Google and Apple, a nonce; like Cognito,
// no PKCE; Sign in with Apple with response_mode=form_post). The redirect
// sets an HttpOnly cookie bound to the state (SameSite=Lax, or for Apple's
// cross-site form_post SameSite=None; Secure, which browsers accept from
// http://localhost and http://127.0.0.1 but Go's cookie jar only sends
// over https), and /oauth2/idpresponse refuses an answer without it (login
// CSRF: an answer only completes in the browser that started the
// sign-in). The provider answers at /oauth2/idpresponse: the emulator
// redeems the code at the provider's token endpoint (client_secret_post;
// for Sign in with Apple a client secret JWT signed with its private_key),
// verifies the ID token (signature with the provider's JWKS, issuer,
// audience, expiry, nonce), calls the attributes (userinfo) endpoint with
// attributes_request_method, applies the attribute mapping, and creates or
// updates the user "{NAME}_{sub}" (status EXTERNAL_PROVIDER, in the group
// "{pool ID}_{NAME}", with the identities attribute that ID tokens carry as
// a JSON array), or signs in as the user a link of
// AdminLinkProviderForUser names; then it goes on as after a password,
// with a managed-login session and a code for the app. Errors (of the
// provider, a missing required attribute, a disabled user) reach the
// app's redirect_uri as error=invalid_request with Cognito's
// error_description ("NAME Error - 400 invalid_grant ...", "attributes
// required: [email]"). Provider URLs must be https, or http on a loopback
// host; every request to a provider times out after 10 seconds, and its
// answer is read up to 1 MiB. Any OIDC provider works as the upstream,
// including another pool of the emulator (every pool is an OpenID
// provider) and package
// [github.com/cognitokit/cognitokit/cognitotest/oidcprovider], which
// starts one with a "Sign in as" page that stands in for Google or a
// corporate IdP.
//
// Federated sign-ins run the Lambda triggers Cognito runs for federated
// users: at the first sign-in PreSignUp (PreSignUp_ExternalProvider; its
// refusal goes back to the app as "PreSignUp failed with error ...", and
// autoVerifyEmail and autoVerifyPhone verify the mapped attributes) and
// PostConfirmation (PostConfirmation_ConfirmSignUp); at later sign-ins
// PreAuthentication and PostAuthentication; and PreTokenGeneration
// (TokenGeneration_HostedAuth) when the app redeems its code. They run no
// UserMigration, custom authentication, custom message or sender trigger.
//
// Simplified: SAML providers are stored, described, exported and listed,
// but their sign-in is not emulated (managed login answers 501 for them
// and shows no button). AdminDisableProviderForUser removes the user's
// link and disables the federated user; for users of the pool itself
// (ProviderName Cognito) it is not emulated. Exports
// keep the providers but leave out federated users and links (a sign-in
// creates the user again, with a new sub).
//
// # An Application Load Balancer
//
// [Server.StartALB] plays an ALB whose listener rule runs
// authenticate-cognito in front of a local service ("cognito local
// --alb-target"): a browser is sent to the managed login, comes back to
// /oauth2/idpresponse, keeps an AWSELBAuthSessionCookie session, and its
// requests reach the service with x-amzn-oidc-data (the user-info claims
// signed with the emulator's ALB key, served per kid as PEM under
// {URL}/alb/keys/), x-amzn-oidc-accesstoken and x-amzn-oidc-identity; the
// x-amzn-oidc-* headers a client sends are removed. The on-unauthenticated
// modes deny and allow are there too. A service can so be tested locally
// exactly as it runs behind a real ALB, with package verifier/alb.
//
// # Identity pools and STS
//
// The same endpoint answers the Cognito Identity API
// (AWSCognitoIdentityService over AWS JSON 1.1), for the
// aws-sdk-go-v2/service/cognitoidentity client: identity pool management
// (Create/Describe/Update/Delete/ListIdentityPools, Set/GetIdentityPoolRoles
// with token- and rule-based role mappings, tags), GetId,
// GetCredentialsForIdentity (enhanced flow), GetOpenIdToken,
// developer-authenticated identities (GetOpenIdTokenForDeveloperIdentity,
// LookupDeveloperIdentity, MergeDeveloperIdentities,
// UnlinkDeveloperIdentity), UnlinkIdentity and the identity operations. It
// also answers STS AssumeRoleWithWebIdentity (form-encoded, XML answer) for
// the basic (classic) flow, with the OpenID tokens it issued. Create
// identity pools from Go with [Server.CreateIdentityPool]; logins from the
// emulator's user pools are verified with their keys (issuer, signature,
// expiry, audience). The AWS credentials it issues are made up and do NOT
// work against AWS; [Server.IssuedCredentials] tells which identity and role
// they were issued for, and [Server.IdentityJWKS] returns the keys of its
// OpenID tokens. A user pool login is named as in Cognito
// ("cognito-idp.{region}.amazonaws.com/{pool}") or, as Amplify names it, by
// the emulator's issuer without its scheme ("127.0.0.1:9229/{pool}").
// Get/SetPrincipalTagAttributeMap choose the claims that become principal
// tags of the credentials ([IssuedCredentials].PrincipalTags).
//
// Sessions are single use and expire after three minutes
// ([WithSessionLifetime]); a stale or replayed Session gets
// NotAuthorizedException "Invalid session for the user.".
//
// # Web pages and the emulator
//
// The developer's everyday browser can reach a loopback emulator on behalf
// of any page it shows, so the server guards every request:
//
//   - Host. A request must name the server by a loopback name (localhost,
//     127.0.0.0/8, [::1]), its listen address, the host of its public URL
//     ([WithPublicURL]), or a host allowed with [WithAllowedHosts]
//     ("cognito local --allow-host"). Any other Host
//     gets 403 HostNotAllowedException. This defeats DNS rebinding, where a
//     page's own name resolves to 127.0.0.1 and its requests look
//     same-origin.
//   - Origin. A browser request from another origin (an Origin header
//     other than the server's own, or Sec-Fetch-Site cross-site or
//     same-site, as [net/http.CrossOriginProtection] decides) may use only
//     what Cognito serves to web pages without AWS credentials:
//     the user pool operations the AWS SDKs send unsigned (InitiateAuth,
//     RespondToAuthChallenge, SignUp, ConfirmSignUp, ResendConfirmationCode,
//     ForgotPassword, ConfirmForgotPassword, ChangePassword,
//     GetTokensFromRefreshToken, RevokeToken, GlobalSignOut, GetUser,
//     UpdateUserAttributes, DeleteUser, DeleteUserAttributes,
//     GetUserAttributeVerificationCode, VerifyUserAttribute,
//     AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
//     SetUserSettings, ConfirmDevice, GetDevice, ListDevices,
//     UpdateDeviceStatus, ForgetDevice, GetUserAuthFactors,
//     UpdateAuthEventFeedback and the WebAuthn ones), the Cognito Identity
//     ones (GetId, GetCredentialsForIdentity, GetOpenIdToken,
//     UnlinkIdentity), STS AssumeRoleWithWebIdentity, the key sets, the
//     discovery documents, and the OAuth token, userInfo and revoke
//     endpoints. These answer Access-Control-Allow-Origin: *, as Cognito
//     does. Everything else, that is every operation Cognito authorizes
//     with IAM (Admin*, pool, client, group, resource server and identity
//     pool management, ListUsers, ...), answers such requests 403
//     AccessDeniedException before it runs, whatever Authorization header
//     they carry, and the managed-login form takes no cross-origin posts
//     (no login CSRF). Navigations to /oauth2/authorize and /logout stay
//     open: that is how OAuth works.
//   - CORS preflights. Any origin may send the headers of an unsigned call;
//     authorization, x-amz-security-token and x-amz-content-sha256 are
//     refused (403), so a page cannot even send a signed call.
//
// Origins listed with [WithCORSOrigins] ("cognito local --cors-origin"),
// such as an admin app at http://localhost:5173, are trusted with every
// operation; the operations that need credentials still need an
// Authorization header. Requests without Origin and Sec-Fetch-Site (the
// AWS SDKs, curl, Node) are not browser requests and are not restricted by
// origin. The emulator checks no AWS signatures, so whoever reaches it
// outside a browser can administer it: keep it on loopback or a private
// network. The demo users' passwords are public, so any page can sign in
// as them with InitiateAuth, as it could with a real pool whose passwords
// it knew; seed your own users for anything else.
//
// # Passkeys (WebAuthn)
//
// A pool whose AllowedFirstAuthFactors include WEB_AUTHN (PoolConfig, or
// UpdateUserPool's Policies.SignInPolicy) takes passkeys, as Cognito does:
// StartWebAuthnRegistration answers CredentialCreationOptions (the
// relying party, the user with its sub as the user handle, a challenge,
// ES256 and RS256, a discoverable credential, the pool's user
// verification, the user's passkeys excluded) and
// CompleteWebAuthnRegistration verifies the credential;
// ListWebAuthnCredentials (20 a page, NextToken) and
// DeleteWebAuthnCredential manage them, at most 20 a user
// (LimitExceededException). Each is authorized by the user's access token.
// USER_AUTH offers WEB_AUTHN to a user with a passkey (SELECT_CHALLENGE's
// AvailableChallenges, PREFERRED_CHALLENGE=WEB_AUTHN): the WEB_AUTHN
// challenge carries CREDENTIAL_REQUEST_OPTIONS, and RespondToAuthChallenge
// with CREDENTIAL signs the user in (without MFA, as the one-time
// passwords of USER_AUTH). Passkeys are durable state, deleted with their
// user.
//
// The ceremonies are verified with github.com/go-webauthn/webauthn: the
// challenge, the type, the relying party ID hash, the signature, user
// presence, user verification when the pool requires it
// (WebAuthnConfiguration.UserVerification "required"; "preferred" is the
// default), and the signature counter, which must go up: a counter that
// did not (a cloned authenticator; go-webauthn only flags it) is refused
// with NotAuthorizedException, and the stored counter stays. The relying
// party ID is the pool's WebAuthnConfiguration.RelyingPartyId or, as in
// Cognito, its managed-login domain: for the emulator, the host of its
// public URL, and localhost when that is a loopback address (a relying
// party ID is a domain). A pool with neither answers
// WebAuthnConfigurationMissingException; one without WEB_AUTHN,
// WebAuthnNotEnabledException. The origin in clientDataJSON must be https
// on the relying party ID or a subdomain of it, or http on localhost or a
// loopback address, or the emulator's own URL within it; others are
// refused (WebAuthnOriginNotAllowedException at registration,
// NotAuthorizedException at sign-in), as are a credential of another
// relying party (WebAuthnRelyingPartyMismatchException) and an answer to
// another challenge (WebAuthnChallengeNotFoundException).
//
// Managed login offers "Sign in with a passkey" on its sign-in page
// (/login/passkey: the username, then navigator.credentials.get with the
// emulator's options; the assertion is posted back and the app gets its
// code), and /passkeys/add?client_id=...&redirect_uri=... adds a passkey
// for the user signed in to managed login, then returns to the redirect
// URI. WebAuthn needs a secure context and a domain: serve the emulator as
// http://localhost:PORT to use them in a browser (WithPublicURL).
//
// Simplified: attestation is asked for with "none" and not judged (no
// FIDO Metadata Service, no trust anchors; packed, TPM, Android, Apple and
// other statements are checked for consistency by go-webauthn only),
// FriendlyCredentialName is empty, passkeys are a first factor only
// (WebAuthnConfiguration.FactorConfiguration is not applied, and
// MULTI_FACTOR_WITH_USER_VERIFICATION does not stand in for MFA after a
// password), and the managed-login sign-in asks for the username first
// (no discoverable sign-in without one).
//
// # Codes and the outbox
//
// Codes Cognito would send by email or SMS (sign-up confirmation, password
// reset, attribute verification, MFA, one-time passwords, temporary
// passwords) go to an outbox: read them with [Server.LastCode],
// [Server.LastMessage] or [Server.Messages], hear of them with
// [WithOnMessage], or fetch them over HTTP (below). Each [Message] names
// its pool, user, destination and medium, the operation that sent it, the
// CustomMessage trigger source Cognito would call, the code and the text
// as Cognito writes it: the CustomMessage trigger's message when the pool
// has one; otherwise the pool's message templates (UpdateUserPool's
// verification, invitation and SMS authentication messages,
// SetUserPoolMfaConfig's email message); otherwise Cognito's default
// wording. A message that goes to a custom sender trigger instead keeps
// the default wording: the trigger writes what is sent.
// A message is stored with its code, in the same transaction, so the
// outbox shows a code exactly when the operation that made it succeeded.
// A server keeps the newest [MaxMessages].
//
// # Lambda triggers
//
// A pool's Lambda triggers ([PoolConfig.LambdaTriggers],
// [Pool.SetLambdaTriggers], [Pool.SetTrigger]) run your production
// handlers, written for github.com/aws/aws-lambda-go, unchanged: the
// emulator hands each one the event JSON Cognito sends, decoded as
// aws-lambda-go's lambda.NewHandler decodes it, and applies its answer as
// Cognito does:
//
//	preSignUp := func(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
//		if strings.HasSuffix(ev.Request.UserAttributes["email"], "@example.com") {
//			ev.Response.AutoConfirmUser = true
//		}
//		return ev, nil
//	}
//	pool := srv.MustCreatePool(cognitotest.PoolConfig{LambdaTriggers: cognitotest.LambdaTriggers{PreSignUp: preSignUp}})
//
// A handler's error fails the operation with UserLambdaValidationException
// "PreSignUp failed with error <message>."; a panic is such an error too,
// as in the Lambda runtime. Every trigger is run where Cognito runs it:
//
//   - PreSignUp: SignUp (autoConfirmUser, autoVerifyEmail, autoVerifyPhone)
//     and AdminCreateUser; PostConfirmation: ConfirmSignUp,
//     AdminConfirmSignUp, an auto-confirming PreSignUp and
//     ConfirmForgotPassword.
//   - PreAuthentication and PostAuthentication: every sign-in (the API and
//     managed login); PreAuthentication also for an unknown user of an app
//     client that prevents user existence errors (userNotFound).
//   - CustomMessage: every message (CustomMessage_SignUp, _ResendCode,
//     _ForgotPassword, _AdminCreateUser, _UpdateUserAttribute,
//     _VerifyUserAttribute, _Authentication); the outbox gets the message
//     it wrote, which wins over the pool's message templates, or, when it
//     wrote none or left out {####}, the pool's template or Cognito's
//     default.
//   - UserMigration: USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH of a
//     user the pool does not have, a sign-in with a password on managed
//     login's page (UserMigration_Authentication), and ForgotPassword.
//   - PreTokenGeneration: every token issue (TokenGeneration_Authentication,
//     _RefreshTokens, _NewPasswordChallenge, _AuthenticateDevice,
//     _HostedAuth), in the version of PreTokenGenerationVersion: V1_0 (the
//     ID token and groups), V2_0 (both tokens and the scopes) or V3_0 (also
//     TokenGeneration_ClientCredentials); reserved claims are left alone.
//   - DefineAuthChallenge, CreateAuthChallenge and
//     VerifyAuthChallengeResponse: CUSTOM_AUTH, with or without SRP first.
//   - CustomEmailSender and CustomSMSSender: instead of sending, after the
//     operation and without waiting, with the code encrypted; decrypt it
//     with [DecryptCode] in tests.
//
// ClientMetadata reaches the triggers as in Cognito: InitiateAuth's only
// PreAuthentication and UserMigration (as validationData),
// RespondToAuthChallenge's the others.
//
// A trigger may also be an http(s) URL, which the event is POSTed to
// (code in any language, or a Lambda container image behind the runtime
// interface emulator), or a Lambda function ARN or name, which runs the
// function registered with [WithLambda]: that is how pools created through
// the API (the LambdaConfig of CreateUserPool and UpdateUserPool, which
// takes ARNs only; an UpdateUserPool without it removes the triggers, as
// in Cognito), a seed or a data directory run your code. "cognito local --trigger
// PreSignUp=URL" and "--lambda NAME=URL" do the same for the standalone
// emulator.
//
// Failures answer Cognito's errors: a function that does not answer
// within [WithTriggerTimeout] (5 seconds) is tried three times, then
// UnexpectedLambdaException "... Socket timeout while invoking Lambda
// function."; an unknown function UnexpectedLambdaException
// (ResourceNotFoundException); an answer that is not JSON, or whose
// response does not fit, InvalidLambdaResponseException.
//
// What is simplified: handlers run in the emulator's process, without the
// Lambda runtime (no lambdacontext in the context, no cold starts or
// concurrency limits), and one that outlives its timeout keeps running in
// its goroutine (its answer is discarded); only timeouts are retried. A
// function ARN names the function by its name only (region, account and
// invoke permissions are not checked). The custom senders' codes are
// encrypted with a stand-in for KMS and the AWS Encryption SDK that anyone
// can decrypt (see [DecryptCode]), so production code that calls KMS must
// let tests inject the decryption. callerContext.awsSdkVersion is always
// "aws-sdk-unknown-unknown". UserMigration's messageAction and
// desiredDeliveryMediums are checked but no welcome message is sent.
// V2_0 and V3_0 need no feature plan. Cognito's InboundFederation trigger
// is not emulated (the emulator has no federation).
//
// # The emulator's own endpoints
//
// What the emulator serves that Cognito does not lives under /_cognitokit/,
// apart from Cognito's paths:
//
//	GET    /_cognitokit/health     200 {"status":"ok"} while the server serves ([Server.HealthURL])
//	GET    /_cognitokit/messages   the outbox as JSON, oldest first ([Server.MessagesURL]);
//	                               ?pool=, ?user=, ?kind=, ?after=SEQ, ?limit=N
//	DELETE /_cognitokit/messages   deletes messages (same filters)
//	GET    /_cognitokit/logs       the log events of the pools' log delivery configurations,
//	                               oldest first ([Server.LogsURL]); ?pool=, ?type=, ?after=SEQ, ?limit=N
//	GET    /_cognitokit/console/   the web console ([Server.ConsoleURL]); GET / leads there
//	GET    /_cognitokit/export     the state as a seed file
//
// The console is a page for a person at a browser, in the spirit of
// MailHog: pools, app clients (secrets shown when asked), users and the
// outbox, with buttons to create, confirm and delete users, set passwords,
// manage groups and copy fresh tokens. These endpoints are for the
// emulator's own origin only (see "Web pages and the emulator"); the
// console's actions also require the header X-Cognitokit-Console: 1.
//
// # Containers
//
// [WithPublicURL] ("cognito local --public-url http://cognito:9229") sets
// the base URL of issuers, discovery documents, JWKS URLs and the
// managed-login endpoints, for programs that reach the emulator by another
// name than its listen address, such as the other containers of a compose
// project; [Server.URL] stays the listen address. [Server.Shutdown] lets
// requests in flight finish before it closes the server.
//
// # Faults
//
// [Server.SetJWKSMode] makes the key-set endpoints fail, hang or answer
// garbage; [Server.SetLatency] delays every response; [Server.FailOperation]
// makes the next calls of an operation fail.
//
// # Standalone and seeds
//
// "cognito local" (cmd/cognito) runs the same emulator as a process,
// created with [New], which (like the whole package) does not need the
// testing package. Its seed files, the project's checked-in local Cognito
// (pool settings, custom attributes, domains, resource servers, groups,
// app clients, users and identity pools), are parsed by [ParseSeed] and
// applied with [Server.ApplySeed]; [Server.DemoSeed] is its default demo
// pool. [Server.Export] writes the state back as a seed ([Seed.Encode]),
// also served at [ExportPath] ("/_cognitokit/export": the emulator's own
// endpoints live under /_cognitokit/) to the server's own origin only; an
// export applied to a new server exports the same bytes. Users are
// exported with their SRP password verifier, with which they sign in as
// before: the emulator keeps no password. See the package README for the
// seed format, and for the layout of the implementation (internal
// packages by concern) for contributors.
//
// # Durable state
//
// [WithDataDir] keeps the state in a directory (a bbolt file), so that a
// server started later on it has every pool, client, user, key, token and
// identity; a change is synced to disk before the API answers it, so a
// crash loses nothing acknowledged. One server at a time uses a directory
// ([ErrDataInUse]); a damaged file ([ErrDataCorrupt]) or one written by a
// newer emulator ([ErrDataFormat]) is refused and never written to.
// [Server.Restored] tells whether the state came from the directory.
//
// # Speed
//
// Every pool has an RSA-2048 signing key of its own, which takes 60 ms or
// more to generate. The package generates keys ahead, in the background,
// and shares them among the servers of the process, each key handed out
// once; a pool created when no key is ready gets its key in the
// background, and its first token (or key set) waits for it. NewServer
// and a first pool take well under a millisecond. Background generation
// is lazy (only after a key was taken), one key at a time, and belongs to
// the servers ([Server.Close] waits for it). Tests that create very many
// servers can pass the same few keys to all with [WithSigningKeys].
//
// # Concurrency
//
// A [Server] is safe for concurrent use, and all state is per server, so
// parallel tests do not collide. (The stash of ready RSA keys is shared by
// the process: it holds no state of a server.)
//
// # Not done
//
// The emulator does not validate SigV4 signatures, send real email or SMS
// (the outbox keeps each message as it would be sent), enforce rate
// limits, or implement SAML sign-in (see "Federation"). Its sign-in page is a minimal
// form, not Cognito's managed-login UI: it offers no sign-up or password
// reset, asks for TOTP codes only (users with only SMS or email MFA sign in
// there with their password alone), and cannot collect missing required
// attributes. Identity
// pools accept logins from the emulator's user pools and its developer
// provider only, and their credentials are not real AWS credentials: no
// IAM policy evaluates their principal tags.
//
// Simplified: the lockout count lives in memory (a restart forgets it).
// Auth events assess no risk (every event is NoRisk, with no adaptive
// authentication and no notification email carrying the feedback links);
// a user keeps the newest 100. Threat protection acts through the risk
// configuration's blocked IP ranges only (no risk scoring,
// compromised-credentials checks or notifications); a sign-in they refuse
// is no auth event. With PreventUserExistenceErrors the decoy
// USER_ID_FOR_SRP is always UUID-shaped, which matches real users only in
// pools whose internal usernames are subs (UsernameAttributes); the
// simulated CodeDeliveryDetails mask the username when it is an email
// address or phone number and a made-up address otherwise, the
// emulator's guess at Cognito's undocumented choice. Principal tag
// mappings are not part of seeds or exports. Request rate quotas
// (provisioned limits included) are enforced only with [WithRateLimits],
// on the user pool API: the managed-login and OAuth endpoints
// (UserFederation, ClientAuthentication, the token endpoint) and Cognito
// Identity are not throttled, nor are Cognito's per-user quotas (ten reads
// and ten writes a second) and its 5-per-second limit per pool of the
// pool and client resource categories. Log delivery
// (SetLogDeliveryConfiguration) delivers nothing outside the emulator: the
// events go to an in-memory buffer of at most 10,000 (a restart forgets
// them), served at [Server.LogsURL], each with the configured destination
// ARN. userNotification events are recorded for every message (INFO; Cognito
// exports only its ERROR events) and for each failed custom sender
// trigger (ERROR); userAuthEvents events are the auth events
// (AdminListUserAuthEvents), without a client ID, request ID, location
// or risk score (riskDecision is always PASS);
// replicas are stored and reported but serve no other region; domains are
// not routed by host name (managed login answers on the server's URL for
// every pool that has a domain; a custom domain needs no DNS, and its
// certificate ARN is checked for its shape only); import jobs take CSV
// files of at most 16 MiB (Cognito: 100 MB).
package cognitotest
