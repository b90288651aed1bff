package state

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"
)

// The records of the emulator's state. They are plain data, encoded as
// JSON in the store. A record obtained from a [Tx] is shared with other
// transactions and MUST NOT be modified: Clone it, change the copy and
// Put it.

// Pool is a user pool and its settings.
type Pool struct {
	ID                     string         `json:"id"` // "{region}_{name}"
	Name                   string         `json:"name"`
	UsernameAttributes     []string       `json:"username_attributes,omitempty"`
	AliasAttributes        []string       `json:"alias_attributes,omitempty"`
	AutoVerifiedAttributes []string       `json:"auto_verified_attributes,omitempty"`
	RequiredAttributes     []string       `json:"required_attributes,omitempty"`
	CaseSensitiveUsernames bool           `json:"case_sensitive_usernames,omitempty"`
	PasswordPolicy         PasswordPolicy `json:"password_policy"`
	MFA                    string         `json:"mfa"` // "OFF", "OPTIONAL", "ON"
	// MFAMethods are the MFA methods the pool offers, from
	// SetUserPoolMfaConfig; nil offers them all (a pool never configured).
	MFAMethods                   *PoolMFA      `json:"mfa_methods,omitempty"`
	DeviceRemembering            string        `json:"device_remembering,omitempty"`
	ChallengeRequiredOnNewDevice bool          `json:"challenge_required_on_new_device,omitempty"`
	AllowedFirstAuthFactors      []string      `json:"allowed_first_auth_factors,omitempty"`
	TemporaryPasswordValidity    time.Duration `json:"temporary_password_validity"`
	// CustomAttributes are the declared custom attributes (without the
	// "custom:" prefix). A pool that declares none accepts any custom
	// attribute, as the emulator always did (unless StrictSchema); one
	// that declares some accepts only those.
	CustomAttributes []CustomAttribute `json:"custom_attributes,omitempty"`
	// LambdaConfig holds the pool's Lambda triggers (see lambda.go).
	LambdaConfig LambdaConfig `json:"lambda_config,omitzero"`
	// Secret keys what the pool derives and must keep stable without
	// storing: the decoy SRP values of unknown users, the feedback tokens
	// of auth events. Pools of older stores get one when first needed.
	Secret     []byte    `json:"secret,omitempty"`
	ClientSeq  int       `json:"client_seq,omitempty"` // sequence number of the last app client
	KeySeq     int       `json:"key_seq,omitempty"`    // sequence number of the last signing key
	CreatedAt  time.Time `json:"created_at"`
	ModifiedAt time.Time `json:"modified_at"`

	// The settings of UpdateUserPool (see poolrecords.go).
	StrictSchema             bool                `json:"strict_schema,omitempty"` // only declared custom attributes, even when none is
	DeletionProtection       bool                `json:"deletion_protection,omitempty"`
	AllowAdminCreateUserOnly bool                `json:"allow_admin_create_user_only,omitempty"`
	Templates                *MessageTemplates   `json:"templates,omitempty"`
	EmailConfiguration       *EmailConfiguration `json:"email_configuration,omitempty"`
	SMSConfiguration         *SMSConfiguration   `json:"sms_configuration,omitempty"`
	AccountRecovery          []RecoveryOption    `json:"account_recovery,omitempty"`
	VerifyBeforeUpdate       []string            `json:"verify_before_update,omitempty"` // AttributesRequireVerificationBeforeUpdate
	Tier                     string              `json:"tier,omitempty"`                 // LITE, ESSENTIALS (""), PLUS
	AdvancedSecurity         string              `json:"advanced_security,omitempty"`    // OFF (""), AUDIT, ENFORCED
	Tags                     map[string]string   `json:"tags,omitempty"`
	LogDelivery              []LogConfiguration  `json:"log_delivery,omitempty"`
	Replicas                 []Replica           `json:"replicas,omitempty"`
}

// PasswordPolicy is a pool's password policy.
type PasswordPolicy struct {
	MinimumLength    int  `json:"minimum_length"`
	RequireUppercase bool `json:"require_uppercase,omitempty"`
	RequireLowercase bool `json:"require_lowercase,omitempty"`
	RequireNumbers   bool `json:"require_numbers,omitempty"`
	RequireSymbols   bool `json:"require_symbols,omitempty"`
}

