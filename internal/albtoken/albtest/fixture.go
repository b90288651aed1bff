// Package albtest is an ALB fixture for tests: a key, its key endpoint and
// a signer of user-claims tokens.
package albtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/albtoken"
)

// Fixture is an ALB for tests: a key, its key endpoint, an ARN and the
// IdP it authenticates against.
type Fixture struct {
	Key    *ecdsa.PrivateKey
	Kid    string
	ARN    string
	Client string
	Issuer string
	KeyURL string // the key endpoint's base URL
}

// FixtureARN is the ARN of the Fixture's load balancer.
const FixtureARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/fixture/0123456789abcdef"

// NewFixture starts a key endpoint (closed by t.Cleanup) for a new key.
func NewFixture(t testing.TB, client, issuer string) *Fixture {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := &Fixture{Key: key, Kid: "5b9a3c1e-2f4d-4a6b-8c7d-9e0f1a2b3c4d", ARN: FixtureARN, Client: client, Issuer: issuer}
	h, err := albtoken.NewKeyHandler(map[string]*ecdsa.PublicKey{f.Kid: &key.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	f.KeyURL = srv.URL
	return f
}

// Token signs the user-info claims (a JSON object, or a value marshaled
// to one) as the ALB would, valid for two minutes.
func (f *Fixture) Token(t testing.TB, claims any) string {
	t.Helper()
	payload, ok := claims.([]byte)
	if !ok {
		var err error
		if payload, err = json.Marshal(claims); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := albtoken.Sign(f.Key, albtoken.Header{Kid: f.Kid, Iss: f.Issuer, Client: f.Client, Signer: f.ARN, Exp: time.Now().Add(2 * time.Minute).Unix()}, payload, albtoken.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
