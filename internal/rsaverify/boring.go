//go:build boringcrypto

package rsaverify

import (
	"crypto/boring"
	"crypto/fips140"
)

// stdOnly reports whether every verification must go through crypto/rsa:
// in a BoringCrypto build crypto/rsa uses the BoringSSL module, and with
// the Go FIPS 140-3 module enabled the validated module must do the
// arithmetic.
func stdOnly() bool { return boring.Enabled() || fips140.Enabled() }