// Region returns the region part of the pool ID.
func (p *Pool) Region() string { r, _, _ := strings.Cut(p.ID, "_"); return r }

// SRPName returns the part of the pool ID after "_": the poolName of the
// SRP computations.
func (p *Pool) SRPName() string { _, n, _ := strings.Cut(p.ID, "_"); return n }

// Clone returns a deep copy.
func (p *Pool) Clone() *Pool {
	c := *p
	c.UsernameAttributes = slices.Clone(p.UsernameAttributes)
	c.AliasAttributes = slices.Clone(p.AliasAttributes)
	c.AutoVerifiedAttributes = slices.Clone(p.AutoVerifiedAttributes)
	c.RequiredAttributes = slices.Clone(p.RequiredAttributes)
	c.AllowedFirstAuthFactors = slices.Clone(p.AllowedFirstAuthFactors)
	c.CustomAttributes = slices.Clone(p.CustomAttributes)
	if p.Templates != nil {
		t := *p.Templates
		c.Templates = &t
	}
	if p.EmailConfiguration != nil {
		e := *p.EmailConfiguration
		c.EmailConfiguration = &e
	}
	if p.SMSConfiguration != nil {
		s := *p.SMSConfiguration
		c.SMSConfiguration = &s
	}
	c.AccountRecovery = slices.Clone(p.AccountRecovery)
	c.VerifyBeforeUpdate = slices.Clone(p.VerifyBeforeUpdate)
	c.Tags = maps.Clone(p.Tags)
	c.LogDelivery = slices.Clone(p.LogDelivery)
	c.Replicas = slices.Clone(p.Replicas)
	for i := range c.Replicas {
		c.Replicas[i].Tags = maps.Clone(p.Replicas[i].Tags)
	}
	c.LambdaConfig = p.LambdaConfig.Clone()
	c.Secret = slices.Clone(p.Secret)
	if p.MFAMethods != nil {
		m := *p.MFAMethods
		c.MFAMethods = &m
	}
	return &c
}

// PoolMFA is a pool's MFA configuration (SetUserPoolMfaConfig): the
// methods it offers, the text of its email messages, and the settings the
// emulator reports without using. The SMS message and SNS configuration
// SetUserPoolMfaConfig sets are the pool's Templates.SMSAuthenticationMessage
// and SMSConfiguration.
type PoolMFA struct {
	TOTP  bool `json:"totp,omitempty"`
	SMS   bool `json:"sms,omitempty"`
	Email bool `json:"email,omitempty"`
	// EmailMessage and EmailSubject are the templates of the emails with
	// codes for MFA and OTP sign-in; "{####}" is the code. Empty:
	// Cognito's default text.
	EmailMessage string `json:"email_message,omitempty"`
	EmailSubject string `json:"email_subject,omitempty"`
	// WebAuthn (passkeys): the relying party ID and user verification
	// ("required" or "preferred") of the pool's passkey ceremonies;
	// WebAuthnFactors is reported only.
	WebAuthnRelyingPartyID   string `json:"webauthn_relying_party_id,omitempty"`
	WebAuthnUserVerification string `json:"webauthn_user_verification,omitempty"`
	WebAuthnFactors          string `json:"webauthn_factors,omitempty"`
}

// Offers reports whether the pool offers the MFA method ("SOFTWARE_TOKEN_MFA",
// "SMS_MFA" or "EMAIL_OTP"); a pool without a configuration offers all.
func (p *Pool) Offers(method string) bool {
	m := p.MFAMethods
	switch {
	case m == nil:
		return true
	case method == "SOFTWARE_TOKEN_MFA":
		return m.TOTP
	case method == "SMS_MFA":
		return m.SMS
	case method == "EMAIL_OTP":
		return m.Email
	}
	return false
}

// CustomAttribute is a custom attribute of a pool's schema.
type CustomAttribute struct {
	Name    string `json:"name"`    // without "custom:"
	Type    string `json:"type"`    // "String" or "Number"
	Mutable bool   `json:"mutable"` // may change after the user is created
	// Min and Max bound the length of a String (Cognito's default: 0 to
	// 2048) or the value of a Number (default: none).
	Min *int64 `json:"min,omitempty"`
	Max *int64 `json:"max,omitempty"`
}

