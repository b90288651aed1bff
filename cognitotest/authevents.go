package cognitotest

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// AuthEventFeedbackToken returns the feedback token of an auth event of a
// user (an EventId from AdminListUserAuthEvents), with which
// UpdateAuthEventFeedback lets the user rate the event. Cognito sends this
// token in the links of its adaptive-authentication notification; the
// emulator sends no such notification, so a test takes the token from
// here.
func (p *Pool) AuthEventFeedbackToken(username, eventID string) (string, error) {
	var tok string
	var err error
	p.s.view(func(tx *state.Tx) {
		r := tx.Pool(p.id)
		if r == nil {
			err = p.notFound()
			return
		}
		u := userpool.LookupUser(tx, r, username)
		if u == nil {
			err = notFoundf("user %q in pool %s", username, p.id)
			return
		}
		if tx.AuthEvent(r.ID, u.Sub, eventID) == nil || len(r.Secret) == 0 {
			err = notFoundf("auth event %q of user %q", eventID, username)
			return
		}
		tok = userpool.FeedbackToken(r.Secret, eventID)
	})
	return tok, err
}
