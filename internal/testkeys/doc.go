// Package testkeys hands tests fixed RSA keys, so that no test process
// spends its first second generating 2048-bit keys (60 ms each on an idle
// machine, over 200 ms under -race and load, for every process of the
// suite).
//
// The keys are in rsa2048.pem, generated once with
//
//	for i in $(seq 12); do openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048; done
//
// They are public: only tests may use them, never a server that signs
// anything real.
package testkeys
