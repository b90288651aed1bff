package auth

import (
	"context"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// startUserAuth implements USER_AUTH (choice-based sign-in).
func (o *ops) startUserAuth(ctx context.Context, sess *userpool.Session, ap map[string]string) (any, error) {
	username := ap["USERNAME"]
	if username == "" {
		return nil, wire.InvalidParameter("Missing required parameter USERNAME")
	}
	if err := userpool.CheckSecretHash(sess.Client, username, ap["SECRET_HASH"]); err != nil {
		return nil, err
	}
	var u *state.User
	var available []string
	o.svc.State.View(func(tx *state.Tx) error {
		p := tx.Pool(sess.PoolID)
		if u = userpool.LookupUser(tx, p, username); u != nil {
			available = firstFactors(tx, p, u)
		}
		return nil
	})
	if u == nil && sess.Client.PreventUserExistenceErrors {
		if err := o.preAuthentication(ctx, sess, nil, username, nil); err != nil {
			return nil, err
		}
	}
	if u == nil {
		return nil, unknownUser(sess.Client)
	}
	if err := o.preAuthentication(ctx, sess, nil, username, u); err != nil {
		return nil, err
	}
	sess.SetUser(u)
	sess.DeviceKey = ap["DEVICE_KEY"]
	sess.Choices = available
	if pref := ap["PREFERRED_CHALLENGE"]; pref != "" {
		if !userpool.HasString(available, pref) {
			return nil, wire.InvalidParameter("PREFERRED_CHALLENGE %s is not available for this user; available: %v", wire.Truncate(pref, 32), available)
		}
		return o.startFactor(ctx, sess, pref, ap)
	}
	out := o.challenge(sess, "SELECT_CHALLENGE", map[string]string{"USERNAME": u.Username})
	out.AvailableChallenges = available
	return out, nil
}

// signInAfterSignUp signs in the user of a confirmed sign-up: USER_AUTH
// with the Session of ConfirmSignUp. The confirmation code was a one-time
// password, the first factor, so no other is asked for (as after
// EMAIL_OTP); the session is single use and lives as long as the client's
// sessions.
func (o *ops) signInAfterSignUp(ctx context.Context, sess *userpool.Session, session string, ap map[string]string) (any, error) {
	username := ap["USERNAME"]
	if username == "" {
		return nil, wire.InvalidParameter("Missing required parameter USERNAME")
	}
	if err := userpool.CheckSecretHash(sess.Client, username, ap["SECRET_HASH"]); err != nil {
		return nil, err
	}
	signUp, aerr := o.svc.Sessions.Take(session, sess.Client.ID)
	if aerr != nil {
		return nil, aerr
	}
	var u *state.User
	o.svc.State.View(func(tx *state.Tx) error { u = userpool.LookupUser(tx, tx.Pool(sess.PoolID), username); return nil })
	if signUp.Challenge != userpool.SignUpConfirmed || u == nil || u.Sub != signUp.Sub {
		return nil, wire.InvalidSession()
	}
	if err := o.preAuthentication(ctx, sess, nil, username, u); err != nil {
		return nil, err
	}
	sess.SetUser(u)
	sess.DeviceKey = ap["DEVICE_KEY"]
	sess.OTPFirstFactor, sess.PasswordDone = true, true
	sess.AuthTime = o.svc.Now()
	return o.advance(ctx, sess)
}

// firstFactors lists the USER_AUTH first factors available to u.
func firstFactors(tx *state.Tx, p *state.Pool, u *state.User) []string {
	var out []string
	for _, f := range p.AllowedFirstAuthFactors {
		switch f {
		case "PASSWORD":
			if u.HasPassword() {
				out = append(out, "PASSWORD", "PASSWORD_SRP")
			}
		case "EMAIL_OTP":
			if u.Attributes["email"] != "" && u.Attributes["email_verified"] == "true" {
				out = append(out, "EMAIL_OTP")
			}
		case "SMS_OTP":
			if u.Attributes["phone_number"] != "" && u.Attributes["phone_number_verified"] == "true" {
				out = append(out, "SMS_OTP")
			}
		case "WEB_AUTHN":
			if tx.CountPasskeys(p.ID, u.Sub) > 0 {
				out = append(out, "WEB_AUTHN")
			}
		}
	}
	return out
}

// startFactor starts the chosen USER_AUTH first factor. in holds PASSWORD
// or SRP_A when the factor needs them.
func (o *ops) startFactor(ctx context.Context, sess *userpool.Session, factor string, in map[string]string) (any, error) {
	var u *state.User
	var p *state.Pool
	o.svc.State.View(func(tx *state.Tx) error { u, p = sess.User(tx), tx.Pool(sess.PoolID); return nil })
	if u == nil || p == nil {
		return nil, wire.IncorrectPassword()
	}
	switch factor {
	case "PASSWORD":
		pw := in["PASSWORD"]
		if pw == "" {
			return nil, wire.InvalidParameter("Missing required parameter PASSWORD")
		}
		if err := o.checkPassword(ctx, sess, p, u, pw); err != nil {
			return nil, err
		}
		sess.PasswordDone = true
		sess.AuthTime = o.svc.Now()
		return o.advance(ctx, sess)
	case "PASSWORD_SRP":
		return o.startSRP(ctx, sess, map[string]string{"USERNAME": u.Username, "SRP_A": in["SRP_A"], "DEVICE_KEY": sess.DeviceKey})
	case "EMAIL_OTP", "SMS_OTP":
		sess.OTPFirstFactor = true
		return o.mfaChallenge(ctx, sess, factor)
	case "WEB_AUTHN":
		return o.startWebAuthn(sess, p, u)
	}
	return nil, wire.InvalidParameter("unsupported challenge %s", wire.Truncate(factor, 32))
}

// selectChallenge answers SELECT_CHALLENGE.
func (o *ops) selectChallenge(ctx context.Context, sess *userpool.Session, r map[string]string) (any, error) {
	ans := r["ANSWER"]
	if ans == "" {
		return nil, wire.InvalidParameter("Missing required parameter ANSWER")
	}
	if !userpool.HasString(sess.Choices, ans) {
		return nil, wire.InvalidParameter("ANSWER %s is not one of the AvailableChallenges %v", wire.Truncate(ans, 32), sess.Choices)
	}
	return o.startFactor(ctx, sess, ans, r)
}
