package cognitotest_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestSeedRoundTrip: a seed with every setting, applied and exported, then
// the export applied to a new server and exported again, gives the same
// bytes; users keep their passwords through their verifiers.
func TestSeedRoundTrip(t *testing.T) {
	t.Parallel()
	seed := must(cognitotest.ParseSeed(must(os.ReadFile("testdata/seed-full.json"))))
	a := cognitotest.NewServer(t, fastKeys())
	must(a.ApplySeed(seed))
	e1 := must(must(a.Export()).Encode())

	again, err := cognitotest.ParseSeed(e1)
	if err != nil {
		t.Fatalf("ParseSeed(export): %v\n%s", err, e1)
	}
	b := cognitotest.NewServer(t, fastKeys())
	if _, err := b.ApplySeed(again); err != nil {
		t.Fatalf("ApplySeed(export): %v\n%s", err, e1)
	}
	e2 := must(must(b.Export()).Encode())
	if !bytes.Equal(e1, e2) {
		t.Errorf("seed -> export -> seed -> export differs:\nfirst  %s\nsecond %s", e1, e2)
	}
	if testing.Verbose() {
		t.Logf("export:\n%s", e1)
	}
	// The export keeps what the seed set of the pool settings (message
	// templates), the MFA configuration and the Lambda triggers, not
	// merely the same thing twice.
	var templates, mfa, triggers int
	for _, in := range seed.Pools {
		i := slices.IndexFunc(again.Pools, func(p cognitotest.SeedPool) bool { return p.ID == in.ID })
		if i < 0 {
			t.Errorf("pool %s is not exported", in.ID)
			continue
		}
		out := again.Pools[i]
		if !reflect.DeepEqual(out.MessageTemplates, in.MessageTemplates) {
			t.Errorf("pool %s: exported message_templates %+v; want %+v", in.ID, out.MessageTemplates, in.MessageTemplates)
		}
		if !reflect.DeepEqual(out.MFAConfig, in.MFAConfig) {
			t.Errorf("pool %s: exported mfa_config %+v; want %+v", in.ID, out.MFAConfig, in.MFAConfig)
		}
		if !reflect.DeepEqual(out.LambdaTriggers, in.LambdaTriggers) {
			t.Errorf("pool %s: exported lambda_triggers %+v; want %+v", in.ID, out.LambdaTriggers, in.LambdaTriggers)
		}
		if in.MessageTemplates != nil {
			templates++
		}
		if in.MFAConfig != nil {
			mfa++
		}
		if in.LambdaTriggers != nil {
			triggers++
		}
	}
	if templates == 0 || mfa == 0 || triggers == 0 {
		t.Errorf("testdata/seed-full.json: %d pools with message_templates, %d with mfa_config, %d with lambda_triggers; want all",
			templates, mfa, triggers)
	}

	// The users of the second server sign in with the seed's passwords.
	pool := must(b.Pool("us-east-1_Full"))
	e := &env{srv: b, pool: pool, api: apiAt(b.URL())}
	web := must(pool.Client("webclient"))
	if out, err := e.passwordLogin(web, "alice", "Alice-Passw0rd"); err != nil || out.AuthenticationResult == nil {
		t.Errorf("USER_PASSWORD_AUTH after the round trip: %v", err)
	}
	if _, err := e.srpLogin(web, "alice@example.com", "Alice-Passw0rd"); err != nil {
		t.Errorf("USER_SRP_AUTH with the email alias after the round trip: %v", err)
	}
	if _, err := e.passwordLogin(web, "alice", "Wrong-Passw0rd"); err == nil {
		t.Error("a wrong password signs in after the round trip")
	}

	// Alice's links to provider users (AdminLinkProviderForUser) come
	// through: exported as the seed gave them, and applied as links, which
	// her identities attribute lists.
	userIn := func(sd *cognitotest.Seed, pool, user string) cognitotest.SeedUser {
		for _, p := range sd.Pools {
			for _, u := range p.Users {
				if p.ID == pool && u.Username == user {
					return u
				}
			}
		}
		t.Fatalf("the seed has no user %s in %s", user, pool)
		return cognitotest.SeedUser{}
	}
	want := userIn(seed, "us-east-1_Full", "alice").Links
	if got := userIn(again, "us-east-1_Full", "alice").Links; len(want) != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("exported links of alice: %+v; want %+v", got, want)
	}
	ids := must(pool.User("alice")).Attributes["identities"]
	for _, l := range want {
		if !strings.Contains(ids, `"providerName":"`+l.Provider+`"`) || !strings.Contains(ids, `"userId":"`+l.AttributeValue+`"`) {
			t.Errorf("alice's identities attribute %s lacks the link to %s %s", ids, l.Provider, l.AttributeValue)
		}
	}
}

