package main

// The Go code of the repository's README.md, compiled: each block marked
// <!-- snippet: NAME --> must be, character for character, the body of the
// function snippetNAME below; a block that is a whole program ("package
// main") is type-checked with go vet. TestREADMECode fails on any other Go
// block, so the README cannot show code that does not compile.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/cognitokit/cognitokit/adapters/echoauth"
	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/adapters/lambdaauth"
	"github.com/cognitokit/cognitokit/adapters/otelcognito"
	"github.com/cognitokit/cognitokit/adapters/redisstore"
	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/identitypool"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
	"github.com/cognitokit/cognitokit/srpclient"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/alb"
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// The snippets are compiled and compared with the README, and some run;
// this keeps them all in use for the compiler and for staticcheck (U1000).
var _ = []any{snippetQuick, snippetVerifier, snippetMiddleware, snippetEchoauth, snippetGrpcauth, snippetSrpclient,
	snippetSrplocal, snippetOauth, snippetCognitotest, snippetIdentitypool, snippetALB, snippetLambdaauth, snippetReplicas}

func snippetQuick(ctx context.Context, accessToken string) error {
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: "us-east-1_AbC123", ClientIDs: []string{"1example23456789"}, TokenUse: verifier.TokenUseAccess,
	}}})
	if err != nil {
		return err
	}
	claims, err := v.Verify(ctx, accessToken) // signature, issuer, client ID, token_use, expiry
	if err != nil {
		return err // 401, or 503 when errors.Is(err, verifier.ErrKeysUnavailable)
	}
	fmt.Println(claims.Username, claims.Groups, claims.Scopes)
	return nil
}

func snippetVerifier(ctx context.Context, token string) error {
	v, err := verifier.New(verifier.Config{
		Pools: []verifier.Pool{{
			UserPoolID: "us-east-1_AbC123",
			ClientIDs:  []string{"1example23456789"},
			TokenUse:   verifier.TokenUseAccess,
			Policy:     verifier.Policy{AnyScopes: []string{"orders/read"}},
		}},
		Leeway: 5 * time.Second,
	})
	if err != nil {
		return err // wraps verifier.ErrInvalidConfig and names the field
	}
	defer v.Close()

	claims, err := v.Verify(ctx, token)
	switch {
	case errors.Is(err, verifier.ErrKeysUnavailable):
		// The JWKS could not be fetched: answer 503, the token was not judged.
	case errors.As(err, new(*verifier.PolicyError)):
		// Valid token without the scope: 403.
	case err != nil:
		// Expired, wrong client, ID token instead of access token, ...: 401.
	default:
		fmt.Println(claims.Username, claims.Groups, claims.Scopes, claims.IsMachine())
	}
	return nil
}

