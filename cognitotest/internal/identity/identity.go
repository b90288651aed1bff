package identity

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Defaults of the Cognito Identity emulation (see cognitotest).
const (
	TestAccountID                 = "123456789012"
	DefaultCredentialsLifetime    = time.Hour
	DefaultOpenIDTokenLifetime    = 10 * time.Minute
	DefaultDeveloperTokenDuration = 15 * time.Minute
	CognitoIdentityProviderName   = "cognito-identity.amazonaws.com"
	cognitoIdentityIssuer         = "https://cognito-identity.amazonaws.com"
	keyID                         = "cognitotest-identity-1"
)

// Limits on input from outside.
const (
	maxLogins          = 10
	maxTags            = 50
	maxIdentityPools   = 1000
	maxProviders       = 50
	maxLoginTokenBytes = 50000
	maxRoleMappings    = 10
	maxMappingRules    = 25
	maxIssuedCreds     = 100000
	maxIdentities      = 100000 // per identity pool
)

var (
	identityPoolIDRE  = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d:[0-9a-f-]{36}$`)
	identityPoolNmRE  = userpool.MustRuneClass(`[\w\s+=,.@-]`, 1, 128)
	cognitoProviderRE = regexp.MustCompile(`^cognito-idp\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com/([a-z]{2}(?:-gov)?-[a-z]+-\d_[A-Za-z0-9]+)$`)
	idClientIDRE      = userpool.MustRuneClass(`[\w]`, 1, 128)
	developerNameRE   = userpool.MustRuneClass(`[\w._-]`, 1, 128)
	RoleARNRE         = roleARNPattern{account: regexp.MustCompile(`^arn:aws(-[a-z]+)?:iam::\d{12}$`), name: userpool.MustRuneClass(`[\w+=,.@/-]`, 1, 512)}
	loginProviderRE   = userpool.MustRuneClass(`[\w._:/-]`, 1, 128)
	tagKeyRE          = userpool.MustRuneClass(`[\p{L}\p{Z}\p{N}_.:/=+\-@]`, 1, 128)
)

// roleARNPattern matches `^arn:aws(-[a-z]+)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`
// without compiling that regexp (see [userpool.RuneClass]): a role's name
// has no colon, so the last ":role/" ends the account's part.
type roleARNPattern struct {
	account *regexp.Regexp
	name    userpool.RuneClass
}

// MatchString reports whether s is a role ARN of the pattern.
func (p roleARNPattern) MatchString(s string) bool {
	i := strings.LastIndex(s, ":role/")
	return i >= 0 && p.account.MatchString(s[:i]) && p.name.MatchString(s[i+len(":role/"):])
}

var userPoolIDRE = regexp.MustCompile(`^[a-z]{2}(?:-gov)?-[a-z]+-\d_[A-Za-z0-9]+$`)

// userPoolOf returns the ID of the user pool a Cognito provider name
// names. Two names name a user pool of the emulator: Cognito's own,
// "cognito-idp.{region}.amazonaws.com/{userPoolID}" ([ProviderName]), and
// the issuer of the pool's tokens without its scheme, such as
// "127.0.0.1:9229/{userPoolID}": the name Amplify gives a login, derived
// from the ID token's iss.
func (s *Service) userPoolOf(prov string) (string, bool) {
	if m := cognitoProviderRE.FindStringSubmatch(prov); m != nil {
		return m[2], true
	}
	id, ok := strings.CutPrefix(prov, s.emulatorProviderName(""))
	return id, ok && userPoolIDRE.MatchString(id)
}

// emulatorProviderName returns the provider name of a user pool that is
// its issuer without the scheme.
func (s *Service) emulatorProviderName(userPoolID string) string {
	u := s.up.URL()
	if _, rest, ok := strings.Cut(u, "://"); ok {
		u = rest
	}
	return u + "/" + userPoolID
}

// canonicalProvider returns the name under which a login of the provider
// is linked and looked up: [ProviderName] for either name of a user pool,
// prov itself for any other provider. Logins of one user under either name
// are so one login, of one identity.
func (s *Service) canonicalProvider(prov string) string {
	if id, ok := s.userPoolOf(prov); ok {
		return ProviderName(id)
	}
	return prov
}

// ProviderName returns the Logins key of a user pool:
// "cognito-idp.{region}.amazonaws.com/{userPoolID}".
func ProviderName(userPoolID string) string {
	region, _, _ := strings.Cut(userPoolID, "_")
	return "cognito-idp." + region + ".amazonaws.com/" + userPoolID
}

// Service is Cognito Identity and STS over the emulator's state.
type Service struct {
	up *userpool.Service
}

// New returns the Cognito Identity service; user pool logins are checked
// by up.
func New(up *userpool.Service) *Service { return &Service{up: up} }

// Register adds the Cognito Identity operations to r.
func Register(r *emulator.Registry, s *Service) {
	op := func(name string, h emulator.Handler, public, writes bool) emulator.Op {
		return emulator.Op{Service: emulator.Identity, Name: name, Handler: h, Public: public, Writes: writes}
	}
	const public, iam, writes, reads = true, false, true, false
	r.Add(
		op("CreateIdentityPool", s.createIdentityPool, iam, writes),
		op("DescribeIdentityPool", s.describeIdentityPool, iam, reads),
		op("UpdateIdentityPool", s.updateIdentityPool, iam, writes),
		op("DeleteIdentityPool", s.deleteIdentityPool, iam, writes),
		op("ListIdentityPools", s.listIdentityPools, iam, reads),
		op("SetIdentityPoolRoles", s.setIdentityPoolRoles, iam, writes),
		op("GetIdentityPoolRoles", s.getIdentityPoolRoles, iam, reads),
		op("GetId", s.getID, public, writes),
		op("GetCredentialsForIdentity", s.getCredentialsForIdentity, public, writes),
		op("GetOpenIdToken", s.getOpenIDToken, public, writes),
		op("GetOpenIdTokenForDeveloperIdentity", s.getOpenIDTokenForDeveloperIdentity, iam, writes),
		op("LookupDeveloperIdentity", s.lookupDeveloperIdentity, iam, reads),
		op("MergeDeveloperIdentities", s.mergeDeveloperIdentities, iam, writes),
		op("UnlinkDeveloperIdentity", s.unlinkDeveloperIdentity, iam, writes),
		op("UnlinkIdentity", s.unlinkIdentity, public, writes),
		op("DescribeIdentity", s.describeIdentity, iam, reads),
		op("ListIdentities", s.listIdentities, iam, reads),
		op("DeleteIdentities", s.deleteIdentities, iam, writes),
		op("TagResource", s.tagResource, iam, writes),
		op("UntagResource", s.untagResource, iam, writes),
		op("ListTagsForResource", s.listTagsForResource, iam, reads),
		op("SetPrincipalTagAttributeMap", s.setPrincipalTagAttributeMap, iam, writes),
		op("GetPrincipalTagAttributeMap", s.getPrincipalTagAttributeMap, iam, reads),
	)
}

// ---- wire shapes ----------------------------------------------------------

type cognitoIdentityProviderWire struct {
	ProviderName         string `json:"ProviderName,omitempty"`
	ClientId             string `json:"ClientId,omitempty"`
	ServerSideTokenCheck *bool  `json:"ServerSideTokenCheck,omitempty"`
}

// PoolWire is the shape of an identity pool in the API.
type PoolWire struct {
	IdentityPoolId                 string                        `json:"IdentityPoolId,omitempty"`
	IdentityPoolName               string                        `json:"IdentityPoolName"`
	AllowUnauthenticatedIdentities *bool                         `json:"AllowUnauthenticatedIdentities"`
	AllowClassicFlow               *bool                         `json:"AllowClassicFlow,omitempty"`
	SupportedLoginProviders        map[string]string             `json:"SupportedLoginProviders,omitempty"`
	DeveloperProviderName          string                        `json:"DeveloperProviderName,omitempty"`
	OpenIdConnectProviderARNs      []string                      `json:"OpenIdConnectProviderARNs,omitempty"`
	CognitoIdentityProviders       []cognitoIdentityProviderWire `json:"CognitoIdentityProviders,omitempty"`
	SamlProviderARNs               []string                      `json:"SamlProviderARNs,omitempty"`
	IdentityPoolTags               map[string]string             `json:"IdentityPoolTags,omitempty"`
}

type mappingRuleWire struct {
	Claim     string
	MatchType string
	Value     string
	RoleARN   string
}

type roleMappingWire struct {
	Type                    string
	AmbiguousRoleResolution string `json:",omitempty"`
	RulesConfiguration      *struct {
		Rules []mappingRuleWire
	} `json:",omitempty"`
}

type identityDescriptionWire struct {
	IdentityId       string
	Logins           []string `json:"Logins,omitempty"`
	CreationDate     wire.Epoch
	LastModifiedDate wire.Epoch
}

func boolPtr(b bool) *bool { return &b }

func poolWire(p *state.IdentityPool) PoolWire {
	w := PoolWire{
		IdentityPoolId: p.ID, IdentityPoolName: p.Name,
		AllowUnauthenticatedIdentities: boolPtr(p.AllowUnauthenticated), AllowClassicFlow: boolPtr(p.AllowClassicFlow),
		DeveloperProviderName: p.DeveloperProviderName, OpenIdConnectProviderARNs: p.OpenIDConnectProviderARNs, SamlProviderARNs: p.SAMLProviderARNs,
	}
	for _, cp := range p.CognitoIdentityProviders {
		w.CognitoIdentityProviders = append(w.CognitoIdentityProviders, cognitoIdentityProviderWire{cp.ProviderName, cp.ClientID, cp.ServerSideTokenCheck})
	}
	if len(p.SupportedLoginProviders) > 0 {
		w.SupportedLoginProviders = p.SupportedLoginProviders
	}
	if len(p.Tags) > 0 {
		w.IdentityPoolTags = p.Tags
	}
	return w
}

// apply sets the settings of in (validated) on p.
func apply(p *state.IdentityPool, in *PoolWire) {
	p.Name = in.IdentityPoolName
	p.AllowUnauthenticated = *in.AllowUnauthenticatedIdentities
	p.AllowClassicFlow = in.AllowClassicFlow != nil && *in.AllowClassicFlow
	p.SupportedLoginProviders = copyMap(in.SupportedLoginProviders)
	p.DeveloperProviderName = in.DeveloperProviderName
	p.OpenIDConnectProviderARNs = append([]string(nil), in.OpenIdConnectProviderARNs...)
	p.SAMLProviderARNs = append([]string(nil), in.SamlProviderARNs...)
	p.CognitoIdentityProviders = nil
	for _, cp := range in.CognitoIdentityProviders {
		p.CognitoIdentityProviders = append(p.CognitoIdentityProviders, state.CognitoIdentityProvider{ProviderName: cp.ProviderName, ClientID: cp.ClientId, ServerSideTokenCheck: cp.ServerSideTokenCheck})
	}
}

func identityWire(i *state.Identity) identityDescriptionWire {
	logins := make([]string, 0, len(i.Logins))
	for k := range i.Logins {
		logins = append(logins, k)
	}
	sortStrings(logins)
	return identityDescriptionWire{IdentityId: i.ID, Logins: logins, CreationDate: wire.Epoch(i.CreatedAt), LastModifiedDate: wire.Epoch(i.ModifiedAt)}
}

func roleMappingsWire(m map[string]state.RoleMapping) map[string]roleMappingWire {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]roleMappingWire, len(m))
	for k, v := range m {
		w := roleMappingWire{Type: v.Type, AmbiguousRoleResolution: v.AmbiguousRoleResolution}
		if len(v.Rules) > 0 {
			w.RulesConfiguration = &struct{ Rules []mappingRuleWire }{}
			for _, r := range v.Rules {
				w.RulesConfiguration.Rules = append(w.RulesConfiguration.Rules, mappingRuleWire(r))
			}
		}
		out[k] = w
	}
	return out
}

func roleMappingsState(m map[string]roleMappingWire) map[string]state.RoleMapping {
	if m == nil {
		return nil
	}
	out := make(map[string]state.RoleMapping, len(m))
	for k, v := range m {
		r := state.RoleMapping{Type: v.Type, AmbiguousRoleResolution: v.AmbiguousRoleResolution}
		if v.RulesConfiguration != nil {
			for _, rule := range v.RulesConfiguration.Rules {
				r.Rules = append(r.Rules, state.MappingRule(rule))
			}
		}
		out[k] = r
	}
	return out
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ---- the signing key of OpenID tokens ----------------------------------------

// key returns Cognito Identity's signing key, creating it on first use
// (outside any transaction: generating it takes long).
func (s *Service) key() (*state.SigningKey, error) {
	var k *state.SigningKey
	s.up.State.View(func(tx *state.Tx) error { k = identityKey(tx); return nil })
	if k != nil {
		return k, nil
	}
	priv, err := s.up.NewRSAKey() // the next of WithSigningKeys (never a pool's), or a fresh key
	if err != nil {
		return nil, err
	}
	nk, err := state.NewSigningKey(state.IdentityKeyOwner, 1, keyID, "RS512", priv, s.up.Now())
	if err != nil {
		return nil, err
	}
	err = s.up.State.Update(func(tx *state.Tx) error {
		if k = identityKey(tx); k == nil {
			tx.PutSigningKey(nk)
			k = nk
		}
		return nil
	})
	return k, err
}

func identityKey(tx *state.Tx) *state.SigningKey {
	keys := tx.SigningKeys(state.IdentityKeyOwner)
	if len(keys) == 0 {
		return nil
	}
	return keys[len(keys)-1]
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

func (s *Service) signOpenID(c openIDClaims) (string, error) {
	k, err := s.key()
	if err != nil {
		return "", err
	}
	return emulator.SignJWT(k.Private(), "RS512", map[string]string{"kid": k.KID, "typ": "JWS", "alg": "RS512"}, c)
}

type openIDError int

const (
	openIDMalformed openIDError = iota + 1
	openIDSignature
	openIDExpired
)

// verifyOpenID verifies a token of signOpenID.
func (s *Service) verifyOpenID(tx *state.Tx, tok string) (*openIDClaims, openIDError) {
	k := identityKey(tx)
	if k == nil {
		return nil, openIDMalformed
	}
	jwt, err := emulator.ParseJWT(tok, maxLoginTokenBytes)
	if err != nil || jwt.Alg != "RS512" || jwt.Kid != k.KID {
		return nil, openIDMalformed
	}
	if !jwt.Verify(&k.Private().PublicKey) {
		return nil, openIDSignature
	}
	var c openIDClaims
	if json.Unmarshal(jwt.Payload, &c) != nil || c.Iss != cognitoIdentityIssuer || c.Sub == "" || c.Aud == "" {
		return nil, openIDMalformed
	}
	if s.up.Now().Unix() >= c.Exp {
		return nil, openIDExpired
	}
	return &c, 0
}

// JWKS returns the JSON Web Key Set of the OpenID tokens.
func (s *Service) JWKS() ([]byte, error) {
	k, err := s.key()
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"keys": []map[string]string{userpool.PublicJWK(k)}})
}

func sortStrings(s []string) { slices.Sort(s) }

// AddCognitoProvider adds a user pool app client to the identity pool's
// providers.
func (w *PoolWire) AddCognitoProvider(providerName, clientID string) {
	w.AddCognitoProviderCheck(providerName, clientID, nil)
}

// AddCognitoProviderCheck is AddCognitoProvider with ServerSideTokenCheck
// (nil: unset).
func (w *PoolWire) AddCognitoProviderCheck(providerName, clientID string, serverSideTokenCheck *bool) {
	w.CognitoIdentityProviders = append(w.CognitoIdentityProviders,
		cognitoIdentityProviderWire{ProviderName: providerName, ClientId: clientID, ServerSideTokenCheck: serverSideTokenCheck})
}
