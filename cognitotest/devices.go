package cognitotest

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"math/big"
	"sort"
	"time"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// device is a device tracked for a user. Guarded by s.mu.
type device struct {
	key        string // "{region}_{uuid}"
	groupKey   string
	name       string
	salt       []byte   // from ConfirmDevice
	verifier   *big.Int // from ConfirmDevice; nil until confirmed
	remembered bool
	createdAt  time.Time
	lastAuth   time.Time
	modified   time.Time
}

// newDeviceLocked creates the NewDeviceMetadata of a sign-in.
func (p *Pool) newDeviceLocked(u *user) *device {
	now := p.s.now()
	d := &device{key: p.region + "_" + p.s.uuid(), groupKey: "-" + p.s.randString(9, alnum), createdAt: now, lastAuth: now, modified: now}
	u.devices[d.key] = d
	return d
}

// deviceSRP answers DEVICE_SRP_AUTH with DEVICE_PASSWORD_VERIFIER.
func (s *Server) deviceSRP(ctx context.Context, sess *session, r map[string]string) (any, error) {
	key := r["DEVICE_KEY"]
	if key == "" {
		return nil, errInvalidParameter("Missing required parameter DEVICE_KEY")
	}
	A, aerr := parseSRPA(r["SRP_A"])
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	d := sess.user.devices[key]
	var v *big.Int
	var salt []byte
	var group string
	if d != nil {
		v, salt, group = d.verifier, d.salt, d.groupKey
	}
	username := sess.user.username
	s.mu.Unlock()
	if d == nil || (sess.deviceKey != "" && key != sess.deviceKey) {
		return nil, errResourceNotFound("Device does not exist.")
	}
	if v == nil {
		return nil, errNotAuthorized("Device is not confirmed.")
	}
	srv, err := srp.NewServer(randReader{s}, v)
	if err != nil {
		return nil, errInternal("SRP failed")
	}
	block := make([]byte, 512)
	if err := s.readRand(block); err != nil {
		return nil, errInternal("random source failed")
	}
	sess.srpServer, sess.srpA, sess.secretBlock, sess.deviceKey = srv, A, block, key
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.challengeLocked(sess, "DEVICE_PASSWORD_VERIFIER", map[string]string{
		"DEVICE_KEY":       key,
		"SALT":             srp.DeviceSaltHex(salt),
		"SECRET_BLOCK":     base64.StdEncoding.EncodeToString(block),
		"SRP_B":            srv.BHex(),
		"USERNAME":         username,
		"DEVICE_GROUP_KEY": group,
	}), nil
}

// verifyDevicePassword checks DEVICE_PASSWORD_VERIFIER: the SRP math of
// PASSWORD_VERIFIER with poolName = DeviceGroupKey and user = DeviceKey.
func (s *Server) verifyDevicePassword(sess *session, r map[string]string) *apiError {
	if k := r["DEVICE_KEY"]; k != sess.deviceKey {
		return errResourceNotFound("Device does not exist.")
	}
	ts, sig, block := r["TIMESTAMP"], r["PASSWORD_CLAIM_SIGNATURE"], r["PASSWORD_CLAIM_SECRET_BLOCK"]
	if ts == "" || sig == "" || block == "" {
		return errInvalidParameter("Missing required parameter TIMESTAMP, PASSWORD_CLAIM_SIGNATURE or PASSWORD_CLAIM_SECRET_BLOCK")
	}
	t, err := srp.ParseTimestamp(ts)
	if err != nil {
		return errInvalidParameter("TIMESTAMP format is invalid: want UTC \"Mon Jan 2 15:04:05 UTC 2006\" with the day not padded")
	}
	if d := s.now().Sub(t); d > s.opts.srpSkew || d < -s.opts.srpSkew {
		return errNotAuthorized("TIMESTAMP is outside the allowed clock skew; check the client's clock")
	}
	gotBlock, err := base64.StdEncoding.DecodeString(block)
	if err != nil || subtle.ConstantTimeCompare(gotBlock, sess.secretBlock) != 1 {
		return errNotAuthorized("Incorrect username or password.")
	}
	key, err := sess.srpServer.PasswordKey(sess.srpA)
	if err != nil {
		return errNotAuthorized("Incorrect username or password.")
	}
	s.mu.Lock()
	d := sess.user.devices[sess.deviceKey]
	var group string
	if d != nil {
		group = d.groupKey
	}
	s.mu.Unlock()
	if d == nil {
		return errResourceNotFound("Device does not exist.")
	}
	if !srp.VerifySignature(key, group, sess.deviceKey, gotBlock, ts, sig) {
		return errNotAuthorized("Incorrect username or password.")
	}
	return nil
}

type deviceVerifierConfig struct {
	PasswordVerifier string
	Salt             string
}

type confirmDeviceInput struct {
	AccessToken                string
	DeviceKey                  string
	DeviceName                 string
	DeviceSecretVerifierConfig *deviceVerifierConfig
}

