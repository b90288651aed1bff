package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/cognitokit/cognitokit/verifier"
)

// VerifyIDToken verifies an ID token of this client: signature, issuer,
// audience (the client ID), token_use and expiry, and, when nonce is not
// empty, that its nonce claim equals nonce. When accessToken is not empty
// and the token carries at_hash, at_hash must match it.
//
// Errors match ErrInvalidIDToken (and the verifier's sentinel, or
// ErrNonceMismatch, ErrAtHashMismatch), or ErrUnavailable when the keys
// could not be fetched.
func (c *Client) VerifyIDToken(ctx context.Context, idToken, accessToken, nonce string) (*verifier.Claims, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if idToken == "" || len(idToken) > MaxTokenSize {
		return nil, inputErr("ID token: want 1 to %d bytes", MaxTokenSize)
	}
	return c.verifyIDToken(ctx, "verify ID token", idToken, accessToken, nonce, nonce != "")
}

func (c *Client) verifyIDToken(ctx context.Context, op, idToken, accessToken, nonce string, checkNonce bool) (*verifier.Claims, error) {
	v, err := c.idTokenVerifier(op)
	if err != nil {
		return nil, err
	}
	claims, err := v.Verify(ctx, idToken)
	if err != nil {
		if errors.Is(err, verifier.ErrKeysUnavailable) {
			return nil, fmt.Errorf("%w: ID token keys: %w", ErrUnavailable, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidIDToken, err)
	}
	if claims == nil { // a custom Config.IDTokenVerifier
		return nil, fmt.Errorf("%w: the ID token verifier returned no claims and no error", ErrInvalidIDToken)
	}
	if claims.TokenUse != verifier.TokenUseID {
		return nil, fmt.Errorf("%w: %w: token_use is not id", ErrInvalidIDToken, verifier.ErrWrongTokenUse)
	}
	if claims.ClientID != c.cfg.ClientID {
		return nil, fmt.Errorf("%w: %w: the ID token was issued to another client", ErrInvalidIDToken, verifier.ErrWrongClient)
	}
	if checkNonce {
		got, ok := claims.String("nonce")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(nonce)) != 1 {
			return nil, fmt.Errorf("%w: %w: the ID token's nonce is missing or differs from the authorization request's (replayed or injected token)", ErrInvalidIDToken, ErrNonceMismatch)
		}
	}
	if accessToken != "" {
		if _, present := claims.Get("at_hash"); present {
			got, ok := claims.String("at_hash")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(atHash(accessToken))) != 1 {
				return nil, fmt.Errorf("%w: %w: the ID token does not belong to the access token", ErrInvalidIDToken, ErrAtHashMismatch)
			}
		}
	}
	return claims, nil
}

// atHash is the OIDC at_hash of an access token for RS256: the base64url
// left half of its SHA-256.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