// CustomAttribute returns the declared custom attribute name (with or
// without "custom:"), or nil.
func (p *Pool) CustomAttribute(name string) *CustomAttribute {
	name = strings.TrimPrefix(name, "custom:")
	for i := range p.CustomAttributes {
		if p.CustomAttributes[i].Name == name {
			return &p.CustomAttributes[i]
		}
	}
	return nil
}

// Domain is a user pool domain: a prefix of the Cognito domain
// ("{prefix}.auth.{region}.amazoncognito.com") or a custom domain.
type Domain struct {
	Domain         string `json:"domain"` // the prefix, or the custom domain's host name
	PoolID         string `json:"pool_id"`
	CertificateARN string `json:"certificate_arn,omitempty"` // custom domains
	// ManagedLoginVersion is 1 (the classic hosted UI) or 2 (managed
	// login).
	ManagedLoginVersion int       `json:"managed_login_version,omitempty"`
	CreatedAt           time.Time `json:"created_at"`
}

// Custom reports whether d is a custom domain (a host name of its own)
// rather than a prefix of the Cognito domain.
func (d *Domain) Custom() bool { return strings.Contains(d.Domain, ".") }

// IdentityKeyOwner is the owner of the signing key of Cognito Identity's
// OpenID tokens. User pool IDs contain "_", so it cannot collide with one.
const IdentityKeyOwner = "cognito-identity"

// SigningKey is an RSA key that signs tokens: a user pool's (the one with
// the highest Seq signs; all are in the pool's JWKS) or Cognito
// Identity's.
type SigningKey struct {
	Owner      string    `json:"owner"` // user pool ID, or IdentityKeyOwner
	Seq        int       `json:"seq"`
	KID        string    `json:"kid"`
	Alg        string    `json:"alg"`         // "RS256" or "RS512"
	PrivateKey []byte    `json:"private_key"` // PKCS #8, DER
	CreatedAt  time.Time `json:"created_at"`

	priv *rsa.PrivateKey // parsed PrivateKey
}

// NewSigningKey returns the record of priv.
func NewSigningKey(owner string, seq int, kid, alg string, priv *rsa.PrivateKey, now time.Time) (*SigningKey, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("state: encode RSA key: %w", err)
	}
	return &SigningKey{Owner: owner, Seq: seq, KID: kid, Alg: alg, PrivateKey: der, CreatedAt: now, priv: priv}, nil
}

// Private returns the key.
func (k *SigningKey) Private() *rsa.PrivateKey { return k.priv }

func (k *SigningKey) decoded() error {
	key, err := x509.ParsePKCS8PrivateKey(k.PrivateKey)
	if err != nil {
		return err
	}
	priv, ok := key.(*rsa.PrivateKey)
	if !ok {
		return fmt.Errorf("signing key %s is a %T, not an RSA key", k.KID, key)
	}
	k.priv = priv
	return nil
}

func signingKeyKey(owner string, seq int) string { return fmt.Sprintf("%s/%010d", owner, seq) }

// TokenLifetimes are the validity periods of an app client's tokens; zero
// means the server's default.
type TokenLifetimes struct {
	ID      time.Duration `json:"id,omitempty"`
	Access  time.Duration `json:"access,omitempty"`
	Refresh time.Duration `json:"refresh,omitempty"`
}

// TokenUnits are the units ("seconds", "minutes", "hours", "days") in
// which an app client's token lifetimes were given.
type TokenUnits struct {
	Access  string `json:"access,omitempty"`
	ID      string `json:"id,omitempty"`
	Refresh string `json:"refresh,omitempty"`
}

