package cognitotest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestTriggerPreTokenGenerationV1 customises the ID token with a V1_0
// handler: claims added and suppressed, groups overridden, reserved
// claims left alone.
func TestTriggerPreTokenGenerationV1(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	preToken := func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGen) (events.CognitoEventUserPoolsPreTokenGen, error) {
		if ev.UserName == "bo" {
			return ev, errors.New("entitlements service down")
		}
		ev.Response.ClaimsOverrideDetails = events.ClaimsOverrideDetails{
			ClaimsToAddOrOverride: map[string]string{"tier": "gold", "sub": "forged", "name": "Amy Override"},
			ClaimsToSuppress:      []string{"email", "cognito:username"},
			GroupOverrideDetails:  events.GroupConfiguration{GroupsToOverride: append(ev.Request.GroupConfiguration.GroupsToOverride, "vip")},
		}
		return ev, nil
	}
	e := newTriggerEnv(t, cognitotest.PoolConfig{LambdaTriggers: cognitotest.LambdaTriggers{PreTokenGeneration: rec.wrap(preToken)}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "amy", Password: testPassword, Email: "amy@example.com", Groups: []string{"staff"},
		Attributes: map[string]string{"name": "Amy"}})

	out := must(e.login(triggerApp, "amy", testPassword, map[string]string{"device": "kiosk"}))
	goldenEvent[events.CognitoEventUserPoolsPreTokenGen](t, "PreTokenGeneration_V1_Authentication", rec.last(t, "TokenGeneration_Authentication"))
	id := claimsOf(t, aws.ToString(out.AuthenticationResult.IdToken))
	access := claimsOf(t, aws.ToString(out.AuthenticationResult.AccessToken))
	if id["tier"] != "gold" || id["name"] != "Amy Override" || id["email"] != nil {
		t.Errorf("ID token: tier %v, name %v, email %v; want gold, Amy Override, suppressed", id["tier"], id["name"], id["email"])
	}
	if id["sub"] == "forged" || id["cognito:username"] != "amy" {
		t.Errorf("ID token: sub %v, cognito:username %v; reserved claims must not change", id["sub"], id["cognito:username"])
	}
	wantGroups := []any{"staff", "vip"}
	if !jsonEqual(id["cognito:groups"], wantGroups) || !jsonEqual(access["cognito:groups"], wantGroups) {
		t.Errorf("groups: ID %v, access %v; want %v in both", id["cognito:groups"], access["cognito:groups"], wantGroups)
	}
	if access["tier"] != nil {
		t.Errorf("a V1_0 response changed the access token: tier %v", access["tier"])
	}

	// Refreshing runs it again, with its own source.
	ref := must(e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(triggerApp),
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(out.AuthenticationResult.RefreshToken)}}))
	rec.last(t, "TokenGeneration_RefreshTokens")
	if claimsOf(t, aws.ToString(ref.AuthenticationResult.IdToken))["tier"] != "gold" {
		t.Error("refreshed ID token without the trigger's claim")
	}

	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "bo", Password: testPassword})
	_, err := e.login(triggerApp, "bo", testPassword, nil)
	lambdaErr[*types.UserLambdaValidationException](t, err, "PreTokenGeneration failed with error entitlements service down.")
}

