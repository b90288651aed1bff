package userpool

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// Federation: what the identity-provider operations and managed login
// share about the users of third-party identity providers.

// Identity provider types.
const (
	ProviderOIDC     = "OIDC"
	ProviderSAML     = "SAML"
	ProviderGoogle   = "Google"
	ProviderFacebook = "Facebook"
	ProviderAmazon   = "LoginWithAmazon"
	ProviderApple    = "SignInWithApple"
)

// StatusExternalProvider is the status of a user created by a sign-in
// with an identity provider.
const StatusExternalProvider = "EXTERNAL_PROVIDER"

// SubjectAttribute is the ProviderAttributeName of an OIDC or social
// provider's user in AdminLinkProviderForUser: the user's subject.
const SubjectAttribute = "Cognito_Subject"

// IdentitiesAttribute is the user attribute that lists a user's linked
// provider identities, as JSON; ID tokens carry it as the array claim
// "identities".
const IdentitiesAttribute = "identities"

// FederatedUsername returns the username Cognito gives the user of a
// provider: "{provider}_{subject}".
func FederatedUsername(provider, subject string) string { return provider + "_" + subject }

// ProviderGroup returns the name of the group Cognito creates for the
// users of a provider: "{pool ID}_{provider}".
func ProviderGroup(poolID, provider string) string { return poolID + "_" + provider }

// FederatedIdentity is an element of the identities attribute, with
// Cognito's field names and string values.
type FederatedIdentity struct {
	UserID       string  `json:"userId"`
	ProviderName string  `json:"providerName"`
	ProviderType string  `json:"providerType"`
	Issuer       *string `json:"issuer"`
	Primary      string  `json:"primary"`     // "true" or "false"
	DateCreated  string  `json:"dateCreated"` // milliseconds since the epoch
}

// NewIdentity returns the identity of a provider's user, created at t.
func NewIdentity(idp *state.IdentityProvider, subject string, primary bool, t time.Time) FederatedIdentity {
	return FederatedIdentity{UserID: subject, ProviderName: idp.Name, ProviderType: idp.Type, Primary: strconv.FormatBool(primary),
		DateCreated: strconv.FormatInt(t.UnixMilli(), 10)}
}

// Identities returns the identities of u (none when its attribute is
// absent or malformed).
func Identities(u *state.User) []FederatedIdentity {
	var ids []FederatedIdentity
	if v := u.Attributes[IdentitiesAttribute]; v != "" {
		if json.Unmarshal([]byte(v), &ids) != nil {
			return nil
		}
	}
	return ids
}

// SetIdentities sets the identities attribute of u (a clone), or removes
// it when ids is empty.
func SetIdentities(u *state.User, ids []FederatedIdentity) {
	if len(ids) == 0 {
		delete(u.Attributes, IdentitiesAttribute)
		return
	}
	b, _ := json.Marshal(ids) // plain strings: cannot fail
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	u.Attributes[IdentitiesAttribute] = string(b)
}

// identitiesClaim returns the identities attribute as the ID token's
// claim: a JSON array.
func identitiesClaim(v string) (any, bool) {
	var ids []map[string]any
	if err := json.Unmarshal([]byte(v), &ids); err != nil {
		return nil, false
	}
	return ids, true
}

// ProviderByIdentifier returns the identity provider of a pool with the
// IdP identifier id (compared without case), or nil.
func ProviderByIdentifier(tx *state.Tx, poolID, id string) *state.IdentityProvider {
	for _, p := range tx.IdentityProviders(poolID) {
		if slices.ContainsFunc(p.Identifiers, func(x string) bool { return strings.EqualFold(x, id) }) {
			return p
		}
	}
	return nil
}

// ApplePrivateKey parses the private_key of a SignInWithApple provider: a
// PEM (or bare base64) PKCS #8 P-256 key, with which the emulator signs
// the client secret JWT, as Cognito does.
func ApplePrivateKey(s string) (*ecdsa.PrivateKey, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "-----BEGIN") {
		s = "-----BEGIN PRIVATE KEY-----\n" + s + "\n-----END PRIVATE KEY-----"
	}
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, errors.New("not a PEM private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, errors.New("not a PKCS #8 private key")
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve.Params().Name != "P-256" {
		return nil, errors.New("not a P-256 (ES256) key")
	}
	return ek, nil
}
