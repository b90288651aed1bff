package cognitotest

import (
	"sync"
	"time"
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

// faults holds the injected faults.
type faults struct {
	mu        sync.Mutex // guards the fields below
	jwks      JWKSMode
	delay     time.Duration
	failures  map[string][]*apiError // op -> queued failures
	jwksCalls int
}

func (f *faults) init() { f.failures = map[string][]*apiError{} }

func (f *faults) jwksMode() JWKSMode {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jwksCalls++
	return f.jwks
}

func (f *faults) latency() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.delay
}

func (f *faults) takeFailure(op string) *apiError {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.failures[op]
	if len(q) == 0 {
		return nil
	}
	e := q[0]
	if len(q) == 1 {
		delete(f.failures, op)
	} else {
		f.failures[op] = q[1:]
	}
	return e
}

// SetJWKSMode changes how the JWKS endpoints of all pools answer.
func (s *Server) SetJWKSMode(m JWKSMode) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.jwks = m
}

// JWKSRequests returns how many JWKS requests the server has received, to
// test client caching.
func (s *Server) JWKSRequests() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.jwksCalls
}

// SetLatency delays every HTTP response of the server by d (0 removes the
// delay). Delayed requests end early when the client gives up.
func (s *Server) SetLatency(d time.Duration) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.delay = d
}

// FailOperation makes the next n calls of the API operation op (such as
// "InitiateAuth") fail with the error type errType and message before they
// run. An empty errType means InternalErrorException (HTTP 500); other
// types answer HTTP 400 (for example "TooManyRequestsException",
// "NotAuthorizedException"). Failures queue up across calls.
func (s *Server) FailOperation(op string, n int, errType, message string) {
	if n <= 0 {
		return
	}
	e := &apiError{Type: errType, Message: message}
	if errType == "" || errType == "InternalErrorException" {
		e.Type = "InternalErrorException"
		e.Status = 500
	}
	if e.Message == "" {
		e.Message = "injected failure"
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for range n {
		s.faults.failures[op] = append(s.faults.failures[op], e)
	}
}

// ClearFaults removes all injected faults.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.jwks = JWKSNormal
	s.faults.delay = 0
	s.faults.failures = map[string][]*apiError{}
}
