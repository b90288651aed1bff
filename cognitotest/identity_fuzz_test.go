package cognitotest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// FuzzIdentityLogins posts arbitrary Logins maps to GetId and
// GetCredentialsForIdentity: the emulator answers every one with a 200 or a
// 400 carrying an AWS error type, never a 500, and accepts only genuine
// tokens.
func FuzzIdentityLogins(f *testing.F) {
	e := newIDEnv(f, cognitotest.IdentityPoolConfig{AllowUnauthenticated: true, DeveloperProviderName: "dev.example"})
	good := e.idToken(f, "ann")
	f.Add(e.provider, good, "GetId")
	f.Add(e.provider, good[:len(good)-2], "GetId")
	f.Add(e.provider, "a.b.c", "GetCredentialsForIdentity")
	f.Add("cognito-identity.amazonaws.com", good, "GetCredentialsForIdentity")
	f.Add("dev.example", "user", "GetId")
	f.Add("accounts.google.com", "x", "GetOpenIdToken")
	f.Add("", "", "UnlinkIdentity")
	guest := e.getID(f, nil)
	client := e.srv.HTTPClient()
	f.Fuzz(func(t *testing.T, provider, token, op string) {
		switch op {
		case "GetId", "GetCredentialsForIdentity", "GetOpenIdToken", "UnlinkIdentity":
		default:
			op = "GetId"
		}
		body, _ := json.Marshal(map[string]any{
			"IdentityPoolId": e.idp.ID, "IdentityId": guest,
			"Logins": map[string]string{provider: token}, "LoginsToRemove": []string{provider},
		})
		req, _ := http.NewRequest("POST", e.srv.URL()+"/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case 200:
			if token != good || provider != e.provider {
				t.Fatalf("%s accepted %q=%q", op, provider, token)
			}
		case 400:
			if typ := resp.Header.Get("X-Amzn-Errortype"); typ == "" || !strings.Contains(string(out), typ) {
				t.Fatalf("400 without an error type: %s", out)
			}
		default:
			t.Fatalf("%s: status %d: %s", op, resp.StatusCode, out)
		}
	})
}

// FuzzSTSForm posts arbitrary forms to the STS endpoint: answers are XML
// errors or, for genuine tokens only, credentials.
func FuzzSTSForm(f *testing.F) {
	e := newIDEnv(f, cognitotest.IdentityPoolConfig{AllowUnauthenticated: true, AllowClassicFlow: true})
	f.Add("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/x&RoleSessionName=ab&WebIdentityToken=a.b.c")
	f.Add("Action=AssumeRole")
	f.Add("%zz")
	f.Add("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&DurationSeconds=99999999999999999999")
	client := e.srv.HTTPClient()
	f.Fuzz(func(t *testing.T, form string) {
		resp, err := client.Post(e.srv.URL()+"/", "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 || resp.StatusCode >= 500 || !bytes.Contains(out, []byte("<ErrorResponse")) {
			t.Fatalf("status %d: %s", resp.StatusCode, out)
		}
	})
}
