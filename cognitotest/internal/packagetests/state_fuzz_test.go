package packagetests_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// FuzzStateOpen: a record of any bytes under any key either loads or makes Open
// fail with ErrCorrupt or ErrFormat; Open never panics. A state that
// loads encodes to records that load again, to the same bytes.
func FuzzStateOpen(f *testing.F) {
	// Valid records of every kind, under their keys.
	st := state.NewMemoryStore()
	fill(f, mustOpen(f, st))
	for kind, rows := range st.Snapshot() {
		for key, data := range rows {
			if kind != state.KindMeta {
				f.Add(kindIndex(kind), key, data)
			}
		}
	}
	for _, s := range []string{`{}`, `{"pool_id":"p","username":"a","sub":"s","salt":-5,"verifier":7}`, `{"private_key":"AAAA"}`,
		`{"logins":{"x":["a","b"]}}`, `{"codes":{"signup":{"code":"1","expires":"2025-01-01T00:00:00Z"}}}`, `null`, `[`, ``, `{"id":"x","extra":1}`} {
		for i := range state.Kinds {
			f.Add(uint8(i), "us-east-1_X/key", []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, key string, data []byte) {
		st := state.NewMemoryStore()
		if _, err := state.Open(st); err != nil {
			t.Fatal(err)
		}
		k := state.Kinds[int(kind)%len(state.Kinds)]
		st.Update(func(tx state.StoreTx) error { return tx.Put(k, key, data) })
		s, err := state.Open(st)
		if err != nil {
			if !errors.Is(err, state.ErrCorrupt) && !errors.Is(err, state.ErrFormat) {
				t.Fatalf("Open: %v; want nil, ErrCorrupt or ErrFormat", err)
			}
			return
		}
		snap, err := s.Snapshot()
		if err != nil {
			t.Fatalf("Snapshot of a loaded state: %v", err)
		}
		again := state.NewMemoryStore()
		again.Update(func(tx state.StoreTx) error {
			tx.Put(state.KindMeta, "format", []byte("1"))
			for kind, rows := range snap {
				for key, data := range rows {
					tx.Put(kind, key, data)
				}
			}
			return nil
		})
		s2, err := state.Open(again)
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

func kindIndex(k state.Kind) uint8 {
	for i, kk := range state.Kinds {
		if kk == k {
			return uint8(i)
		}
	}
	return 0
}
