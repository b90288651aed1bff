// Package redistest starts real redis-server processes for tests: a
// standalone server or a small cluster, each on a free loopback port with
// its own temporary directory, stopped by t.Cleanup.
//
// Tests skip when redis-server is not installed, except when the CI
// environment variable is "true": there they fail, because .ci/run installs
// it (Debian's redis-server package).
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is one redis-server process.
type Server struct {
	tb   testing.TB
	Addr string // 127.0.0.1:port
	dir  string
	args []string
	cmd  *exec.Cmd
}

// quiet drops go-redis's own log lines ("connection refused" while a test
// has stopped its server on purpose).
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

var quietOnce sync.Once

// binary returns the path of redis-server, or skips (fails under CI).
func binary(tb testing.TB) string {
	tb.Helper()
	quietOnce.Do(func() { redis.SetLogger(quiet{}) })
	p, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("redis-server is not installed; .ci/run must install it (apt-get install redis-server)")
		}
		tb.Skip("redis-server is not installed (apt-get install redis-server); skipping")
	}
	return p
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start starts a standalone redis-server with no persistence (plus any
// extra arguments, such as "--cluster-enabled", "yes").
func Start(tb testing.TB, extra ...string) *Server {
	tb.Helper()
	bin := binary(tb)
	dir := tb.TempDir()
	port := freePort(tb)
	s := &Server{tb: tb, Addr: "127.0.0.1:" + strconv.Itoa(port), dir: dir}
	s.args = append([]string{
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--protected-mode", "yes",
		"--logfile", filepath.Join(dir, "redis.log"), "--daemonize", "no",
	}, extra...)
	s.start(bin)
	tb.Cleanup(s.Stop)
	return s
}

func (s *Server) start(bin string) {
	s.tb.Helper()
	s.cmd = exec.Command(bin, s.args...)
	s.cmd.Dir = s.dir
	if err := s.cmd.Start(); err != nil {
		s.tb.Fatalf("start redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.tb.Fatalf("redis-server on %s did not answer: %v\n%s", s.Addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server and waits for it to exit. It is idempotent.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the server again on the same port (with an empty
// dataset: there is no persistence).
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	s.start(binary(s.tb))
}

// Client returns a go-redis client of the server, closed by t.Cleanup.
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	s.tb.Cleanup(func() { c.Close() })
	return c
}

// StartCluster starts n redis-server processes in cluster mode, spreads
// the 16384 hash slots over them (n masters, no replicas) and waits until
// the cluster reports state ok. It returns the nodes' addresses.
func StartCluster(tb testing.TB, n int) []string {
	tb.Helper()
	nodes := make([]*Server, n)
	addrs := make([]string, n)
	for i := range nodes {
		nodes[i] = Start(tb, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
		addrs[i] = nodes[i].Addr
	}
	ctx := context.Background()
	clients := make([]*redis.Client, n)
	for i, s := range nodes {
		clients[i] = s.Client()
	}
	for i, c := range clients {
		if i > 0 {
			host, port, _ := net.SplitHostPort(addrs[0])
			p, _ := strconv.Atoi(port)
			if err := c.ClusterMeet(ctx, host, strconv.Itoa(p)).Err(); err != nil {
				tb.Fatalf("CLUSTER MEET: %v", err)
			}
		}
		lo, hi := i*16384/n, (i+1)*16384/n-1
		if err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err(); err != nil {
			tb.Fatalf("CLUSTER ADDSLOTSRANGE %d %d: %v", lo, hi, err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok := true
		for _, c := range clients {
			info, err := c.ClusterInfo(ctx).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, fmt.Sprintf("cluster_known_nodes:%d", n)) {
				ok = false
			}
		}
		if ok {
			return addrs
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the %d-node cluster did not reach state ok", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// StartSentinel starts a primary and one Sentinel monitoring it under the
// name "cognitokit", and returns the name and the Sentinel's address: what
// redis.UniversalOptions takes as MasterName and Addrs.
func StartSentinel(tb testing.TB) (masterName, sentinelAddr string) {
	tb.Helper()
	primary := Start(tb)
	host, port, _ := net.SplitHostPort(primary.Addr)
	dir := tb.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	body := "sentinel monitor cognitokit " + host + " " + port + " 1\nsentinel down-after-milliseconds cognitokit 2000\n"
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	s := &Server{tb: tb, dir: dir}
	sport := freePort(tb)
	s.Addr = "127.0.0.1:" + strconv.Itoa(sport)
	s.args = []string{conf, "--sentinel", "--port", strconv.Itoa(sport), "--bind", "127.0.0.1", "--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"), "--daemonize", "no"}
	s.start(binary(tb))
	tb.Cleanup(s.Stop)
	// Wait until the Sentinel knows the primary.
	c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		addr, err := c.GetMasterAddrByName(context.Background(), "cognitokit").Result()
		if err == nil && len(addr) == 2 && addr[1] == port {
			return "cognitokit", s.Addr
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the Sentinel never reported the primary: %v %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
