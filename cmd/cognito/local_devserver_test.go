package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/verifier"
)

// containerClient is an HTTP client of another container of a compose
// project: it reaches the emulator by its service name, host (such as
// "cognito:9229"), which resolves to addr.
func containerClient(host, addr string) *http.Client {
	var d net.Dialer
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			if a == host {
				a = addr
			}
			return d.DialContext(ctx, network, a)
		},
	}}
}

// TestLocalPublicURL: with --public-url http://cognito:9229 (as in a
// compose file), the discovery document, the JWKS URL, the managed-login
// endpoints and the issuer of tokens all use the public URL; a program
// that reaches the emulator by that name fetches them, signs in and
// verifies the tokens with the verifier. Requests naming the emulator by
// the public URL's host pass the Host guard, its origin is trusted, and
// other hosts are still refused.
func TestLocalPublicURL(t *testing.T) {
	const public = "http://cognito:9229"
	r := startLocal(t, "--public-url", public)
	if r.PublicURL != public || !strings.HasPrefix(r.Endpoint, "http://127.0.0.1:") {
		t.Fatalf("ready line: endpoint %s, public_url %s", r.Endpoint, r.PublicURL)
	}
	p := r.Pools[0]
	if p.Issuer != public+"/"+p.ID || p.JWKSURL != public+"/"+p.ID+"/.well-known/jwks.json" {
		t.Errorf("ready line pool: issuer %s, jwks_url %s", p.Issuer, p.JWKSURL)
	}
	hc := containerClient("cognito:9229", strings.TrimPrefix(r.Endpoint, "http://"))

	// The discovery document, fetched as another container would.
	resp, err := hc.Get(public + "/" + p.ID + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("discovery with Host cognito:9229: %d %s", resp.StatusCode, raw)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	urls := 0
	for k, v := range doc {
		s, ok := v.(string)
		if !ok || !strings.Contains(s, "://") {
			continue
		}
		urls++
		if !strings.HasPrefix(s, public+"/") {
			t.Errorf("discovery %s = %s; want it under %s", k, s, public)
		}
	}
	if urls < 7 || doc["issuer"] != p.Issuer {
		t.Errorf("discovery has %d URLs, issuer %v; want the 7 endpoints and issuer %s", urls, doc["issuer"], p.Issuer)
	}
	jwks, err := hc.Get(doc["jwks_uri"].(string))
	if err != nil || jwks.StatusCode != 200 {
		t.Fatalf("JWKS from the discovery document: %v", err)
	}
	jwks.Body.Close()

	// Sign in through the public name; the token's issuer is fetchable.
	api := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(public), HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})
	conf := cognitotest.AppClient{ID: p.Clients[1].ID, Secret: p.Clients[1].Secret}
	out, err := api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &conf.ID,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": p.Users[0].Password, "SECRET_HASH": conf.SecretHash("alice")}})
	if err != nil {
		t.Fatalf("sign-in through %s: %v", public, err)
	}
	v, err := verifier.New(verifier.Config{HTTPClient: hc, Pools: []verifier.Pool{{UserPoolID: p.ID, ClientIDs: []string{conf.ID},
		TokenUse: verifier.TokenUseID, Issuer: doc["issuer"].(string), JWKSURL: doc["jwks_uri"].(string)}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if c, err := v.Verify(context.Background(), aws.ToString(out.AuthenticationResult.IdToken)); err != nil || c.Issuer != p.Issuer || c.Username != "alice" {
		t.Errorf("verify the ID token through %s: %+v, %v", public, c, err)
	}

	// The Host guard: the public URL's host passes, others do not; the
	// public origin is trusted.
	describe := func(host string, hdr map[string]string) (int, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, r.Endpoint+"/", strings.NewReader(`{"UserPoolId":"`+p.ID+`","ClientId":"`+conf.ID+`"}`))
		req.Host = host
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPoolClient")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=00")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	if code, _ := describe("evil.example:9229", nil); code != http.StatusForbidden {
		t.Errorf("Host evil.example: %d; want 403", code)
	}
	if code, hdr := describe("localhost", map[string]string{"Origin": public, "Sec-Fetch-Site": "cross-site"}); code != 200 || hdr.Get("Access-Control-Allow-Origin") != public {
		t.Errorf("admin call from the public origin: %d, ACAO %q; want 200, trusted", code, hdr.Get("Access-Control-Allow-Origin"))
	}

	for _, bad := range []string{"cognito:9229", "ftp://cognito", "http://", "http://cognito:9229/auth", "http://u:p@cognito", "http://cognito:99999", "http://cognito?x=1"} {
		code, stdout, stderr := runCLI(t, "", nil, "local", "--addr", "127.0.0.1:0", "--public-url", bad)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "--public-url") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("--public-url %q: exit %d, stderr %q; want %d and one line naming --public-url", bad, code, stderr, exitUsage)
		}
	}
}

