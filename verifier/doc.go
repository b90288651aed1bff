// Package verifier verifies Amazon Cognito user pool ID and access tokens
// locally: signature, issuer, client, token use, expiry, and optional
// group, scope and custom policies, with a JWKS cache that survives
// outages and a verified-token cache that makes repeated tokens cheap.
//
// # Usage
//
// Build one [Verifier] at startup with [New] and share it:
//
//	v, err := verifier.New(verifier.Config{
//		Pools: []verifier.Pool{{
//			UserPoolID: "us-east-1_AbC123",
//			ClientIDs:  []string{"3k8v9ab1c2d3e4f5g6h7i8j9k0"},
//			TokenUse:   verifier.TokenUseAccess,
//		}},
//	})
//	if err != nil { ... }          // wraps ErrInvalidConfig
//	defer v.Close()
//	if err := v.Warm(ctx); err != nil { ... } // optional: fetch keys now
//
//	claims, err := v.Verify(ctx, token)
//	switch {
//	case errors.Is(err, verifier.ErrKeysUnavailable): // 503: retry later
//	case err != nil:                                   // 401 (or 403 for *PolicyError)
//	}
//
// See [Verifier.Verify] for the exact checks and errors.go for the closed
// set of sentinel errors.
package verifier
