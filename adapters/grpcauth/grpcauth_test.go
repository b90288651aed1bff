package grpcauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/verifier"
)

func withToken(tok string) context.Context {
	return metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+tok))
}

func TestMethodResolution(t *testing.T) {
	f := authtest.Get(t)
	a, err := grpcauth.New(f.Verifier, grpcauth.Config{
		Policy: verifier.Policy{AnyGroups: []string{"admin"}},
		Methods: map[string]verifier.Policy{
			"/svc.A/":      {AnyScopes: []string{"orders/read"}},
			"/svc.A/Exact": {},
		},
		Public: []string{"/grpc.health.v1.Health/", "/svc.B/Ping"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, tok string
		want              codes.Code
		claims            bool
	}{
		{"exact beats prefix", "/svc.A/Exact", f.BobAccess, codes.OK, true},
		{"prefix beats default", "/svc.A/Other", f.BobAccess, codes.PermissionDenied, false},
		{"prefix allows scope", "/svc.A/Other", f.M2M, codes.OK, true},
		{"default policy", "/svc.B/X", f.BobAccess, codes.PermissionDenied, false},
		{"default policy allows", "/svc.B/X", f.AliceAccess, codes.OK, true},
		{"public prefix", "/grpc.health.v1.Health/Check", "", codes.OK, false},
		{"public exact", "/svc.B/Ping", "", codes.OK, false},
		{"public ignores bad token", "/svc.B/Ping", "garbage", codes.OK, false},
		{"not public", "/svc.B/Pong", "", codes.Unauthenticated, false},
		{"prefix needs the slash", "/svc.AB/X", f.M2M, codes.PermissionDenied, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.tok != "" {
				ctx = withToken(tc.tok)
			}
			got, err := a.Authenticate(ctx, tc.method)
			if status.Code(err) != tc.want {
				t.Fatalf("code = %v (%v); want %v", status.Code(err), err, tc.want)
			}
			if err != nil {
				return
			}
			if _, ok := grpcauth.ClaimsFromContext(got); ok != tc.claims {
				t.Errorf("claims present = %v; want %v", ok, tc.claims)
			}
		})
	}
}

func TestMetadataParsing(t *testing.T) {
	f := authtest.Get(t)
	a, err := grpcauth.New(f.Verifier, grpcauth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		md   metadata.MD
		want codes.Code
	}{
		{"lower-case scheme", metadata.Pairs("authorization", "bearer "+f.AliceAccess), codes.OK},
		{"two values", metadata.Pairs("authorization", "Bearer "+f.AliceAccess, "authorization", "Bearer "+f.AliceAccess), codes.Unauthenticated},
		{"basic", metadata.Pairs("authorization", "Basic YTpi"), codes.Unauthenticated},
		{"empty bearer", metadata.Pairs("authorization", "Bearer "), codes.Unauthenticated},
		{"two words", metadata.Pairs("authorization", "Bearer a b"), codes.Unauthenticated},
		{"unavailable", metadata.Pairs("authorization", "Bearer "+f.Unavailable), codes.Unavailable},
	}
	for _, tc := range tests {
		_, err := a.Authenticate(metadata.NewIncomingContext(context.Background(), tc.md), "/x.Y/Z")
		if status.Code(err) != tc.want {
			t.Errorf("%s: code = %v (%v); want %v", tc.name, status.Code(err), err, tc.want)
		}
		if err != nil && strings.Contains(status.Convert(err).Message(), "127.0.0.1") {
			t.Errorf("%s: message leaks internals: %q", tc.name, status.Convert(err).Message())
		}
	}
}

func TestConfigErrors(t *testing.T) {
	f := authtest.Get(t)
	tests := map[string]struct {
		v   grpcauth.TokenVerifier
		cfg grpcauth.Config
	}{
		"nil verifier":     {nil, grpcauth.Config{}},
		"no leading slash": {f.Verifier, grpcauth.Config{Public: []string{"svc.A/M"}}},
		"no method part":   {f.Verifier, grpcauth.Config{Public: []string{"/svc.A"}}},
		"too deep":         {f.Verifier, grpcauth.Config{Public: []string{"/svc.A/M/N"}}},
		"root":             {f.Verifier, grpcauth.Config{Public: []string{"/"}}},
		"empty service":    {f.Verifier, grpcauth.Config{Methods: map[string]verifier.Policy{"//M": {}}}},
		"space":            {f.Verifier, grpcauth.Config{Public: []string{"/svc.A/M "}}},
		"public and policy": {f.Verifier, grpcauth.Config{Public: []string{"/svc.A/"},
			Methods: map[string]verifier.Policy{"/svc.A/": {AnyGroups: []string{"x"}}}}},
		"duplicate public": {f.Verifier, grpcauth.Config{Public: []string{"/svc.A/M", "/svc.A/M"}}},
		"bad policy name":  {f.Verifier, grpcauth.Config{Methods: map[string]verifier.Policy{"/svc.A/": {AnyGroups: []string{""}}}}},
		"bad default":      {f.Verifier, grpcauth.Config{Policy: verifier.Policy{AllScopes: []string{"a\"b"}}}},
		"negative retry":   {f.Verifier, grpcauth.Config{RetryAfter: -time.Second}},
	}
	for name, tc := range tests {
		if _, err := grpcauth.New(tc.v, tc.cfg); !errors.Is(err, grpcauth.ErrInvalidConfig) {
			t.Errorf("%s: err = %v; want ErrInvalidConfig", name, err)
		}
	}
}

// TestAuthFuncChain wires AuthFunc the way go-grpc-middleware v2's auth
// interceptors call it (before the handler, replacing the context), on a
// real server, and checks per-method policies and public methods still
// apply.
func TestAuthFuncChain(t *testing.T) {
	f := authtest.Get(t)
	a, err := grpcauth.New(f.Verifier, authConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	var authFunc func(context.Context) (context.Context, error) = a.AuthFunc
	unary := func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		ctx, err := authFunc(ctx)
		if err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
	stream := func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		ctx, err := authFunc(ss.Context())
		if err != nil {
			return err
		}
		return h(srv, &ctxStream{ss, ctx})
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream))
	s.RegisterService(serviceDesc(f), nil)
	grpc_health_v1.RegisterHealthServer(s, countingHealth{f: f})
	go s.Serve(lis)
	defer s.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, c := range f.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := call(ctx, conn, c.Route, c.AuthHeaders())
			if got, want := status.Code(err), grpcCode(c.Want.Kind); got != want {
				t.Errorf("code = %v (%v); want %v", got, err, want)
			}
		})
	}
}

type ctxStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *ctxStream) Context() context.Context { return s.ctx }

type funcSource func() (*oauth2.Token, error)

func (f funcSource) Token() (*oauth2.Token, error) { return f() }

func TestTokenCredentialsMetadata(t *testing.T) {
	secure := credentials.RequestInfo{AuthInfo: credentials.TLSInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity}}}
	secureCtx := credentials.NewContextWithRequestInfo(context.Background(), secure)
	static := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok", TokenType: "bearer"})
	errNetwork := errors.New("dial tcp: connection refused")
	tests := []struct {
		name  string
		ctx   context.Context
		c     grpcauth.TokenCredentials
		want  map[string]string
		code  codes.Code
		cause error // errors.Is target, if any
	}{
		{"secure", secureCtx, grpcauth.TokenCredentials{Source: static}, map[string]string{"authorization": "Bearer tok"}, codes.OK, nil},
		{"insecure refused", context.Background(), grpcauth.TokenCredentials{Source: static}, nil, codes.Unauthenticated, grpcauth.ErrInsecureTransport},
		{"insecure allowed", context.Background(), grpcauth.TokenCredentials{Source: static, AllowInsecureTransport: true}, map[string]string{"authorization": "Bearer tok"}, codes.OK, nil},
		{"nil source", secureCtx, grpcauth.TokenCredentials{}, nil, codes.Unauthenticated, grpcauth.ErrNoTokenSource},
		{"empty token", secureCtx, grpcauth.TokenCredentials{Source: oauth2.StaticTokenSource(&oauth2.Token{})}, nil, codes.Unauthenticated, grpcauth.ErrNoTokenSource},
		{"MAC token", secureCtx, grpcauth.TokenCredentials{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x", TokenType: "MAC"})}, nil, codes.Unauthenticated, grpcauth.ErrNoTokenSource},
		{"refused by the server", secureCtx, grpcauth.TokenCredentials{Source: funcSource(func() (*oauth2.Token, error) {
			return nil, &oauth2.RetrieveError{ErrorCode: "invalid_grant"}
		})}, nil, codes.Unauthenticated, nil},
		{"network error", secureCtx, grpcauth.TokenCredentials{Source: funcSource(func() (*oauth2.Token, error) {
			return nil, errNetwork
		})}, nil, codes.Unavailable, errNetwork},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md, err := tc.c.GetRequestMetadata(tc.ctx, "https://example/")
			if status.Code(err) != tc.code {
				t.Fatalf("err = %v (code %v); want code %v", err, status.Code(err), tc.code)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("err = %v; want it to match %v", err, tc.cause)
			}
			if len(md) != len(tc.want) || md["authorization"] != tc.want["authorization"] {
				t.Errorf("metadata = %v; want %v", md, tc.want)
			}
			if got, want := tc.c.RequireTransportSecurity(), !tc.c.AllowInsecureTransport; got != want {
				t.Errorf("RequireTransportSecurity = %v; want %v", got, want)
			}
		})
	}
}