// opConfirmDevice stores the device's SRP salt and verifier.
func (s *Server) opConfirmDevice(c *call) (any, error) {
	var in confirmDeviceInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.DeviceKey == "" {
		return nil, errInvalidParameter("Missing required parameter DeviceKey")
	}
	if in.DeviceSecretVerifierConfig == nil {
		return nil, errInvalidParameter("Missing required parameter DeviceSecretVerifierConfig")
	}
	salt, err1 := base64.StdEncoding.DecodeString(in.DeviceSecretVerifierConfig.Salt)
	vb, err2 := base64.StdEncoding.DecodeString(in.DeviceSecretVerifierConfig.PasswordVerifier)
	if err1 != nil || err2 != nil || len(salt) == 0 || len(salt) > 1024 || len(vb) == 0 || len(vb) > 1024 {
		return nil, errInvalidParameter("DeviceSecretVerifierConfig: Salt and PasswordVerifier must be non-empty base64 of at most 1024 bytes")
	}
	v := new(big.Int).SetBytes(vb)
	if v.Sign() == 0 || v.Cmp(srp.N()) >= 0 {
		return nil, errInvalidParameter("DeviceSecretVerifierConfig.PasswordVerifier is not a valid verifier")
	}
	if len(in.DeviceName) > 1024 {
		return nil, errInvalidParameter("DeviceName is longer than 1024 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, _, aerr := s.authenticateLocked(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	d := u.devices[in.DeviceKey]
	if d == nil {
		return nil, errResourceNotFound("Device does not exist.")
	}
	if d.verifier != nil {
		return nil, apiErr("DeviceKeyExistsException", "Device already confirmed.")
	}
	d.salt, d.verifier, d.name = salt, v, in.DeviceName
	d.modified = s.now()
	userConfirmation := false
	switch p.cfg.DeviceRemembering {
	case DevicesAlways:
		d.remembered = true
	case DevicesUserOptIn:
		userConfirmation = true
	}
	return map[string]bool{"UserConfirmationNecessary": userConfirmation}, nil
}

type deviceInput struct {
	AccessToken            string
	DeviceKey              string
	DeviceRememberedStatus string
	UserPoolId             string
	Username               string
	Limit                  int32
	PaginationToken        string
}

// deviceUserLocked finds the user of a device operation: by access token,
// or (Admin*) by pool and username.
func (s *Server) deviceUserLocked(c *call, in *deviceInput) (*Pool, *user, *apiError) {
	if c.op[:5] == "Admin" {
		p, ok := s.pools[in.UserPoolId]
		if !ok {
			return nil, nil, errResourceNotFound("User pool %s does not exist.", truncate(in.UserPoolId, 64))
		}
		u := p.lookupLocked(in.Username)
		if u == nil {
			return nil, nil, errUserNotFound()
		}
		return p, u, nil
	}
	p, u, _, aerr := s.authenticateLocked(in.AccessToken)
	return p, u, aerr
}

func (s *Server) opUpdateDeviceStatus(c *call) (any, error) {
	var in deviceInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, aerr := s.deviceUserLocked(c, &in)
	if aerr != nil {
		return nil, aerr
	}
	d := u.devices[in.DeviceKey]
	if d == nil {
		return nil, errResourceNotFound("Device does not exist.")
	}
	switch in.DeviceRememberedStatus {
	case "remembered":
		d.remembered = true
	case "not_remembered":
		d.remembered = false
	default:
		return nil, errInvalidParameter("DeviceRememberedStatus must be remembered or not_remembered")
	}
	d.modified = s.now()
	return struct{}{}, nil
}

func (s *Server) opForgetDevice(c *call) (any, error) {
	var in deviceInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, aerr := s.deviceUserLocked(c, &in)
	if aerr != nil {
		return nil, aerr
	}
	if u.devices[in.DeviceKey] == nil {
		return nil, errResourceNotFound("Device does not exist.")
	}
	delete(u.devices, in.DeviceKey)
	return struct{}{}, nil
}

type deviceType struct {
	DeviceAttributes            []attributeType `json:""`
	DeviceCreateDate            epoch
	DeviceKey                   string
	DeviceLastAuthenticatedDate epoch
	DeviceLastModifiedDate      epoch
}

func deviceOut(d *device) deviceType {
	status := "not_remembered"
	if d.remembered {
		status = "remembered"
	}
	attrs := []attributeType{{Name: "device_status", Value: status}}
	if d.name != "" {
		attrs = append(attrs, attributeType{Name: "device_name", Value: d.name})
	}
	return deviceType{DeviceAttributes: attrs, DeviceCreateDate: epoch(d.createdAt), DeviceKey: d.key,
		DeviceLastAuthenticatedDate: epoch(d.lastAuth), DeviceLastModifiedDate: epoch(d.modified)}
}

func (s *Server) opListDevices(c *call) (any, error) {
	var in deviceInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, aerr := s.deviceUserLocked(c, &in)
	if aerr != nil {
		return nil, aerr
	}
	var ds []*device
	for _, d := range u.devices {
		if d.verifier != nil {
			ds = append(ds, d)
		}
	}
	sort.Slice(ds, func(i, j int) bool {
		return ds[i].createdAt.Before(ds[j].createdAt) || ds[i].createdAt.Equal(ds[j].createdAt) && ds[i].key < ds[j].key
	})
	out := make([]deviceType, 0, len(ds))
	for _, d := range ds {
		out = append(out, deviceOut(d))
	}
	return map[string]any{"Devices": out}, nil
}

func (s *Server) opGetDevice(c *call) (any, error) {
	var in deviceInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, aerr := s.deviceUserLocked(c, &in)
	if aerr != nil {
		return nil, aerr
	}
	d := u.devices[in.DeviceKey]
	if d == nil {
		return nil, errResourceNotFound("Device does not exist.")
	}
	return map[string]any{"Device": deviceOut(d)}, nil
}
