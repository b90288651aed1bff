package weblogin_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
)

func bigGroups(n int) []string {
	depts := []string{"finance-reporting", "platform-engineering", "customer-support", "data-science", "security-operations",
		"human-resources", "sales-emea", "sales-americas", "marketing-analytics", "legal-compliance", "product-design",
		"mobile-apps", "payments-core", "identity-access", "site-reliability", "procurement", "internal-audit",
		"partner-integrations", "warehouse-logistics", "research-labs", "executive-office", "it-helpdesk", "qa-automation",
		"billing-ops", "growth-experiments"}
	envs := []string{"prod", "staging", "dev", "sandbox"}
	roles := []string{"readers", "editors", "admins", "approvers"}
	var out []string
	for i := 0; len(out) < n; i++ {
		out = append(out, fmt.Sprintf("%s-%s-%s", depts[i%len(depts)], envs[(i/len(depts))%len(envs)], roles[(i/(len(depts)*len(envs)))%len(roles)]))
	}
	return out
}

func bigAttrs() map[string]string {
	a := map[string]string{
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
		"custom:mfa_policy":   "totp-required",
		"custom:preferences":  `{"theme":"dark","language":"en-GB","timezone":"Europe/London","notifications":{"email":true,"sms":false,"push":true},"dashboard":["incidents","deploys","oncall","costs"]}`,
		"custom:permissions":  strings.Repeat("orders:read,orders:write,invoices:read,customers:read,reports:export,", 6),
		"custom:entitlements": strings.Repeat("github-enterprise,jira-software,confluence,pagerduty,datadog,", 5),
		"custom:projects":     "apollo,hermes,atlas,orion,zephyr,phoenix,titan,nebula,aurora,vega",
		"custom:regions":      "eu-west-1,eu-west-2,eu-central-1,us-east-1,us-west-2,ap-southeast-2",
	}
	return a
}

func TestZZMeasure(t *testing.T) {
	for _, n := range []int{0, 20, 50, 100, 150} {
		s := newSite(t, siteOpt{})
		s.pool.MustCreateUser(cognitotest.UserConfig{Username: "big", Password: alicePass, Email: "alexandra.montgomery-fitzgerald@example.com",
			Attributes: bigAttrs(), Groups: bigGroups(n)})
		tok := s.pool.MustMintTokens(s.ac.ID, "big", cognitotest.TokenScopes("openid", "email", "profile"))
		a := s.agent()
		_, body := a.get(s.ts.URL + "/me")
		resp, body := a.signIn(body, "big", alicePass)
		total := 0
		u := resp.Request.URL
		for _, c := range a.jar.Cookies(u) {
			total += len(c.Name) + len(c.Value)
		}
		t.Logf("groups=%d: access %d, id %d, refresh %d bytes; callback status %d at %s; cookies %d bytes", n, len(tok.AccessToken), len(tok.IDToken), len(tok.RefreshToken), resp.StatusCode, resp.Request.URL.Path, total)
	}
}
