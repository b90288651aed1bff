package redistest_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cognitokit/cognitokit/internal/redistest"
)

func TestStandalone(t *testing.T) {
	s := redistest.Start(t)
	c := s.Client()
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s.Restart()
	if err := c.Get(ctx, "k").Err(); err != redis.Nil {
		t.Fatalf("after a restart without persistence: got %v; want redis.Nil", err)
	}
}

// The cluster helper is tested where a cluster already runs, in
// adapters/redisstore (TestSessionStoreCluster): a new cluster takes two
// seconds to accept writes, more than all of this package's other tests.