func snippetMiddleware(v *verifier.Verifier, list, create, admin http.Handler) (http.Handler, error) {
	authenticate, err := middleware.New(v, middleware.Config{
		Realm:  "orders",
		Cookie: "token", // also accept the token from this cookie
		Logger: slog.Default(),
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /orders", middleware.RequireAnyScope("orders/read")(list))
	mux.Handle("POST /orders", middleware.RequireAllScopes("orders/read", "orders/write")(create))
	mux.Handle("GET /admin/", middleware.RequireAnyGroup("admin", "support")(admin))
	return authenticate(mux), nil
}

func snippetEchoauth(v *verifier.Verifier, adminHandler echo.HandlerFunc) {
	e := echo.New()
	e.Use(echoauth.WithConfig(echoauth.Config{
		Verifier:    v,
		TokenLookup: "header:Authorization:Bearer ,cookie:token",
		Skipper:     func(c echo.Context) bool { return c.Path() == "/healthz" },
	}))
	e.GET("/me", func(c echo.Context) error {
		claims, ok := echoauth.ClaimsFromContext(c)
		if !ok {
			return echo.ErrInternalServerError // only if /me were outside the middleware
		}
		return c.JSON(http.StatusOK, claims.Username)
	})
	e.GET("/admin", adminHandler, echoauth.RequireAnyGroup("admin"))
}

func snippetALB(access *verifier.Verifier, api http.Handler) (http.Handler, error) {
	v, err := alb.New(alb.Config{
		ALBARNs:      []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"},
		ClientIDs:    []string{"4fmvht22tjrgd7d3k3tghttct7"}, // the client of the authenticate-cognito action
		Issuer:       "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
		AccessTokens: access, // also verify x-amzn-oidc-accesstoken, for groups and scopes
	})
	if err != nil {
		return nil, err
	}
	authenticate, err := middleware.NewALB(v, middleware.Config{})
	if err != nil {
		return nil, err
	}
	return authenticate(api), nil // handlers: middleware.ClaimsFromContext, alb.IdentityFromContext
}

func snippetLambdaauth(v *verifier.Verifier) error {
	a, err := lambdaauth.New(v, lambdaauth.Config{
		Policy: verifier.Policy{AnyScopes: []string{"orders/read"}},
		Scope:  lambdaauth.ScopeStage, // one cached Allow serves every method of the stage
	})
	if err != nil {
		return err
	}
	lambda.Start(a.RESTToken) // or a.RESTRequest, a.HTTPSimple, a.HTTPIAM, a.AppSync
	return nil
}

func snippetGrpcauth(v *verifier.Verifier, serverTLS credentials.TransportCredentials, ts oauth2.TokenSource) error {
	a, err := grpcauth.New(v, grpcauth.Config{
		Methods: map[string]verifier.Policy{
			"/orders.v1.Orders/Cancel": grpcauth.RequireAnyGroup("admin"),
		},
		Public: []string{"/grpc.health.v1.Health/"},
	})
	if err != nil {
		return err
	}
	srv := grpc.NewServer(
		grpc.Creds(serverTLS),
		grpc.UnaryInterceptor(a.UnaryServerInterceptor()),
		grpc.StreamInterceptor(a.StreamServerInterceptor()),
	)

	// Client side: per-RPC credentials from any oauth2.TokenSource, such as
	// srpclient's TokenSource or oauth's client credentials.
	conn, err := grpc.NewClient("orders.internal:443",
		grpc.WithTransportCredentials(credentials.NewTLS(nil)),
		grpc.WithPerRPCCredentials(grpcauth.TokenCredentials{Source: ts}))
	if err != nil {
		return err
	}
	_, _ = srv, conn
	return nil
}

func snippetSrpclient(ctx context.Context, awsCfg aws.Config, secret, password string, askCode func(string) string, askNewPassword func() string) error {
	c, err := srpclient.New(srpclient.Config{
		API:          cognitoidentityprovider.NewFromConfig(awsCfg),
		UserPoolID:   "us-east-1_AbC123",
		ClientID:     "1example23456789",
		ClientSecret: secret,                           // optional: SECRET_HASH is always computed with the right username
		Devices:      srpclient.NewMemoryDeviceStore(), // optional: remembered devices
	})
	if err != nil {
		return err
	}
	res, err := c.SignIn(ctx, srpclient.SignInInput{Username: "ann@example.com", Password: password})
	for err == nil && !res.Done() {
		switch step := res.Next.(type) {
		case *srpclient.MFACodeRequired:
			res, err = step.Answer(ctx, askCode(step.ChallengeName()))
		case *srpclient.NewPasswordRequired:
			res, err = step.Answer(ctx, askNewPassword(), nil)
		default:
			return fmt.Errorf("unhandled step %s", step.ChallengeName())
		}
	}
	if err != nil {
		return err // errors.Is(err, srpclient.ErrNotAuthorized), ErrCodeMismatch, ...
	}
	ts, err := c.NewTokenSource(res.Tokens, srpclient.TokenSourceConfig{}) // refreshes before expiry
	if err != nil {
		return err
	}
	_ = ts
	return nil
}

func snippetSrplocal(ctx context.Context, endpoint string) error {
	api := cognitoidentityprovider.New(cognitoidentityprovider.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint), // "http://127.0.0.1:9229"
	})
	c, err := srpclient.New(srpclient.Config{API: api, UserPoolID: "us-east-1_cognitokit", ClientID: "cognitokitpublic"})
	if err != nil {
		return err
	}
	res, err := c.SignIn(ctx, srpclient.SignInInput{Username: "bob", Password: "Bob-Passw0rd!"})
	if err != nil {
		return err
	}
	fmt.Println("signed in:", res.Done())
	return nil
}

