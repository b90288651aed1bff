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
// arithmetic is [filippo.io/bigmod], the standard library's own
// constant-time modular arithmetic (crypto/internal/fips140/bigmod)
// published as a module: the same code, with the same exponentiation
// (ExpShortVarTime) crypto/rsa uses. Nothing about the math is new.
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
// # How fast, and why not faster
//
// BenchmarkVersusCryptoRSA alternates this package and rsa.VerifyPKCS1v15
// op by op on the same key and signature and reports the ratio of their
// median times (the figures are in the repository's README, produced by
// bench/run.sh). Up to 2048 bits it allocates nothing (crypto/rsa: 9
// allocations). What is left is the exponentiation itself: s^65537 costs
// 19 Montgomery multiplications in ExpShortVarTime (the conversion of s
// into the Montgomery domain, 16 squarings, one multiplication and the
// conversion out), exactly as in crypto/rsa, and bigmod's public API can
// do no fewer: every exported operation takes and returns ordinary
// residues, so any exponentiation through it pays both conversions, and
// [filippo.io/bigmod.Nat.Mul] costs two Montgomery multiplications.
//
// Going further needs bigmod's internals, and was evaluated with a
// prototype (a patched copy of bigmod, not in this repository): treat s
// itself as the Montgomery form of s/R and run the chain (17
// multiplications), which gives s^e·R^(1−e); compare it with
// EM·R^(1−e), computed from per-key constants as a precomputed residue
// for the fixed part of EM (padding and DigestInfo) plus a short
// Montgomery multiplication of the 4 to 8 words of the digest. That saves
// 2 of the 19 multiplications, about a tenth of the time; a dedicated
// squaring built from bigmod's 1024-bit kernel saved about 2% more. The
// price is a vendored fork of bigmod, thousands of lines of generated
// assembly for every architecture, in a package whose upstream is the
// standard library's own FIPS module; or a go:linkname into its
// unexported assembly, which breaks silently when bigmod changes. Neither
// is worth a tenth. A real step beyond this takes what OpenSSL has and
// bigmod lacks: a Montgomery squaring written in assembly.
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
//     build. This package's copy of bigmod is not the validated module.
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
