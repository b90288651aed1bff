package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// table holds the records of one kind in memory, with an index of the
// records by parent (the pool of a user, the identity pool of an identity,
// ...). Tables are guarded by State.mu.
type table[R any] struct {
	kind     Kind
	rows     map[string]*R
	parent   func(*R) string // nil: no index by parent
	pool     func(*R) string // the user pool a record belongs to, for DeletePool; nil: none
	children map[string]map[string]*R
	onSet    func(old, new *R) // maintains further indices; nil: none
	keyOf    func(*R) string   // the key of a record, checked on load; nil: not checked
	altKeyOf func(*R) string   // another key the record may have; nil: none
}

func newTable[R any](kind Kind, parent, pool func(*R) string, onSet func(old, new *R)) *table[R] {
	return &table[R]{kind: kind, rows: map[string]*R{}, parent: parent, pool: pool, children: map[string]map[string]*R{}, onSet: onSet}
}

func (t *table[R]) get(key string) *R { return t.rows[key] }

// set stores r under key, or deletes key when r is nil, and returns the
// previous record.
func (t *table[R]) set(key string, r *R) *R {
	old := t.rows[key]
	if old == nil && r == nil {
		return nil
	}
	if old != nil && t.parent != nil {
		p := t.parent(old)
		delete(t.children[p], key)
		if len(t.children[p]) == 0 {
			delete(t.children, p)
		}
	}
	if r == nil {
		delete(t.rows, key)
	} else {
		t.rows[key] = r
		if t.parent != nil {
			p := t.parent(r)
			c := t.children[p]
			if c == nil {
				c = map[string]*R{}
				t.children[p] = c
			}
			c[key] = r
		}
	}
	if t.onSet != nil {
		t.onSet(old, r)
	}
	return old
}

func (t *table[R]) kindOf() Kind { return t.kind }

func (t *table[R]) restore(key string, old any) { t.set(key, old.(*R)) }

func (t *table[R]) encode(key string) ([]byte, bool, error) {
	r := t.rows[key]
	if r == nil {
		return nil, false, nil
	}
	b, err := json.Marshal(r)
	return b, true, err
}

func (t *table[R]) load(key string, data []byte) error {
	r := new(R)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(r)
	if err == nil && dec.More() {
		err = fmt.Errorf("data after the record")
	}
	if err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			// A newer emulator added a field: rewriting the record would
			// drop it.
			return fmt.Errorf("%w: %s %q: %s, which this emulator does not know: it was written by a newer emulator (upgrade)", ErrFormat, t.kind, truncate(key, 128), truncate(err.Error(), 128))
		}
		return fmt.Errorf("%w: %s %q: %s", ErrCorrupt, t.kind, truncate(key, 128), truncate(err.Error(), 256))
	}
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return fmt.Errorf("%w: %s %q: null record", ErrCorrupt, t.kind, truncate(key, 128))
	}
	if t.keyOf != nil {
		if k := t.keyOf(r); k != key && (t.altKeyOf == nil || t.altKeyOf(r) != key) {
			return fmt.Errorf("%w: %s %q: the record belongs under the key %q", ErrCorrupt, t.kind, truncate(key, 128), truncate(k, 128))
		}
	}
	if d, ok := any(r).(interface{ decoded() error }); ok {
		if err := d.decoded(); err != nil {
			return fmt.Errorf("%w: %s %q: %v", ErrCorrupt, t.kind, key, err)
		}
	}
	t.set(key, r)
	return nil
}

func (t *table[R]) keysOfPool(poolID string) []string {
	if t.pool == nil {
		return nil
	}
	var keys []string
	for k, r := range t.rows {
		if t.pool(r) == poolID {
			keys = append(keys, k)
		}
	}
	return keys
}

func (t *table[R]) size() int { return len(t.rows) }

func (t *table[R]) keys() []string {
	keys := make([]string, 0, len(t.rows))
	for k := range t.rows {
		keys = append(keys, k)
	}
	return keys
}

// anyTable is a table of any kind, for the undo log, commits and loading.
type anyTable interface {
	kindOf() Kind
	restore(key string, old any)
	encode(key string) ([]byte, bool, error)
	load(key string, data []byte) error
	keysOfPool(poolID string) []string
	size() int
	keys() []string
}