// TestSeedSettingsAct: the settings of a seed change what the emulator
// does, seen through the AWS SDK.
func TestSeedSettingsAct(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	must(srv.ApplySeed(must(cognitotest.ParseSeed(must(os.ReadFile("testdata/seed-full.json"))))))
	pool := must(srv.Pool("us-east-1_Full"))
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	e := &env{srv: srv, pool: pool, api: api}
	web := must(pool.Client("webclient"))
	poolID := aws.String(pool.ID())
	create := func(name, pw string, attrs map[string]string) error {
		in := &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String(name), TemporaryPassword: aws.String(pw), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String(name)}}}
		for k, v := range attrs {
			in.UserAttributes = append(in.UserAttributes, types.AttributeType{Name: aws.String(k), Value: aws.String(v)})
		}
		_, err := api.AdminCreateUser(ctx(), in)
		return err
	}

	t.Run("password policy", func(t *testing.T) {
		wantErr[*types.InvalidPasswordException](t, create("short", "Short1x", nil), "a password under the minimum length of 10")
		noErr(t, create("nosymbol", "Abcdefghi1", nil)) // symbols are not required
	})
	t.Run("custom attributes", func(t *testing.T) {
		wantErr[*types.InvalidParameterException](t, create("u1", "Abcdefghi1", map[string]string{"custom:undeclared": "x"}), "an undeclared custom attribute")
		wantErr[*types.InvalidParameterException](t, create("u2", "Abcdefghi1", map[string]string{"custom:tier": "9"}), "a Number above its max")
		wantErr[*types.InvalidParameterException](t, create("u3", "Abcdefghi1", map[string]string{"custom:tenant": "x"}), "a String under its min length")
		update := func(name, value string) error {
			_, err := api.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: poolID, Username: aws.String("alice"),
				UserAttributes: []types.AttributeType{{Name: aws.String(name), Value: aws.String(value)}}})
			return err
		}
		wantErr[*types.InvalidParameterException](t, update("custom:origin", "api"), "changing an immutable attribute")
		noErr(t, update("custom:tenant", "globex"))
	})
	t.Run("required attributes", func(t *testing.T) {
		_, err := api.SignUp(ctx(), &cip.SignUpInput{ClientId: aws.String(web.ID), Username: aws.String("noname"), Password: aws.String("Abcdefghi1"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("noname@example.com")}}})
		wantErr[*types.InvalidParameterException](t, err, "a sign-up without the required name")
	})
	t.Run("auto-verified email", func(t *testing.T) {
		out, err := api.SignUp(ctx(), &cip.SignUpInput{ClientId: aws.String(web.ID), Username: aws.String("gina"), Password: aws.String("Abcdefghi1"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("gina@example.com")}, {Name: aws.String("name"), Value: aws.String("Gina")}}})
		if err != nil || out.CodeDeliveryDetails == nil || aws.ToString(out.CodeDeliveryDetails.AttributeName) != "email" {
			t.Errorf("SignUp = %+v, %v; want a code sent to the email", out, err)
		}
	})
	t.Run("prevent user existence errors", func(t *testing.T) {
		_, err := e.passwordLogin(web, "nobody", "Abcdefghi1")
		wantErr[*types.NotAuthorizedException](t, err, "an unknown user on a client that hides user existence")
	})
	t.Run("tokens", func(t *testing.T) {
		out := must(e.passwordLogin(web, "ally", "Alice-Passw0rd")) // the preferred_username alias
		if out.AuthenticationResult == nil {
			t.Fatalf("alice: %s", out.ChallengeName)
		}
		if out.AuthenticationResult.NewDeviceMetadata == nil {
			t.Error("no NewDeviceMetadata: the pool tracks devices")
		}
		id, access := claimsOf(t, aws.ToString(out.AuthenticationResult.IdToken)), claimsOf(t, aws.ToString(out.AuthenticationResult.AccessToken))
		if d := access["exp"].(float64) - access["iat"].(float64); d != 15*60 {
			t.Errorf("access token lifetime %vs; want 15m", d)
		}
		if d := id["exp"].(float64) - id["iat"].(float64); d != 30*60 {
			t.Errorf("ID token lifetime %vs; want 30m", d)
		}
		if fmt.Sprint(id["cognito:roles"]) != "[arn:aws:iam::123456789012:role/admin arn:aws:iam::123456789012:role/staff]" ||
			id["cognito:preferred_role"] != "arn:aws:iam::123456789012:role/admin" {
			t.Errorf("group roles: cognito:roles %v, cognito:preferred_role %v", id["cognito:roles"], id["cognito:preferred_role"])
		}
		if id["custom:tenant"] == nil || id["custom:tier"] != nil {
			t.Errorf("read attributes: custom:tenant %v, custom:tier %v; want only the readable one", id["custom:tenant"], id["custom:tier"])
		}
		// The identity pool maps the login by the token's preferred role.
		ids := ci.NewFromConfig(srv.AWSConfig(), func(o *ci.Options) { o.RetryMaxAttempts = 1 })
		logins := map[string]string{cognitotest.IdentityProviderName(pool.ID()): aws.ToString(out.AuthenticationResult.IdToken)}
		got := must(ids.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: aws.String("us-east-1:11111111-2222-4333-8444-555555555555"), Logins: logins}))
		creds := must(ids.GetCredentialsForIdentity(ctx(), &ci.GetCredentialsForIdentityInput{IdentityId: got.IdentityId, Logins: logins}))
		if ic, _ := srv.IssuedCredentials(aws.ToString(creds.Credentials.AccessKeyId)); ic.RoleARN != "arn:aws:iam::123456789012:role/admin" {
			t.Errorf("credentials for role %q; want the admin group's role", ic.RoleARN)
		}
		if d := time.Until(aws.ToTime(creds.Credentials.Expiration)); d > 31*time.Minute || d < 25*time.Minute {
			t.Errorf("credentials expire in %v; want the pool's 30m", d)
		}
	})
	t.Run("first factors", func(t *testing.T) {
		out := must(api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(web.ID),
			AuthParameters: map[string]string{"USERNAME": "alice"}}))
		if got := strings.Join(toStrings(out.AvailableChallenges), ","); got != "PASSWORD,PASSWORD_SRP,EMAIL_OTP" {
			t.Errorf("AvailableChallenges %s; want PASSWORD,PASSWORD_SRP,EMAIL_OTP", got)
		}
	})
	t.Run("statuses and MFA", func(t *testing.T) {
		if out := must(e.passwordLogin(web, "carol", "Carol-Temp-1")); out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Errorf("temporary password: challenge %q; want NEW_PASSWORD_REQUIRED", out.ChallengeName)
		}
		_, err := e.passwordLogin(web, "dave", "Dave-Passw0rd")
		wantErr[*types.UserNotConfirmedException](t, err, "an unconfirmed user")
		_, err = e.passwordLogin(web, "gus", "Gus-Passw0rd1")
		wantErr[*types.NotAuthorizedException](t, err, "a disabled user")
		_, err = api.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{UserPoolId: poolID, ClientId: aws.String(web.ID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "erin", "PASSWORD": "anything-1A"}})
		if err == nil {
			t.Error("a user without a password signed in")
		}
		if out := must(e.passwordLogin(web, "bob", "Bob-Passw0rd1")); out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
			t.Errorf("bob: challenge %q; want SOFTWARE_TOKEN_MFA (authenticator app, pool MFA optional)", out.ChallengeName)
		}
	})
	t.Run("MFA configuration", func(t *testing.T) {
		cfg := must(api.GetUserPoolMfaConfig(ctx(), &cip.GetUserPoolMfaConfigInput{UserPoolId: poolID}))
		if !cfg.SoftwareTokenMfaConfiguration.Enabled || aws.ToString(cfg.SmsMfaConfiguration.SmsAuthenticationMessage) != "Full sign-in code {####}" ||
			aws.ToString(cfg.SmsMfaConfiguration.SmsConfiguration.SnsCallerArn) != "arn:aws:iam::123456789012:role/sns" ||
			aws.ToString(cfg.EmailMfaConfiguration.Subject) != "Your Full code" || aws.ToString(cfg.WebAuthnConfiguration.RelyingPartyId) != "auth.example.com" {
			t.Errorf("GetUserPoolMfaConfig of the seeded pool: %+v", cfg)
		}
		noErr(t, create("mona", "Abcdefghi1", map[string]string{"phone_number": "+15555550142"}))
		_, err := api.AdminSetUserPassword(ctx(), &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String("mona"), Password: aws.String("Abcdefghi1"), Permanent: true})
		noErr(t, err)
		_, err = api.AdminSetUserMFAPreference(ctx(), &cip.AdminSetUserMFAPreferenceInput{UserPoolId: poolID, Username: aws.String("mona"),
			SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}})
		noErr(t, err)
		if out := must(e.passwordLogin(web, "mona", "Abcdefghi1")); out.ChallengeName != types.ChallengeNameTypeSmsMfa {
			t.Fatalf("mona: challenge %q; want SMS_MFA", out.ChallengeName)
		}
		m, _ := srv.LastMessage("mona", cognitotest.MsgSMSMFA)
		if want := "Full sign-in code " + m.Code; m.Text != want {
			t.Errorf("SMS text %q; want the pool's template %q", m.Text, want)
		}
	})
	t.Run("client credentials", func(t *testing.T) {
		token := func(scope string) int {
			req, _ := http.NewRequest("POST", srv.OAuthDomain()+"/oauth2/token", strings.NewReader("grant_type=client_credentials&scope="+url.QueryEscape(scope)))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("backend", "s3cr3t-backend")
			resp, err := srv.HTTPClient().Do(req)
			noErr(t, err)
			resp.Body.Close()
			return resp.StatusCode
		}
		if code := token("https://api.example.com/write"); code != 200 {
			t.Errorf("client_credentials with an allowed scope: status %d", code)
		}
		if code := token("https://api.example.com/read"); code != 400 {
			t.Errorf("client_credentials with a scope the client is not allowed: status %d; want 400", code)
		}
		if c := must(pool.Client("backend")); c.Secret != "s3cr3t-backend" {
			t.Errorf("backend secret %q", c.Secret)
		}
		if c := must(srv.Pool("us-east-1_Full")).Clients()[2]; c.Secret == "" || c.Name != "generated" {
			t.Errorf("generated client: %+v", c)
		}
	})
}

