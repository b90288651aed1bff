package auth

import (
	"context"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// maxCustomRounds bounds the number of DefineAuthChallenge rounds.
const maxCustomRounds = 16

// eventUser returns the username and attributes of the session's user for
// a trigger event, or false when the user is gone.
func (o *ops) eventUser(sess *userpool.Session) (string, map[string]string, bool) {
	var u *state.User
	o.svc.State.View(func(tx *state.Tx) error { u = sess.User(tx); return nil })
	if u == nil {
		return "", nil, false
	}
	return u.Username, userpool.AttrMap(u), true
}

// startCustom implements CUSTOM_AUTH: with CHALLENGE_NAME=SRP_A the password
// is verified by SRP first; then DefineAuthChallenge drives the challenges.
func (o *ops) startCustom(ctx context.Context, sess *userpool.Session, ap map[string]string) (any, error) {
	if o.svc.Triggers(sess.PoolID).DefineAuthChallenge == nil {
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
	if u == nil {
		return nil, unknownUser(sess.Client)
	}
	sess.SetUser(u)
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
	username, attrs, ok := o.eventUser(sess)
	if !ok {
		return nil, wire.IncorrectPassword()
	}
	triggers := o.svc.Triggers(sess.PoolID)
	if triggers.DefineAuthChallenge == nil {
		return nil, wire.InvalidParameter("Custom auth lambda trigger is not configured for the user pool.")
	}
	ev := &userpool.DefineAuthChallengeEvent{UserPoolID: sess.PoolID, ClientID: sess.Client.ID, Username: username, UserAttributes: attrs,
		Session: append([]userpool.ChallengeResult(nil), sess.History...), ClientMetadata: sess.Meta}
	if err := triggers.DefineAuthChallenge(ctx, ev); err != nil {
		return nil, wire.Errorf("UserLambdaValidationException", "DefineAuthChallenge failed with error %v.", err)
	}
	switch {
	case ev.FailAuthentication:
		return nil, wire.IncorrectPassword()
	case ev.IssueTokens:
		sess.CustomDone = true
		if sess.AuthTime.IsZero() {
			sess.AuthTime = o.svc.Now()
		}
		return o.advance(ctx, sess)
	}
	switch ev.ChallengeName {
	case "PASSWORD_VERIFIER":
		if sess.SRPA == nil {
			return nil, wire.Errorf("InvalidLambdaResponseException", "DefineAuthChallenge asked for PASSWORD_VERIFIER but the client did not send CHALLENGE_NAME=SRP_A with SRP_A")
		}
		return o.startSRP(sess, map[string]string{"USERNAME": username, "SRP_A": sess.SRPA.Text(16)})
	case "CUSTOM_CHALLENGE":
		cev := &userpool.CreateAuthChallengeEvent{UserPoolID: sess.PoolID, ClientID: sess.Client.ID, Username: username, UserAttributes: attrs,
			ChallengeName: "CUSTOM_CHALLENGE", Session: ev.Session, ClientMetadata: sess.Meta}
		fn := triggers.CreateAuthChallenge
		if fn == nil {
			return nil, wire.Errorf("InvalidLambdaResponseException", "CreateAuthChallenge trigger is not configured for the user pool.")
		}
		if err := fn(ctx, cev); err != nil {
			return nil, wire.Errorf("UserLambdaValidationException", "CreateAuthChallenge failed with error %v.", err)
		}
		params := map[string]string{}
		for k, v := range cev.PublicChallengeParameters {
			params[k] = v
		}
		params["USERNAME"] = username
		sess.Private = cev.PrivateChallengeParameters
		sess.History = append(sess.History, userpool.ChallengeResult{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: cev.ChallengeMetadata})
		return o.challenge(sess, "CUSTOM_CHALLENGE", params), nil
	default:
		return nil, wire.Errorf("InvalidLambdaResponseException", "DefineAuthChallenge returned the unsupported challenge %q", ev.ChallengeName)
	}
}

// answerCustom checks the ANSWER to a CUSTOM_CHALLENGE.
func (o *ops) answerCustom(ctx context.Context, sess *userpool.Session, r map[string]string) (any, error) {
	ans, ok := r["ANSWER"]
	if !ok {
		return nil, wire.InvalidParameter("Missing required parameter ANSWER")
	}
	fn := o.svc.Triggers(sess.PoolID).VerifyAuthChallengeResponse
	if fn == nil {
		return nil, wire.Errorf("InvalidLambdaResponseException", "VerifyAuthChallengeResponse trigger is not configured for the user pool.")
	}
	username, attrs, ok := o.eventUser(sess)
	if !ok {
		return nil, wire.IncorrectPassword()
	}
	ev := &userpool.VerifyAuthChallengeEvent{UserPoolID: sess.PoolID, ClientID: sess.Client.ID, Username: username, UserAttributes: attrs,
		PrivateChallengeParameters: sess.Private, ChallengeAnswer: ans, ClientMetadata: sess.Meta}
	if err := fn(ctx, ev); err != nil {
		return nil, wire.Errorf("UserLambdaValidationException", "VerifyAuthChallengeResponse failed with error %v.", err)
	}
	sess.History[len(sess.History)-1].ChallengeResult = ev.AnswerCorrect
	return o.defineStep(ctx, sess)
}
