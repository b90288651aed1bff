package alb

import (
	"crypto/ecdsa"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/albtoken"
)

// The fixture: one ALB with its key, and a key that is not the ALB's.
const (
	testARN    = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
	otherARN   = "arn:aws:elasticloadbalancing:us-east-1:210987654321:loadbalancer/app/evil/0123456789abcdef"
	secondARN  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api/0fedcba987654321"
	testKid    = "1f0c4b2a-7d3e-4c55-9a61-2b8e9f0d1c3a"
	unknownKid = "00000000-0000-4000-8000-000000000000"
	testClient = "4fmvht22tjrgd7d3k3tghttct7"
	testIssuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"
)

// corpusNow is the clock of the golden corpus.
var corpusNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func loadKey(t testing.TB, name string) *ecdsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	k, err := albtoken.ParsePrivatePEM(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// keyServer serves the ALB key under testKid, as the ALB key endpoint
// does, and 404 for other kids. It counts requests.
type keyServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newKeyServer(t testing.TB, pub *ecdsa.PublicKey) *keyServer {
	t.Helper()
	pemBytes, err := albtoken.PublicPEM(pub)
	if err != nil {
		t.Fatal(err)
	}
	ks := &keyServer{}
	ks.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ks.hits.Add(1)
		if strings.TrimPrefix(r.URL.Path, "/") != testKid {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "binary/octet-stream")
		w.Write(pemBytes)
	}))
	t.Cleanup(ks.Close)
	return ks
}

func testVerifier(t testing.TB, keyURL string, mod func(*Config)) *Verifier {
	t.Helper()
	cfg := Config{ALBARNs: []string{testARN, secondARN}, ClientIDs: []string{testClient}, Issuer: testIssuer,
		KeyURL: keyURL, Now: func() time.Time { return corpusNow }}
	if mod != nil {
		mod(&cfg)
	}
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// albHeader is the header the ALB writes for the fixture.
func albHeader() albtoken.Header {
	return albtoken.Header{Kid: testKid, Iss: testIssuer, Client: testClient, Signer: testARN, Exp: corpusNow.Add(2 * time.Minute).Unix()}
}

// userInfo is a Cognito user-info answer, as the ALB puts it in the payload.
func userInfo(exp int64) []byte {
	return []byte(`{"sub":"6f4c8a51-2d3b-4e7f-9a10-5b6c7d8e9f00","email_verified":"true","email":"alice@example.com","username":"alice","custom:tenant":"acme","exp":` +
		itoa(exp) + `,"iss":"` + testIssuer + `"}`)
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
