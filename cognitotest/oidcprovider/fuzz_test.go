package oidcprovider

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const fuzzCallback = "http://127.0.0.1:9/cb"

func fuzzProvider(t testing.TB) *Provider {
	p, err := New(Config{
		Clients: []Client{{ID: "rp", Secret: "s", RedirectURIs: []string{fuzzCallback}}, {ID: "pub", RedirectURIs: []string{fuzzCallback + "?a=b"}}},
		Users:   []User{{Subject: "u1", Email: "u1@example.com"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// FuzzAuthorize: whatever the query, /authorize answers a page, an error
// page without redirect, or a redirect to a registered redirect URI.
func FuzzAuthorize(f *testing.F) {
	for _, s := range []string{
		"client_id=rp&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code&scope=openid&state=x",
		"client_id=pub&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb%3Fa%3Db&response_type=code&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
		"client_id=rp&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=token",
		"client_id=rp&client_id=rp", "%zz", "", "client_id=rp&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&scope=openid&response_type=code&prompt=none&login_hint=u1",
	} {
		f.Add(s)
	}
	p := fuzzProvider(f)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		req := httptest.NewRequest("GET", "/authorize", nil)
		req.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		p.authorize(rec, req)
		loc := rec.Header().Get("Location")
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestURITooLong:
			if loc != "" {
				t.Fatalf("status %d with a redirect to %q", rec.Code, loc)
			}
		case http.StatusFound:
			if !strings.HasPrefix(loc, fuzzCallback+"?") {
				t.Fatalf("redirect to %q, not a registered redirect URI", loc)
			}
			u, err := url.Parse(loc)
			if err != nil {
				t.Fatal(err)
			}
			if u.Query().Has("code") == u.Query().Has("error") {
				t.Fatalf("redirect %q has neither or both of code and error", loc)
			}
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}

// FuzzToken: whatever the body and Basic credentials, /token answers an
// RFC 6749 JSON error (there is no valid code to find).
func FuzzToken(f *testing.F) {
	f.Add("grant_type=authorization_code&code=x&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb", "rp", "s")
	f.Add("grant_type=authorization_code&code=x&client_id=pub", "", "")
	f.Add("client_secret=s&client_id=rp", "rp", "s")
	f.Add("%zz", "a%zz", "")
	p := fuzzProvider(f)
	f.Fuzz(func(t *testing.T, body, id, secret string) {
		req := httptest.NewRequest("POST", "/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if id != "" {
			req.SetBasicAuth(id, secret)
		}
		rec := httptest.NewRecorder()
		p.token(rec, req)
		var e struct {
			Error string `json:"error"`
		}
		if rec.Code != 400 && rec.Code != 401 {
			t.Fatalf("status %d; want 400 or 401", rec.Code)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
			t.Fatalf("body %q is not an RFC 6749 error", rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), "\"s\"") {
			t.Fatal("the secret is echoed")
		}
	})
}
