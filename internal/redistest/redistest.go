// Package redistest starts real redis-server processes for tests: a
// standalone server, a Sentinel, or a small cluster, each on a free
// loopback port with its own temporary directory.
//
// Tests skip when redis-server is not installed, except when the CI
// environment variable is "true": there they fail, because .ci/run installs
// it (Debian's redis-server package).
//
// # Waiting
//
// Nothing here sleeps for a fixed time. A server is ready as soon as it
// answers PING (it is polled every few milliseconds, and a server that
// exits is reported at once with its log). A new cluster cannot be faster
// than Redis allows: a cluster master refuses writes (CLUSTERDOWN) for the
// first two seconds after it starts (CLUSTER_WRITABLE_DELAY in Redis's
// cluster code, not configurable). A package whose tests need a cluster
// should start one per test binary with [LaunchCluster] in its TestMain,
// before m.Run, so that those two seconds pass while the other tests run,
// and share it.
package redistest

import (
	"bufio"
	"context"
	"errors"
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

// readyTimeout bounds the wait for a process to answer, and for a cluster
// to reach state ok (two seconds of it are Redis's own delay).
const readyTimeout = 20 * time.Second

// poll is the pause between two readiness checks.
const poll = 5 * time.Millisecond

// Server is one redis-server process.
type Server struct {
	tb   testing.TB // nil for the nodes of a launched cluster
	Addr string     // 127.0.0.1:port
	bin  string
	dir  string
	args []string

	mu     sync.Mutex    // guards cmd and exited
	cmd    *exec.Cmd     // nil when stopped
	exited chan struct{} // closed when cmd has exited
	out    output        // the process's stdout and stderr
}

// output keeps what a process writes to stdout and stderr (Redis writes
// there only what it cannot log: a bad option, a port in use), for the
// error that reports its early exit.
type output struct {
	mu  sync.Mutex // guards buf
	buf []byte
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.buf) < 64<<10 {
		o.buf = append(o.buf, p[:min(len(p), 64<<10-len(o.buf))]...)
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.buf)
}

// quiet drops go-redis's own log lines ("connection refused" while a test
// has stopped its server on purpose).
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

var quietOnce sync.Once

// errNotInstalled is what lookBinary returns without redis-server.
var errNotInstalled = errors.New("redis-server is not installed (apt-get install redis-server)")

// lookBinary returns the path of redis-server.
func lookBinary() (string, error) {
	quietOnce.Do(func() { redis.SetLogger(quiet{}) })
	p, err := exec.LookPath("redis-server")
	if err != nil {
		return "", errNotInstalled
	}
	return p, nil
}

// skipOrFail skips tb when redis-server is missing, or fails it under CI,
// where .ci/run installs it.
func skipOrFail(tb testing.TB) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("redis-server is not installed; .ci/run must install it (apt-get install redis-server)")
	}
	tb.Skip("redis-server is not installed (apt-get install redis-server); skipping")
}

// binary returns the path of redis-server, or skips (fails under CI).
func binary(tb testing.TB) string {
	tb.Helper()
	p, err := lookBinary()
	if err != nil {
		skipOrFail(tb)
	}
	return p
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// newServer prepares (does not start) a server on a free port in dir.
func newServer(bin, dir string, extra ...string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), bin: bin, dir: dir}
	s.args = append([]string{
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--protected-mode", "yes",
		"--logfile", filepath.Join(dir, "redis.log"), "--daemonize", "no",
	}, extra...)
	return s, nil
}

// Start starts a standalone redis-server with no persistence (plus any
// extra arguments, such as "--cluster-enabled", "yes"), and stops it by
// tb.Cleanup.
func Start(tb testing.TB, extra ...string) *Server {
	tb.Helper()
	s, err := newServer(binary(tb), tb.TempDir(), extra...)
	if err != nil {
		tb.Fatal(err)
	}
	s.tb = tb
	tb.Cleanup(s.Stop)
	if err := s.start(); err != nil {
		tb.Fatal(err)
	}
	return s
}

// start starts the process and returns once it answers PING.
func (s *Server) start() error {
	cmd := exec.Command(s.bin, s.args...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = &s.out, &s.out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()
	deadline := time.Now().Add(readyTimeout)
	for {
		err := ping(s.Addr)
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("redis-server on %s exited before it answered: %v\n%s", s.Addr, err, s.log())
		case <-time.After(poll):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not answer within %v: %v\n%s", s.Addr, readyTimeout, err, s.log())
		}
	}
}

// ping sends one PING over a new connection and wants +PONG. A port
// nobody listens on yet refuses the connection at once.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// log returns what the process wrote and its log file.
func (s *Server) log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	return s.out.String() + string(b)
}

// Stop kills the server and waits for it to exit. It is idempotent.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-exited
}

// Restart starts the server again on the same port (with an empty
// dataset: there is no persistence).
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.tb.Fatal(err)
	}
}

// Client returns a go-redis client of the server, closed by t.Cleanup. It
// dials once, without go-redis's retries (five dials 100 ms apart): a
// test that stops the server sees the refusal at once.
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr, DialerRetries: 1})
	s.tb.Cleanup(func() { c.Close() })
	return c
}

// Cluster is a Redis Cluster of masters, started by [LaunchCluster].
type Cluster struct {
	ready chan struct{} // closed once the cluster is ok, or failed
	quit  chan struct{} // closed by Stop: give up forming the cluster
	addrs []string      // set before ready is closed
	err   error         // set before ready is closed
	dir   string
	nodes []*Server
	stop  sync.Once
}

