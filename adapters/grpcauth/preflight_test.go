package grpcauth_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"google.golang.org/grpc"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
)

// gRPC has no preflight bypass: gRPC-Go refuses every HTTP method but
// POST before interceptors or handlers run, both on its own HTTP/2
// transport and through Server.ServeHTTP. This pins that down, since a
// CORS preflight (OPTIONS with Access-Control-Request-Method) reached
// protected handlers in the HTTP adapters (issue 11, item 1).
func TestPreflightNeverReachesHandlers(t *testing.T) {
	f := authtest.Get(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	newGRPC(t, f, lis) // native gRPC transport on loopback

	a, err := grpcauth.New(f.Verifier, authConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.UnaryInterceptor(a.UnaryServerInterceptor()), grpc.StreamInterceptor(a.StreamServerInterceptor()))
	s.RegisterService(serviceDesc(f), nil)
	t.Cleanup(s.Stop)
	hs := httptest.NewUnstartedServer(s) // gRPC mounted as an http.Handler (the grpc-web route)
	hs.EnableHTTP2 = true
	hs.StartTLS()
	t.Cleanup(hs.Close)

	var h2c http.Protocols
	h2c.SetUnencryptedHTTP2(true)
	clients := map[string]struct {
		base string
		c    *http.Client
	}{
		"native":    {"http://" + lis.Addr().String(), &http.Client{Transport: &http.Transport{Protocols: &h2c}}},
		"ServeHTTP": {hs.URL, hs.Client()},
	}
	for name, cl := range clients {
		for _, route := range []authtest.Route{authtest.RouteAccess, authtest.RouteAdmin, authtest.RouteStream} {
			for _, ct := range []string{"", "application/grpc", "application/grpc-web+proto"} {
				r, _ := http.NewRequest(http.MethodOptions, cl.base+methodOf(route), nil)
				r.Header.Set("Access-Control-Request-Method", "POST")
				r.Header.Set("Access-Control-Request-Headers", "content-type,x-grpc-web")
				r.Header.Set("Origin", "https://evil.example")
				if ct != "" {
					r.Header.Set("Content-Type", ct)
				}
				before := f.Hits.Load()
				res, err := cl.c.Do(r)
				if err != nil {
					t.Fatalf("%s OPTIONS %s: %v", name, route, err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if hits := f.Hits.Load() - before; hits != 0 {
					t.Errorf("%s: OPTIONS %s (Content-Type %q) ran the handler", name, route, ct)
				}
				if res.ProtoMajor != 2 {
					t.Fatalf("%s: the request used HTTP/%d; want HTTP/2", name, res.ProtoMajor)
				}
				if res.StatusCode != http.StatusMethodNotAllowed && res.StatusCode != http.StatusUnsupportedMediaType {
					t.Errorf("%s: OPTIONS %s (Content-Type %q): status %d; want 405 or 415", name, route, ct, res.StatusCode)
				}
			}
		}
	}
}
