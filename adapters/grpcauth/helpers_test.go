package grpcauth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/verifier"
)

// The test service, registered by hand (no protoc): unary methods take
// Empty and return the caller's subject as a StringValue; Stream sends
// three StringValues.
const service = "cognitokit.test.Echo"

// methodOf maps a route of the shared table to a full method name.
func methodOf(r authtest.Route) string {
	switch r {
	case authtest.RoutePublic:
		return "/grpc.health.v1.Health/Check"
	case authtest.RouteAccess:
		return "/" + service + "/Access"
	case authtest.RouteID:
		return "/" + service + "/ID"
	case authtest.RouteAdmin:
		return "/" + service + "/Admin"
	case authtest.RouteOrders:
		return "/" + service + "/Orders"
	case authtest.RouteStream:
		return "/" + service + "/Stream"
	}
	panic("unknown route " + string(r))
}

func subject(ctx context.Context) string {
	if c, ok := grpcauth.ClaimsFromContext(ctx); ok {
		return c.Subject
	}
	return "anonymous"
}

func unary(f *authtest.Fixture, name string) grpc.MethodDesc {
	return grpc.MethodDesc{MethodName: name, Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
		in := new(emptypb.Empty)
		if err := dec(in); err != nil {
			return nil, err
		}
		h := func(ctx context.Context, _ any) (any, error) {
			f.Hits.Add(1)
			return wrapperspb.String(subject(ctx)), nil
		}
		if icpt == nil {
			return h(ctx, in)
		}
		return icpt(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/" + service + "/" + name}, h)
	}}
}

func serviceDesc(f *authtest.Fixture) *grpc.ServiceDesc {
	return &grpc.ServiceDesc{
		ServiceName: service,
		HandlerType: (*any)(nil),
		Methods:     []grpc.MethodDesc{unary(f, "Access"), unary(f, "ID"), unary(f, "Admin"), unary(f, "Orders")},
		Streams: []grpc.StreamDesc{{StreamName: "Stream", ServerStreams: true, Handler: func(_ any, ss grpc.ServerStream) error {
			f.Hits.Add(1)
			if err := ss.RecvMsg(new(emptypb.Empty)); err != nil {
				return err
			}
			for i := range 3 {
				if err := ss.SendMsg(wrapperspb.String(fmt.Sprintf("chunk %d for %s", i, subject(ss.Context())))); err != nil {
					return err
				}
			}
			return nil
		}}},
	}
}

// countingHealth is the public method: the real grpc.health.v1 service.
type countingHealth struct {
	grpc_health_v1.UnimplementedHealthServer
	f *authtest.Fixture
}

func (h countingHealth) Check(ctx context.Context, _ *grpc_health_v1.HealthCheckRequest) (*grpc_health_v1.HealthCheckResponse, error) {
	h.f.Hits.Add(1)
	if _, ok := grpcauth.ClaimsFromContext(ctx); ok {
		return nil, errors.New("a public method got claims")
	}
	return &grpc_health_v1.HealthCheckResponse{Status: grpc_health_v1.HealthCheckResponse_SERVING}, nil
}

// authConfig is the table's configuration: the default policy requires an
// access token (Access, Stream), Methods override it for ID, Admin and
// Orders, and the health service is public.
func authConfig(t testing.TB) grpcauth.Config {
	return grpcauth.Config{
		Policy: authtest.Policy(t, authtest.RouteAccess),
		Methods: map[string]verifier.Policy{
			methodOf(authtest.RouteID):     authtest.Policy(t, authtest.RouteID),
			methodOf(authtest.RouteAdmin):  authtest.Policy(t, authtest.RouteAdmin),
			methodOf(authtest.RouteOrders): authtest.Policy(t, authtest.RouteOrders),
		},
		Public: []string{"/grpc.health.v1.Health/"},
	}
}

// newGRPC starts the test service behind the interceptors on lis and
// returns a client connection.
func newGRPC(t testing.TB, f *authtest.Fixture, lis net.Listener, dial ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	a, err := grpcauth.New(f.Verifier, authConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.UnaryInterceptor(a.UnaryServerInterceptor()), grpc.StreamInterceptor(a.StreamServerInterceptor()))
	s.RegisterService(serviceDesc(f), nil)
	grpc_health_v1.RegisterHealthServer(s, countingHealth{f: f})
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(lis) }()
	t.Cleanup(func() { s.Stop(); <-done })
	opts := append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, dial...)
	conn, err := grpc.NewClient(lis.Addr().String(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// call invokes route with the given authorization values and returns the
// responses (one for unary, three for the stream).
func call(ctx context.Context, conn *grpc.ClientConn, route authtest.Route, auth []string) ([]string, error) {
	for _, a := range auth {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", a)
	}
	method := methodOf(route)
	switch route {
	case authtest.RoutePublic:
		out := new(grpc_health_v1.HealthCheckResponse)
		if err := conn.Invoke(ctx, method, &grpc_health_v1.HealthCheckRequest{}, out); err != nil {
			return nil, err
		}
		return []string{out.Status.String()}, nil
	case authtest.RouteStream:
		st, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, method)
		if err != nil {
			return nil, err
		}
		if err := st.SendMsg(&emptypb.Empty{}); err != nil {
			return nil, err
		}
		if err := st.CloseSend(); err != nil {
			return nil, err
		}
		var got []string
		for {
			m := new(wrapperspb.StringValue)
			err := st.RecvMsg(m)
			if err == io.EOF {
				return got, nil
			}
			if err != nil {
				return got, err
			}
			got = append(got, m.Value)
		}
	}
	out := new(wrapperspb.StringValue)
	if err := conn.Invoke(ctx, method, &emptypb.Empty{}, out); err != nil {
		return nil, err
	}
	return []string{out.Value}, nil
}
