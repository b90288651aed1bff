package userpool

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// The emulator checks the tokens of its pools with one function,
// [Service.CheckToken]: access tokens presented to the API (GetUser,
// ChangePassword, ...) and to the OAuth userInfo endpoint, and ID tokens
// presented to identity pools as logins. Each caller maps its errors onto
// its own messages.

// MaxTokenBytes bounds the tokens the emulator parses.
const MaxTokenBytes = 16 << 10

// TokenRules say what a token must be.
type TokenRules struct {
	Use string // "access" or "id"
	// Issuer, when set, is the only issuer accepted; it is checked before
	// the signature, as token verifiers do.
	Issuer string
	// Audiences, when set, must hold the aud of an ID token.
	Audiences []string
	// IssuedAt refuses tokens issued in the future.
	IssuedAt bool
	// User requires the token to name a current, enabled user of its pool,
	// with an origin that is not revoked: Token.User is then set.
	User bool
	// Scope, when set, must be one of the access token's scopes (checked
	// last).
	Scope string
}

// Claims are the claims the emulator reads from its tokens.
type Claims struct {
	Sub             string `json:"sub"`
	Iss             string `json:"iss"`
	TokenUse        string `json:"token_use"`
	ClientID        string `json:"client_id"`
	Aud             string `json:"aud"`
	Username        string `json:"username"`
	CognitoUsername string `json:"cognito:username"`
	OriginJTI       string `json:"origin_jti"`
	Scope           string `json:"scope"`
	DeviceKey       string `json:"device_key"`
	Exp             int64  `json:"exp"`
	Iat             int64  `json:"iat"`
}

// Token is a token that passed CheckToken.
type Token struct {
	Pool   *state.Pool
	User   *state.User // set with TokenRules.User
	Claims Claims
	jwt    *emulator.JWT
	raw    map[string]json.RawMessage
}

// Raw returns a claim as JSON.
func (t *Token) Raw(name string) (json.RawMessage, bool) {
	if t.raw == nil {
		t.raw = map[string]json.RawMessage{}
		_ = json.Unmarshal(t.jwt.Payload, &t.raw)
	}
	v, ok := t.raw[name]
	return v, ok
}

// String returns a claim that is a JSON string.
func (t *Token) String(name string) (string, bool) {
	raw, ok := t.Raw(name)
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// HasScope reports whether the access token has scope.
func (t *Token) HasScope(scope string) bool {
	for _, sc := range strings.Fields(t.Claims.Scope) {
		if sc == scope {
			return true
		}
	}
	return false
}

// Username returns the username the token names: username of an access
// token, cognito:username of an ID token.
func (c *Claims) username() string {
	if c.TokenUse == "id" {
		return c.CognitoUsername
	}
	return c.Username
}

// CheckToken checks a token of one of the emulator's pools against rules:
// the signature with the pool's current keys (retired keys no longer
// verify), then the token use, the audience, the expiry and, with
// rules.User, the user. It returns one of the ErrToken errors.
func (s *Service) CheckToken(tx *state.Tx, token string, rules TokenRules) (*Token, error) {
	jwt, err := emulator.ParseJWT(token, MaxTokenBytes)
	if err != nil || jwt.Alg != "RS256" {
		return nil, ErrTokenInvalid
	}
	t := &Token{jwt: jwt}
	if json.Unmarshal(jwt.Payload, &t.Claims) != nil {
		return nil, ErrTokenInvalid
	}
	c := &t.Claims
	if rules.Issuer != "" && c.Iss != rules.Issuer {
		return nil, ErrTokenIssuer
	}
	p := s.PoolForIssuer(tx, c.Iss)
	if p == nil {
		return nil, ErrTokenInvalid
	}
	pub := PublicKey(tx, p.ID, jwt.Kid)
	if pub == nil || !jwt.Verify(pub) {
		return nil, ErrTokenInvalid
	}
	t.Pool = p
	if c.TokenUse != rules.Use {
		return nil, ErrTokenUse
	}
	if len(rules.Audiences) > 0 && (c.TokenUse != "id" || !HasString(rules.Audiences, c.Aud)) {
		return nil, ErrTokenAudience
	}
	now := s.Now()
	if !now.Before(time.Unix(c.Exp, 0)) {
		return nil, ErrTokenExpired
	}
	if rules.IssuedAt && now.Before(time.Unix(c.Iat, 0)) {
		return nil, ErrTokenNotYetValid
	}
	if rules.User {
		name := c.username()
		if name == "" {
			return nil, ErrTokenNoUser
		}
		if c.OriginJTI != "" {
			if o := tx.TokenOrigin(p.ID, c.OriginJTI); o != nil && o.Revoked {
				return nil, ErrTokenRevoked
			}
		}
		u := UserOf(tx, p, name, c.Sub)
		if u == nil {
			return nil, ErrTokenUserGone
		}
		if !u.Enabled {
			return nil, ErrUserDisabled
		}
		t.User = u
	}
	if rules.Scope != "" && !t.HasScope(rules.Scope) {
		return nil, ErrTokenScope
	}
	return t, nil
}

// accessRules are the rules of access tokens presented to the user pool
// API.
var accessRules = TokenRules{Use: "access", User: true, Scope: "aws.cognito.signin.user.admin"}

// AccessToken checks an access token presented to the API (GetUser,
// ChangePassword, ...) and returns it, with Cognito's errors.
func (s *Service) AccessToken(tx *state.Tx, token string) (*Token, *wire.Error) {
	t, err := s.CheckToken(tx, token, accessRules)
	switch err {
	case nil:
		return t, nil
	case ErrTokenExpired:
		return nil, wire.NotAuthorized("Access Token has expired")
	case ErrTokenRevoked:
		return nil, wire.NotAuthorized("Access Token has been revoked")
	case ErrTokenUserGone:
		return nil, wire.UserNotFound()
	case ErrUserDisabled:
		return nil, wire.NotAuthorized("User is disabled.")
	case ErrTokenScope:
		return nil, wire.NotAuthorized("Access Token does not have required scopes")
	}
	return nil, wire.NotAuthorized("Invalid Access Token")
}

// CheckSMSConfiguration checks a pool's SMS configuration, as
// UpdateUserPool and SetUserPoolMfaConfig take it: the ARN of the IAM role
// that sends through Amazon SNS, an external ID and a region.
func CheckSMSConfiguration(sc *state.SMSConfiguration) *wire.Error {
	switch {
	case !RoleARNRE.MatchString(sc.SNSCallerARN):
		return wire.InvalidParameter("SmsConfiguration.SnsCallerArn %q is not the ARN of an IAM role", wire.Truncate(sc.SNSCallerARN, 64))
	case sc.SNSRegion != "" && !RegionRE.MatchString(sc.SNSRegion):
		return wire.InvalidParameter("SmsConfiguration.SnsRegion %q is not a region", wire.Truncate(sc.SNSRegion, 32))
	case len(sc.ExternalID) > 1224:
		return wire.InvalidParameter("SmsConfiguration.ExternalId: at most 1224 characters")
	}
	return nil
}
