package cognitotest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

type logEvent struct {
	Seq         int64  `json:"seq"`
	PoolID      string `json:"pool_id"`
	EventSource string `json:"event_source"`
	LogLevel    string `json:"log_level"`
	Destination string `json:"destination"`
	Record      struct {
		EventTimestamp string                     `json:"eventTimestamp"`
		EventSource    string                     `json:"eventSource"`
		LogLevel       string                     `json:"logLevel"`
		Message        map[string]json.RawMessage `json:"message"`
		LogSourceID    map[string]string          `json:"logSourceId"`
	} `json:"record"`
}

// logs reads GET /_cognitokit/logs with the query q.
func logs(t *testing.T, srv *cognitotest.Server, q url.Values) []logEvent {
	t.Helper()
	resp, err := srv.HTTPClient().Get(srv.LogsURL() + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Events    []logEvent `json:"events"`
		MaxEvents int        `json:"max_events"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", srv.LogsURL(), resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.MaxEvents != 10000 {
		t.Errorf("max_events: got %d; want 10000", out.MaxEvents)
	}
	return out.Events
}

func TestLogDelivery(t *testing.T) {
	t.Parallel()
	clock := newClock()
	srv := cognitotest.NewServer(t, fastKeys(), cognitotest.WithClock(clock.Now))
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	in := func() *cip.CreateUserPoolInput {
		return &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypePlus, AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}
	}
	poolID, clientID := sdkPool(t, api, in())
	quietPool, quietClient := sdkPool(t, api, in()) // no log configuration

	const group = "arn:aws:logs:us-east-1:123456789012:log-group:cognito-notifications"
	const stream = "arn:aws:firehose:us-east-1:123456789012:deliverystream/cognito-activity"
	must(api.SetLogDeliveryConfiguration(ctx(), &cip.SetLogDeliveryConfigurationInput{UserPoolId: aws.String(poolID), LogConfigurations: []types.LogConfigurationType{
		{EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelError, CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String(group)}},
		{EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo, FirehoseConfiguration: &types.FirehoseConfigurationType{StreamArn: aws.String(stream)}},
	}}))

	for _, pc := range [][2]string{{poolID, clientID}, {quietPool, quietClient}} {
		must(api.SignUp(ctx(), &cip.SignUpInput{ClientId: aws.String(pc[1]), Username: aws.String("alice"), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("alice@example.com")}}}))
		must(api.AdminConfirmSignUp(ctx(), &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pc[0]), Username: aws.String("alice")}))
		must(api.InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: aws.String(pc[1]), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}))
	}

	if got := logs(t, srv, url.Values{"pool": {quietPool}}); len(got) != 0 {
		t.Errorf("pool without a log configuration: got %d events; want none", len(got))
	}

	notes := logs(t, srv, url.Values{"pool": {poolID}, "type": {"userNotification"}})
	if len(notes) != 1 {
		t.Fatalf("userNotification events: got %d; want 1 (the sign-up code)", len(notes))
	}
	n := notes[0]
	if n.Destination != group || n.Record.EventSource != "USER_NOTIFICATION" || n.Record.LogSourceID["userPoolId"] != poolID ||
		n.Record.EventTimestamp != strconv.FormatInt(clock.Now().UnixMilli(), 10) {
		t.Errorf("userNotification event: got %+v", n)
	}
	var details string
	json.Unmarshal(n.Record.Message["details"], &details)
	if details != "Message delivered by EMAIL to a***@e***" {
		t.Errorf("details: got %q", details)
	}

	acts := logs(t, srv, url.Values{"pool": {poolID}, "type": {"userAuthEvents"}})
	if len(acts) != 2 {
		t.Fatalf("userAuthEvents events: got %d; want 2 (SignUp, SignIn)", len(acts))
	}
	var types_ []string
	for _, a := range acts {
		var typ, user, resp string
		json.Unmarshal(a.Record.Message["eventType"], &typ)
		json.Unmarshal(a.Record.Message["userName"], &user)
		json.Unmarshal(a.Record.Message["eventResponse"], &resp)
		if a.Destination != stream || a.Record.EventSource != "USER_ACTIVITY" || a.Record.LogLevel != "INFO" || user != "alice" {
			t.Errorf("userAuthEvents event: got %+v", a)
		}
		types_ = append(types_, typ+"/"+resp)
	}
	if types_[1] != "SignIn/Pass" || acts[0].Seq >= acts[1].Seq {
		t.Errorf("userAuthEvents: got %v; want the SignIn (Pass) newest last", types_)
	}
	if got := logs(t, srv, url.Values{"pool": {poolID}, "limit": {"1"}}); len(got) != 1 || got[0].Seq != acts[1].Seq {
		t.Errorf("limit=1: got %+v; want the newest event", got)
	}

	// A bad filter is refused, with a message that says what is wrong.
	for _, tc := range []struct{ query, want string }{
		{"?type=everything", "type: want userNotification or userAuthEvents"},
		{"?kind=SignUp", `unknown query parameter \"kind\"; the parameters are pool, type, after and limit`},
		{"?after=-1", "after: want the seq of a log event"},
		{"?limit=0", "limit: want a positive number of events"},
		{"?pool=a&pool=b", "query parameter pool given more than once"},
	} {
		resp, err := srv.HTTPClient().Get(srv.LogsURL() + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s: got %s %s; want 400 with %q", tc.query, resp.Status, body, tc.want)
		}
	}
}
