package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/verifier"
)

// The documented example events of each front door, with the token in
// place of the caller's.
const (
	restTokenEvent   = `{"type":"TOKEN","authorizationToken":"Bearer %s","methodArn":"arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request"}`
	restRequestEvent = `{"type":"REQUEST","methodArn":"arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request","resource":"/request","path":"/request","httpMethod":"GET","headers":{"Authorization":"Bearer %s","Accept":"*/*"},"queryStringParameters":{"QueryString1":"queryValue1"},"requestContext":{"path":"/request","accountId":"123456789012","resourceId":"05c7jb","stage":"test","requestId":"...","resourcePath":"/request","httpMethod":"GET","apiId":"abcdef123"}}`
	httpEvent        = `{"version":"2.0","type":"REQUEST","routeArn":"arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request","identitySource":["Bearer %[1]s"],"routeKey":"$default","rawPath":"/my/path","headers":{"authorization":"Bearer %[1]s"},"requestContext":{"accountId":"123456789012","apiId":"api-id","http":{"method":"GET","path":"/my/path"},"stage":"$default"}}`
	appSyncEvent     = `{"authorizationToken":"%s","requestContext":{"apiId":"aaaaaa123123123example123","accountId":"111122223333","requestId":"f4081827-1111-4444-5555-5cf4695f339f","queryString":"query MyQuery {...}","operationName":"MyQuery","variables":{}}}`
)

// want is the expected answer of one invocation: an error message, or a
// fragment of the answer's JSON.
type want struct{ err, json string }

// demo invokes every front door for alice, bob and an expired token, then
// with the key endpoint down; with check set it compares each answer.
func demo(ctx context.Context, st *stage.Stage, out io.Writer, check bool) error {
	pool := st.EmuPool
	alice := pool.MustMintTokens(cognitotest.DemoPublicClientID, "alice").AccessToken
	bob := pool.MustMintTokens(cognitotest.DemoPublicClientID, "bob").AccessToken
	expired := pool.MustMintTokens(cognitotest.DemoPublicClientID, "alice", cognitotest.TokenExpiresAt(time.Now().Add(-time.Minute))).AccessToken
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: st.PoolID, Issuer: st.Issuer,
		ClientIDs: st.ClientIDs, TokenUse: verifier.TokenUseAccess}}, Leeway: 5 * time.Second})
	if err != nil {
		return err
	}
	defer v.Close()
	a, err := newAuthorizer(v)
	if err != nil {
		return err
	}
	m2m := pool.MustMintM2MToken(cognitotest.DemoConfidentialClientID, []string{"demo-api/read"})
	const stageARN = `"arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/*"`
	const method = `"arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request"`
	// One row per front door: the answers for alice, a machine client,
	// bob and the expired token.
	doors := []struct {
		kind, event string
		want        [4]want
	}{
		{"rest-token", restTokenEvent, [4]want{{json: `"Effect":"Allow","Resource":[` + stageARN}, {json: `"Effect":"Allow"`},
			{json: `"Effect":"Deny","Resource":[` + method}, {err: "Unauthorized"}}},
		{"rest-request", restRequestEvent, [4]want{{json: `"Effect":"Allow","Resource":[` + stageARN}, {json: `"Effect":"Allow"`},
			{json: `"reason":"check_failed"`}, {err: "Unauthorized"}}},
		{"http-simple", httpEvent, [4]want{{json: `"isAuthorized":true`}, {json: `"isAuthorized":true`}, {json: `"isAuthorized":false`}, {json: `"isAuthorized":false`}}},
		{"http-iam", httpEvent, [4]want{{json: `"Effect":"Allow"`}, {json: `"Effect":"Allow"`}, {json: `"Effect":"Deny"`}, {json: `"reason":"expired"`}}},
		{"appsync", appSyncEvent, [4]want{{json: `"isAuthorized":true`}, {json: `"deniedFields":["Mutation.deleteOrder"]`},
			{json: `"isAuthorized":false,"ttlOverride":0`}, {json: `"isAuthorized":false,"ttlOverride":0`}}},
	}
	invoke := func(kind, event, token string, w want) error {
		h, err := handler(a, kind)
		if err != nil {
			return err
		}
		answer, err := lambda.NewHandler(h).Invoke(ctx, []byte(fmt.Sprintf(event, token)))
		got := string(answer)
		if err != nil {
			got = "error: " + err.Error()
		}
		fmt.Fprintf(out, "%-13s %s\n", kind, got)
		switch {
		case !check:
		case w.err != "" && (err == nil || !strings.Contains(err.Error(), w.err)):
			return fmt.Errorf("%s: got %s; want the error %q", kind, got, w.err)
		case w.json != "" && (err != nil || !strings.Contains(got, w.json)):
			return fmt.Errorf("%s: got %s; want %s", kind, got, w.json)
		}
		return nil
	}
	for i, who := range []struct{ name, token string }{
		{"alice (group admin)", alice},
		{"a machine client (scope demo-api/read)", m2m},
		{"bob (no group, no scope)", bob},
		{"an expired token", expired},
	} {
		fmt.Fprintf(out, "\n%s:\n", who.name)
		for _, d := range doors {
			if err := invoke(d.kind, d.event, who.token, d.want[i]); err != nil {
				return err
			}
		}
	}
	// The key endpoint goes down: a fresh verifier cannot fetch keys, and
	// every front door answers an error, never an Allow.
	st.Emu.SetJWKSMode(cognitotest.JWKSFail)
	defer st.Emu.SetJWKSMode(cognitotest.JWKSNormal)
	v2, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: st.PoolID, Issuer: st.Issuer,
		ClientIDs: st.ClientIDs, TokenUse: verifier.TokenUseAccess}}})
	if err != nil {
		return err
	}
	defer v2.Close()
	if a, err = newAuthorizer(v2); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nalice, with the key endpoint down:\n")
	for _, d := range doors {
		if err := invoke(d.kind, d.event, alice, want{err: "keys unavailable"}); err != nil {
			return err
		}
	}
	if check {
		var m map[string]any
		answer, _ := lambda.NewHandler(a.RESTToken).Invoke(ctx, []byte(fmt.Sprintf(restTokenEvent, alice)))
		if json.Unmarshal(answer, &m) == nil {
			return fmt.Errorf("with the keys down, an answer %s; want an error", answer)
		}
	}
	return nil
}
