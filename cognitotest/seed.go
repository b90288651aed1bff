package cognitotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/identity"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/pools"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/users"
)

// MaxSeedBytes is the largest seed document [ParseSeed] accepts.
const MaxSeedBytes = 10 << 20

// Seed is a checked-in local Cognito: user pools with their settings,
// domains, resource servers, groups, app clients and users, and identity
// pools with their roles, as read by "cognito local --seed FILE" and
// written by [Server.Export] ("cognito local --export", GET
// /_cognitokit/export). The JSON form, in short:
//
//	{"pools": [{
//	  "id": "us-east-1_Example",
//	  "clients": [{"id": "exampleclient", "name": "web", "secret": "optional"}],
//	  "users": [{"username": "alice", "password": "Passw0rd!", "email": "alice@example.com",
//	             "groups": ["admin"], "alias_email": true}]
//	}],
//	 "identity_pools": [{"name": "app", "user_pools": [{"pool_id": "us-east-1_Example", "client_id": "exampleclient"}]}]}
//
// Every field is optional except the pool IDs and what the field
// documentation says; see the package README for the full format. Unknown
// fields are errors that name their path, as are bad values.
//
// A seed exported from the emulator holds no passwords (the emulator keeps
// none): a user's password is its SRP verifier ("password_verifier"),
// with which the user signs in as before, with USER_SRP_AUTH and
// USER_PASSWORD_AUTH alike, in a pool of the same ID under the same
// username. Exported seeds hold the app clients' secrets, the users' TOTP
// secrets and verifiers: keep them as private as a database dump.
type Seed struct {
	Pools         []SeedPool         `json:"pools"`
	IdentityPools []SeedIdentityPool `json:"identity_pools,omitempty"`
	// ProvisionedLimits are the account's provisioned API rate limits
	// (UpdateProvisionedLimit).
	ProvisionedLimits []SeedProvisionedLimit `json:"provisioned_limits,omitempty"`
}

// SeedPool is one user pool of a [Seed], with the settings of
// [PoolConfig].
type SeedPool struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Sign-in: UsernameAttributes ("email", "phone_number") replace the
	// username; AliasAttributes ("email", "phone_number",
	// "preferred_username") sign in besides it; AutoVerifiedAttributes
	// ("email", "phone_number") get a code at sign-up.
	UsernameAttributes     []string `json:"username_attributes,omitempty"`
	AliasAttributes        []string `json:"alias_attributes,omitempty"`
	AutoVerifiedAttributes []string `json:"auto_verified_attributes,omitempty"`
	RequiredAttributes     []string `json:"required_attributes,omitempty"`
	CaseSensitiveUsernames bool     `json:"case_sensitive_usernames,omitempty"`
	// CustomAttributes declare the pool's custom attributes: users may
	// then have only these ([] too: no custom attribute, as in a pool
	// created by CreateUserPool; absent: any).
	CustomAttributes []SeedCustomAttribute `json:"custom_attributes,omitzero"`
	// PasswordPolicy replaces Cognito's default policy (8 characters,
	// upper and lower case, a number and a symbol; temporary passwords
	// valid 7 days).
	PasswordPolicy *SeedPasswordPolicy `json:"password_policy,omitempty"`
	MFA            string              `json:"mfa,omitempty"` // OFF (default), OPTIONAL, ON
	// MFAConfig is what SetUserPoolMfaConfig sets: the MFA methods the
	// pool offers and the texts of their messages. Without it, the pool
	// offers every method to the users who enabled one, and MFA_SETUP
	// sets up TOTP.
	MFAConfig *SeedMFAConfig `json:"mfa_config,omitempty"`
	// FirstAuthFactors are the USER_AUTH first factors: PASSWORD (the
	// default), EMAIL_OTP, SMS_OTP.
	FirstAuthFactors             []string `json:"first_auth_factors,omitempty"`
	DeviceRemembering            string   `json:"device_remembering,omitempty"` // ALWAYS, USER_OPT_IN
	ChallengeRequiredOnNewDevice bool     `json:"challenge_required_on_new_device,omitempty"`
	// Domains: absent, the pool gets its default prefix domain
	// ("{region}-{id}", lower-case), so that managed login answers for its
	// clients; [] for none.
	Domains         []SeedDomain         `json:"domains,omitzero"`
	ResourceServers []SeedResourceServer `json:"resource_servers,omitempty"`
	Groups          []SeedGroup          `json:"groups,omitempty"`
	Clients         []SeedClient         `json:"clients,omitempty"`
	Users           []SeedUser           `json:"users,omitempty"`
	// IdentityProviders are the pool's federated identity providers.
	IdentityProviders []SeedIdentityProvider `json:"identity_providers,omitempty"`

	// The settings of UpdateUserPool, and the pool's further parts (see
	// the README's seed format).
	Tags                map[string]string       `json:"tags,omitempty"`
	DeletionProtection  bool                    `json:"deletion_protection,omitempty"`
	Tier                string                  `json:"tier,omitempty"`              // LITE, ESSENTIALS (default), PLUS
	AdvancedSecurity    string                  `json:"advanced_security,omitempty"` // OFF (default), AUDIT, ENFORCED (PLUS tier)
	AdminCreateUserOnly bool                    `json:"admin_create_user_only,omitempty"`
	MessageTemplates    *SeedMessageTemplates   `json:"message_templates,omitempty"`
	EmailConfiguration  *SeedEmailConfiguration `json:"email_configuration,omitempty"`
	SMSConfiguration    *SeedSMSConfiguration   `json:"sms_configuration,omitempty"`
	AccountRecovery     []SeedRecoveryOption    `json:"account_recovery,omitempty"`
	VerifyBeforeUpdate  []string                `json:"verify_before_update,omitempty"` // email, phone_number
	LogDelivery         []SeedLogConfiguration  `json:"log_delivery,omitempty"`
	Replicas            []SeedReplica           `json:"replicas,omitempty"`
	Terms               []SeedTerms             `json:"terms,omitempty"`
	Brandings           []SeedBranding          `json:"brandings,omitempty"`
	UICustomizations    []SeedUICustomization   `json:"ui_customizations,omitempty"`
	RiskConfigurations  []SeedRiskConfiguration `json:"risk_configurations,omitempty"`
	// LambdaTriggers are the pool's Lambda triggers.
	LambdaTriggers *SeedLambdaTriggers `json:"lambda_triggers,omitempty"`
}

