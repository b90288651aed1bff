package cognitotest

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/pools"
)

// WithRateLimits makes the server enforce Cognito's request rate quotas
// on the user pool API: each operation counts against its category
// (UserAuthentication, UserCreation, UserRead, ...; Cognito's "API
// operation categories and request rate quotas"), per region (of the
// request's SigV4 credential scope, else the server's), at the
// category's default rate or the value UpdateProvisionedLimit (or a
// seed's provisioned_limits) set. A call over the quota fails with
// TooManyRequestsException "Rate exceeded" (HTTP 400), as in Cognito; the
// AWS SDKs retry it with back-off. RespondToAuthChallenge and
// AdminRespondToAuthChallenge have a quota of their own, three times
// UserAuthentication's, as in Cognito.
//
// Each category is a token bucket holding at most one second of requests,
// refilled at the quota's rate by the server's clock ([WithClock]): with
// a fixed clock, a category admits its quota once, until the clock
// moves. It is off by default, because test suites legitimately burst
// (200 sign-ins in parallel); turn it on to test how an app behaves when
// Cognito throttles it. "cognito local --rate-limits" uses it.
func WithRateLimits() Option { return func(o *options) { o.rateLimits = true } }

// rateLimit returns the quota of category in region: the provisioned
// value, or the default.
func (s *Server) rateLimit(region, category string) int {
	rate := pools.LimitCategories[category].Free
	s.view(func(tx *state.Tx) {
		if l := tx.ProvisionedLimit(region, category); l != nil {
			rate = l.Value
		}
	})
	return rate
}

// enableRateLimits installs the throttle of WithRateLimits.
func (s *Server) enableRateLimits() {
	if s.opts.rateLimits {
		s.emu.SetThrottle(emulator.NewThrottle(s.emu.Now, s.rateLimit))
	}
}