// selfSigned returns a TLS certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestTokenCredentialsEndToEnd gets a real M2M token from the emulator's
// /oauth2/token endpoint through x/oauth2's client-credentials source, and
// sends it with TokenCredentials over TLS to a server whose Orders method
// needs the scope; without TLS the same credentials refuse to send it.
func TestTokenCredentialsEndToEnd(t *testing.T) {
	idp := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pool := idp.MustCreatePool(cognitotest.PoolConfig{})
	if err := pool.CreateResourceServer(cognitotest.ResourceServerConfig{Identifier: "orders", Scopes: map[string]string{"read": "read"}}); err != nil {
		t.Fatal(err)
	}
	app := pool.MustCreateClient(cognitotest.ClientConfig{GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"orders/read"}})
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: pool.ID(), Issuer: pool.Issuer(), JWKSURL: pool.JWKSURL(),
		ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseAccess}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	a, err := grpcauth.New(v, grpcauth.Config{Policy: verifier.Policy{AnyScopes: []string{"orders/read"}}})
	if err != nil {
		t.Fatal(err)
	}
	cert, roots := selfSigned(t)
	var f authtest.Fixture // only its hit counter is used
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.Creds(credentials.NewServerTLSFromCert(&cert)),
		grpc.UnaryInterceptor(a.UnaryServerInterceptor()), grpc.StreamInterceptor(a.StreamServerInterceptor()))
	s.RegisterService(serviceDesc(&f), nil)
	go s.Serve(lis)
	defer s.Stop()

	cc := clientcredentials.Config{ClientID: app.ID, ClientSecret: app.Secret, TokenURL: idp.OAuthDomain() + "/oauth2/token", Scopes: []string{"orders/read"}}
	ts := cc.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, idp.HTTPClient()))
	creds := grpcauth.TokenCredentials{Source: ts}

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: roots})),
		grpc.WithPerRPCCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := call(ctx, conn, authtest.RouteOrders, nil)
	if err != nil || len(got) != 1 || got[0] != app.ID {
		t.Fatalf("over TLS: %q, %v; want the client ID as subject", got, err)
	}
	if f.Hits.Load() != 1 {
		t.Errorf("handler ran %d times; want 1", f.Hits.Load())
	}

	// Without TLS, gRPC refuses to use credentials that require it.
	insecureConn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(creds))
	if err == nil {
		defer insecureConn.Close()
		_, err = call(ctx, insecureConn, authtest.RouteOrders, nil)
	}
	if err == nil || !strings.Contains(err.Error(), "transport") {
		t.Errorf("insecure connection with TokenCredentials: err = %v; want a transport security refusal", err)
	}
	if f.Hits.Load() != 1 {
		t.Errorf("handler ran %d times after the refused call; want 1", f.Hits.Load())
	}
}

