package alb

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/albtoken"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

func goodToken(t testing.TB, mod func(*albtoken.Header)) string {
	t.Helper()
	h := albHeader()
	if mod != nil {
		mod(&h)
	}
	tok, err := albtoken.Sign(loadKey(t, "alb-key.pem"), h, userInfo(corpusNow.Unix()+120), albtoken.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerifyClaims(t *testing.T) {
	ks := newKeyServer(t, &loadKey(t, "alb-key.pem").PublicKey)
	v := testVerifier(t, ks.URL, nil)
	c, err := v.Verify(context.Background(), goodToken(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Username != "alice" || c.Email != "alice@example.com" || !c.EmailVerified || c.TokenUse != "" {
		t.Errorf("claims = %+v", c)
	}
	if tenant, _ := c.String("custom:tenant"); tenant != "acme" {
		t.Errorf("custom:tenant = %q; want acme", tenant)
	}
	var mine struct {
		Tenant string `json:"custom:tenant"`
	}
	if err := c.Decode(&mine); err != nil || mine.Tenant != "acme" {
		t.Errorf("Decode = %+v, %v", mine, err)
	}
}

func TestVerifyNilContext(t *testing.T) {
	v := testVerifier(t, "http://127.0.0.1:1", nil)
	//lint:ignore SA1012 the nil context is the point
	if _, err := v.Verify(nil, "x"); !errors.Is(err, verifier.ErrInvalidInput) { //nolint:staticcheck
		t.Errorf("err = %v; want ErrInvalidInput", err)
	}
}

func TestVerifyTooLarge(t *testing.T) {
	v := testVerifier(t, "http://127.0.0.1:1", func(c *Config) { c.MaxTokenSize = 100 })
	if _, err := v.Verify(context.Background(), strings.Repeat("a", 101)); !errors.Is(err, verifier.ErrTooLarge) {
		t.Errorf("err = %v; want ErrTooLarge", err)
	}
}

// A cold cache: concurrent callers share one fetch.
func TestKeyFetchSingleFlight(t *testing.T) {
	ks := newKeyServer(t, &loadKey(t, "alb-key.pem").PublicKey)
	v := testVerifier(t, ks.URL, nil)
	tok := goodToken(t, nil)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := v.Verify(context.Background(), tok); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := ks.hits.Load(); n != 1 {
		t.Errorf("key fetches = %d; want 1", n)
	}
	v.Verify(context.Background(), tok)
	if n := ks.hits.Load(); n != 1 {
		t.Errorf("key fetches after a cached verify = %d; want 1", n)
	}
}

// Made-up kids cost one fetch per cooldown; cached keys keep working.
func TestUnknownKidCooldown(t *testing.T) {
	ks := newKeyServer(t, &loadKey(t, "alb-key.pem").PublicKey)
	v := testVerifier(t, ks.URL, nil)
	good := goodToken(t, nil)
	if _, err := v.Verify(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	kids := []string{unknownKid, "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"}
	for i, kid := range kids {
		_, err := v.Verify(context.Background(), goodToken(t, func(h *albtoken.Header) { h.Kid = kid }))
		if !errors.Is(err, verifier.ErrUnknownKey) {
			t.Fatalf("kid %d: err = %v; want ErrUnknownKey", i, err)
		}
		if i > 0 && !errors.Is(err, verifier.ErrCooldown) {
			t.Errorf("kid %d: err = %v; want ErrCooldown", i, err)
		}
	}
	if n := ks.hits.Load(); n != 2 {
		t.Errorf("key fetches = %d; want 2 (the good key, one unknown kid)", n)
	}
	if _, err := v.Verify(context.Background(), good); err != nil {
		t.Errorf("cached key during the cooldown: %v", err)
	}
}

func TestKeyEndpointFailures(t *testing.T) {
	pemBytes, _ := albtoken.PublicPEM(&loadKey(t, "alb-key.pem").PublicKey)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    error
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, verifier.ErrKeysUnavailable},
		{"403 (S3's missing object)", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "denied", http.StatusForbidden) }, verifier.ErrUnknownKey},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://evil.example/key", http.StatusFound)
		}, verifier.ErrKeysUnavailable},
		{"not PEM", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>hello</html>")) }, verifier.ErrKeysUnavailable},
		{"junk before the PEM", func(w http.ResponseWriter, r *http.Request) { w.Write(append([]byte("junk\n"), pemBytes...)) }, verifier.ErrKeysUnavailable},
		{"two PEM blocks", func(w http.ResponseWriter, r *http.Request) { w.Write(append(pemBytes, pemBytes...)) }, verifier.ErrKeysUnavailable},
		{"too large", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(strings.Repeat("a", 9<<10))) }, verifier.ErrKeysUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			v := testVerifier(t, srv.URL, nil)
			_, err := v.Verify(context.Background(), goodToken(t, nil))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v; want %v", err, tc.want)
			}
			// Within the cooldown, the same answer without a fetch.
			_, err2 := v.Verify(context.Background(), goodToken(t, nil))
			if !errors.Is(err2, tc.want) {
				t.Errorf("second err = %v; want %v", err2, tc.want)
			}
		})
	}
}

func TestKeyFetchTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	v := testVerifier(t, srv.URL, func(c *Config) { c.FetchTimeout = 50 * time.Millisecond })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := v.Verify(ctx, goodToken(t, nil)); !errors.Is(err, verifier.ErrKeysUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v; want ErrKeysUnavailable wrapping context.Canceled", err)
	}
	_, err := v.Verify(context.Background(), goodToken(t, nil))
	if !errors.Is(err, verifier.ErrKeysUnavailable) || !strings.Contains(err.Error(), "FetchTimeout") {
		t.Errorf("timeout: err = %v; want ErrKeysUnavailable naming FetchTimeout", err)
	}
}

