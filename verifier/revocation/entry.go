package revocation

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/verifier"
)

// Entry is one revocation, in one of Cognito's two shapes.
//
//   - OriginJTI set: the tokens of one sign-in. Revoking a refresh token
//     (RevokeToken, /oauth2/revoke) kills it and every access and ID token
//     issued from it, which all carry its origin_jti claim.
//   - Subject and IssuedBefore set: every token of a user (sub) issued
//     (iat) before IssuedBefore, as GlobalSignOut and
//     AdminUserGlobalSignOut (and disabling or deleting the user) do.
type Entry struct {
	// OriginJTI is the origin_jti claim of the revoked tokens.
	OriginJTI string `json:"o,omitempty"`
	// Subject is the sub claim of a user signed out everywhere.
	Subject string `json:"s,omitempty"`
	// IssuedBefore: the user's tokens with an iat before it are revoked.
	// Required with Subject. Tokens carry iat in whole seconds, so a token
	// issued in the same second just after the sign-out is refused too:
	// the user signs in again, which is the safe side.
	IssuedBefore time.Time `json:"b,omitzero"`
	// Expires is when the entry may be forgotten because every token it
	// covers has expired. Optional. Default: the revocation time
	// (IssuedBefore for user entries) plus Config.MaxTokenLifetime.
	Expires time.Time `json:"e,omitzero"`
}

// maxValue bounds OriginJTI and Subject (Cognito's are 36-byte UUIDs).
const maxValue = 128

// check validates e.
func (e Entry) check() error {
	switch {
	case e.OriginJTI == "" && e.Subject == "":
		return fmt.Errorf("%w: set OriginJTI (one sign-in) or Subject and IssuedBefore (every sign-in of a user)", ErrInvalidEntry)
	case e.OriginJTI != "" && e.Subject != "":
		return fmt.Errorf("%w: set OriginJTI or Subject, not both; use two entries", ErrInvalidEntry)
	case len(e.OriginJTI) > maxValue || len(e.Subject) > maxValue:
		return fmt.Errorf("%w: OriginJTI and Subject are at most %d bytes", ErrInvalidEntry, maxValue)
	case e.Subject != "" && e.IssuedBefore.IsZero():
		return fmt.Errorf("%w: a Subject entry needs IssuedBefore (usually the time of the sign-out)", ErrInvalidEntry)
	}
	for _, s := range []string{e.OriginJTI, e.Subject} {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x21 || s[i] > 0x7e {
				return fmt.Errorf("%w: OriginJTI and Subject must be printable ASCII without spaces", ErrInvalidEntry)
			}
		}
	}
	return nil
}

// Revoker records revocations. A [*List] implements it, and the
// application's sign-out paths take one (weblogin.Config.Revoker,
// srpclient.Config.Revoker, the CLI's --redis flag) so that every sign-out
// it performs is refused by the verifier at once.
//
// Revoke must be safe for concurrent use. It returns nil once the entry is
// in force in this process and, with a shared list, acknowledged by the
// shared store.
type Revoker interface {
	Revoke(ctx context.Context, e Entry) error
}

// EntryForToken returns the Entry that revokes the sign-in token belongs
// to: its origin_jti. token is an access or ID token that this application
// obtained itself (from a sign-in, a refresh, or its own session store):
// its signature is NOT checked, so never pass a token a client sent you,
// which could name someone else's sign-in. It fails with ErrInvalidEntry
// for something that is not a JWT or carries no origin_jti (tokens of
// pools older than 2021 may lack it; revoke the user with [EntryForUser]).
func EntryForToken(token string) (Entry, error) {
	c, err := claimsOf(token)
	if err != nil {
		return Entry{}, err
	}
	if c.OriginJTI == "" {
		return Entry{}, fmt.Errorf("%w: the token has no origin_jti claim; revoke its user (EntryForUser) instead", ErrInvalidEntry)
	}
	e := Entry{OriginJTI: c.OriginJTI}
	return e, e.check()
}

// EntryForUser returns the Entry that revokes every token of the user who
// owns token (its sub) issued before at, as a global sign-out at that time
// does. The same caveat as [EntryForToken] applies: token must be one this
// application obtained itself.
func EntryForUser(token string, at time.Time) (Entry, error) {
	c, err := claimsOf(token)
	if err != nil {
		return Entry{}, err
	}
	if c.Subject == "" {
		return Entry{}, fmt.Errorf("%w: the token has no sub claim", ErrInvalidEntry)
	}
	e := Entry{Subject: c.Subject, IssuedBefore: at}
	return e, e.check()
}

func claimsOf(token string) (*verifier.Claims, error) {
	if len(token) > 64<<10 {
		return nil, fmt.Errorf("%w: the token is longer than 64 KiB", ErrInvalidEntry)
	}
	_, rest, ok1 := strings.Cut(token, ".")
	payload, _, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%w: not a JWT (three dot-separated parts)", ErrInvalidEntry)
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: the token's payload is not base64url", ErrInvalidEntry)
	}
	c, err := verifier.ParseUnverifiedClaims(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidEntry, err)
	}
	return c, nil
}