func TestLogging(t *testing.T) {
	f := authtest.Get(t)
	var buf strings.Builder
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	cfg := authConfig(t)
	cfg.Logger = logger
	a, err := grpcauth.New(f.Verifier, cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.Authenticate(withToken(f.Expired), methodOf(authtest.RouteAccess))
	a.Authenticate(withToken(f.BobAccess), methodOf(authtest.RouteAdmin))
	out := buf.String()
	for _, want := range []string{"reason=expired", "grpc.code=Unauthenticated", "grpc.method=/cognitokit.test.Echo/Access",
		"reason=missing_group", "grpc.code=PermissionDenied"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, tok := range []string{f.Expired, f.BobAccess} {
		for _, part := range strings.Split(tok, ".") {
			if strings.Contains(out, part) {
				t.Errorf("log contains a token segment")
			}
		}
	}
}

// TestPublicReflection registers the real server reflection service as a
// public prefix: its bidirectional stream works without a token, while the
// protected service next to it still needs one.
func TestPublicReflection(t *testing.T) {
	f := authtest.Get(t)
	cfg := authConfig(t)
	cfg.Public = append(cfg.Public, "/grpc.reflection.v1.ServerReflection/")
	a, err := grpcauth.New(f.Verifier, cfg)
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.UnaryInterceptor(a.UnaryServerInterceptor()), grpc.StreamInterceptor(a.StreamServerInterceptor()))
	s.RegisterService(serviceDesc(f), nil)
	reflection.Register(s)
	go s.Serve(lis)
	defer s.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := grpc_reflection_v1.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Send(&grpc_reflection_v1.ServerReflectionRequest{MessageRequest: &grpc_reflection_v1.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	res, err := st.Recv()
	if err != nil {
		t.Fatalf("reflection without a token: %v", err)
	}
	var names []string
	for _, svc := range res.GetListServicesResponse().GetService() {
		names = append(names, svc.Name)
	}
	if !slices.Contains(names, service) {
		t.Errorf("reflection listed %v; want %s among them", names, service)
	}
	st.CloseSend()
	if _, err := call(ctx, conn, authtest.RouteAccess, nil); status.Code(err) != codes.Unauthenticated {
		t.Errorf("protected method without a token: %v; want Unauthenticated", err)
	}
}

// TestTokenSourceFailuresOverTheWire checks the codes a real client sees
// when its token source fails: Unavailable for a network failure (retry),
// Unauthenticated when the authorization server refuses.
func TestTokenSourceFailuresOverTheWire(t *testing.T) {
	f := authtest.Get(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	newGRPC(t, f, lis) // starts the server
	tests := []struct {
		name string
		err  error
		want codes.Code
	}{
		{"network", errors.New("dial tcp 10.0.0.1:443: i/o timeout"), codes.Unavailable},
		{"refused", &oauth2.RetrieveError{ErrorCode: "invalid_grant"}, codes.Unauthenticated},
	}
	for _, tc := range tests {
		conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithPerRPCCredentials(grpcauth.TokenCredentials{AllowInsecureTransport: true,
				Source: funcSource(func() (*oauth2.Token, error) { return nil, tc.err })}))
		if err != nil {
			t.Fatal(err)
		}
		before := f.Hits.Load()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = call(ctx, conn, authtest.RouteAccess, nil)
		cancel()
		conn.Close()
		if got := status.Code(err); got != tc.want {
			t.Errorf("%s: code = %v (%v); want %v", tc.name, got, err, tc.want)
		}
		if f.Hits.Load() != before {
			t.Errorf("%s: the handler ran", tc.name)
		}
	}
}

// staticVerifier is a caller-provided TokenVerifier.
type staticVerifier struct{ err error }

func (s staticVerifier) Verify(context.Context, string) (*verifier.Claims, error) {
	if s.err != nil {
		return nil, s.err
	}
	return &verifier.Claims{Subject: "custom", TokenUse: verifier.TokenUseAccess}, nil
}

var _ grpcauth.TokenVerifier = (*verifier.Verifier)(nil)

func TestCustomVerifier(t *testing.T) {
	tests := []struct {
		err  error
		want codes.Code
	}{
		{nil, codes.OK},
		{errors.New("my own rejection"), codes.Unauthenticated},
		{fmt.Errorf("introspection endpoint down: %w", verifier.ErrKeysUnavailable), codes.Unavailable},
		{&verifier.PolicyError{Sentinel: verifier.ErrCheckFailed, Err: errors.New("tenant")}, codes.PermissionDenied},
	}
	for _, tc := range tests {
		a, err := grpcauth.New(staticVerifier{tc.err}, grpcauth.Config{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, err := a.Authenticate(withToken("opaque"), "/x.Y/Z")
		if status.Code(err) != tc.want {
			t.Errorf("verifier error %v: code %v; want %v", tc.err, status.Code(err), tc.want)
		}
		if err == nil {
			if c, ok := grpcauth.ClaimsFromContext(ctx); !ok || c.Subject != "custom" {
				t.Errorf("claims = %v, %v; want the custom verifier's", c, ok)
			}
		}
	}
}
