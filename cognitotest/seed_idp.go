package cognitotest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/idp"
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

// SeedLink links a user of one of the pool's identity providers (the
// source) to a seed user, as AdminLinkProviderForUser does: the provider's
// user then signs in as the seed user, whose identities attribute lists
// the link. Links are applied right after their user is created, and
// checked as the operation checks them: a user has at most five, and a
// provider's user is linked to one user of the pool.
type SeedLink struct {
	Provider string `json:"provider"` // the name of one of the pool's identity_providers
	// AttributeName names the provider's user: Cognito_Subject (the
	// default, and the only one for OIDC and social providers) or, for
	// SAML, an attribute of its assertion.
	AttributeName  string `json:"attribute_name,omitempty"`
	AttributeValue string `json:"attribute_value"` // the provider's user: its subject, or the attribute's value
}

// seedLinkSchema is the seed's shape of a link.
var seedLinkSchema = map[string]string{"provider": "string", "attribute_name": "string", "attribute_value": "string"}

// checkLinks checks a user's links against the pool's identity providers;
// linked holds the provider users linked so far in the pool.
func (c *seedCheck) checkLinks(sp *SeedPool, links []SeedLink, up string, linked map[string]bool) {
	if len(links) > idp.MaxLinksPerUser {
		c.fail(up+".links", "%d links; a user can be linked to at most %d provider users", len(links), idp.MaxLinksPerUser)
	}
	for k, l := range links {
		lp := fmt.Sprintf("%s.links[%d]", up, k)
		if !slices.ContainsFunc(sp.IdentityProviders, func(ip SeedIdentityProvider) bool { return ip.Name == l.Provider }) {
			c.fail(lp+".provider", "%q is not one of the pool's identity_providers", truncate(l.Provider, 64))
		}
		if l.AttributeValue == "" || len(l.AttributeValue) > idp.MaxLinkValueBytes {
			c.fail(lp+".attribute_value", "want the provider's user ID, 1 to %d characters", idp.MaxLinkValueBytes)
		}
		key := l.Provider + "\x00" + cmp.Or(l.AttributeName, userpool.SubjectAttribute) + "\x00" + l.AttributeValue
		if linked[key] {
			c.fail(lp, "the provider's user %q is linked twice; link it to one user", truncate(l.AttributeValue, 64))
		}
		linked[key] = true
	}
}

// applyLinks links a seed user's provider users to it, through
// AdminLinkProviderForUser.
func (s *Server) applyLinks(poolID, username string, links []SeedLink, up string) error {
	for k, l := range links {
		in := map[string]any{"UserPoolId": poolID,
			"DestinationUser": map[string]string{"ProviderName": "Cognito", "ProviderAttributeValue": username},
			"SourceUser": map[string]string{"ProviderName": l.Provider, "ProviderAttributeName": cmp.Or(l.AttributeName, userpool.SubjectAttribute),
				"ProviderAttributeValue": l.AttributeValue}}
		if _, err := s.emu.Invoke(context.Background(), s.reg, emulator.UserPools, "AdminLinkProviderForUser", in); err != nil {
			return &SeedError{fmt.Sprintf("%s.links[%d]", up, k), trimSentinel(err)}
		}
	}
	return nil
}

// exportLinks returns the links of a pool by the sub of the user they
// link to, each user's in a fixed order (provider, attribute, value), so
// that an export applied and exported again gives the same bytes.
func exportLinks(tx *state.Tx, poolID string) map[string][]SeedLink {
	bySub := map[string][]SeedLink{}
	for _, l := range tx.ProviderLinks(poolID) {
		sl := SeedLink{Provider: l.Provider, AttributeValue: l.AttributeValue}
		if l.AttributeName != userpool.SubjectAttribute {
			sl.AttributeName = l.AttributeName
		}
		bySub[l.Sub] = append(bySub[l.Sub], sl)
	}
	for _, ls := range bySub {
		slices.SortFunc(ls, func(a, b SeedLink) int {
			return cmp.Or(strings.Compare(a.Provider, b.Provider), strings.Compare(a.AttributeName, b.AttributeName), strings.Compare(a.AttributeValue, b.AttributeValue))
		})
	}
	return bySub
}
