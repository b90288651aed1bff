package cognitotest

import (
	"context"
	"regexp"
	"sort"
	"time"
)

var (
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)
	poolIDRE    = regexp.MustCompile(`^([a-z]{2}(-gov)?-[a-z]+-\d)_([A-Za-z0-9]+)$`)
	clientIDRE  = regexp.MustCompile(`^[\w+]{1,128}$`)
	groupNameRE = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)
)

// MFA configurations of a pool (PoolConfig.MFA).
const (
	MFAOff      = "OFF"
	MFAOptional = "OPTIONAL"
	MFAOn       = "ON"
)

// Device remembering modes of a pool (PoolConfig.DeviceRemembering).
const (
	DevicesOff       = ""
	DevicesAlways    = "ALWAYS"
	DevicesUserOptIn = "USER_OPT_IN"
)

// PasswordPolicy is a pool's password policy.
type PasswordPolicy struct {
	MinimumLength    int // 6..99
	RequireUppercase bool
	RequireLowercase bool
	RequireNumbers   bool
	RequireSymbols   bool
}

// DefaultPasswordPolicy is Cognito's default policy: at least 8 characters
// with upper case, lower case, a number and a symbol.
var defaultPasswordPolicy = PasswordPolicy{MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}

// PoolConfig configures a user pool created with [Server.CreatePool]. The
// zero value is a valid pool with Cognito's defaults.
type PoolConfig struct {
	// ID is the pool ID, "{region}_{name}". Optional. Default: the server's
	// region, "_" and 9 random letters and digits.
	ID string
	// Name is the pool's display name. Optional. Default: the part of the
	// ID after "_".
	Name string
	// UsernameAttributes lists "email" and/or "phone_number" when users sign
	// up and sign in with them instead of a username. The internal username
	// (USER_ID_FOR_SRP, cognito:username) is then the user's sub, a UUID.
	UsernameAttributes []string
	// AliasAttributes lists "email", "phone_number" and/or
	// "preferred_username" that users may sign in with besides their
	// username. Email and phone aliases must be verified.
	AliasAttributes []string
	// AutoVerifiedAttributes lists "email" and/or "phone_number" verified by
	// a code at sign-up.
	AutoVerifiedAttributes []string
	// CaseSensitiveUsernames makes usernames case sensitive. Default: false,
	// the default of new Cognito pools.
	CaseSensitiveUsernames bool
	// RequiredAttributes are the standard attributes every user must have
	// (asked for by SignUp and NEW_PASSWORD_REQUIRED).
	RequiredAttributes []string
	// PasswordPolicy. Optional. Default: Cognito's default policy (8
	// characters, upper and lower case, a number and a symbol).
	PasswordPolicy *PasswordPolicy
	// MFA is MFAOff (default), MFAOptional or MFAOn.
	MFA string
	// DeviceRemembering enables device tracking: DevicesOff (default),
	// DevicesAlways or DevicesUserOptIn.
	DeviceRemembering string
	// ChallengeRequiredOnNewDevice is stored and reported by
	// DescribeUserPool. The emulator always asks new devices for MFA when
	// the user has MFA, and lets remembered devices (DEVICE_SRP_AUTH with a
	// remembered device) skip it.
	ChallengeRequiredOnNewDevice bool
	// AllowedFirstAuthFactors lists the USER_AUTH first factors: "PASSWORD"
	// (default when empty), "EMAIL_OTP", "SMS_OTP".
	AllowedFirstAuthFactors []string
	// TemporaryPasswordValidity is how long a temporary password from
	// AdminCreateUser works. Default: 7 days.
	TemporaryPasswordValidity time.Duration
	// Triggers are the Lambda triggers of the pool, as Go callbacks.
	Triggers Triggers
}

