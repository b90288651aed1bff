package verifier

import (
	"context"
	"testing"
)

func TestSmoke(t *testing.T) {
	keys(t)
	v := mustNew(t, staticConfig(TokenUseAny, keyA))
	for _, cl := range []map[string]any{accessClaims(), idClaims()} {
		tok := mint(t, keyA, cl)
		for i := 0; i < 2; i++ {
			c, err := v.Verify(context.Background(), tok)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if c.Username != "alice" || c.ClientID != testClientID {
				t.Fatalf("got %+v", c)
			}
		}
	}
}
