package cognitotest

import (
	"context"
)

// startUserAuth implements USER_AUTH (choice-based sign-in).
func (s *Server) startUserAuth(ctx context.Context, sess *session, ap map[string]string) (any, error) {
	p := sess.pool
	username := ap["USERNAME"]
	if username == "" {
		return nil, errInvalidParameter("Missing required parameter USERNAME")
	}
	if err := checkSecretHash(sess.client, username, ap["SECRET_HASH"]); err != nil {
		return nil, err
	}
	s.mu.Lock()
	u := p.lookupLocked(username)
	var available []string
	if u != nil {
		available = p.firstFactorsLocked(u)
	}
	s.mu.Unlock()
	if u == nil {
		return nil, unknownUser(sess.client)
	}
	sess.user = u
	sess.deviceKey = ap["DEVICE_KEY"]
	sess.choices = available
	if pref := ap["PREFERRED_CHALLENGE"]; pref != "" {
		if !hasString(available, pref) {
			return nil, errInvalidParameter("PREFERRED_CHALLENGE %s is not available for this user; available: %v", truncate(pref, 32), available)
		}
		return s.startFactor(ctx, sess, pref, ap)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.challengeLocked(sess, "SELECT_CHALLENGE", map[string]string{"USERNAME": u.username})
	out.AvailableChallenges = available
	return out, nil
}

// firstFactorsLocked lists the USER_AUTH first factors available to u.
func (p *Pool) firstFactorsLocked(u *user) []string {
	var out []string
	for _, f := range p.cfg.AllowedFirstAuthFactors {
		switch f {
		case "PASSWORD":
			if u.password != "" {
				out = append(out, "PASSWORD", "PASSWORD_SRP")
			}
		case "EMAIL_OTP":
			if u.attrs["email"] != "" && u.attrs["email_verified"] == "true" {
				out = append(out, "EMAIL_OTP")
			}
		case "SMS_OTP":
			if u.attrs["phone_number"] != "" && u.attrs["phone_number_verified"] == "true" {
				out = append(out, "SMS_OTP")
			}
		}
	}
	return out
}

// startFactor starts the chosen USER_AUTH first factor. in holds PASSWORD
// or SRP_A when the factor needs them.
func (s *Server) startFactor(ctx context.Context, sess *session, factor string, in map[string]string) (any, error) {
	switch factor {
	case "PASSWORD":
		pw := in["PASSWORD"]
		if pw == "" {
			return nil, errInvalidParameter("Missing required parameter PASSWORD")
		}
		s.mu.Lock()
		ok := sess.user.checkPassword(pw)
		s.mu.Unlock()
		if !ok {
			return nil, errIncorrectPassword()
		}
		sess.passwordDone = true
		sess.authTime = s.now()
		return s.advance(ctx, sess)
	case "PASSWORD_SRP":
		s.mu.Lock()
		name := sess.user.username
		s.mu.Unlock()
		return s.startSRP(ctx, sess, map[string]string{"USERNAME": name, "SRP_A": in["SRP_A"], "DEVICE_KEY": sess.deviceKey})
	case "EMAIL_OTP", "SMS_OTP":
		sess.otpFirstFactor = true
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.mfaChallengeLocked(sess, factor), nil
	}
	return nil, errInvalidParameter("unsupported challenge %s", truncate(factor, 32))
}

// selectChallenge answers SELECT_CHALLENGE.
func (s *Server) selectChallenge(ctx context.Context, sess *session, r map[string]string) (any, error) {
	ans := r["ANSWER"]
	if ans == "" {
		return nil, errInvalidParameter("Missing required parameter ANSWER")
	}
	if !hasString(sess.choices, ans) {
		return nil, errInvalidParameter("ANSWER %s is not one of the AvailableChallenges %v", truncate(ans, 32), sess.choices)
	}
	return s.startFactor(ctx, sess, ans, r)
}
