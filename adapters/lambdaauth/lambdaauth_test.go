package lambdaauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitokit/cognitokit/adapters/lambdaauth"
	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/verifier"
)

// fixture is an emulated pool with alice (group admin) and bob, and a
// verifier of its access tokens.
type fixture struct {
	pool    *cognitotest.Pool
	srv     *cognitotest.Server
	app     cognitotest.AppClient
	v       *verifier.Verifier
	alice   string // an access token
	bob     string
	expired string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{srv: cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))}
	f.pool = f.srv.MustCreatePool(cognitotest.PoolConfig{})
	f.app = f.pool.MustCreateClient(cognitotest.ClientConfig{})
	f.pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Email: "alice@example.com", Groups: []string{"admin"}})
	f.pool.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: "Passw0rd!"})
	var err error
	f.v, err = verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: f.pool.ID(), Issuer: f.pool.Issuer(),
		ClientIDs: []string{f.app.ID}, TokenUse: verifier.TokenUseAccess, JWKSURL: f.pool.JWKSURL()}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.v.Close() })
	f.alice = f.pool.MustMintTokens(f.app.ID, "alice").AccessToken
	f.bob = f.pool.MustMintTokens(f.app.ID, "bob").AccessToken
	f.expired = f.pool.MustMintTokens(f.app.ID, "alice", cognitotest.TokenExpiresAt(time.Now().Add(-time.Minute))).AccessToken
	return f
}

// event reads a documented example event and puts value where the
// example has {caller-supplied-token}.
func event(t *testing.T, name, value string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := json.Marshal(value)
	return []byte(strings.ReplaceAll(string(b), `"{caller-supplied-token}"`, string(v)))
}

// invoke runs handler through aws-lambda-go's handler invocation, as the
// Lambda runtime does, and decodes the answer.
func invoke(t *testing.T, handler any, payload []byte) (map[string]any, error) {
	t.Helper()
	out, err := lambda.NewHandler(handler).Invoke(context.Background(), payload)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("answer %s: %v", out, err)
	}
	return m, nil
}

// statement returns the effect and resource of a policy answer.
func statement(t *testing.T, m map[string]any) (string, string) {
	t.Helper()
	doc, _ := m["policyDocument"].(map[string]any)
	sts, _ := doc["Statement"].([]any)
	if len(sts) != 1 || doc["Version"] != "2012-10-17" {
		t.Fatalf("policy = %v", m["policyDocument"])
	}
	st := sts[0].(map[string]any)
	if a, _ := st["Action"].([]any); len(a) != 1 || a[0] != "execute-api:Invoke" {
		t.Fatalf("action = %v", st["Action"])
	}
	res, _ := st["Resource"].([]any)
	if len(res) != 1 {
		t.Fatalf("resource = %v", st["Resource"])
	}
	return st["Effect"].(string), res[0].(string)
}

const methodArn = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request"

