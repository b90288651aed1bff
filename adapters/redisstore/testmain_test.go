package redisstore_test

import (
	"flag"
	"sync"
	"testing"

	"github.com/cognitokit/cognitokit/internal/redistest"
	"github.com/cognitokit/cognitokit/internal/testrun"
)

// cluster is the one 3-node Redis Cluster of this test binary, shared by
// the cluster tests (they use different keys). TestMain launches it before
// the tests run (when -run can select a cluster test): a new cluster needs
// two seconds before it takes writes, and they pass while the other tests
// run.
var (
	clusterMu sync.Mutex // guards cluster
	cluster   *redistest.Cluster
)

// clusterAddrs returns the addresses of the binary's cluster, once it is
// ready; it launches the cluster if TestMain did not.
func clusterAddrs(t *testing.T) []string {
	t.Helper()
	clusterMu.Lock()
	if cluster == nil {
		cluster = redistest.LaunchCluster(3)
	}
	c := cluster
	clusterMu.Unlock()
	return c.Addrs(t)
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testrun.Selected("TestSessionStoreCluster") || testrun.Selected("TestRevocationCluster") {
		cluster = redistest.LaunchCluster(3)
	}
	code := testrun.Run(m)
	if cluster != nil {
		cluster.Stop()
	}
	testrun.Exit(code)
}
