package userpool

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/lambda"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Service is the user pool domain of an emulator: what the user pool
// operations (and managed login, and Cognito Identity's logins) share. It
// embeds the [emulator.Emulator]. It is safe for concurrent use.
type Service struct {
	*emulator.Emulator
	Sessions *Sessions
	// Lambdas are the functions that the pools' triggers refer to by ARN
	// or name.
	Lambdas *lambda.Registry
	// TriggerTimeout is the timeout of each attempt of a trigger
	// invocation; 0 is Cognito's 5 seconds. Set it before serving.
	TriggerTimeout time.Duration
	// Lockouts counts failed sign-ins (in memory, not durable).
	Lockouts *Lockouts

	plans sync.Map // *state.Tx -> *sendPlan: the messages of UpdateSending's transactions (see messages.go)

	keyMu   sync.Mutex             // guards pending
	pending map[string]*pendingKey // first signing keys being generated, by pool ID (see keys.go)
}

// New returns the user pool service of e.
func New(e *emulator.Emulator) *Service {
	return &Service{Emulator: e, Sessions: newSessions(e), Lambdas: lambda.NewRegistry(), Lockouts: newLockouts(e), pending: map[string]*pendingKey{}}
}

// Limits on what clients can create.
const (
	// MaxUsersPerPool bounds the memory a pool can use.
	MaxUsersPerPool = 100000
)

// Patterns of IDs and names.
var (
	RegionRE    = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)
	RoleARNRE   = regexp.MustCompile(`^arn:[\w+=/,.@-]+:iam::[0-9]{12}:role/[\w+=/,.@-]+$`) // the ARN of an IAM role
	PoolIDRE    = regexp.MustCompile(`^([a-z]{2}(-gov)?-[a-z]+-\d)_([A-Za-z0-9]+)$`)
	ClientIDRE  = MustRuneClass(`[\w+]`, 1, 128)
	GroupNameRE = MustRuneClass(`[\p{L}\p{M}\p{S}\p{N}\p{P}]`, 1, 128)
	UsernameRE  = MustRuneClass(`[\p{L}\p{M}\p{S}\p{N}\p{P}]`, 1, 128)
	EmailRE     = EmailPattern{local: MustRuneClass(`[^@\s]`, 1, 64), domain: MustRuneClass(`[^@\s]`, 1, 255)}
	PhoneRE     = regexp.MustCompile(`^\+[0-9]{4,15}$`)
	attrNameRE  = regexp.MustCompile(`^(custom:|dev:)?[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,32}$`)
)

// StandardAttributes are Cognito's standard user attributes.
var StandardAttributes = []string{"address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name", "locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified", "picture", "preferred_username", "profile", "sub", "updated_at", "website", "zoneinfo"}

// MFA configurations of a pool, and device remembering modes.
const (
	MFAOff           = "OFF"
	MFAOptional      = "OPTIONAL"
	MFAOn            = "ON"
	DevicesOff       = ""
	DevicesAlways    = "ALWAYS"
	DevicesUserOptIn = "USER_OPT_IN"
)

// User statuses and MFA types.
const (
	StatusUnconfirmed         = "UNCONFIRMED"
	StatusConfirmed           = "CONFIRMED"
	StatusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	StatusResetRequired       = "RESET_REQUIRED"
	MFATOTP                   = "SOFTWARE_TOKEN_MFA"
	MFASMS                    = "SMS_MFA"
	MFAEmail                  = "EMAIL_OTP"
)

// Explicit auth flows of app clients.
const (
	FlowUserSRP           = "ALLOW_USER_SRP_AUTH"
	FlowUserPassword      = "ALLOW_USER_PASSWORD_AUTH"
	FlowAdminUserPassword = "ALLOW_ADMIN_USER_PASSWORD_AUTH"
	FlowCustom            = "ALLOW_CUSTOM_AUTH"
	FlowRefreshToken      = "ALLOW_REFRESH_TOKEN_AUTH"
	FlowUserAuth          = "ALLOW_USER_AUTH"
)

// AllFlows lists the explicit auth flows.
var AllFlows = []string{FlowUserSRP, FlowUserPassword, FlowAdminUserPassword, FlowCustom, FlowRefreshToken, FlowUserAuth}

// Issuer returns the issuer of a pool's tokens: "{URL}/{pool ID}".
func (s *Service) Issuer(poolID string) string { return s.URL() + "/" + poolID }

// PoolForIssuer returns the pool whose issuer is iss, or nil.
func (s *Service) PoolForIssuer(tx *state.Tx, iss string) *state.Pool {
	id, ok := strings.CutPrefix(iss, s.URL()+"/")
	if !ok {
		return nil
	}
	return tx.Pool(id)
}