// SeedLambdaTriggers are a pool's Lambda triggers (CreateUserPool's
// LambdaConfig), under Cognito's names. Each trigger is an http(s) URL
// that the event is POSTed to (any language can answer it: see the package
// README), a Lambda function ARN, or a function name: ARNs and names run
// the function registered under the name ("cognito local --lambda
// NAME=URL", [WithLambda]).
type SeedLambdaTriggers struct {
	PreSignUp                   string `json:"PreSignUp,omitempty"`
	CustomMessage               string `json:"CustomMessage,omitempty"`
	PostConfirmation            string `json:"PostConfirmation,omitempty"`
	PreAuthentication           string `json:"PreAuthentication,omitempty"`
	PostAuthentication          string `json:"PostAuthentication,omitempty"`
	DefineAuthChallenge         string `json:"DefineAuthChallenge,omitempty"`
	CreateAuthChallenge         string `json:"CreateAuthChallenge,omitempty"`
	VerifyAuthChallengeResponse string `json:"VerifyAuthChallengeResponse,omitempty"`
	PreTokenGeneration          string `json:"PreTokenGeneration,omitempty"`
	UserMigration               string `json:"UserMigration,omitempty"`
	CustomSMSSender             string `json:"CustomSMSSender,omitempty"`
	CustomEmailSender           string `json:"CustomEmailSender,omitempty"`
	// PreTokenGenerationVersion: V1_0 (default), V2_0, V3_0.
	PreTokenGenerationVersion string `json:"PreTokenGenerationVersion,omitempty"`
	// KMSKeyID encrypts the codes of the custom senders (see
	// DecryptCode). Default with a custom sender:
	// arn:aws:kms:{region}:000000000000:key/cognitotest.
	KMSKeyID string `json:"KMSKeyID,omitempty"`
}

// config returns the pool state of the triggers of pool poolID.
func (t *SeedLambdaTriggers) config(poolID string) state.LambdaConfig {
	var c state.LambdaConfig
	if t == nil {
		return c
	}
	lt := LambdaTriggers{PreSignUp: t.PreSignUp, CustomMessage: t.CustomMessage, PostConfirmation: t.PostConfirmation,
		PreAuthentication: t.PreAuthentication, PostAuthentication: t.PostAuthentication, DefineAuthChallenge: t.DefineAuthChallenge,
		CreateAuthChallenge: t.CreateAuthChallenge, VerifyAuthChallengeResponse: t.VerifyAuthChallengeResponse,
		PreTokenGeneration: t.PreTokenGeneration, UserMigration: t.UserMigration, CustomSMSSender: t.CustomSMSSender,
		CustomEmailSender: t.CustomEmailSender}
	c.Triggers = map[string]string{}
	for name, v := range lt.fields() {
		if s, _ := v.(string); s != "" {
			c.Triggers[name] = s
		}
	}
	c.PreTokenGenerationVersion, c.KMSKeyID = t.PreTokenGenerationVersion, t.KMSKeyID
	if c.KMSKeyID == "" && (t.CustomEmailSender != "" || t.CustomSMSSender != "") {
		region, _, _ := strings.Cut(poolID, "_")
		c.KMSKeyID = "arn:aws:kms:" + region + ":000000000000:key/cognitotest"
	}
	if len(c.Triggers) == 0 {
		c.Triggers = nil
	}
	return c
}

// seedLambdaTriggers returns the seed form of a pool's triggers (nil when
// it has none).
func seedLambdaTriggers(c state.LambdaConfig) *SeedLambdaTriggers {
	if c.IsZero() {
		return nil
	}
	t := c.Triggers
	return &SeedLambdaTriggers{PreSignUp: t[userpool.TriggerPreSignUp], CustomMessage: t[userpool.TriggerCustomMessage],
		PostConfirmation: t[userpool.TriggerPostConfirmation], PreAuthentication: t[userpool.TriggerPreAuthentication],
		PostAuthentication: t[userpool.TriggerPostAuthentication], DefineAuthChallenge: t[userpool.TriggerDefineAuth],
		CreateAuthChallenge: t[userpool.TriggerCreateAuth], VerifyAuthChallengeResponse: t[userpool.TriggerVerifyAuth],
		PreTokenGeneration: t[userpool.TriggerPreTokenGeneration], UserMigration: t[userpool.TriggerUserMigration],
		CustomSMSSender: t[userpool.TriggerCustomSMSSender], CustomEmailSender: t[userpool.TriggerCustomEmailSender],
		PreTokenGenerationVersion: c.PreTokenGenerationVersion, KMSKeyID: c.KMSKeyID}
}

// SeedMFAConfig is a pool's MFA configuration: the methods it offers
// (a method left out is not offered), and the template of the emails
// with MFA and OTP sign-in codes, where "{####}" is the code (default:
// Cognito's text). The SMS message and SNS settings are the pool's
// message_templates.sms_authentication_message and sms_configuration.
// The WebAuthn relying party ID and user verification apply to passkeys;
// webauthn_factors is kept and reported only.
type SeedMFAConfig struct {
	TOTP                     bool   `json:"totp,omitempty"`
	SMS                      bool   `json:"sms,omitempty"`
	Email                    bool   `json:"email,omitempty"`
	EmailMessage             string `json:"email_message,omitempty"`
	EmailSubject             string `json:"email_subject,omitempty"`
	WebAuthnRelyingPartyID   string `json:"webauthn_relying_party_id,omitempty"`
	WebAuthnUserVerification string `json:"webauthn_user_verification,omitempty"`
	WebAuthnFactors          string `json:"webauthn_factors,omitempty"`
}

// SeedPasswordPolicy is a pool's password policy. Given, it replaces the
// default: list every requirement.
type SeedPasswordPolicy struct {
	MinimumLength    int  `json:"minimum_length,omitempty"` // 6 to 99; default 8
	RequireUppercase bool `json:"require_uppercase"`
	RequireLowercase bool `json:"require_lowercase"`
	RequireNumbers   bool `json:"require_numbers"`
	RequireSymbols   bool `json:"require_symbols"`
	// TemporaryPasswordValidityDays is how long temporary passwords
	// work: 1 to 365 days; default 7.
	TemporaryPasswordValidityDays int `json:"temporary_password_validity_days,omitempty"`
}

// SeedCustomAttribute declares a custom attribute ("custom:{name}").
type SeedCustomAttribute struct {
	Name    string `json:"name"`              // without "custom:"; 1 to 20 letters, digits, _ or -
	Type    string `json:"type,omitempty"`    // String (default) or Number (an integer)
	Mutable *bool  `json:"mutable,omitempty"` // default true; false: set when the user is created only
	// Min and Max bound a String's length (0 to 2048) or a Number's value.
	Min *int64 `json:"min,omitempty"`
	Max *int64 `json:"max,omitempty"`
}

// SeedDomain is a domain of a pool: a prefix of the Cognito domain
// ("myapp" for myapp.auth.{region}.amazoncognito.com) or a custom domain
// ("auth.example.com", with its ACM certificate). The emulator keeps
// domains and exports them, but serves managed login on its own URL.
type SeedDomain struct {
	Domain              string `json:"domain"`
	CertificateARN      string `json:"certificate_arn,omitempty"`       // custom domains only
	ManagedLoginVersion int    `json:"managed_login_version,omitempty"` // 1 (default, the classic hosted UI) or 2
}

// SeedResourceServer is a resource server of a [SeedPool].
type SeedResourceServer struct {
	Identifier        string            `json:"identifier"`
	Name              string            `json:"name,omitempty"` // default: the identifier
	Scopes            []string          `json:"scopes,omitempty"`
	ScopeDescriptions map[string]string `json:"scope_descriptions,omitempty"` // scope -> description
}