// TestExportEndpoint: GET /_cognitokit/export serves the seed of Export to
// the emulator's own origin and to non-browser clients; pages of other
// origins cannot read it (the secrets in it).
func TestExportEndpoint(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	p := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Exp"})
	app := p.MustCreateClient(cognitotest.ClientConfig{GenerateSecret: true})
	get := func(h map[string]string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", srv.URL()+cognitotest.ExportPath, nil)
		for k, v := range h {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, v)
			}
		}
		resp, err := srv.HTTPClient().Do(req)
		noErr(t, err)
		defer resp.Body.Close()
		var b strings.Builder
		_, err = io.Copy(&b, resp.Body)
		noErr(t, err)
		return resp, b.String()
	}
	resp, body := get(nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	seed, err := cognitotest.ParseSeed([]byte(body))
	if err != nil || len(seed.Pools) != 1 || seed.Pools[0].Clients[0].Secret != app.Secret {
		t.Fatalf("export body does not parse as the seed of the server: %v\n%s", err, body)
	}
	if want := string(must(must(srv.Export()).Encode())); body != want {
		t.Errorf("GET export differs from Export:\n%s\n%s", body, want)
	}
	resp, body = get(map[string]string{"Origin": srv.URL(), "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != 200 || !strings.Contains(body, app.Secret) {
		t.Errorf("from the emulator's own origin: %d", resp.StatusCode)
	}
	for _, h := range []map[string]string{
		{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
		{"Origin": "http://localhost:5173", "Sec-Fetch-Site": "same-site"},
		{"Host": "evil.example"}, // DNS rebinding
	} {
		resp, body := get(h)
		if resp.StatusCode != http.StatusForbidden || strings.Contains(body, app.Secret) || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%v: status %d, ACAO %q; want 403 without the secret", h, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	// A browser that sends Origin without Sec-Fetch-Site gets no CORS
	// header, so the page cannot read the answer.
	if resp, _ := get(map[string]string{"Origin": "http://evil.example"}); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a cross-origin read is allowed: ACAO %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
}
