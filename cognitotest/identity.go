package cognitotest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/verifier"
)

// This file and identity_*.go emulate Amazon Cognito Identity (identity
// pools): the AWSCognitoIdentityService API over AWS JSON 1.1 on POST /, next
// to the user pool API. sts.go serves STS AssumeRoleWithWebIdentity for the
// basic (classic) flow.

// Defaults of the Cognito Identity emulation.
const (
	// TestAccountID is the AWS account ID of the emulated identity pools,
	// roles and ARNs.
	TestAccountID = "123456789012"

	// DefaultCredentialsLifetime is the lifetime of the credentials that
	// GetCredentialsForIdentity and AssumeRoleWithWebIdentity issue, as in
	// Cognito.
	DefaultCredentialsLifetime = time.Hour

	// DefaultOpenIDTokenLifetime is the lifetime of the OpenID tokens of
	// GetOpenIdToken (Cognito: ten minutes).
	DefaultOpenIDTokenLifetime = 10 * time.Minute

	// DefaultDeveloperTokenDuration is the default TokenDuration of
	// GetOpenIdTokenForDeveloperIdentity (Cognito: 15 minutes).
	DefaultDeveloperTokenDuration = 15 * time.Minute

	// CognitoIdentityProviderName is the Logins key of the OpenID tokens
	// Cognito Identity issues itself (developer-authenticated identities).
	CognitoIdentityProviderName = "cognito-identity.amazonaws.com"

	// cognitoIdentityIssuer is the iss of those tokens.
	cognitoIdentityIssuer = "https://cognito-identity.amazonaws.com"
)

