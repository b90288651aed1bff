package cognitotest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/verifier"
)

// loginRef is one validated entry of a Logins map.
type loginRef struct {
	provider string
	subject  string
	direct   bool             // a Cognito Identity OpenID token: authenticates the identity itself
	claims   *verifier.Claims // user pool ID tokens only
}

// idSigningKey signs the OpenID tokens of Cognito Identity.
type idSigningKey struct {
	kid  string
	priv *rsa.PrivateKey
}

func (st *idStore) signingKeyLocked() (*idSigningKey, error) {
	if st.key == nil {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("cognitotest: generate RSA key: %w", err)
		}
		st.key = &idSigningKey{kid: "cognitotest-identity-1", priv: priv}
	}
	return st.key, nil
}

// openIDClaims are the claims of a Cognito Identity OpenID token.
type openIDClaims struct {
	Iss string   `json:"iss"`
	Sub string   `json:"sub"`
	Aud string   `json:"aud"`
	Amr []string `json:"amr"`
	Iat int64    `json:"iat"`
	Exp int64    `json:"exp"`
	// https://aws.amazon.com/tags, for PrincipalTags
	Tags map[string]any `json:"https://aws.amazon.com/tags,omitempty"`
}

func (st *idStore) signOpenIDLocked(c openIDClaims) (string, error) {
	k, err := st.signingKeyLocked()
	if err != nil {
		return "", err
	}
	hdr, _ := json.Marshal(map[string]string{"kid": k.kid, "typ": "JWS", "alg": "RS512"})
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	signing := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha512.Sum512([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.priv, crypto.SHA512, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

var (
	errOpenIDMalformed = errors.New("malformed")
	errOpenIDSignature = errors.New("signature")
	errOpenIDExpired   = errors.New("expired")
)

// verifyOpenIDLocked verifies a token of signOpenIDLocked.
func (st *idStore) verifyOpenIDLocked(tok string, now time.Time) (*openIDClaims, error) {
	if len(tok) == 0 || len(tok) > maxLoginTokenBytes || st.key == nil {
		return nil, errOpenIDMalformed
	}
	h, rest, ok1 := strings.Cut(tok, ".")
	b, sigPart, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(sigPart, ".") {
		return nil, errOpenIDMalformed
	}
	hdrJSON, err1 := base64.RawURLEncoding.DecodeString(h)
	body, err2 := base64.RawURLEncoding.DecodeString(b)
	sig, err3 := base64.RawURLEncoding.DecodeString(sigPart)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, errOpenIDMalformed
	}
	var hdr struct{ Alg, Kid string }
	if json.Unmarshal(hdrJSON, &hdr) != nil || hdr.Alg != "RS512" || hdr.Kid != st.key.kid {
		return nil, errOpenIDMalformed
	}
	sum := sha512.Sum512([]byte(h + "." + b))
	if rsa.VerifyPKCS1v15(&st.key.priv.PublicKey, crypto.SHA512, sum[:], sig) != nil {
		return nil, errOpenIDSignature
	}
	var c openIDClaims
	if json.Unmarshal(body, &c) != nil || c.Iss != cognitoIdentityIssuer || c.Sub == "" || c.Aud == "" {
		return nil, errOpenIDMalformed
	}
	if now.Unix() >= c.Exp {
		return nil, errOpenIDExpired
	}
	return &c, nil
}

// userPoolVerifierLocked returns a verifier of ID tokens of a user pool for
// the given app clients, with the pool's current keys.
func (s *Server) userPoolVerifierLocked(pool *Pool, clientIDs []string) (*verifier.Verifier, error) {
	st := &s.ids
	jwks := pool.JWKS()
	key := pool.ID() + "\x00" + string(jwks) + "\x00" + strings.Join(clientIDs, ",")
	if v := st.verifiers[key]; v != nil {
		return v, nil
	}
	v, err := verifier.New(verifier.Config{
		Pools: []verifier.Pool{{UserPoolID: pool.ID(), ClientIDs: clientIDs, TokenUse: verifier.TokenUseID,
			Issuer: pool.Issuer(), JWKS: jwks}},
		Now:       s.now,
		CacheSize: -1,
	})
	if err != nil {
		return nil, err
	}
	if len(st.verifiers) >= 64 {
		for k, old := range st.verifiers {
			old.Close()
			delete(st.verifiers, k)
		}
	}
	st.verifiers[key] = v
	return v, nil
}

func invalidLogin(msg string) *apiError { return errNotAuthorized("Invalid login token. %s", msg) }

// validateLoginsLocked verifies every token of a Logins map for pool p. It
// never links anything.
func (s *Server) validateLoginsLocked(p *idPool, logins map[string]string, allowDirect bool) ([]loginRef, *apiError) {
	if len(logins) > maxLogins {
		return nil, errInvalidParameter("Logins has %d entries; at most %d", len(logins), maxLogins)
	}
	refs := make([]loginRef, 0, len(logins))
	for _, prov := range sortedKeys(logins) {
		tok := logins[prov]
		if len(prov) == 0 || len(prov) > 128 {
			return nil, errInvalidParameter("Logins: provider names must be 1-128 characters")
		}
		if len(tok) == 0 || len(tok) > maxLoginTokenBytes {
			return nil, errInvalidParameter("Logins: the token of %s must be 1-%d characters", truncate(prov, 64), maxLoginTokenBytes)
		}
		switch {
		case prov == CognitoIdentityProviderName:
			if !allowDirect {
				return nil, errInvalidParameter("Logins: %s tokens are accepted by GetCredentialsForIdentity and GetOpenIdToken with the IdentityId they were issued for, not here", CognitoIdentityProviderName)
			}
			c, err := s.ids.verifyOpenIDLocked(tok, s.now())
			switch {
			case errors.Is(err, errOpenIDExpired):
				return nil, invalidLogin("Token expired.")
			case err != nil:
				return nil, invalidLogin("Couldn't verify signed token.")
			case c.Aud != p.id:
				return nil, invalidLogin("Incorrect token audience.")
			}
			refs = append(refs, loginRef{provider: prov, subject: c.Sub, direct: true})
		case cognitoProviderRE.MatchString(prov):
			ref, err := s.verifyUserPoolLoginLocked(p, prov, tok)
			if err != nil {
				return nil, err
			}
			refs = append(refs, ref)
		case prov == p.developer && p.developer != "":
			return nil, errNotAuthorized("Logins: %s is the pool's developer provider; use GetOpenIdTokenForDeveloperIdentity", prov)
		case p.supported[prov] != "":
			return nil, errNotAuthorized("cognitotest cannot verify tokens of %s; use a user pool or developer-authenticated identities", truncate(prov, 64))
		default:
			return nil, errNotAuthorized("Token is not from a supported provider of this identity pool.")
		}
	}
	return refs, nil
}

func (s *Server) verifyUserPoolLoginLocked(p *idPool, prov, tok string) (loginRef, *apiError) {
	var clientIDs []string
	check := false
	for _, cp := range p.providers {
		if cp.ProviderName == prov {
			clientIDs = append(clientIDs, cp.ClientId)
			check = check || cp.ServerSideTokenCheck != nil && *cp.ServerSideTokenCheck
		}
	}
	if len(clientIDs) == 0 {
		return loginRef{}, errNotAuthorized("Token is not from a supported provider of this identity pool.")
	}
	m := cognitoProviderRE.FindStringSubmatch(prov)
	s.mu.Lock()
	pool := s.pools[m[2]]
	s.mu.Unlock()
	if pool == nil {
		return loginRef{}, invalidLogin("Issuer doesn't match providerName (the user pool does not exist).")
	}
	v, err := s.userPoolVerifierLocked(pool, clientIDs)
	if err != nil {
		return loginRef{}, errInternal("verifier: %v", err)
	}
	claims, err := v.Verify(context.Background(), tok)
	switch {
	case err == nil:
	case errors.Is(err, verifier.ErrExpired):
		return loginRef{}, invalidLogin(fmt.Sprintf("Token expired: %d >= the token's exp", s.now().Unix()))
	case errors.Is(err, verifier.ErrWrongClient):
		return loginRef{}, invalidLogin("Incorrect token audience.")
	case errors.Is(err, verifier.ErrWrongTokenUse):
		return loginRef{}, invalidLogin("Not a valid OpenId Connect identity token.")
	case errors.Is(err, verifier.ErrWrongIssuer):
		return loginRef{}, invalidLogin("Issuer doesn't match providerName")
	case errors.Is(err, verifier.ErrNotYetValid):
		return loginRef{}, invalidLogin("Token used before issued.")
	default:
		return loginRef{}, invalidLogin("Couldn't verify signed token.")
	}
	if check {
		if _, err := pool.User(claims.Username); err != nil {
			return loginRef{}, invalidLogin("The user no longer exists (ServerSideTokenCheck).")
		}
	}
	return loginRef{provider: prov, subject: claims.Subject, claims: claims}, nil
}

// linkedIdentityLocked returns the identity a login is linked to, or "".
func (st *idStore) linkedIdentityLocked(poolID string, r loginRef) string {
	if r.direct {
		return r.subject
	}
	return st.links[linkKey(poolID, r.provider, r.subject)]
}

func (st *idStore) linkLocked(i *idIdentity, provider, subject string, now time.Time) {
	k := linkKey(i.poolID, provider, subject)
	if st.links[k] == i.id {
		return
	}
	st.links[k] = i.id
	if i.logins == nil {
		i.logins = map[string][]string{}
	}
	i.logins[provider] = append(i.logins[provider], subject)
	i.modified = now
}

func (st *idStore) unlinkLocked(i *idIdentity, provider, subject string, now time.Time) bool {
	subs := i.logins[provider]
	for n, sub := range subs {
		if sub == subject {
			delete(st.links, linkKey(i.poolID, provider, subject))
			subs = append(subs[:n:n], subs[n+1:]...)
			if len(subs) == 0 {
				delete(i.logins, provider)
			} else {
				i.logins[provider] = subs
			}
			i.modified = now
			return true
		}
	}
	return false
}

func (s *Server) newIdentityLocked(p *idPool) (*idIdentity, *apiError) {
	if len(p.identityOrder)-p.identityDeleted >= maxIdentities {
		return nil, apiErr("LimitExceededException", "the identity pool has %d identities, the emulator's limit", maxIdentities)
	}
	now := s.now()
	i := &idIdentity{id: s.opts.region + ":" + s.uuid(), poolID: p.id, created: now, modified: now}
	s.ids.identities[i.id] = i
	p.identityOrder = append(p.identityOrder, i.id)
	return i, nil
}

// ---- GetId, GetCredentialsForIdentity, GetOpenIdToken ------------------------------

func (s *Server) opGetId(c *call) (any, error) {
	var in struct {
		AccountId      string
		IdentityPoolId string
		Logins         map[string]string
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.AccountId != "" && in.AccountId != TestAccountID {
		return nil, errNotAuthorized("AccountId %s does not own the identity pool", truncate(in.AccountId, 15))
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	p, err := st.poolLocked(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	refs, err := s.validateLoginsLocked(p, in.Logins, false)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		if !p.allowUnauth {
			return nil, errNotAuthorized("Unauthenticated access is not supported for this identity pool.")
		}
		i, err := s.newIdentityLocked(p)
		if err != nil {
			return nil, err
		}
		return map[string]string{"IdentityId": i.id}, nil
	}
	found := ""
	for _, r := range refs {
		if id := st.linkedIdentityLocked(p.id, r); id != "" {
			if found != "" && found != id {
				return nil, apiErr("ResourceConflictException", "The logins are linked to different identities.")
			}
			found = id
		}
	}
	var ident *idIdentity
	if found != "" {
		ident = st.identities[found]
	} else if ident, err = s.newIdentityLocked(p); err != nil {
		return nil, err
	}
	for _, r := range refs {
		st.linkLocked(ident, r.provider, r.subject, s.now())
	}
	return map[string]string{"IdentityId": ident.id}, nil
}

// authorizeLocked checks that logins authenticate identity i (or that i is
// a guest identity and guests are allowed) and links new logins to it.
func (s *Server) authorizeLocked(p *idPool, i *idIdentity, logins map[string]string) ([]loginRef, *apiError) {
	st := &s.ids
	refs, err := s.validateLoginsLocked(p, logins, true)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		if !p.allowUnauth {
			return nil, errNotAuthorized("Unauthenticated access is not supported for this identity pool.")
		}
		if i.authenticated() {
			return nil, errNotAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
		}
		return nil, nil
	}
	for _, r := range refs {
		if id := st.linkedIdentityLocked(p.id, r); id != "" && id != i.id {
			return nil, errNotAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
		}
	}
	for _, r := range refs {
		if !r.direct {
			st.linkLocked(i, r.provider, r.subject, s.now())
		}
	}
	return refs, nil
}

// roleLocked chooses the role of credentials for logins refs.
func (s *Server) roleLocked(p *idPool, refs []loginRef, custom string) (string, *apiError) {
	if custom != "" && !roleARNRE.MatchString(custom) {
		return "", errInvalidParameter("CustomRoleArn %q is not an IAM role ARN", truncate(custom, 128))
	}
	if len(refs) == 0 {
		role := p.roles["unauthenticated"]
		if role == "" {
			return "", apiErr("InvalidIdentityPoolConfigurationException", "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
		}
		if custom != "" && custom != role {
			return "", errNotAuthorized("CustomRoleArn is not allowed for unauthenticated identities.")
		}
		return role, nil
	}
	allowed := map[string]bool{}
	chosen := ""
	for _, r := range refs {
		m, ok := p.roleMappings[r.provider]
		if !ok || r.claims == nil {
			continue
		}
		var roles []string
		switch m.Type {
		case "Token":
			if raw, ok := r.claims.Get("cognito:roles"); ok {
				_ = json.Unmarshal(raw, &roles)
			}
			if pr, ok := r.claims.String("cognito:preferred_role"); ok && chosen == "" {
				chosen = pr
			}
		case "Rules":
			for _, rule := range m.RulesConfiguration.Rules {
				v, _ := r.claims.String(rule.Claim)
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
			return "", errNotAuthorized("Ambiguous role mapping: no role matches the login and the pool denies ambiguous requests.")
		}
	}
	auth := p.roles["authenticated"]
	if auth != "" {
		allowed[auth] = true
	}
	switch {
	case custom != "":
		if !allowed[custom] {
			return "", errNotAuthorized("CustomRoleArn is not one of the roles allowed for these logins.")
		}
		return custom, nil
	case chosen != "":
		return chosen, nil
	case auth != "":
		return auth, nil
	}
	return "", apiErr("InvalidIdentityPoolConfigurationException", "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
}

func ruleMatches(r mappingRuleWire, v string) bool {
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
	Expiration   epoch
}

// issueLocked makes up AWS credentials. They are not usable against AWS.
func (s *Server) issueLocked(identityID, role string, authenticated bool, lifetime time.Duration, source string) (IssuedCredentials, string, string) {
	st := &s.ids
	now := s.now()
	c := IssuedCredentials{
		AccessKeyID: "ASIA" + s.randString(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
		IdentityID:  identityID, RoleARN: role, Authenticated: authenticated,
		Expiration: now.Add(lifetime).Truncate(time.Second), Source: source,
	}
	secret := s.randString(40, alnum)
	session := "IQoJY29nbml0b3Rlc3Q" + s.randString(300, alnum)
	if len(st.issued) >= maxIssuedCreds {
		for k, old := range st.issued {
			if !old.Expiration.After(now) {
				delete(st.issued, k)
			}
		}
		for k := range st.issued {
			if len(st.issued) < maxIssuedCreds {
				break
			}
			delete(st.issued, k)
		}
	}
	st.issued[c.AccessKeyID] = c
	return c, secret, session
}

func (s *Server) opGetCredentialsForIdentity(c *call) (any, error) {
	var in struct {
		IdentityId    string
		Logins        map[string]string
		CustomRoleArn string
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	i, err := st.identityLocked(in.IdentityId)
	if err != nil {
		return nil, err
	}
	p := st.pools[i.poolID]
	refs, err := s.authorizeLocked(p, i, in.Logins)
	if err != nil {
		return nil, err
	}
	role, err := s.roleLocked(p, refs, in.CustomRoleArn)
	if err != nil {
		return nil, err
	}
	cred, secret, session := s.issueLocked(i.id, role, len(refs) > 0, p.credLifetime, "GetCredentialsForIdentity")
	return struct {
		IdentityId  string
		Credentials credentialsWire
	}{i.id, credentialsWire{cred.AccessKeyID, secret, session, epoch(cred.Expiration)}}, nil
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

func (s *Server) opGetOpenIdToken(c *call) (any, error) {
	var in struct {
		IdentityId string
		Logins     map[string]string
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	i, err := st.identityLocked(in.IdentityId)
	if err != nil {
		return nil, err
	}
	p := st.pools[i.poolID]
	if !p.allowClassic {
		return nil, errInvalidParameter("Basic (classic) flow is not enabled, please use enhanced flow.")
	}
	refs, err := s.authorizeLocked(p, i, in.Logins)
	if err != nil {
		return nil, err
	}
	now := s.now()
	tok, serr := st.signOpenIDLocked(openIDClaims{Iss: cognitoIdentityIssuer, Sub: i.id, Aud: p.id, Amr: amrOf(refs),
		Iat: now.Unix(), Exp: now.Add(DefaultOpenIDTokenLifetime).Unix()})
	if serr != nil {
		return nil, serr
	}
	return map[string]string{"IdentityId": i.id, "Token": tok}, nil
}

// ---- developer-authenticated identities ----------------------------------------

func (s *Server) opGetOpenIdTokenForDeveloperIdentity(c *call) (any, error) {
	var in struct {
		IdentityPoolId string
		IdentityId     string
		Logins         map[string]string
		PrincipalTags  map[string]string
		TokenDuration  *int64
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	dur := DefaultDeveloperTokenDuration
	if in.TokenDuration != nil {
		if *in.TokenDuration < 1 || *in.TokenDuration > 86400 {
			return nil, errInvalidParameter("TokenDuration must be between 1 and 86400 seconds")
		}
		dur = time.Duration(*in.TokenDuration) * time.Second
	}
	if len(in.PrincipalTags) > maxTags {
		return nil, errInvalidParameter("at most %d PrincipalTags", maxTags)
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	p, err := st.poolLocked(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	if p.developer == "" {
		return nil, errInvalidParameter("The identity pool has no DeveloperProviderName; set one with UpdateIdentityPool.")
	}
	userID, ok := in.Logins[p.developer]
	if !ok {
		return nil, errNotAuthorized("Logins must contain the pool's developer provider %s.", p.developer)
	}
	if userID == "" || len(userID) > 1024 {
		return nil, errInvalidParameter("the developer user identifier must be 1-1024 characters")
	}
	others := make(map[string]string, len(in.Logins))
	for k, v := range in.Logins {
		if k != p.developer {
			others[k] = v
		}
	}
	refs, err := s.validateLoginsLocked(p, others, false)
	if err != nil {
		return nil, err
	}
	refs = append(refs, loginRef{provider: p.developer, subject: userID})
	linked := st.links[linkKey(p.id, p.developer, userID)]
	var ident *idIdentity
	switch {
	case in.IdentityId != "":
		ident, err = st.identityLocked(in.IdentityId)
		if err != nil {
			return nil, err
		}
		if ident.poolID != p.id {
			return nil, errInvalidParameter("Identity %s belongs to another identity pool.", ident.id)
		}
		if linked != "" && linked != ident.id {
			return nil, apiErr("DeveloperUserAlreadyRegisteredException", "The developer user identifier is already registered with a different identity ID.")
		}
	case linked != "":
		ident = st.identities[linked]
	}
	for _, r := range refs {
		if id := st.linkedIdentityLocked(p.id, r); id != "" && ident != nil && id != ident.id {
			return nil, apiErr("ResourceConflictException", "The logins are linked to different identities.")
		} else if id != "" && ident == nil {
			ident = st.identities[id]
		}
	}
	if ident == nil {
		if ident, err = s.newIdentityLocked(p); err != nil {
			return nil, err
		}
	}
	now := s.now()
	for _, r := range refs {
		st.linkLocked(ident, r.provider, r.subject, now)
	}
	oc := openIDClaims{Iss: cognitoIdentityIssuer, Sub: ident.id, Aud: p.id, Amr: amrOf(refs),
		Iat: now.Unix(), Exp: now.Add(dur).Unix()}
	if len(in.PrincipalTags) > 0 {
		tags := map[string]any{}
		for k, v := range in.PrincipalTags {
			tags[k] = []string{v}
		}
		oc.Tags = map[string]any{"principal_tags": tags}
	}
	tok, serr := st.signOpenIDLocked(oc)
	if serr != nil {
		return nil, serr
	}
	return map[string]string{"IdentityId": ident.id, "Token": tok}, nil
}

func (s *Server) opLookupDeveloperIdentity(c *call) (any, error) {
	var in struct {
		IdentityPoolId          string
		IdentityId              string
		DeveloperUserIdentifier string
		MaxResults              *int
		NextToken               string
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	max := 60
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	if in.IdentityId == "" && in.DeveloperUserIdentifier == "" {
		return nil, errInvalidParameter("IdentityId or DeveloperUserIdentifier is required")
	}
	if len(in.DeveloperUserIdentifier) > 1024 {
		return nil, errInvalidParameter("DeveloperUserIdentifier is longer than 1024 characters")
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	p, err := st.poolLocked(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	if p.developer == "" {
		return nil, errInvalidParameter("The identity pool has no DeveloperProviderName.")
	}
	id := in.IdentityId
	if in.DeveloperUserIdentifier != "" {
		linked := st.links[linkKey(p.id, p.developer, in.DeveloperUserIdentifier)]
		if linked == "" || (id != "" && linked != id) {
			return nil, errResourceNotFound("No identity is linked to that developer user identifier.")
		}
		id = linked
	}
	ident, err := st.identityLocked(id)
	if err != nil {
		return nil, err
	}
	if ident.poolID != p.id {
		return nil, errResourceNotFound("Identity '%s' not found.", id)
	}
	users := ident.logins[p.developer]
	start, end, next, err := listPage(max, in.NextToken, len(users))
	if err != nil {
		return nil, err
	}
	return struct {
		IdentityId                  string
		DeveloperUserIdentifierList []string
		NextToken                   string `json:",omitempty"`
	}{ident.id, append([]string{}, users[start:end]...), next}, nil
}

func (s *Server) opMergeDeveloperIdentities(c *call) (any, error) {
	var in struct {
		SourceUserIdentifier      string
		DestinationUserIdentifier string
		DeveloperProviderName     string
		IdentityPoolId            string
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.SourceUserIdentifier == "" || in.DestinationUserIdentifier == "" || len(in.SourceUserIdentifier) > 1024 || len(in.DestinationUserIdentifier) > 1024 {
		return nil, errInvalidParameter("SourceUserIdentifier and DestinationUserIdentifier must be 1-1024 characters")
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	p, err := st.poolLocked(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	if p.developer == "" || in.DeveloperProviderName != p.developer {
		return nil, errInvalidParameter("DeveloperProviderName does not match the identity pool's.")
	}
	src := st.links[linkKey(p.id, p.developer, in.SourceUserIdentifier)]
	dst := st.links[linkKey(p.id, p.developer, in.DestinationUserIdentifier)]
	if src == "" || dst == "" {
		return nil, errResourceNotFound("Both developer user identifiers must be linked to identities.")
	}
	if src != dst {
		from, to := st.identities[src], st.identities[dst]
		now := s.now()
		for prov, subs := range from.logins {
			for _, sub := range append([]string(nil), subs...) {
				st.unlinkLocked(from, prov, sub, now)
				st.linkLocked(to, prov, sub, now)
			}
		}
		st.deleteIdentityLocked(from)
	}
	return map[string]string{"IdentityId": dst}, nil
}

func (s *Server) opUnlinkDeveloperIdentity(c *call) (any, error) {
	var in struct {
		IdentityId              string
		IdentityPoolId          string
		DeveloperProviderName   string
		DeveloperUserIdentifier string
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	p, err := st.poolLocked(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	if p.developer == "" || in.DeveloperProviderName != p.developer {
		return nil, errInvalidParameter("DeveloperProviderName does not match the identity pool's.")
	}
	i, err := st.identityLocked(in.IdentityId)
	if err != nil {
		return nil, err
	}
	if i.poolID != p.id || !st.unlinkLocked(i, p.developer, in.DeveloperUserIdentifier, s.now()) {
		return nil, errResourceNotFound("The developer user identifier is not linked to identity '%s'.", i.id)
	}
	return nil, nil
}

func (s *Server) opUnlinkIdentity(c *call) (any, error) {
	var in struct {
		IdentityId     string
		Logins         map[string]string
		LoginsToRemove []string
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if len(in.Logins) == 0 {
		return nil, errInvalidParameter("Logins is required")
	}
	if len(in.LoginsToRemove) > maxLogins {
		return nil, errInvalidParameter("LoginsToRemove has more than %d entries", maxLogins)
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	i, err := st.identityLocked(in.IdentityId)
	if err != nil {
		return nil, err
	}
	p := st.pools[i.poolID]
	refs, err := s.validateLoginsLocked(p, in.Logins, false)
	if err != nil {
		return nil, err
	}
	for _, r := range refs {
		if st.linkedIdentityLocked(p.id, r) != i.id {
			return nil, errNotAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
		}
	}
	for _, prov := range in.LoginsToRemove {
		if prov == p.developer && p.developer != "" {
			return nil, errInvalidParameter("use UnlinkDeveloperIdentity to unlink developer user identifiers")
		}
		if _, ok := i.logins[prov]; !ok {
			return nil, errInvalidParameter("Login %s is not linked to identity '%s'.", truncate(prov, 128), i.id)
		}
	}
	now := s.now()
	for _, prov := range in.LoginsToRemove {
		for _, sub := range append([]string(nil), i.logins[prov]...) {
			st.unlinkLocked(i, prov, sub, now)
		}
	}
	return nil, nil
}

// IdentityJWKS returns the JSON Web Key Set that verifies the OpenID tokens
// of GetOpenIdToken and GetOpenIdTokenForDeveloperIdentity (RS512, issuer
// "https://cognito-identity.amazonaws.com", audience the identity pool ID),
// as Cognito publishes at
// https://cognito-identity.amazonaws.com/.well-known/jwks_uri.
func (s *Server) IdentityJWKS() ([]byte, error) {
	s.ids.mu.Lock()
	k, err := s.ids.signingKeyLocked()
	s.ids.mu.Unlock()
	if err != nil {
		return nil, err
	}
	pub := k.priv.PublicKey
	return json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS512", "use": "sig", "kid": k.kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}
