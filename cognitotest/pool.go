package cognitotest

import (
	"crypto/rsa"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/pools"
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
	// ChallengeRequiredOnNewDevice lets a remembered device that proves
	// itself with DEVICE_SRP_AUTH stand in for MFA: only new devices are
	// asked for the second factor. Default: false, as in Cognito: every
	// sign-in of a user with MFA is asked for it, remembered device or not.
	ChallengeRequiredOnNewDevice bool
	// AllowedFirstAuthFactors lists the USER_AUTH first factors: "PASSWORD"
	// (default when empty), "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN" (passkeys).
	AllowedFirstAuthFactors []string
	// TemporaryPasswordValidity is how long a temporary password from
	// AdminCreateUser works. Default: 7 days.
	TemporaryPasswordValidity time.Duration
	// LambdaTriggers are the pool's Lambda triggers: aws-lambda-go
	// handlers run in the process, URLs, or Lambda function ARNs.
	LambdaTriggers LambdaTriggers
	// Triggers are Go callbacks for four triggers.
	//
	// Deprecated: use LambdaTriggers.
	Triggers Triggers
	// CustomAttributes declare the pool's custom attributes
	// ("custom:{Name}"): users may then have only these, of their type
	// and within their bounds. Optional. Default: none declared, and any
	// custom attribute is accepted.
	CustomAttributes []CustomAttribute
	// NoDomain creates the pool without a domain. Managed login (the
	// OAuth 2.0 endpoints and the sign-in page) answers only for the app
	// clients of pools with a domain, as in Cognito; create one later with
	// CreateUserPoolDomain. Default: the pool gets the prefix domain
	// "{region}-{id}" (lower-case), so that managed login works at once.
	NoDomain bool
}

// CustomAttribute declares a custom attribute of a pool
// (PoolConfig.CustomAttributes).
type CustomAttribute struct {
	Name string // without "custom:"; 1 to 20 letters, digits, _ or -
	// Type is "String" (default), "Number" (an integer), "DateTime" or
	// "Boolean".
	Type string
	// Immutable attributes are set when the user is created only.
	Immutable bool
	// Min and Max bound a String's length (0 to 2048) or a Number's
	// value. Optional.
	Min, Max *int64
}

// Pool is a user pool of a [Server]. Its methods are safe for concurrent
// use. A Pool whose user pool was deleted (DeleteUserPool) answers
// ErrNotFound.
type Pool struct {
	s  *Server
	id string
}

// ResourceServerConfig configures a resource server: an API whose scopes
// app clients may request with client_credentials (M2M).
type ResourceServerConfig struct {
	Identifier string            // e.g. "https://api.example.com" or "orders"
	Name       string            // default: Identifier
	Scopes     map[string]string // scope name -> description
}

// CreatePool creates a user pool.
func (s *Server) CreatePool(cfg PoolConfig) (*Pool, error) {
	draft := &state.Pool{ID: cfg.ID, Name: cfg.Name, UsernameAttributes: cfg.UsernameAttributes, AliasAttributes: cfg.AliasAttributes,
		AutoVerifiedAttributes: cfg.AutoVerifiedAttributes, RequiredAttributes: cfg.RequiredAttributes,
		CaseSensitiveUsernames: cfg.CaseSensitiveUsernames, MFA: cfg.MFA, DeviceRemembering: cfg.DeviceRemembering,
		ChallengeRequiredOnNewDevice: cfg.ChallengeRequiredOnNewDevice, AllowedFirstAuthFactors: cfg.AllowedFirstAuthFactors,
		TemporaryPasswordValidity: cfg.TemporaryPasswordValidity}
	for _, a := range cfg.CustomAttributes {
		ca := state.CustomAttribute{Name: a.Name, Type: a.Type, Mutable: !a.Immutable, Min: a.Min, Max: a.Max}
		if ca.Type == "" {
			ca.Type = "String"
		}
		if err := pools.CheckCustomAttribute(ca); err != nil {
			return nil, err
		}
		draft.CustomAttributes = append(draft.CustomAttributes, ca)
	}
	if draft.ID == "" {
		draft.ID = s.opts.region + "_" + s.emu.RandString(9, emulator.Alnum)
	}
	lt, err := cfg.Triggers.lambdaTriggers(cfg.LambdaTriggers)
	if err != nil {
		return nil, err
	}
	if draft.LambdaConfig, err = s.lambdaConfig(draft.ID, lt); err != nil {
		return nil, err
	}
	p, err := pools.Create(s.up, draft, (*state.PasswordPolicy)(cfg.PasswordPolicy))
	if err != nil {
		return nil, err
	}
	if !cfg.NoDomain {
		if err := pools.CreateDefaultDomain(s.up, p.ID); err != nil {
			return nil, err
		}
	}
	return s.handle(p.ID), nil
}

