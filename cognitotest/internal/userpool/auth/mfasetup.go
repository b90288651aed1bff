package auth

import (
	"context"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// setupEmailMFA answers MFA_SETUP with EMAIL, as Amplify does to set up
// email MFA during sign-in: the address gets an EMAIL_OTP code, and the
// right code makes it the user's verified email address with email MFA on
// (finishEmailSetup).
func (o *ops) setupEmailMFA(ctx context.Context, sess *userpool.Session, email string) (any, error) {
	if !userpool.EmailRE.MatchString(email) || len(email) > 2048 {
		o.svc.Sessions.PutBack(sess) // the user may give another address
		return nil, wire.InvalidParameter("Invalid email address format.")
	}
	var p *state.Pool
	var u *state.User
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		p, u = tx.Pool(sess.PoolID), sess.User(tx)
		if p == nil || u == nil {
			aerr = wire.IncorrectPassword()
			return nil
		}
		if !userpool.HasString(userpool.SetupMethods(p), userpool.MFAEmail) {
			aerr = wire.InvalidParameter("The user pool does not offer email MFA (MFAS_CAN_SETUP); set it up with SetUserPoolMfaConfig (EmailMfaConfiguration)")
			return nil
		}
		aerr = uniqueEmail(tx, p, u, email)
		return nil
	})
	if aerr != nil {
		if aerr.Type != "NotAuthorizedException" {
			o.svc.Sessions.PutBack(sess)
		}
		return nil, aerr
	}
	sess.SetupEmail = email
	return o.mfaChallenge(ctx, sess, userpool.MFAEmail)
}

// uniqueEmail refuses an email address that another user of the pool
// signs in with.
func uniqueEmail(tx *state.Tx, p *state.Pool, u *state.User, email string) *wire.Error {
	probe := u.Clone()
	if probe.Attributes == nil {
		probe.Attributes = map[string]string{}
	}
	probe.Attributes["email"] = email
	if userpool.CheckUnique(tx, p, probe, u.Sub) != nil {
		return wire.Errorf("AliasExistsException", "An account with the given email already exists.")
	}
	return nil
}

// finishEmailSetup records the email MFA that the answered EMAIL_OTP code
// of MFA_SETUP proved: the address, verified, and email MFA on (and
// preferred when the user prefers nothing else).
func (o *ops) finishEmailSetup(sess *userpool.Session) error {
	email := sess.SetupEmail
	sess.SetupEmail = ""
	return o.svc.State.Update(func(tx *state.Tx) error {
		p, u := tx.Pool(sess.PoolID), sess.User(tx)
		if p == nil || u == nil {
			return wire.IncorrectPassword()
		}
		if aerr := uniqueEmail(tx, p, u, email); aerr != nil {
			return aerr
		}
		nu := u.Clone()
		if nu.Attributes == nil {
			nu.Attributes = map[string]string{}
		}
		nu.Attributes["email"], nu.Attributes["email_verified"] = email, "true"
		nu.EmailMFA = true
		if nu.PreferredMFA == "" {
			nu.PreferredMFA = userpool.MFAEmail
		}
		nu.ModifiedAt = o.svc.Now()
		tx.PutUser(p, nu)
		return nil
	})
}