// Client is an app client.
type Client struct {
	PoolID                     string         `json:"pool_id"`
	ID                         string         `json:"id"`
	Name                       string         `json:"name"`
	Secret                     string         `json:"secret,omitempty"`
	Seq                        int            `json:"seq"` // creation order within the pool
	ExplicitAuthFlows          []string       `json:"explicit_auth_flows"`
	PreventUserExistenceErrors bool           `json:"prevent_user_existence_errors,omitempty"`
	DisableTokenRevocation     bool           `json:"disable_token_revocation,omitempty"`
	RefreshTokenRotation       bool           `json:"refresh_token_rotation,omitempty"`
	RetryGracePeriod           time.Duration  `json:"retry_grace_period,omitempty"`
	TokenLifetimes             TokenLifetimes `json:"token_lifetimes"`
	// TokenUnits are the TokenValidityUnits the API was given, for
	// describing the lifetimes as they were set ("" : Cognito's default).
	TokenUnits                      TokenUnits    `json:"token_units,omitzero"`
	AuthSessionValidity             time.Duration `json:"auth_session_validity,omitempty"`
	CallbackURLs                    []string      `json:"callback_urls,omitempty"`
	LogoutURLs                      []string      `json:"logout_urls,omitempty"`
	DefaultRedirectURI              string        `json:"default_redirect_uri,omitempty"`
	AllowedOAuthFlows               []string      `json:"allowed_oauth_flows,omitempty"`
	AllowedOAuthScopes              []string      `json:"allowed_oauth_scopes,omitempty"`
	AllowedOAuthFlowsUserPoolClient bool          `json:"allowed_oauth_flows_user_pool_client,omitempty"`
	SupportedIdentityProviders      []string      `json:"supported_identity_providers,omitempty"`
	ReadAttributes                  []string      `json:"read_attributes,omitempty"`
	WriteAttributes                 []string      `json:"write_attributes,omitempty"`
	CreatedAt                       time.Time     `json:"created_at"`
	ModifiedAt                      time.Time     `json:"modified_at"`
	// SecretID and SecretCreatedAt describe Secret, the client's oldest
	// secret; MoreSecrets are the newer ones (Cognito keeps two at most).
	// Every one of them is valid.
	SecretID        string         `json:"secret_id,omitempty"`
	SecretCreatedAt time.Time      `json:"secret_created_at,omitzero"`
	MoreSecrets     []ClientSecret `json:"more_secrets,omitempty"`
}

// Clone returns a deep copy.
func (c *Client) Clone() *Client {
	n := *c
	n.ExplicitAuthFlows = slices.Clone(c.ExplicitAuthFlows)
	n.CallbackURLs = slices.Clone(c.CallbackURLs)
	n.LogoutURLs = slices.Clone(c.LogoutURLs)
	n.AllowedOAuthFlows = slices.Clone(c.AllowedOAuthFlows)
	n.AllowedOAuthScopes = slices.Clone(c.AllowedOAuthScopes)
	n.SupportedIdentityProviders = slices.Clone(c.SupportedIdentityProviders)
	n.ReadAttributes = slices.Clone(c.ReadAttributes)
	n.WriteAttributes = slices.Clone(c.WriteAttributes)
	n.MoreSecrets = slices.Clone(c.MoreSecrets)
	return &n
}

// ResourceServer is an API whose scopes app clients may request.
type ResourceServer struct {
	PoolID     string            `json:"pool_id"`
	Identifier string            `json:"identifier"`
	Name       string            `json:"name"`
	Scopes     map[string]string `json:"scopes,omitempty"` // name -> description
}

// Group is a group of users.
type Group struct {
	PoolID      string    `json:"pool_id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Precedence  *int32    `json:"precedence,omitempty"`
	RoleARN     string    `json:"role_arn,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	ModifiedAt  time.Time `json:"modified_at"`
}

