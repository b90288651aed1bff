package auth

import (
	"encoding/base64"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
	"github.com/cognitokit/cognitokit/internal/srp"
)

// sessionDevice returns the device of the session's user with the given
// key, or nil.
func (o *ops) sessionDevice(sess *userpool.Session, key string) *state.Device {
	var d *state.Device
	o.svc.State.View(func(tx *state.Tx) error {
		if d = tx.Device(sess.PoolID, key); d != nil && d.Sub != sess.Sub {
			d = nil
		}
		return nil
	})
	return d
}

// deviceSRP answers DEVICE_SRP_AUTH with DEVICE_PASSWORD_VERIFIER.
func (o *ops) deviceSRP(sess *userpool.Session, r map[string]string) (any, error) {
	s := o.svc
	key := r["DEVICE_KEY"]
	if key == "" {
		return nil, wire.InvalidParameter("Missing required parameter DEVICE_KEY")
	}
	A, aerr := parseSRPA(r["SRP_A"])
	if aerr != nil {
		return nil, aerr
	}
	d := o.sessionDevice(sess, key)
	if d == nil || (sess.DeviceKey != "" && key != sess.DeviceKey) {
		return nil, wire.ResourceNotFound("Device does not exist.")
	}
	if d.Verifier == nil {
		return nil, wire.NotAuthorized("Device is not confirmed.")
	}
	srv, err := srp.NewServer(s.Rand(), d.Verifier)
	if err != nil {
		return nil, wire.Internal("SRP failed")
	}
	block := make([]byte, 512)
	if err := s.ReadRand(block); err != nil {
		return nil, wire.Internal("random source failed")
	}
	sess.SRPServer, sess.SRPA, sess.SecretBlock, sess.DeviceKey = srv, A, block, key
	return o.challenge(sess, "DEVICE_PASSWORD_VERIFIER", map[string]string{
		"DEVICE_KEY":       key,
		"SALT":             srp.DeviceSaltHex(d.Salt),
		"SECRET_BLOCK":     base64.StdEncoding.EncodeToString(block),
		"SRP_B":            srv.BHex(),
		"USERNAME":         sess.Username,
		"DEVICE_GROUP_KEY": d.GroupKey,
	}), nil
}

// verifyDevicePassword checks DEVICE_PASSWORD_VERIFIER: the SRP math of
// PASSWORD_VERIFIER with poolName = DeviceGroupKey and user = DeviceKey.
func (o *ops) verifyDevicePassword(sess *userpool.Session, r map[string]string) *wire.Error {
	if k := r["DEVICE_KEY"]; k != sess.DeviceKey {
		return wire.ResourceNotFound("Device does not exist.")
	}
	if r["TIMESTAMP"] == "" || r["PASSWORD_CLAIM_SIGNATURE"] == "" || r["PASSWORD_CLAIM_SECRET_BLOCK"] == "" {
		return wire.InvalidParameter("Missing required parameter TIMESTAMP, PASSWORD_CLAIM_SIGNATURE or PASSWORD_CLAIM_SECRET_BLOCK")
	}
	return o.verifyClaim(sess, r, func() (string, string, *wire.Error) {
		d := o.sessionDevice(sess, sess.DeviceKey)
		if d == nil {
			return "", "", wire.ResourceNotFound("Device does not exist.")
		}
		return d.GroupKey, sess.DeviceKey, nil
	})
}
