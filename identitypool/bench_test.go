package identitypool_test

import (
	"context"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/identitypool"
)

// BenchmarkRetrieve compares a cache hit with a full refresh
// (GetCredentialsForIdentity against the emulator over loopback, identity
// cached) and a cold start (GetId as well).
func BenchmarkRetrieve(b *testing.B) {
	e := newEnv(b, cognitotest.IdentityPoolConfig{})
	src := &staticSource{tokens: []string{e.pool.MustMintTokens(e.app.ID, "ann").IDToken}}
	ctx := context.Background()
	newProvider := func() *identitypool.Provider {
		return e.provider(b, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(b, src)} })
	}
	b.Run("cache-hit", func(b *testing.B) {
		c := newProvider().CredentialsCache()
		if _, err := c.Retrieve(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := c.Retrieve(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("refresh", func(b *testing.B) {
		p := newProvider()
		if _, err := p.Retrieve(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := p.Retrieve(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := newProvider().Retrieve(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
