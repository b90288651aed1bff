package emulator

import (
	"net/http"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// JWKSMode is the behaviour of the JWKS endpoints.
type JWKSMode int

// The JWKS modes (see cognitotest.JWKSMode).
const (
	JWKSNormal JWKSMode = iota
	JWKSFail
	JWKSHang
	JWKSGarbage
	JWKSEmpty
)

// Faults holds the injected faults. It is safe for concurrent use.
type Faults struct {
	mu        sync.Mutex // guards the fields below
	jwks      JWKSMode
	delay     time.Duration
	failures  map[string][]*wire.Error // op -> queued failures
	jwksCalls int
}

func newFaults() *Faults { return &Faults{failures: map[string][]*wire.Error{}} }

// JWKSMode counts a JWKS request and returns the mode to serve it with.
func (f *Faults) JWKSMode() JWKSMode {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jwksCalls++
	return f.jwks
}

// JWKSRequests returns the number of JWKS requests so far.
func (f *Faults) JWKSRequests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.jwksCalls
}

// SetJWKSMode sets the mode of the JWKS endpoints.
func (f *Faults) SetJWKSMode(m JWKSMode) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jwks = m
}

// Latency returns the injected latency.
func (f *Faults) Latency() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.delay
}

// SetLatency sets the latency of every response.
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// Fail queues n failures of op with the error type and message; an empty
// type means InternalErrorException (HTTP 500).
func (f *Faults) Fail(op string, n int, errType, message string) {
	if n <= 0 {
		return
	}
	e := &wire.Error{Type: errType, Message: message}
	if errType == "" || errType == "InternalErrorException" {
		e.Type = "InternalErrorException"
		e.Status = http.StatusInternalServerError
	}
	if e.Message == "" {
		e.Message = "injected failure"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.failures[op] = append(f.failures[op], e)
	}
}

// TakeFailure returns the next queued failure of op, or nil.
func (f *Faults) TakeFailure(op string) *wire.Error {
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

// Clear removes every fault.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jwks = JWKSNormal
	f.delay = 0
	f.failures = map[string][]*wire.Error{}
}