const identityTargetPrefix = "AWSCognitoIdentityService."

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
	identityPoolNmRE  = regexp.MustCompile(`^[\w\s+=,.@-]{1,128}$`)
	cognitoProviderRE = regexp.MustCompile(`^cognito-idp\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com/([a-z]{2}(?:-gov)?-[a-z]+-\d_[A-Za-z0-9]+)$`)
	idClientIDRE      = regexp.MustCompile(`^[\w]{1,128}$`)
	developerNameRE   = regexp.MustCompile(`^[\w._-]{1,128}$`)
	roleARNRE         = regexp.MustCompile(`^arn:aws(-[a-z]+)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	loginProviderRE   = regexp.MustCompile(`^[\w._:/-]{1,128}$`)
	tagKeyRE          = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
)

// IdentityPoolConfig configures an identity pool created with
// [Server.CreateIdentityPool]. The zero value is a pool without logins or
// guests, with default roles.
type IdentityPoolConfig struct {
	// Name is the identity pool's name. Optional. Default "identitypool".
	Name string
	// AllowUnauthenticated allows guest (unauthenticated) identities.
	AllowUnauthenticated bool
	// AllowClassicFlow enables the basic (classic) flow: GetOpenIdToken
	// followed by STS AssumeRoleWithWebIdentity.
	AllowClassicFlow bool
	// UserPools are the user pool app clients whose ID tokens are accepted
	// as logins. The Logins key is "cognito-idp.{region}.amazonaws.com/{pool
	// ID}" (see [IdentityProviderName]).
	UserPools []IdentityPoolUserPool
	// DeveloperProviderName enables developer-authenticated identities
	// (GetOpenIdTokenForDeveloperIdentity) under this name.
	DeveloperProviderName string
	// AuthenticatedRoleARN and UnauthenticatedRoleARN are the pool's roles.
	// Optional. Defaults
	// "arn:aws:iam::123456789012:role/cognitotest-authenticated" and
	// "arn:aws:iam::123456789012:role/cognitotest-unauthenticated".
	AuthenticatedRoleARN   string
	UnauthenticatedRoleARN string
	// CredentialsLifetime is how long issued AWS credentials last.
	// Optional. Default [DefaultCredentialsLifetime].
	CredentialsLifetime time.Duration
}

// IdentityPoolUserPool is a user pool app client of an identity pool.
type IdentityPoolUserPool struct {
	UserPoolID string
	ClientID   string
}

// IdentityPool describes an identity pool of the emulator.
type IdentityPool struct {
	ID   string // "{region}:{uuid}"
	Name string
	ARN  string
}

// IssuedCredentials describes AWS credentials the emulator issued. They are
// NOT usable against AWS: the emulator makes them up, and no AWS service
// knows them.
type IssuedCredentials struct {
	AccessKeyID   string
	IdentityID    string
	RoleARN       string
	Authenticated bool
	Expiration    time.Time
	Source        string // "GetCredentialsForIdentity" or "AssumeRoleWithWebIdentity"
}

// IdentityProviderName returns the Logins key of a user pool:
// "cognito-idp.{region}.amazonaws.com/{userPoolID}".
func IdentityProviderName(userPoolID string) string {
	region, _, _ := strings.Cut(userPoolID, "_")
	return "cognito-idp." + region + ".amazonaws.com/" + userPoolID
}

// ---- state ----------------------------------------------------------------

// idStore is the Cognito Identity and STS state of a Server. Its zero value
// is ready to use.
type idStore struct {
	mu         sync.Mutex // guards the fields below
	pools      map[string]*idPool
	poolOrder  []string
	identities map[string]*idIdentity
	links      map[string]string // pool ID \x00 provider \x00 subject -> identity ID
	issued     map[string]IssuedCredentials
	key        *idSigningKey
	verifiers  map[string]*verifier.Verifier // by pool, JWKS and client IDs
}

func (st *idStore) initLocked() {
	if st.pools == nil {
		st.pools = map[string]*idPool{}
		st.identities = map[string]*idIdentity{}
		st.links = map[string]string{}
		st.issued = map[string]IssuedCredentials{}
		st.verifiers = map[string]*verifier.Verifier{}
	}
}

type idPool struct {
	id, name        string
	arn             string
	allowUnauth     bool
	allowClassic    bool
	supported       map[string]string
	developer       string
	openID          []string
	saml            []string
	providers       []cognitoIdentityProviderWire
	roles           map[string]string
	roleMappings    map[string]roleMappingWire
	tags            map[string]string
	credLifetime    time.Duration
	identityOrder   []string
	identityDeleted int // deleted entries in identityOrder, for compaction
}

type idIdentity struct {
	id, poolID string
	logins     map[string][]string // provider -> subjects (developer providers may have several)
	created    time.Time
	modified   time.Time
}

func (i *idIdentity) authenticated() bool { return len(i.logins) > 0 }

func linkKey(poolID, provider, subject string) string {
	return poolID + "\x00" + provider + "\x00" + subject
}

// ---- wire shapes ----------------------------------------------------------

type cognitoIdentityProviderWire struct {
	ProviderName         string `json:"ProviderName,omitempty"`
	ClientId             string `json:"ClientId,omitempty"`
	ServerSideTokenCheck *bool  `json:"ServerSideTokenCheck,omitempty"`
}

type identityPoolWire struct {
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
	CreationDate     epoch
	LastModifiedDate epoch
}

func boolPtr(b bool) *bool { return &b }

func (p *idPool) wire() identityPoolWire {
	w := identityPoolWire{
		IdentityPoolId: p.id, IdentityPoolName: p.name,
		AllowUnauthenticatedIdentities: boolPtr(p.allowUnauth), AllowClassicFlow: boolPtr(p.allowClassic),
		DeveloperProviderName: p.developer, OpenIdConnectProviderARNs: p.openID, SamlProviderARNs: p.saml,
		CognitoIdentityProviders: p.providers,
	}
	if len(p.supported) > 0 {
		w.SupportedLoginProviders = p.supported
	}
	if len(p.tags) > 0 {
		w.IdentityPoolTags = p.tags
	}
	return w
}

func (i *idIdentity) wire() identityDescriptionWire {
	return identityDescriptionWire{IdentityId: i.id, Logins: sortedKeys(i.logins),
		CreationDate: epoch(i.created), LastModifiedDate: epoch(i.modified)}
}

// ---- dispatch -------------------------------------------------------------

// identityOp returns the Cognito Identity operation op, or nil. The ones
// not in publicIdentityOps (guard.go) require an Authorization header (IAM).
func (s *Server) identityOp(op string) opFunc {
	switch op {
	case "CreateIdentityPool":
		return s.opCreateIdentityPool
	case "DescribeIdentityPool":
		return s.opDescribeIdentityPool
	case "UpdateIdentityPool":
		return s.opUpdateIdentityPool
	case "DeleteIdentityPool":
		return s.opDeleteIdentityPool
	case "ListIdentityPools":
		return s.opListIdentityPools
	case "SetIdentityPoolRoles":
		return s.opSetIdentityPoolRoles
	case "GetIdentityPoolRoles":
		return s.opGetIdentityPoolRoles
	case "GetId":
		return s.opGetId
	case "GetCredentialsForIdentity":
		return s.opGetCredentialsForIdentity
	case "GetOpenIdToken":
		return s.opGetOpenIdToken
	case "GetOpenIdTokenForDeveloperIdentity":
		return s.opGetOpenIdTokenForDeveloperIdentity
	case "LookupDeveloperIdentity":
		return s.opLookupDeveloperIdentity
	case "MergeDeveloperIdentities":
		return s.opMergeDeveloperIdentities
	case "UnlinkDeveloperIdentity":
		return s.opUnlinkDeveloperIdentity
	case "UnlinkIdentity":
		return s.opUnlinkIdentity
	case "DescribeIdentity":
		return s.opDescribeIdentity
	case "ListIdentities":
		return s.opListIdentities
	case "DeleteIdentities":
		return s.opDeleteIdentities
	case "TagResource":
		return s.opTagResource
	case "UntagResource":
		return s.opUntagResource
	case "ListTagsForResource":
		return s.opListTagsForResource
	}
	return nil
}

// serveOther serves the requests of POST / that are not user pool API
// calls: Cognito Identity (X-Amz-Target AWSCognitoIdentityService.*) and STS
// (form-encoded Action=...). It reports whether it handled the request.
func (s *Server) serveOther(w http.ResponseWriter, r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), identityTargetPrefix) {
		s.serveIdentity(w, r)
		return true
	}
	if r.Header.Get("X-Amz-Target") == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		s.serveSTS(w, r)
		return true
	}
	return false
}

func (s *Server) serveIdentity(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), identityTargetPrefix)
	var resp any
	var err error
	fn := s.identityOp(op)
	switch {
	case fn == nil:
		if len(op) > 64 {
			op = op[:64] + "..."
		}
		err = apiErr("UnknownOperationException", "cognitotest does not implement the Cognito Identity operation %q", op)
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1"):
		err = apiErr("SerializationException", "Content-Type must be application/x-amz-json-1.1")
	case !publicIdentityOps[op] && r.Header.Get("Authorization") == "":
		err = apiErr("MissingAuthenticationTokenException", "%s requires AWS credentials (SigV4 Authorization header)", op)
	default:
		body, rerr := io.ReadAll(http.MaxBytesReader(nil, r.Body, s.opts.maxBody))
		switch {
		case rerr != nil:
			err = errInvalidParameter("request body exceeds %d bytes or cannot be read", s.opts.maxBody)
		default:
			if e := s.faults.takeFailure(op); e != nil {
				err = e
			} else {
				resp, err = fn(&call{s: s, r: r, op: op, body: body, iam: r.Header.Get("Authorization") != ""})
			}
		}
	}
	status := http.StatusOK
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", s.uuid())
	var ae *apiError
	if err != nil {
		if !errors.As(err, &ae) {
			ae = errInternal("internal error")
			s.opts.logger.Error("cognitotest: internal error", "op", op, "err", err)
		}
		status = ae.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		w.Header().Set("X-Amzn-Errortype", ae.Type)
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"__type": ae.Type, "message": ae.Message})
	} else {
		if resp == nil {
			resp = struct{}{}
		}
		b, _ := json.Marshal(resp)
		w.Write(b)
	}
	attrs := []any{"service", "cognito-identity", "op", op, "status", status, "duration", time.Since(start)}
	if ae != nil {
		attrs = append(attrs, "error", ae.Type)
	}
	s.opts.logger.Info("cognitotest: request", attrs...)
}

// ---- Go API ---------------------------------------------------------------

// CreateIdentityPool creates an identity pool, as CreateIdentityPool and
// SetIdentityPoolRoles would.
//
// The identity pool answers the Cognito Identity API (cognitoidentity's
// GetId, GetCredentialsForIdentity, GetOpenIdToken, the developer and
// management operations) and STS AssumeRoleWithWebIdentity on [Server.URL].
// Logins of its user pools are verified with the emulator's own keys: the
// issuer, the signature, the expiry and the audience (one of the configured
// app clients). The AWS credentials it issues expire like Cognito's but are
// made up: they are NOT usable against AWS. [Server.IssuedCredentials] tells
// which identity and role they were issued for.
func (s *Server) CreateIdentityPool(cfg IdentityPoolConfig) (IdentityPool, error) {
	if cfg.Name == "" {
		cfg.Name = "identitypool"
	}
	if cfg.AuthenticatedRoleARN == "" {
		cfg.AuthenticatedRoleARN = "arn:aws:iam::" + TestAccountID + ":role/cognitotest-authenticated"
	}
	if cfg.UnauthenticatedRoleARN == "" {
		cfg.UnauthenticatedRoleARN = "arn:aws:iam::" + TestAccountID + ":role/cognitotest-unauthenticated"
	}
	if cfg.CredentialsLifetime < 0 {
		return IdentityPool{}, invalidf("CredentialsLifetime must not be negative")
	}
	in := identityPoolWire{
		IdentityPoolName:               cfg.Name,
		AllowUnauthenticatedIdentities: boolPtr(cfg.AllowUnauthenticated),
		AllowClassicFlow:               boolPtr(cfg.AllowClassicFlow),
		DeveloperProviderName:          cfg.DeveloperProviderName,
	}
	for _, up := range cfg.UserPools {
		in.CognitoIdentityProviders = append(in.CognitoIdentityProviders, cognitoIdentityProviderWire{
			ProviderName: IdentityProviderName(up.UserPoolID), ClientId: up.ClientID})
	}
	roles := map[string]string{"authenticated": cfg.AuthenticatedRoleARN, "unauthenticated": cfg.UnauthenticatedRoleARN}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	if err := validateRolesLocked(roles); err != nil {
		return IdentityPool{}, invalidf("%s", err.Message)
	}
	p, err := s.createIdentityPoolLocked(&in)
	if err != nil {
		return IdentityPool{}, invalidf("%s", err.Message)
	}
	p.roles = roles
	if cfg.CredentialsLifetime > 0 {
		p.credLifetime = cfg.CredentialsLifetime
	}
	return IdentityPool{ID: p.id, Name: p.name, ARN: p.arn}, nil
}

// MustCreateIdentityPool is [Server.CreateIdentityPool] that ends the test
// on error.
func (s *Server) MustCreateIdentityPool(cfg IdentityPoolConfig) IdentityPool {
	p, err := s.CreateIdentityPool(cfg)
	if err != nil {
		s.fatal(err)
	}
	return p
}

// IssuedCredentials returns what the emulator knows about the credentials
// with the given access key ID: the identity and role they were issued for.
// Tests use it to check whose credentials a provider returned.
func (s *Server) IssuedCredentials(accessKeyID string) (IssuedCredentials, bool) {
	s.ids.mu.Lock()
	defer s.ids.mu.Unlock()
	c, ok := s.ids.issued[accessKeyID]
	return c, ok
}

// IdentityIDs returns the identity IDs of an identity pool, oldest first.
func (s *Server) IdentityIDs(identityPoolID string) ([]string, error) {
	s.ids.mu.Lock()
	defer s.ids.mu.Unlock()
	s.ids.initLocked()
	p := s.ids.pools[identityPoolID]
	if p == nil {
		return nil, notFoundf("identity pool %q", identityPoolID)
	}
	out := []string{}
	for _, id := range p.identityOrder {
		if _, ok := s.ids.identities[id]; ok {
			out = append(out, id)
		}
	}
	return out, nil
}

// ---- pool management --------------------------------------------------------

func (s *Server) validatePoolWire(in *identityPoolWire) *apiError {
	if !identityPoolNmRE.MatchString(in.IdentityPoolName) {
		return errInvalidParameter("1 validation error detected: Value at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+ and length 1-128")
	}
	if in.AllowUnauthenticatedIdentities == nil {
		return errInvalidParameter("AllowUnauthenticatedIdentities is required")
	}
	if len(in.SupportedLoginProviders) > maxProviders || len(in.CognitoIdentityProviders) > maxProviders ||
		len(in.OpenIdConnectProviderARNs) > maxProviders || len(in.SamlProviderARNs) > maxProviders {
		return apiErr("LimitExceededException", "too many identity providers (at most %d of each kind)", maxProviders)
	}
	for k, v := range in.SupportedLoginProviders {
		if !loginProviderRE.MatchString(k) || len(v) == 0 || len(v) > 128 {
			return errInvalidParameter("SupportedLoginProviders: invalid entry %q", truncate(k, 64))
		}
	}
	if in.DeveloperProviderName != "" && !developerNameRE.MatchString(in.DeveloperProviderName) {
		return errInvalidParameter("DeveloperProviderName must match [\\w._-]+ and be 1-128 characters")
	}
	if isReservedProvider(in.DeveloperProviderName) {
		return errInvalidParameter("DeveloperProviderName %q is reserved", in.DeveloperProviderName)
	}
	seen := map[string]bool{}
	for _, p := range in.CognitoIdentityProviders {
		if !cognitoProviderRE.MatchString(p.ProviderName) {
			return errInvalidParameter("CognitoIdentityProviders: ProviderName %q must be cognito-idp.{region}.amazonaws.com/{userPoolId}", truncate(p.ProviderName, 128))
		}
		if !idClientIDRE.MatchString(p.ClientId) {
			return errInvalidParameter("CognitoIdentityProviders: ClientId must match [\\w_]+ and be 1-128 characters")
		}
		k := p.ProviderName + "\x00" + p.ClientId
		if seen[k] {
			return errInvalidParameter("CognitoIdentityProviders: duplicate provider %s with client %s", p.ProviderName, p.ClientId)
		}
		seen[k] = true
	}
	for _, a := range append(append([]string(nil), in.OpenIdConnectProviderARNs...), in.SamlProviderARNs...) {
		if len(a) < 20 || len(a) > 2048 || !strings.HasPrefix(a, "arn:") {
			return errInvalidParameter("provider ARN %q is not an ARN", truncate(a, 64))
		}
	}
	return validateTags(in.IdentityPoolTags)
}

func isReservedProvider(name string) bool {
	return name == CognitoIdentityProviderName || strings.HasPrefix(name, "cognito-idp.") ||
		name == "graph.facebook.com" || name == "accounts.google.com" || name == "www.amazon.com" ||
		name == "api.twitter.com" || name == "appleid.apple.com" || name == "www.digits.com"
}

func validateTags(tags map[string]string) *apiError {
	if len(tags) > maxTags {
		return errInvalidParameter("at most %d tags", maxTags)
	}
	for k, v := range tags {
		if !tagKeyRE.MatchString(k) || strings.HasPrefix(k, "aws:") {
			return errInvalidParameter("invalid tag key %q", truncate(k, 64))
		}
		if len(v) > 256 {
			return errInvalidParameter("tag value of %q is longer than 256 characters", truncate(k, 64))
		}
	}
	return nil
}

func (s *Server) createIdentityPoolLocked(in *identityPoolWire) (*idPool, *apiError) {
	if err := s.validatePoolWire(in); err != nil {
		return nil, err
	}
	st := &s.ids
	if len(st.pools) >= maxIdentityPools {
		return nil, apiErr("LimitExceededException", "at most %d identity pools per server", maxIdentityPools)
	}
	for _, p := range st.pools {
		if p.name == in.IdentityPoolName {
			// Cognito allows duplicate names; so do we. Nothing to do.
			break
		}
	}
	id := s.opts.region + ":" + s.uuid()
	p := &idPool{id: id, arn: "arn:aws:cognito-identity:" + s.opts.region + ":" + TestAccountID + ":identitypool/" + id,
		roles: map[string]string{}, credLifetime: DefaultCredentialsLifetime}
	p.apply(in)
	p.tags = copyMap(in.IdentityPoolTags)
	st.pools[id] = p
	st.poolOrder = append(st.poolOrder, id)
	return p, nil
}

func (p *idPool) apply(in *identityPoolWire) {
	p.name = in.IdentityPoolName
	p.allowUnauth = *in.AllowUnauthenticatedIdentities
	p.allowClassic = in.AllowClassicFlow != nil && *in.AllowClassicFlow
	p.supported = copyMap(in.SupportedLoginProviders)
	p.developer = in.DeveloperProviderName
	p.openID = append([]string(nil), in.OpenIdConnectProviderARNs...)
	p.saml = append([]string(nil), in.SamlProviderARNs...)
	p.providers = append([]cognitoIdentityProviderWire(nil), in.CognitoIdentityProviders...)
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

// poolLocked returns the identity pool with the given ID.
func (st *idStore) poolLocked(id string) (*idPool, *apiError) {
	if id == "" {
		return nil, errInvalidParameter("IdentityPoolId is required")
	}
	if !identityPoolIDRE.MatchString(id) {
		return nil, errInvalidParameter("IdentityPoolId %q is not of the form region:uuid", truncate(id, 64))
	}
	p := st.pools[id]
	if p == nil {
		return nil, errResourceNotFound("IdentityPool '%s' not found.", id)
	}
	return p, nil
}

func (s *Server) opCreateIdentityPool(c *call) (any, error) {
	var in identityPoolWire
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	p, err := s.createIdentityPoolLocked(&in)
	if err != nil {
		return nil, err
	}
	return p.wire(), nil
}

type identityPoolIDInput struct{ IdentityPoolId string }

func (s *Server) opDescribeIdentityPool(c *call) (any, error) {
	var in identityPoolIDInput
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
	return p.wire(), nil
}

func (s *Server) opUpdateIdentityPool(c *call) (any, error) {
	var in identityPoolWire
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
	if err := s.validatePoolWire(&in); err != nil {
		return nil, err
	}
	if p.developer != "" && in.DeveloperProviderName != p.developer {
		return nil, errInvalidParameter("DeveloperProviderName cannot be changed once set")
	}
	p.apply(&in)
	if in.IdentityPoolTags != nil {
		p.tags = copyMap(in.IdentityPoolTags)
	}
	return p.wire(), nil
}

func (s *Server) opDeleteIdentityPool(c *call) (any, error) {
	var in identityPoolIDInput
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
	for _, id := range p.identityOrder {
		if ident := st.identities[id]; ident != nil {
			st.deleteIdentityLocked(ident)
		}
	}
	delete(st.pools, p.id)
	for i, id := range st.poolOrder {
		if id == p.id {
			st.poolOrder = append(st.poolOrder[:i:i], st.poolOrder[i+1:]...)
			break
		}
	}
	return nil, nil
}

// page returns the start index of a list page from a NextToken, which is
// the decimal offset of the next item.
func listPage(maxResults int, nextToken string, n int) (start, end int, next string, err *apiError) {
	if maxResults < 1 || maxResults > 60 {
		return 0, 0, "", errInvalidParameter("MaxResults must be between 1 and 60")
	}
	if nextToken != "" {
		if len(nextToken) > 10 {
			return 0, 0, "", errInvalidParameter("invalid NextToken")
		}
		for _, r := range nextToken {
			if r < '0' || r > '9' {
				return 0, 0, "", errInvalidParameter("invalid NextToken")
			}
			start = start*10 + int(r-'0')
		}
		if start > n {
			return 0, 0, "", errInvalidParameter("invalid NextToken")
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

func (s *Server) opListIdentityPools(c *call) (any, error) {
	var in struct {
		MaxResults int
		NextToken  string
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	start, end, next, err := listPage(in.MaxResults, in.NextToken, len(st.poolOrder))
	if err != nil {
		return nil, err
	}
	type short struct{ IdentityPoolId, IdentityPoolName string }
	out := struct {
		IdentityPools []short
		NextToken     string `json:",omitempty"`
	}{IdentityPools: []short{}, NextToken: next}
	for _, id := range st.poolOrder[start:end] {
		p := st.pools[id]
		out.IdentityPools = append(out.IdentityPools, short{p.id, p.name})
	}
	return out, nil
}

func validateRolesLocked(roles map[string]string) *apiError {
	for k, v := range roles {
		if k != "authenticated" && k != "unauthenticated" {
			return errInvalidParameter("Roles: key %q must be authenticated or unauthenticated", truncate(k, 64))
		}
		if !roleARNRE.MatchString(v) {
			return errInvalidParameter("Roles: %q is not an IAM role ARN", truncate(v, 128))
		}
	}
	return nil
}

func (s *Server) opSetIdentityPoolRoles(c *call) (any, error) {
	var in struct {
		IdentityPoolId string
		Roles          map[string]string
		RoleMappings   map[string]roleMappingWire
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Roles == nil {
		return nil, errInvalidParameter("Roles is required")
	}
	if err := validateRolesLocked(in.Roles); err != nil {
		return nil, err
	}
	if len(in.RoleMappings) > maxRoleMappings {
		return nil, errInvalidParameter("at most %d RoleMappings", maxRoleMappings)
	}
	for prov, m := range in.RoleMappings {
		if err := validateRoleMapping(prov, m); err != nil {
			return nil, err
		}
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	p, err := st.poolLocked(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	p.roles = copyMap(in.Roles)
	p.roleMappings = in.RoleMappings
	return nil, nil
}

func validateRoleMapping(prov string, m roleMappingWire) *apiError {
	if !loginProviderRE.MatchString(prov) {
		return errInvalidParameter("RoleMappings: invalid provider %q", truncate(prov, 64))
	}
	switch m.Type {
	case "Token":
	case "Rules":
		if m.RulesConfiguration == nil || len(m.RulesConfiguration.Rules) == 0 || len(m.RulesConfiguration.Rules) > maxMappingRules {
			return errInvalidParameter("RoleMappings[%s]: Rules needs 1 to %d rules", prov, maxMappingRules)
		}
		for _, r := range m.RulesConfiguration.Rules {
			switch r.MatchType {
			case "Equals", "Contains", "StartsWith", "NotEqual":
			default:
				return errInvalidParameter("RoleMappings[%s]: MatchType %q must be Equals, Contains, StartsWith or NotEqual", prov, truncate(r.MatchType, 32))
			}
			if r.Claim == "" || len(r.Claim) > 64 || r.Value == "" || len(r.Value) > 128 || !roleARNRE.MatchString(r.RoleARN) {
				return errInvalidParameter("RoleMappings[%s]: each rule needs a Claim, a Value and a RoleARN", prov)
			}
		}
	default:
		return errInvalidParameter("RoleMappings[%s]: Type must be Token or Rules", prov)
	}
	switch m.AmbiguousRoleResolution {
	case "AuthenticatedRole", "Deny":
	default:
		return errInvalidParameter("RoleMappings[%s]: AmbiguousRoleResolution must be AuthenticatedRole or Deny", prov)
	}
	return nil
}

func (s *Server) opGetIdentityPoolRoles(c *call) (any, error) {
	var in identityPoolIDInput
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
	return struct {
		IdentityPoolId string
		Roles          map[string]string
		RoleMappings   map[string]roleMappingWire `json:",omitempty"`
	}{p.id, p.roles, p.roleMappings}, nil
}

// ---- identities: describe, list, delete -------------------------------------

func (st *idStore) identityLocked(id string) (*idIdentity, *apiError) {
	if id == "" {
		return nil, errInvalidParameter("IdentityId is required")
	}
	if len(id) > 55 || !identityPoolIDRE.MatchString(id) {
		return nil, errInvalidParameter("IdentityId %q is not of the form region:uuid", truncate(id, 64))
	}
	i := st.identities[id]
	if i == nil {
		return nil, errResourceNotFound("Identity '%s' not found.", id)
	}
	return i, nil
}

func (st *idStore) deleteIdentityLocked(i *idIdentity) {
	for prov, subs := range i.logins {
		for _, sub := range subs {
			delete(st.links, linkKey(i.poolID, prov, sub))
		}
	}
	delete(st.identities, i.id)
	if p := st.pools[i.poolID]; p != nil {
		p.identityDeleted++
		if p.identityDeleted > 64 && p.identityDeleted > len(p.identityOrder)/2 {
			kept := p.identityOrder[:0]
			for _, id := range p.identityOrder {
				if st.identities[id] != nil {
					kept = append(kept, id)
				}
			}
			p.identityOrder = kept
			p.identityDeleted = 0
		}
	}
}

func (s *Server) opDescribeIdentity(c *call) (any, error) {
	var in struct{ IdentityId string }
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
	return i.wire(), nil
}

func (s *Server) opListIdentities(c *call) (any, error) {
	var in struct {
		IdentityPoolId string
		MaxResults     int
		NextToken      string
		HideDisabled   bool
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
	var live []*idIdentity
	for _, id := range p.identityOrder {
		if i := st.identities[id]; i != nil {
			live = append(live, i)
		}
	}
	start, end, next, err := listPage(in.MaxResults, in.NextToken, len(live))
	if err != nil {
		return nil, err
	}
	out := struct {
		IdentityPoolId string
		Identities     []identityDescriptionWire
		NextToken      string `json:",omitempty"`
	}{IdentityPoolId: p.id, Identities: []identityDescriptionWire{}, NextToken: next}
	for _, i := range live[start:end] {
		out.Identities = append(out.Identities, i.wire())
	}
	return out, nil
}

func (s *Server) opDeleteIdentities(c *call) (any, error) {
	var in struct{ IdentityIdsToDelete []string }
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if len(in.IdentityIdsToDelete) < 1 || len(in.IdentityIdsToDelete) > 60 {
		return nil, errInvalidParameter("IdentityIdsToDelete must have 1 to 60 entries")
	}
	type unprocessed struct{ IdentityId, ErrorCode string }
	out := struct{ UnprocessedIdentityIds []unprocessed }{[]unprocessed{}}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	for _, id := range in.IdentityIdsToDelete {
		if !identityPoolIDRE.MatchString(id) {
			return nil, errInvalidParameter("IdentityId %q is not of the form region:uuid", truncate(id, 64))
		}
	}
	for _, id := range in.IdentityIdsToDelete {
		i := st.identities[id]
		if i == nil {
			out.UnprocessedIdentityIds = append(out.UnprocessedIdentityIds, unprocessed{id, "AccessDenied"})
			continue
		}
		st.deleteIdentityLocked(i)
	}
	return out, nil
}

// ---- tags -----------------------------------------------------------------------

func (st *idStore) poolByARNLocked(arn string) (*idPool, *apiError) {
	if arn == "" || len(arn) > 1011 {
		return nil, errInvalidParameter("ResourceArn is required (at most 1011 characters)")
	}
	_, id, ok := strings.Cut(arn, ":identitypool/")
	if !ok || !strings.HasPrefix(arn, "arn:aws:cognito-identity:") {
		return nil, errInvalidParameter("ResourceArn %q is not an identity pool ARN", truncate(arn, 128))
	}
	p := st.pools[id]
	if p == nil || p.arn != arn {
		return nil, errResourceNotFound("Resource '%s' not found.", truncate(arn, 128))
	}
	return p, nil
}

func (s *Server) opTagResource(c *call) (any, error) {
	var in struct {
		ResourceArn string
		Tags        map[string]string
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errInvalidParameter("Tags is required")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	p, err := st.poolByARNLocked(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	merged := copyMap(p.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	for k, v := range in.Tags {
		merged[k] = v
	}
	if len(merged) > maxTags {
		return nil, apiErr("LimitExceededException", "an identity pool has at most %d tags", maxTags)
	}
	p.tags = merged
	return nil, nil
}

func (s *Server) opUntagResource(c *call) (any, error) {
	var in struct {
		ResourceArn string
		TagKeys     []string
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if len(in.TagKeys) > maxTags {
		return nil, errInvalidParameter("at most %d TagKeys", maxTags)
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	p, err := st.poolByARNLocked(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(p.tags, k)
	}
	return nil, nil
}

func (s *Server) opListTagsForResource(c *call) (any, error) {
	var in struct{ ResourceArn string }
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	p, err := st.poolByARNLocked(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := p.tags
	if tags == nil {
		tags = map[string]string{}
	}
	return struct{ Tags map[string]string }{tags}, nil
}

func sortedStrings(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}
