package emulator

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// Event sources of log delivery, as SetLogDeliveryConfiguration names
// them.
const (
	LogUserNotification = "userNotification"
	LogUserAuthEvents   = "userAuthEvents"
)

// MaxLogEvents bounds the log buffer of a server: when it is full, the
// oldest event is dropped for each new one.
const MaxLogEvents = 10000

// LogEvent is a log event the emulator "delivered" for a pool with a log
// delivery configuration: Record is the event as Cognito exports it (its
// JSON), Destination the ARN of the configuration's log group, bucket or
// stream.
type LogEvent struct {
	Seq         int64 // 1, 2, ... in the order recorded
	PoolID      string
	EventSource string // LogUserNotification or LogUserAuthEvents
	LogLevel    string // of the event: ERROR or INFO
	Destination string
	Time        time.Time
	Record      json.RawMessage
}

// Logs is the emulator's log buffer: the log events Cognito would deliver
// to the destinations of the pools' log delivery configurations, kept in
// memory (a restart forgets them), at most MaxLogEvents. It is safe for
// concurrent use.
type Logs struct {
	mu     sync.Mutex // guards events and seq
	events []LogEvent // oldest first
	seq    int64
}

// LogFilter selects log events. Zero fields select everything.
type LogFilter struct {
	PoolID      string
	EventSource string
	After       int64 // only events with a higher Seq
	Limit       int   // keeps the newest Limit events; 0: all
}

// Events returns the events f selects, oldest first.
func (l *Logs) Events(f LogFilter) []LogEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []LogEvent
	for _, ev := range l.events {
		if ev.Seq > f.After && (f.PoolID == "" || ev.PoolID == f.PoolID) && (f.EventSource == "" || ev.EventSource == f.EventSource) {
			out = append(out, ev)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

func (l *Logs) add(ev LogEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	ev.Seq = l.seq
	if len(l.events) >= MaxLogEvents {
		l.events = append(l.events[:0], l.events[len(l.events)-MaxLogEvents+1:]...)
	}
	l.events = append(l.events, ev)
}

// logConfig returns the log configuration of pool p for source, or nil.
func logConfig(p *state.Pool, source string) *state.LogConfiguration {
	if p == nil {
		return nil
	}
	for i := range p.LogDelivery {
		if p.LogDelivery[i].EventSource == source {
			return &p.LogDelivery[i]
		}
	}
	return nil
}

func destination(lc *state.LogConfiguration) string {
	switch {
	case lc.CloudWatchLogs != "":
		return lc.CloudWatchLogs
	case lc.S3Bucket != "":
		return lc.S3Bucket
	}
	return lc.Firehose
}

// Record adds an event of source to the buffer when pool p has a log
// configuration for source: record is the event's message (Cognito's
// "message" member), wrapped as Cognito exports it. A pool without one
// records nothing.
func (l *Logs) Record(p *state.Pool, source, level string, at time.Time, message any) {
	lc := logConfig(p, source)
	if lc == nil {
		return
	}
	name := "USER_NOTIFICATION"
	if source == LogUserAuthEvents {
		name = "USER_ACTIVITY"
	}
	b, err := json.Marshal(map[string]any{
		"eventTimestamp": strconv.FormatInt(at.UnixMilli(), 10),
		"eventSource":    name,
		"logLevel":       level,
		"message":        message,
		"logSourceId":    map[string]string{"userPoolId": p.ID},
	})
	if err != nil {
		return // the messages are made of strings: cannot happen
	}
	l.add(LogEvent{PoolID: p.ID, EventSource: source, LogLevel: level, Destination: destination(lc), Time: at.UTC(), Record: b})
}

// logDelivery records, once tx commits, the userNotification log event
// of message m: an INFO event saying where it went (Cognito exports only
// ERROR events of this source; see the package documentation).
func (o *Outbox) logDelivery(tx *state.Tx, m Message) {
	p := tx.Pool(m.PoolID)
	if logConfig(p, LogUserNotification) == nil {
		return
	}
	tx.OnCommit(func() {
		o.e.Logs.Record(p, LogUserNotification, "INFO", m.Time, NotificationMessage(m, ""))
	})
}

// NotificationMessage returns the message of a userNotification log
// event about m: its details, without the code, and the error of a
// failed delivery ("" for a delivery).
func NotificationMessage(m Message, failure string) map[string]string {
	dest := MaskPhone(m.Destination)
	if m.Medium == "EMAIL" {
		dest = MaskEmail(m.Destination)
	}
	details := "Message delivered by " + m.Medium + " to " + dest
	if failure != "" {
		details = "Message delivery by " + m.Medium + " to " + dest + " failed: " + failure
	}
	return map[string]string{"details": details, "deliveryMedium": m.Medium, "destination": dest,
		"messageType": m.Kind, "operation": m.Operation, "triggerSource": m.Trigger, "userName": m.Username}
}