// SeedGroup is a group of a [SeedPool]. Groups that users name are
// created without being listed. A group's role goes into the
// cognito:roles claim of its members' ID tokens, and the role of the
// group with the lowest precedence into cognito:preferred_role, which
// identity pools with Token role mappings use.
type SeedGroup struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Precedence  *int32 `json:"precedence,omitempty"`
	RoleARN     string `json:"role_arn,omitempty"`
}

// SeedClient is an app client of a [SeedPool].
type SeedClient struct {
	ID             string `json:"id,omitempty"`   // default: random
	Name           string `json:"name,omitempty"` // default: "client"
	Secret         string `json:"secret,omitempty"`
	GenerateSecret bool   `json:"generate_secret,omitempty"`
	// ExplicitAuthFlows (ALLOW_USER_SRP_AUTH, ...). Default: all flows.
	ExplicitAuthFlows          []string `json:"explicit_auth_flows,omitzero"` // [] is no flow; absent (null) all flows
	PreventUserExistenceErrors bool     `json:"prevent_user_existence_errors,omitempty"`
	EnableTokenRevocation      *bool    `json:"enable_token_revocation,omitempty"` // default true
	RefreshTokenRotation       bool     `json:"refresh_token_rotation,omitempty"`
	RetryGracePeriodSeconds    int      `json:"retry_grace_period_seconds,omitempty"` // 0 to 60
	// TokenValidity overrides the server's token lifetimes.
	TokenValidity *SeedTokenValidity `json:"token_validity,omitempty"`
	// AuthSessionValidity is the lifetime of sign-in Sessions, "3m" to
	// "15m". Default: the server's (3 minutes).
	AuthSessionValidity string   `json:"auth_session_validity,omitempty"`
	CallbackURLs        []string `json:"callback_urls,omitempty"`
	LogoutURLs          []string `json:"logout_urls,omitempty"`
	DefaultRedirectURI  string   `json:"default_redirect_uri,omitempty"`
	OAuthFlows          []string `json:"oauth_flows,omitempty"`  // code, implicit, client_credentials
	OAuthScopes         []string `json:"oauth_scopes,omitempty"` // openid, email, profile, phone, aws.cognito.signin.user.admin, {resource server}/{scope}
	// OAuthEnabled is AllowedOAuthFlowsUserPoolClient. Default: true when
	// OAuthFlows is not empty.
	OAuthEnabled      *bool    `json:"oauth_enabled,omitempty"`
	IdentityProviders []string `json:"identity_providers,omitempty"` // default ["COGNITO"]
	ReadAttributes    []string `json:"read_attributes,omitempty"`    // default: all
	WriteAttributes   []string `json:"write_attributes,omitempty"`   // default: all
	// SecretID is the ID of the secret (default: random); MoreSecrets
	// are the secrets added for a rotation (AddUserPoolClientSecret),
	// valid with the first.
	SecretID    string             `json:"secret_id,omitempty"`
	MoreSecrets []SeedClientSecret `json:"more_secrets,omitempty"`
}

// SeedTokenValidity are the lifetimes of an app client's tokens, as
// durations such as "5m", "1h" or "30d": ID and access tokens 5 minutes
// to 1 day, refresh tokens 1 hour to 3650 days.
type SeedTokenValidity struct {
	ID      string `json:"id,omitempty"`
	Access  string `json:"access,omitempty"`
	Refresh string `json:"refresh,omitempty"`
}

// SeedUser is a user of a [SeedPool].
type SeedUser struct {
	// Username is required, except in pools with username_attributes and
	// for users with alias_email, whose username is their sub.
	Username string `json:"username,omitempty"`
	Sub      string `json:"sub,omitempty"` // default: a random UUID
	// Password, or PasswordVerifier, is required unless Status is set.
	Password         string                `json:"password,omitempty"`
	Temporary        bool                  `json:"temporary,omitempty"` // the password is temporary: status FORCE_CHANGE_PASSWORD
	PasswordVerifier *SeedPasswordVerifier `json:"password_verifier,omitempty"`
	// Status is CONFIRMED (default), UNCONFIRMED, FORCE_CHANGE_PASSWORD or
	// RESET_REQUIRED.
	Status              string `json:"status,omitempty"`
	Disabled            bool   `json:"disabled,omitempty"`
	Email               string `json:"email,omitempty"`
	EmailVerified       *bool  `json:"email_verified,omitempty"` // default true (see alias_email)
	PhoneNumber         string `json:"phone_number,omitempty"`
	PhoneNumberVerified *bool  `json:"phone_number_verified,omitempty"` // default true
	// AliasEmail: the user signs in with the email too (the pool gets the
	// email alias); in such a pool, the email of a user without
	// alias_email is left unverified, so that it is no alias.
	AliasEmail   bool              `json:"alias_email,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"` // other attributes: name, custom:tenant, ...
	Groups       []string          `json:"groups,omitempty"`
	TOTPSecret   string            `json:"totp_secret,omitempty"` // base32: a verified authenticator app
	SMSMFA       bool              `json:"sms_mfa,omitempty"`
	EmailMFA     bool              `json:"email_mfa,omitempty"`
	PreferredMFA string            `json:"preferred_mfa,omitempty"` // SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP
	// Links are the users of the pool's identity providers who sign in as
	// this user (AdminLinkProviderForUser); see [SeedLink].
	Links []SeedLink `json:"links,omitempty"`
}

// SeedPasswordVerifier is the SRP secret of a user's password (hex
// integers; the salt may be negative): what [Server.Export] writes
// instead of the password, which the emulator does not keep. It works in
// a pool of the same ID, for the same username.
type SeedPasswordVerifier struct {
	Salt     string `json:"salt"`
	Verifier string `json:"verifier"`
}

// SeedIdentityPool is an identity pool (Cognito Identity) of a [Seed].
type SeedIdentityPool struct {
	ID                   string `json:"id,omitempty"` // "{region}:{uuid}" in the server's region; default: random
	Name                 string `json:"name,omitempty"`
	AllowUnauthenticated bool   `json:"allow_unauthenticated,omitempty"`
	AllowClassicFlow     bool   `json:"allow_classic_flow,omitempty"`
	// UserPools are the app clients whose ID tokens are logins.
	UserPools                 []SeedIdentityPoolUserPool `json:"user_pools,omitempty"`
	SupportedLoginProviders   map[string]string          `json:"supported_login_providers,omitempty"`
	DeveloperProviderName     string                     `json:"developer_provider_name,omitempty"`
	OpenIDConnectProviderARNs []string                   `json:"openid_connect_provider_arns,omitempty"`
	SAMLProviderARNs          []string                   `json:"saml_provider_arns,omitempty"`
	// Roles are the IAM roles "authenticated" and "unauthenticated".
	// Default: those of [IdentityPoolConfig].
	Roles map[string]string `json:"roles,omitempty"`
	// RoleMappings choose the role by login provider.
	RoleMappings map[string]SeedRoleMapping `json:"role_mappings,omitempty"`
	Tags         map[string]string          `json:"tags,omitempty"`
	// CredentialsLifetime is how long issued credentials last, such as
	// "15m". Default: one hour.
	CredentialsLifetime string `json:"credentials_lifetime,omitempty"`
}

