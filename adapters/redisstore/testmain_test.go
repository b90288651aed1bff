package redisstore_test

import (
	"testing"

	"github.com/cognitokit/cognitokit/internal/redistest"
	"github.com/cognitokit/cognitokit/internal/testrun"
)

// cluster is the one 3-node Redis Cluster of this test binary, shared by
// the cluster tests (they use different keys). It is launched before the
// tests run: a new cluster needs two seconds before it takes writes, and
// they pass while the other tests run.
var cluster *redistest.Cluster

func TestMain(m *testing.M) {
	cluster = redistest.LaunchCluster(3)
	code := m.Run()
	cluster.Stop()
	testrun.Exit(code)
}
