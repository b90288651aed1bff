package oauth_test

import (
	"testing"

	"github.com/cognitokit/cognitokit/oauth"
)

func BenchmarkAuthCodeURL(b *testing.B) {
	c, err := oauth.New(oauth.Config{Domain: "https://auth.example.com", ClientID: "3k8v9ab1c2d3e4f5g6h7i8j9k0",
		RedirectURL: "https://app.example.com/auth/callback", UserPoolID: "eu-west-1_AbC123"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ReportAllocs()
	for b.Loop() {
		req, err := oauth.NewAuthRequest()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.AuthCodeURL(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientCredentialsCached is the cost of a cached M2M token.
func BenchmarkClientCredentialsCached(b *testing.B) {
	e := newEnv(b)
	c := e.client(b, e.m2m)
	ts, _ := c.ClientCredentials("orders/read")
	if _, err := ts.Token(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ts.Token(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExchange is a full code redemption against the emulator over
// loopback HTTP, ID token verification included (sign-in not timed).
func BenchmarkExchange(b *testing.B) {
	e := newEnv(b)
	c := e.client(b, e.confidential)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		code, req := login(b, c, "alice", alicePass)
		b.StartTimer()
		if _, err := c.Exchange(b.Context(), code, req); err != nil {
			b.Fatal(err)
		}
	}
}
