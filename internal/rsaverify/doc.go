// Package rsaverify verifies RSASSA-PKCS1-v1_5 signatures (RFC 8017 §8.2,
// the RS256, RS384 and RS512 algorithms of JWS) with the Montgomery
// constants of each modulus computed once, when the key is parsed, instead
// of on every call.
//
// # Why it exists
//
// rsa.VerifyPKCS1v15 takes an *rsa.PublicKey and converts it on every
// call: bigmod.NewModulus computes R² mod n (the function rr), which is
// about a third of the whole verification of a 2048-bit signature. The
// public API of crypto/rsa has nowhere to keep it. A JWT verifier checks
// every token against one of a handful of keys, so it pays that third again
// and again for nothing.
//
// [NewPublicKey] does that work once and keeps it in a [PublicKey]. The
// modulus is checked, and converted, by [filippo.io/bigmod], the standard
// library's own modular arithmetic (crypto/internal/fips140/bigmod)
// published as a module.
//
// [PublicKey.VerifyPKCS1v15] then follows RFC 8017 §8.2.2 literally: the
// signature must be exactly k bytes, s must be below n, m = sᵉ mod n is
// written out as the k-byte EM, and EM is compared whole, with
// subtle.ConstantTimeCompare, against EMSA-PKCS1-v1_5-ENCODE of the
// digest: 0x00 0x01 0xFF… 0x00 DigestInfo digest. Nothing is parsed, so
// the classic lax-parser flaws (garbage after the digest, BER lengths, a
// short padding string, Bleichenbacher's 2006 e = 3 forgery) cannot
// arise. crypto/rsa does the same comparison.
//
// # How fast, and the one piece written by hand
//
// BenchmarkVersusCryptoRSA alternates this package and rsa.VerifyPKCS1v15
// op by op on the same key and signature and reports the ratio of their
// median times (the figures are in the repository's README, produced by
// bench/run.sh). Up to 4096 bits it allocates nothing (crypto/rsa: 9
// allocations).
//
// Caching the modulus alone leaves the exponentiation, which through
// bigmod's API costs 19 Montgomery multiplications for e = 65537 (into
// the Montgomery domain, 16 squarings, one multiplication, out of the
// domain): about two thirds of rsa.VerifyPKCS1v15. bigmod exports only
// operations on ordinary residues, so no caller can skip a conversion, and
// it has no squaring. So on amd64 with ADX and BMI2 (every x86-64 server
// CPU since 2015), the exponentiation is this package's own, in mont.go:
//   - s itself is taken as the Montgomery form of s·R⁻¹, so the chain
//     ends with s^e·R^(1−e), and one multiplication by the per-key
//     constant R^e mod n gives s^e: one multiplication replaces the two
//     conversions;
//   - squarings compute each cross product once, about three quarters of
//     the work of a multiplication;
//   - the assembly (mont_amd64.s) is one row operation, z += x·y over n
//     limbs with MULX and the ADCX/ADOX carry chains, and the two loops
//     over it: a Montgomery reduction and a square's cross products, so
//     that an operation is one call, not sixty-four. The rest is Go;
//   - all of it is variable-time: a verification handles only public
//     values (signature, key and digest), as crypto/rsa's own
//     ExpShortVarTime does.
//
// Elsewhere (other architectures, the purego build tag, CPUs without ADX)
// bigmod's ExpShortVarTime does the exponentiation, as before. Both paths
// are tested against math/big and against crypto/rsa (see Security).
//
// # What it covers
//
// The fast path covers the SHA-2 family (SHA-224, SHA-256, SHA-384,
// SHA-512, SHA-512/224, SHA-512/256) and SHA-3 (SHA3-224 to SHA3-512), any
// modulus from [MinBits] to [MaxBits] bits, and any odd public exponent
// from 3 to 2³¹−1 (the exponents crypto/rsa accepts; 3, 17 and 65537 are
// all tested).
//
// Everything else goes through rsa.VerifyPKCS1v15, so the verdict is always
// crypto/rsa's:
//   - crypto.Hash(0) (the data is signed directly), MD5, SHA-1, MD5+SHA1,
//     RIPEMD-160, and hashes without a DigestInfo (which crypto/rsa
//     rejects);
//   - every verification when a validated module must do the arithmetic:
//     Go's FIPS 140-3 mode (GODEBUG=fips140=on or only) or a BoringCrypto
//     build. Neither this package's arithmetic nor its copy of bigmod is
//     the validated module.
//
// It does not do RSASSA-PSS (PS256, …): use rsa.VerifyPSS. It does not
// sign or encrypt.
//
// It differs from crypto/rsa on purpose in four places: an unknown
// crypto.Hash value returns [ErrUnsupportedHash] where crypto/rsa panics;
// keys above [MaxBits] are refused, to bound the cost of one verification
// under a key that came from outside; GODEBUG=rsa1024min=0 does not lower
// [MinBits]; and a negative modulus is refused where crypto/rsa would use
// its absolute value.
//
// # Security
//
// This is security-critical code, tested accordingly:
//   - TestMulAddRow checks the assembly against math/big and a Go loop for
//     every length from 1 to 40 limbs, with random, all-ones and sparse
//     limbs; TestMontArithmetic checks multiplication, squaring and
//     exponentiation against math/big on moduli of 1 to 65 limbs,
//     including the largest of each length (which makes the reduction
//     carry), operands 0, 1, 2, n−2 and n−1, and exponents 3, 17, 65537,
//     2³¹−1 and random ones;
//   - FuzzDifferential checks that the verdict equals crypto/rsa's on
//     random and mutated signatures of every length, signatures of mutated
//     encoded messages (signed with the raw private operation, so they get
//     past the exponentiation), s = 0, 1, n−1, n, n+1 and neighbours,
//     cube roots under e = 3, random moduli and exponents, and every hash
//     value;
//   - testdata/vectors.json holds known-answer vectors for every key in
//     testdata/keys.json (1024 to 4096 bits, odd sizes that take bigmod's
//     generic code, e = 3, 17, 257 and 2³¹−1) and Wycheproof-style
//     malformed encodings: wrong or missing DigestInfo fields, BER and
//     indefinite lengths, padding of the wrong type or length, trailing
//     garbage, a missing separator, and an e = 3 forgery;
//   - TestEveryEncodedByteMatters flips every byte of a valid encoded
//     message in turn.
//
// The inputs of a verification (signature, digest and key) are public, so
// timing leaks nothing secret; the comparison is constant-time anyway.
// Nothing panics on any input, including a nil or zero [PublicKey].
//
// # Use
//
// Build a [PublicKey] once per key, when the key set is parsed, and share
// it: it is read-only, and its methods are safe for concurrent use.
//
//	k, err := rsaverify.NewPublicKey(pub) // at JWKS parse time
//	...
//	digest := sha256.Sum256(signingInput)
//	if err := k.VerifyPKCS1v15(crypto.SHA256, digest[:], sig); err != nil {
//		// errors.Is(err, rsaverify.ErrVerification): a bad signature
//	}
package rsaverify
