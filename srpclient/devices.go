package srpclient

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// Device is a remembered device: its key and group key from Cognito and
// the random password whose verifier was registered with ConfirmDevice.
// Password is a secret: store it like a refresh token.
type Device struct {
	Key      string `json:"device_key"`
	GroupKey string `json:"device_group_key"`
	Password string `json:"device_password"`
}

// DeviceStore keeps remembered devices, keyed by user pool ID and the pool's
// internal username (never an alias). Implementations must be safe for
// concurrent use.
type DeviceStore interface {
	// Get returns the device stored for the user, and ok=false if none.
	Get(ctx context.Context, poolID, username string) (d Device, ok bool, err error)
	// Put stores the device for the user, replacing any other.
	Put(ctx context.Context, poolID, username string, d Device) error
	// Delete forgets the user's device. Deleting a missing device is not
	// an error.
	Delete(ctx context.Context, poolID, username string) error
}

type deviceKey struct{ pool, user string }

// MemoryDeviceStore is a [DeviceStore] in memory. The zero value is ready to
// use.
type MemoryDeviceStore struct {
	mu sync.Mutex // guards m
	m  map[deviceKey]Device
}

// NewMemoryDeviceStore returns an empty in-memory store.
func NewMemoryDeviceStore() *MemoryDeviceStore { return &MemoryDeviceStore{} }

// Get implements [DeviceStore].
func (s *MemoryDeviceStore) Get(_ context.Context, poolID, username string) (Device, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.m[deviceKey{poolID, username}]
	return d, ok, nil
}

// Put implements [DeviceStore].
func (s *MemoryDeviceStore) Put(_ context.Context, poolID, username string, d Device) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[deviceKey]Device{}
	}
	s.m[deviceKey{poolID, username}] = d
	return nil
}

// Delete implements [DeviceStore].
func (s *MemoryDeviceStore) Delete(_ context.Context, poolID, username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, deviceKey{poolID, username})
	return nil
}

// FileDeviceStore is a [DeviceStore] in one JSON file, written atomically
// with permissions 0600. It is safe for concurrent use within one process.
type FileDeviceStore struct {
	path string
	mu   sync.Mutex // serializes read-modify-write of the file
}

// maxDeviceFile bounds the size of the device file read from disk.
const maxDeviceFile = 4 << 20

// NewFileDeviceStore returns a store that keeps devices in the file at path.
// The file is created on the first Put; its directory must exist.
func NewFileDeviceStore(path string) (*FileDeviceStore, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: empty device file path", ErrInvalidConfig)
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%w: directory %q of the device file does not exist", ErrInvalidConfig, dir)
	}
	return &FileDeviceStore{path: path}, nil
}

// fileData is the file format: pool ID -> username -> device.
type fileData struct {
	Version int                          `json:"version"`
	Pools   map[string]map[string]Device `json:"pools"`
}

func (s *FileDeviceStore) load() (*fileData, error) {
	d := &fileData{Version: 1, Pools: map[string]map[string]Device{}}
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxDeviceFile {
		return nil, fmt.Errorf("device file %s is larger than %d bytes", s.path, maxDeviceFile)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("device file %s has permissions %v; it holds secrets and must be 0600 (chmod 600 it)", s.path, st.Mode().Perm())
	}
	if err := json.NewDecoder(f).Decode(d); err != nil {
		return nil, fmt.Errorf("device file %s is not valid JSON: %w", s.path, err)
	}
	if d.Pools == nil {
		d.Pools = map[string]map[string]Device{}
	}
	return d, nil
}

func (s *FileDeviceStore) save(d *fileData) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".devices-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.path)
}

// Get implements [DeviceStore].
func (s *FileDeviceStore) Get(_ context.Context, poolID, username string) (Device, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.load()
	if err != nil {
		return Device{}, false, err
	}
	dev, ok := d.Pools[poolID][username]
	return dev, ok, nil
}

// Put implements [DeviceStore].
func (s *FileDeviceStore) Put(_ context.Context, poolID, username string, dev Device) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.load()
	if err != nil {
		return err
	}
	if d.Pools[poolID] == nil {
		d.Pools[poolID] = map[string]Device{}
	}
	d.Pools[poolID][username] = dev
	return s.save(d)
}

// Delete implements [DeviceStore].
func (s *FileDeviceStore) Delete(_ context.Context, poolID, username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.load()
	if err != nil {
		return err
	}
	if _, ok := d.Pools[poolID][username]; !ok {
		return nil
	}
	delete(d.Pools[poolID], username)
	if len(d.Pools[poolID]) == 0 {
		delete(d.Pools, poolID)
	}
	return s.save(d)
}

// confirmDevice registers t.NewDevice with a fresh verifier and stores it.
func (c *Client) confirmDevice(ctx context.Context, t *Tokens, remember bool) error {
	nd := t.NewDevice
	if t.Username == "" {
		return fmt.Errorf("%w: the tokens do not name the user; the device cannot be stored", ErrDeviceStore)
	}
	password, salt, verifier, err := srp.NewDeviceSecret(c.cfg.Rand, nd.DeviceGroupKey, nd.DeviceKey)
	if err != nil {
		return fmt.Errorf("srpclient: device secret: %w", err)
	}
	out, err := c.api.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{
		AccessToken: &t.AccessToken,
		DeviceKey:   &nd.DeviceKey,
		DeviceName:  &c.cfg.DeviceName,
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{
			Salt:             ptr(base64.StdEncoding.EncodeToString(salt)),
			PasswordVerifier: ptr(base64.StdEncoding.EncodeToString(verifier)),
		},
	})
	if err != nil {
		return wrapAPI("confirm device", err)
	}
	if out.UserConfirmationNecessary && remember {
		if _, err := c.api.UpdateDeviceStatus(ctx, &cip.UpdateDeviceStatusInput{
			AccessToken: &t.AccessToken, DeviceKey: &nd.DeviceKey,
			DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered,
		}); err != nil {
			return wrapAPI("update device status", err)
		}
	}
	if err := c.cfg.Devices.Put(ctx, c.poolID, t.Username, Device{Key: nd.DeviceKey, GroupKey: nd.DeviceGroupKey, Password: password}); err != nil {
		return fmt.Errorf("%w: put: %w", ErrDeviceStore, err)
	}
	t.DeviceKey = nd.DeviceKey
	return nil
}

// ForgetDevice tells Cognito to forget the user's stored device and removes
// it from the store. t must hold a valid access token and the internal
// username.
func (c *Client) ForgetDevice(ctx context.Context, t *Tokens) error {
	if ctx == nil {
		return errNilContext
	}
	if c.cfg.Devices == nil {
		return fmt.Errorf("%w: no DeviceStore configured", ErrInvalidConfig)
	}
	if t == nil || t.AccessToken == "" || t.Username == "" {
		return fmt.Errorf("%w: tokens with an access token and a username are required", ErrInvalidInput)
	}
	d, ok, err := c.cfg.Devices.Get(ctx, c.poolID, t.Username)
	if err != nil {
		return fmt.Errorf("%w: get: %w", ErrDeviceStore, err)
	}
	if !ok {
		return nil
	}
	if _, err := c.api.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: &t.AccessToken, DeviceKey: &d.Key}); err != nil && !isDeviceNotFound(err) {
		return wrapAPI("forget device", err)
	}
	if err := c.cfg.Devices.Delete(ctx, c.poolID, t.Username); err != nil {
		return fmt.Errorf("%w: delete: %w", ErrDeviceStore, err)
	}
	return nil
}
