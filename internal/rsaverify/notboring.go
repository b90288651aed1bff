//go:build !boringcrypto

package rsaverify

import "crypto/fips140"

// stdOnly reports whether every verification must go through crypto/rsa:
// with the Go FIPS 140-3 module enabled (GODEBUG=fips140=on or only), the
// validated module must do the arithmetic, and this package's copy of it
// is not that module.
func stdOnly() bool { return fips140.Enabled() }
