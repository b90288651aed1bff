// Command grpc is a gRPC service protected by cognitokit's grpcauth
// interceptors, and a client that signs in over SRP and calls it with
// per-RPC credentials from srpclient's self-refreshing TokenSource.
//
// The service, cognitokit.examples.Orders, is registered with a
// hand-written grpc.ServiceDesc over protobuf well-known types, so the
// example needs no protoc:
//
//	Get     (unary, StringValue -> StringValue)    any valid access token
//	Cancel  (unary, StringValue -> StringValue)    group admin
//	Watch   (server streaming, Empty -> StringValue) any valid access token
//	grpc.health.v1.Health/*                        public
//
// The server listens with TLS (a self-signed certificate made at startup):
// per-RPC credentials refuse to send tokens over plaintext.
//
//	go run ./examples/grpc                       # serve on 127.0.0.1:50051
//	go run ./examples/grpc --addr 127.0.0.1:0
//	go run ./examples/grpc --self-check          # server + client, exit 0/1
//
// With no Cognito configuration in the environment it starts the embedded
// emulator with the demo pool of "cognito local". Against real Cognito set
// COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID (comma-separated; users sign in
// through the first), COGNITO_CLIENT_SECRET if that client has one, and for
// the self-check COGNITO_USERNAME and COGNITO_PASSWORD.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	"google.golang.org/grpc/health/grpc_health_v1"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/verifier"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

var usage = stage.Usage{
	Name:     "grpc",
	Synopsis: "[--addr 127.0.0.1:50051] [--self-check]",
	About:    "A gRPC service protected by cognitokit's grpcauth interceptors (over TLS with a self-signed certificate), and a client that signs in over SRP and calls it with per-RPC credentials from srpclient's refreshing TokenSource.",
	Env:      []stage.EnvVar{stage.EnvPoolID, stage.EnvClientIDs, stage.EnvSecret, stage.EnvEndpoint, stage.EnvUsername, stage.EnvPassword},
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("grpc", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:50051", "listen address (host:port)")
	selfCheck := fs.Bool("self-check", false, "start on a free port, call every method as the demo users, exit 0 on success")
	if code, done := usage.Parse(fs, args, stdout, stderr); done {
		return code
	}
	if *selfCheck {
		*addr = "127.0.0.1:0"
	}
	st, err := stage.New(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "grpc: %v\n", err)
		return 2
	}
	defer st.Close()
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: st.PoolID, ClientIDs: st.ClientIDs, TokenUse: verifier.TokenUseAccess, Issuer: st.Issuer,
	}}, Leeway: 5 * time.Second})
	if err != nil {
		fmt.Fprintf(stderr, "grpc: %v\n", err)
		return 2
	}
	defer v.Close()

	cert, pool, err := selfSignedCert()
	if err != nil {
		fmt.Fprintf(stderr, "grpc: %v\n", err)
		return 1
	}
	srv, err := newServer(v, cert)
	if err != nil {
		fmt.Fprintf(stderr, "grpc: %v\n", err)
		return 1
	}
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "grpc: %v\n", err)
		return 1
	}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(lis) }()
	defer func() { srv.Stop(); <-done }()

	if *selfCheck {
		if err := selfCheckRun(ctx, st, lis.Addr().String(), pool, stdout); err != nil {
			fmt.Fprintf(stderr, "self-check FAILED: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, st.OKLine(true))
		return 0
	}
	fmt.Fprintf(stdout, "gRPC server listening on %s with TLS (self-signed), user pool %s\n", lis.Addr(), st.PoolID)
	if st.Emu != nil {
		tok := st.EmuPool.MustMintTokens(st.ClientIDs[0], "bob").AccessToken
		fmt.Fprintf(stdout, "\nEmbedded Cognito emulator at %s. Try, with a token for bob valid one hour:\n\n", st.Emu.URL())
		fmt.Fprintf(stdout, "  grpcurl -insecure -proto examples/grpc/orders.proto -H 'authorization: Bearer %s' -d '\"o-1\"' %s cognitokit.examples.Orders/Get\n\n", tok, lis.Addr())
		fmt.Fprintln(stdout, "(the server has no reflection: orders.proto describes the service; or run --self-check)")
	}
	<-ctx.Done()
	return 0
}

// newServer returns the gRPC server: TLS, the auth interceptors with a
// per-method policy, the Orders service and the public health service.
func newServer(v *verifier.Verifier, cert tls.Certificate) (*grpc.Server, error) {
	auth, err := grpcauth.New(v, grpcauth.Config{
		// Default: any valid access token (the verifier accepts only those).
		Methods: map[string]verifier.Policy{
			"/" + serviceName + "/Cancel": grpcauth.RequireAnyGroup("admin"),
		},
		Public: []string{"/grpc.health.v1.Health/"},
	})
	if err != nil {
		return nil, err
	}
	s := grpc.NewServer(
		grpc.Creds(credentials.NewServerTLSFromCert(&cert)),
		grpc.UnaryInterceptor(auth.UnaryServerInterceptor()),
		grpc.StreamInterceptor(auth.StreamServerInterceptor()),
	)
	s.RegisterService(&ordersDesc, ordersServer{})
	h := health.NewServer()
	h.SetServingStatus(serviceName, grpc_health_v1.HealthCheckResponse_SERVING)
	grpc_health_v1.RegisterHealthServer(s, h)
	return s, nil
}

// selfSignedCert makes a certificate for 127.0.0.1 and localhost, and the
// pool that trusts it.
func selfSignedCert() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "cognitokit grpc example"},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