// Triggers holds the Go functions that stand in for a pool's Lambda
// triggers. They are called without any lock held and may call the
// server. A nil trigger is not configured.
type Triggers struct {
	// DefineAuthChallenge decides the next step of CUSTOM_AUTH.
	DefineAuthChallenge func(ctx context.Context, ev *DefineAuthChallengeEvent) error
	// CreateAuthChallenge creates a CUSTOM_CHALLENGE.
	CreateAuthChallenge func(ctx context.Context, ev *CreateAuthChallengeEvent) error
	// VerifyAuthChallengeResponse checks the ANSWER to a CUSTOM_CHALLENGE.
	VerifyAuthChallengeResponse func(ctx context.Context, ev *VerifyAuthChallengeEvent) error
	// PreTokenGeneration may add or suppress claims of the ID and access
	// tokens issued by sign-in and refresh.
	PreTokenGeneration func(ctx context.Context, ev *PreTokenGenerationEvent) error
}

// ChallengeResult is one step of a CUSTOM_AUTH session, as in the Lambda
// event.
type ChallengeResult struct {
	ChallengeName     string // "SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"
	ChallengeResult   bool
	ChallengeMetadata string
}

// DefineAuthChallengeEvent is the input and output of the
// DefineAuthChallenge trigger.
type DefineAuthChallengeEvent struct {
	UserPoolID     string
	ClientID       string
	Username       string // internal username
	UserAttributes map[string]string
	Session        []ChallengeResult
	ClientMetadata map[string]string
	// Set by the trigger:
	ChallengeName      string // "CUSTOM_CHALLENGE", "PASSWORD_VERIFIER"
	IssueTokens        bool
	FailAuthentication bool
}

// CreateAuthChallengeEvent is the input and output of the
// CreateAuthChallenge trigger.
type CreateAuthChallengeEvent struct {
	UserPoolID     string
	ClientID       string
	Username       string
	UserAttributes map[string]string
	ChallengeName  string
	Session        []ChallengeResult
	ClientMetadata map[string]string
	// Set by the trigger:
	PublicChallengeParameters  map[string]string
	PrivateChallengeParameters map[string]string
	ChallengeMetadata          string
}

// VerifyAuthChallengeEvent is the input and output of the
// VerifyAuthChallengeResponse trigger.
type VerifyAuthChallengeEvent struct {
	UserPoolID                 string
	ClientID                   string
	Username                   string
	UserAttributes             map[string]string
	PrivateChallengeParameters map[string]string
	ChallengeAnswer            string
	ClientMetadata             map[string]string
	// Set by the trigger:
	AnswerCorrect bool
}

// PreTokenGenerationEvent is the input and output of the PreTokenGeneration
// trigger.
type PreTokenGenerationEvent struct {
	UserPoolID     string
	ClientID       string
	Username       string
	UserAttributes map[string]string
	Groups         []string
	TriggerSource  string // "TokenGeneration_Authentication", "TokenGeneration_RefreshTokens", ...
	// Set by the trigger:
	IDClaimsToAdd          map[string]any
	IDClaimsToSuppress     []string
	AccessClaimsToAdd      map[string]any
	AccessClaimsToSuppress []string
}

// Pool is a user pool of a [Server]. Its methods are safe for concurrent
// use.
type Pool struct {
	s         *Server
	id        string
	name      string // part after "_": the SRP poolName
	region    string
	cfg       PoolConfig
	policy    PasswordPolicy
	createdAt time.Time

	// All fields below are guarded by s.mu.
	modifiedAt      time.Time
	keys            []*signingKey // the last one signs
	clients         map[string]*appClient
	users           map[string]*user // by normalized username
	groups          map[string]*group
	resourceServers map[string]*resourceServer
	refreshTokens   map[string]*refreshToken
	revokedOrigins  map[string]bool // origin_jti of revoked refresh tokens
	clientSeq       int
}

type group struct {
	name        string
	description string
	precedence  *int32
	roleArn     string
	createdAt   time.Time
}

