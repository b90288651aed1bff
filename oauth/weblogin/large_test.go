package weblogin_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
)

// randomText returns n incompressible base64url characters.
func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// randomPrintable returns n random printable ASCII characters that JSON
// does not escape: they compress to about 80%.
func randomPrintable(n int) string {
	const alphabet = "!#$%'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~ "
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// realisticGroups returns n group names as enterprises name them:
// department, environment and role, 20 to 40 characters each.
func realisticGroups(n int) []string {
	depts := []string{"finance-reporting", "platform-engineering", "customer-support", "data-science", "security-operations",
		"human-resources", "sales-emea", "sales-americas", "marketing-analytics", "legal-compliance", "product-design",
		"mobile-apps", "payments-core", "identity-access", "site-reliability", "procurement", "internal-audit",
		"partner-integrations", "warehouse-logistics", "research-labs", "executive-office", "it-helpdesk", "qa-automation",
		"billing-ops", "growth-experiments"}
	envs := []string{"prod", "staging", "dev", "sandbox"}
	roles := []string{"readers", "editors", "admins", "approvers"}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%s-%s", depts[i%len(depts)], envs[(i/len(depts))%len(envs)], roles[(i/(len(depts)*len(envs)))%len(roles)])
	}
	return out
}

// guidGroups returns n group names that are GUIDs, as directories such as
// Entra ID name them: the least compressible realistic names.
func guidGroups(n int) []string {
	out := make([]string, n)
	for i := range out {
		h := sha256.Sum256([]byte(fmt.Sprint(i)))
		x := hex.EncodeToString(h[:16])
		out[i] = x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
	}
	return out
}

// richAttributes are 20 profile and custom attributes of a realistic
// enterprise user (2.4 KB).
func richAttributes() map[string]string {
	return map[string]string{
		"name": "Alexandra Katherine Montgomery-Fitzgerald", "given_name": "Alexandra", "family_name": "Montgomery-Fitzgerald",
		"locale": "en-GB", "zoneinfo": "Europe/London", "phone_number": "+447700900123",
		"custom:tenant_id":    "6f1c2b9e-8a47-4d3e-9b21-5c7f0e8d4a63",
		"custom:employee_id":  "E-00482913",
		"custom:department":   "Platform Engineering / Identity & Access Management",
		"custom:cost_center":  "CC-4471-UK-LON",
		"custom:manager":      "jonathan.whitfield@example.com",
		"custom:office":       "London, 1 Canada Square, Floor 37",
		"custom:job_title":    "Principal Software Engineer, Identity Platform",
		"custom:clearance":    "internal-confidential",
		"custom:onboarded_at": "2019-03-18T09:00:00Z",
		"custom:preferences":  `{"theme":"dark","language":"en-GB","timezone":"Europe/London","notifications":{"email":true,"sms":false,"push":true}}`,
		"custom:permissions":  strings.Repeat("orders:read,orders:write,invoices:read,customers:read,reports:export,", 6),
		"custom:entitlements": strings.Repeat("github-enterprise,jira-software,confluence,pagerduty,datadog,", 5),
		"custom:projects":     "apollo,hermes,atlas,orion,zephyr,phoenix,titan,nebula,aurora,vega",
		"custom:regions":      "eu-west-1,eu-west-2,eu-central-1,us-east-1,us-west-2,ap-southeast-2",
	}
}

