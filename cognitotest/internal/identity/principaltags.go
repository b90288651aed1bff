package identity

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Attributes for access control: an identity pool maps claims of a
// provider's tokens to principal tags (session tags) of the credentials
// it issues for that provider's logins.

const maxPrincipalTags = 50

// defaultPrincipalTags is the mapping of UseDefaults for a user pool.
var defaultPrincipalTags = map[string]string{"client": "aud", "username": "sub"}

type principalTagWire struct {
	IdentityPoolId       string
	IdentityProviderName string
	UseDefaults          *bool
	PrincipalTags        map[string]string
}

// configuredProvider returns the key under which the pool keeps the
// mapping of a provider the pool accepts, or "".
func (s *Service) configuredProvider(p *state.IdentityPool, prov string) string {
	if _, ok := s.userPoolOf(prov); ok {
		canon := s.canonicalProvider(prov)
		for _, cp := range p.CognitoIdentityProviders {
			if s.canonicalProvider(cp.ProviderName) == canon {
				return canon
			}
		}
		return ""
	}
	if p.SupportedLoginProviders[prov] != "" || slices.Contains(p.OpenIDConnectProviderARNs, prov) || slices.Contains(p.SAMLProviderARNs, prov) {
		return prov
	}
	return ""
}

func (s *Service) principalTagInput(c *emulator.Call) (*principalTagWire, *wire.Error) {
	var in principalTagWire
	if err := c.Decode(&in); err != nil {
		return nil, wire.InvalidParameter("%v", err)
	}
	if n := len(in.IdentityProviderName); n == 0 || n > 128 {
		return nil, wire.InvalidParameter("IdentityProviderName is required (1-128 characters)")
	}
	return &in, nil
}

func principalTagOut(poolID, prov string, m state.PrincipalTagMap) principalTagWire {
	tags := maps.Clone(m.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	use := m.UseDefaults
	return principalTagWire{IdentityPoolId: poolID, IdentityProviderName: prov, UseDefaults: &use, PrincipalTags: tags}
}

// setPrincipalTagAttributeMap sets which claims of a provider's tokens
// become principal tags: PrincipalTags (tag key -> claim), or with
// UseDefaults Cognito's defaults for a user pool ("client" from aud,
// "username" from sub).
func (s *Service) setPrincipalTagAttributeMap(c *emulator.Call) (any, error) {
	in, aerr := s.principalTagInput(c)
	if aerr != nil {
		return nil, aerr
	}
	if len(in.PrincipalTags) > maxPrincipalTags {
		return nil, wire.InvalidParameter("PrincipalTags has %d entries; at most %d", len(in.PrincipalTags), maxPrincipalTags)
	}
	for k, v := range in.PrincipalTags {
		if !tagKeyRE.MatchString(k) || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, wire.InvalidParameter("PrincipalTags: invalid tag key %q", wire.Truncate(k, 64))
		}
		if len(v) == 0 || len(v) > 256 {
			return nil, wire.InvalidParameter("PrincipalTags: the claim of %q must be 1-256 characters", wire.Truncate(k, 64))
		}
	}
	return s.update(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		key := s.configuredProvider(p, in.IdentityProviderName)
		if key == "" {
			return nil, wire.ResourceNotFound("Identity provider %s is not configured for identity pool %s.", wire.Truncate(in.IdentityProviderName, 128), p.ID)
		}
		m := state.PrincipalTagMap{UseDefaults: in.UseDefaults != nil && *in.UseDefaults, Tags: maps.Clone(in.PrincipalTags)}
		np := p.Clone()
		if np.PrincipalTags == nil {
			np.PrincipalTags = map[string]state.PrincipalTagMap{}
		}
		np.PrincipalTags[key] = m
		tx.PutIdentityPool(np)
		return principalTagOut(p.ID, in.IdentityProviderName, m), nil
	})
}

// getPrincipalTagAttributeMap returns a provider's mapping; a provider
// never mapped has none (UseDefaults false, no tags).
func (s *Service) getPrincipalTagAttributeMap(c *emulator.Call) (any, error) {
	in, aerr := s.principalTagInput(c)
	if aerr != nil {
		return nil, aerr
	}
	var out principalTagWire
	err := s.up.State.View(func(tx *state.Tx) error {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return err
		}
		key := s.configuredProvider(p, in.IdentityProviderName)
		if key == "" {
			return wire.ResourceNotFound("Identity provider %s is not configured for identity pool %s.", wire.Truncate(in.IdentityProviderName, 128), p.ID)
		}
		out = principalTagOut(p.ID, in.IdentityProviderName, p.PrincipalTags[key])
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// principalTags returns the principal tags of credentials for the logins
// refs: for each user pool login, the claims its provider's mapping names
// (string claims as they are, others as their JSON text; missing claims
// give no tag).
func (s *Service) principalTags(p *state.IdentityPool, refs []loginRef) map[string]string {
	var out map[string]string
	for _, r := range refs {
		if r.token == nil {
			continue
		}
		m, ok := p.PrincipalTags[r.provider]
		if !ok {
			continue
		}
		mapping := m.Tags
		if m.UseDefaults {
			mapping = defaultPrincipalTags
		}
		for tag, claim := range mapping {
			raw, ok := r.token.Raw(claim)
			if !ok {
				continue
			}
			var v string
			if json.Unmarshal(raw, &v) != nil {
				v = string(raw)
			}
			if len(v) > 256 {
				v = v[:256]
			}
			if out == nil {
				out = map[string]string{}
			}
			out[tag] = v
		}
	}
	return out
}

// tagsClaim returns the https://aws.amazon.com/tags claim of an OpenID
// token carrying principal tags, or nil for none.
func tagsClaim(tags map[string]string) map[string]any {
	if len(tags) == 0 {
		return nil
	}
	pt := map[string]any{}
	for k, v := range tags {
		pt[k] = []string{v}
	}
	return map[string]any{"principal_tags": pt}
}

// tagsOfClaim returns the principal tags of an OpenID token's tags claim
// (see tagsClaim), which STS gives the credentials as session tags.
func tagsOfClaim(claim map[string]any) map[string]string {
	pt, _ := claim["principal_tags"].(map[string]any)
	var out map[string]string
	for k, v := range pt {
		vs, _ := v.([]any)
		if len(vs) != 1 {
			continue
		}
		if s, ok := vs[0].(string); ok {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = s
		}
	}
	return out
}
