package packagetests_test

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/guard"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

func TestGuardHostRules(t *testing.T) {
	g, err := guard.New([]string{"Cognito", "192.168.1.20", "docker_svc.", "[fd00::1]"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g.AllowListenHost("myhost.lan:9229")
	g.AllowListenHost("[::]:9229")
	g.AllowListenHost("0.0.0.0:9229")
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"localhost", true}, {"localhost:1", true}, {"LOCALHOST.:1", true},
		{"127.0.0.1", true}, {"127.255.255.254:80", true}, {"[::1]:1", true}, {"[::1]", true}, {"::1", true},
		{"[::ffff:127.0.0.1]:1", true},
		{"cognito:9229", true}, {"COGNITO", true}, {"192.168.1.20:1", true}, {"docker_svc:1", true},
		{"[fd00::1]:1", true}, {"[FD00:0::1]:1", true},
		{"myhost.lan:1", true}, {"[::]:9229", true}, {"0.0.0.0:9229", true},
		{"", false}, {":80", false}, {"evil.example", false}, {"cognito.evil.example", false},
		{"localhost.evil.example", false}, {"sub.localhost", false}, {"127.0.0.1.nip.io", false},
		{"192.168.1.21", false}, {"[127.0.0.1]:1", false}, {"[fd00::2]:1", false},
		{"local host", false}, {"cognito/x", false}, {"cognito@x", false}, {"[::1", false},
		{strings.Repeat("a", 300), false},
	} {
		if got := g.HostAllowed(tc.host); got != tc.want {
			t.Errorf("hostAllowed(%q) = %t; want %t", tc.host, got, tc.want)
		}
	}
}

func TestGuardOriginRules(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://localhost:3000", "http://localhost:3000"},
		{"http://LocalHost:3000/", "http://localhost:3000"},
		{"https://app.example.com:443", "https://app.example.com"},
		{"http://127.0.0.1:80", "http://127.0.0.1"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"HTTPS://App.Example.com", "https://app.example.com"},
	} {
		got, err := guard.CanonicalOrigin(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("canonicalOrigin(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"*", "null", "", "localhost:3000", "ftp://x", "http://", "http://x/app", "http://x?a=1", "http://u@x", "http://x#f", "http://bad host", "file:///tmp"} {
		if got, err := guard.CanonicalOrigin(bad); err == nil {
			t.Errorf("canonicalOrigin(%q) = %q; want an error", bad, got)
		}
	}
}

// FuzzGuardHost: hostAllowed never panics, and allows only loopback
// names, loopback addresses and the allowed host.
func FuzzGuardHost(f *testing.F) {
	for _, s := range []string{"localhost:1", "127.0.0.1", "[::1]:80", "evil.example", "cognito:1", "[::ffff:127.0.0.1]", "LOCALHOST.", "[", "::1", "0x7f.1"} {
		f.Add(s)
	}
	g, err := guard.New([]string{"cognito"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, host string) {
		if !g.HostAllowed(host) {
			return
		}
		h := host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			h = hh
		}
		h = strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
		if h == "localhost" || h == "cognito" {
			return
		}
		if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
			return
		}
		t.Fatalf("hostAllowed(%q) = true", host)
	})
}

// FuzzGuardOrigin: canonicalOrigin never panics, and what it accepts is a
// fixed point that the standard library accepts as a trusted origin.
func FuzzGuardOrigin(f *testing.F) {
	for _, s := range []string{"http://localhost:3000", "https://a.example:443/", "*", "null", "http://[::1]:1", "http://x/y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := guard.CanonicalOrigin(in)
		if err != nil {
			return
		}
		if again, err := guard.CanonicalOrigin(c); err != nil || again != c {
			t.Fatalf("canonicalOrigin(%q) = %q, but canonicalOrigin(%q) = %q, %v", in, c, c, again, err)
		}
		if err := http.NewCrossOriginProtection().AddTrustedOrigin(c); err != nil {
			t.Fatalf("canonicalOrigin(%q) = %q, refused by CrossOriginProtection: %v", in, c, err)
		}
	})
}

// BenchmarkGuard measures what the guard adds to a request: the Host
// check, the route lookup, the cross-origin check and the CORS headers,
// around a handler that does nothing.
func BenchmarkGuard(b *testing.B) {
	reg := emulator.NewRegistry()
	reg.Add(emulator.Op{Service: emulator.UserPools, Name: "InitiateAuth", Public: true, Handler: func(*emulator.Call) (any, error) { return nil, nil }})
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	routes := []emulator.Route{{Pattern: "POST /{$}", Access: emulator.APIAccess, Handler: noop}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{$}", noop)
	g, err := guard.New(nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	g.AllowListenHost("127.0.0.1:9229")
	guarded := g.Wrap(mux, routes, reg, slog.New(slog.DiscardHandler), noop)
	for _, bc := range []struct {
		name   string
		origin string
		h      http.Handler
	}{
		{"none", "", noop},
		{"guard/sdk", "", guarded},
		{"guard/page", "http://localhost:3000", guarded},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9229/", nil)
			req.Header.Set("X-Amz-Target", wire.UserPoolTarget+"InitiateAuth")
			if bc.origin != "" {
				req.Header.Set("Origin", bc.origin)
				req.Header.Set("Sec-Fetch-Site", "same-site")
			}
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}
