package emulator

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// OperationCategories maps each user pool API operation to the category
// of Cognito's request rate quotas it counts against ("Amazon Cognito
// user pools API operation categories and request rate quotas" in
// Cognito's quotas page). Operations that Cognito lists in no category
// are not throttled.
//
// The UserCreation and UserAuthentication rows and the 3x rule for
// RespondToAuthChallenge are checked against that page; the placement of
// the newer operations (auth factors, WebAuthn, terms, branding, replicas,
// provisioned limits) follows their nearest documented sibling and was
// not checked against the page, which this project could not read in full.
var OperationCategories = categorize(map[string][]string{
	"UserAuthentication": {"AdminInitiateAuth", "InitiateAuth", "AdminRespondToAuthChallenge", "RespondToAuthChallenge"},
	"UserCreation":       {"SignUp", "ConfirmSignUp", "AdminCreateUser", "AdminConfirmSignUp"},
	"UserAccountRecovery": {"ForgotPassword", "ConfirmForgotPassword", "ChangePassword", "AdminResetUserPassword",
		"AdminSetUserPassword"},
	"UserRead": {"AdminGetUser", "GetUser", "GetUserAuthFactors"},
	"UserUpdate": {"AdminDeleteUser", "AdminDeleteUserAttributes", "AdminDisableProviderForUser", "AdminDisableUser",
		"AdminEnableUser", "AdminLinkProviderForUser", "AdminSetUserMFAPreference", "AdminSetUserSettings",
		"AdminUpdateAuthEventFeedback", "AdminUpdateUserAttributes", "DeleteUser", "DeleteUserAttributes",
		"GetUserAttributeVerificationCode", "ResendConfirmationCode", "SetUserMFAPreference", "SetUserSettings",
		"UpdateAuthEventFeedback", "UpdateUserAttributes", "VerifyUserAttribute"},
	"UserResourceRead": {"AdminGetDevice", "AdminListDevices", "AdminListGroupsForUser", "AdminListUserAuthEvents",
		"GetDevice", "ListDevices", "ListWebAuthnCredentials"},
	"UserResourceUpdate": {"AdminAddUserToGroup", "AdminForgetDevice", "AdminRemoveUserFromGroup", "AdminUpdateDeviceStatus",
		"AssociateSoftwareToken", "ConfirmDevice", "ForgetDevice", "UpdateDeviceStatus", "VerifySoftwareToken",
		"StartWebAuthnRegistration", "CompleteWebAuthnRegistration", "DeleteWebAuthnCredential"},
	"UserList": {"ListUsers", "ListUsersInGroup"},
	"UserPoolRead": {"DescribeUserPool", "ListUserPools", "GetUserPoolMfaConfig", "DescribeRiskConfiguration",
		"GetLogDeliveryConfiguration", "GetSigningCertificate", "GetUICustomization", "ListTagsForResource",
		"ListUserPoolReplicas"},
	"UserPoolUpdate": {"CreateUserPool", "UpdateUserPool", "DeleteUserPool", "AddCustomAttributes", "SetUserPoolMfaConfig",
		"SetRiskConfiguration", "SetLogDeliveryConfiguration", "SetUICustomization", "TagResource", "UntagResource",
		"CreateUserPoolDomain", "UpdateUserPoolDomain", "DeleteUserPoolDomain", "CreateUserPoolReplica",
		"UpdateUserPoolReplica", "DeleteUserPoolReplica"},
	"UserPoolResourceRead": {"DescribeIdentityProvider", "DescribeResourceServer", "DescribeUserPoolDomain", "GetGroup",
		"GetIdentityProviderByIdentifier", "ListGroups", "ListIdentityProviders", "ListResourceServers",
		"DescribeUserImportJob", "ListUserImportJobs", "GetCSVHeader", "DescribeManagedLoginBranding",
		"DescribeManagedLoginBrandingByClient", "DescribeTerms", "ListTerms"},
	"UserPoolResourceUpdate": {"CreateGroup", "UpdateGroup", "DeleteGroup", "CreateIdentityProvider",
		"UpdateIdentityProvider", "DeleteIdentityProvider", "CreateResourceServer", "UpdateResourceServer",
		"DeleteResourceServer", "CreateUserImportJob", "StartUserImportJob", "StopUserImportJob",
		"CreateManagedLoginBranding", "UpdateManagedLoginBranding", "DeleteManagedLoginBranding",
		"CreateTerms", "UpdateTerms", "DeleteTerms"},
	"UserPoolClientRead":   {"DescribeUserPoolClient", "ListUserPoolClients", "ListUserPoolClientSecrets"},
	"UserPoolClientUpdate": {"CreateUserPoolClient", "UpdateUserPoolClient", "DeleteUserPoolClient", "AddUserPoolClientSecret", "DeleteUserPoolClientSecret"},
	"UserToken":            {"RevokeToken", "GetTokensFromRefreshToken", "GlobalSignOut", "AdminUserGlobalSignOut"},
	"LimitManagement":      {"GetProvisionedLimit", "UpdateProvisionedLimit"},
})

