package cognitotest

import (
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/identity"
)

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
	// ID}" (see [IdentityProviderName]) or, as Amplify names it, the pool's
	// issuer without its scheme ("127.0.0.1:9229/{pool ID}"); both name the
	// same provider, and a user's logins under either are one login.
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
	// PrincipalTags are the session tags the credentials carry: the
	// claims of the login's ID token that the identity pool's principal
	// tag attribute map (SetPrincipalTagAttributeMap) names.
	PrincipalTags map[string]string
}

// IdentityProviderName returns the Logins key of a user pool:
// "cognito-idp.{region}.amazonaws.com/{userPoolID}".
func IdentityProviderName(userPoolID string) string { return identity.ProviderName(userPoolID) }

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
	allowUnauth, allowClassic := cfg.AllowUnauthenticated, cfg.AllowClassicFlow
	spec := identity.Spec{
		Pool: identity.PoolWire{
			IdentityPoolName:               cfg.Name,
			AllowUnauthenticatedIdentities: &allowUnauth,
			AllowClassicFlow:               &allowClassic,
			DeveloperProviderName:          cfg.DeveloperProviderName,
		},
		Roles:               map[string]string{"authenticated": cfg.AuthenticatedRoleARN, "unauthenticated": cfg.UnauthenticatedRoleARN},
		CredentialsLifetime: cfg.CredentialsLifetime,
	}
	for _, up := range cfg.UserPools {
		spec.Pool.AddCognitoProvider(IdentityProviderName(up.UserPoolID), up.ClientID)
	}
	p, err := s.ids.Create(spec)
	if err != nil {
		return IdentityPool{}, err
	}
	return IdentityPool{ID: p.ID, Name: p.Name, ARN: p.ARN}, nil
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
	c, ok := s.ids.Issued(accessKeyID)
	return IssuedCredentials(c), ok
}

// IdentityIDs returns the identity IDs of an identity pool, oldest first.
func (s *Server) IdentityIDs(identityPoolID string) ([]string, error) {
	return s.ids.IdentityIDs(identityPoolID)
}

// IdentityJWKS returns the JSON Web Key Set that verifies the OpenID tokens
// of GetOpenIdToken and GetOpenIdTokenForDeveloperIdentity (RS512, issuer
// "https://cognito-identity.amazonaws.com", audience the identity pool ID),
// as Cognito publishes at
// https://cognito-identity.amazonaws.com/.well-known/jwks_uri.
func (s *Server) IdentityJWKS() ([]byte, error) { return s.ids.JWKS() }