func snippetOauth(ctx context.Context, secret string) error {
	c, err := oauth.New(oauth.Config{
		Domain:       "https://myapp.auth.us-east-1.amazoncognito.com",
		ClientID:     "1example23456789",
		ClientSecret: secret,
		RedirectURL:  "https://app.example.com/auth/callback",
		UserPoolID:   "us-east-1_AbC123",
	})
	if err != nil {
		return err
	}
	defer c.Close()

	// Machine to machine: cached until shortly before expiry.
	ts, err := c.ClientCredentials("orders/read")
	if err != nil {
		return err
	}
	tok, err := ts.TokenContext(ctx)
	if err != nil {
		return err // errors.Is(err, oauth.ErrInvalidClient), ErrInvalidScope, ...
	}
	fmt.Println(tok.Expiry)

	// Authorization code with PKCE; Exchange verifies the ID token, its nonce and at_hash.
	req, err := oauth.NewAuthRequest()
	if err != nil {
		return err
	}
	authURL, err := c.AuthCodeURL(req, oauth.LoginHint("ann@example.com"))
	if err != nil {
		return err
	}
	fmt.Println(authURL)
	return nil
}

func snippetCognitotest(t *testing.T) {
	srv := cognitotest.NewServer(t) // closed by t.Cleanup
	pool := srv.MustCreatePool(cognitotest.PoolConfig{MFA: cognitotest.MFAOptional})
	app := pool.MustCreateClient(cognitotest.ClientConfig{GenerateSecret: true})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Groups: []string{"admin"}})

	// Tokens without signing in, for API tests:
	tokens := pool.MustMintTokens(app.ID, "alice")

	// A verifier pointed at the emulator:
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: pool.ID(), Issuer: pool.Issuer(), ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseAccess,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	claims, err := v.Verify(context.Background(), tokens.AccessToken)
	if err != nil || !claims.HasGroup("admin") {
		t.Fatalf("got %v, %v", claims, err)
	}

	// The real AWS SDK talks to it over HTTP:
	api := cognitoidentityprovider.NewFromConfig(srv.AWSConfig())
	_ = api
}

func snippetIdentitypool(ctx context.Context, signIn *srpclient.Client, tokens *srpclient.Tokens, awsCfg aws.Config) error {
	ts, err := signIn.NewTokenSource(tokens, srpclient.TokenSourceConfig{UseIDToken: true})
	if err != nil {
		return err
	}
	login, err := identitypool.UserPoolLogin("us-east-1_AbC123", ts)
	if err != nil {
		return err
	}
	p, err := identitypool.New(identitypool.Config{
		API:            cognitoidentity.NewFromConfig(awsCfg),
		IdentityPoolID: "us-east-1:0a1b2c3d-0000-4000-8000-000000000000",
		Logins:         []identitypool.Login{login},
	})
	if err != nil {
		return err
	}
	s3cfg := awsCfg.Copy()
	s3cfg.Credentials = p.CredentialsCache() // use with any AWS SDK client
	_ = s3cfg
	return nil
}

var (
	readmeMarker = regexp.MustCompile(`^<!-- snippet: (\w+) -->$`)
	funcStart    = regexp.MustCompile(`(?m)^func snippet(\w+)\(.*\{$`)
)

