package grpcauth_test

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/verifier"
)

// BenchmarkUnary compares, in one run, an in-process (bufconn) unary call
// without interceptors and the same call through the auth interceptor
// with a token in the verifier's cache; the token is sent in both runs so
// that only the server-side work differs.
func BenchmarkUnary(b *testing.B) {
	f := authtest.Get(b)
	a, err := grpcauth.New(f.Steady, authConfig(b))
	if err != nil {
		b.Fatal(err)
	}
	run := func(opts ...grpc.ServerOption) func(b *testing.B) {
		return func(b *testing.B) {
			lis := bufconn.Listen(1 << 20)
			s := grpc.NewServer(opts...)
			s.RegisterService(serviceDesc(f), nil)
			go s.Serve(lis)
			defer s.Stop()
			conn, err := grpc.NewClient("passthrough:///bufnet",
				grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
				grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+f.AliceAccess)
			in, out := &emptypb.Empty{}, new(wrapperspb.StringValue)
			method := methodOf(authtest.RouteOrders)
			if err := conn.Invoke(ctx, method, in, out); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := conn.Invoke(ctx, method, in, out); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("bare", run())
	b.Run("auth", run(grpc.UnaryInterceptor(a.UnaryServerInterceptor())))
}

// BenchmarkAuthenticate measures the interceptor's own work (metadata,
// verification from the cache, policy, context) without the transport.
func BenchmarkAuthenticate(b *testing.B) {
	f := authtest.Get(b)
	a, err := grpcauth.New(f.Steady, authConfig(b))
	if err != nil {
		b.Fatal(err)
	}
	ctx := withToken(f.AliceAccess)
	method := methodOf(authtest.RouteOrders)
	if _, err := a.Authenticate(ctx, method); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := a.Authenticate(ctx, method); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOverhead measures what the unary interceptor adds to a call over
// the cached Verify it cannot avoid, without the transport (which costs
// tens of microseconds and would drown the difference). It interleaves
// batches of four variants on the same incoming context, so that all see
// the same machine load: the handler alone; the handler plus a cached
// Verify of the token (the floor of any authentication); the handler
// behind the interceptor for a method without a policy of its own; and
// for a method with one (RequireAnyScope). It reports the medians over
// batches: adapter-ns/call is the interceptor minus the handler minus the
// cached Verify (the goal is at most 300), policy-ns/call what the
// method's policy adds on top, and verify-ns/call the cached Verify itself.
func BenchmarkOverhead(b *testing.B) {
	f := authtest.Get(b)
	tok := f.AliceAccess
	a, err := grpcauth.New(f.Steady, grpcauth.Config{Methods: map[string]verifier.Policy{
		methodOf(authtest.RouteOrders): {AnyScopes: []string{"orders/read"}},
	}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := withToken(tok)
	icpt := a.UnaryServerInterceptor()
	handler := func(ctx context.Context, req any) (any, error) { return req, nil }
	plain := &grpc.UnaryServerInfo{FullMethod: methodOf(authtest.RouteAccess)}
	scoped := &grpc.UnaryServerInfo{FullMethod: methodOf(authtest.RouteOrders)}
	variants := []func() error{
		func() error { _, err := handler(ctx, nil); return err },
		func() error {
			if _, err := f.Steady.Verify(ctx, tok); err != nil {
				return err
			}
			_, err := handler(ctx, nil)
			return err
		},
		func() error { _, err := icpt(ctx, nil, plain, handler); return err },
		func() error { _, err := icpt(ctx, nil, scoped, handler); return err },
	}
	for _, call := range variants {
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
	const batch = 32
	times := make([][]float64, len(variants))
	b.ReportAllocs()
	for b.Loop() {
		for i, call := range variants {
			t0 := time.Now()
			for range batch {
				if err := call(); err != nil {
					b.Fatal(err)
				}
			}
			times[i] = append(times[i], float64(time.Since(t0))/batch)
		}
	}
	m := make([]float64, len(times))
	for i := range times {
		slices.Sort(times[i])
		m[i] = times[i][len(times[i])/2]
	}
	b.ReportMetric(m[1]-m[0], "verify-ns/call")
	b.ReportMetric(m[2]-m[1], "adapter-ns/call")
	b.ReportMetric(m[3]-m[2], "policy-ns/call")
}
