package verifier

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Limits of [Claims.Identities].
const (
	// MaxIdentities is the largest number of entries Identities reads.
	// Cognito links at most a handful of provider identities to a user.
	MaxIdentities = 64
	// maxIdentityField bounds each string of an entry, in bytes.
	maxIdentityField = 2048
)

// Identity is one federated identity of a user: an entry of the identities
// claim that Cognito puts in the ID tokens of users who signed in through
// an identity provider (Google, Facebook, SignInWithApple, LoginWithAmazon,
// an OIDC or SAML provider), or whose account was linked to one
// (AdminLinkProviderForUser).
type Identity struct {
	// UserID is the user's ID at the provider (its sub, for OIDC).
	UserID string
	// ProviderName is the provider's name in the user pool ("Google",
	// "MyOIDC"). The federated user's username is ProviderName + "_" +
	// UserID.
	ProviderName string
	// ProviderType is "Google", "Facebook", "SignInWithApple",
	// "LoginWithAmazon", "OIDC" or "SAML".
	ProviderType string
	// Issuer is the provider's issuer (SAML metadata or OIDC issuer);
	// empty for social providers, where Cognito sends null.
	Issuer string
	// Primary reports whether this identity is the one the user signed in
	// with first.
	Primary bool
	// DateCreated is when the identity was linked; zero when absent.
	DateCreated time.Time
}

// Identities returns the identities claim of an ID token: nil (and no
// error) when the claim is absent or null, as for users of the pool's own
// directory. Cognito sends a JSON array of objects with the members
// userId, providerName, providerType, issuer, primary ("true" or
// "false") and dateCreated (milliseconds since 1970, as a string); this
// reads the array also when it is encoded in a JSON string, and primary
// and dateCreated also as a JSON boolean and number. Member names match
// exactly; other members are ignored.
//
// An identities claim that is not of that shape, has more than
// [MaxIdentities] entries or an entry with a string longer than 2048
// bytes gives an error matching [ErrMalformed]. The claims are those the
// verifier verified: Identities does not verify anything again.
func (c *Claims) Identities() ([]Identity, error) {
	raw, ok := c.Get("identities")
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, reject(ErrMalformed, "the identities claim is not valid JSON")
		}
		raw = json.RawMessage(s)
		if strings.TrimSpace(s) == "" || strings.TrimSpace(s) == "null" {
			return nil, nil
		}
	}
	var entries []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, reject(ErrMalformed, "the identities claim is not an array of objects")
	}
	if len(entries) > MaxIdentities {
		return nil, rejectf(ErrMalformed, "the identities claim has %d entries; the limit is %d", len(entries), MaxIdentities)
	}
	out := make([]Identity, 0, len(entries))
	for i, e := range entries {
		if e == nil {
			return nil, rejectf(ErrMalformed, "identities[%d] is not an object", i)
		}
		var id Identity
		var err error
		for _, f := range []struct {
			name string
			dst  *string
		}{{"userId", &id.UserID}, {"providerName", &id.ProviderName}, {"providerType", &id.ProviderType}, {"issuer", &id.Issuer}} {
			if *f.dst, err = identityString(e[f.name]); err != nil {
				return nil, rejectf(ErrMalformed, "identities[%d].%s: %v", i, f.name, err)
			}
		}
		if id.Primary, err = identityBool(e["primary"]); err != nil {
			return nil, rejectf(ErrMalformed, "identities[%d].primary: %v", i, err)
		}
		if id.DateCreated, err = identityMillis(e["dateCreated"]); err != nil {
			return nil, rejectf(ErrMalformed, "identities[%d].dateCreated: %v", i, err)
		}
		out = append(out, id)
	}
	return out, nil
}

type identityErr string

func (e identityErr) Error() string { return string(e) }

func identityString(raw json.RawMessage) (string, error) {
	if raw == nil || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", identityErr("not a string")
	}
	if len(s) > maxIdentityField {
		return "", identityErr("longer than 2048 bytes")
	}
	return s, nil
}

func identityBool(raw json.RawMessage) (bool, error) {
	switch string(raw) {
	case "", "null", "false", `"false"`:
		return false, nil
	case "true", `"true"`:
		return true, nil
	}
	return false, identityErr(`not true, false, "true" or "false"`)
}

// identityMillis reads milliseconds since 1970, as a string or a number.
func identityMillis(raw json.RawMessage) (time.Time, error) {
	s := string(raw)
	if s == "" || s == "null" {
		return time.Time{}, nil
	}
	if s[0] == '"' {
		if json.Unmarshal(raw, &s) != nil {
			return time.Time{}, identityErr("not a string")
		}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	// Up to the year 9999; negative dates are not meaningful here.
	if err != nil || ms < 0 || ms > 253402300799999 {
		return time.Time{}, identityErr("not milliseconds since 1970")
	}
	return time.UnixMilli(ms).UTC(), nil
}
