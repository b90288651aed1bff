package users

import (
	"crypto/subtle"
	"strconv"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

type authEventInput struct {
	UserPoolId    string
	Username      string
	EventId       string
	FeedbackToken string
	FeedbackValue string
	MaxResults    int32
	NextToken     string
}

type authEventWire struct {
	EventId            string
	EventType          string
	CreationDate       wire.Epoch
	EventResponse      string
	EventRisk          map[string]any
	ChallengeResponses []map[string]string `json:",omitempty"`
	EventContextData   map[string]string   `json:",omitempty"`
	EventFeedback      map[string]any      `json:",omitempty"`
}

// authEventOut is an event as AdminListUserAuthEvents shows it. The
// emulator assesses no risk: every event is NoRisk.
func authEventOut(e *state.AuthEvent) authEventWire {
	out := authEventWire{EventId: e.ID, EventType: e.Type, CreationDate: wire.Epoch(e.CreatedAt), EventResponse: e.Response,
		EventRisk: map[string]any{"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": false}}
	for _, c := range e.Challenges {
		out.ChallengeResponses = append(out.ChallengeResponses, map[string]string{"ChallengeName": c.Name, "ChallengeResponse": c.Response})
	}
	if e.IPAddress != "" || e.DeviceName != "" {
		out.EventContextData = map[string]string{}
		if e.IPAddress != "" {
			out.EventContextData["IpAddress"] = e.IPAddress
		}
		if e.DeviceName != "" {
			out.EventContextData["DeviceName"] = e.DeviceName
		}
	}
	if e.Feedback != "" {
		out.EventFeedback = map[string]any{"FeedbackValue": e.Feedback, "Provider": e.FeedbackProvider, "FeedbackDate": wire.Epoch(e.FeedbackAt)}
	}
	return out
}

// adminListUserAuthEvents lists a user's auth events, newest first: their
// sign-ins (passed and failed, with the failed step), sign-up, password
// resets and changes, as recorded (at most
// userpool.MaxAuthEventsPerUser).
func (o *ops) adminListUserAuthEvents(c *emulator.Call) (any, error) {
	var in authEventInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var out map[string]any
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		var p *state.Pool
		var u *state.User
		if p, u, aerr = userpool.AdminUser(tx, in.UserPoolId, in.Username); aerr != nil {
			return nil
		}
		events := tx.AuthEvents(p.ID, u.Sub) // newest first
		if events, aerr = eventsFrom(events, in.NextToken); aerr != nil {
			return nil
		}
		var start, end int
		var next string
		if start, end, next, aerr = userpool.Page(len(events), in.MaxResults, "", 60); aerr != nil {
			return nil
		}
		list := make([]authEventWire, 0, end-start)
		for _, e := range events[start:end] {
			list = append(list, authEventOut(e))
		}
		out = map[string]any{"AuthEvents": list}
		if next != "" {
			// The token names the first event of the next page by its
			// sequence number, so that events recorded between the calls
			// neither repeat nor hide one.
			out["NextToken"] = strconv.FormatInt(events[end].Seq, 10)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return out, nil
}

// updateAuthEventFeedback is UpdateAuthEventFeedback (the user rates an
// event with the feedback token Cognito sends in its notification; see
// userpool.FeedbackToken) and AdminUpdateAuthEventFeedback. The rating is
// kept and shown in the event's EventFeedback.
func (o *ops) updateAuthEventFeedback(c *emulator.Call) (any, error) {
	var in authEventInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	admin := c.Op.Name == "AdminUpdateAuthEventFeedback"
	switch {
	case in.EventId == "":
		return nil, wire.InvalidParameter("Missing required parameter EventId")
	case len(in.EventId) > 50:
		return nil, wire.InvalidParameter("1 validation error detected: Value at 'eventId' failed to satisfy constraint: Member must have length less than or equal to 50")
	case !admin && in.FeedbackToken == "":
		return nil, wire.InvalidParameter("Missing required parameter FeedbackToken")
	case in.FeedbackValue != "Valid" && in.FeedbackValue != "Invalid":
		return nil, wire.InvalidParameter("1 validation error detected: Value '%s' at 'feedbackValue' failed to satisfy constraint: Member must satisfy enum value set: [Valid, Invalid]", wire.Truncate(in.FeedbackValue, 32))
	}
	return o.update(func(tx *state.Tx) (any, error) {
		p, u, aerr := userpool.AdminUser(tx, in.UserPoolId, in.Username)
		if aerr != nil {
			return nil, aerr
		}
		ev := tx.AuthEvent(p.ID, u.Sub, in.EventId)
		if ev == nil {
			return nil, wire.ResourceNotFound("Auth event %s does not exist for the user.", wire.Truncate(in.EventId, 50))
		}
		provider := "Admin"
		if !admin {
			want := userpool.FeedbackToken(p.Secret, ev.ID)
			if len(p.Secret) == 0 || subtle.ConstantTimeCompare([]byte(in.FeedbackToken), []byte(want)) != 1 {
				return nil, wire.NotAuthorized("Invalid feedback token for the event.")
			}
			provider = "User"
		}
		ne := *ev
		ne.Challenges = append([]state.AuthEventChallenge(nil), ev.Challenges...)
		ne.Feedback, ne.FeedbackProvider, ne.FeedbackAt = in.FeedbackValue, provider, o.svc.Now().UTC().Round(0)
		tx.PutAuthEvent(&ne)
		return struct{}{}, nil
	})
}

// eventsFrom returns the events (newest first) from the one a NextToken
// of AdminListUserAuthEvents names on.
func eventsFrom(events []*state.AuthEvent, token string) ([]*state.AuthEvent, *wire.Error) {
	if token == "" {
		return events, nil
	}
	seq, err := strconv.ParseInt(token, 10, 64)
	if err != nil || seq < 1 || len(token) > 20 {
		return nil, wire.InvalidParameter("Invalid pagination token")
	}
	for i, e := range events {
		if e.Seq <= seq {
			return events[i:], nil
		}
	}
	return nil, nil
}
