package identity

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// loginRef is one validated entry of a Logins map.
type loginRef struct {
	provider string
	subject  string
	direct   bool            // a Cognito Identity OpenID token: authenticates the identity itself
	token    *userpool.Token // user pool ID tokens only
}

func invalidLogin(msg string) *wire.Error { return wire.NotAuthorized("Invalid login token. %s", msg) }

// validateLogins verifies every token of a Logins map for pool p. It never
// links anything.
func (s *Service) validateLogins(tx *state.Tx, p *state.IdentityPool, logins map[string]string, allowDirect bool) ([]loginRef, *wire.Error) {
	if len(logins) > maxLogins {
		return nil, wire.InvalidParameter("Logins has %d entries; at most %d", len(logins), maxLogins)
	}
	provs := make([]string, 0, len(logins))
	for k := range logins {
		provs = append(provs, k)
	}
	sort.Strings(provs)
	refs := make([]loginRef, 0, len(logins))
	for _, prov := range provs {
		tok := logins[prov]
		if len(prov) == 0 || len(prov) > 128 {
			return nil, wire.InvalidParameter("Logins: provider names must be 1-128 characters")
		}
		if len(tok) == 0 || len(tok) > maxLoginTokenBytes {
			return nil, wire.InvalidParameter("Logins: the token of %s must be 1-%d characters", wire.Truncate(prov, 64), maxLoginTokenBytes)
		}
		switch {
		case prov == CognitoIdentityProviderName:
			if !allowDirect {
				return nil, wire.InvalidParameter("Logins: %s tokens are accepted by GetCredentialsForIdentity and GetOpenIdToken with the IdentityId they were issued for, not here", CognitoIdentityProviderName)
			}
			c, err := s.verifyOpenID(tx, tok)
			switch {
			case err == openIDExpired:
				return nil, invalidLogin("Token expired.")
			case err != 0:
				return nil, invalidLogin("Couldn't verify signed token.")
			case c.Aud != p.ID:
				return nil, invalidLogin("Incorrect token audience.")
			}
			refs = append(refs, loginRef{provider: prov, subject: c.Sub, direct: true})
		case s.isUserPoolProvider(prov):
			ref, err := s.verifyUserPoolLogin(tx, p, prov, tok)
			if err != nil {
				return nil, err
			}
			refs = append(refs, ref)
		case prov == p.DeveloperProviderName && p.DeveloperProviderName != "":
			return nil, wire.NotAuthorized("Logins: %s is the pool's developer provider; use GetOpenIdTokenForDeveloperIdentity", prov)
		case p.SupportedLoginProviders[prov] != "":
			return nil, wire.NotAuthorized("cognitotest cannot verify tokens of %s; use a user pool or developer-authenticated identities", wire.Truncate(prov, 64))
		default:
			return nil, wire.NotAuthorized("Token is not from a supported provider of this identity pool.")
		}
	}
	return refs, nil
}

// verifyUserPoolLogin checks an ID token of one of the emulator's user
// pools with the one token check: issuer, signature with the pool's
// current keys, token use, audience (the identity pool's app clients of
// that user pool) and expiry.
func (s *Service) verifyUserPoolLogin(tx *state.Tx, p *state.IdentityPool, prov, tok string) (loginRef, *wire.Error) {
	var clientIDs []string
	check := false
	poolID, _ := s.userPoolOf(prov)
	for _, cp := range p.CognitoIdentityProviders {
		if id, _ := s.userPoolOf(cp.ProviderName); id == poolID {
			clientIDs = append(clientIDs, cp.ClientID)
			check = check || cp.ServerSideTokenCheck != nil && *cp.ServerSideTokenCheck
		}
	}
	if len(clientIDs) == 0 {
		return loginRef{}, wire.NotAuthorized("Token is not from a supported provider of this identity pool.")
	}
	if tx.Pool(poolID) == nil {
		return loginRef{}, invalidLogin("Issuer doesn't match providerName (the user pool does not exist).")
	}
	t, err := s.up.CheckToken(tx, tok, userpool.TokenRules{Use: "id", Issuer: s.up.Issuer(poolID), Audiences: clientIDs, IssuedAt: true})
	switch err {
	case nil:
	case userpool.ErrTokenExpired:
		return loginRef{}, invalidLogin(fmt.Sprintf("Token expired: %d >= the token's exp", s.up.Now().Unix()))
	case userpool.ErrTokenAudience:
		return loginRef{}, invalidLogin("Incorrect token audience.")
	case userpool.ErrTokenUse:
		return loginRef{}, invalidLogin("Not a valid OpenId Connect identity token.")
	case userpool.ErrTokenIssuer:
		return loginRef{}, invalidLogin("Issuer doesn't match providerName")
	case userpool.ErrTokenNotYetValid:
		return loginRef{}, invalidLogin("Token used before issued.")
	default:
		return loginRef{}, invalidLogin("Couldn't verify signed token.")
	}
	if check && userpool.LookupUser(tx, t.Pool, t.Claims.CognitoUsername) == nil {
		return loginRef{}, invalidLogin("The user no longer exists (ServerSideTokenCheck).")
	}
	return loginRef{provider: ProviderName(poolID), subject: t.Claims.Sub, token: t}, nil
}