func TestMaxKeys(t *testing.T) {
	ks := newKeyServer(t, &loadKey(t, "alb-key.pem").PublicKey)
	v := testVerifier(t, ks.URL, func(c *Config) { c.MaxKeys = 1 })
	// The same server under two names is two key URLs.
	other := strings.Replace(ks.URL, "127.0.0.1", "localhost", 1)
	for i, base := range []string{ks.URL, other, ks.URL} {
		if _, err := v.keys.key(context.Background(), base, testKid); err != nil {
			t.Fatalf("fetch %d: %v", i, err)
		}
		if n := len(*v.keys.keys.Load()); n != 1 {
			t.Errorf("cached keys = %d; want 1", n)
		}
	}
	if n := ks.hits.Load(); n != 3 {
		t.Errorf("fetches = %d; want 3 (the first key was evicted by the second)", n)
	}
}

func TestNewErrors(t *testing.T) {
	ok := Config{ALBARNs: []string{testARN}, ClientIDs: []string{testClient}, Issuer: testIssuer}
	tests := []struct {
		name string
		mod  func(*Config)
		msg  string
	}{
		{"no ARNs", func(c *Config) { c.ALBARNs = nil }, "ALBARNs is empty"},
		{"not an ARN", func(c *Config) { c.ALBARNs = []string{"my-alb"} }, "not a load balancer ARN"},
		{"classic ELB ARN", func(c *Config) {
			c.ALBARNs = []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb/123"}
		}, "not an Application Load Balancer ARN"},
		{"China without KeyURL", func(c *Config) {
			c.ALBARNs = []string{"arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/web/123"}
		}, "set Config.KeyURL"},
		{"no client", func(c *Config) { c.ClientIDs = nil }, "ClientIDs is empty"},
		{"no issuer", func(c *Config) { c.Issuer = "" }, "Issuer is empty"},
		{"plain http key URL", func(c *Config) { c.KeyURL = "http://keys.example" }, "plain http"},
		{"negative leeway", func(c *Config) { c.Leeway = -time.Second }, "Leeway"},
		{"negative MaxKeys", func(c *Config) { c.MaxKeys = -1 }, "MaxKeys"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.mod(&cfg)
			_, err := New(cfg)
			if !errors.Is(err, ErrInvalidConfig) || !errors.Is(err, verifier.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v; want ErrInvalidConfig mentioning %q", err, tc.msg)
			}
		})
	}
}

func TestKeyBase(t *testing.T) {
	tests := map[string]string{
		testARN: "https://public-keys.auth.elb.us-east-1.amazonaws.com",
		"arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/web/123": "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1",
		"arn:aws-us-gov:elasticloadbalancing:us-gov-east-1:123456789012:loadbalancer/app/web/123": "https://s3-us-gov-east-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-east-1",
	}
	for arn, want := range tests {
		if got, err := keyBase(arn); got != want || err != nil {
			t.Errorf("keyBase(%s) = %q, %v; want %q", arn, got, err, want)
		}
	}
}

func TestVerifyHeaders(t *testing.T) {
	ks := newKeyServer(t, &loadKey(t, "alb-key.pem").PublicKey)
	good := goodToken(t, nil)
	const sub = "6f4c8a51-2d3b-4e7f-9a10-5b6c7d8e9f00"
	access := fakeAccess{"good-access": {Subject: sub, Groups: []string{"admin"}}, "other-access": {Subject: "someone-else"}}
	tests := []struct {
		name   string
		hdr    http.Header
		access bool
		want   error
	}{
		{"data only", http.Header{HeaderData: {good}}, false, nil},
		{"no data", http.Header{HeaderIdentity: {sub}}, false, auth.ErrNoToken},
		{"two data headers", http.Header{HeaderData: {good, good}}, false, auth.ErrAmbiguousToken},
		{"identity agrees", http.Header{HeaderData: {good}, HeaderIdentity: {sub}}, false, nil},
		{"identity forged", http.Header{HeaderData: {good}, HeaderIdentity: {"admin"}}, false, ErrHeaderMismatch},
		{"identity repeated", http.Header{HeaderData: {good}, HeaderIdentity: {sub, sub}}, false, ErrHeaderMismatch},
		{"access verified", http.Header{HeaderData: {good}, HeaderAccessToken: {"good-access"}}, true, nil},
		{"access missing", http.Header{HeaderData: {good}}, true, auth.ErrNoToken},
		{"access of another user", http.Header{HeaderData: {good}, HeaderAccessToken: {"other-access"}}, true, ErrHeaderMismatch},
		{"access invalid", http.Header{HeaderData: {good}, HeaderAccessToken: {"forged"}}, true, verifier.ErrBadSignature},
		{"bad data", http.Header{HeaderData: {good + "x"}}, false, verifier.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := testVerifier(t, ks.URL, func(c *Config) {
				if tc.access {
					c.AccessTokens = access
				}
			})
			id, err := v.VerifyHeaders(context.Background(), tc.hdr)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if id.User.Subject != sub || (tc.access && !id.Claims().HasGroup("admin")) || (!tc.access && id.Claims() != id.User) {
					t.Errorf("identity = %+v", id)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v; want %v", err, tc.want)
			}
		})
	}
}

type fakeAccess map[string]*verifier.Claims

func (f fakeAccess) Verify(_ context.Context, tok string) (*verifier.Claims, error) {
	if c, ok := f[tok]; ok {
		return c, nil
	}
	return nil, verifier.ErrBadSignature
}
