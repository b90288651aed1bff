package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
)

// LogsPath serves GET: the log events of the pools' log delivery
// configurations, as JSON.
const LogsPath = Prefix + "logs"

// LogEventJSON is a log event as GET /_cognitokit/logs serves it.
type LogEventJSON struct {
	Seq         int64           `json:"seq"` // 1, 2, ... in the order recorded; for ?after=
	PoolID      string          `json:"pool_id"`
	EventSource string          `json:"event_source"` // userNotification or userAuthEvents
	LogLevel    string          `json:"log_level"`    // ERROR or INFO
	Destination string          `json:"destination"`  // the ARN of the configuration's log group, bucket or stream
	Time        time.Time       `json:"time"`
	Record      json.RawMessage `json:"record"` // the event as Cognito exports it
}

// logParams are the query parameters of /_cognitokit/logs.
var logParams = []string{"after", "limit", "pool", "type"}

func logFilterOf(q url.Values) (emulator.LogFilter, string) {
	var f emulator.LogFilter
	var bad string
	if f.After, f.Limit, bad = seqQuery(q, logParams, "pool, type, after and limit", "a log event", "events"); bad != "" {
		return f, bad
	}
	f.PoolID, f.EventSource = q.Get("pool"), q.Get("type")
	if f.EventSource != "" && f.EventSource != emulator.LogUserNotification && f.EventSource != emulator.LogUserAuthEvents {
		return f, "type: want userNotification or userAuthEvents"
	}
	return f, ""
}

// listLogs serves the log buffer: the events the filter selects, oldest
// first (the newest last), at most emulator.MaxLogEvents.
func (c *Server) listLogs(w http.ResponseWriter, r *http.Request) {
	f, bad := logFilterOf(r.URL.Query())
	if bad != "" {
		writeError(w, http.StatusBadRequest, bad)
		return
	}
	evs := c.up.Logs.Events(f)
	out := make([]LogEventJSON, len(evs))
	for i, ev := range evs {
		out[i] = LogEventJSON{Seq: ev.Seq, PoolID: ev.PoolID, EventSource: ev.EventSource, LogLevel: ev.LogLevel,
			Destination: ev.Destination, Time: ev.Time, Record: ev.Record}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out, "max_events": emulator.MaxLogEvents})
}