// isUserPoolProvider reports whether prov names a user pool (see
// Service.userPoolOf).
func (s *Service) isUserPoolProvider(prov string) bool {
	_, ok := s.userPoolOf(prov)
	return ok
}

// roleMapping returns the role mapping of pool p for a provider, by
// either name of a user pool.
func (s *Service) roleMapping(p *state.IdentityPool, provider string) (state.RoleMapping, bool) {
	if m, ok := p.RoleMappings[provider]; ok {
		return m, true
	}
	for k, m := range p.RoleMappings {
		if s.canonicalProvider(k) == provider {
			return m, true
		}
	}
	return state.RoleMapping{}, false
}

// linked returns the identity a login is linked to, or "".
func linked(tx *state.Tx, poolID string, r loginRef) string {
	if r.direct {
		return r.subject
	}
	return tx.LinkedIdentity(poolID, r.provider, r.subject)
}

// link links a login to identity i (a copy to Put), unless it is linked
// already.
func link(tx *state.Tx, i *state.Identity, provider, subject string, now time.Time) {
	if tx.LinkedIdentity(i.PoolID, provider, subject) == i.ID {
		return
	}
	if i.Logins == nil {
		i.Logins = map[string][]string{}
	}
	i.Logins[provider] = append(i.Logins[provider], subject)
	i.ModifiedAt = now
}

// unlink removes a login from identity i (a copy to Put) and reports
// whether it was linked.
func unlink(i *state.Identity, provider, subject string, now time.Time) bool {
	subs := i.Logins[provider]
	for n, sub := range subs {
		if sub == subject {
			subs = append(subs[:n:n], subs[n+1:]...)
			if len(subs) == 0 {
				delete(i.Logins, provider)
			} else {
				i.Logins[provider] = subs
			}
			i.ModifiedAt = now
			return true
		}
	}
	return false
}

// newIdentity makes (but does not store) a new identity of p.
func (s *Service) newIdentity(tx *state.Tx, p *state.IdentityPool) (*state.Identity, *wire.Error) {
	if tx.IdentityCount(p.ID) >= maxIdentities {
		return nil, wire.Errorf("LimitExceededException", "the identity pool has %d identities, the emulator's limit", maxIdentities)
	}
	now := s.up.Now()
	return &state.Identity{ID: s.up.Region() + ":" + s.up.UUID(), PoolID: p.ID, CreatedAt: now, ModifiedAt: now}, nil
}

// linkAll links refs to i (a copy) and stores it.
func (s *Service) linkAll(tx *state.Tx, i *state.Identity, refs []loginRef) {
	now := s.up.Now()
	for _, r := range refs {
		if !r.direct {
			link(tx, i, r.provider, r.subject, now)
		}
	}
	tx.PutIdentity(i)
}

// ---- GetId, GetCredentialsForIdentity, GetOpenIdToken ------------------------------

func (s *Service) getID(c *emulator.Call) (any, error) {
	var in struct {
		AccountId      string
		IdentityPoolId string
		Logins         map[string]string
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.AccountId != "" && in.AccountId != TestAccountID {
		return nil, wire.NotAuthorized("AccountId %s does not own the identity pool", wire.Truncate(in.AccountId, 15))
	}
	return s.update(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		refs, err := s.validateLogins(tx, p, in.Logins, false)
		if err != nil {
			return nil, err
		}
		if len(refs) == 0 {
			if !p.AllowUnauthenticated {
				return nil, wire.NotAuthorized("Unauthenticated access is not supported for this identity pool.")
			}
			i, err := s.newIdentity(tx, p)
			if err != nil {
				return nil, err
			}
			tx.PutIdentity(i)
			return map[string]string{"IdentityId": i.ID}, nil
		}
		found := ""
		for _, r := range refs {
			if id := linked(tx, p.ID, r); id != "" {
				if found != "" && found != id {
					return nil, wire.Errorf("ResourceConflictException", "The logins are linked to different identities.")
				}
				found = id
			}
		}
		var ident *state.Identity
		if found != "" {
			ident = tx.Identity(found).Clone()
		} else if ident, err = s.newIdentity(tx, p); err != nil {
			return nil, err
		}
		if changed(tx, ident, refs) {
			s.linkAll(tx, ident, refs)
		}
		return map[string]string{"IdentityId": ident.ID}, nil
	})
}

