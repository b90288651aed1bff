package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"sync"
)

// Signing keys cost: a 2048-bit RSA key takes 60 ms to generate on an
// idle machine and over 200 ms under load, and every pool needs its own.
// So keys are generated ahead, in the background, into a stash that the
// emulators of a process share: a server that creates a pool takes a
// ready key, and a key is generated to replace it while the test goes on.
//
// The stash is per process (package state, against the habit of this
// module) because the point is to generate keys before the server that
// needs them exists: a test's server finds the keys that the previous
// tests' servers generated. It holds at most keyStashSize keys, each handed
// out once. It is filled lazily, only after a server took a key (a process
// that creates no pool generates nothing), by goroutines that belong to
// the emulators: each emulator runs at most one, and Close waits for it
// (at most one key generation), so that no goroutine outlives its server
// (goleak). At most one key is generated in the background at a time in
// the process (keyGenSlot), so that the background work takes one core at
// most, never the two of a small CI machine.
const keyStashSize = 2

var (
	keyStashMu sync.Mutex
	keyStash   []*rsa.PrivateKey // generated ahead, not handed out yet; guarded by keyStashMu

	keyGenSlot = make(chan struct{}, 1) // held while a key is generated in the background
)

func takeStashed() *rsa.PrivateKey {
	keyStashMu.Lock()
	defer keyStashMu.Unlock()
	if n := len(keyStash); n > 0 {
		k := keyStash[n-1]
		keyStash[n-1] = nil
		keyStash = keyStash[:n-1]
		return k
	}
	return nil
}

func stashNeedsKeys() bool {
	keyStashMu.Lock()
	defer keyStashMu.Unlock()
	return len(keyStash) < keyStashSize
}

func stash(k *rsa.PrivateKey) {
	keyStashMu.Lock()
	defer keyStashMu.Unlock()
	if len(keyStash) < keyStashSize {
		keyStash = append(keyStash, k)
	}
}

func generateRSAKey() (*rsa.PrivateKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("cognitotest: generate RSA key: %w", err)
	}
	return k, nil
}

// NewRSAKey returns the next key of Config.SigningKeys, or else a fresh
// 2048-bit key (always from crypto/rand): a key of the stash, or a key
// generated now when the stash is empty.
func (e *Emulator) NewRSAKey() (*rsa.PrivateKey, error) {
	if k := e.provided(e.cfg.SigningKeys, &e.nextKey); k != nil {
		return k, nil
	}
	return e.FreshRSAKey()
}

// provided returns keys[*next] and advances *next, or nil when the keys
// are used up. next is guarded by keysMu.
func (e *Emulator) provided(keys []*rsa.PrivateKey, next *int) *rsa.PrivateKey {
	e.keysMu.Lock()
	defer e.keysMu.Unlock()
	if *next >= len(keys) {
		return nil
	}
	*next++
	return keys[*next-1]
}

// ReadyRSAKey returns the next key of Config.SigningKeys or of
// Config.FreshKeys, or a key of the stash (which it refills in the
// background), or nil when none is ready: it never generates one.
func (e *Emulator) ReadyRSAKey() *rsa.PrivateKey {
	if k := e.provided(e.cfg.SigningKeys, &e.nextKey); k != nil {
		return k
	}
	if k := e.provided(e.cfg.FreshKeys, &e.nextFresh); k != nil {
		return k
	}
	k := takeStashed()
	if k != nil {
		e.refillKeys()
	}
	return k
}

// FreshRSAKey returns a fresh 2048-bit key, never handed out before: the
// next of Config.FreshKeys, or a key of the stash, or a key generated now
// when the stash is empty. A key of the stash is replaced in the
// background.
func (e *Emulator) FreshRSAKey() (*rsa.PrivateKey, error) {
	if k := e.provided(e.cfg.FreshKeys, &e.nextFresh); k != nil {
		return k, nil
	}
	k := takeStashed()
	if k == nil {
		var err error
		if k, err = generateRSAKey(); err != nil {
			return nil, err
		}
	}
	e.refillKeys()
	return k, nil
}

// refillKeys starts the emulator's goroutine that fills the stash, unless
// it runs or the emulator is closed.
func (e *Emulator) refillKeys() {
	e.keysMu.Lock()
	defer e.keysMu.Unlock()
	if e.filling || e.keysClosed {
		return
	}
	e.filling = true
	e.background.Add(1)
	go e.fill()
}

// Go runs fn in a goroutine that Close waits for, and reports whether it
// did: after Close it does not. fn must return soon after Closing is
// closed.
func (e *Emulator) Go(fn func()) bool {
	e.keysMu.Lock()
	defer e.keysMu.Unlock()
	if e.keysClosed {
		return false
	}
	e.background.Add(1)
	go func() {
		defer e.background.Done()
		fn()
	}()
	return true
}

// fill generates keys into the stash until it is full or the emulator
// closes, one at a time in the process.
func (e *Emulator) fill() {
	defer e.background.Done()
	defer func() {
		e.keysMu.Lock()
		e.filling = false
		e.keysMu.Unlock()
	}()
	for stashNeedsKeys() {
		select {
		case keyGenSlot <- struct{}{}:
		case <-e.closing:
			return
		}
		// Check again: another emulator may have filled it meanwhile.
		if !stashNeedsKeys() {
			<-keyGenSlot
			return
		}
		k, err := generateRSAKey()
		<-keyGenSlot
		if err != nil {
			return
		}
		stash(k)
		select {
		case <-e.closing:
			return
		default:
		}
	}
}

// closeKeys stops the goroutines of Go and the filling goroutine, and
// waits for them: at most the keys they are generating.
func (e *Emulator) closeKeys() {
	e.keysMu.Lock()
	e.keysClosed = true
	e.keysMu.Unlock()
	e.background.Wait()
}

// DrainKeyStash empties the stash of the process and returns how many keys
// it held: tests use it to see what a pool does when no key is ready.
func DrainKeyStash() int {
	keyStashMu.Lock()
	defer keyStashMu.Unlock()
	n := len(keyStash)
	keyStash = nil
	return n
}