// MustCreatePool is [Server.CreatePool] that ends the test (or panics when
// the server has no TB) on error.
func (s *Server) MustCreatePool(cfg PoolConfig) *Pool {
	p, err := s.CreatePool(cfg)
	if err != nil {
		s.fatal(err)
	}
	return p
}

// record returns the pool's record, or nil when the pool is gone.
func (p *Pool) record() *state.Pool {
	var r *state.Pool
	p.s.view(func(tx *state.Tx) { r = tx.Pool(p.id) })
	return r
}

func (p *Pool) notFound() error { return notFoundf("user pool %q", p.id) }

// ID returns the pool ID, such as "us-east-1_AbC123".
func (p *Pool) ID() string { return p.id }

// Name returns the pool's display name.
func (p *Pool) Name() string {
	if r := p.record(); r != nil {
		return r.Name
	}
	return ""
}

// SRPPoolName returns the part of the pool ID after "_", the poolName of the
// SRP computations.
func (p *Pool) SRPPoolName() string { return (&state.Pool{ID: p.id}).SRPName() }

// Region returns the region of the pool.
func (p *Pool) Region() string { return (&state.Pool{ID: p.id}).Region() }

// Issuer returns the issuer (iss claim) of the pool's tokens:
// "{server URL}/{pool ID}".
func (p *Pool) Issuer() string { return p.s.up.Issuer(p.id) }

// JWKSURL returns the URL of the pool's JSON Web Key Set.
func (p *Pool) JWKSURL() string { return p.Issuer() + "/.well-known/jwks.json" }

// DiscoveryURL returns the URL of the pool's OpenID Connect discovery
// document.
func (p *Pool) DiscoveryURL() string { return p.Issuer() + "/.well-known/openid-configuration" }

// Server returns the server the pool belongs to.
func (p *Pool) Server() *Server { return p.s }

// CreateGroup creates a group in the pool.
func (p *Pool) CreateGroup(name, description string) error {
	return p.s.up.State.Update(func(tx *state.Tx) error {
		r := tx.Pool(p.id)
		if r == nil {
			return p.notFound()
		}
		_, err := p.s.up.CreateGroup(tx, r, name, description, nil, "")
		return err
	})
}

// Groups returns the names of the pool's groups, sorted.
func (p *Pool) Groups() []string {
	out := []string{}
	p.s.view(func(tx *state.Tx) {
		for _, g := range tx.Groups(p.id) {
			out = append(out, g.Name)
		}
	})
	return out
}

// CreateResourceServer creates a resource server whose scopes app clients
// can be allowed ("identifier/scope") for client_credentials.
func (p *Pool) CreateResourceServer(cfg ResourceServerConfig) error {
	return pools.CreateResourceServer(p.s.up, p.id, cfg.Identifier, cfg.Name, cfg.Scopes)
}

// RotateKeys adds a new signing key to the pool's JWKS; new tokens are
// signed with it. With retireOld, the previous keys leave the JWKS, so
// tokens they signed no longer verify (and the emulator rejects them). It
// returns the kid of the new key.
func (p *Pool) RotateKeys(retireOld bool) (string, error) {
	return pools.RotateKeys(p.s.up, p.id, retireOld)
}

// KeyIDs returns the kids of the pool's JWKS; the last one signs.
func (p *Pool) KeyIDs() []string {
	p.s.up.WaitKey(p.id)
	out := []string{}
	p.s.view(func(tx *state.Tx) {
		for _, k := range tx.SigningKeys(p.id) {
			out = append(out, k.KID)
		}
	})
	return out
}

// PublicKey returns the public key with the given kid.
func (p *Pool) PublicKey(kid string) (*rsa.PublicKey, error) {
	p.s.up.WaitKey(p.id)
	var pub *rsa.PublicKey
	p.s.view(func(tx *state.Tx) { pub = userpool.PublicKey(tx, p.id, kid) })
	if pub == nil {
		return nil, notFoundf("key %q in pool %s", kid, p.id)
	}
	return pub, nil
}

// JWKS returns the pool's JSON Web Key Set document.
func (p *Pool) JWKS() []byte {
	p.s.up.WaitKey(p.id)
	var doc []byte
	p.s.view(func(tx *state.Tx) { doc = userpool.JWKS(tx.SigningKeys(p.id)) })
	return doc
}

// SignJWT signs arbitrary claims with the pool's active key (RS256, with its
// kid), for tests of verifiers against hostile or unusual tokens. Nothing is
// added to claims.
func (p *Pool) SignJWT(claims map[string]any) (string, error) {
	p.s.up.WaitKey(p.id)
	var k *state.SigningKey
	p.s.view(func(tx *state.Tx) { k = userpool.ActiveKey(tx, p.id) })
	if k == nil {
		return "", p.notFound()
	}
	return emulator.SignJWT(k.Private(), "RS256", struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}{k.KID, "RS256"}, claims)
}
