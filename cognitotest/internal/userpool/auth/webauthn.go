package auth

import (
	"context"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// startWebAuthn answers the WEB_AUTHN first factor of USER_AUTH with the
// WEB_AUTHN challenge: CREDENTIAL_REQUEST_OPTIONS for the user's passkeys.
func (o *ops) startWebAuthn(sess *userpool.Session, p *state.Pool, u *state.User) (any, error) {
	var opts []byte
	var login *userpool.PasskeyLogin
	aerr := o.view(func(tx *state.Tx) *wire.Error {
		if aerr := userpool.PasskeysEnabled(p); aerr != nil {
			return aerr
		}
		rp, aerr := o.svc.RelyingParty(tx, p)
		if aerr != nil {
			return aerr
		}
		opts, login, aerr = userpool.BeginPasskeyLogin(rp, u, tx.Passkeys(p.ID, u.Sub))
		return aerr
	})
	if aerr != nil {
		return nil, aerr
	}
	sess.WebAuthn = login
	return o.challenge(sess, "WEB_AUTHN", map[string]string{"CREDENTIAL_REQUEST_OPTIONS": string(opts)}), nil
}

// answerWebAuthn answers the WEB_AUTHN challenge: it verifies the
// assertion in CREDENTIAL (signature, challenge, origin, relying party,
// user verification, a signature counter that went up), stores the
// passkey's new counter and signs the user in. A passkey is a first
// factor that asks for no MFA, as the one-time passwords of USER_AUTH.
func (o *ops) answerWebAuthn(ctx context.Context, sess *userpool.Session, r map[string]string) (any, error) {
	cred := r["CREDENTIAL"]
	if cred == "" {
		return nil, wire.InvalidParameter("Missing required parameter CREDENTIAL")
	}
	login := sess.WebAuthn
	if login == nil {
		return nil, wire.InvalidSession()
	}
	var u *state.User
	var keys []*state.Passkey
	o.svc.State.View(func(tx *state.Tx) error {
		if u = sess.User(tx); u != nil {
			keys = tx.Passkeys(sess.PoolID, u.Sub)
		}
		return nil
	})
	if u == nil {
		return nil, wire.IncorrectPassword()
	}
	if err := o.svc.Lockouts.Check(sess.PoolID, sess.Sub); err != nil {
		return nil, err
	}
	now := o.svc.Now()
	k, aerr := userpool.FinishPasskeyLogin(login, u, keys, []byte(cred), now)
	if aerr != nil {
		if aerr.Type == "NotAuthorizedException" { // a passkey that did not verify: a failed sign-in
			o.failed(ctx, sess, userpool.StepPassword)
		}
		return nil, aerr
	}
	err := o.svc.State.Update(func(tx *state.Tx) error {
		if tx.Passkey(k.PoolID, k.Sub, k.CredentialID()) == nil {
			return wire.NotAuthorized("The passkey was deleted.")
		}
		tx.PutPasskey(k)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sess.OTPFirstFactor, sess.PasswordDone = true, true
	sess.AuthTime = now
	return o.advance(ctx, sess)
}
