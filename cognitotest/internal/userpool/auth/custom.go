package auth

import (
	"context"
	"maps"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// maxCustomRounds bounds the number of DefineAuthChallenge rounds.
const maxCustomRounds = 16

// customAuth returns the pool and the user of a CUSTOM_AUTH session as its
// triggers see them: the user's username and attributes, or, for an
// unknown user (a client that prevents user existence errors), the name
// given and userNotFound. It returns false when the user is gone.
func (o *ops) customAuth(sess *userpool.Session) (*state.Pool, userpool.CustomAuth, bool) {
	var u *state.User
	var p *state.Pool
	o.svc.State.View(func(tx *state.Tx) error { p, u = tx.Pool(sess.PoolID), sess.User(tx); return nil })
	a := userpool.CustomAuth{Caller: caller(sess), Session: append([]userpool.ChallengeResult(nil), sess.History...)}
	switch {
	case p == nil:
		return nil, a, false
	case u != nil:
		a.Username, a.Attributes = u.Username, userpool.EventAttributes(u)
	case sess.Decoy != "":
		a.Username, a.Attributes, a.NotFound = sess.Decoy, map[string]string{}, true
	default:
		return nil, a, false
	}
	return p, a, true
}

// startCustom implements CUSTOM_AUTH: with CHALLENGE_NAME=SRP_A the password
// is verified by SRP first; then DefineAuthChallenge drives the challenges.
// A client that prevents user existence errors runs the triggers for an
// unknown user too (userNotFound), and the sign-in fails at the end.
func (o *ops) startCustom(ctx context.Context, sess *userpool.Session, ap map[string]string) (any, error) {
	var p *state.Pool
	o.svc.State.View(func(tx *state.Tx) error { p = tx.Pool(sess.PoolID); return nil })
	if !userpool.HasTrigger(p, userpool.TriggerDefineAuth) {
		return nil, wire.InvalidParameter("Custom auth lambda trigger is not configured for the user pool.")
	}
	username := ap["USERNAME"]
	if username == "" {
		return nil, wire.InvalidParameter("Missing required parameter USERNAME")
	}
	if err := userpool.CheckSecretHash(sess.Client, username, ap["SECRET_HASH"]); err != nil {
		return nil, err
	}
	sess.Custom = true
	var u *state.User
	o.svc.State.View(func(tx *state.Tx) error {
		u = userpool.LookupUser(tx, tx.Pool(sess.PoolID), username)
		return nil
	})
	if u == nil && !sess.Client.PreventUserExistenceErrors {
		return nil, unknownUser(sess.Client)
	}
	if err := o.preAuthentication(ctx, sess, p, username, u); err != nil {
		return nil, err
	}
	if u != nil {
		sess.SetUser(u)
	} else {
		sess.Decoy = username
	}
	sess.DeviceKey = ap["DEVICE_KEY"]
	if ap["CHALLENGE_NAME"] == "SRP_A" {
		A, aerr := parseSRPA(ap["SRP_A"])
		if aerr != nil {
			return nil, aerr
		}
		sess.SRPA = A
		sess.History = append(sess.History, userpool.ChallengeResult{ChallengeName: "SRP_A", ChallengeResult: true})
	}
	return o.defineStep(ctx, sess)
}

// defineStep calls DefineAuthChallenge (and CreateAuthChallenge) to find
// the next step of a CUSTOM_AUTH session. Triggers run outside
// transactions.
func (o *ops) defineStep(ctx context.Context, sess *userpool.Session) (*authOutput, error) {
	if len(sess.History) > maxCustomRounds {
		return nil, wire.NotAuthorized("Incorrect username or password.")
	}
	p, a, ok := o.customAuth(sess)
	if !ok {
		return nil, wire.IncorrectPassword()
	}
	def, err := o.svc.RunDefineAuthChallenge(ctx, p, a)
	if err != nil {
		return nil, err
	}
	switch {
	case def.FailAuthentication:
		return nil, wire.IncorrectPassword()
	case def.IssueTokens:
		if a.NotFound {
			return nil, wire.IncorrectPassword()
		}
		sess.CustomDone = true
		if sess.AuthTime.IsZero() {
			sess.AuthTime = o.svc.Now()
		}
		return o.advance(ctx, sess)
	}
	switch def.ChallengeName {
	case "PASSWORD_VERIFIER":
		if sess.SRPA == nil {
			return nil, wire.Errorf("InvalidLambdaResponseException", "DefineAuthChallenge asked for PASSWORD_VERIFIER but the client did not send CHALLENGE_NAME=SRP_A with SRP_A")
		}
		return o.startSRP(ctx, sess, map[string]string{"USERNAME": a.Username, "SRP_A": sess.SRPA.Text(16)})
	case "CUSTOM_CHALLENGE":
		c, err := o.svc.RunCreateAuthChallenge(ctx, p, a, "CUSTOM_CHALLENGE")
		if err != nil {
			return nil, err
		}
		if len(c.PublicChallengeParameters) > 64 || len(c.PrivateChallengeParameters) > 64 {
			return nil, wire.Errorf("InvalidLambdaResponseException", "Unrecognizable lambda output")
		}
		params := maps.Clone(c.PublicChallengeParameters)
		if params == nil {
			params = map[string]string{}
		}
		params["USERNAME"] = a.Username
		sess.Private = c.PrivateChallengeParameters
		sess.History = append(sess.History, userpool.ChallengeResult{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: c.ChallengeMetadata})
		return o.challenge(sess, "CUSTOM_CHALLENGE", params), nil
	default:
		return nil, wire.Errorf("InvalidLambdaResponseException", "Unrecognizable lambda output")
	}
}

// answerCustom checks the ANSWER to a CUSTOM_CHALLENGE.
func (o *ops) answerCustom(ctx context.Context, sess *userpool.Session, r map[string]string) (any, error) {
	ans, ok := r["ANSWER"]
	if !ok {
		return nil, wire.InvalidParameter("Missing required parameter ANSWER")
	}
	p, a, ok := o.customAuth(sess)
	if !ok {
		return nil, wire.IncorrectPassword()
	}
	correct, err := o.svc.RunVerifyAuthChallenge(ctx, p, a, sess.Private, ans)
	if err != nil {
		return nil, err
	}
	sess.History[len(sess.History)-1].ChallengeResult = correct
	return o.defineStep(ctx, sess)
}
