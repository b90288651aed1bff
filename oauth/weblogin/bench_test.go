package weblogin_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/oauth/weblogin"
)

func benchSession() *weblogin.Session {
	now := time.Now()
	return &weblogin.Session{
		Subject: "70f7ba32-919d-4044-a0b7-d42e5fac7e55", Username: "alice", Email: "alice@example.com", Name: "Alice Liddell",
		Groups: []string{"staff", "readers"}, AccessToken: strings.Repeat("a", 1100), RefreshToken: strings.Repeat("r", 1700),
		Expiry: now.Add(time.Hour), AuthTime: now, CreatedAt: now, Claims: []byte(`{"sub":"70f7ba32","email":"alice@example.com","custom:tenant":"acme"}`),
	}
}

// largeSession is the session of a user in 100 groups with 20 attributes
// (a 5.3 KB access token and 5.6 KB of ID token claims), built without
// the emulator.
func largeSession() *weblogin.Session {
	s := benchSession()
	groups, _ := json.Marshal(realisticGroups(100))
	attrs, _ := json.Marshal(richAttributes())
	enc := base64.RawURLEncoding
	sig := make([]byte, 256)
	rand.Read(sig)
	s.AccessToken = enc.EncodeToString([]byte(`{"kid":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=","alg":"RS256"}`)) + "." +
		enc.EncodeToString([]byte(`{"sub":"70f7ba32-919d-4044-a0b7-d42e5fac7e55","cognito:groups":`+string(groups)+
			`,"iss":"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI","client_id":"3k8v9ab1c2d3e4f5g6h7i8j9k0","origin_jti":"5b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0","event_id":"6c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1","token_use":"access","scope":"openid profile email","auth_time":1780000000,"exp":1780003600,"iat":1780000000,"jti":"7d3e4f50-6172-8394-a5b6-c7d8e9f0a1b2","username":"alice"}`)) +
		"." + enc.EncodeToString(sig)
	s.Groups = realisticGroups(100)
	s.Claims = json.RawMessage(`{"sub":"70f7ba32-919d-4044-a0b7-d42e5fac7e55","cognito:groups":` + string(groups) + `,"attrs":` + string(attrs) + `}`)
	return s
}

// BenchmarkCookieStore measures sealing and opening a session: "typical"
// (1.1 KB access token, 1.7 KB refresh token) and "100groups"
// (largeSession).
func BenchmarkCookieStore(b *testing.B) {
	b.Run("typical", func(b *testing.B) { benchCookieStore(b, benchSession()) })
	b.Run("100groups", func(b *testing.B) { benchCookieStore(b, largeSession()) })
}

func benchCookieStore(b *testing.B, sess *weblogin.Session) {
	key, _ := weblogin.NewKey()
	old, _ := weblogin.NewKey()
	cs, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: [][]byte{key, old}})
	req := httptest.NewRequest("GET", "/", nil)
	b.Run("Save", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			if err := cs.Save(rec, req, sess); err != nil {
				b.Fatal(err)
			}
		}
	})
	rec := httptest.NewRecorder()
	if err := cs.Save(rec, req, sess); err != nil {
		b.Fatal(err)
	}
	load := httptest.NewRequest("GET", "/", nil)
	for _, c := range rec.Result().Cookies() {
		load.AddCookie(c)
	}
	b.Run("Load", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cs.Load(load); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMemoryStoreLoad is the server-side store's read, for the ratio
// against the cookie store.
func BenchmarkMemoryStoreLoad(b *testing.B) {
	ms, _ := weblogin.NewMemoryStore(weblogin.MemoryStoreConfig{})
	rec := httptest.NewRecorder()
	if err := ms.Save(rec, httptest.NewRequest("GET", "/", nil), benchSession()); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ms.Load(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLocalPath(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if !weblogin.LocalPath("/orders/123?tab=items&sort=asc") || weblogin.LocalPath("/%2F%2Fevil.com") {
			b.Fatal("wrong verdict")
		}
	}
}

// BenchmarkRequireLogin is the per-request cost of a protected route with
// a cookie session (no refresh due).
func BenchmarkRequireLogin(b *testing.B) {
	s := newSite(b, siteOpt{})
	cs, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: s.keys, Insecure: true})
	rec := httptest.NewRecorder()
	sess := benchSession()
	sess.Expiry = s.clk.Now().Add(time.Hour)
	sess.CreatedAt = s.clk.Now()
	if err := cs.Save(rec, httptest.NewRequest("GET", "/", nil), sess); err != nil {
		b.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	h := s.h.RequireLogin(ok)
	req := httptest.NewRequest("GET", "/me", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}