// TestLocalUnspecifiedAddr: listening on 0.0.0.0 gives a usable endpoint
// and issuer (127.0.0.1, not [::] or 0.0.0.0), and a warning that other
// containers need --public-url.
func TestLocalUnspecifiedAddr(t *testing.T) {
	r, stderr := startLocalStderr(t, "--addr", "0.0.0.0:0")
	if !strings.HasPrefix(r.Endpoint, "http://127.0.0.1:") || r.Pools[0].Issuer != r.Endpoint+"/"+r.Pools[0].ID {
		t.Errorf("endpoint %s, issuer %s; want 127.0.0.1", r.Endpoint, r.Pools[0].Issuer)
	}
	if body, err := httpGet(r.Pools[0].JWKSURL); err != nil || !strings.Contains(body, "RS256") {
		t.Errorf("JWKS: %v", err)
	}
	if s := stderr.String(); !strings.Contains(s, "not loopback") || !strings.Contains(s, "--public-url") {
		t.Errorf("stderr %q; want the warnings", s)
	}
}

// TestLocalVerboseCodes: --verbose logs every code the emulator sends on
// standard error, and the same code is on /_cognitokit/messages.
func TestLocalVerboseCodes(t *testing.T) {
	r, stderr := startLocalStderr(t, "--verbose")
	api := apiFor(r.Endpoint)
	p := r.Pools[0]
	_, err := api.ForgotPassword(context.Background(), &cip.ForgotPasswordInput{ClientId: aws.String(p.Clients[0].ID), Username: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	body, err := httpGet(r.MessagesURL + "?user=bob&limit=1")
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Messages []struct {
			Code      string `json:"code"`
			Kind      string `json:"kind"`
			Operation string `json:"operation"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Messages) != 1 || out.Messages[0].Kind != "ForgotPassword" {
		t.Fatalf("messages: %s, %v", body, err)
	}
	code := out.Messages[0].Code
	line := regexp.MustCompile(`msg="cognito local: message sent" pool=us-east-1_cognitokit user=bob kind=ForgotPassword medium=EMAIL to=bob@example.com code=(\d+) op=ForgotPassword`)
	m := line.FindStringSubmatch(stderr.String())
	if m == nil || m[1] != code {
		t.Errorf("stderr %q; want the message line with code %s", stderr.String(), code)
	}
}

// TestLocalBanner: the summary a person sees on a terminal.
func TestLocalBanner(t *testing.T) {
	var b strings.Builder
	writeBanner(&b, localReady{Endpoint: "http://127.0.0.1:9229", PublicURL: "http://cognito:9229", ConsoleURL: "http://127.0.0.1:9229/_cognitokit/console/",
		MessagesURL: "http://127.0.0.1:9229/_cognitokit/messages", Pools: []localPool{{ID: "us-east-1_cognitokit", Issuer: "http://cognito:9229/us-east-1_cognitokit",
			Clients: []localClient{{ID: "pub"}, {ID: "conf", Secret: "s3cr3t"}},
			Users:   []localUser{{Username: "alice", Password: "Alice-Passw0rd!", Email: "alice@example.com", Groups: []string{"admin"}}}}}})
	for _, want := range []string{"endpoint   http://127.0.0.1:9229", "public     http://cognito:9229", "console    http://127.0.0.1:9229/_cognitokit/console/",
		"messages   http://127.0.0.1:9229/_cognitokit/messages", "pool us-east-1_cognitokit", "conf", "secret s3cr3t",
		"alice", "Alice-Passw0rd!", "groups admin", "Ctrl+C"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, b.String())
		}
	}
	var ready strings.Builder
	writeBanner(&ready, localReady{Endpoint: "http://127.0.0.1:9229", PublicURL: "http://127.0.0.1:9229"})
	if strings.Contains(ready.String(), "public ") {
		t.Errorf("banner shows the public URL when it is the endpoint:\n%s", ready.String())
	}
	if writerIsTerminal(&b) {
		t.Error("a strings.Builder is a terminal")
	}
}

// TestLocalHelpURLSpace: --help documents the emulator's own endpoints.
func TestLocalHelpURLSpace(t *testing.T) {
	code, stdout, _ := runCLI(t, "", nil, "local", "--help")
	for _, want := range []string{"--public-url", "/_cognitokit/health", "/_cognitokit/messages", "/_cognitokit/console/", "/_cognitokit/export", "/_cognitokit/logs", "messages_url", "logs_url", "console_url", "--rate-limits"} {
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}