// TestTriggerPreTokenGenerationV2V3 customises both tokens and the scopes
// with a V2_0 handler, and checks that V2_0 does not run for
// client_credentials while V3_0 does.
func TestTriggerPreTokenGenerationV2V3(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"V2_0", "V3_0"} {
		t.Run(version, func(t *testing.T) {
			rec := newRecorder()
			preToken := func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
				d := &ev.Response.ClaimsAndScopeOverrideDetails
				d.AccessTokenGeneration = events.AccessTokenGenerationV2_0{
					ClaimsToAddOrOverride: map[string]any{"tenant": "acme", "permissions": []string{"read", "write"}, "limits": map[string]any{"rps": 10}, "client_id": "forged"},
					ScopesToAdd:           []string{"orders/admin"},
					ScopesToSuppress:      []string{"aws.cognito.signin.user.admin", "orders/read"},
				}
				if ev.TriggerSource != "TokenGeneration_ClientCredentials" {
					d.IDTokenGeneration = events.IDTokenGenerationV2_0{ClaimsToAddOrOverride: map[string]any{"tenant": "acme", "level": 3},
						ClaimsToSuppress: []string{"email"}}
					d.GroupOverrideDetails = events.GroupConfigurationV2_0{GroupsToOverride: []string{}} // removes the groups
				}
				return ev, nil
			}
			e := newTriggerEnv(t, cognitotest.PoolConfig{LambdaTriggers: cognitotest.LambdaTriggers{
				PreTokenGeneration: rec.wrap(preToken), PreTokenGenerationVersion: version}})
			e.pool.MustCreateUser(cognitotest.UserConfig{Username: "amy", Password: testPassword, Email: "amy@example.com", Groups: []string{"staff"}})

			out := must(e.login(triggerApp, "amy", testPassword, nil))
			goldenEvent[events.CognitoEventUserPoolsPreTokenGenV2_0](t, "PreTokenGeneration_"+version[:2]+"_Authentication", rec.last(t, "TokenGeneration_Authentication"))
			id := claimsOf(t, aws.ToString(out.AuthenticationResult.IdToken))
			access := claimsOf(t, aws.ToString(out.AuthenticationResult.AccessToken))
			if id["tenant"] != "acme" || id["level"] != 3.0 || id["email"] != nil || id["cognito:groups"] != nil {
				t.Errorf("ID token: tenant %v, level %v, email %v, groups %v; want acme, 3, suppressed, none", id["tenant"], id["level"], id["email"], id["cognito:groups"])
			}
			if access["tenant"] != "acme" || !jsonEqual(access["permissions"], []any{"read", "write"}) || !jsonEqual(access["limits"], map[string]any{"rps": 10.0}) {
				t.Errorf("access token: tenant %v, permissions %v, limits %v", access["tenant"], access["permissions"], access["limits"])
			}
			if access["client_id"] != triggerApp || access["cognito:groups"] != nil {
				t.Errorf("access token: client_id %v, groups %v; want %s (reserved), none", access["client_id"], access["cognito:groups"], triggerApp)
			}
			if access["scope"] != "orders/admin" {
				t.Errorf("access token scope %q; want orders/admin (aws.cognito.signin.user.admin suppressed)", access["scope"])
			}

			// client_credentials: only V3_0 runs for machine-to-machine tokens.
			if err := e.pool.CreateResourceServer(cognitotest.ResourceServerConfig{Identifier: "orders", Scopes: map[string]string{"read": "", "admin": ""}}); err != nil {
				t.Fatal(err)
			}
			m2m := e.pool.MustCreateClient(cognitotest.ClientConfig{ID: "m2mapp", Name: "m2m", GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"},
				AllowedOAuthScopes: []string{"orders/read"}, AllowedOAuthFlowsUserPoolClient: true})
			tok := clientCredentials(t, e.srv.OAuthDomain(), m2m)
			access = claimsOf(t, tok)
			if version == "V2_0" {
				if n := rec.count("TokenGeneration_ClientCredentials"); n != 0 || access["tenant"] != nil || access["scope"] != "orders/read" {
					t.Errorf("V2_0 ran %d times for client_credentials (tenant %v, scope %v)", n, access["tenant"], access["scope"])
				}
				return
			}
			goldenEvent[events.CognitoEventUserPoolsPreTokenGenV2_0](t, "PreTokenGeneration_V3_ClientCredentials", rec.last(t, "TokenGeneration_ClientCredentials"))
			if access["tenant"] != "acme" || access["scope"] != "orders/admin" || access["client_id"] != "m2mapp" {
				t.Errorf("M2M access token: tenant %v, scope %v, client_id %v; want acme, orders/admin, m2mapp", access["tenant"], access["scope"], access["client_id"])
			}
		})
	}
}

// clientCredentials gets an access token with the client_credentials
// grant.
func clientCredentials(t testing.TB, domain string, c cognitotest.AppClient) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, domain+"/oauth2/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ID, c.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil || out.AccessToken == "" {
		t.Fatalf("client_credentials: %d %s", resp.StatusCode, body)
	}
	return out.AccessToken
}

// jsonEqual compares two values as JSON.
func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return slices.Equal(x, y)
}
