package grpcauth_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware/auth"
)

// TestOnDecision calls a real gRPC server over loopback: one call per
// judged unary call or stream, with its full method and the rejection's
// kind, including a method policy's failure; none for public methods.
func TestOnDecision(t *testing.T) {
	f := authtest.Get(t)
	var (
		mu  sync.Mutex
		got []string
	)
	take := func() string {
		mu.Lock()
		defer mu.Unlock()
		s := strings.Join(got, ",")
		got = nil
		return s
	}
	cfg := authConfig(t)
	cfg.OnDecision = func(ctx context.Context, fullMethod string, rej *auth.Rejection) {
		kind := "allowed"
		if rej != nil {
			kind = rej.Kind.String()
		}
		if ctx == nil {
			kind += " (nil ctx)"
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fullMethod+" "+kind)
	}
	a, err := grpcauth.New(f.Verifier, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.UnaryInterceptor(a.UnaryServerInterceptor()), grpc.StreamInterceptor(a.StreamServerInterceptor()))
	s.RegisterService(serviceDesc(f), nil)
	grpc_health_v1.RegisterHealthServer(s, countingHealth{f: f})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(lis) }()
	t.Cleanup(func() { s.Stop(); <-done })
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })

	bearer := func(tok string) []string {
		if tok == "" {
			return nil
		}
		return []string{"Bearer " + tok}
	}
	for _, c := range []struct {
		name  string
		route authtest.Route
		tok   string
		code  codes.Code
		want  string
	}{
		{"allowed", authtest.RouteAccess, f.AliceAccess, codes.OK, "allowed"},
		{"missing", authtest.RouteAccess, "", codes.Unauthenticated, "missing"},
		{"invalid", authtest.RouteAccess, f.Expired, codes.Unauthenticated, "invalid_token"},
		{"forbidden by a method policy", authtest.RouteAdmin, f.BobAccess, codes.PermissionDenied, "forbidden"},
		{"unavailable", authtest.RouteAccess, f.Unavailable, codes.Unavailable, "unavailable"},
		{"stream allowed", authtest.RouteStream, f.AliceAccess, codes.OK, "allowed"},
		{"stream missing", authtest.RouteStream, "", codes.Unauthenticated, "missing"},
		{"stream invalid", authtest.RouteStream, f.Expired, codes.Unauthenticated, "invalid_token"},
		{"public", authtest.RoutePublic, "", codes.OK, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			take()
			_, err := call(t.Context(), conn, c.route, bearer(c.tok))
			if status.Code(err) != c.code {
				t.Errorf("code %v (%v); want %v", status.Code(err), err, c.code)
			}
			want := ""
			if c.want != "" {
				want = methodOf(c.route) + " " + c.want
			}
			if got := take(); got != want {
				t.Errorf("decisions %q; want %q", got, want)
			}
		})
	}

	// A direct Authenticate call reports too; a nil context is not judged.
	take()
	if _, err := a.Authenticate(context.Background(), "/x.Y/Z"); status.Code(err) != codes.Unauthenticated {
		t.Errorf("Authenticate without a token: %v; want Unauthenticated", err)
	}
	//lint:ignore SA1012 a nil context is the input under test
	if _, err := a.Authenticate(nil, "/x.Y/Z"); err == nil {
		t.Error("Authenticate(nil): no error")
	}
	if got, want := take(), "/x.Y/Z missing"; got != want {
		t.Errorf("decisions %q; want %q", got, want)
	}
}
