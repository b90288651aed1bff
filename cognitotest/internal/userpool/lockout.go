package userpool

import (
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Cognito's lockout of users after failed sign-in attempts, as its
// developer guide describes it ("Lockout behavior for failed sign-in
// attempts"): after LockoutThreshold failed attempts with a password (or
// an MFA or sign-in code), the user is locked out for 1 second, doubling
// with each further failure up to about 15 minutes (2^(n-5) seconds for
// the n-th failure, at most MaxLockout). Attempts during a lockout fail
// with NotAuthorizedException "Password attempts exceeded" and do not
// count. A successful sign-in after the lockout, or LockoutQuiet without
// any attempt, resets the count.
const (
	LockoutThreshold = 5
	MaxLockout       = 15 * time.Minute
	LockoutQuiet     = 15 * time.Minute
)

// PasswordAttemptsExceeded is Cognito's error for a locked-out user.
func PasswordAttemptsExceeded() *wire.Error { return wire.NotAuthorized("Password attempts exceeded") }

// Lockouts counts the failed sign-in attempts of users and locks them out
// (see [LockoutThreshold]). It is not durable, as a sign-in in progress is
// not: a restart forgets the counts, which live at most LockoutQuiet. It
// is safe for concurrent use.
type Lockouts struct {
	e  *emulator.Emulator
	mu sync.Mutex          // guards m
	m  map[string]*lockout // pool ID "/" sub
}

type lockout struct {
	failures int
	until    time.Time // locked out until
	last     time.Time // the last attempt while failures > 0
}

func newLockouts(e *emulator.Emulator) *Lockouts { return &Lockouts{e: e, m: map[string]*lockout{}} }

// Check returns PasswordAttemptsExceeded when the user is locked out now,
// and nil otherwise. A check is an attempt: it starts the quiet period
// again.
func (l *Lockouts) Check(poolID, sub string) *wire.Error {
	now := l.e.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	k := poolID + "/" + sub
	lo := l.m[k]
	if lo == nil {
		return nil
	}
	if now.Sub(lo.last) >= LockoutQuiet {
		delete(l.m, k)
		return nil
	}
	lo.last = now
	if now.Before(lo.until) {
		return PasswordAttemptsExceeded()
	}
	return nil
}

// Fail records a failed attempt, and locks the user out from the
// LockoutThreshold-th one on.
func (l *Lockouts) Fail(poolID, sub string) {
	now := l.e.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	k := poolID + "/" + sub
	lo := l.m[k]
	if lo == nil || now.Sub(lo.last) >= LockoutQuiet {
		lo = &lockout{}
		l.m[k] = lo
		// Forget counts nobody touched for a while, now and then, so that
		// the map stays as small as the users who are failing.
		if len(l.m)%256 == 0 {
			for k, v := range l.m {
				if now.Sub(v.last) >= LockoutQuiet {
					delete(l.m, k)
				}
			}
		}
	}
	lo.failures++
	lo.last = now
	if n := lo.failures; n >= LockoutThreshold {
		d := MaxLockout
		if n-LockoutThreshold < 20 {
			d = min(time.Second<<(n-LockoutThreshold), MaxLockout)
		}
		lo.until = now.Add(d)
	}
}

// Succeed resets the count after a successful sign-in.
func (l *Lockouts) Succeed(poolID, sub string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, poolID+"/"+sub)
}

// IsWrongPassword reports whether e is the error of a wrong password (or
// signature), which counts as a failed attempt.
func IsWrongPassword(e *wire.Error) bool {
	w := wire.IncorrectPassword()
	return e != nil && e.Type == w.Type && e.Message == w.Message
}
