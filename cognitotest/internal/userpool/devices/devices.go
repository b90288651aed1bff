package devices

import (
	"encoding/base64"
	"math/big"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
	"github.com/cognitokit/cognitokit/internal/srp"
)

type ops struct{ svc *userpool.Service }

// Register adds the operations of this package to r.
func Register(r *emulator.Registry, svc *userpool.Service) {
	o := &ops{svc}
	op := func(name string, h emulator.Handler, writes bool) emulator.Op {
		return emulator.Op{Service: emulator.UserPools, Name: name, Handler: h, Public: !strings.HasPrefix(name, "Admin"), Writes: writes}
	}
	r.Add(
		op("ConfirmDevice", o.confirmDevice, true),
		op("UpdateDeviceStatus", o.updateDeviceStatus, true),
		op("AdminUpdateDeviceStatus", o.updateDeviceStatus, true),
		op("ForgetDevice", o.forgetDevice, true),
		op("AdminForgetDevice", o.forgetDevice, true),
		op("ListDevices", o.listDevices, false),
		op("AdminListDevices", o.listDevices, false),
		op("GetDevice", o.getDevice, false),
		op("AdminGetDevice", o.getDevice, false),
	)
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

// confirmDevice stores the device's SRP salt and verifier.
func (o *ops) confirmDevice(c *emulator.Call) (any, error) {
	s := o.svc
	var in confirmDeviceInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.DeviceKey == "" {
		return nil, wire.InvalidParameter("Missing required parameter DeviceKey")
	}
	if in.DeviceSecretVerifierConfig == nil {
		return nil, wire.InvalidParameter("Missing required parameter DeviceSecretVerifierConfig")
	}
	salt, err1 := base64.StdEncoding.DecodeString(in.DeviceSecretVerifierConfig.Salt)
	vb, err2 := base64.StdEncoding.DecodeString(in.DeviceSecretVerifierConfig.PasswordVerifier)
	if err1 != nil || err2 != nil || len(salt) == 0 || len(salt) > 1024 || len(vb) == 0 || len(vb) > 1024 {
		return nil, wire.InvalidParameter("DeviceSecretVerifierConfig: Salt and PasswordVerifier must be non-empty base64 of at most 1024 bytes")
	}
	v := new(big.Int).SetBytes(vb)
	if v.Sign() == 0 || v.Cmp(srp.N()) >= 0 {
		return nil, wire.InvalidParameter("DeviceSecretVerifierConfig.PasswordVerifier is not a valid verifier")
	}
	if len(in.DeviceName) > 1024 {
		return nil, wire.InvalidParameter("DeviceName is longer than 1024 characters")
	}
	var out map[string]bool
	err := s.State.Update(func(tx *state.Tx) error {
		t, aerr := s.AccessToken(tx, in.AccessToken)
		if aerr != nil {
			return aerr
		}
		d := userDevice(tx, t.Pool, t.User, in.DeviceKey)
		if d == nil {
			return wire.ResourceNotFound("Device does not exist.")
		}
		if d.Verifier != nil {
			return wire.Errorf("DeviceKeyExistsException", "Device already confirmed.")
		}
		nd := d.Clone()
		nd.Salt, nd.Verifier, nd.Name = salt, v, in.DeviceName
		nd.ModifiedAt = s.Now()
		userConfirmation := false
		switch t.Pool.DeviceRemembering {
		case userpool.DevicesAlways:
			nd.Remembered = true
		case userpool.DevicesUserOptIn:
			userConfirmation = true
		}
		tx.PutDevice(nd)
		out = map[string]bool{"UserConfirmationNecessary": userConfirmation}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// userDevice returns the device of u with the given key, or nil.
func userDevice(tx *state.Tx, p *state.Pool, u *state.User, key string) *state.Device {
	d := tx.Device(p.ID, key)
	if d == nil || d.Sub != u.Sub {
		return nil
	}
	return d
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

// deviceUser finds the user of a device operation: by access token, or
// (Admin*) by pool and username.
func (o *ops) deviceUser(tx *state.Tx, c *emulator.Call, in *deviceInput) (*state.Pool, *state.User, *wire.Error) {
	if strings.HasPrefix(c.Op.Name, "Admin") {
		p := tx.Pool(in.UserPoolId)
		if p == nil {
			return nil, nil, wire.ResourceNotFound("User pool %s does not exist.", wire.Truncate(in.UserPoolId, 64))
		}
		u := userpool.LookupUser(tx, p, in.Username)
		if u == nil {
			return nil, nil, wire.UserNotFound()
		}
		return p, u, nil
	}
	t, aerr := o.svc.AccessToken(tx, in.AccessToken)
	if aerr != nil {
		return nil, nil, aerr
	}
	return t.Pool, t.User, nil
}

// withDevice decodes a device request and runs fn with its user in a
// transaction, read-write when write is set.
func (o *ops) withDevice(c *emulator.Call, write bool, fn func(tx *state.Tx, in *deviceInput, p *state.Pool, u *state.User) (any, error)) (any, error) {
	var in deviceInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var out any
	run := func(tx *state.Tx) error {
		p, u, aerr := o.deviceUser(tx, c, &in)
		if aerr != nil {
			return aerr
		}
		var err error
		out, err = fn(tx, &in, p, u)
		return err
	}
	var err error
	if write {
		err = o.svc.State.Update(run)
	} else {
		err = o.svc.State.View(run)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (o *ops) updateDeviceStatus(c *emulator.Call) (any, error) {
	return o.withDevice(c, true, func(tx *state.Tx, in *deviceInput, p *state.Pool, u *state.User) (any, error) {
		d := userDevice(tx, p, u, in.DeviceKey)
		if d == nil {
			return nil, wire.ResourceNotFound("Device does not exist.")
		}
		nd := d.Clone()
		switch in.DeviceRememberedStatus {
		case "remembered":
			nd.Remembered = true
		case "not_remembered":
			nd.Remembered = false
		default:
			return nil, wire.InvalidParameter("DeviceRememberedStatus must be remembered or not_remembered")
		}
		nd.ModifiedAt = o.svc.Now()
		tx.PutDevice(nd)
		return struct{}{}, nil
	})
}

func (o *ops) forgetDevice(c *emulator.Call) (any, error) {
	return o.withDevice(c, true, func(tx *state.Tx, in *deviceInput, p *state.Pool, u *state.User) (any, error) {
		d := userDevice(tx, p, u, in.DeviceKey)
		if d == nil {
			return nil, wire.ResourceNotFound("Device does not exist.")
		}
		tx.DeleteDevice(d)
		return struct{}{}, nil
	})
}

type deviceType struct {
	DeviceAttributes            []wire.Attribute `json:""`
	DeviceCreateDate            wire.Epoch
	DeviceKey                   string
	DeviceLastAuthenticatedDate wire.Epoch
	DeviceLastModifiedDate      wire.Epoch
}

func deviceOut(d *state.Device) deviceType {
	status := "not_remembered"
	if d.Remembered {
		status = "remembered"
	}
	attrs := []wire.Attribute{{Name: "device_status", Value: status}}
	if d.Name != "" {
		attrs = append(attrs, wire.Attribute{Name: "device_name", Value: d.Name})
	}
	return deviceType{DeviceAttributes: attrs, DeviceCreateDate: wire.Epoch(d.CreatedAt), DeviceKey: d.Key,
		DeviceLastAuthenticatedDate: wire.Epoch(d.LastAuthAt), DeviceLastModifiedDate: wire.Epoch(d.ModifiedAt)}
}

func (o *ops) listDevices(c *emulator.Call) (any, error) {
	return o.withDevice(c, false, func(tx *state.Tx, in *deviceInput, p *state.Pool, u *state.User) (any, error) {
		out := []deviceType{}
		for _, d := range tx.Devices(p.ID, u.Sub) { // oldest first
			if d.Verifier != nil {
				out = append(out, deviceOut(d))
			}
		}
		return map[string]any{"Devices": out}, nil
	})
}

func (o *ops) getDevice(c *emulator.Call) (any, error) {
	return o.withDevice(c, false, func(tx *state.Tx, in *deviceInput, p *state.Pool, u *state.User) (any, error) {
		d := userDevice(tx, p, u, in.DeviceKey)
		if d == nil {
			return nil, wire.ResourceNotFound("Device does not exist.")
		}
		return map[string]any{"Device": deviceOut(d)}, nil
	})
}
