package grpcauth_test

import (
	"context"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
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