// User is a user of a pool, with the secrets the emulator needs to sign
// it in.
type User struct {
	PoolID     string            `json:"pool_id"`
	Username   string            `json:"username"`             // the internal username (cognito:username)
	Sub        string            `json:"sub"`                  // unique in the pool
	Attributes map[string]string `json:"attributes,omitempty"` // without sub
	Status     string            `json:"status"`
	Enabled    bool              `json:"enabled"`
	// Salt and Verifier are the SRP secrets of the password: they answer
	// USER_SRP_AUTH, and USER_PASSWORD_AUTH by computing the verifier of
	// the password given. The password itself is not kept. A user without
	// a password has neither.
	Salt                     *big.Int  `json:"salt,omitempty"` // negative with negative salts
	Verifier                 *big.Int  `json:"verifier,omitempty"`
	TemporaryPasswordExpires time.Time `json:"temporary_password_expires,omitzero"`
	Groups                   []string  `json:"groups,omitempty"`              // sorted
	TOTPSecret               string    `json:"totp_secret,omitempty"`         // verified authenticator
	PendingTOTPSecret        string    `json:"pending_totp_secret,omitempty"` // associated, not verified yet
	TOTPEnabled              bool      `json:"totp_enabled,omitempty"`
	SMSMFA                   bool      `json:"sms_mfa,omitempty"`
	EmailMFA                 bool      `json:"email_mfa,omitempty"`
	PreferredMFA             string    `json:"preferred_mfa,omitempty"`
	SignedOutAt              time.Time `json:"signed_out_at,omitzero"`
	// Codes are the pending confirmation codes, by purpose ("signup",
	// "reset", "verify:email", ...).
	Codes      map[string]Code `json:"codes,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	ModifiedAt time.Time       `json:"modified_at"`
}

// Code is a confirmation code sent to a user.
type Code struct {
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
}

// Clone returns a deep copy. The big integers are shared: they are never
// modified.
func (u *User) Clone() *User {
	c := *u
	c.Attributes = maps.Clone(u.Attributes)
	c.Groups = slices.Clone(u.Groups)
	c.Codes = maps.Clone(u.Codes)
	return &c
}

// HasPassword reports whether the user has a password.
func (u *User) HasPassword() bool { return u.Verifier != nil }

// InGroup reports whether the user is in group.
func (u *User) InGroup(group string) bool {
	_, ok := slices.BinarySearch(u.Groups, group)
	return ok
}

// AddGroup adds group to the (sorted) groups of the user.
func (u *User) AddGroup(group string) {
	if i, ok := slices.BinarySearch(u.Groups, group); !ok {
		u.Groups = slices.Insert(u.Groups, i, group)
	}
}

// RemoveGroup removes group from the groups of the user.
func (u *User) RemoveGroup(group string) {
	if i, ok := slices.BinarySearch(u.Groups, group); ok {
		u.Groups = slices.Delete(u.Groups, i, i+1)
	}
}

// UserKey returns the key of a user's record: the pool ID and the
// username, lower-cased unless the pool's usernames are case sensitive.
func UserKey(p *Pool, username string) string {
	if !p.CaseSensitiveUsernames {
		username = strings.ToLower(username)
	}
	return p.ID + "/" + username
}

// Device is a device tracked for a user.
type Device struct {
	PoolID     string    `json:"pool_id"`
	Sub        string    `json:"sub"` // the user's
	Key        string    `json:"key"` // "{region}_{uuid}"
	GroupKey   string    `json:"group_key"`
	Name       string    `json:"name,omitempty"`
	Salt       []byte    `json:"salt,omitempty"`     // from ConfirmDevice
	Verifier   *big.Int  `json:"verifier,omitempty"` // from ConfirmDevice; nil until confirmed
	Remembered bool      `json:"remembered,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	LastAuthAt time.Time `json:"last_auth_at"`
	ModifiedAt time.Time `json:"modified_at"`
}

// Clone returns a copy.
func (d *Device) Clone() *Device { c := *d; c.Salt = slices.Clone(d.Salt); return &c }

// RefreshToken is an issued refresh token. The token itself is not
// stored: its record is found by [TokenHash].
type RefreshToken struct {
	Hash      string    `json:"hash"` // TokenHash of the token
	PoolID    string    `json:"pool_id"`
	ClientID  string    `json:"client_id"`
	Username  string    `json:"username"`
	Sub       string    `json:"sub"`
	OriginJTI string    `json:"origin_jti"` // its token origin: revoking one revokes the other
	AuthTime  time.Time `json:"auth_time"`
	Expires   time.Time `json:"expires"`
	DeviceKey string    `json:"device_key,omitempty"`
	Scope     string    `json:"scope,omitempty"`
	// ReplacedAt is set when rotation replaced the token; it keeps working
	// for the client's grace period.
	ReplacedAt time.Time `json:"replaced_at,omitzero"`
}