// LaunchCluster starts n redis-server processes in cluster mode and
// returns at once; in the background it spreads the 16384 hash slots over
// them (n masters, no replicas) and waits until every node reports state
// ok, which takes Redis a little over two seconds (see the package doc).
// [Cluster.Addrs] waits for that. It takes no testing.TB, so that a
// TestMain can launch one cluster for its whole test binary:
//
//	var cluster *redistest.Cluster
//
//	func TestMain(m *testing.M) {
//		cluster = redistest.LaunchCluster(3)
//		code := m.Run()
//		cluster.Stop()
//		testrun.Exit(code)
//	}
//
// Without redis-server it starts nothing, and Addrs skips (fails under CI).
func LaunchCluster(n int) *Cluster {
	c := &Cluster{ready: make(chan struct{}), quit: make(chan struct{})}
	bin, err := lookBinary()
	if err != nil {
		c.err = err
		close(c.ready)
		return c
	}
	go func() {
		defer close(c.ready)
		c.addrs, c.err = c.form(bin, n)
	}()
	return c
}

// form starts the nodes, joins them and waits for state ok.
func (c *Cluster) form(bin string, n int) ([]string, error) {
	dir, err := os.MkdirTemp("", "redistest-cluster-")
	if err != nil {
		return nil, err
	}
	c.dir = dir
	addrs := make([]string, n)
	for i := range n {
		ndir := filepath.Join(dir, strconv.Itoa(i))
		if err := os.Mkdir(ndir, 0o700); err != nil {
			return nil, err
		}
		s, err := newServer(bin, ndir, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
		if err != nil {
			return nil, err
		}
		c.nodes = append(c.nodes, s)
		addrs[i] = s.Addr
	}
	// Start every process before waiting for any: Redis's two-second
	// delay runs in each of them from its start.
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, s := range c.nodes {
		wg.Go(func() { errs[i] = s.start() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	ctx := context.Background()
	clients := make([]*redis.Client, n)
	for i, s := range c.nodes {
		clients[i] = redis.NewClient(&redis.Options{Addr: s.Addr, DialerRetries: 1})
		defer clients[i].Close()
	}
	host, port, _ := net.SplitHostPort(addrs[0])
	for i, cl := range clients {
		if i > 0 {
			if err := cl.ClusterMeet(ctx, host, port).Err(); err != nil {
				return nil, fmt.Errorf("CLUSTER MEET: %w", err)
			}
		}
		lo, hi := i*16384/n, (i+1)*16384/n-1
		if err := cl.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err(); err != nil {
			return nil, fmt.Errorf("CLUSTER ADDSLOTSRANGE %d %d: %w", lo, hi, err)
		}
	}
	// Redis has no event for the state change: ask every few
	// milliseconds (most of the wait is the fixed delay).
	deadline := time.Now().Add(readyTimeout)
	want := fmt.Sprintf("cluster_known_nodes:%d", n)
	for {
		ok := true
		for _, cl := range clients {
			info, err := cl.ClusterInfo(ctx).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, want) {
				ok = false
				break
			}
		}
		if ok {
			return addrs, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the %d-node cluster did not reach state ok within %v", n, readyTimeout)
		}
		select {
		case <-c.quit:
			return nil, errors.New("stopped before it was ready")
		case <-time.After(poll):
		}
	}
}

// Addrs waits until the cluster is ready and returns its nodes' addresses
// (what redis.UniversalOptions takes as Addrs). It skips tb without
// redis-server (fails under CI), and fails tb when the cluster could not
// be formed.
func (c *Cluster) Addrs(tb testing.TB) []string {
	tb.Helper()
	<-c.ready
	if errors.Is(c.err, errNotInstalled) {
		skipOrFail(tb)
	}
	if c.err != nil {
		tb.Fatalf("redis cluster: %v", c.err)
	}
	return c.addrs
}

// Stop stops the nodes and removes their directory; a cluster still
// forming stops forming (a test binary whose tests did not need it does
// not wait for it). It is idempotent.
func (c *Cluster) Stop() {
	c.stop.Do(func() {
		close(c.quit)
		<-c.ready
		for _, s := range c.nodes {
			s.Stop()
		}
		if c.dir != "" {
			os.RemoveAll(c.dir)
		}
	})
}

// StartCluster is [LaunchCluster] for one test: it waits for the cluster,
// stops it by tb.Cleanup, and returns the nodes' addresses.
func StartCluster(tb testing.TB, n int) []string {
	tb.Helper()
	c := LaunchCluster(n)
	tb.Cleanup(c.Stop)
	return c.Addrs(tb)
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
	sport, err := freePort()
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{tb: tb, bin: binary(tb), dir: dir, Addr: "127.0.0.1:" + strconv.Itoa(sport)}
	s.args = []string{conf, "--sentinel", "--port", strconv.Itoa(sport), "--bind", "127.0.0.1", "--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"), "--daemonize", "no"}
	tb.Cleanup(s.Stop)
	if err := s.start(); err != nil {
		tb.Fatal(err)
	}
	// The Sentinel knows the primary from its configuration file; check
	// that it says so.
	c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr, DialerRetries: 1})
	defer c.Close()
	deadline := time.Now().Add(readyTimeout)
	for {
		addr, err := c.GetMasterAddrByName(context.Background(), "cognitokit").Result()
		if err == nil && len(addr) == 2 && addr[1] == port {
			return "cognitokit", s.Addr
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the Sentinel never reported the primary: %v %v", addr, err)
		}
		time.Sleep(poll)
	}
}