// ResourceServerConfig configures a resource server: an API whose scopes
// app clients may request with client_credentials (M2M).
type ResourceServerConfig struct {
	Identifier string            // e.g. "https://api.example.com" or "orders"
	Name       string            // default: Identifier
	Scopes     map[string]string // scope name -> description
}

type resourceServer struct {
	cfg ResourceServerConfig
}

// CreatePool creates a user pool.
func (s *Server) CreatePool(cfg PoolConfig) (*Pool, error) {
	if cfg.ID == "" {
		cfg.ID = s.opts.region + "_" + s.randString(9, alnum)
	}
	m := poolIDRE.FindStringSubmatch(cfg.ID)
	if m == nil {
		return nil, invalidf("pool ID %q: want {region}_{letters and digits}, such as us-east-1_AbC123", cfg.ID)
	}
	for _, a := range cfg.UsernameAttributes {
		if a != "email" && a != "phone_number" {
			return nil, invalidf("UsernameAttributes: %q is not email or phone_number", a)
		}
	}
	for _, a := range cfg.AliasAttributes {
		if a != "email" && a != "phone_number" && a != "preferred_username" {
			return nil, invalidf("AliasAttributes: %q is not email, phone_number or preferred_username", a)
		}
	}
	if len(cfg.UsernameAttributes) > 0 && len(cfg.AliasAttributes) > 0 {
		return nil, invalidf("UsernameAttributes and AliasAttributes are mutually exclusive")
	}
	for _, a := range cfg.AutoVerifiedAttributes {
		if a != "email" && a != "phone_number" {
			return nil, invalidf("AutoVerifiedAttributes: %q is not email or phone_number", a)
		}
	}
	switch cfg.MFA {
	case "":
		cfg.MFA = MFAOff
	case MFAOff, MFAOptional, MFAOn:
	default:
		return nil, invalidf("MFA %q: want OFF, OPTIONAL or ON", cfg.MFA)
	}
	switch cfg.DeviceRemembering {
	case DevicesOff, DevicesAlways, DevicesUserOptIn:
	default:
		return nil, invalidf("DeviceRemembering %q: want \"\", ALWAYS or USER_OPT_IN", cfg.DeviceRemembering)
	}
	if len(cfg.AllowedFirstAuthFactors) == 0 {
		cfg.AllowedFirstAuthFactors = []string{"PASSWORD"}
	}
	for _, f := range cfg.AllowedFirstAuthFactors {
		if f != "PASSWORD" && f != "EMAIL_OTP" && f != "SMS_OTP" {
			return nil, invalidf("AllowedFirstAuthFactors: %q is not PASSWORD, EMAIL_OTP or SMS_OTP", f)
		}
	}
	policy := defaultPasswordPolicy
	if cfg.PasswordPolicy != nil {
		policy = *cfg.PasswordPolicy
		if policy.MinimumLength == 0 {
			policy.MinimumLength = 8
		}
		if policy.MinimumLength < 6 || policy.MinimumLength > 99 {
			return nil, invalidf("PasswordPolicy.MinimumLength %d: want 6 to 99", policy.MinimumLength)
		}
	}
	if cfg.TemporaryPasswordValidity == 0 {
		cfg.TemporaryPasswordValidity = 7 * 24 * time.Hour
	}
	if cfg.Name == "" {
		cfg.Name = m[3]
	}
	now := s.now()
	p := &Pool{
		s: s, id: cfg.ID, name: m[3], region: m[1], cfg: cfg, policy: policy,
		createdAt: now, modifiedAt: now,
		clients:         map[string]*appClient{},
		users:           map[string]*user{},
		groups:          map[string]*group{},
		resourceServers: map[string]*resourceServer{},
		refreshTokens:   map[string]*refreshToken{},
		revokedOrigins:  map[string]bool{},
	}
	key, err := newSigningKey(s)
	if err != nil {
		return nil, err
	}
	p.keys = []*signingKey{key}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.pools[p.id]; dup {
		return nil, existsf("user pool %q", p.id)
	}
	s.pools[p.id] = p
	return p, nil
}