// TokenHash returns the key of a refresh token's record.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TokenOrigin is a family of tokens: those of one sign-in and the
// refreshes that followed, which share the origin_jti claim. Revoking it
// revokes them all.
type TokenOrigin struct {
	PoolID  string    `json:"pool_id"`
	JTI     string    `json:"jti"`
	Sub     string    `json:"sub"` // the user's
	Revoked bool      `json:"revoked,omitempty"`
	Expires time.Time `json:"expires"` // when its last token expires; the record can go then
}

// IdentityPool is a Cognito Identity identity pool.
type IdentityPool struct {
	ID                        string                    `json:"id"` // "{region}:{uuid}"
	Name                      string                    `json:"name"`
	ARN                       string                    `json:"arn"`
	Seq                       int                       `json:"seq"` // creation order; set by PutIdentityPool
	AllowUnauthenticated      bool                      `json:"allow_unauthenticated,omitempty"`
	AllowClassicFlow          bool                      `json:"allow_classic_flow,omitempty"`
	SupportedLoginProviders   map[string]string         `json:"supported_login_providers,omitempty"`
	DeveloperProviderName     string                    `json:"developer_provider_name,omitempty"`
	OpenIDConnectProviderARNs []string                  `json:"openid_connect_provider_arns,omitempty"`
	SAMLProviderARNs          []string                  `json:"saml_provider_arns,omitempty"`
	CognitoIdentityProviders  []CognitoIdentityProvider `json:"cognito_identity_providers,omitempty"`
	Roles                     map[string]string         `json:"roles,omitempty"` // "authenticated", "unauthenticated"
	RoleMappings              map[string]RoleMapping    `json:"role_mappings,omitempty"`
	Tags                      map[string]string         `json:"tags,omitempty"`
	// PrincipalTags maps a provider (a user pool by its Cognito name) to
	// the claims of its tokens that become principal tags of the
	// credentials issued for its logins.
	PrincipalTags       map[string]PrincipalTagMap `json:"principal_tags,omitempty"`
	CredentialsLifetime time.Duration              `json:"credentials_lifetime"`
	CreatedAt           time.Time                  `json:"created_at"`
}

// CognitoIdentityProvider is a user pool app client of an identity pool.
type CognitoIdentityProvider struct {
	ProviderName         string `json:"provider_name"`
	ClientID             string `json:"client_id"`
	ServerSideTokenCheck *bool  `json:"server_side_token_check,omitempty"`
}

// RoleMapping chooses the role of an identity pool login.
type RoleMapping struct {
	Type                    string        `json:"type"` // "Token" or "Rules"
	AmbiguousRoleResolution string        `json:"ambiguous_role_resolution,omitempty"`
	Rules                   []MappingRule `json:"rules,omitempty"`
}

// MappingRule is a rule of a "Rules" role mapping.
type MappingRule struct {
	Claim     string `json:"claim"`
	MatchType string `json:"match_type"`
	Value     string `json:"value"`
	RoleARN   string `json:"role_arn"`
}

// Clone returns a deep copy.
func (p *IdentityPool) Clone() *IdentityPool {
	c := *p
	c.SupportedLoginProviders = maps.Clone(p.SupportedLoginProviders)
	c.OpenIDConnectProviderARNs = slices.Clone(p.OpenIDConnectProviderARNs)
	c.SAMLProviderARNs = slices.Clone(p.SAMLProviderARNs)
	c.CognitoIdentityProviders = slices.Clone(p.CognitoIdentityProviders)
	c.Roles = maps.Clone(p.Roles)
	c.RoleMappings = maps.Clone(p.RoleMappings)
	c.Tags = maps.Clone(p.Tags)
	if p.PrincipalTags != nil {
		c.PrincipalTags = make(map[string]PrincipalTagMap, len(p.PrincipalTags))
		for k, m := range p.PrincipalTags {
			c.PrincipalTags[k] = PrincipalTagMap{UseDefaults: m.UseDefaults, Tags: maps.Clone(m.Tags)}
		}
	}
	return &c
}

