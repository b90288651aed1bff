package main

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
)

// serviceName is the full name of the hand-written service.
const serviceName = "cognitokit.examples.Orders"

// ordersServer implements the service. The claims the interceptors verified
// are in the context of every call.
type ordersServer struct{}

func (ordersServer) Get(ctx context.Context, id *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	c, ok := grpcauth.ClaimsFromContext(ctx)
	if !ok { // only when the service is registered without the interceptors
		return nil, status.Error(codes.Internal, "no verified claims")
	}
	return wrapperspb.String(fmt.Sprintf("order %s, read by %s", id.Value, who(c.Username, c.ClientID))), nil
}

func (ordersServer) Cancel(ctx context.Context, id *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	c, ok := grpcauth.ClaimsFromContext(ctx)
	if !ok {
		return nil, status.Error(codes.Internal, "no verified claims")
	}
	return wrapperspb.String(fmt.Sprintf("order %s cancelled by %s", id.Value, c.Username)), nil
}

func (ordersServer) Watch(_ *emptypb.Empty, ss grpc.ServerStream) error {
	c, ok := grpcauth.ClaimsFromContext(ss.Context())
	if !ok {
		return status.Error(codes.Internal, "no verified claims")
	}
	for i := 1; i <= 3; i++ {
		if err := ss.SendMsg(wrapperspb.String(fmt.Sprintf("event %d for %s", i, who(c.Username, c.ClientID)))); err != nil {
			return err
		}
		select {
		case <-ss.Context().Done():
			return ss.Context().Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

func who(username, clientID string) string {
	if username != "" {
		return username
	}
	return "machine " + clientID
}

// ordersDesc is what protoc-gen-go-grpc would generate for
//
//	service Orders {
//	  rpc Get(google.protobuf.StringValue) returns (google.protobuf.StringValue);
//	  rpc Cancel(google.protobuf.StringValue) returns (google.protobuf.StringValue);
//	  rpc Watch(google.protobuf.Empty) returns (stream google.protobuf.StringValue);
//	}
var ordersDesc = grpc.ServiceDesc{
	ServiceName: serviceName,
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Get", Handler: unaryHandler("Get", ordersServer.Get)},
		{MethodName: "Cancel", Handler: unaryHandler("Cancel", ordersServer.Cancel)},
	},
	Streams: []grpc.StreamDesc{{
		StreamName:    "Watch",
		ServerStreams: true,
		Handler: func(srv any, ss grpc.ServerStream) error {
			in := new(emptypb.Empty)
			if err := ss.RecvMsg(in); err != nil {
				return err
			}
			return srv.(ordersServer).Watch(in, ss)
		},
	}},
	Metadata: "orders.proto",
}

// unaryHandler adapts a method to grpc.MethodDesc's handler, running the
// interceptor chain as generated code does.
func unaryHandler(name string, m func(ordersServer, context.Context, *wrapperspb.StringValue) (*wrapperspb.StringValue, error)) func(any, context.Context, func(any) error, grpc.UnaryServerInterceptor) (any, error) {
	return func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
		in := new(wrapperspb.StringValue)
		if err := dec(in); err != nil {
			return nil, err
		}
		h := func(ctx context.Context, req any) (any, error) {
			return m(srv.(ordersServer), ctx, req.(*wrapperspb.StringValue))
		}
		if icpt == nil {
			return h(ctx, in)
		}
		return icpt(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/" + serviceName + "/" + name}, h)
	}
}