// MustCreatePool is [Server.CreatePool] that ends the test (or panics when
// the server has no testing.TB) on error.
func (s *Server) MustCreatePool(cfg PoolConfig) *Pool {
	p, err := s.CreatePool(cfg)
	if err != nil {
		s.fatal(err)
	}
	return p
}

// ID returns the pool ID, such as "us-east-1_AbC123".
func (p *Pool) ID() string { return p.id }

// Name returns the pool's display name.
func (p *Pool) Name() string { return p.cfg.Name }

// SRPPoolName returns the part of the pool ID after "_", the poolName of the
// SRP computations.
func (p *Pool) SRPPoolName() string { return p.name }

// Region returns the region of the pool.
func (p *Pool) Region() string { return p.region }

// Issuer returns the issuer (iss claim) of the pool's tokens:
// "{server URL}/{pool ID}".
func (p *Pool) Issuer() string { return p.s.url + "/" + p.id }

// JWKSURL returns the URL of the pool's JSON Web Key Set.
func (p *Pool) JWKSURL() string { return p.Issuer() + "/.well-known/jwks.json" }

// DiscoveryURL returns the URL of the pool's OpenID Connect discovery
// document.
func (p *Pool) DiscoveryURL() string { return p.Issuer() + "/.well-known/openid-configuration" }

// Server returns the server the pool belongs to.
func (p *Pool) Server() *Server { return p.s }

// CreateGroup creates a group in the pool.
func (p *Pool) CreateGroup(name, description string) error {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	_, err := p.createGroupLocked(name, description, nil, "")
	return err
}

func (p *Pool) createGroupLocked(name, description string, precedence *int32, role string) (*group, error) {
	if !groupNameRE.MatchString(name) {
		return nil, invalidf("group name %q: want 1 to 128 printable characters without spaces", name)
	}
	if _, dup := p.groups[name]; dup {
		return nil, existsf("group %q in pool %s", name, p.id)
	}
	g := &group{name: name, description: description, precedence: precedence, roleArn: role, createdAt: p.s.now()}
	p.groups[name] = g
	return g, nil
}

// Groups returns the names of the pool's groups, sorted.
func (p *Pool) Groups() []string {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	out := make([]string, 0, len(p.groups))
	for n := range p.groups {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// CreateResourceServer creates a resource server whose scopes app clients
// can be allowed ("identifier/scope") for client_credentials.
func (p *Pool) CreateResourceServer(cfg ResourceServerConfig) error {
	if cfg.Identifier == "" || len(cfg.Identifier) > 256 {
		return invalidf("resource server Identifier: want 1 to 256 characters")
	}
	if cfg.Name == "" {
		cfg.Name = cfg.Identifier
	}
	scopes := make(map[string]string, len(cfg.Scopes))
	for k, v := range cfg.Scopes {
		if k == "" || len(k) > 256 {
			return invalidf("resource server scope %q: want 1 to 256 characters", k)
		}
		scopes[k] = v
	}
	cfg.Scopes = scopes
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if _, dup := p.resourceServers[cfg.Identifier]; dup {
		return existsf("resource server %q", cfg.Identifier)
	}
	p.resourceServers[cfg.Identifier] = &resourceServer{cfg: cfg}
	return nil
}

// scopeExistsLocked reports whether scope is a standard OAuth scope or a
// "resourceServer/scope" of the pool.
func (p *Pool) scopeExistsLocked(scope string) bool {
	switch scope {
	case "openid", "email", "phone", "profile", "aws.cognito.signin.user.admin":
		return true
	}
	for id, rs := range p.resourceServers {
		if len(scope) > len(id)+1 && scope[:len(id)] == id && scope[len(id)] == '/' {
			if _, ok := rs.cfg.Scopes[scope[len(id)+1:]]; ok {
				return true
			}
		}
	}
	return false
}
