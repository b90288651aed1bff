package auth

import (
	"context"
	"errors"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// The Lambda triggers of sign-in: UserMigration, PreAuthentication,
// PostAuthentication (PreTokenGeneration runs in PendingTokens.Finish,
// the custom authentication triggers in custom.go).

// caller is the callerContext and clientMetadata of a sign-in's events
// (the ClientMetadata of the latest RespondToAuthChallenge, none at
// InitiateAuth: Cognito passes InitiateAuth's only to PreAuthentication
// and UserMigration, as validationData).
func caller(sess *userpool.Session) userpool.Caller {
	return userpool.Caller{ClientID: sess.Client.ID, Metadata: sess.Meta}
}

// pool returns the pool of a sign-in, or p when it is not nil.
func (o *ops) pool(sess *userpool.Session, p *state.Pool) *state.Pool {
	if p == nil {
		o.svc.State.View(func(tx *state.Tx) error { p = tx.Pool(sess.PoolID); return nil })
	}
	return p
}

// migrate signs in a user the pool does not have with a password: through
// the UserMigration trigger, which may create the user; without one (or
// when it migrates no one), as for an unknown user.
func (o *ops) migrate(ctx context.Context, sess *userpool.Session, p *state.Pool, username, password string) (*state.User, error) {
	u, err := o.svc.MigrateUser(ctx, p, userpool.Migration{Source: "UserMigration_Authentication", Caller: caller(sess),
		Username: username, Password: password, ValidationData: sess.ValidationData})
	switch {
	case errors.Is(err, userpool.ErrNotMigrated):
	case err != nil:
		return nil, err
	case u != nil:
		return u, nil
	}
	if sess.Client.PreventUserExistenceErrors {
		if err := o.preAuthentication(ctx, sess, p, username, nil); err != nil {
			return nil, err
		}
	}
	return nil, unknownUser(sess.Client)
}

// preAuthentication runs the PreAuthentication trigger when a sign-in
// starts: for u, or for a user that does not exist (u nil; only when the
// client prevents user existence errors), with the name given.
func (o *ops) preAuthentication(ctx context.Context, sess *userpool.Session, p *state.Pool, name string, u *state.User) error {
	p = o.pool(sess, p)
	if p == nil {
		return wire.IncorrectPassword()
	}
	return o.svc.RunPreAuthentication(ctx, p, userpool.Caller{ClientID: sess.Client.ID, Metadata: sess.ValidationData}, name, u)
}

// postAuthentication runs the PostAuthentication trigger once the user of
// sess is authenticated, before the tokens are signed. When it fails, the
// tokens prepared are revoked: they are never handed out.
func (o *ops) postAuthentication(ctx context.Context, sess *userpool.Session, pt *userpool.PendingTokens, newDevice bool) error {
	var p *state.Pool
	var u *state.User
	o.svc.State.View(func(tx *state.Tx) error { p, u = tx.Pool(sess.PoolID), sess.User(tx); return nil })
	if !userpool.HasTrigger(p, userpool.TriggerPostAuthentication) || u == nil {
		return nil
	}
	err := o.svc.RunPostAuthentication(ctx, p, caller(sess), u, newDevice)
	if err != nil {
		o.svc.State.Update(func(tx *state.Tx) error {
			o.svc.RevokeOrigin(tx, p.ID, pt.OriginJTI())
			return nil
		})
	}
	return err
}

// tokenSource is the trigger source of PreTokenGeneration at the end of a
// sign-in.
func tokenSource(sess *userpool.Session, dev *state.Device) string {
	switch {
	case sess.NewPasswordDone:
		return "TokenGeneration_NewPasswordChallenge"
	case dev != nil && sess.DeviceDone:
		return "TokenGeneration_AuthenticateDevice"
	}
	return "TokenGeneration_Authentication"
}
