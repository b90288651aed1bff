package boltstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// FileName is the name of the data file in the data directory.
const FileName = "cognito.db"

// DefaultTimeout is how long Open waits for the lock of a data file that
// another store holds.
const DefaultTimeout = 500 * time.Millisecond

// Options configure [Open]. The zero value opens for reading and writing
// and waits [DefaultTimeout] for the lock.
type Options struct {
	// ReadOnly opens an existing data file for reading only, under a
	// shared lock (writers wait); a missing file is ErrNoData. Update
	// fails with state.ErrReadOnly.
	ReadOnly bool
	// Timeout is how long to wait for the file lock. Default:
	// DefaultTimeout.
	Timeout time.Duration
}

// Store is a [state.Store] in a bbolt file. Its methods are safe for
// concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	new  bool
}

// Open opens the data file of the directory dir, creating the directory
// (mode 0700: the file holds secrets) and the file (0600) unless
// opts.ReadOnly. An existing file is checked before it is opened for
// writing (see the package documentation): a damaged one is refused with
// an error wrapping state.ErrCorrupt and left as it is. A file that another
// store holds is refused with ErrLocked after opts.Timeout.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if dir == "" {
		return nil, errors.New("boltstore: empty data directory name")
	}
	path := filepath.Join(dir, FileName)
	info, err := os.Stat(dir)
	switch {
	case err == nil && !info.IsDir():
		return nil, fmt.Errorf("%s is not a directory", dir)
	case errors.Is(err, fs.ErrNotExist) && opts.ReadOnly:
		return nil, fmt.Errorf("%w: %s does not exist", ErrNoData, dir)
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	fi, err := os.Stat(path)
	exists := err == nil && fi.Size() > 0
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, err
	case err == nil && !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%w: %s is not a regular file", state.ErrCorrupt, path)
	case !exists && opts.ReadOnly:
		return nil, fmt.Errorf("%w in %s", ErrNoData, dir)
	}
	if exists {
		// Check the file under a shared lock before a writer opens it: a
		// writer may write (bbolt rebuilds a missing free list on open).
		if err := check(path, opts.Timeout); err != nil {
			return nil, err
		}
	}
	db, err := openDB(path, &bolt.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly, PreLoadFreelist: opts.ReadOnly})
	if err != nil {
		return nil, err
	}
	if !exists && !opts.ReadOnly {
		// Make the new file's directory entry durable.
		if err := syncDir(dir); err != nil {
			db.Close()
			return nil, err
		}
	}
	return &Store{db: db, path: path, new: !exists}, nil
}

// Path returns the path of the data file.
func (s *Store) Path() string { return s.path }

// New reports whether Open created the data file (or found it empty).
func (s *Store) New() bool { return s.new }

// openDB opens the bbolt file, turning bbolt's errors, panics and faults
// on a damaged file into errors.
func openDB(path string, opts *bolt.Options) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %s: bbolt failed to read it: %v", state.ErrCorrupt, path, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, opts)
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s is locked by another process (another cognito local, or a test server, uses the directory)", ErrLocked, path)
	case err != nil && isOSError(err):
		return nil, err
	case err != nil:
		// bbolt's ErrInvalid, ErrVersionMismatch, ErrChecksum, "file size
		// too small", ...
		return nil, fmt.Errorf("%w: %s is not a data file of the emulator, or it is damaged (bbolt: %v)", state.ErrCorrupt, path, err)
	}
	return db, nil
}

// check opens path read-only (loading the free list), checks the pages
// bbolt reads without checking, reads every bucket and record, and runs
// bbolt's consistency check, which catches a damaged free list (writes
// would then overwrite pages in use).
func check(path string, timeout time.Duration) (err error) {
	// The first handle takes the shared lock and checks the meta pages;
	// the file is then read and checked; the second handle loads the free
	// list.
	locked, err := openDB(path, &bolt.Options{Timeout: timeout, ReadOnly: true})
	if err != nil {
		return err
	}
	defer locked.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := validateFile(data, locked.Info().PageSize); err != nil {
		return fmt.Errorf("%w: %s: %v", state.ErrCorrupt, path, err)
	}
	db, err := openDB(path, &bolt.Options{Timeout: timeout, ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		return err
	}
	defer db.Close()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: bbolt failed to read it: %v", state.ErrCorrupt, path, r)
		}
	}()
	return db.View(func(tx *bolt.Tx) error {
		if err := checkPages(tx, data); err != nil {
			return fmt.Errorf("%w: %s: %v", state.ErrCorrupt, path, err)
		}
		// Every record of every bucket.
		err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if v == nil {
					return fmt.Errorf("bucket %q has a nested bucket %q", truncate(name), truncate(k))
				}
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("%w: %s: %v", state.ErrCorrupt, path, err)
		}
		var first error
		for err := range tx.Check() { // drain: Check's goroutine sends every problem
			if first == nil {
				first = err
			}
		}
		if first != nil {
			return fmt.Errorf("%w: %s: bbolt's consistency check: %v", state.ErrCorrupt, path, first)
		}
		return nil
	})
}