// SeedIdentityPoolUserPool is a user pool app client of an identity pool.
type SeedIdentityPoolUserPool struct {
	PoolID               string `json:"pool_id"`
	ClientID             string `json:"client_id"`
	ServerSideTokenCheck bool   `json:"server_side_token_check,omitempty"`
}

// SeedRoleMapping chooses the role of a login: "Token" (the
// cognito:preferred_role and cognito:roles claims) or "Rules".
type SeedRoleMapping struct {
	Type                    string            `json:"type"`
	AmbiguousRoleResolution string            `json:"ambiguous_role_resolution"` // AuthenticatedRole or Deny
	Rules                   []SeedMappingRule `json:"rules,omitempty"`
}

// SeedMappingRule is a rule of a "Rules" role mapping.
type SeedMappingRule struct {
	Claim     string `json:"claim"`
	MatchType string `json:"match_type"` // Equals, Contains, StartsWith, NotEqual
	Value     string `json:"value"`
	RoleARN   string `json:"role_arn"`
}

// SeedError reports a malformed seed. Path names the bad field, such as
// "pools[0].users[2].password". It wraps [ErrInvalidConfig].
type SeedError struct {
	Path string
	Msg  string
}

func (e *SeedError) Error() string {
	if e.Path == "" {
		return "seed: " + e.Msg
	}
	return "seed: " + e.Path + ": " + e.Msg
}

func (e *SeedError) Unwrap() error { return ErrInvalidConfig }

// seedSchema describes the accepted JSON: field name -> kind, where a kind
// is "string", "bool", "int", "int32", "[kind]" (an array), "{kind}" (an
// object of kinds) or the name of an object.
var seedSchema = map[string]map[string]string{
	"seed": {"pools": "[pool]", "identity_pools": "[identity_pool]", "provisioned_limits": "[provisioned_limit]"},
	"pool": {"id": "string", "name": "string", "username_attributes": "[string]", "alias_attributes": "[string]",
		"auto_verified_attributes": "[string]", "required_attributes": "[string]", "case_sensitive_usernames": "bool",
		"custom_attributes": "[custom_attribute]", "password_policy": "password_policy", "mfa": "string", "mfa_config": "mfa_config",
		"first_auth_factors": "[string]", "device_remembering": "string", "challenge_required_on_new_device": "bool",
		"domains": "[domain]", "resource_servers": "[resource_server]", "groups": "[group]", "clients": "[client]", "users": "[user]",
		"tags": "{string}", "deletion_protection": "bool", "tier": "string", "advanced_security": "string", "admin_create_user_only": "bool",
		"message_templates": "message_templates", "email_configuration": "email_configuration", "sms_configuration": "sms_configuration",
		"account_recovery": "[recovery_option]", "verify_before_update": "[string]", "log_delivery": "[log_configuration]",
		"replicas": "[replica]", "terms": "[terms]", "brandings": "[branding]", "ui_customizations": "[ui_customization]",
		"risk_configurations": "[risk_configuration]", "lambda_triggers": "lambda_triggers", "identity_providers": "[identity_provider]"},
	"identity_provider": seedIdPSchema,
	"lambda_triggers": {"PreSignUp": "string", "CustomMessage": "string", "PostConfirmation": "string", "PreAuthentication": "string",
		"PostAuthentication": "string", "DefineAuthChallenge": "string", "CreateAuthChallenge": "string",
		"VerifyAuthChallengeResponse": "string", "PreTokenGeneration": "string", "UserMigration": "string",
		"CustomSMSSender": "string", "CustomEmailSender": "string", "PreTokenGenerationVersion": "string", "KMSKeyID": "string"},
	"mfa_config": {"totp": "bool", "sms": "bool", "email": "bool", "email_message": "string", "email_subject": "string",
		"webauthn_relying_party_id": "string", "webauthn_user_verification": "string", "webauthn_factors": "string"},
	"password_policy": {"minimum_length": "int", "require_uppercase": "bool", "require_lowercase": "bool", "require_numbers": "bool",
		"require_symbols": "bool", "temporary_password_validity_days": "int"},
	"custom_attribute": {"name": "string", "type": "string", "mutable": "bool", "min": "int", "max": "int"},
	"domain":           {"domain": "string", "certificate_arn": "string", "managed_login_version": "int"},
	"resource_server":  {"identifier": "string", "name": "string", "scopes": "[string]", "scope_descriptions": "{string}"},
	"group":            {"name": "string", "description": "string", "precedence": "int32", "role_arn": "string"},
	"client": {"id": "string", "name": "string", "secret": "string", "generate_secret": "bool", "explicit_auth_flows": "[string]",
		"prevent_user_existence_errors": "bool", "enable_token_revocation": "bool", "refresh_token_rotation": "bool",
		"retry_grace_period_seconds": "int", "token_validity": "token_validity", "auth_session_validity": "string",
		"callback_urls": "[string]", "logout_urls": "[string]", "default_redirect_uri": "string", "oauth_flows": "[string]",
		"oauth_scopes": "[string]", "oauth_enabled": "bool", "identity_providers": "[string]", "read_attributes": "[string]",
		"write_attributes": "[string]", "secret_id": "string", "more_secrets": "[client_secret]"},
	"token_validity": {"id": "string", "access": "string", "refresh": "string"},
	"user": {"username": "string", "sub": "string", "password": "string", "temporary": "bool", "password_verifier": "password_verifier",
		"status": "string", "disabled": "bool", "email": "string", "email_verified": "bool", "phone_number": "string",
		"phone_number_verified": "bool", "alias_email": "bool", "attributes": "{string}", "groups": "[string]", "totp_secret": "string",
		"sms_mfa": "bool", "email_mfa": "bool", "preferred_mfa": "string", "links": "[link]"},
	"link":              seedLinkSchema,
	"password_verifier": {"salt": "string", "verifier": "string"},
	"identity_pool": {"id": "string", "name": "string", "allow_unauthenticated": "bool", "allow_classic_flow": "bool",
		"user_pools": "[identity_pool_user_pool]", "supported_login_providers": "{string}", "developer_provider_name": "string",
		"openid_connect_provider_arns": "[string]", "saml_provider_arns": "[string]", "roles": "{string}",
		"role_mappings": "{role_mapping}", "tags": "{string}", "credentials_lifetime": "string"},
	"identity_pool_user_pool": {"pool_id": "string", "client_id": "string", "server_side_token_check": "bool"},
	"role_mapping":            {"type": "string", "ambiguous_role_resolution": "string", "rules": "[mapping_rule]"},
	"mapping_rule":            {"claim": "string", "match_type": "string", "value": "string", "role_arn": "string"},
}

// maxSeedEntries bounds every array and object of a seed.
const maxSeedEntries = 10000

