package state

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// State is the emulator's state: every record, in memory, written through
// to a [Store]. Reads are served from memory; [State.Update] commits its
// changes to the store before it returns. It is safe for concurrent use:
// transactions of View run in parallel, those of Update one at a time.
type State struct {
	mu    sync.RWMutex // guards the tables and the counters
	store Store        // nil: nothing is written anywhere

	pools           *table[Pool]
	signingKeys     *table[SigningKey]
	clients         *table[Client]
	resourceServers *table[ResourceServer]
	domains         *table[Domain]
	groups          *table[Group]
	users           *table[User]
	devices         *table[Device]
	refreshTokens   *table[RefreshToken]
	tokenOrigins    *table[TokenOrigin]
	identityPools   *table[IdentityPool]
	identities      *table[Identity]
	credentials     *table[Credentials]
	messages        *table[Message]
	poolTables      poolTables // terms, brandings, UI customizations, risk configurations, import jobs, provisioned limits
	authEvents      *table[AuthEvent]
	idpTables       idpTables // identity providers and provider links
	passkeys        *table[Passkey]
	all             []anyTable
	byKind          map[Kind]anyTable

	loaded                 bool              // Open found records in the store
	links                  map[string]string // identity pool ID \x00 provider \x00 subject -> identity ID
	subs                   map[string]*User  // pool ID "/" sub -> user
	idPoolSeq, identitySeq int
	messageSeq             int64      // of the newest message ever put
	messageOrder           []*Message // the messages by Seq, oldest first
}

