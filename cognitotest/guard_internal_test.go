package cognitotest

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/testkeys"
)

// anonymousOps are the operations the AWS SDKs send unsigned: Cognito
// serves them to anyone, the client ID, a session or an access token being
// the credential. The lists are the SDK models'
// (aws-sdk-go-v2/service/cognitoidentityprovider and cognitoidentity,
// anonymous auth scheme), including operations the emulator does not
// implement yet.
var anonymousOps = map[emulator.Service][]string{
	emulator.UserPools: {
		"AssociateSoftwareToken", "ChangePassword", "CompleteWebAuthnRegistration", "ConfirmDevice",
		"ConfirmForgotPassword", "ConfirmSignUp", "DeleteUser", "DeleteUserAttributes",
		"DeleteWebAuthnCredential", "ForgetDevice", "ForgotPassword", "GetDevice",
		"GetTokensFromRefreshToken", "GetUser", "GetUserAttributeVerificationCode", "GetUserAuthFactors",
		"GlobalSignOut", "InitiateAuth", "ListDevices", "ListWebAuthnCredentials",
		"ResendConfirmationCode", "RespondToAuthChallenge", "RevokeToken", "SetUserMFAPreference",
		"SetUserSettings", "SignUp", "StartWebAuthnRegistration", "UpdateAuthEventFeedback",
		"UpdateDeviceStatus", "UpdateUserAttributes", "VerifySoftwareToken", "VerifyUserAttribute",
	},
	emulator.Identity: {"GetCredentialsForIdentity", "GetId", "GetOpenIdToken", "UnlinkIdentity"},
}

// TestOperationClassification: an operation is public (no AWS credentials,
// open to web pages of any origin) exactly when the AWS SDK models send it
// unsigned. An operation added with the wrong classification fails here.
func TestOperationClassification(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	for svc, anon := range anonymousOps {
		for _, op := range s.reg.Ops(svc) {
			if want := slices.Contains(anon, op.Name); op.Public != want {
				t.Errorf("%s %s: Public = %t; the SDK model says %t", svc, op.Name, op.Public, want)
			}
		}
	}
}

// TestRouteAccess: the routes web pages of other origins may call are
// exactly these; every other route is closed to them.
func TestRouteAccess(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	want := map[string]emulator.Access{
		"POST /{$}":                                    emulator.APIAccess,
		"GET /{pool}/.well-known/jwks.json":            emulator.AnyOrigin,
		"GET /{pool}/.well-known/openid-configuration": emulator.AnyOrigin,
		"POST /oauth2/token":                           emulator.AnyOrigin,
		"GET /oauth2/userInfo":                         emulator.AnyOrigin,
		"POST /oauth2/userInfo":                        emulator.AnyOrigin,
		"POST /oauth2/revoke":                          emulator.AnyOrigin,
		"GET /alb/keys/{kid}":                          emulator.AnyOrigin, // public keys, like AWS's key endpoint
		"POST /oauth2/idpresponse":                     emulator.AnyOrigin, // an identity provider's form_post answer, bound to its single-use state and the browser's binding cookie
	}
	got := map[string]emulator.Access{}
	for _, r := range s.routes {
		if r.Access != emulator.SameOrigin {
			got[r.Pattern] = r.Access
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("routes open to other origins: got %v; want %v", got, want)
	}
}

// TestGuardEveryOperation sends every implemented operation through the
// real server, three ways: from a foreign web page with an Authorization
// header, from a foreign web page without one, and from a non-browser
// client without one. Operations Cognito authorizes with IAM must be
// refused the first two ways (403, before they run) and ask for
// credentials the third; public operations must run.
func TestGuardEveryOperation(t *testing.T) {
	t.Parallel()
	s := NewServer(t, WithSigningKeys(fuzzKey()), WithFreshKeys(testkeys.RSA2048(1)[0])) // no key to generate
	type op struct {
		target string
		public bool
	}
	var ops []op
	for _, svc := range []emulator.Service{emulator.UserPools, emulator.Identity} {
		for _, o := range s.reg.Ops(svc) {
			ops = append(ops, op{svc.Target() + o.Name, o.Public})
		}
	}
	if len(ops) < 70 {
		t.Fatalf("the registry holds %d operations; want them all", len(ops))
	}
	send := func(target string, hdr map[string]string) (int, string, http.Header) {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(`{}`))
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var e struct {
			Type string `json:"__type"`
		}
		json.Unmarshal(b, &e)
		return resp.StatusCode, e.Type, resp.Header
	}
	const page = "http://evil.example"
	for _, o := range ops {
		_, name, _ := strings.Cut(o.target, ".")
		public := o.public
		withAuth, _, hdr := send(o.target, map[string]string{"Origin": page, "Sec-Fetch-Site": "cross-site", "Authorization": "AWS4-HMAC-SHA256 x"})
		noAuthStatus, noAuthType, _ := send(o.target, map[string]string{"Origin": page, "Sec-Fetch-Site": "cross-site"})
		_, cliType, _ := send(o.target, nil)
		if public {
			if withAuth == http.StatusForbidden || noAuthStatus == http.StatusForbidden || hdr.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("%s (public): from a web page %d, %d (%s); want it to run, readable", name, withAuth, noAuthStatus, noAuthType)
			}
			if cliType == "MissingAuthenticationTokenException" {
				t.Errorf("%s (public): asks a non-browser client for credentials", name)
			}
			continue
		}
		if withAuth != http.StatusForbidden || noAuthStatus != http.StatusForbidden || noAuthType != "AccessDeniedException" {
			t.Errorf("%s (IAM): from a web page %d, %d (%s); want 403 AccessDeniedException", name, withAuth, noAuthStatus, noAuthType)
		}
		if hdr.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s (IAM): the refusal is readable by the page (ACAO %q)", name, hdr.Get("Access-Control-Allow-Origin"))
		}
		if cliType != "MissingAuthenticationTokenException" {
			t.Errorf("%s (IAM): without Authorization a non-browser client got %q; want MissingAuthenticationTokenException", name, cliType)
		}
	}
}