// checkShape walks a generic JSON value against the schema.
func checkShape(v any, kind, path string) *SeedError {
	if v == nil && kind != "string" && kind != "bool" && kind != "int" && kind != "int32" {
		return nil // null is an empty list, object or absent setting
	}
	if fields, ok := seedPoolsSchema[kind]; ok && seedSchema[kind] == nil {
		return checkObject(v, fields, path)
	}
	switch {
	case kind == "json": // a document of the API, such as branding settings
		if _, ok := v.(map[string]any); !ok {
			return &SeedError{path, "want a JSON object"}
		}
	case kind == "string":
		if _, ok := v.(string); !ok {
			return &SeedError{path, "want a string"}
		}
	case kind == "bool":
		if _, ok := v.(bool); !ok {
			return &SeedError{path, "want true or false"}
		}
	case kind == "int", kind == "int32":
		n, ok := v.(json.Number)
		if !ok {
			return &SeedError{path, "want an integer"}
		}
		bits := 64
		if kind == "int32" {
			bits = 32
		}
		if _, err := strconv.ParseInt(string(n), 10, bits); err != nil {
			return &SeedError{path, fmt.Sprintf("%s is not a %d-bit integer", truncate(string(n), 32), bits)}
		}
	case strings.HasPrefix(kind, "["):
		arr, ok := v.([]any)
		if !ok {
			return &SeedError{path, "want an array"}
		}
		if len(arr) > maxSeedEntries {
			return &SeedError{path, fmt.Sprintf("too many entries (at most %d)", maxSeedEntries)}
		}
		for i, e := range arr {
			if err := checkShape(e, kind[1:len(kind)-1], path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case strings.HasPrefix(kind, "{"):
		obj, ok := v.(map[string]any)
		if !ok {
			return &SeedError{path, "want an object"}
		}
		if len(obj) > maxSeedEntries {
			return &SeedError{path, fmt.Sprintf("too many entries (at most %d)", maxSeedEntries)}
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if err := checkShape(obj[k], kind[1:len(kind)-1], path+"."+k); err != nil {
				return err
			}
		}
	default:
		return checkObject(v, seedSchema[kind], path)
	}
	return nil
}

// checkObject checks an object of the seed against its fields.
func checkObject(v any, fields map[string]string, path string) *SeedError {
	obj, ok := v.(map[string]any)
	if !ok {
		return &SeedError{path, "want an object"}
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		fk, known := fields[k]
		p := k
		if path != "" {
			p = path + "." + k
		}
		if !known {
			return &SeedError{truncate(p, 256), fmt.Sprintf("unknown field (allowed: %s)", strings.Join(slices.Sorted(maps.Keys(fields)), ", "))}
		}
		if err := checkShape(obj[k], fk, p); err != nil {
			return err
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// parseSeedDuration parses a positive duration of a seed: Go's syntax
// ("90s", "1h30m") with days ("30d").
func parseSeedDuration(s string) (time.Duration, bool) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d <= 0 || d > 100000 {
			return 0, false
		}
		return time.Duration(d) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}

// formatSeedDuration formats d as parseSeedDuration reads it, in the
// largest unit that divides it.
func formatSeedDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}

var (
	customAttrNameRE = regexp.MustCompile(`^[\w-]{1,20}$`)
	identityPoolIDRE = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// seedCheck validates values of a seed, collecting the first error.
type seedCheck struct{ err *SeedError }

func (c *seedCheck) fail(path, format string, args ...any) {
	if c.err == nil {
		c.err = &SeedError{path, fmt.Sprintf(format, args...)}
	}
}

// oneOf checks that every value of list is allowed.
func (c *seedCheck) oneOf(path string, list []string, allowed ...string) {
	for i, v := range list {
		if !slices.Contains(allowed, v) {
			c.fail(fmt.Sprintf("%s[%d]", path, i), "%q is not one of %s", truncate(v, 64), strings.Join(allowed, ", "))
		}
	}
}

// one checks that v is allowed.
func (c *seedCheck) one(path, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		c.fail(path, "%q is not one of %s", truncate(v, 64), strings.Join(allowed, ", "))
	}
}

func (c *seedCheck) duration(path, s string, min, max time.Duration) {
	if s == "" {
		return
	}
	d, ok := parseSeedDuration(s)
	if !ok {
		c.fail(path, "%q is not a duration; want one such as 90s, 15m, 1h or 30d", truncate(s, 32))
	} else if d < min || d > max {
		c.fail(path, "%s is not between %s and %s", s, formatSeedDuration(min), formatSeedDuration(max))
	}
}

// ParseSeed parses and validates a seed document. Errors are *SeedError
// naming the bad field.
func ParseSeed(data []byte) (*Seed, error) {
	if len(data) > MaxSeedBytes {
		return nil, &SeedError{"", fmt.Sprintf("%d bytes is larger than the %d allowed", len(data), MaxSeedBytes)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, &SeedError{"", "not valid JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, &SeedError{"", "trailing data after the JSON object"}
	}
	if err := checkShape(generic, "seed", ""); err != nil {
		return nil, err
	}
	if _, ok := generic.(map[string]any)["pools"]; !ok {
		return nil, &SeedError{"pools", "required (an empty list is a seed without user pools)"}
	}
	var seed Seed
	if err := json.Unmarshal(data, &seed); err != nil {
		return nil, &SeedError{"", err.Error()}
	}
	c := &seedCheck{}
	poolIDs := map[string]bool{}
	clientIDs := map[string]bool{}
	for i := range seed.Pools {
		c.pool(&seed.Pools[i], fmt.Sprintf("pools[%d]", i), poolIDs, clientIDs)
		c.poolParts(&seed.Pools[i], fmt.Sprintf("pools[%d]", i))
	}
	c.limits(seed.ProvisionedLimits)
	idPoolIDs := map[string]bool{}
	for i, ip := range seed.IdentityPools {
		pp := fmt.Sprintf("identity_pools[%d]", i)
		if ip.ID != "" {
			if !identityPoolIDRE.MatchString(ip.ID) {
				c.fail(pp+".id", "%q is not an identity pool ID; want {region}:{uuid}", truncate(ip.ID, 64))
			}
			if idPoolIDs[ip.ID] {
				c.fail(pp+".id", "duplicate identity pool ID %q", ip.ID)
			}
			idPoolIDs[ip.ID] = true
		}
		for j, up := range ip.UserPools {
			if !userpool.PoolIDRE.MatchString(up.PoolID) {
				c.fail(fmt.Sprintf("%s.user_pools[%d].pool_id", pp, j), "%q is not a pool ID", truncate(up.PoolID, 64))
			}
			if !userpool.ClientIDRE.MatchString(up.ClientID) {
				c.fail(fmt.Sprintf("%s.user_pools[%d].client_id", pp, j), "%q is not a client ID", truncate(up.ClientID, 64))
			}
		}
		c.duration(pp+".credentials_lifetime", ip.CredentialsLifetime, 15*time.Minute, 12*time.Hour)
	}
	if c.err != nil {
		return nil, c.err
	}
	return &seed, nil
}

func (c *seedCheck) pool(p *SeedPool, pp string, poolIDs, clientIDs map[string]bool) {
	if !userpool.PoolIDRE.MatchString(p.ID) {
		c.fail(pp+".id", "%q is not a pool ID; want {region}_{letters and digits}, such as us-east-1_Example", truncate(p.ID, 64))
	}
	if poolIDs[p.ID] {
		c.fail(pp+".id", "duplicate pool ID %q", p.ID)
	}
	poolIDs[p.ID] = true
	c.checkIdentityProviders(p, pp)
	c.oneOf(pp+".username_attributes", p.UsernameAttributes, "email", "phone_number")
	c.oneOf(pp+".alias_attributes", p.AliasAttributes, "email", "phone_number", "preferred_username")
	c.oneOf(pp+".auto_verified_attributes", p.AutoVerifiedAttributes, "email", "phone_number")
	c.oneOf(pp+".required_attributes", p.RequiredAttributes, userpool.StandardAttributes...)
	c.oneOf(pp+".first_auth_factors", p.FirstAuthFactors, "PASSWORD", "EMAIL_OTP", "SMS_OTP")
	if p.MFA != "" {
		c.one(pp+".mfa", p.MFA, MFAOff, MFAOptional, MFAOn)
	}
	if p.DeviceRemembering != "" {
		c.one(pp+".device_remembering", p.DeviceRemembering, DevicesAlways, DevicesUserOptIn)
	}
	if err := userpool.CheckLambdaConfig(p.LambdaTriggers.config(p.ID), true); err != nil {
		c.fail(pp+".lambda_triggers", "%s", emulator.Detail(err))
	}
	if m := p.MFAConfig; m != nil {
		mfa := p.MFA
		if mfa == "" {
			mfa = MFAOff
		}
		if msg := userpool.CheckPoolMFA((*state.PoolMFA)(m), mfa); msg != "" {
			c.fail(pp+".mfa_config", "%s", msg)
		}
	}
	if pol := p.PasswordPolicy; pol != nil {
		if n := pol.MinimumLength; n != 0 && (n < 6 || n > 99) {
			c.fail(pp+".password_policy.minimum_length", "%d is not between 6 and 99", n)
		}
		if n := pol.TemporaryPasswordValidityDays; n < 0 || n > 365 {
			c.fail(pp+".password_policy.temporary_password_validity_days", "%d is not between 1 and 365", n)
		}
	}
	names := map[string]bool{}
	for j, a := range p.CustomAttributes {
		ap := fmt.Sprintf("%s.custom_attributes[%d]", pp, j)
		if !customAttrNameRE.MatchString(a.Name) {
			c.fail(ap+".name", "%q: want 1 to 20 letters, digits, _ or - (without custom:)", truncate(a.Name, 64))
		}
		if names[a.Name] {
			c.fail(ap+".name", "duplicate custom attribute %q", a.Name)
		}
		names[a.Name] = true
		if a.Type != "" && a.Type != "String" && a.Type != "Number" && a.Type != "DateTime" && a.Type != "Boolean" {
			c.fail(ap+".type", "%q is not String, Number, DateTime or Boolean", truncate(a.Type, 32))
		}
		if a.Min != nil && a.Max != nil && *a.Min > *a.Max {
			c.fail(ap+".min", "%d is more than max %d", *a.Min, *a.Max)
		}
		if a.Type != "Number" && (a.Min != nil && (*a.Min < 0 || *a.Min > 2048) || a.Max != nil && (*a.Max < 0 || *a.Max > 2048)) {
			c.fail(ap, "the length bounds of a String are 0 to 2048")
		}
	}
	for j, g := range p.Groups {
		if !userpool.GroupNameRE.MatchString(g.Name) {
			c.fail(fmt.Sprintf("%s.groups[%d].name", pp, j), "%q: want 1 to 128 printable characters without spaces", truncate(g.Name, 64))
		}
		if g.Precedence != nil && *g.Precedence < 0 {
			c.fail(fmt.Sprintf("%s.groups[%d].precedence", pp, j), "must not be negative")
		}
	}
	for j, cl := range p.Clients {
		cp := fmt.Sprintf("%s.clients[%d]", pp, j)
		if cl.ID != "" {
			if !userpool.ClientIDRE.MatchString(cl.ID) {
				c.fail(cp+".id", "%q is not a client ID; want 1 to 128 letters, digits, _ or +", truncate(cl.ID, 64))
			}
			if clientIDs[cl.ID] {
				c.fail(cp+".id", "duplicate client ID %q", cl.ID)
			}
			clientIDs[cl.ID] = true
		}
		if len(cl.Secret) > 128 {
			c.fail(cp+".secret", "longer than 128 characters")
		}
		c.oneOf(cp+".explicit_auth_flows", cl.ExplicitAuthFlows, userpool.AllFlows...)
		c.oneOf(cp+".oauth_flows", cl.OAuthFlows, "code", "implicit", "client_credentials")
		if n := cl.RetryGracePeriodSeconds; n < 0 || n > 60 {
			c.fail(cp+".retry_grace_period_seconds", "%d is not between 0 and 60", n)
		}
		if tv := cl.TokenValidity; tv != nil {
			c.duration(cp+".token_validity.id", tv.ID, 5*time.Minute, 24*time.Hour)
			c.duration(cp+".token_validity.access", tv.Access, 5*time.Minute, 24*time.Hour)
			c.duration(cp+".token_validity.refresh", tv.Refresh, time.Hour, 3650*24*time.Hour)
		}
		c.duration(cp+".auth_session_validity", cl.AuthSessionValidity, 3*time.Minute, 15*time.Minute)
	}
	seen, linked := map[string]bool{}, map[string]bool{}
	for j, u := range p.Users {
		up := fmt.Sprintf("%s.users[%d]", pp, j)
		c.checkLinks(p, u.Links, up, linked)
		if u.Username == "" && len(p.UsernameAttributes) == 0 && !u.AliasEmail {
			c.fail(up+".username", "required (unless alias_email is true: the username is then a UUID)")
		}
		key := strings.ToLower(u.Username + "\x00" + u.Email)
		if u.Username != "" && !p.CaseSensitiveUsernames {
			key = strings.ToLower(u.Username)
		}
		if seen[key] {
			c.fail(up+".username", "duplicate user %q", truncate(u.Username, 64))
		}
		seen[key] = true
		switch {
		case u.Password != "" && u.PasswordVerifier != nil:
			c.fail(up+".password_verifier", "set password or password_verifier, not both")
		case u.Password == "" && u.PasswordVerifier == nil && u.Status == "":
			c.fail(up+".password", "required (or a password_verifier, or a status for a user without a password)")
		}
		if v := u.PasswordVerifier; v != nil {
			if _, ok := new(big.Int).SetString(v.Salt, 16); !ok {
				c.fail(up+".password_verifier.salt", "want a hexadecimal integer")
			}
			if _, ok := new(big.Int).SetString(v.Verifier, 16); !ok {
				c.fail(up+".password_verifier.verifier", "want a hexadecimal integer")
			}
		}
		if u.Status != "" {
			c.one(up+".status", u.Status, StatusConfirmed, StatusUnconfirmed, StatusForceChangePassword, StatusResetRequired)
			if u.Temporary && u.Status != StatusForceChangePassword {
				c.fail(up+".temporary", "a temporary password means the status FORCE_CHANGE_PASSWORD, not %s", u.Status)
			}
		}
		if u.AliasEmail && u.Email == "" {
			c.fail(up+".alias_email", "true needs an email")
		}
		for _, k := range slices.Sorted(maps.Keys(u.Attributes)) {
			switch k {
			case "sub", "email", "email_verified", "phone_number", "phone_number_verified":
				c.fail(up+".attributes."+k, "set the user's %s field instead", k)
			}
		}
	}
}

// ApplySeed creates the pools (with their domains, resource servers,
// groups, app clients and users) and the identity pools of seed, and
// returns the pools in seed order. An error names the part of the seed
// that failed; what came before it is created.
func (s *Server) ApplySeed(seed *Seed) ([]*Pool, error) {
	var out []*Pool
	for i := range seed.Pools {
		p, err := s.applyPool(&seed.Pools[i], fmt.Sprintf("pools[%d]", i))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	for i, sp := range seed.IdentityPools {
		if err := s.applyIdentityPool(&sp); err != nil {
			return nil, &SeedError{fmt.Sprintf("identity_pools[%d]", i), trimSentinel(err)}
		}
	}
	if err := s.applyProvisionedLimits(seed.ProvisionedLimits); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) applyPool(sp *SeedPool, pp string) (*Pool, error) {
	legacyAlias := false // some user has alias_email
	for _, u := range sp.Users {
		legacyAlias = legacyAlias || u.AliasEmail
	}
	draft := &state.Pool{ID: sp.ID, Name: sp.Name, UsernameAttributes: sp.UsernameAttributes, AliasAttributes: slices.Clone(sp.AliasAttributes),
		AutoVerifiedAttributes: sp.AutoVerifiedAttributes, RequiredAttributes: sp.RequiredAttributes, CaseSensitiveUsernames: sp.CaseSensitiveUsernames,
		MFA: sp.MFA, DeviceRemembering: sp.DeviceRemembering, ChallengeRequiredOnNewDevice: sp.ChallengeRequiredOnNewDevice,
		AllowedFirstAuthFactors: sp.FirstAuthFactors}
	if sp.MFAConfig != nil {
		m := state.PoolMFA(*sp.MFAConfig)
		draft.MFAMethods = &m
	}
	if legacyAlias && !slices.Contains(draft.AliasAttributes, "email") {
		draft.AliasAttributes = append(draft.AliasAttributes, "email")
	}
	for _, a := range sp.CustomAttributes {
		ca := state.CustomAttribute{Name: a.Name, Type: a.Type, Mutable: a.Mutable == nil || *a.Mutable, Min: a.Min, Max: a.Max}
		if ca.Type == "" {
			ca.Type = "String"
		}
		draft.CustomAttributes = append(draft.CustomAttributes, ca)
	}
	draft.StrictSchema = sp.CustomAttributes != nil
	// The settings, checked as CreateUserPool checks them.
	if err := pools.ApplySettings(draft, seedPoolSettings(sp, draft)); err != nil {
		return nil, &SeedError{pp, trimSentinel(err)}
	}
	// The triggers, after the settings (CreateUserPool's LambdaConfig takes
	// ARNs only; a seed may name URLs and functions: pools.Create checks
	// them).
	draft.LambdaConfig = sp.LambdaTriggers.config(sp.ID)
	rec, err := pools.Create(s.up, draft, &draft.PasswordPolicy)
	if err != nil {
		return nil, &SeedError{pp, trimSentinel(err)}
	}
	p := s.handle(rec.ID)
	if sp.Domains == nil {
		if err := pools.CreateDefaultDomain(s.up, p.id); err != nil {
			return nil, &SeedError{pp, trimSentinel(err)}
		}
	}
	for j, d := range sp.Domains {
		if err := pools.CreateDomain(s.up, p.id, d.Domain, d.CertificateARN, d.ManagedLoginVersion); err != nil {
			return nil, &SeedError{fmt.Sprintf("%s.domains[%d]", pp, j), trimSentinel(err)}
		}
	}
	for j, rs := range sp.ResourceServers {
		scopes := map[string]string{}
		for _, sc := range rs.Scopes {
			scopes[sc] = rs.ScopeDescriptions[sc]
		}
		for sc := range rs.ScopeDescriptions {
			if _, ok := scopes[sc]; !ok {
				return nil, &SeedError{fmt.Sprintf("%s.resource_servers[%d].scope_descriptions.%s", pp, j, sc), "not one of the scopes"}
			}
		}
		if err := pools.CreateResourceServer(s.up, p.id, rs.Identifier, rs.Name, scopes); err != nil {
			return nil, &SeedError{fmt.Sprintf("%s.resource_servers[%d]", pp, j), trimSentinel(err)}
		}
	}
	for j, g := range sp.Groups {
		err := s.up.State.Update(func(tx *state.Tx) error {
			_, err := s.up.CreateGroup(tx, tx.Pool(p.id), g.Name, g.Description, g.Precedence, g.RoleARN)
			return err
		})
		if err != nil {
			return nil, &SeedError{fmt.Sprintf("%s.groups[%d]", pp, j), trimSentinel(err)}
		}
	}
	if err := s.applyIdentityProviders(sp, pp); err != nil {
		return nil, err
	}
	for j, sc := range sp.Clients {
		if _, err := pools.CreateClient(s.up, p.id, sc.draft(), sc.GenerateSecret); err != nil {
			return nil, &SeedError{fmt.Sprintf("%s.clients[%d]", pp, j), trimSentinel(err)}
		}
	}
	for j, su := range sp.Users {
		up := fmt.Sprintf("%s.users[%d]", pp, j)
		u, err := users.Create(s.up, p.id, su.spec(sp, legacyAlias))
		if err != nil {
			return nil, &SeedError{up, trimSentinel(err)}
		}
		if err := s.applyLinks(p.id, u.Username, su.Links, up); err != nil {
			return nil, err
		}
	}
	if err := s.applyPoolParts(sp, pp); err != nil {
		return nil, err
	}
	return p, nil
}

// draft returns the app client record sc describes (validated by
// ParseSeed).
func (sc *SeedClient) draft() *state.Client {
	c := &state.Client{ID: sc.ID, Name: sc.Name, Secret: sc.Secret, ExplicitAuthFlows: sc.ExplicitAuthFlows,
		PreventUserExistenceErrors: sc.PreventUserExistenceErrors, DisableTokenRevocation: sc.EnableTokenRevocation != nil && !*sc.EnableTokenRevocation,
		RefreshTokenRotation: sc.RefreshTokenRotation, RetryGracePeriod: time.Duration(sc.RetryGracePeriodSeconds) * time.Second,
		CallbackURLs: sc.CallbackURLs, LogoutURLs: sc.LogoutURLs, DefaultRedirectURI: sc.DefaultRedirectURI,
		AllowedOAuthFlows: sc.OAuthFlows, AllowedOAuthScopes: sc.OAuthScopes, AllowedOAuthFlowsUserPoolClient: len(sc.OAuthFlows) > 0,
		SupportedIdentityProviders: sc.IdentityProviders, ReadAttributes: sc.ReadAttributes, WriteAttributes: sc.WriteAttributes}
	if c.ExplicitAuthFlows == nil {
		c.ExplicitAuthFlows = slices.Clone(userpool.AllFlows)
	}
	if sc.OAuthEnabled != nil {
		c.AllowedOAuthFlowsUserPoolClient = *sc.OAuthEnabled
	}
	if tv := sc.TokenValidity; tv != nil {
		c.TokenLifetimes.ID, _ = parseSeedDuration(tv.ID)
		c.TokenLifetimes.Access, _ = parseSeedDuration(tv.Access)
		c.TokenLifetimes.Refresh, _ = parseSeedDuration(tv.Refresh)
	}
	c.AuthSessionValidity, _ = parseSeedDuration(sc.AuthSessionValidity)
	c.SecretID = sc.SecretID
	for _, ms := range sc.MoreSecrets {
		c.MoreSecrets = append(c.MoreSecrets, state.ClientSecret{ID: ms.ID, Value: ms.Secret})
	}
	return c
}

// spec returns the user su describes in pool sp (validated by ParseSeed).
func (su *SeedUser) spec(sp *SeedPool, legacyAlias bool) users.Spec {
	spec := users.Spec{Username: su.Username, Sub: su.Sub, Email: su.Email, PhoneNumber: su.PhoneNumber,
		UnverifiedEmail: legacyAlias && !su.AliasEmail, Attributes: su.Attributes, Groups: su.Groups,
		Disabled: su.Disabled, TOTPSecret: su.TOTPSecret, SMSMFA: su.SMSMFA, EmailMFA: su.EmailMFA, PreferredMFA: su.PreferredMFA,
		Status: su.Status}
	if su.EmailVerified != nil {
		spec.UnverifiedEmail = !*su.EmailVerified
	}
	if su.PhoneNumberVerified != nil {
		spec.UnverifiedPhone = !*su.PhoneNumberVerified
	}
	if su.Temporary {
		spec.TemporaryPassword = su.Password
	} else {
		spec.Password = su.Password
	}
	if v := su.PasswordVerifier; v != nil {
		spec.Salt, _ = new(big.Int).SetString(v.Salt, 16)
		spec.Verifier, _ = new(big.Int).SetString(v.Verifier, 16)
	}
	if len(sp.UsernameAttributes) > 0 {
		spec.Username = "" // the username is the sub
	}
	return spec
}

func (s *Server) applyIdentityPool(sp *SeedIdentityPool) error {
	cfg := IdentityPoolConfig{Name: sp.Name}
	if cfg.Name == "" {
		cfg.Name = "identitypool"
	}
	roles := map[string]string{
		"authenticated":   "arn:aws:iam::" + TestAccountID + ":role/cognitotest-authenticated",
		"unauthenticated": "arn:aws:iam::" + TestAccountID + ":role/cognitotest-unauthenticated",
	}
	if sp.Roles != nil {
		roles = sp.Roles
	}
	allowUnauth, allowClassic := sp.AllowUnauthenticated, sp.AllowClassicFlow
	spec := identity.Spec{
		ID: sp.ID,
		Pool: identity.PoolWire{IdentityPoolName: cfg.Name, AllowUnauthenticatedIdentities: &allowUnauth, AllowClassicFlow: &allowClassic,
			SupportedLoginProviders: sp.SupportedLoginProviders, DeveloperProviderName: sp.DeveloperProviderName,
			OpenIdConnectProviderARNs: sp.OpenIDConnectProviderARNs, SamlProviderARNs: sp.SAMLProviderARNs, IdentityPoolTags: sp.Tags},
		Roles: roles,
	}
	for _, up := range sp.UserPools {
		var check *bool
		if up.ServerSideTokenCheck {
			check = &up.ServerSideTokenCheck
		}
		spec.Pool.AddCognitoProviderCheck(IdentityProviderName(up.PoolID), up.ClientID, check)
	}
	if len(sp.RoleMappings) > 0 {
		spec.RoleMappings = map[string]state.RoleMapping{}
		for prov, m := range sp.RoleMappings {
			rm := state.RoleMapping{Type: m.Type, AmbiguousRoleResolution: m.AmbiguousRoleResolution}
			for _, r := range m.Rules {
				rm.Rules = append(rm.Rules, state.MappingRule{Claim: r.Claim, MatchType: r.MatchType, Value: r.Value, RoleARN: r.RoleARN})
			}
			spec.RoleMappings[prov] = rm
		}
	}
	if sp.CredentialsLifetime != "" {
		spec.CredentialsLifetime, _ = parseSeedDuration(sp.CredentialsLifetime)
	}
	_, err := s.ids.Create(spec)
	return err
}

func trimSentinel(err error) string { return emulator.Detail(err) }

// Demo pool, clients and users of [DemoSeed].
const (
	DemoPoolID               = "us-east-1_cognitokit"
	DemoPublicClientID       = "cognitokitpublic"
	DemoConfidentialClientID = "cognitokitconfidential"
)

// DemoSeed returns the seed "cognito local" uses without --seed: pool
// us-east-1_cognitokit with a public and a confidential client, an admin
// user "alice" (group admin) and a user "bob" without groups, both with
// email aliases. The confidential client's secret is random.
func (s *Server) DemoSeed() *Seed {
	return &Seed{Pools: []SeedPool{{
		ID:              DemoPoolID,
		Name:            "cognitokit demo",
		ResourceServers: []SeedResourceServer{{Identifier: "demo-api", Scopes: []string{"read", "write"}}},
		Clients: []SeedClient{
			{ID: DemoPublicClientID, Name: "demo public client",
				CallbackURLs: []string{"http://localhost:8080/callback", "http://127.0.0.1:8080/callback"}, LogoutURLs: []string{"http://localhost:8080/", "http://127.0.0.1:8080/"},
				OAuthFlows: []string{"code"}, OAuthScopes: []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"}},
			{ID: DemoConfidentialClientID, Name: "demo confidential client", Secret: s.emu.RandString(51, emulator.AlnumLower),
				CallbackURLs: []string{"http://localhost:8080/callback", "http://127.0.0.1:8080/callback"}, LogoutURLs: []string{"http://localhost:8080/", "http://127.0.0.1:8080/"},
				OAuthFlows: []string{"code", "client_credentials"}, OAuthScopes: []string{"openid", "email", "profile", "demo-api/read", "demo-api/write"}},
		},
		Users: []SeedUser{
			{Username: "alice", Password: "Alice-Passw0rd!", Email: "alice@example.com", Groups: []string{"admin"}, AliasEmail: true},
			{Username: "bob", Password: "Bob-Passw0rd!", Email: "bob@example.com", AliasEmail: true},
		},
	}}}
}
