package userpool

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// DecodeTOTPSecret decodes a base32 TOTP secret of 16 to 128 characters
// (spaces and padding ignored).
func DecodeTOTPSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.TrimRight(strings.ReplaceAll(secret, " ", ""), "="))
	if len(s) < 16 || len(s) > 128 {
		return nil, errors.New("want 16 to 128 base32 characters")
	}
	k, err := b32.DecodeString(s)
	if err != nil {
		return nil, errors.New("not valid base32")
	}
	return k, nil
}

// TOTPAt returns the RFC 6238 code (SHA-1, 6 digits) of key for a
// 30-second step counter.
func TOTPAt(key []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1000000)
}

// CheckTOTP reports whether code is valid for secret at t, allowing one
// step of clock drift either way, in constant time.
func CheckTOTP(secret, code string, t time.Time) bool {
	k, err := DecodeTOTPSecret(secret)
	if err != nil || len(code) != 6 {
		return false
	}
	c := uint64(t.Unix()) / 30
	ok := 0
	for _, d := range []int64{-1, 0, 1} {
		ok |= subtle.ConstantTimeCompare([]byte(TOTPAt(k, uint64(int64(c)+d))), []byte(code))
	}
	return ok == 1
}

// NewTOTPSecret returns a random 32-character base32 secret (160 bits).
func (s *Service) NewTOTPSecret() string {
	var b [20]byte
	s.MustRead(b[:])
	return b32.EncodeToString(b[:])
}
