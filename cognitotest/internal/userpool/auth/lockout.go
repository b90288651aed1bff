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
		o.failed(ctx, sess, userpool.StepPassword)
		return wire.IncorrectPassword()
	}
	return nil
}

// failed records a failed attempt of the session's user at a step
// (userpool.StepPassword or StepMFA): a wrong password, signature or code.
// It counts towards the lockout and is a failed SignIn auth event.
func (o *ops) failed(ctx context.Context, sess *userpool.Session, step string) {
	if !sess.HasUser() {
		return
	}
	o.svc.Lockouts.Fail(sess.PoolID, sess.Sub)
	var steps []state.AuthEventChallenge
	if step == userpool.StepMFA {
		steps = append(steps, state.AuthEventChallenge{Name: userpool.StepPassword, Response: "Success"})
	}
	steps = append(steps, state.AuthEventChallenge{Name: step, Response: "Failure"})
	o.svc.RecordAuthEvent(sess.PoolID, sess.Sub, &state.AuthEvent{Type: userpool.EventSignIn, Response: userpool.EventFail, Challenges: steps,
		IPAddress: sess.Context.IP, DeviceName: sess.Context.DeviceName})
}
