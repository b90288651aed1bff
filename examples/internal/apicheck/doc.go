// Package apicheck is the self-check shared by the nethttp and echo
// examples, which serve the same JSON API:
//
//	GET  /healthz       public
//	GET  /me            any valid access token of the pool
//	GET  /admin/users   group admin
//	GET  /orders        scope demo-api/read, or group admin
//	POST /orders        scope demo-api/write
//
// [Run] calls every route with and without the right tokens and checks each
// status code, and the Bearer challenge of every 401 and 403.
package apicheck
