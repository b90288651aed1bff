package identity

import (
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Spec describes an identity pool created from Go
// (cognitotest.IdentityPoolConfig), with its defaults applied.
type Spec struct {
	ID                  string // "{region}:{uuid}"; "": a new one
	Pool                PoolWire
	Roles               map[string]string
	RoleMappings        map[string]state.RoleMapping
	CredentialsLifetime time.Duration // 0: DefaultCredentialsLifetime
}

// Create creates an identity pool, as CreateIdentityPool and
// SetIdentityPoolRoles would.
func (s *Service) Create(spec Spec) (*state.IdentityPool, error) {
	if err := validateRoles(spec.Roles); err != nil {
		return nil, emulator.Invalidf("%s", err.Message)
	}
	if len(spec.RoleMappings) > maxRoleMappings {
		return nil, emulator.Invalidf("at most %d role mappings", maxRoleMappings)
	}
	mappings := roleMappingsWire(spec.RoleMappings)
	for prov, m := range mappings {
		if err := validateRoleMapping(prov, m); err != nil {
			return nil, emulator.Invalidf("%s", err.Message)
		}
	}
	if spec.ID != "" && (!identityPoolIDRE.MatchString(spec.ID) || !strings.HasPrefix(spec.ID, s.up.Region()+":")) {
		return nil, emulator.Invalidf("identity pool ID %q: want %s:{uuid}", spec.ID, s.up.Region())
	}
	var p *state.IdentityPool
	err := s.up.State.Update(func(tx *state.Tx) error {
		var aerr *wire.Error
		if p, aerr = s.create(tx, &spec.Pool); aerr != nil {
			return emulator.Invalidf("%s", aerr.Message)
		}
		if spec.ID != "" {
			if tx.IdentityPool(spec.ID) != nil {
				return emulator.Existsf("identity pool %q", spec.ID)
			}
			p.ID = spec.ID
			p.ARN = "arn:aws:cognito-identity:" + s.up.Region() + ":" + TestAccountID + ":identitypool/" + spec.ID
		}
		p.RoleMappings = roleMappingsState(mappings)
		p.Roles = copyMap(spec.Roles)
		if spec.CredentialsLifetime > 0 {
			p.CredentialsLifetime = spec.CredentialsLifetime
		}
		tx.PutIdentityPool(p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// IdentityIDs returns the identity IDs of an identity pool, oldest first.
func (s *Service) IdentityIDs(poolID string) ([]string, error) {
	var out []string
	var ok bool
	s.up.State.View(func(tx *state.Tx) error {
		if ok = tx.IdentityPool(poolID) != nil; ok {
			out = []string{}
			for _, i := range tx.Identities(poolID) {
				out = append(out, i.ID)
			}
		}
		return nil
	})
	if !ok {
		return nil, emulator.NotFoundf("identity pool %q", poolID)
	}
	return out, nil
}

// Issued returns the record of credentials the emulator issued.
func (s *Service) Issued(accessKeyID string) (state.Credentials, bool) {
	var c *state.Credentials
	s.up.State.View(func(tx *state.Tx) error { c = tx.Credentials(accessKeyID); return nil })
	if c == nil {
		return state.Credentials{}, false
	}
	return *c, true
}

// ---- pool management --------------------------------------------------------

func (s *Service) validatePoolWire(in *PoolWire) *wire.Error {
	if !identityPoolNmRE.MatchString(in.IdentityPoolName) {
		return wire.InvalidParameter("1 validation error detected: Value at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+ and length 1-128")
	}
	if in.AllowUnauthenticatedIdentities == nil {
		return wire.InvalidParameter("AllowUnauthenticatedIdentities is required")
	}
	if len(in.SupportedLoginProviders) > maxProviders || len(in.CognitoIdentityProviders) > maxProviders ||
		len(in.OpenIdConnectProviderARNs) > maxProviders || len(in.SamlProviderARNs) > maxProviders {
		return wire.Errorf("LimitExceededException", "too many identity providers (at most %d of each kind)", maxProviders)
	}
	for k, v := range in.SupportedLoginProviders {
		if !loginProviderRE.MatchString(k) || len(v) == 0 || len(v) > 128 {
			return wire.InvalidParameter("SupportedLoginProviders: invalid entry %q", wire.Truncate(k, 64))
		}
	}
	if in.DeveloperProviderName != "" && !developerNameRE.MatchString(in.DeveloperProviderName) {
		return wire.InvalidParameter("DeveloperProviderName must match [\\w._-]+ and be 1-128 characters")
	}
	if isReservedProvider(in.DeveloperProviderName) {
		return wire.InvalidParameter("DeveloperProviderName %q is reserved", in.DeveloperProviderName)
	}
	seen := map[string]bool{}
	for _, p := range in.CognitoIdentityProviders {
		if _, ok := s.userPoolOf(p.ProviderName); !ok {
			return wire.InvalidParameter("CognitoIdentityProviders: ProviderName %q must be cognito-idp.{region}.amazonaws.com/{userPoolId} or the emulator's issuer without its scheme (%s)",
				wire.Truncate(p.ProviderName, 128), s.emulatorProviderName("{userPoolId}"))
		}
		if !idClientIDRE.MatchString(p.ClientId) {
			return wire.InvalidParameter("CognitoIdentityProviders: ClientId must match [\\w_]+ and be 1-128 characters")
		}
		k := p.ProviderName + "\x00" + p.ClientId
		if seen[k] {
			return wire.InvalidParameter("CognitoIdentityProviders: duplicate provider %s with client %s", p.ProviderName, p.ClientId)
		}
		seen[k] = true
	}
	for _, a := range append(append([]string(nil), in.OpenIdConnectProviderARNs...), in.SamlProviderARNs...) {
		if len(a) < 20 || len(a) > 2048 || !strings.HasPrefix(a, "arn:") {
			return wire.InvalidParameter("provider ARN %q is not an ARN", wire.Truncate(a, 64))
		}
	}
	return validateTags(in.IdentityPoolTags)
}

func isReservedProvider(name string) bool {
	return name == CognitoIdentityProviderName || strings.HasPrefix(name, "cognito-idp.") ||
		name == "graph.facebook.com" || name == "accounts.google.com" || name == "www.amazon.com" ||
		name == "api.twitter.com" || name == "appleid.apple.com" || name == "www.digits.com"
}

func validateTags(tags map[string]string) *wire.Error {
	if len(tags) > maxTags {
		return wire.InvalidParameter("at most %d tags", maxTags)
	}
	for k, v := range tags {
		if !tagKeyRE.MatchString(k) || strings.HasPrefix(k, "aws:") {
			return wire.InvalidParameter("invalid tag key %q", wire.Truncate(k, 64))
		}
		if len(v) > 256 {
			return wire.InvalidParameter("tag value of %q is longer than 256 characters", wire.Truncate(k, 64))
		}
	}
	return nil
}

// create makes (but does not store) a new identity pool.
func (s *Service) create(tx *state.Tx, in *PoolWire) (*state.IdentityPool, *wire.Error) {
	if err := s.validatePoolWire(in); err != nil {
		return nil, err
	}
	if len(tx.IdentityPools()) >= maxIdentityPools {
		return nil, wire.Errorf("LimitExceededException", "at most %d identity pools per server", maxIdentityPools)
	}
	region := s.up.Region()
	id := region + ":" + s.up.UUID()
	p := &state.IdentityPool{ID: id, ARN: "arn:aws:cognito-identity:" + region + ":" + TestAccountID + ":identitypool/" + id,
		Roles: map[string]string{}, CredentialsLifetime: DefaultCredentialsLifetime, CreatedAt: s.up.Now()}
	apply(p, in)
	p.Tags = copyMap(in.IdentityPoolTags)
	return p, nil
}

// pool returns the identity pool with the given ID.
func pool(tx *state.Tx, id string) (*state.IdentityPool, *wire.Error) {
	if id == "" {
		return nil, wire.InvalidParameter("IdentityPoolId is required")
	}
	if !identityPoolIDRE.MatchString(id) {
		return nil, wire.InvalidParameter("IdentityPoolId %q is not of the form region:uuid", wire.Truncate(id, 64))
	}
	p := tx.IdentityPool(id)
	if p == nil {
		return nil, wire.ResourceNotFound("IdentityPool '%s' not found.", id)
	}
	return p, nil
}

// view runs fn in a read-only transaction.
func (s *Service) view(fn func(tx *state.Tx) (any, error)) (any, error) {
	var out any
	var err error
	s.up.State.View(func(tx *state.Tx) error { out, err = fn(tx); return nil })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// update runs fn in a read-write transaction.
func (s *Service) update(fn func(tx *state.Tx) (any, error)) (any, error) {
	var out any
	err := s.up.State.Update(func(tx *state.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) createIdentityPool(c *emulator.Call) (any, error) {
	var in PoolWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.update(func(tx *state.Tx) (any, error) {
		p, err := s.create(tx, &in)
		if err != nil {
			return nil, err
		}
		tx.PutIdentityPool(p)
		return poolWire(p), nil
	})
}

type poolIDInput struct{ IdentityPoolId string }

func (s *Service) describeIdentityPool(c *emulator.Call) (any, error) {
	var in poolIDInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.view(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		return poolWire(p), nil
	})
}

func (s *Service) updateIdentityPool(c *emulator.Call) (any, error) {
	var in PoolWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.update(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		if err := s.validatePoolWire(&in); err != nil {
			return nil, err
		}
		if p.DeveloperProviderName != "" && in.DeveloperProviderName != p.DeveloperProviderName {
			return nil, wire.InvalidParameter("DeveloperProviderName cannot be changed once set")
		}
		np := p.Clone()
		apply(np, &in)
		if in.IdentityPoolTags != nil {
			np.Tags = copyMap(in.IdentityPoolTags)
		}
		tx.PutIdentityPool(np)
		return poolWire(np), nil
	})
}

func (s *Service) deleteIdentityPool(c *emulator.Call) (any, error) {
	var in poolIDInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.update(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		tx.DeleteIdentityPool(p.ID)
		return nil, nil
	})
}

// listPage returns the bounds of a list page from a NextToken, which is
// the decimal offset of the next item.
func listPage(maxResults int, nextToken string, n int) (start, end int, next string, err *wire.Error) {
	if maxResults < 1 || maxResults > 60 {
		return 0, 0, "", wire.InvalidParameter("MaxResults must be between 1 and 60")
	}
	if nextToken != "" {
		if len(nextToken) > 10 {
			return 0, 0, "", wire.InvalidParameter("invalid NextToken")
		}
		for _, r := range nextToken {
			if r < '0' || r > '9' {
				return 0, 0, "", wire.InvalidParameter("invalid NextToken")
			}
			start = start*10 + int(r-'0')
		}
		if start > n {
			return 0, 0, "", wire.InvalidParameter("invalid NextToken")
		}
	}
	end = min(start+maxResults, n)
	if end < n {
		next = itoa(end)
	}
	return start, end, next, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func (s *Service) listIdentityPools(c *emulator.Call) (any, error) {
	var in struct {
		MaxResults int
		NextToken  string
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.view(func(tx *state.Tx) (any, error) {
		pools := tx.IdentityPools()
		start, end, next, err := listPage(in.MaxResults, in.NextToken, len(pools))
		if err != nil {
			return nil, err
		}
		type short struct{ IdentityPoolId, IdentityPoolName string }
		out := struct {
			IdentityPools []short
			NextToken     string `json:",omitempty"`
		}{IdentityPools: []short{}, NextToken: next}
		for _, p := range pools[start:end] {
			out.IdentityPools = append(out.IdentityPools, short{p.ID, p.Name})
		}
		return out, nil
	})
}

func validateRoles(roles map[string]string) *wire.Error {
	for k, v := range roles {
		if k != "authenticated" && k != "unauthenticated" {
			return wire.InvalidParameter("Roles: key %q must be authenticated or unauthenticated", wire.Truncate(k, 64))
		}
		if !RoleARNRE.MatchString(v) {
			return wire.InvalidParameter("Roles: %q is not an IAM role ARN", wire.Truncate(v, 128))
		}
	}
	return nil
}

func (s *Service) setIdentityPoolRoles(c *emulator.Call) (any, error) {
	var in struct {
		IdentityPoolId string
		Roles          map[string]string
		RoleMappings   map[string]roleMappingWire
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Roles == nil {
		return nil, wire.InvalidParameter("Roles is required")
	}
	if err := validateRoles(in.Roles); err != nil {
		return nil, err
	}
	if len(in.RoleMappings) > maxRoleMappings {
		return nil, wire.InvalidParameter("at most %d RoleMappings", maxRoleMappings)
	}
	for prov, m := range in.RoleMappings {
		if err := validateRoleMapping(prov, m); err != nil {
			return nil, err
		}
	}
	return s.update(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		np := p.Clone()
		np.Roles = copyMap(in.Roles)
		np.RoleMappings = roleMappingsState(in.RoleMappings)
		tx.PutIdentityPool(np)
		return nil, nil
	})
}

func validateRoleMapping(prov string, m roleMappingWire) *wire.Error {
	if !loginProviderRE.MatchString(prov) {
		return wire.InvalidParameter("RoleMappings: invalid provider %q", wire.Truncate(prov, 64))
	}
	switch m.Type {
	case "Token":
	case "Rules":
		if m.RulesConfiguration == nil || len(m.RulesConfiguration.Rules) == 0 || len(m.RulesConfiguration.Rules) > maxMappingRules {
			return wire.InvalidParameter("RoleMappings[%s]: Rules needs 1 to %d rules", prov, maxMappingRules)
		}
		for _, r := range m.RulesConfiguration.Rules {
			switch r.MatchType {
			case "Equals", "Contains", "StartsWith", "NotEqual":
			default:
				return wire.InvalidParameter("RoleMappings[%s]: MatchType %q must be Equals, Contains, StartsWith or NotEqual", prov, wire.Truncate(r.MatchType, 32))
			}
			if r.Claim == "" || len(r.Claim) > 64 || r.Value == "" || len(r.Value) > 128 || !RoleARNRE.MatchString(r.RoleARN) {
				return wire.InvalidParameter("RoleMappings[%s]: each rule needs a Claim, a Value and a RoleARN", prov)
			}
		}
	default:
		return wire.InvalidParameter("RoleMappings[%s]: Type must be Token or Rules", prov)
	}
	switch m.AmbiguousRoleResolution {
	case "AuthenticatedRole", "Deny":
	default:
		return wire.InvalidParameter("RoleMappings[%s]: AmbiguousRoleResolution must be AuthenticatedRole or Deny", prov)
	}
	return nil
}

func (s *Service) getIdentityPoolRoles(c *emulator.Call) (any, error) {
	var in poolIDInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.view(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		roles := p.Roles
		if roles == nil {
			roles = map[string]string{}
		}
		return struct {
			IdentityPoolId string
			Roles          map[string]string
			RoleMappings   map[string]roleMappingWire `json:",omitempty"`
		}{p.ID, roles, roleMappingsWire(p.RoleMappings)}, nil
	})
}

// ---- identities: describe, list, delete -------------------------------------

func identity(tx *state.Tx, id string) (*state.Identity, *wire.Error) {
	if id == "" {
		return nil, wire.InvalidParameter("IdentityId is required")
	}
	if len(id) > 55 || !identityPoolIDRE.MatchString(id) {
		return nil, wire.InvalidParameter("IdentityId %q is not of the form region:uuid", wire.Truncate(id, 64))
	}
	i := tx.Identity(id)
	if i == nil {
		return nil, wire.ResourceNotFound("Identity '%s' not found.", id)
	}
	return i, nil
}

func (s *Service) describeIdentity(c *emulator.Call) (any, error) {
	var in struct{ IdentityId string }
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.view(func(tx *state.Tx) (any, error) {
		i, err := identity(tx, in.IdentityId)
		if err != nil {
			return nil, err
		}
		return identityWire(i), nil
	})
}

func (s *Service) listIdentities(c *emulator.Call) (any, error) {
	var in struct {
		IdentityPoolId string
		MaxResults     int
		NextToken      string
		HideDisabled   bool
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.view(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		live := tx.Identities(p.ID)
		start, end, next, err := listPage(in.MaxResults, in.NextToken, len(live))
		if err != nil {
			return nil, err
		}
		out := struct {
			IdentityPoolId string
			Identities     []identityDescriptionWire
			NextToken      string `json:",omitempty"`
		}{IdentityPoolId: p.ID, Identities: []identityDescriptionWire{}, NextToken: next}
		for _, i := range live[start:end] {
			out.Identities = append(out.Identities, identityWire(i))
		}
		return out, nil
	})
}

func (s *Service) deleteIdentities(c *emulator.Call) (any, error) {
	var in struct{ IdentityIdsToDelete []string }
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.IdentityIdsToDelete) < 1 || len(in.IdentityIdsToDelete) > 60 {
		return nil, wire.InvalidParameter("IdentityIdsToDelete must have 1 to 60 entries")
	}
	for _, id := range in.IdentityIdsToDelete {
		if !identityPoolIDRE.MatchString(id) {
			return nil, wire.InvalidParameter("IdentityId %q is not of the form region:uuid", wire.Truncate(id, 64))
		}
	}
	return s.update(func(tx *state.Tx) (any, error) {
		type unprocessed struct{ IdentityId, ErrorCode string }
		out := struct{ UnprocessedIdentityIds []unprocessed }{[]unprocessed{}}
		for _, id := range in.IdentityIdsToDelete {
			if tx.Identity(id) == nil {
				out.UnprocessedIdentityIds = append(out.UnprocessedIdentityIds, unprocessed{id, "AccessDenied"})
				continue
			}
			tx.DeleteIdentity(id)
		}
		return out, nil
	})
}

// ---- tags -----------------------------------------------------------------------

func poolByARN(tx *state.Tx, arn string) (*state.IdentityPool, *wire.Error) {
	if arn == "" || len(arn) > 1011 {
		return nil, wire.InvalidParameter("ResourceArn is required (at most 1011 characters)")
	}
	_, id, ok := strings.Cut(arn, ":identitypool/")
	if !ok || !strings.HasPrefix(arn, "arn:aws:cognito-identity:") {
		return nil, wire.InvalidParameter("ResourceArn %q is not an identity pool ARN", wire.Truncate(arn, 128))
	}
	p := tx.IdentityPool(id)
	if p == nil || p.ARN != arn {
		return nil, wire.ResourceNotFound("Resource '%s' not found.", wire.Truncate(arn, 128))
	}
	return p, nil
}

func (s *Service) tagResource(c *emulator.Call) (any, error) {
	var in struct {
		ResourceArn string
		Tags        map[string]string
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, wire.InvalidParameter("Tags is required")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	return s.update(func(tx *state.Tx) (any, error) {
		p, err := poolByARN(tx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		merged := copyMap(p.Tags)
		if merged == nil {
			merged = map[string]string{}
		}
		for k, v := range in.Tags {
			merged[k] = v
		}
		if len(merged) > maxTags {
			return nil, wire.Errorf("LimitExceededException", "an identity pool has at most %d tags", maxTags)
		}
		np := p.Clone()
		np.Tags = merged
		tx.PutIdentityPool(np)
		return nil, nil
	})
}

func (s *Service) untagResource(c *emulator.Call) (any, error) {
	var in struct {
		ResourceArn string
		TagKeys     []string
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.TagKeys) > maxTags {
		return nil, wire.InvalidParameter("at most %d TagKeys", maxTags)
	}
	return s.update(func(tx *state.Tx) (any, error) {
		p, err := poolByARN(tx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		np := p.Clone()
		for _, k := range in.TagKeys {
			delete(np.Tags, k)
		}
		tx.PutIdentityPool(np)
		return nil, nil
	})
}

func (s *Service) listTagsForResource(c *emulator.Call) (any, error) {
	var in struct{ ResourceArn string }
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.view(func(tx *state.Tx) (any, error) {
		p, err := poolByARN(tx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		tags := p.Tags
		if tags == nil {
			tags = map[string]string{}
		}
		return struct{ Tags map[string]string }{tags}, nil
	})
}
