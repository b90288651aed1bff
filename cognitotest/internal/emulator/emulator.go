package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// Config is the configuration of an [Emulator]. Zero fields get the
// defaults of [New].
type Config struct {
	Region          string           // default "us-east-1"
	Now             func() time.Time // default time.Now
	Rand            io.Reader        // default crypto/rand; reads are serialized
	NegativeSalts   bool             // SRP salts are negative integers
	Logger          *slog.Logger     // default: discard
	SessionLifetime time.Duration    // of sign-in Sessions; default 3 minutes
	SRPClockSkew    time.Duration    // allowed TIMESTAMP skew; 0: none
	MaxBodyBytes    int64            // of API requests; default 1 MiB
	// TokenLifetimes are the defaults of app clients that set none;
	// zero fields get Cognito's (one hour, one hour, 30 days).
	TokenLifetimes state.TokenLifetimes
	// SigningKeys are handed out, in order, before fresh keys are
	// generated.
	SigningKeys []*rsa.PrivateKey
	// FreshKeys are handed out, in order, by FreshRSAKey before the
	// stash: fixed keys for tests, where the server would generate one
	// (Cognito Identity's, or a pool's beyond SigningKeys). None of them
	// may be one of SigningKeys.
	FreshKeys []*rsa.PrivateKey
	// OnMessage, when set, is called with each message the outbox keeps,
	// once it is committed. It must not block.
	OnMessage func(Message)
}

// Cognito's default token lifetimes.
var defaultLifetimes = state.TokenLifetimes{ID: time.Hour, Access: time.Hour, Refresh: 30 * 24 * time.Hour}

// Emulator is the runtime the emulated services share: the state, the
// clock and the random source, the outbox, the injected faults and the
// server's URL. It is safe for concurrent use.
type Emulator struct {
	cfg    Config
	State  *state.State
	Outbox *Outbox
	Logs   *Logs
	Faults *Faults

	url      string        // set once by SetURL, before serving
	throttle *Throttle     // set once by SetThrottle, before serving; nil: none
	closing  chan struct{} // closed by Close

	randMu     sync.Mutex     // guards reads of cfg.Rand
	keysMu     sync.Mutex     // guards nextKey, nextFresh, filling, keysClosed and background.Add
	nextKey    int            // index of the next key of cfg.SigningKeys
	nextFresh  int            // index of the next key of cfg.FreshKeys
	filling    bool           // the goroutine that fills the key stash runs (see keys.go)
	keysClosed bool           // Close was called: no more background work
	background sync.WaitGroup // the filling goroutine and those of Go
	closed     sync.Once
}

// New returns an emulator over st with cfg's zero fields defaulted.
func New(cfg Config, st *state.State) *Emulator {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionLifetime == 0 {
		cfg.SessionLifetime = 3 * time.Minute
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	l := &cfg.TokenLifetimes
	if l.ID == 0 {
		l.ID = defaultLifetimes.ID
	}
	if l.Access == 0 {
		l.Access = defaultLifetimes.Access
	}
	if l.Refresh == 0 {
		l.Refresh = defaultLifetimes.Refresh
	}
	e := &Emulator{cfg: cfg, State: st, Faults: newFaults(), closing: make(chan struct{})}
	e.Outbox = &Outbox{e: e}
	e.Logs = &Logs{}
	return e
}

// Config returns the configuration, defaults applied.
func (e *Emulator) Config() Config { return e.cfg }

// Now returns the emulator's time.
func (e *Emulator) Now() time.Time { return e.cfg.Now() }

// Region returns the default region.
func (e *Emulator) Region() string { return e.cfg.Region }

// Logger returns the request logger.
func (e *Emulator) Logger() *slog.Logger { return e.cfg.Logger }

// SetURL sets the base URL the emulator is reached at ("http://host:port"),
// from which issuers and endpoint URLs are made. Call it before serving.
func (e *Emulator) SetURL(u string) { e.url = u }

// URL returns the base URL of the emulator.
func (e *Emulator) URL() string { return e.url }

// Closing is closed when the emulator closes: handlers that wait (fault
// injection) return then.
func (e *Emulator) Closing() <-chan struct{} { return e.closing }

// Close releases waiting handlers, and waits for the key it may be
// generating in the background. It is safe to call more than once.
func (e *Emulator) Close() {
	e.closed.Do(func() { close(e.closing) })
	e.closeKeys()
}

// ---- randomness ------------------------------------------------------------

// ReadRand fills b from the random source.
func (e *Emulator) ReadRand(b []byte) error {
	e.randMu.Lock()
	defer e.randMu.Unlock()
	_, err := io.ReadFull(e.cfg.Rand, b)
	return err
}

// Rand returns an io.Reader over the random source, safe for concurrent
// use.
func (e *Emulator) Rand() io.Reader { return randReader{e} }

type randReader struct{ e *Emulator }

func (r randReader) Read(b []byte) (int, error) {
	if err := r.e.ReadRand(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Alphabets of RandString.
const (
	AlnumLower = "abcdefghijklmnopqrstuvwxyz0123456789"
	Alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// RandString returns n characters drawn uniformly from alphabet
// (len(alphabet) <= 256), by rejection sampling. It panics when the random
// source fails; the API handler answers InternalErrorException.
func (e *Emulator) RandString(n int, alphabet string) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		e.mustRead(buf)
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

// RandDigits returns n random decimal digits.
func (e *Emulator) RandDigits(n int) string { return e.RandString(n, "0123456789") }

// UUID returns a random version 4 UUID.
func (e *Emulator) UUID() string {
	var b [16]byte
	e.mustRead(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (e *Emulator) mustRead(b []byte) {
	if err := e.ReadRand(b); err != nil {
		panic(fmt.Sprintf("cognitotest: random source failed: %v", err))
	}
}

// MustRead fills b from the random source, panicking when it fails (see
// RandString).
func (e *Emulator) MustRead(b []byte) { e.mustRead(b) }
