// Package console serves the emulator's own endpoints, which Cognito does
// not have, under one prefix apart from Cognito's paths:
//
//	GET    /_cognitokit/health     {"status":"ok"} while the server serves (compose, CI)
//	GET    /_cognitokit/messages   the outbox as JSON, oldest first; ?pool= ?user= ?kind= ?after= ?limit=
//	DELETE /_cognitokit/messages   deletes the messages the same filters select
//	GET    /_cognitokit/console/   the web console (GET / and /_cognitokit/ lead there)
//	       /_cognitokit/export     the state as a seed file (served by the face; not here)
//
// # The console
//
// The console is a page for a person at a browser, in the spirit of
// MailHog: the pools, their app clients (a secret shows only when asked),
// users (status, groups, attributes, MFA, devices) and the outbox, newest
// first, which refreshes itself as messages arrive. Its buttons create a
// user, confirm one, set a password, add to or remove from a group, delete
// a user, and issue fresh tokens for a user to copy.
//
// The page is rendered on the server (html/template) with a small script
// and style sheet; all three are embedded in the binary (no build step,
// nothing from a CDN). Its actions call the user pool operations through
// the registry ([emulator.Emulator.Invoke]), so they validate, commit and
// send messages exactly as the API does; tokens come from the one token
// minting of the user pool domain, pre token generation trigger included.
//
// # Security
//
// Every route is for the emulator's own origin ([emulator.SameOrigin]):
// the guard checks the Host (no DNS rebinding), refuses state-changing
// requests and preflights from other origins, and no answer carries CORS
// headers. On top of that, every call of the console's API must carry the
// header X-Cognitokit-Console: 1, which a page of another origin cannot
// send without a preflight, and actions take JSON only: a cross-site form
// post cannot reach an action even where a browser sends neither Origin
// nor Sec-Fetch-Site. The page forbids framing (frame-ancestors 'none')
// and runs only its own script (Content-Security-Policy). The outbox
// shows codes and temporary passwords: that is its purpose, so keep the
// emulator on loopback or a private network.
package console
