package state

import (
	"errors"
	"testing"
)

// FuzzOpen: a record of any bytes either loads or makes Open fail with
// ErrCorrupt; Open never panics.
func FuzzOpen(f *testing.F) {
	for _, s := range []string{`{}`, `{"pool_id":"p","username":"a","sub":"s","salt":-5,"verifier":7}`, `{"private_key":"AAAA"}`,
		`{"logins":{"x":["a","b"]}}`, `{"codes":{"signup":{"code":"1","expires":"2025-01-01T00:00:00Z"}}}`, `null`, `[`, ``} {
		for i := range Kinds {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		st := NewMemoryStore()
		if _, err := Open(st); err != nil {
			t.Fatal(err)
		}
		k := Kinds[int(kind)%len(Kinds)]
		st.Update(func(tx StoreTx) error { return tx.Put(k, "us-east-1_X/key", data) })
		if _, err := Open(st); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Open: %v; want nil or ErrCorrupt", err)
		}
	})
}
