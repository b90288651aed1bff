package weblogin_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/oauth/weblogin"
)

// FuzzLocalPath checks that every accepted return-to path stays on the
// site however a browser reads it.
func FuzzLocalPath(f *testing.F) {
	for _, s := range openRedirects {
		f.Add(s)
	}
	for _, s := range []string{"/", "/me", "/me?tab=1&x=%2F", "/a/b#frag", "/caf%C3%A9", "/%2e%2e/x", "/a%5Cb"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://app.example/dir/page")
	f.Fuzz(func(t *testing.T, p string) {
		if !weblogin.LocalPath(p) {
			return
		}
		forms := []string{p}
		for s := p; strings.Contains(s, "%"); {
			d, err := url.PathUnescape(s)
			if err != nil || d == s {
				break
			}
			forms = append(forms, d)
			s = d
		}
		for _, s := range forms[:min(len(forms), 3)] {
			// WHATWG URL parsing drops tabs and newlines and reads
			// backslashes as slashes in special schemes.
			b := strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(s)
			if !strings.HasPrefix(b, "/") || strings.HasPrefix(b, "//") {
				t.Fatalf("LocalPath(%q) = true, but a browser reads %q", p, b)
			}
		}
		ref, err := url.Parse(p)
		if err != nil {
			t.Fatalf("LocalPath(%q) = true, but url.Parse fails: %v", p, err)
		}
		if u := base.ResolveReference(ref); u.Host != "app.example" || u.Scheme != "https" {
			t.Fatalf("LocalPath(%q) = true, but it resolves to %s", p, u)
		}
	})
}

// FuzzCookieStoreLoad feeds arbitrary session cookies to the store: it must
// never panic, and only the genuine sealed value may open.
func FuzzCookieStoreLoad(f *testing.F) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i + 1)
	}
	now := time.Unix(1_800_000_000, 0)
	cs, err := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: [][]byte{key}, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	rec := httptest.NewRecorder()
	sess := &weblogin.Session{Subject: "genuine", AccessToken: "at", Expiry: now.Add(time.Hour), CreatedAt: now}
	if err := cs.Save(rec, httptest.NewRequest("GET", "/", nil), sess); err != nil {
		f.Fatal(err)
	}
	valid := rec.Result().Cookies()[0].Value
	f.Add(valid, "")
	f.Add(valid[:len(valid)/2], "")
	f.Add("2."+valid[2:], valid[10:])
	f.Add("1.", "")
	f.Add("9."+strings.Repeat("A", 64), "")
	f.Add("1.AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "")
	f.Fuzz(func(t *testing.T, v0, v1 string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Add("Cookie", (&http.Cookie{Name: cs.Name(), Value: sanitize(v0)}).String())
		req.Header.Add("Cookie", (&http.Cookie{Name: cs.Name() + "_1", Value: sanitize(v1)}).String())
		s, err := cs.Load(req)
		if err == nil && s.Subject != "genuine" {
			t.Fatalf("a forged cookie opened: %+v", s)
		}
	})
}

// sanitize keeps the bytes a cookie value may hold.
func sanitize(v string) string {
	return strings.Map(func(r rune) rune {
		if r <= 0x20 || r >= 0x7f || r == '"' || r == ';' || r == '\\' || r == ',' {
			return -1
		}
		return r
	}, v)
}