func snippetReplicas(client *oauth.Client, keys [][]byte, pools []verifier.Pool, mux *http.ServeMux, api http.Handler) error {
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"redis:6379"}})
	tel, err := otelcognito.New(otelcognito.Config{}) // the global providers: no-op until the app sets one
	if err != nil {
		return err
	}
	shared, err := redisstore.NewRevocationSync(redisstore.RevocationSyncConfig{Client: rdb})
	if err != nil {
		return err
	}
	list, err := revocation.New(revocation.Config{Sync: shared, Observer: tel.RevocationObserver()})
	if err != nil {
		return err
	}
	tel.ObserveRevocationList(list)
	store, err := redisstore.NewSessionStore(redisstore.SessionStoreConfig{Client: rdb})
	if err != nil {
		return err
	}
	wl, err := weblogin.New(weblogin.Config{Client: client, Keys: keys, Store: store,
		Revocation: list, Observer: tel.WebLoginObserver()})
	if err != nil {
		return err
	}
	v, err := verifier.New(verifier.Config{Pools: pools, Revocation: list, Observer: tel.VerifierObserver()})
	if err != nil {
		return err
	}
	mw, err := middleware.New(v, middleware.Config{OnDecision: tel.MiddlewareDecision})
	if err != nil {
		return err
	}
	mux.Handle("/auth/", wl)
	mux.Handle("/api/", mw(api))
	return nil
}

// readmeSnippetBodies returns the bodies of the snippet functions of this file,
// dedented by one tab, by lower-case name.
func readmeSnippetBodies(t *testing.T) map[string]string {
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{}
	for _, loc := range funcStart.FindAllSubmatchIndex(src, -1) {
		name := strings.ToLower(string(src[loc[2]:loc[3]]))
		rest := string(src[loc[1]+1:])
		end := strings.Index(rest, "\n}\n")
		if end < 0 {
			t.Fatalf("snippet%s has no closing brace", name)
		}
		var lines []string
		for _, l := range strings.Split(rest[:end], "\n") {
			lines = append(lines, strings.TrimPrefix(l, "\t"))
		}
		bodies[name] = strings.Join(lines, "\n")
	}
	return bodies
}

// readmeBlock is one ```go block of the README.
type readmeBlock struct {
	line    int
	snippet string // name from the marker line before it, or ""
	code    string
}

func readmeGoBlocks(t *testing.T) []readmeBlock {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var blocks []readmeBlock
	for i := 0; i < len(lines); i++ {
		if lines[i] != "```go" {
			continue
		}
		b := readmeBlock{line: i + 1}
		if i > 0 {
			if m := readmeMarker.FindStringSubmatch(lines[i-1]); m != nil {
				b.snippet = m[1]
			}
		}
		var code []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			code = append(code, lines[i])
		}
		b.code = strings.Join(code, "\n")
		blocks = append(blocks, b)
	}
	return blocks
}

func TestREADMECode(t *testing.T) {
	bodies := readmeSnippetBodies(t)
	blocks := readmeGoBlocks(t)
	if len(blocks) < len(bodies) {
		t.Errorf("README has %d Go blocks; want at least the %d snippets", len(blocks), len(bodies))
	}
	seen := map[string]bool{}
	for _, b := range blocks {
		switch {
		case b.snippet != "":
			seen[b.snippet] = true
			body, ok := bodies[b.snippet]
			if !ok {
				t.Errorf("README line %d: snippet %q has no function snippet%s in readme_test.go", b.line, b.snippet, b.snippet)
				continue
			}
			if body != b.code {
				t.Errorf("README line %d: snippet %q differs from the body of its function:\n--- README\n%s\n--- readme_test.go\n%s", b.line, b.snippet, b.code, body)
			}
		case strings.HasPrefix(b.code, "package "):
			vetProgram(t, b)
		default:
			t.Errorf("README line %d: a Go block that is neither a snippet (<!-- snippet: NAME --> before it) nor a whole program", b.line)
		}
	}
	for name := range bodies {
		if !seen[name] {
			t.Errorf("snippet%s is not used in the README", name)
		}
	}
}

