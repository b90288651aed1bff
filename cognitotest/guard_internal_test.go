package cognitotest

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCORSRoutesExist: every route the guard opens to other origins is a
// route of the server, so a renamed route cannot silently lose (or keep)
// its CORS policy.
func TestCORSRoutesExist(t *testing.T) {
	s := NewServer(t)
	mux := s.newMux()
	for pattern := range corsRoutes {
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.ReplaceAll(strings.ReplaceAll(path, "{pool}", "us-east-1_x"), "{$}", "")
		_, got := mux.Handler(&http.Request{Method: method, URL: &url.URL{Path: path}, Host: "127.0.0.1"})
		if got != pattern {
			t.Errorf("corsRoutes[%q]: %s %s matches route %q; want the route itself", pattern, method, path, got)
		}
	}
}

// identityOps are the Cognito Identity operations the emulator implements
// (identityOp).
var identityOps = []string{
	"CreateIdentityPool", "DescribeIdentityPool", "UpdateIdentityPool", "DeleteIdentityPool", "ListIdentityPools",
	"SetIdentityPoolRoles", "GetIdentityPoolRoles", "GetId", "GetCredentialsForIdentity", "GetOpenIdToken",
	"GetOpenIdTokenForDeveloperIdentity", "LookupDeveloperIdentity", "MergeDeveloperIdentities",
	"UnlinkDeveloperIdentity", "UnlinkIdentity", "DescribeIdentity", "ListIdentities", "DeleteIdentities",
	"TagResource", "UntagResource", "ListTagsForResource",
}

// TestGuardEveryOperation sends every implemented operation through the
// real server, three ways: from a foreign web page with an Authorization
// header, from a foreign web page without one, and from a non-browser
// client without one. Operations Cognito authorizes with IAM must be
// refused the first two ways (403, before they run) and ask for
// credentials the third; public operations must run.
func TestGuardEveryOperation(t *testing.T) {
	s := NewServer(t)
	type op struct{ target string }
	var ops []op
	for name := range s.ops {
		if s.identityOp(name) != nil {
			t.Fatalf("%s is both a user pool and an identity operation", name)
		}
		ops = append(ops, op{targetPrefix + name})
	}
	for _, name := range identityOps {
		if s.identityOp(name) == nil {
			t.Fatalf("identityOps lists %s, which identityOp does not implement", name)
		}
		ops = append(ops, op{identityTargetPrefix + name})
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
		public := publicUserPoolOps[name] || publicIdentityOps[name]
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

func TestGuardHostRules(t *testing.T) {
	g, err := newGuard([]string{"Cognito", "192.168.1.20", "docker_svc.", "[fd00::1]"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g.allowListenHost("myhost.lan:9229")
	g.allowListenHost("[::]:9229")
	g.allowListenHost("0.0.0.0:9229")
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
		if got := g.hostAllowed(tc.host); got != tc.want {
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
		got, err := canonicalOrigin(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("canonicalOrigin(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"*", "null", "", "localhost:3000", "ftp://x", "http://", "http://x/app", "http://x?a=1", "http://u@x", "http://x#f", "http://bad host", "file:///tmp"} {
		if got, err := canonicalOrigin(bad); err == nil {
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
	g, err := newGuard([]string{"cognito"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, host string) {
		if !g.hostAllowed(host) {
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
		c, err := canonicalOrigin(in)
		if err != nil {
			return
		}
		if again, err := canonicalOrigin(c); err != nil || again != c {
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
	s := NewServer(b)
	mux := s.newMux()
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	guarded := s.withGuard(mux, noop)
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
			req.Header.Set("X-Amz-Target", targetPrefix+"InitiateAuth")
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