// A user in very many groups still signs in: the cookie store keeps the
// session compact (issue 11, item 9b). Before, the callback answered 500
// from about 50 groups on.
func TestLargeTokensSignIn(t *testing.T) {
	tests := []struct {
		name   string
		groups []string
	}{
		{"100 groups", realisticGroups(100)}, // Cognito's most groups per user
		{"200 GUID groups", guidGroups(200)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, siteOpt{})
			attrs := richAttributes()
			s.pool.MustCreateUser(cognitotest.UserConfig{Username: "big", Password: alicePass,
				Email: "alexandra.montgomery-fitzgerald@example.com", Attributes: attrs, Groups: tc.groups})
			tok := s.pool.MustMintTokens(s.ac.ID, "big", cognitotest.TokenScopes("openid", "email", "profile"))
			a := s.agent()
			_, body := a.get(s.ts.URL + "/me")
			resp, body := a.signIn(body, "big", alicePass)
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/me" {
				t.Fatalf("sign-in with a %d-byte access token and a %d-byte ID token: %d at %s: %.200s",
					len(tok.AccessToken), len(tok.IDToken), resp.StatusCode, resp.Request.URL.Path, body)
			}
			sorted := slices.Sorted(slices.Values(tc.groups))
			want := "groups=" + strings.Join(sorted, ",")
			if !strings.Contains(body, "user=big name="+attrs["name"]) || !strings.Contains(body, want) {
				t.Fatalf("/me = %.300s; want the user's name and all %d groups", body, len(tc.groups))
			}
			u, _ := url.Parse(s.ts.URL + "/")
			total, n := 0, 0
			for _, c := range a.jar.Cookies(u) {
				if strings.HasPrefix(c.Name, "cognito_session") {
					total += len(c.Name) + 1 + len(c.Value)
					n++
				}
			}
			t.Logf("access token %d B, ID token %d B, refresh token %d B: session in %d cookies, %d B",
				len(tok.AccessToken), len(tok.IDToken), len(tok.RefreshToken), n, total)
			if n > weblogin.DefaultMaxCookies {
				t.Errorf("session in %d cookies; want at most %d", n, weblogin.DefaultMaxCookies)
			}
			// The session survives a round trip: a custom attribute and
			// the tokens read back.
			if _, body := a.get(s.ts.URL + "/me"); !strings.Contains(body, want) || !strings.Contains(body, "tenant=") {
				t.Fatalf("second /me = %.200s", body)
			}
		})
	}
}

// A session that does not fit even so ends the sign-in on a clear page,
// not a 500, and says what to do; so does an ID token larger than the
// verifier accepts (16 KiB by default).
func TestTooLargeSessionPage(t *testing.T) {
	tests := []struct {
		name  string
		blobs int // attributes of 1750 characters that do not compress
	}{
		{"session over 3 cookies", 6}, // 10.5 KB: the ID token stays under 16 KiB
		{"ID token over 16 KiB", 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, siteOpt{})
			attrs := map[string]string{}
			for i := range tc.blobs {
				attrs[fmt.Sprintf("custom:blob%d", i)] = randomPrintable(1750)
			}
			s.pool.MustCreateUser(cognitotest.UserConfig{Username: "huge", Password: alicePass, Attributes: attrs})
			a := s.agent()
			_, body := a.get(s.ts.URL + "/me")
			resp, body := a.signIn(body, "huge", alicePass)
			wantTooLargePage(t, a, resp, body)
		})
	}
}

func wantTooLargePage(t *testing.T, a *agent, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusForbidden || resp.Request.URL.Path != "/auth/callback" {
		t.Fatalf("sign-in with oversized tokens: %d at %s; want 403 at the callback", resp.StatusCode, resp.Request.URL.Path)
	}
	if !strings.Contains(body, "too much information") || strings.Contains(body, `id="signin"`) {
		t.Fatalf("page = %.600s; want a clear explanation and no sign-in loop", body)
	}
	if a.cookie("cognito_session") != nil {
		t.Fatal("a session cookie was set")
	}
}

// A session that outgrows the cookies at a refresh (the user joined
// groups since signing in) ends cleanly: the browser is sent to sign in,
// which then explains the problem.
func TestSessionOutgrowsCookiesAtRefresh(t *testing.T) {
	s := newSite(t, siteOpt{})
	attrs := map[string]string{}
	for i := range 4 {
		attrs[fmt.Sprintf("custom:blob%d", i)] = randomPrintable(1750)
	}
	s.pool.MustCreateUser(cognitotest.UserConfig{Username: "growing", Password: alicePass, Attributes: attrs})
	a := s.agent()
	a.login("growing", alicePass)
	for _, g := range guidGroups(80) {
		if err := s.pool.AddUserToGroup("growing", g); err != nil {
			t.Fatal(err)
		}
	}
	s.clk.Add(59 * time.Minute) // the access token needs a refresh
	if !a.sentToSignIn(s.ts.URL + "/me") {
		t.Fatal("after a refresh too large for the cookies: want a redirect to sign in")
	}
	if a.cookie("cognito_session") != nil {
		t.Fatal("the ended session's cookie was not cleared")
	}
	resp, body := a.get(s.ts.URL + "/me") // the managed-login session signs in again
	wantTooLargePage(t, a, resp, body)
}