func TestREST(t *testing.T) {
	f := newFixture(t)
	a, err := lambdaauth.New(f.v, lambdaauth.Config{Policy: verifier.Policy{AnyGroups: []string{"admin"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, door := range []struct {
		name    string
		handler any
		file    string
	}{{"TOKEN", a.RESTToken, "rest-token.json"}, {"REQUEST", a.RESTRequest, "rest-request.json"}} {
		t.Run(door.name, func(t *testing.T) {
			m, err := invoke(t, door.handler, event(t, door.file, "Bearer "+f.alice))
			if err != nil {
				t.Fatal(err)
			}
			if effect, res := statement(t, m); effect != "Allow" || res != methodArn {
				t.Errorf("alice: %s on %s; want Allow on the method", effect, res)
			}
			ctx := m["context"].(map[string]any)
			if m["principalId"] == "" || ctx["username"] != "alice" || ctx["groups"] != "admin" || ctx["token_use"] != "access" {
				t.Errorf("alice: principal %v, context %v", m["principalId"], ctx)
			}
			// The bare token works too.
			if _, err := invoke(t, door.handler, event(t, door.file, f.alice)); err != nil {
				t.Errorf("bare token: %v", err)
			}
			m, err = invoke(t, door.handler, event(t, door.file, "Bearer "+f.bob))
			if err != nil {
				t.Fatal(err)
			}
			if effect, res := statement(t, m); effect != "Deny" || res != methodArn || m["context"].(map[string]any)["reason"] != "missing_group" {
				t.Errorf("bob: %s on %s, %v; want Deny with reason missing_group", effect, res, m["context"])
			}
			for name, tok := range map[string]string{"expired": "Bearer " + f.expired, "garbage": "Bearer abc", "empty": "", "basic": "Basic YWxpY2U6cHc="} {
				_, err := invoke(t, door.handler, event(t, door.file, tok))
				var ie interface{ Error() string }
				if err == nil || !errors.As(err, &ie) || err.Error() != "Unauthorized" {
					t.Errorf("%s: err = %v; want exactly Unauthorized", name, err)
				}
			}
		})
	}
}

// ErrUnauthorized itself reaches the runtime unwrapped.
func TestRESTUnauthorizedDirect(t *testing.T) {
	f := newFixture(t)
	a, _ := lambdaauth.New(f.v, lambdaauth.Config{})
	_, err := a.RESTToken(context.Background(), eventToken(methodArn, "nope"))
	if err != lambdaauth.ErrUnauthorized {
		t.Errorf("err = %#v; want ErrUnauthorized itself", err)
	}
}

func TestRESTScopes(t *testing.T) {
	f := newFixture(t)
	for scope, want := range map[lambdaauth.Scope]string{
		lambdaauth.ScopeMethod: methodArn,
		lambdaauth.ScopeStage:  "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/*",
		lambdaauth.ScopeAPI:    "arn:aws:execute-api:us-east-1:123456789012:abcdef123/*",
	} {
		a, err := lambdaauth.New(f.v, lambdaauth.Config{Scope: scope})
		if err != nil {
			t.Fatal(err)
		}
		m, err := invoke(t, a.RESTToken, event(t, "rest-token.json", "Bearer "+f.alice))
		if err != nil {
			t.Fatal(err)
		}
		if _, res := statement(t, m); res != want {
			t.Errorf("scope %d: resource %s; want %s", scope, res, want)
		}
	}
	a, _ := lambdaauth.New(f.v, lambdaauth.Config{Scope: lambdaauth.ScopeStage})
	if _, err := invoke(t, a.RESTToken, []byte(`{"type":"TOKEN","authorizationToken":"Bearer `+f.alice+`","methodArn":"arn:aws:s3:::bucket"}`)); err == nil || !strings.Contains(err.Error(), "execute-api") {
		t.Errorf("bad methodArn: err = %v", err)
	}
}

func TestContextValues(t *testing.T) {
	f := newFixture(t)
	a, _ := lambdaauth.New(f.v, lambdaauth.Config{Context: func(c *verifier.Claims) map[string]any {
		return map[string]any{"tenant": "acme", "admin": c.HasGroup("admin"), "level": 3, "email": nil}
	}})
	m, err := invoke(t, a.RESTToken, event(t, "rest-token.json", "Bearer "+f.alice))
	if err != nil {
		t.Fatal(err)
	}
	ctx := m["context"].(map[string]any)
	if ctx["tenant"] != "acme" || ctx["admin"] != true || ctx["level"] != float64(3) || ctx["email"] != nil || ctx["sub"] == nil {
		t.Errorf("context = %v", ctx)
	}
	bad, _ := lambdaauth.New(f.v, lambdaauth.Config{Context: func(c *verifier.Claims) map[string]any {
		return map[string]any{"groups": c.Groups}
	}})
	_, err = invoke(t, bad.RESTToken, event(t, "rest-token.json", "Bearer "+f.alice))
	if err == nil || err.Error() == "Unauthorized" || !strings.Contains(err.Error(), "[]string") {
		t.Errorf("array in the context: err = %v; want a configuration error", err)
	}
}

func TestHTTPAPI(t *testing.T) {
	f := newFixture(t)
	a, _ := lambdaauth.New(f.v, lambdaauth.Config{Policy: verifier.Policy{AnyGroups: []string{"admin"}}})
	m, err := invoke(t, a.HTTPSimple, event(t, "httpapi-v2.json", "Bearer "+f.alice))
	if err != nil {
		t.Fatal(err)
	}
	if m["isAuthorized"] != true || m["context"].(map[string]any)["username"] != "alice" {
		t.Errorf("alice simple: %v", m)
	}
	for name, tok := range map[string]string{"bob": "Bearer " + f.bob, "expired": "Bearer " + f.expired, "garbage": "x.y.z"} {
		m, err := invoke(t, a.HTTPSimple, event(t, "httpapi-v2.json", tok))
		if err != nil || m["isAuthorized"] != false || m["context"] != nil {
			t.Errorf("%s simple: %v, %v; want isAuthorized false", name, m, err)
		}
	}
	m, err = invoke(t, a.HTTPIAM, event(t, "httpapi-v2.json", "Bearer "+f.alice))
	if err != nil {
		t.Fatal(err)
	}
	if effect, res := statement(t, m); effect != "Allow" || res != methodArn {
		t.Errorf("alice IAM: %s on %s", effect, res)
	}
	m, err = invoke(t, a.HTTPIAM, event(t, "httpapi-v2.json", "Bearer "+f.expired))
	if err != nil {
		t.Fatal(err)
	}
	if effect, _ := statement(t, m); effect != "Deny" || m["context"].(map[string]any)["reason"] != "expired" {
		t.Errorf("expired IAM: %s %v", effect, m["context"])
	}
}

func TestAppSync(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	a, _ := lambdaauth.New(f.v, lambdaauth.Config{TTL: 10 * time.Minute, Now: func() time.Time { return now },
		DeniedFields: func(c *verifier.Claims) []string {
			if c.HasGroup("admin") {
				return nil
			}
			return []string{"Mutation.deleteEvent"}
		}})
	m, err := invoke(t, a.AppSync, event(t, "appsync.json", f.alice))
	if err != nil {
		t.Fatal(err)
	}
	if m["isAuthorized"] != true || m["resolverContext"].(map[string]any)["groups"] != "admin" || m["deniedFields"] != nil {
		t.Errorf("alice: %v", m)
	}
	// Cognito access tokens live an hour: the TTL of 10 minutes holds.
	if ttl := m["ttlOverride"]; ttl != float64(600) {
		t.Errorf("alice ttlOverride = %v; want 600", ttl)
	}
	m, err = invoke(t, a.AppSync, event(t, "appsync.json", "Bearer "+f.bob))
	if err != nil {
		t.Fatal(err)
	}
	if m["isAuthorized"] != true || len(m["deniedFields"].([]any)) != 1 {
		t.Errorf("bob: %v", m)
	}
	// The TTL never outlives the token.
	short := f.pool.MustMintTokens(f.app.ID, "alice", cognitotest.TokenExpiresAt(now.Add(90*time.Second))).AccessToken
	m, _ = invoke(t, a.AppSync, event(t, "appsync.json", short))
	if ttl := m["ttlOverride"]; ttl != float64(90) && ttl != float64(89) {
		t.Errorf("short token ttlOverride = %v; want 90", ttl)
	}
	m, err = invoke(t, a.AppSync, event(t, "appsync.json", f.expired))
	if err != nil || m["isAuthorized"] != false || m["ttlOverride"] != float64(0) {
		t.Errorf("expired: %v, %v; want isAuthorized false, not cached", m, err)
	}
}

// When the keys cannot be fetched, every front door answers an error
// (API Gateway: 500), never an Allow or isAuthorized true.
func TestKeysUnavailable(t *testing.T) {
	f := newFixture(t)
	f.srv.SetJWKSMode(cognitotest.JWKSFail)
	a, _ := lambdaauth.New(f.v, lambdaauth.Config{})
	for name, call := range map[string]func() error{
		"rest token":   func() error { _, err := invoke(t, a.RESTToken, event(t, "rest-token.json", f.alice)); return err },
		"rest request": func() error { _, err := invoke(t, a.RESTRequest, event(t, "rest-request.json", f.alice)); return err },
		"http simple":  func() error { _, err := invoke(t, a.HTTPSimple, event(t, "httpapi-v2.json", f.alice)); return err },
		"http iam":     func() error { _, err := invoke(t, a.HTTPIAM, event(t, "httpapi-v2.json", f.alice)); return err },
		"appsync":      func() error { _, err := invoke(t, a.AppSync, event(t, "appsync.json", f.alice)); return err },
	} {
		err := call()
		if err == nil || err.Error() == "Unauthorized" || !strings.Contains(err.Error(), "keys unavailable") {
			t.Errorf("%s: err = %v; want the unavailable error", name, err)
		}
	}
	_, err := a.RESTToken(context.Background(), eventToken(methodArn, f.alice))
	if !errors.Is(err, lambdaauth.ErrUnavailable) || !errors.Is(err, verifier.ErrKeysUnavailable) {
		t.Errorf("err = %v; want ErrUnavailable wrapping verifier.ErrKeysUnavailable", err)
	}
}

func TestRequestHeaderAmbiguity(t *testing.T) {
	f := newFixture(t)
	a, _ := lambdaauth.New(f.v, lambdaauth.Config{})
	ev := `{"type":"REQUEST","methodArn":"` + methodArn + `","headers":{"Authorization":"Bearer ` + f.alice + `","authorization":"Bearer ` + f.bob + `"}}`
	if _, err := invoke(t, a.RESTRequest, []byte(ev)); err == nil || err.Error() != "Unauthorized" {
		t.Errorf("two spellings: err = %v; want Unauthorized", err)
	}
	ev = `{"type":"REQUEST","methodArn":"` + methodArn + `","multiValueHeaders":{"Authorization":["Bearer ` + f.alice + `","Bearer ` + f.alice + `"]}}`
	if _, err := invoke(t, a.RESTRequest, []byte(ev)); err == nil || err.Error() != "Unauthorized" {
		t.Errorf("two values: err = %v; want Unauthorized", err)
	}
}

func TestNewErrors(t *testing.T) {
	f := newFixture(t)
	for name, cfg := range map[string]lambdaauth.Config{
		"scope":  {Scope: 9},
		"ttl":    {TTL: 2 * time.Hour},
		"header": {Header: "Bad Header"},
		"policy": {Policy: verifier.Policy{AnyGroups: []string{""}}},
	} {
		if _, err := lambdaauth.New(f.v, cfg); !errors.Is(err, lambdaauth.ErrInvalidConfig) {
			t.Errorf("%s: err = %v; want ErrInvalidConfig", name, err)
		}
	}
	if _, err := lambdaauth.New(nil, lambdaauth.Config{}); !errors.Is(err, lambdaauth.ErrInvalidConfig) {
		t.Errorf("nil verifier: err = %v", err)
	}
}
