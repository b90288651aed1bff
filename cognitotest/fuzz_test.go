package cognitotest

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
	"github.com/cognitokit/cognitokit/internal/testkeys"
)

// fuzzKey is a fixed key (generating one per fuzz process is slow), none
// of the other tests' pools' keys (it is their servers' freshKey).
func fuzzKey() *rsa.PrivateKey { return testkeys.RSA2048(testkeys.Count)[5] }

// fuzzServer returns a server with a pool, clients and a user.
func fuzzServer(t testing.TB) (*Server, *Pool, AppClient) {
	s := NewServer(t, WithSigningKeys(fuzzKey()))
	p := s.MustCreatePool(PoolConfig{ID: "us-east-1_Fuzz", AliasAttributes: []string{"email"}, MFA: MFAOptional, DeviceRemembering: DevicesAlways})
	c := p.MustCreateClient(ClientConfig{ID: "fuzzclient"})
	p.MustCreateClient(ClientConfig{ID: "fuzzsecret", Secret: "s3cr3t"})
	p.MustCreateUser(UserConfig{Username: "fuzzer", Password: "Fuzz-Passw0rd", Email: "f@example.com", Groups: []string{"g"}})
	return s, p, c
}

// FuzzAPI sends arbitrary bodies to every implemented operation (except
// CreateUserPool, which generates RSA keys) and checks that the server
// answers well-formed JSON and never an internal error.
func FuzzAPI(f *testing.F) {
	s, p, c := fuzzServer(f)
	tok := p.MustMintTokens(c.ID, "fuzzer")
	seeds := []string{
		`{}`, `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"fuzzclient","AuthParameters":{"USERNAME":"fuzzer","PASSWORD":"Fuzz-Passw0rd"}}`,
		`{"AuthFlow":"USER_SRP_AUTH","ClientId":"fuzzclient","AuthParameters":{"USERNAME":"fuzzer","SRP_A":"-0"}}`,
		`{"AuthFlow":"USER_AUTH","ClientId":"fuzzsecret","AuthParameters":{"USERNAME":"f@example.com"}}`,
		`{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"fuzzclient","AuthParameters":{"REFRESH_TOKEN":"` + tok.RefreshToken + `"}}`,
		`{"ChallengeName":"PASSWORD_VERIFIER","ClientId":"fuzzclient","Session":"x","ChallengeResponses":{"USERNAME":"fuzzer"}}`,
		`{"AccessToken":"` + tok.AccessToken + `"}`, `{"AccessToken":"a.b.c"}`,
		`{"UserPoolId":"us-east-1_Fuzz","Username":"fuzzer","Filter":"email ^= \"f\""}`,
		`{"UserPoolId":"us-east-1_Fuzz","ClientName":"x","TokenValidityUnits":{"AccessToken":"weeks"}}`,
		`{"ClientId":"fuzzclient","Username":"new","Password":"Fuzz-Passw0rd","UserAttributes":[{"Name":"email","Value":"x"}]}`,
		`{"UserPoolId":"us-east-1_Fuzz","Limit":-1,"PaginationToken":"99"}`, `[]`, `null`, `"x"`, `{"AuthParameters":5}`,
	}
	var ops []string
	for _, op := range s.reg.Ops(emulator.UserPools) {
		if op.Name != "CreateUserPool" {
			ops = append(ops, op.Name)
		}
	}
	for i, b := range seeds {
		f.Add(uint8(i), []byte(b))
	}
	h := s.handler
	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte) {
		for _, op := range []string{ops[int(opIndex)%len(ops)], ops[(int(opIndex)*7+3)%len(ops)]} {
			req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
			req.Header.Set("X-Amz-Target", wire.UserPoolTarget+op)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 x")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusInternalServerError {
				t.Fatalf("%s %q: internal error %s", op, body, rec.Body)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %q: invalid JSON response %q", op, body, rec.Body)
			}
			if rec.Code != 200 && rec.Header().Get("X-Amzn-Errortype") == "" {
				t.Fatalf("%s: status %d without x-amzn-errortype", op, rec.Code)
			}
		}
	})
}