// changed reports whether linking refs would change identity i (or i is
// new).
func changed(tx *state.Tx, i *state.Identity, refs []loginRef) bool {
	if tx.Identity(i.ID) == nil {
		return true
	}
	for _, r := range refs {
		if !r.direct && tx.LinkedIdentity(i.PoolID, r.provider, r.subject) != i.ID {
			return true
		}
	}
	return false
}

// authorize checks that logins authenticate identity i (or that i is a
// guest identity and guests are allowed) and links new logins to it.
func (s *Service) authorize(tx *state.Tx, p *state.IdentityPool, i *state.Identity, logins map[string]string) ([]loginRef, *wire.Error) {
	refs, err := s.validateLogins(tx, p, logins, true)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		if !p.AllowUnauthenticated {
			return nil, wire.NotAuthorized("Unauthenticated access is not supported for this identity pool.")
		}
		if len(i.Logins) > 0 {
			return nil, wire.NotAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
		}
		return nil, nil
	}
	for _, r := range refs {
		if id := linked(tx, p.ID, r); id != "" && id != i.ID {
			return nil, wire.NotAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
		}
	}
	if changed(tx, i, refs) {
		s.linkAll(tx, i.Clone(), refs)
	}
	return refs, nil
}

// role chooses the role of credentials for logins refs.
func (s *Service) role(p *state.IdentityPool, refs []loginRef, custom string) (string, *wire.Error) {
	if custom != "" && !RoleARNRE.MatchString(custom) {
		return "", wire.InvalidParameter("CustomRoleArn %q is not an IAM role ARN", wire.Truncate(custom, 128))
	}
	if len(refs) == 0 {
		r := p.Roles["unauthenticated"]
		if r == "" {
			return "", wire.Errorf("InvalidIdentityPoolConfigurationException", "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
		}
		if custom != "" && custom != r {
			return "", wire.NotAuthorized("CustomRoleArn is not allowed for unauthenticated identities.")
		}
		return r, nil
	}
	allowed := map[string]bool{}
	chosen := ""
	for _, r := range refs {
		m, ok := s.roleMapping(p, r.provider)
		if !ok || r.token == nil {
			continue
		}
		var roles []string
		switch m.Type {
		case "Token":
			if raw, ok := r.token.Raw("cognito:roles"); ok {
				_ = json.Unmarshal(raw, &roles)
			}
			if pr, ok := r.token.String("cognito:preferred_role"); ok && chosen == "" {
				chosen = pr
			}
		case "Rules":
			for _, rule := range m.Rules {
				v, _ := r.token.String(rule.Claim)
				if ruleMatches(rule, v) {
					roles = append(roles, rule.RoleARN)
					break
				}
			}
			if len(roles) > 0 && chosen == "" {
				chosen = roles[0]
			}
		}
		for _, role := range roles {
			allowed[role] = true
		}
		if len(roles) == 0 && chosen == "" && m.AmbiguousRoleResolution == "Deny" {
			return "", wire.NotAuthorized("Ambiguous role mapping: no role matches the login and the pool denies ambiguous requests.")
		}
	}
	auth := p.Roles["authenticated"]
	if auth != "" {
		allowed[auth] = true
	}
	switch {
	case custom != "":
		if !allowed[custom] {
			return "", wire.NotAuthorized("CustomRoleArn is not one of the roles allowed for these logins.")
		}
		return custom, nil
	case chosen != "":
		return chosen, nil
	case auth != "":
		return auth, nil
	}
	return "", wire.Errorf("InvalidIdentityPoolConfigurationException", "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
}

func ruleMatches(r state.MappingRule, v string) bool {
	switch r.MatchType {
	case "Equals":
		return v == r.Value
	case "NotEqual":
		return v != r.Value
	case "Contains":
		return v != "" && strings.Contains(v, r.Value)
	case "StartsWith":
		return v != "" && strings.HasPrefix(v, r.Value)
	}
	return false
}

type credentialsWire struct {
	AccessKeyId  string
	SecretKey    string
	SessionToken string
	Expiration   wire.Epoch
}

// issue makes up AWS credentials and records them. They are not usable
// against AWS.
func (s *Service) issue(tx *state.Tx, identityID, role string, authenticated bool, lifetime time.Duration, source string, tags map[string]string) (*state.Credentials, string, string) {
	now := s.up.Now()
	c := &state.Credentials{
		AccessKeyID: "ASIA" + s.up.RandString(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
		IdentityID:  identityID, RoleARN: role, Authenticated: authenticated,
		Expiration: now.Add(lifetime).Truncate(time.Second), Source: source, PrincipalTags: tags,
	}
	secret := s.up.RandString(40, emulator.Alnum)
	session := "IQoJY29nbml0b3Rlc3Q" + s.up.RandString(300, emulator.Alnum)
	if tx.CredentialsCount() >= maxIssuedCreds {
		all := tx.AllCredentials()
		for _, old := range all {
			if !old.Expiration.After(now) {
				tx.DeleteCredentials(old)
			}
		}
		for _, old := range all {
			if tx.CredentialsCount() < maxIssuedCreds {
				break
			}
			tx.DeleteCredentials(old)
		}
	}
	tx.PutCredentials(c)
	return c, secret, session
}

func (s *Service) getCredentialsForIdentity(c *emulator.Call) (any, error) {
	var in struct {
		IdentityId    string
		Logins        map[string]string
		CustomRoleArn string
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.update(func(tx *state.Tx) (any, error) {
		i, err := identity(tx, in.IdentityId)
		if err != nil {
			return nil, err
		}
		p := tx.IdentityPool(i.PoolID)
		refs, err := s.authorize(tx, p, i, in.Logins)
		if err != nil {
			return nil, err
		}
		r, err := s.role(p, refs, in.CustomRoleArn)
		if err != nil {
			return nil, err
		}
		cred, secret, session := s.issue(tx, i.ID, r, len(refs) > 0, p.CredentialsLifetime, "GetCredentialsForIdentity", s.principalTags(p, refs))
		return struct {
			IdentityId  string
			Credentials credentialsWire
		}{i.ID, credentialsWire{cred.AccessKeyID, secret, session, wire.Epoch(cred.Expiration)}}, nil
	})
}

func amrOf(refs []loginRef) []string {
	if len(refs) == 0 {
		return []string{"unauthenticated"}
	}
	amr := []string{"authenticated"}
	for _, r := range refs {
		if r.direct {
			continue
		}
		amr = append(amr, r.provider, r.provider+":"+r.subject)
	}
	return amr
}

func (s *Service) getOpenIDToken(c *emulator.Call) (any, error) {
	var in struct {
		IdentityId string
		Logins     map[string]string
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if _, err := s.key(); err != nil { // before the transaction: it may generate the key
		return nil, err
	}
	var claims openIDClaims
	out, err := s.update(func(tx *state.Tx) (any, error) {
		i, err := identity(tx, in.IdentityId)
		if err != nil {
			return nil, err
		}
		p := tx.IdentityPool(i.PoolID)
		if !p.AllowClassicFlow {
			return nil, wire.InvalidParameter("Basic (classic) flow is not enabled, please use enhanced flow.")
		}
		refs, err := s.authorize(tx, p, i, in.Logins)
		if err != nil {
			return nil, err
		}
		now := s.up.Now()
		claims = openIDClaims{Iss: cognitoIdentityIssuer, Sub: i.ID, Aud: p.ID, Amr: amrOf(refs),
			Iat: now.Unix(), Exp: now.Add(DefaultOpenIDTokenLifetime).Unix(), Tags: tagsClaim(s.principalTags(p, refs))}
		return i.ID, nil
	})
	if err != nil {
		return nil, err
	}
	tok, err := s.signOpenID(claims)
	if err != nil {
		return nil, err
	}
	return map[string]string{"IdentityId": out.(string), "Token": tok}, nil
}

// ---- developer-authenticated identities ----------------------------------------

func (s *Service) getOpenIDTokenForDeveloperIdentity(c *emulator.Call) (any, error) {
	var in struct {
		IdentityPoolId string
		IdentityId     string
		Logins         map[string]string
		PrincipalTags  map[string]string
		TokenDuration  *int64
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	dur := DefaultDeveloperTokenDuration
	if in.TokenDuration != nil {
		if *in.TokenDuration < 1 || *in.TokenDuration > 86400 {
			return nil, wire.InvalidParameter("TokenDuration must be between 1 and 86400 seconds")
		}
		dur = time.Duration(*in.TokenDuration) * time.Second
	}
	if len(in.PrincipalTags) > maxTags {
		return nil, wire.InvalidParameter("at most %d PrincipalTags", maxTags)
	}
	if _, err := s.key(); err != nil {
		return nil, err
	}
	var claims openIDClaims
	out, err := s.update(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		dev := p.DeveloperProviderName
		if dev == "" {
			return nil, wire.InvalidParameter("The identity pool has no DeveloperProviderName; set one with UpdateIdentityPool.")
		}
		userID, ok := in.Logins[dev]
		if !ok {
			return nil, wire.NotAuthorized("Logins must contain the pool's developer provider %s.", dev)
		}
		if userID == "" || len(userID) > 1024 {
			return nil, wire.InvalidParameter("the developer user identifier must be 1-1024 characters")
		}
		others := make(map[string]string, len(in.Logins))
		for k, v := range in.Logins {
			if k != dev {
				others[k] = v
			}
		}
		refs, err := s.validateLogins(tx, p, others, false)
		if err != nil {
			return nil, err
		}
		refs = append(refs, loginRef{provider: dev, subject: userID})
		devLinked := tx.LinkedIdentity(p.ID, dev, userID)
		var ident *state.Identity
		switch {
		case in.IdentityId != "":
			if ident, err = identity(tx, in.IdentityId); err != nil {
				return nil, err
			}
			if ident.PoolID != p.ID {
				return nil, wire.InvalidParameter("Identity %s belongs to another identity pool.", ident.ID)
			}
			if devLinked != "" && devLinked != ident.ID {
				return nil, wire.Errorf("DeveloperUserAlreadyRegisteredException", "The developer user identifier is already registered with a different identity ID.")
			}
		case devLinked != "":
			ident = tx.Identity(devLinked)
		}
		for _, r := range refs {
			if id := linked(tx, p.ID, r); id != "" && ident != nil && id != ident.ID {
				return nil, wire.Errorf("ResourceConflictException", "The logins are linked to different identities.")
			} else if id != "" && ident == nil {
				ident = tx.Identity(id)
			}
		}
		if ident == nil {
			if ident, err = s.newIdentity(tx, p); err != nil {
				return nil, err
			}
		} else {
			ident = ident.Clone()
		}
		if changed(tx, ident, refs) {
			s.linkAll(tx, ident, refs)
		}
		now := s.up.Now()
		claims = openIDClaims{Iss: cognitoIdentityIssuer, Sub: ident.ID, Aud: p.ID, Amr: amrOf(refs),
			Iat: now.Unix(), Exp: now.Add(dur).Unix()}
		claims.Tags = tagsClaim(in.PrincipalTags)
		return ident.ID, nil
	})
	if err != nil {
		return nil, err
	}
	tok, err := s.signOpenID(claims)
	if err != nil {
		return nil, err
	}
	return map[string]string{"IdentityId": out.(string), "Token": tok}, nil
}

func (s *Service) lookupDeveloperIdentity(c *emulator.Call) (any, error) {
	var in struct {
		IdentityPoolId          string
		IdentityId              string
		DeveloperUserIdentifier string
		MaxResults              *int
		NextToken               string
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	max := 60
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	if in.IdentityId == "" && in.DeveloperUserIdentifier == "" {
		return nil, wire.InvalidParameter("IdentityId or DeveloperUserIdentifier is required")
	}
	if len(in.DeveloperUserIdentifier) > 1024 {
		return nil, wire.InvalidParameter("DeveloperUserIdentifier is longer than 1024 characters")
	}
	return s.view(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		dev := p.DeveloperProviderName
		if dev == "" {
			return nil, wire.InvalidParameter("The identity pool has no DeveloperProviderName.")
		}
		id := in.IdentityId
		if in.DeveloperUserIdentifier != "" {
			l := tx.LinkedIdentity(p.ID, dev, in.DeveloperUserIdentifier)
			if l == "" || (id != "" && l != id) {
				return nil, wire.ResourceNotFound("No identity is linked to that developer user identifier.")
			}
			id = l
		}
		ident, err := identity(tx, id)
		if err != nil {
			return nil, err
		}
		if ident.PoolID != p.ID {
			return nil, wire.ResourceNotFound("Identity '%s' not found.", id)
		}
		users := ident.Logins[dev]
		start, end, next, err := listPage(max, in.NextToken, len(users))
		if err != nil {
			return nil, err
		}
		return struct {
			IdentityId                  string
			DeveloperUserIdentifierList []string
			NextToken                   string `json:",omitempty"`
		}{ident.ID, append([]string{}, users[start:end]...), next}, nil
	})
}

func (s *Service) mergeDeveloperIdentities(c *emulator.Call) (any, error) {
	var in struct {
		SourceUserIdentifier      string
		DestinationUserIdentifier string
		DeveloperProviderName     string
		IdentityPoolId            string
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.SourceUserIdentifier == "" || in.DestinationUserIdentifier == "" || len(in.SourceUserIdentifier) > 1024 || len(in.DestinationUserIdentifier) > 1024 {
		return nil, wire.InvalidParameter("SourceUserIdentifier and DestinationUserIdentifier must be 1-1024 characters")
	}
	return s.update(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		dev := p.DeveloperProviderName
		if dev == "" || in.DeveloperProviderName != dev {
			return nil, wire.InvalidParameter("DeveloperProviderName does not match the identity pool's.")
		}
		src := tx.LinkedIdentity(p.ID, dev, in.SourceUserIdentifier)
		dst := tx.LinkedIdentity(p.ID, dev, in.DestinationUserIdentifier)
		if src == "" || dst == "" {
			return nil, wire.ResourceNotFound("Both developer user identifiers must be linked to identities.")
		}
		if src != dst {
			from, to := tx.Identity(src), tx.Identity(dst).Clone()
			now := s.up.Now()
			tx.DeleteIdentity(from.ID) // unlinks its logins
			for prov, subs := range from.Logins {
				for _, sub := range subs {
					link(tx, to, prov, sub, now)
				}
			}
			tx.PutIdentity(to)
		}
		return map[string]string{"IdentityId": dst}, nil
	})
}

func (s *Service) unlinkDeveloperIdentity(c *emulator.Call) (any, error) {
	var in struct {
		IdentityId              string
		IdentityPoolId          string
		DeveloperProviderName   string
		DeveloperUserIdentifier string
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.update(func(tx *state.Tx) (any, error) {
		p, err := pool(tx, in.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		dev := p.DeveloperProviderName
		if dev == "" || in.DeveloperProviderName != dev {
			return nil, wire.InvalidParameter("DeveloperProviderName does not match the identity pool's.")
		}
		i, err := identity(tx, in.IdentityId)
		if err != nil {
			return nil, err
		}
		ni := i.Clone()
		if i.PoolID != p.ID || !unlink(ni, dev, in.DeveloperUserIdentifier, s.up.Now()) {
			return nil, wire.ResourceNotFound("The developer user identifier is not linked to identity '%s'.", i.ID)
		}
		tx.PutIdentity(ni)
		return nil, nil
	})
}

func (s *Service) unlinkIdentity(c *emulator.Call) (any, error) {
	var in struct {
		IdentityId     string
		Logins         map[string]string
		LoginsToRemove []string
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.Logins) == 0 {
		return nil, wire.InvalidParameter("Logins is required")
	}
	if len(in.LoginsToRemove) > maxLogins {
		return nil, wire.InvalidParameter("LoginsToRemove has more than %d entries", maxLogins)
	}
	return s.update(func(tx *state.Tx) (any, error) {
		i, err := identity(tx, in.IdentityId)
		if err != nil {
			return nil, err
		}
		p := tx.IdentityPool(i.PoolID)
		refs, err := s.validateLogins(tx, p, in.Logins, false)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			if linked(tx, p.ID, r) != i.ID {
				return nil, wire.NotAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
			}
		}
		dev := p.DeveloperProviderName
		for k, prov := range in.LoginsToRemove {
			prov = s.canonicalProvider(prov)
			in.LoginsToRemove[k] = prov
			if prov == dev && dev != "" {
				return nil, wire.InvalidParameter("use UnlinkDeveloperIdentity to unlink developer user identifiers")
			}
			if _, ok := i.Logins[prov]; !ok {
				return nil, wire.InvalidParameter("Login %s is not linked to identity '%s'.", wire.Truncate(prov, 128), i.ID)
			}
		}
		ni := i.Clone()
		now := s.up.Now()
		for _, prov := range in.LoginsToRemove {
			for _, sub := range append([]string(nil), ni.Logins[prov]...) {
				unlink(ni, prov, sub, now)
			}
		}
		tx.PutIdentity(ni)
		return nil, nil
	})
}