// Open returns the state kept in store, which it checks and loads. A new
// (empty) store gets the current [FormatVersion]; a store of another
// version, with kinds of records or fields this package does not know, or
// with a record that cannot be decoded, is refused with an error wrapping
// ErrFormat or ErrCorrupt, and is not written to. A nil store keeps the
// state in memory only.
func Open(store Store) (*State, error) {
	s := newState(store)
	if store == nil {
		return s, nil
	}
	empty, versioned := true, false
	err := store.View(func(tx StoreTx) error {
		kinds, err := tx.ListKinds()
		if err != nil {
			return err
		}
		for _, k := range kinds {
			if k != KindMeta && s.byKind[k] == nil {
				return fmt.Errorf("%w: the store has records of kind %q, which this emulator does not know: it was written by a newer emulator (upgrade), or by another program", ErrFormat, truncate(string(k), 32))
			}
		}
		v, ok, err := tx.Get(KindMeta, "format")
		if err != nil {
			return err
		}
		if ok {
			empty, versioned = false, true
			n, err := strconv.Atoi(string(v))
			switch {
			case err != nil:
				return fmt.Errorf("%w: the format version %q is not a number", ErrFormat, truncate(string(v), 32))
			case n > FormatVersion:
				return fmt.Errorf("%w: the store was written by a newer emulator (format %d; this one reads format %d); upgrade", ErrFormat, n, FormatVersion)
			case n != FormatVersion:
				return fmt.Errorf("%w: the store has format %d; this emulator reads format %d", ErrFormat, n, FormatVersion)
			}
		}
		if !versioned && len(kinds) > 0 {
			return fmt.Errorf("%w: the store has records but no format version: it was not written by this emulator", ErrFormat)
		}
		for _, t := range s.all {
			err := tx.List(t.kindOf(), func(key string, value []byte) error {
				empty, s.loaded = false, true
				return t.load(key, value)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if empty {
		err := store.Update(func(tx StoreTx) error {
			return tx.Put(KindMeta, "format", []byte(strconv.Itoa(FormatVersion)))
		})
		if err != nil {
			return nil, err
		}
	}
	for _, p := range s.identityPools.rows {
		s.idPoolSeq = max(s.idPoolSeq, p.Seq)
	}
	for _, i := range s.identities.rows {
		s.identitySeq = max(s.identitySeq, i.Seq)
	}
	for _, m := range s.messages.rows {
		s.messageSeq = max(s.messageSeq, m.Seq)
	}
	return s, nil
}

// Loaded reports whether Open found records in its store: the state was
// kept, rather than new.
func (s *State) Loaded() bool { return s.loaded }

func newState(store Store) *State {
	s := &State{store: store, links: map[string]string{}, subs: map[string]*User{}, byKind: map[Kind]anyTable{}}
	bySub := func(pool, sub string) string { return pool + "/" + sub }
	s.pools = newTable[Pool](KindPool, nil, func(p *Pool) string { return p.ID }, nil)
	s.signingKeys = newTable(KindSigningKey, func(k *SigningKey) string { return k.Owner }, func(k *SigningKey) string { return k.Owner }, nil)
	s.clients = newTable(KindClient, func(c *Client) string { return c.PoolID }, func(c *Client) string { return c.PoolID }, nil)
	s.resourceServers = newTable(KindResourceServer, func(r *ResourceServer) string { return r.PoolID }, func(r *ResourceServer) string { return r.PoolID }, nil)
	s.domains = newTable(KindDomain, func(d *Domain) string { return d.PoolID }, func(d *Domain) string { return d.PoolID }, nil)
	s.groups = newTable(KindGroup, func(g *Group) string { return g.PoolID }, func(g *Group) string { return g.PoolID }, nil)
	s.users = newTable(KindUser, func(u *User) string { return u.PoolID }, func(u *User) string { return u.PoolID }, s.indexSubs)
	s.devices = newTable(KindDevice, func(d *Device) string { return bySub(d.PoolID, d.Sub) }, func(d *Device) string { return d.PoolID }, nil)
	s.refreshTokens = newTable(KindRefreshToken, func(r *RefreshToken) string { return r.PoolID }, func(r *RefreshToken) string { return r.PoolID }, nil)
	s.tokenOrigins = newTable(KindTokenOrigin, func(o *TokenOrigin) string { return bySub(o.PoolID, o.Sub) }, func(o *TokenOrigin) string { return o.PoolID }, nil)
	s.identityPools = newTable[IdentityPool](KindIdentityPool, nil, nil, nil)
	s.identities = newTable(KindIdentity, func(i *Identity) string { return i.PoolID }, nil, s.indexLinks)
	s.credentials = newTable[Credentials](KindCredentials, nil, nil, nil)
	s.messages = newTable(KindMessage, nil, func(m *Message) string { return m.PoolID }, s.indexMessages)
	s.authEvents = newTable(KindAuthEvent, func(e *AuthEvent) string { return bySub(e.PoolID, e.Sub) }, func(e *AuthEvent) string { return e.PoolID }, nil)
	s.all = []anyTable{s.pools, s.signingKeys, s.clients, s.resourceServers, s.domains, s.groups, s.users, s.devices,
		s.refreshTokens, s.tokenOrigins, s.identityPools, s.identities, s.credentials, s.messages, s.authEvents}
	s.all = append(s.all, s.newPoolTables()...)
	s.all = append(s.all, s.newIdPTables()...)
	s.all = append(s.all, s.newPasskeyTable())
	for _, t := range s.all {
		s.byKind[t.kindOf()] = t
	}
	// The key of each record, as the Put methods compute it, so that a
	// load can check that a record is under its own key.
	s.pools.keyOf = func(p *Pool) string { return p.ID }
	s.signingKeys.keyOf = func(k *SigningKey) string { return signingKeyKey(k.Owner, k.Seq) }
	s.clients.keyOf = func(c *Client) string { return c.ID }
	s.resourceServers.keyOf = func(r *ResourceServer) string { return r.PoolID + "/" + r.Identifier }
	s.domains.keyOf = func(d *Domain) string { return d.Domain }
	s.groups.keyOf = func(g *Group) string { return g.PoolID + "/" + g.Name }
	s.users.keyOf = func(u *User) string { return u.PoolID + "/" + u.Username }
	s.users.altKeyOf = func(u *User) string { return u.PoolID + "/" + strings.ToLower(u.Username) } // case-insensitive pools
	s.devices.keyOf = func(d *Device) string { return d.PoolID + "/" + d.Key }
	s.refreshTokens.keyOf = func(r *RefreshToken) string { return r.Hash }
	s.tokenOrigins.keyOf = func(o *TokenOrigin) string { return o.PoolID + "/" + o.JTI }
	s.identityPools.keyOf = func(p *IdentityPool) string { return p.ID }
	s.identities.keyOf = func(i *Identity) string { return i.ID }
	s.credentials.keyOf = func(c *Credentials) string { return c.AccessKeyID }
	s.messages.keyOf = func(m *Message) string { return messageKey(m.Seq) }
	s.authEvents.keyOf = func(e *AuthEvent) string { return authEventKey(e) }
	return s
}

// LinkKey is the key of a login in the index of linked logins.
func linkKey(identityPoolID, provider, subject string) string {
	return identityPoolID + "\x00" + provider + "\x00" + subject
}

func (s *State) indexSubs(old, new *User) {
	if old != nil && s.subs[old.PoolID+"/"+old.Sub] == old {
		delete(s.subs, old.PoolID+"/"+old.Sub)
	}
	if new != nil {
		s.subs[new.PoolID+"/"+new.Sub] = new
	}
}

// indexMessages keeps messageOrder: new messages go at the end (their Seq
// is the highest), the oldest are deleted from the front, and an undone
// transaction puts messages back in their place.
func (s *State) indexMessages(old, new *Message) {
	bySeq := func(m *Message, seq int64) int { return cmp.Compare(m.Seq, seq) }
	if old != nil {
		if i, ok := slices.BinarySearchFunc(s.messageOrder, old.Seq, bySeq); ok {
			s.messageOrder = slices.Delete(s.messageOrder, i, i+1)
		}
	}
	if new != nil {
		i, _ := slices.BinarySearchFunc(s.messageOrder, new.Seq, bySeq)
		s.messageOrder = slices.Insert(s.messageOrder, i, new)
	}
}

func (s *State) indexLinks(old, new *Identity) {
	if old != nil {
		for prov, subs := range old.Logins {
			for _, sub := range subs {
				if k := linkKey(old.PoolID, prov, sub); s.links[k] == old.ID {
					delete(s.links, k)
				}
			}
		}
	}
	if new != nil {
		for prov, subs := range new.Logins {
			for _, sub := range subs {
				s.links[linkKey(new.PoolID, prov, sub)] = new.ID
			}
		}
	}
}

// View runs fn with a read-only transaction. Records it returns must not
// be modified.
func (s *State) View(fn func(tx *Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(&Tx{s: s})
}

// Update runs fn with a read-write transaction: its changes are visible
// to fn at once, and to other transactions once they are committed to the
// store, before Update returns. When fn returns an error (or panics), or
// the store cannot commit (ErrCommit), the changes are undone.
//
// Functions registered with [Tx.OnCommit] run after a successful commit,
// once the transaction's lock is released.
func (s *State) Update(fn func(tx *Tx) error) error {
	tx, err := s.update(fn)
	if err != nil {
		return err
	}
	for _, f := range tx.onCommit {
		f()
	}
	return nil
}

func (s *State) update(fn func(tx *Tx) error) (*Tx, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &Tx{s: s, writable: true}
	done := false
	defer func() {
		if !done {
			tx.rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return nil, err
	}
	if err := s.commit(tx); err != nil {
		return nil, err
	}
	done = true
	return tx, nil
}

// commit writes the records tx changed to the store.
func (s *State) commit(tx *Tx) error {
	if s.store == nil || len(tx.undo) == 0 {
		return nil
	}
	err := s.store.Update(func(st StoreTx) error {
		seen := make(map[change]bool, len(tx.undo))
		for _, u := range tx.undo {
			c := change{u.t.kindOf(), u.key}
			if seen[c] {
				continue
			}
			seen[c] = true
			data, ok, err := u.t.encode(u.key)
			switch {
			case err != nil:
				return fmt.Errorf("encode %s %q: %w", c.kind, c.key, err)
			case ok:
				err = st.Put(c.kind, c.key, data)
			default:
				err = st.Delete(c.kind, c.key)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrCommit) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrCommit, err)
	}
	return nil
}

type change struct {
	kind Kind
	key  string
}

// Tx is a transaction of a [State]. Records returned by its getters are
// shared and MUST NOT be modified: Clone one, change the copy and Put it.
// A Tx is valid only inside the function it was passed to.
type Tx struct {
	s        *State
	writable bool
	undo     []undo
	onCommit []func()
	// messageSeq is the State's before the first PutMessage of tx, which
	// an undo restores, so that message numbers have no gaps.
	messageSeq    int64
	putMessageSeq bool
}

type undo struct {
	t   anyTable
	key string
	old any
}

func (tx *Tx) rollback() {
	for i := len(tx.undo) - 1; i >= 0; i-- {
		u := tx.undo[i]
		u.t.restore(u.key, u.old)
	}
	tx.undo = nil
	if tx.putMessageSeq {
		tx.s.messageSeq = tx.messageSeq
	}
}

// put records the change of key in t (r nil: delete) with its undo entry.
func put[R any](tx *Tx, t *table[R], key string, r *R) {
	if !tx.writable {
		panic(ErrReadOnly)
	}
	if r == nil && t.rows[key] == nil {
		return
	}
	old := t.set(key, r)
	tx.undo = append(tx.undo, undo{t, key, old})
}

// OnCommit registers f to run once tx has committed, after its lock is
// released; f does not run when tx is undone. It is for effects outside
// the state that must follow only what is committed, such as announcing a
// message. It panics in a read-only transaction.
func (tx *Tx) OnCommit(f func()) {
	if !tx.writable {
		panic(ErrReadOnly)
	}
	tx.onCommit = append(tx.onCommit, f)
}

// Changed reports whether tx has changed anything so far.
func (tx *Tx) Changed() bool { return len(tx.undo) > 0 }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// Snapshot returns every record, encoded as the store keeps it, by kind
// and key: what a consistent export of the state contains.
func (s *State) Snapshot() (map[Kind]map[string][]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[Kind]map[string][]byte, len(s.all))
	for _, t := range s.all {
		rows := map[string][]byte{}
		for _, key := range t.keys() {
			data, _, err := t.encode(key)
			if err != nil {
				return nil, fmt.Errorf("encode %s %q: %w", t.kindOf(), key, err)
			}
			rows[key] = data
		}
		out[t.kindOf()] = rows
	}
	return out, nil
}
