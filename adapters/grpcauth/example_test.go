package grpcauth_test

import (
	"context"
	"fmt"
	"net"

	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/verifier"
)

// A gRPC server whose health service needs the "ops" group, except Watch
// which is public, and a client sending tokens from an oauth2.TokenSource.
func Example() {
	idp := cognitotest.NewServer(nil)
	defer idp.Close()
	pool := idp.MustCreatePool(cognitotest.PoolConfig{})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Groups: []string{"ops"}})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: "Passw0rd!"})
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: pool.ID(), Issuer: pool.Issuer(), JWKSURL: pool.JWKSURL(),
		ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseAccess,
	}}})
	if err != nil {
		panic(err)
	}
	defer v.Close()

	a, err := grpcauth.New(v, grpcauth.Config{
		Methods: map[string]verifier.Policy{"/grpc.health.v1.Health/": {AnyGroups: []string{"ops"}}},
		Public:  []string{"/grpc.health.v1.Health/List"},
	})
	if err != nil {
		panic(err)
	}
	s := grpc.NewServer(grpc.UnaryInterceptor(a.UnaryServerInterceptor()), grpc.StreamInterceptor(a.StreamServerInterceptor()))
	grpc_health_v1.RegisterHealthServer(s, health.NewServer())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go s.Serve(lis)
	defer s.Stop()

	check := func(user string) {
		var opts []grpc.DialOption
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if user != "" {
			tok := pool.MustMintTokens(app.ID, user).AccessToken
			ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok, TokenType: "Bearer"})
			// Loopback only: real deployments use TLS and leave
			// AllowInsecureTransport false.
			opts = append(opts, grpc.WithPerRPCCredentials(grpcauth.TokenCredentials{Source: ts, AllowInsecureTransport: true}))
		}
		conn, err := grpc.NewClient(lis.Addr().String(), opts...)
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		res, err := grpc_health_v1.NewHealthClient(conn).Check(context.Background(), &grpc_health_v1.HealthCheckRequest{})
		if err != nil {
			st := status.Convert(err)
			fmt.Printf("%q: %v: %s\n", user, st.Code(), st.Message())
			return
		}
		fmt.Printf("%q: %v\n", user, res.Status)
	}
	check("alice")
	check("bob")
	check("")
	// Output:
	// "alice": SERVING
	// "bob": PermissionDenied: The token lacks a required group.
	// "": Unauthenticated: A bearer token is required.
}

// AuthFunc plugs into go-grpc-middleware v2's auth interceptors, whose
// AuthFunc type is func(context.Context) (context.Context, error). Here a
// minimal interceptor stands in for auth.UnaryServerInterceptor.
func ExampleAuthenticator_AuthFunc() {
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: "us-east-1_AbC123", ClientIDs: []string{"client"}, TokenUse: verifier.TokenUseAccess,
	}}})
	if err != nil {
		panic(err)
	}
	defer v.Close()
	a, err := grpcauth.New(v, grpcauth.Config{})
	if err != nil {
		panic(err)
	}
	var authFunc func(ctx context.Context) (context.Context, error) = a.AuthFunc
	unary := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := authFunc(ctx)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
	_, err = unary(context.Background(), nil, &grpc.UnaryServerInfo{FullMethod: "/x.Y/Z"},
		func(ctx context.Context, req any) (any, error) { return nil, nil })
	fmt.Println(status.Code(err))
	// Output:
	// Unauthenticated
}
