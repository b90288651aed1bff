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

func TestCluster(t *testing.T) {
	addrs := redistest.StartCluster(t, 3)
	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: addrs})
	defer c.Close()
	if _, ok := c.(*redis.ClusterClient); !ok {
		t.Fatalf("NewUniversalClient with 3 addresses returned %T; want *redis.ClusterClient", c)
	}
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c", "d", "e"} { // keys spread over the nodes
		if err := c.Set(ctx, k, k, 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", k, err)
		}
		if got, err := c.Get(ctx, k).Result(); err != nil || got != k {
			t.Fatalf("GET %s = %q, %v", k, got, err)
		}
	}
}
