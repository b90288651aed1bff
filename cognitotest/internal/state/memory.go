package state

import (
	"slices"
	"sync"
)

// MemoryStore is a [Store] in memory: what the emulator uses when nothing
// is to be kept, and what tests use to reopen the same state in a new
// server. It keeps copies of the encoded records, so that it sees exactly
// what a store on disk would.
type MemoryStore struct {
	mu     sync.RWMutex // guards data and closed
	data   map[Kind]map[string][]byte
	closed bool
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{data: map[Kind]map[string][]byte{}} }

// View implements [Store].
func (m *MemoryStore) View(fn func(StoreTx) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return ErrClosed
	}
	return fn(&memTx{m: m})
}

// Update implements [Store]: the writes of fn are staged and applied
// together when fn returns nil.
func (m *MemoryStore) Update(fn func(StoreTx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	tx := &memTx{m: m, writable: true, staged: map[Kind]map[string][]byte{}}
	if err := fn(tx); err != nil {
		return err
	}
	for kind, rows := range tx.staged {
		b := m.data[kind]
		if b == nil {
			b = map[string][]byte{}
			m.data[kind] = b
		}
		for k, v := range rows {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
	}
	return nil
}

// Close implements [Store].
func (m *MemoryStore) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// Len returns the number of records of kind.
func (m *MemoryStore) Len(kind Kind) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.data[kind])
}

type memTx struct {
	m        *MemoryStore
	writable bool
	staged   map[Kind]map[string][]byte // nil value: deleted
}

func (tx *memTx) Get(kind Kind, key string) ([]byte, bool, error) {
	if v, ok := tx.staged[kind][key]; ok {
		return v, v != nil, nil
	}
	v, ok := tx.m.data[kind][key]
	return v, ok, nil
}

func (tx *memTx) Put(kind Kind, key string, value []byte) error {
	return tx.set(kind, key, append(make([]byte, 0, len(value)), value...))
}

func (tx *memTx) Delete(kind Kind, key string) error { return tx.set(kind, key, nil) }

func (tx *memTx) set(kind Kind, key string, v []byte) error {
	if !tx.writable {
		return ErrReadOnly
	}
	b := tx.staged[kind]
	if b == nil {
		b = map[string][]byte{}
		tx.staged[kind] = b
	}
	b[key] = v
	return nil
}

func (tx *memTx) List(kind Kind, fn func(key string, value []byte) error) error {
	keys := make([]string, 0, len(tx.m.data[kind])+len(tx.staged[kind]))
	for k := range tx.m.data[kind] {
		if _, staged := tx.staged[kind][k]; !staged {
			keys = append(keys, k)
		}
	}
	for k, v := range tx.staged[kind] {
		if v != nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, _, _ := tx.Get(kind, k)
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (tx *memTx) ListKinds() ([]Kind, error) {
	var kinds []Kind
	for kind, rows := range tx.m.data {
		if len(rows) > 0 {
			kinds = append(kinds, kind)
		}
	}
	for kind, rows := range tx.staged {
		if len(rows) > 0 && !slices.Contains(kinds, kind) {
			kinds = append(kinds, kind)
		}
	}
	slices.Sort(kinds)
	return kinds, nil
}

// Snapshot returns a copy of every record, by kind and key (the meta kind
// included).
func (m *MemoryStore) Snapshot() map[Kind]map[string][]byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[Kind]map[string][]byte, len(m.data))
	for kind, rows := range m.data {
		c := make(map[string][]byte, len(rows))
		for k, v := range rows {
			c[k] = append([]byte(nil), v...)
		}
		out[kind] = c
	}
	return out
}
