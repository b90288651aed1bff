package cognitotest

import "context"

// maxCustomRounds bounds the number of DefineAuthChallenge rounds.
const maxCustomRounds = 16

func (s *Server) userEventLocked(sess *session) (string, map[string]string) {
	return sess.user.username, sess.user.attrMap()
}

// startCustom implements CUSTOM_AUTH: with CHALLENGE_NAME=SRP_A the password
// is verified by SRP first; then DefineAuthChallenge drives the challenges.
func (s *Server) startCustom(ctx context.Context, sess *session, ap map[string]string) (any, error) {
	p := sess.pool
	if p.cfg.Triggers.DefineAuthChallenge == nil {
		return nil, errInvalidParameter("Custom auth lambda trigger is not configured for the user pool.")
	}
	username := ap["USERNAME"]
	if username == "" {
		return nil, errInvalidParameter("Missing required parameter USERNAME")
	}
	if err := checkSecretHash(sess.client, username, ap["SECRET_HASH"]); err != nil {
		return nil, err
	}
	sess.custom = true
	s.mu.Lock()
	u := p.lookupLocked(username)
	s.mu.Unlock()
	if u == nil {
		return nil, unknownUser(sess.client)
	}
	sess.user = u
	sess.deviceKey = ap["DEVICE_KEY"]
	if ap["CHALLENGE_NAME"] == "SRP_A" {
		A, aerr := parseSRPA(ap["SRP_A"])
		if aerr != nil {
			return nil, aerr
		}
		sess.srpA = A
		sess.history = append(sess.history, ChallengeResult{ChallengeName: "SRP_A", ChallengeResult: true})
	}
	return s.defineStep(ctx, sess)
}

// defineStep calls DefineAuthChallenge (and CreateAuthChallenge) to find
// the next step of a CUSTOM_AUTH session. Triggers run without s.mu.
func (s *Server) defineStep(ctx context.Context, sess *session) (*authOutput, error) {
	p := sess.pool
	if len(sess.history) > maxCustomRounds {
		return nil, errNotAuthorized("Incorrect username or password.")
	}
	s.mu.Lock()
	username, attrs := s.userEventLocked(sess)
	s.mu.Unlock()
	ev := &DefineAuthChallengeEvent{UserPoolID: p.id, ClientID: sess.client.cfg.ID, Username: username, UserAttributes: attrs,
		Session: append([]ChallengeResult(nil), sess.history...), ClientMetadata: sess.meta}
	if err := p.cfg.Triggers.DefineAuthChallenge(ctx, ev); err != nil {
		return nil, apiErr("UserLambdaValidationException", "DefineAuthChallenge failed with error %v.", err)
	}
	switch {
	case ev.FailAuthentication:
		return nil, errIncorrectPassword()
	case ev.IssueTokens:
		sess.customDone = true
		if sess.authTime.IsZero() {
			sess.authTime = s.now()
		}
		return s.advance(ctx, sess)
	}
	switch ev.ChallengeName {
	case "PASSWORD_VERIFIER":
		if sess.srpA == nil {
			return nil, apiErr("InvalidLambdaResponseException", "DefineAuthChallenge asked for PASSWORD_VERIFIER but the client did not send CHALLENGE_NAME=SRP_A with SRP_A")
		}
		out, err := s.startSRP(ctx, sess, map[string]string{"USERNAME": username, "SRP_A": sess.srpA.Text(16)})
		if err != nil {
			return nil, err
		}
		return out.(*authOutput), nil
	case "CUSTOM_CHALLENGE":
		cev := &CreateAuthChallengeEvent{UserPoolID: p.id, ClientID: sess.client.cfg.ID, Username: username, UserAttributes: attrs,
			ChallengeName: "CUSTOM_CHALLENGE", Session: ev.Session, ClientMetadata: sess.meta}
		if fn := p.cfg.Triggers.CreateAuthChallenge; fn != nil {
			if err := fn(ctx, cev); err != nil {
				return nil, apiErr("UserLambdaValidationException", "CreateAuthChallenge failed with error %v.", err)
			}
		} else {
			return nil, apiErr("InvalidLambdaResponseException", "CreateAuthChallenge trigger is not configured for the user pool.")
		}
		params := map[string]string{}
		for k, v := range cev.PublicChallengeParameters {
			params[k] = v
		}
		params["USERNAME"] = username
		sess.private = cev.PrivateChallengeParameters
		sess.history = append(sess.history, ChallengeResult{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: cev.ChallengeMetadata})
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.challengeLocked(sess, "CUSTOM_CHALLENGE", params), nil
	default:
		return nil, apiErr("InvalidLambdaResponseException", "DefineAuthChallenge returned the unsupported challenge %q", ev.ChallengeName)
	}
}

// answerCustom checks the ANSWER to a CUSTOM_CHALLENGE.
func (s *Server) answerCustom(ctx context.Context, sess *session, r map[string]string) (any, error) {
	p := sess.pool
	ans, ok := r["ANSWER"]
	if !ok {
		return nil, errInvalidParameter("Missing required parameter ANSWER")
	}
	fn := p.cfg.Triggers.VerifyAuthChallengeResponse
	if fn == nil {
		return nil, apiErr("InvalidLambdaResponseException", "VerifyAuthChallengeResponse trigger is not configured for the user pool.")
	}
	s.mu.Lock()
	username, attrs := s.userEventLocked(sess)
	s.mu.Unlock()
	ev := &VerifyAuthChallengeEvent{UserPoolID: p.id, ClientID: sess.client.cfg.ID, Username: username, UserAttributes: attrs,
		PrivateChallengeParameters: sess.private, ChallengeAnswer: ans, ClientMetadata: sess.meta}
	if err := fn(ctx, ev); err != nil {
		return nil, apiErr("UserLambdaValidationException", "VerifyAuthChallengeResponse failed with error %v.", err)
	}
	sess.history[len(sess.history)-1].ChallengeResult = ev.AnswerCorrect
	return s.defineStep(ctx, sess)
}
