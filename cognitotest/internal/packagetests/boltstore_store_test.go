package packagetests_test

import (
	"bytes"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/boltstore"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

var boltT0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func mustOpenBolt(t testing.TB, dir string, opts boltstore.Options) *boltstore.Store {
	t.Helper()
	st, err := boltstore.Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return st
}

// fillBolt writes a pool and a user through a State.
func fillBolt(t testing.TB, st state.Store) {
	t.Helper()
	s, err := state.Open(st)
	if err != nil {
		t.Fatalf("state.Open: %v", err)
	}
	err = s.Update(func(tx *state.Tx) error {
		p := &state.Pool{ID: "us-east-1_Bolt", Name: "Bolt", MFA: "OFF", PasswordPolicy: state.PasswordPolicy{MinimumLength: 8}, CreatedAt: boltT0}
		tx.PutPool(p)
		tx.PutUser(p, &state.User{PoolID: p.ID, Username: "Ann", Sub: "sub-ann", Status: "CONFIRMED", Enabled: true,
			Salt: big.NewInt(-7), Verifier: big.NewInt(99), Attributes: map[string]string{"email": "ann@example.com"}, CreatedAt: boltT0})
		tx.PutClient(&state.Client{PoolID: p.ID, ID: "client1", Name: "web", Secret: "s3cr3t", Seq: 1, CreatedAt: boltT0})
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func TestStoreTransactions(t *testing.T) {
	st := mustOpenBolt(t, t.TempDir(), boltstore.Options{})
	defer st.Close()
	if !st.New() {
		t.Error("New() = false for a new file")
	}
	checkStoreContract(t, st)
}

// checkStoreContract checks what every state.Store promises: Put copies,
// a writing transaction sees its own writes, a failed Update changes
// nothing and returns the function's error, View is read-only, and
// nothing works after Close. st must be empty; the check closes it.
func checkStoreContract(t *testing.T, st state.Store) {
	t.Helper()
	err := st.Update(func(tx state.StoreTx) error {
		buf := []byte("v1")
		tx.Put("k", "b", buf)
		buf[0] = 'X' // Put copies
		tx.Put("k", "a", []byte("v2"))
		if v, ok, _ := tx.Get("k", "b"); !ok || string(v) != "v1" {
			t.Errorf("Get in the writing transaction = %q, %t", v, ok)
		}
		return tx.Delete("k", "a")
	})
	if err != nil {
		t.Fatal(err)
	}
	abort := errors.New("abort")
	if err := st.Update(func(tx state.StoreTx) error { tx.Put("k", "c", []byte("v3")); return abort }); err != abort {
		t.Errorf("Update = %v; want the function's error", err)
	}
	var keys []string
	st.View(func(tx state.StoreTx) error {
		if err := tx.Put("k", "z", nil); !errors.Is(err, state.ErrReadOnly) {
			t.Errorf("Put in View = %v; want ErrReadOnly", err)
		}
		if err := tx.Delete("missing", "z"); !errors.Is(err, state.ErrReadOnly) {
			t.Errorf("Delete in View = %v; want ErrReadOnly", err)
		}
		if kinds, _ := tx.ListKinds(); len(kinds) != 1 || kinds[0] != "k" {
			t.Errorf("ListKinds = %v; want [k]", kinds)
		}
		return tx.List("k", func(k string, v []byte) error { keys = append(keys, k+"="+string(v)); return nil })
	})
	if strings.Join(keys, ",") != "b=v1" {
		t.Errorf("records = %v; want [b=v1] (a deleted, c aborted)", keys)
	}
	st.Close()
	if err := st.View(func(state.StoreTx) error { return nil }); !errors.Is(err, state.ErrClosed) {
		t.Errorf("View after Close = %v; want ErrClosed", err)
	}
}

// TestBoltstoreReopen: records committed through a State are there after the store
// is closed and opened again, and the state loads them.
func TestBoltstoreReopen(t *testing.T) {
	dir := t.TempDir()
	st := mustOpenBolt(t, dir, boltstore.Options{})
	fillBolt(t, st)
	st.Close()
	if fi, err := os.Stat(filepath.Join(dir, boltstore.FileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("data file: %v, %v; want mode 0600", fi, err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 && dir != filepath.Clean(dir) {
		t.Errorf("data directory: %v, %v", fi, err)
	}
	st = mustOpenBolt(t, dir, boltstore.Options{})
	defer st.Close()
	if st.New() {
		t.Error("New() = true for an existing file")
	}
	s, err := state.Open(st)
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *state.Tx) error {
		p := tx.Pool("us-east-1_Bolt")
		if p == nil {
			t.Fatal("pool lost")
		}
		if u := tx.User(p, "ann"); u == nil || u.Verifier.Int64() != 99 || u.Salt.Int64() != -7 {
			t.Errorf("user: %+v", u)
		}
		if c := tx.Client("client1"); c == nil || c.Secret != "s3cr3t" {
			t.Errorf("client: %+v", c)
		}
		return nil
	})
}

// TestNewDirectory: Open creates the directory, private to the user.
func TestNewDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "data")
	st := mustOpenBolt(t, dir, boltstore.Options{})
	st.Close()
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("created directory: %v, %v; want mode 0700", fi, err)
	}
	if _, err := boltstore.Open(filepath.Join(t.TempDir(), "none"), boltstore.Options{ReadOnly: true}); !errors.Is(err, boltstore.ErrNoData) {
		t.Errorf("read-only Open of a missing directory = %v; want ErrNoData", err)
	}
	if _, err := boltstore.Open(t.TempDir(), boltstore.Options{ReadOnly: true}); !errors.Is(err, boltstore.ErrNoData) {
		t.Errorf("read-only Open of an empty directory = %v; want ErrNoData", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := boltstore.Open(file, boltstore.Options{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Open(a file) = %v; want an error saying it is not a directory", err)
	}
}

// TestLocked: a second store on the same directory fails after the
// timeout, naming the file, until the first closes.
func TestLocked(t *testing.T) {
	t.Parallel() // waits: overlap it with the other tests
	dir := t.TempDir()
	st := mustOpenBolt(t, dir, boltstore.Options{})
	start := time.Now()
	_, err := boltstore.Open(dir, boltstore.Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, boltstore.ErrLocked) || !strings.Contains(err.Error(), boltstore.FileName) {
		t.Errorf("second Open = %v; want ErrLocked naming the file", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second Open took %v; want it to give up after its timeout", d)
	}
	if _, err := boltstore.Open(dir, boltstore.Options{ReadOnly: true, Timeout: 50 * time.Millisecond}); !errors.Is(err, boltstore.ErrLocked) {
		t.Errorf("read-only Open of a locked file = %v; want ErrLocked", err)
	}
	st.Close()
	st2 := mustOpenBolt(t, dir, boltstore.Options{})
	st2.Close()
}

// validFile returns the bytes of a data file with records.
func validFile(t testing.TB) []byte {
	t.Helper()
	dir := t.TempDir()
	st := mustOpenBolt(t, dir, boltstore.Options{})
	fillBolt(t, st)
	st.Close()
	data, err := os.ReadFile(filepath.Join(dir, boltstore.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// openFile writes data as the data file of a new directory and opens it;
// it checks that a refused file is left as it was.
func openFile(t testing.TB, data []byte) error {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, boltstore.FileName)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err == nil {
		_, err = state.Open(st)
		st.Close()
	}
	if err != nil {
		if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
			t.Fatalf("a refused data file was changed (%v)", err)
		}
	}
	return err
}

// TestRefusesDamagedFiles: files that are not data files, or are damaged,
// are refused with ErrCorrupt and not changed.
func TestRefusesDamagedFiles(t *testing.T) {
	valid := validFile(t)
	pageSize := os.Getpagesize()
	flip := func(offs ...int) []byte {
		d := bytes.Clone(valid)
		for _, off := range offs {
			for i := off; i < off+64 && i < len(d); i++ {
				d[i] ^= 0xA5
			}
		}
		return d
	}
	// The file has two meta pages (0 and 1), then the pages of the
	// B+tree; the root of the newest meta is page 2 (see bbolt's layout).
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"text", []byte("{\"pools\": []}\n")},
		{"zeros", make([]byte, 4*pageSize)},
		{"meta pages only", valid[:2*pageSize]},
		{"one page", valid[:pageSize]},
		{"both meta pages", flip(16, pageSize+16)},
		{"root page", flip(2*pageSize + 16)},
		{"a leaf", flip(3*pageSize + 16)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := openFile(t, tc.data)
			if !errors.Is(err, state.ErrCorrupt) {
				t.Errorf("Open = %v; want ErrCorrupt", err)
			}
		})
	}
}

// TestRefusesNewerFormat: a file written by a newer emulator is refused
// with ErrFormat, and not changed.
func TestRefusesNewerFormat(t *testing.T) {
	dir := t.TempDir()
	st := mustOpenBolt(t, dir, boltstore.Options{})
	fillBolt(t, st)
	st.Update(func(tx state.StoreTx) error { return tx.Put(state.KindMeta, "format", []byte("2")) })
	st.Close()
	data, _ := os.ReadFile(filepath.Join(dir, boltstore.FileName))
	err := openFile(t, data)
	if !errors.Is(err, state.ErrFormat) || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open = %v; want ErrFormat saying a newer emulator wrote it", err)
	}
}

// FuzzBoltstoreOpen: a data file of any bytes opens, or is refused with ErrCorrupt
// or ErrFormat and left unchanged; nothing panics or hangs. The inputs
// patch a valid file with records at an offset, and may cut it short.
func FuzzBoltstoreOpen(f *testing.F) {
	valid := validFile(f)
	pageSize := os.Getpagesize()
	for page := 0; page*pageSize < len(valid); page++ {
		f.Add(uint32(page*pageSize+16), []byte{0xff, 0x00, 0x13, 0x37}, uint32(0))
		f.Add(uint32(page*pageSize+8), []byte{0x10}, uint32(0))                    // page type flags
		f.Add(uint32(page*pageSize+12), []byte{0xff, 0xff, 0xff, 0x7f}, uint32(0)) // overflow
	}
	// Inputs that crashed or hung earlier versions: a meta page that is
	// not page 0, a page that overflows far beyond the file.
	f.Add(uint32(0), []byte("Z\x9d<\xb3"), uint32(0))
	f.Add(uint32(24), []byte("\x00\x00\x00\xd9\xd9\xd9\xd9\xd9\x00\x00"), uint32(0))
	f.Add(uint32(3*pageSize+12), []byte("\xff\x00\x137"), uint32(0))
	f.Add(uint32(0), []byte{}, uint32(2*pageSize))
	f.Fuzz(func(t *testing.T, off uint32, patch []byte, cut uint32) {
		data := bytes.Clone(valid)
		for i, b := range patch {
			data[(int(off)+i)%len(data)] = b
		}
		if cut > 0 && int(cut) < len(data) {
			data = data[:cut]
		}
		err := openFile(t, data)
		if err != nil && !errors.Is(err, state.ErrCorrupt) && !errors.Is(err, state.ErrFormat) {
			t.Fatalf("Open = %v; want nil, ErrCorrupt or ErrFormat", err)
		}
	})
}