// PrincipalTagMap is SetPrincipalTagAttributeMap's mapping of a provider:
// tag key -> token claim, or the defaults.
type PrincipalTagMap struct {
	UseDefaults bool              `json:"use_defaults,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// Identity is an identity of an identity pool, with its linked logins.
type Identity struct {
	ID     string `json:"id"` // "{region}:{uuid}"
	PoolID string `json:"pool_id"`
	Seq    int    `json:"seq"` // creation order; set by PutIdentity
	// Logins are the linked logins: provider -> subjects (a developer
	// provider may link several).
	Logins     map[string][]string `json:"logins,omitempty"`
	CreatedAt  time.Time           `json:"created_at"`
	ModifiedAt time.Time           `json:"modified_at"`
}

// Clone returns a deep copy.
func (i *Identity) Clone() *Identity {
	c := *i
	c.Logins = make(map[string][]string, len(i.Logins))
	for k, v := range i.Logins {
		c.Logins[k] = slices.Clone(v)
	}
	return &c
}

// Credentials describes AWS credentials the emulator issued (made up: they
// do not work against AWS).
type Credentials struct {
	AccessKeyID   string    `json:"access_key_id"`
	IdentityID    string    `json:"identity_id"`
	RoleARN       string    `json:"role_arn"`
	Authenticated bool      `json:"authenticated,omitempty"`
	Expiration    time.Time `json:"expiration"`
	Source        string    `json:"source"` // the operation that issued them
	// PrincipalTags are the session tags of the credentials, from the
	// identity pool's principal tag attribute map.
	PrincipalTags map[string]string `json:"principal_tags,omitempty"`
}

// Message is a message the emulator "sent" by email or SMS: a code, a
// temporary password or a one-time password, with the text Cognito would
// have delivered. Messages are kept in the order they were sent (by Seq),
// up to the emulator's bound; the oldest go first.
type Message struct {
	Seq         int64     `json:"seq"` // order of sending, from 1; assigned by Tx.PutMessage
	PoolID      string    `json:"pool_id"`
	Username    string    `json:"username"`    // internal username
	Destination string    `json:"destination"` // the email address or phone number
	Medium      string    `json:"medium"`      // "EMAIL" or "SMS"
	Kind        string    `json:"kind"`        // what the message is for: "SignUp", "ForgotPassword", ...
	Operation   string    `json:"operation,omitempty"`
	Trigger     string    `json:"trigger,omitempty"` // the CustomMessage trigger source Cognito would call
	Code        string    `json:"code"`              // the code or temporary password
	Subject     string    `json:"subject,omitempty"` // of an email
	Text        string    `json:"text"`              // the message as delivered
	Time        time.Time `json:"time"`
}

func messageKey(seq int64) string { return fmt.Sprintf("%020d", seq) }

// AuthEvent is a security event of a user, as AdminListUserAuthEvents
// reports it: a sign-in (passed or failed), a sign-up, a password reset
// or change. The userpool package keeps the newest events of each user
// and deletes them with the user.
type AuthEvent struct {
	PoolID string `json:"pool_id"`
	Sub    string `json:"sub"`
	ID     string `json:"id"`  // EventId, a UUID
	Seq    int64  `json:"seq"` // order among the user's events, from 1
	// Type is SignIn, SignUp, ForgotPassword or PasswordChange; Response
	// is Pass, Fail or InProgress.
	Type       string               `json:"type"`
	Response   string               `json:"response"`
	Challenges []AuthEventChallenge `json:"challenges,omitempty"`
	IPAddress  string               `json:"ip_address,omitempty"`
	DeviceName string               `json:"device_name,omitempty"`
	// Feedback is Valid or Invalid once UpdateAuthEventFeedback or
	// AdminUpdateAuthEventFeedback rated the event; FeedbackProvider says
	// which ("User" or "Admin").
	Feedback         string    `json:"feedback,omitempty"`
	FeedbackProvider string    `json:"feedback_provider,omitempty"`
	FeedbackAt       time.Time `json:"feedback_at,omitzero"`
	CreatedAt        time.Time `json:"created_at"`
}

// AuthEventChallenge is a step of a sign-in event: Name is Password or
// Mfa, Response is Success or Failure.
type AuthEventChallenge struct {
	Name     string `json:"name"`
	Response string `json:"response"`
}

func authEventKey(e *AuthEvent) string { return e.PoolID + "/" + e.Sub + "/" + e.ID }
