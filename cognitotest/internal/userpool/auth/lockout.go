package auth

import (
	"context"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// checkPassword checks the password of the session's user u, a user of p,
// unless the user is locked out; a wrong password is a failed attempt.
func (o *ops) checkPassword(ctx context.Context, sess *userpool.Session, p *state.Pool, u *state.User, password string) *wire.Error {
	if err := o.svc.Lockouts.Check(p.ID, u.Sub); err != nil {
		return err
	}
	if !userpool.CheckPassword(p, u, password) {
		o.failed(ctx, sess)
		return wire.IncorrectPassword()
	}
	return nil
}

// failed records a failed attempt of the session's user: a wrong password,
// signature or code. It counts towards the lockout.
func (o *ops) failed(ctx context.Context, sess *userpool.Session) {
	if !sess.HasUser() {
		return
	}
	o.svc.Lockouts.Fail(sess.PoolID, sess.Sub)
}
