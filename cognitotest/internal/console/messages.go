package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// MessageJSON is a message of the outbox as GET /_cognitokit/messages
// serves it.
type MessageJSON struct {
	Seq            int64     `json:"seq"` // 1, 2, ... in the order sent; for ?after=
	PoolID         string    `json:"pool_id"`
	Username       string    `json:"username"` // the internal username
	Destination    string    `json:"destination"`
	DeliveryMedium string    `json:"delivery_medium"` // EMAIL or SMS
	Kind           string    `json:"kind"`            // SignUp, ResendCode, ForgotPassword, TemporaryPassword, VerifyAttribute, SMS_MFA, EMAIL_OTP, SMS_OTP
	Operation      string    `json:"operation"`       // the API operation that sent it
	Trigger        string    `json:"trigger"`         // the CustomMessage trigger source Cognito would call
	Code           string    `json:"code"`
	Subject        string    `json:"subject,omitempty"`
	Message        string    `json:"message"`
	Time           time.Time `json:"time"`
}

func messageJSON(m emulator.Message) MessageJSON {
	return MessageJSON{Seq: m.Seq, PoolID: m.PoolID, Username: m.Username, Destination: m.Destination, DeliveryMedium: m.Medium,
		Kind: m.Kind, Operation: m.Operation, Trigger: m.Trigger, Code: m.Code, Subject: m.Subject, Message: m.Text, Time: m.Time}
}

// messageParams are the query parameters of /_cognitokit/messages.
var messageParams = []string{"after", "kind", "limit", "pool", "user"}

// FilterOf parses the query parameters of /_cognitokit/messages, or
// returns a message saying what is wrong.
func FilterOf(q url.Values) (emulator.Filter, string) {
	var f emulator.Filter
	var bad string
	if f.After, f.Limit, bad = seqQuery(q, messageParams, "pool, user, kind, after and limit", "a message", "messages"); bad != "" {
		return f, bad
	}
	f.PoolID, f.User, f.Kind = q.Get("pool"), q.Get("user"), q.Get("kind")
	return f, ""
}

// seqQuery checks that q names only the parameters in allowed (listed for
// people in names), each at most once, and parses its "after" (a seq of
// one, such as "a message") and "limit" (a number of many, such as
// "messages") parameters. It returns a message saying what is wrong, or "".
// The outbox and the log buffer share it.
func seqQuery(q url.Values, allowed []string, names, one, many string) (after int64, limit int, bad string) {
	for k, v := range q {
		if !slices.Contains(allowed, k) {
			return 0, 0, "unknown query parameter " + strconv.Quote(wire.Truncate(k, 32)) + "; the parameters are " + names
		}
		if len(v) > 1 {
			return 0, 0, "query parameter " + k + " given more than once"
		}
	}
	if s := q.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, "after: want the seq of " + one + " (a number), such as after=12"
		}
		after = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return 0, 0, "limit: want a positive number of " + many + ", such as limit=1 (the newest)"
		}
		limit = n
	}
	return after, limit, ""
}

// listMessages serves the outbox: the messages the filter selects, oldest
// first (the newest last), at most emulator.MaxMessages.
func (c *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	f, bad := FilterOf(r.URL.Query())
	if bad != "" {
		writeError(w, http.StatusBadRequest, bad)
		return
	}
	ms := c.up.Outbox.Messages(f)
	out := make([]MessageJSON, len(ms))
	for i, m := range ms {
		out[i] = messageJSON(m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out, "max_messages": emulator.MaxMessages})
}

// deleteMessages deletes the messages the filter selects (all without
// one).
func (c *Server) deleteMessages(w http.ResponseWriter, r *http.Request) {
	f, bad := FilterOf(r.URL.Query())
	if bad == "" && f.Limit != 0 {
		bad = "limit: not supported by DELETE"
	}
	if bad != "" {
		writeError(w, http.StatusBadRequest, bad)
		return
	}
	n, err := c.up.Outbox.Clear(f)
	if err != nil {
		c.up.Logger().Error("cognitotest: delete messages", "err", err)
		writeError(w, http.StatusInternalServerError, "cannot delete the messages; see the server log")
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"deleted": n})
}
