package state

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
)

// The records of federation (issue 15): the identity providers of a pool
// and the links AdminLinkProviderForUser makes from a provider's user to a
// user of the pool.

// IdentityProvider is a third-party identity provider of a pool: OIDC,
// SAML or a social provider (Google, Facebook, LoginWithAmazon,
// SignInWithApple).
type IdentityProvider struct {
	PoolID string `json:"pool_id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	// Details are the ProviderDetails, including the endpoints Cognito
	// fills in (from the OIDC discovery document, or a social
	// provider's own).
	Details map[string]string `json:"details,omitempty"`
	// AttributeMapping maps user pool attributes to the provider's
	// attributes (claims); "username" names the claim of the user's ID at
	// the provider.
	AttributeMapping map[string]string `json:"attribute_mapping,omitempty"`
	Identifiers      []string          `json:"identifiers,omitempty"` // IdpIdentifiers
	CreatedAt        time.Time         `json:"created_at"`
	ModifiedAt       time.Time         `json:"modified_at"`
}

// Clone returns a deep copy.
func (p *IdentityProvider) Clone() *IdentityProvider {
	c := *p
	c.Details = maps.Clone(p.Details)
	c.AttributeMapping = maps.Clone(p.AttributeMapping)
	c.Identifiers = slices.Clone(p.Identifiers)
	return &c
}

// ProviderLink links a user of an identity provider (the source, named by
// an attribute of the provider, Cognito_Subject for OIDC and social
// providers) to a user of the pool (the destination): the provider's user
// signs in as the destination user.
type ProviderLink struct {
	PoolID         string    `json:"pool_id"`
	Provider       string    `json:"provider"`
	AttributeName  string    `json:"attribute_name"`
	AttributeValue string    `json:"attribute_value"`
	Username       string    `json:"username"` // the destination user's
	Sub            string    `json:"sub"`      // the destination user's
	CreatedAt      time.Time `json:"created_at"`
}

// The kinds of the records above.
const (
	KindIdentityProvider Kind = "identity_providers" // key: pool ID "/" provider name
	KindProviderLink     Kind = "provider_links"     // key: pool ID, provider, attribute name and value, separated by NUL
)

type idpTables struct {
	providers *table[IdentityProvider]
	links     *table[ProviderLink]
}

func linkRecordKey(l *ProviderLink) string {
	return l.PoolID + "\x00" + l.Provider + "\x00" + l.AttributeName + "\x00" + l.AttributeValue
}

func (s *State) newIdPTables() []anyTable {
	t := &s.idpTables
	t.providers = newTable(KindIdentityProvider, func(r *IdentityProvider) string { return r.PoolID }, func(r *IdentityProvider) string { return r.PoolID }, nil)
	t.providers.keyOf = func(r *IdentityProvider) string { return r.PoolID + "/" + r.Name }
	t.links = newTable(KindProviderLink, func(r *ProviderLink) string { return r.PoolID }, func(r *ProviderLink) string { return r.PoolID }, nil)
	t.links.keyOf = linkRecordKey
	return []anyTable{t.providers, t.links}
}

// deleteIdPRecords deletes the identity providers and links of a pool.
func (tx *Tx) deleteIdPRecords(poolID string) {
	t := &tx.s.idpTables
	for _, k := range t.providers.keysOfPool(poolID) {
		put(tx, t.providers, k, nil)
	}
	for _, k := range t.links.keysOfPool(poolID) {
		put(tx, t.links, k, nil)
	}
}

// IdentityProvider returns an identity provider of a pool, or nil.
func (tx *Tx) IdentityProvider(poolID, name string) *IdentityProvider {
	return tx.s.idpTables.providers.get(poolID + "/" + name)
}

// IdentityProviders returns the identity providers of a pool, by creation
// date and name.
func (tx *Tx) IdentityProviders(poolID string) []*IdentityProvider {
	return sorted(tx.s.idpTables.providers.children[poolID], func(a, b *IdentityProvider) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Name, b.Name))
	})
}

// PutIdentityProvider stores p.
func (tx *Tx) PutIdentityProvider(p *IdentityProvider) {
	put(tx, tx.s.idpTables.providers, p.PoolID+"/"+p.Name, p)
}

// DeleteIdentityProvider deletes p.
func (tx *Tx) DeleteIdentityProvider(p *IdentityProvider) {
	put[IdentityProvider](tx, tx.s.idpTables.providers, p.PoolID+"/"+p.Name, nil)
}

// ProviderLink returns the link of a provider's user, or nil.
func (tx *Tx) ProviderLink(poolID, provider, attrName, attrValue string) *ProviderLink {
	return tx.s.idpTables.links.get(linkRecordKey(&ProviderLink{PoolID: poolID, Provider: provider, AttributeName: attrName, AttributeValue: attrValue}))
}

// ProviderLinks returns the links of a pool, by creation date.
func (tx *Tx) ProviderLinks(poolID string) []*ProviderLink {
	return sorted(tx.s.idpTables.links.children[poolID], func(a, b *ProviderLink) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(linkRecordKey(a), linkRecordKey(b)))
	})
}

// PutProviderLink stores l.
func (tx *Tx) PutProviderLink(l *ProviderLink) { put(tx, tx.s.idpTables.links, linkRecordKey(l), l) }

// DeleteProviderLink deletes l.
func (tx *Tx) DeleteProviderLink(l *ProviderLink) {
	put[ProviderLink](tx, tx.s.idpTables.links, linkRecordKey(l), nil)
}