func categorize(byCategory map[string][]string) map[string]string {
	m := map[string]string{}
	for cat, ops := range byCategory {
		for _, op := range ops {
			m[op] = cat
		}
	}
	return m
}

// ChallengeFactor is Cognito's special handling of RespondToAuthChallenge
// and AdminRespondToAuthChallenge: they have a quota of their own, three
// times UserAuthentication's, and only what exceeds it counts against
// UserAuthentication.
const ChallengeFactor = 3

// LimitFunc returns the request rate quota (requests per second) of an
// API category in a region: the provisioned value, or the default.
type LimitFunc func(region, category string) int

// Throttle enforces Cognito's request rate quotas on the user pool API:
// a token bucket per region and category, holding at most one second of
// requests and refilled at the quota's rate, read from the emulator's
// clock. It keeps its buckets in memory. It is safe for concurrent use.
type Throttle struct {
	now   func() time.Time
	limit LimitFunc

	mu      sync.Mutex // guards buckets
	buckets map[bucketKey]*bucket
}

type bucketKey struct{ region, category string }

type bucket struct {
	tokens float64
	last   time.Time
}

// NewThrottle returns a throttle reading the time from now and the
// quotas from limit.
func NewThrottle(now func() time.Time, limit LimitFunc) *Throttle {
	return &Throttle{now: now, limit: limit, buckets: map[bucketKey]*bucket{}}
}

// errRateExceeded is the error of a throttled call, as Cognito answers it.
func errRateExceeded() *wire.Error { return wire.Errorf("TooManyRequestsException", "Rate exceeded") }

// Allow takes a request of operation op in region from its category's
// bucket, and returns TooManyRequestsException when the bucket is empty.
// Operations in no category always pass.
func (t *Throttle) Allow(region, op string) *wire.Error {
	cat, ok := OperationCategories[op]
	if !ok {
		return nil
	}
	rate := float64(t.limit(region, cat))
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if op == "RespondToAuthChallenge" || op == "AdminRespondToAuthChallenge" {
		if t.take(bucketKey{region, "UserAuthenticationChallenges"}, rate*ChallengeFactor, now) {
			return nil
		}
	}
	if !t.take(bucketKey{region, cat}, rate, now) {
		return errRateExceeded()
	}
	return nil
}

// take takes a token from the bucket of k, refilled at rate per second
// up to rate; t.mu is held.
func (t *Throttle) take(k bucketKey, rate float64, now time.Time) bool {
	b := t.buckets[k]
	if b == nil {
		b = &bucket{tokens: rate, last: now}
		t.buckets[k] = b
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens += d.Seconds() * rate
		b.last = now
	}
	b.tokens = min(b.tokens, rate) // a lowered quota applies at once
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)

// SetThrottle makes the emulator enforce t on the user pool API; nil
// (the default) enforces nothing. Call it before serving.
func (e *Emulator) SetThrottle(t *Throttle) { e.throttle = t }

// RequestRegion returns the region an API request was signed for (the
// credential scope of its Authorization header), or def.
func RequestRegion(r *http.Request, def string) string {
	auth := r.Header.Get("Authorization")
	if _, scope, ok := strings.Cut(auth, "Credential="); ok {
		parts := strings.Split(strings.SplitN(scope, ",", 2)[0], "/")
		if len(parts) >= 3 && regionRE.MatchString(parts[2]) {
			return parts[2]
		}
	}
	return def
}