// vetProgram type-checks a whole program of the README with go vet.
func vetProgram(t *testing.T, b readmeBlock) {
	t.Helper()
	gobin := filepath.Join(goEnv("GOROOT"), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		if gobin, err = exec.LookPath("go"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("README line %d: no go command to vet the program", b.line)
			}
			t.Skipf("README line %d: no go command to vet the program", b.line)
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "main.go")
	if err := os.WriteFile(file, []byte(b.code+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gobin, "vet", file)
	cmd.Dir = filepath.Join("..", "..") // the module root, for the imports
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("README line %d: go vet: %v\n%s", b.line, err, out)
	}
}

func goEnv(k string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	out, err := exec.Command("go", "env", k).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// TestREADMESeed checks that the seed file of the README is a valid seed
// that "cognito local --seed" would load.
func TestREADMESeed(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "The seed file:\n\n```json\n")
	if !ok {
		t.Fatal("README.md has no seed file block")
	}
	block, _, _ := strings.Cut(after, "```")
	seed, err := cognitotest.ParseSeed([]byte(block))
	if err != nil {
		t.Fatalf("the README's seed: %v", err)
	}
	srv := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pools, err := srv.ApplySeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pools[0].User("alice@example.com"); err != nil {
		t.Errorf("alice cannot sign in with her email alias: %v", err)
	}
}

// TestREADMESnippetsRun runs the snippets that need only the emulator.
func TestREADMESnippetsRun(t *testing.T) {
	t.Run("cognitotest", snippetCognitotest)
	t.Run("srplocal", func(t *testing.T) {
		// The demo pool of "cognito local", served by the in-process
		// emulator on a free port instead of 9229.
		srv := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
		if _, err := srv.ApplySeed(srv.DemoSeed()); err != nil {
			t.Fatal(err)
		}
		if err := snippetSrplocal(context.Background(), srv.URL()); err != nil {
			t.Fatalf("signing in against the emulator with BaseEndpoint: %v", err)
		}
	})
	t.Run("middleware", func(t *testing.T) {
		srv := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
		pool := srv.MustCreatePool(cognitotest.PoolConfig{})
		app := pool.MustCreateClient(cognitotest.ClientConfig{})
		pool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: "Passw0rd!"})
		if err := pool.CreateResourceServer(cognitotest.ResourceServerConfig{Identifier: "orders", Scopes: map[string]string{"read": "", "write": ""}}); err != nil {
			t.Fatal(err)
		}
		v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: pool.ID(), Issuer: pool.Issuer(), ClientIDs: []string{app.ID}, TokenUse: verifier.TokenUseAccess}}})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
		h, err := snippetMiddleware(v, ok, ok, ok)
		if err != nil {
			t.Fatal(err)
		}
		user := pool.MustMintTokens(app.ID, "ann").AccessToken
		reader := pool.MustMintM2MToken(app.ID, []string{"orders/read"})
		for _, tc := range []struct {
			method, path, token string
			cookie              bool
			want                int
		}{
			{"GET", "/orders", "", false, 401},
			{"GET", "/orders", user, false, 403},
			{"GET", "/orders", reader, false, 204},
			{"GET", "/orders", reader, true, 204},
			{"POST", "/orders", reader, false, 403},
			{"GET", "/admin/x", user, false, 403},
		} {
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.cookie {
				req.AddCookie(&http.Cookie{Name: "token", Value: tc.token})
			} else if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("%s %s (cookie %v): got %d; want %d", tc.method, tc.path, tc.cookie, rec.Code, tc.want)
			}
		}
	})
}
