package cognitotest

import (
	"fmt"
	"maps"
	"slices"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// SeedIdentityProvider is an identity provider of a seed pool (see
// [IdentityProviderConfig]). Providers are created before the app clients,
// which may then name them in identity_providers. An OIDC provider whose
// endpoints are not all given is discovered from its oidc_issuer when the
// seed is applied; an export gives them all.
type SeedIdentityProvider struct {
	Name             string            `json:"name"`
	Type             string            `json:"type"`
	Details          map[string]string `json:"details,omitempty"`
	AttributeMapping map[string]string `json:"attribute_mapping,omitempty"`
	Identifiers      []string          `json:"identifiers,omitempty"`
}

// seedIdPSchema is the seed's shape of an identity provider.
var seedIdPSchema = map[string]string{"name": "string", "type": "string", "details": "{string}", "attribute_mapping": "{string}", "identifiers": "[string]"}

// checkIdentityProviders checks what ParseSeed can of a pool's identity
// providers; the operation checks the rest when the seed is applied.
func (c *seedCheck) checkIdentityProviders(sp *SeedPool, pp string) {
	seen := map[string]bool{}
	for j, ip := range sp.IdentityProviders {
		path := fmt.Sprintf("%s.identity_providers[%d]", pp, j)
		switch {
		case ip.Name == "":
			c.fail(path+".name", "required")
		case seen[ip.Name]:
			c.fail(path+".name", "%s is given twice", ip.Name)
		}
		seen[ip.Name] = true
		c.one(path+".type", ip.Type, ProviderOIDC, ProviderSAML, ProviderGoogle, ProviderFacebook, ProviderLoginWithAmazon, ProviderSignInWithApple)
	}
}

// applyIdentityProviders creates the identity providers of a seed pool.
func (s *Server) applyIdentityProviders(sp *SeedPool, pp string) error {
	for j, ip := range sp.IdentityProviders {
		p := s.handle(sp.ID)
		err := p.CreateIdentityProvider(IdentityProviderConfig(ip))
		if err != nil {
			return &SeedError{fmt.Sprintf("%s.identity_providers[%d]", pp, j), trimSentinel(err)}
		}
	}
	return nil
}

// exportIdentityProviders adds the identity providers of p to sp.
func exportIdentityProviders(tx *state.Tx, p *state.Pool, sp *SeedPool) {
	for _, ip := range tx.IdentityProviders(p.ID) {
		sip := SeedIdentityProvider{Name: ip.Name, Type: ip.Type, Details: maps.Clone(ip.Details), Identifiers: slices.Clone(ip.Identifiers)}
		// The default username mapping is left out, as a seed leaves it.
		m := maps.Clone(ip.AttributeMapping)
		if len(m) == 1 && m["username"] != "" && ip.Type != userpool.ProviderSAML {
			m = nil
		}
		sip.AttributeMapping = m
		sp.IdentityProviders = append(sp.IdentityProviders, sip)
	}
}

// exportedUser reports whether Export writes u: federated users are left
// out (a sign-in with their provider creates them again).
func exportedUser(u *state.User) bool { return u.Status != userpool.StatusExternalProvider }
