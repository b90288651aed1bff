package state

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzOpen: a record of any bytes under any key either loads or makes Open
// fail with ErrCorrupt or ErrFormat; Open never panics. A state that
// loads encodes to records that load again, to the same bytes.
func FuzzOpen(f *testing.F) {
	// Valid records of every kind, under their keys.
	st := NewMemoryStore()
	fill(f, mustOpen(f, st))
	for kind, rows := range st.Snapshot() {
		for key, data := range rows {
			if kind != KindMeta {
				f.Add(kindIndex(kind), key, data)
			}
		}
	}
	for _, s := range []string{`{}`, `{"pool_id":"p","username":"a","sub":"s","salt":-5,"verifier":7}`, `{"private_key":"AAAA"}`,
		`{"logins":{"x":["a","b"]}}`, `{"codes":{"signup":{"code":"1","expires":"2025-01-01T00:00:00Z"}}}`, `null`, `[`, ``, `{"id":"x","extra":1}`} {
		for i := range Kinds {
			f.Add(uint8(i), "us-east-1_X/key", []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, key string, data []byte) {
		st := NewMemoryStore()
		if _, err := Open(st); err != nil {
			t.Fatal(err)
		}
		k := Kinds[int(kind)%len(Kinds)]
		st.Update(func(tx StoreTx) error { return tx.Put(k, key, data) })
		s, err := Open(st)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrFormat) {
				t.Fatalf("Open: %v; want nil, ErrCorrupt or ErrFormat", err)
			}
			return
		}
		snap, err := s.Snapshot()
		if err != nil {
			t.Fatalf("Snapshot of a loaded state: %v", err)
		}
		again := NewMemoryStore()
		again.Update(func(tx StoreTx) error {
			tx.Put(KindMeta, "format", []byte("1"))
			for kind, rows := range snap {
				for key, data := range rows {
					tx.Put(kind, key, data)
				}
			}
			return nil
		})
		s2, err := Open(again)
		if err != nil {
			t.Fatalf("the re-encoded state does not load: %v", err)
		}
		snap2, _ := s2.Snapshot()
		for kind, rows := range snap {
			for key, data := range rows {
				if !bytes.Equal(snap2[kind][key], data) {
					t.Fatalf("%s %q: encodes to %s, then to %s", kind, key, data, snap2[kind][key])
				}
			}
		}
	})
}

func kindIndex(k Kind) uint8 {
	for i, kk := range Kinds {
		if kk == k {
			return uint8(i)
		}
	}
	return 0
}
