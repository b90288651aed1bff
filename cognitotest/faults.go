package cognitotest

import (
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
)

// JWKSMode is the behavior of the JWKS endpoints, set with
// [Server.SetJWKSMode] to test how clients cope with key-set outages.
type JWKSMode int

const (
	// JWKSNormal serves the key set.
	JWKSNormal JWKSMode = iota
	// JWKSFail answers 500 Internal Server Error.
	JWKSFail
	// JWKSHang never answers: the request hangs until the client gives up
	// or the server is closed.
	JWKSHang
	// JWKSGarbage answers 200 with truncated, invalid JSON.
	JWKSGarbage
	// JWKSEmpty answers a valid key set without keys.
	JWKSEmpty
)

// SetJWKSMode changes how the JWKS endpoints of all pools answer.
func (s *Server) SetJWKSMode(m JWKSMode) { s.emu.Faults.SetJWKSMode(emulator.JWKSMode(m)) }

// JWKSRequests returns how many JWKS requests the server has received, to
// test client caching.
func (s *Server) JWKSRequests() int { return s.emu.Faults.JWKSRequests() }

// SetLatency delays every HTTP response of the server by d (0 removes the
// delay). Delayed requests end early when the client gives up.
func (s *Server) SetLatency(d time.Duration) { s.emu.Faults.SetLatency(d) }

// FailOperation makes the next n calls of the API operation op (such as
// "InitiateAuth") fail with the error type errType and message before they
// run. An empty errType means InternalErrorException (HTTP 500); other
// types answer HTTP 400 (for example "TooManyRequestsException",
// "NotAuthorizedException"). Failures queue up across calls.
func (s *Server) FailOperation(op string, n int, errType, message string) {
	s.emu.Faults.Fail(op, n, errType, message)
}

// ClearFaults removes all injected faults.
func (s *Server) ClearFaults() { s.emu.Faults.Clear() }
