package srp

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
)

// NewDeviceSecret creates the secret of a remembered device, as the client
// does before ConfirmDevice: a random password (base64 of 40 random bytes), a
// salt (PAD of 16 random bytes) and the verifier
// PAD(g^x mod N) with x = H(saltHex || H(deviceGroupKey || deviceKey || ":" ||
// password)).
//
// salt and verifier are raw bytes: base64-encode them for
// DeviceSecretVerifierConfig.Salt and .PasswordVerifier. Keep password secret
// and store it with the device key and group key; [Client.PasswordKey] with
// (deviceGroupKey, deviceKey, password) answers DEVICE_PASSWORD_VERIFIER.
func NewDeviceSecret(rand io.Reader, deviceGroupKey, deviceKey string) (password string, salt []byte, verifier []byte, err error) {
	if deviceGroupKey == "" || deviceKey == "" {
		return "", nil, nil, fmt.Errorf("%w: device group key and device key must not be empty", ErrInvalidArgument)
	}
	if rand == nil {
		return "", nil, nil, fmt.Errorf("%w: nil random source", ErrInvalidArgument)
	}
	var buf [40 + 16]byte
	if _, err := io.ReadFull(rand, buf[:]); err != nil {
		return "", nil, nil, fmt.Errorf("%w: %w", ErrRandom, err)
	}
	password = base64.StdEncoding.EncodeToString(buf[:40])
	s := new(big.Int).SetBytes(buf[40:])
	salt = Pad(s)
	v := Verifier(deviceGroupKey, deviceKey, password, s)
	return password, salt, Pad(v), nil
}

// DeviceSaltHex returns the SALT hex a server sends in DEVICE_PASSWORD_VERIFIER
// for salt bytes received in DeviceSecretVerifierConfig.Salt.
func DeviceSaltHex(salt []byte) string { return hex.EncodeToString(salt) }