// FuzzParseSeed checks that ParseSeed never panics, that its errors are
// *SeedError, and that accepted seeds round-trip through their encoding.
func FuzzParseSeed(f *testing.F) {
	for _, s := range []string{
		`{"pools":[{"id":"us-east-1_X","clients":[{"id":"c","secret":"s"}],"users":[{"username":"a","password":"Passw0rd!","email":"a@b.c","groups":["g"],"alias_email":true}]}]}`,
		`{"pools":[{"id":"us-east-1_X","users":[{"username":"a","pasword":"x"}]}]}`,
		`{"pools":[{"id":"nope"}]}`, `{"pools":[]}`, `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","password":1}]}]}`,
		`{"pools":[{"id":"us-east-1_X","resource_servers":[{"identifier":"r","scopes":["a"]}],"users":[{"username":"a","password":"p","attributes":{"k":"v"}}]}]}`,
		`{"pools":[{"id":"us-east-1_X"}]} {}`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	full, err := os.ReadFile("testdata/seed-full.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Fuzz(func(t *testing.T, data []byte) {
		seed, err := ParseSeed(data)
		if err != nil {
			var se *SeedError
			if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), "seed: ") {
				t.Fatalf("error %v is not a *SeedError", err)
			}
			return
		}
		again, err := json.Marshal(seed)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseSeed(again); err != nil {
			t.Fatalf("re-encoded seed rejected: %v\n%s", err, again)
		}
	})
}

// FuzzAccessToken checks access-token validation on arbitrary strings.
func FuzzAccessToken(f *testing.F) {
	s, p, c := fuzzServer(f)
	tok := p.MustMintTokens(c.ID, "fuzzer")
	for _, t := range []string{tok.AccessToken, tok.IDToken, "a.b.c", "", "....", tok.AccessToken[:len(tok.AccessToken)-2]} {
		f.Add(t)
	}
	f.Fuzz(func(t *testing.T, token string) {
		s.view(func(tx *state.Tx) {
			if at, err := s.up.AccessToken(tx, token); err == nil && token != tok.AccessToken {
				t.Fatalf("accepted a token that was never issued: %q (user %s)", token, at.User.Username)
			}
		})
	})
}

// FuzzApplySeed applies accepted seeds to a new server: ApplySeed never
// panics and fails only with a *SeedError; what it applied exports to a
// seed that applies to another new server and exports the same bytes.
func FuzzApplySeed(f *testing.F) {
	full, err := os.ReadFile("testdata/seed-full.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte(`{"pools":[{"id":"us-east-1_A","users":[{"username":"Ann","password":"Passw0rd!"},{"username":"ann","password":"Passw0rd!"}]}]}`))
	f.Add([]byte(`{"pools":[{"id":"us-east-1_A","username_attributes":["phone_number"],"users":[{"phone_number":"+15555550123","password":"Passw0rd!"}]}]}`))
	f.Add([]byte(`{"pools":[{"id":"us-east-1_A","clients":[{"explicit_auth_flows":[],"oauth_enabled":false,"oauth_flows":["code"]}]}]}`))
	keys := make([]*rsa.PrivateKey, 8)
	for i := range keys {
		keys[i] = fuzzKey()
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		seed, err := ParseSeed(data)
		if err != nil || len(seed.Pools) > len(keys) || len(data) > 64<<10 {
			return
		}
		a := NewServer(t, WithSigningKeys(keys...))
		if _, err := a.ApplySeed(seed); err != nil {
			var se *SeedError
			if !errors.As(err, &se) {
				t.Fatalf("ApplySeed: %v is not a *SeedError", err)
			}
			return
		}
		e1 := must(must(a.Export()).Encode())
		again, err := ParseSeed(e1)
		if err != nil {
			t.Fatalf("the export does not parse: %v\n%s", err, e1)
		}
		b := NewServer(t, WithSigningKeys(keys...))
		if _, err := b.ApplySeed(again); err != nil {
			t.Fatalf("the export does not apply: %v\n%s", err, e1)
		}
		if e2 := must(must(b.Export()).Encode()); !bytes.Equal(e1, e2) {
			t.Fatalf("export, apply, export differs:\n%s\n%s", e1, e2)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