// AdminPool finds the pool of an IAM-authorized call.
func AdminPool(tx *state.Tx, poolID string) (*state.Pool, *wire.Error) {
	if poolID == "" {
		return nil, wire.InvalidParameter("Missing required parameter UserPoolId")
	}
	p := tx.Pool(poolID)
	if p == nil {
		return nil, wire.ResourceNotFound("User pool %s does not exist.", wire.Truncate(poolID, 64))
	}
	return p, nil
}

// AdminUser finds the pool and user (by username or alias) of an Admin*
// call.
func AdminUser(tx *state.Tx, poolID, username string) (*state.Pool, *state.User, *wire.Error) {
	p, aerr := AdminPool(tx, poolID)
	if aerr != nil {
		return nil, nil, aerr
	}
	if username == "" {
		return nil, nil, wire.InvalidParameter("Missing required parameter Username")
	}
	u := LookupUser(tx, p, username)
	if u == nil {
		return nil, nil, wire.UserNotFound()
	}
	return p, u, nil
}

// Client finds the app client of a request.
func Client(tx *state.Tx, id string) (*state.Client, *wire.Error) {
	if id == "" {
		return nil, wire.InvalidParameter("Missing required parameter ClientId")
	}
	c := tx.Client(id)
	if c == nil {
		return nil, wire.ResourceNotFound("User pool client %s does not exist.", wire.Truncate(id, 128))
	}
	return c, nil
}

// ClientOfPool checks the UserPoolId of an Admin* sign-in against the
// client.
func ClientOfPool(tx *state.Tx, poolID string, c *state.Client) *wire.Error {
	if _, aerr := AdminPool(tx, poolID); aerr != nil {
		return aerr
	}
	if c != nil && c.PoolID != poolID {
		return wire.ResourceNotFound("User pool client %s does not exist.", c.ID)
	}
	return nil
}

// Allows reports whether the client allows an explicit auth flow.
func Allows(c *state.Client, flow string) bool { return HasString(c.ExplicitAuthFlows, flow) }

// Passwordless reports whether users of p can sign in without a password
// (EMAIL_OTP or SMS_OTP among its first factors), and so sign up without
// one.
func Passwordless(p *state.Pool) bool {
	return HasString(p.AllowedFirstAuthFactors, "EMAIL_OTP") || HasString(p.AllowedFirstAuthFactors, "SMS_OTP")
}

// Lifetimes returns the token lifetimes of a client, defaults applied.
func (s *Service) Lifetimes(c *state.Client) state.TokenLifetimes {
	l, d := c.TokenLifetimes, s.Config().TokenLifetimes
	if l.ID == 0 {
		l.ID = d.ID
	}
	if l.Access == 0 {
		l.Access = d.Access
	}
	if l.Refresh == 0 {
		l.Refresh = d.Refresh
	}
	return l
}

// SessionLifetime returns the lifetime of a client's Session strings.
func (s *Service) SessionLifetime(c *state.Client) time.Duration {
	if c.AuthSessionValidity > 0 {
		return c.AuthSessionValidity
	}
	return s.Config().SessionLifetime
}

// ScopeExists reports whether scope is a standard OAuth scope or a
// "resourceServer/scope" of the pool.
func ScopeExists(tx *state.Tx, poolID, scope string) bool {
	switch scope {
	case "openid", "email", "phone", "profile", "aws.cognito.signin.user.admin":
		return true
	}
	for _, rs := range tx.ResourceServers(poolID) {
		id := rs.Identifier
		if len(scope) > len(id)+1 && scope[:len(id)] == id && scope[len(id)] == '/' {
			if _, ok := rs.Scopes[scope[len(id)+1:]]; ok {
				return true
			}
		}
	}
	return false
}

// HasString reports whether list contains v.
func HasString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// BoolString returns "true" or "false".
func BoolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// Page returns the items [start, end) of n for a list operation with a
// Limit (0: max) and a pagination token (the decimal offset of the next
// item), and the token of the next page ("" on the last page).
func Page(n int, limit int32, token string, max int32) (start, end int, next string, err *wire.Error) {
	if limit == 0 {
		limit = max
	}
	if limit < 0 || limit > max {
		return 0, 0, "", wire.InvalidParameter("Limit must be between 0 and %d", max)
	}
	if token != "" {
		v, err := strconv.Atoi(token)
		if err != nil || v < 0 || v > n {
			return 0, 0, "", wire.InvalidParameter("Invalid pagination token")
		}
		start = v
	}
	end = start + int(limit)
	if end < n {
		next = strconv.Itoa(end)
	} else {
		end = n
	}
	return start, end, next, nil
}
