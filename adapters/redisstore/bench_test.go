package redisstore_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitokit/cognitokit/adapters/redisstore"
	"github.com/cognitokit/cognitokit/internal/redistest"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
)

// benchSession is the size of a typical Cognito session: an access token
// of about 1 KB, a refresh token of about 1.8 KB, a few groups and the ID
// token's claims.
func benchSession() *weblogin.Session {
	s := testSession("3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b")
	s.AccessToken = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0." + strings.Repeat("eyJzdWIiOiIzZjJhMWI0Yy", 28) + "." + strings.Repeat("c2lnbmF0dXJl", 29)
	s.RefreshToken = strings.Repeat("eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ", 28)
	s.Groups = []string{"staff", "engineering", "on-call"}
	s.Claims = []byte(`{"sub":"3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b","email":"alice@example.com","name":"Alice Liddell","custom:tenant":"acme"}`)
	s.Expiry = time.Now().Add(time.Hour)
	return s
}

// BenchmarkSessionStore measures what a request pays to load its session:
// from the sealed cookies of weblogin's CookieStore, and from Redis (a
// local redis-server, one round trip over loopback), in one run so that
// the ratio holds. "parallel" loads from 8 goroutines per core, for the
// sessions per second one replica can serve; "save" is a sign-in.
func BenchmarkSessionStore(b *testing.B) {
	srv := redistest.Start(b)
	rc := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 64})
	defer rc.Close()
	rs, err := redisstore.NewSessionStore(redisstore.SessionStoreConfig{Client: rc})
	if err != nil {
		b.Fatal(err)
	}
	k, _ := weblogin.NewKey()
	cs, err := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: [][]byte{k}})
	if err != nil {
		b.Fatal(err)
	}
	stores := []struct {
		name  string
		store weblogin.SessionStore
	}{{"cookie", cs}, {"redis", rs}}
	for _, st := range stores {
		w := httptest.NewRecorder()
		if err := st.store.Save(w, httptest.NewRequest("GET", "/", nil), benchSession()); err != nil {
			b.Fatal(err)
		}
		req := httptest.NewRequest("GET", "/", nil)
		for _, c := range w.Result().Cookies() {
			req.AddCookie(c)
		}
		b.Run(st.name+"/load", func(b *testing.B) {
			b.ReportAllocs()
			if _, err := st.store.Load(req); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := st.store.Load(req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(st.name+"/load-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(8)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := st.store.Load(req); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sessions/s")
		})
		b.Run(st.name+"/save", func(b *testing.B) {
			b.ReportAllocs()
			r := httptest.NewRequest("GET", "/", nil)
			for b.Loop() {
				s := benchSession()
				if err := st.store.Save(discard{}, r, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) WriteHeader(int)             {}