// checkPages checks what bbolt's Tx.Check reads without checking, beyond
// validateFile: the meta and free-list pages must say they are the pages
// they are (Tx.Check asserts that in a goroutine of its own, where a
// failed assertion, a panic, cannot be recovered) and overflow within the
// pages in use (Tx.Check walks the overflow pages one by one).
func checkPages(tx *bolt.Tx, data []byte) error {
	pageSize := tx.DB().Info().PageSize
	hwm := uint64(tx.Size()) / uint64(pageSize) // the pages in use are below
	if hwm*uint64(pageSize) > uint64(len(data)) {
		return fmt.Errorf("the file is shorter than its pages in use")
	}
	if st := tx.DB().Stats(); uint64(st.FreePageN+st.PendingPageN) >= hwm {
		return fmt.Errorf("the free list counts %d pages", st.FreePageN+st.PendingPageN)
	}
	for id := 0; ; {
		info, err := tx.Page(id)
		if err != nil {
			return fmt.Errorf("page %d: %v", id, err)
		}
		if info == nil {
			return nil // the end of the pages in use
		}
		next := id + 1
		typ := info.Type
		if id < 2 {
			typ = "meta" // whatever its flags say
		}
		switch typ {
		case "meta", "freelist":
			hdr := data[id*pageSize:]
			if got := ne.Uint64(hdr); got != uint64(id) {
				return fmt.Errorf("page %d says it is page %d", id, got)
			}
			if flags := ne.Uint16(hdr[8:]); typ == "meta" && flags != metaPageFlag || typ == "freelist" && flags != freelistFlag {
				return fmt.Errorf("page %d is not a %s page", id, typ)
			}
			if id > 1 && typ == "meta" {
				return fmt.Errorf("page %d is a third meta page", id)
			}
			fallthrough
		case "branch", "leaf":
			if info.OverflowCount < 0 || uint64(info.OverflowCount) >= hwm-uint64(id) {
				return fmt.Errorf("page %d overflows beyond the pages in use", id)
			}
			next += info.OverflowCount
		}
		id = next
	}
}

// isOSError reports whether err comes from the operating system (opening,
// locking or mapping the file) rather than from bbolt reading it.
func isOSError(err error) bool {
	var pe *fs.PathError
	var errno syscall.Errno
	return errors.As(err, &pe) || errors.As(err, &errno)
}

func truncate(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "..."
	}
	return string(b)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// View implements [state.Store].
func (s *Store) View(fn func(state.StoreTx) error) error {
	return mapErr(s.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx}) }))
}

// Update implements [state.Store]: bbolt commits and syncs the
// transaction before Update returns.
func (s *Store) Update(fn func(state.StoreTx) error) error {
	return mapErr(s.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx}) }))
}

// Close implements [state.Store]. It waits for running transactions.
func (s *Store) Close() error { return s.db.Close() }

func mapErr(err error) error {
	switch {
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return fmt.Errorf("%w: %w", state.ErrClosed, err)
	case errors.Is(err, berrors.ErrDatabaseReadOnly), errors.Is(err, berrors.ErrTxNotWritable):
		return fmt.Errorf("%w: %w", state.ErrReadOnly, err)
	}
	return err
}

type boltTx struct{ tx *bolt.Tx }

func (t boltTx) Get(kind state.Kind, key string) ([]byte, bool, error) {
	b := t.tx.Bucket([]byte(kind))
	if b == nil {
		return nil, false, nil
	}
	v := b.Get([]byte(key))
	return v, v != nil, nil
}

func (t boltTx) Put(kind state.Kind, key string, value []byte) error {
	if !t.tx.Writable() {
		return state.ErrReadOnly
	}
	b, err := t.tx.CreateBucketIfNotExists([]byte(kind))
	if err != nil {
		return err
	}
	// bbolt keeps the slices until the commit: copy them, as the
	// interface promises not to retain them.
	return b.Put([]byte(key), append([]byte(nil), value...))
}

func (t boltTx) Delete(kind state.Kind, key string) error {
	if !t.tx.Writable() {
		return state.ErrReadOnly
	}
	b := t.tx.Bucket([]byte(kind))
	if b == nil {
		return nil
	}
	return b.Delete([]byte(key))
}

func (t boltTx) List(kind state.Kind, fn func(key string, value []byte) error) error {
	b := t.tx.Bucket([]byte(kind))
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			return fmt.Errorf("%w: bucket %s has a nested bucket %q", state.ErrCorrupt, kind, truncate(k))
		}
		return fn(string(k), v)
	})
}

func (t boltTx) ListKinds() ([]state.Kind, error) {
	var kinds []state.Kind
	err := t.tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		kinds = append(kinds, state.Kind(name))
		return nil
	})
	return kinds, err
}
