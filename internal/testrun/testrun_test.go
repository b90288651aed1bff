package testrun

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

const childEnv = "COGNITOKIT_TESTRUN_CHILD"

// TestRacyChild races on purpose, but only in the child process
// TestRaceStillFails starts.
func TestRacyChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("runs only as TestRaceStillFails's child")
	}
	var x int
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { x++ })
	}
	wg.Wait()
	_ = x
}

// TestRaceStillFails: a test binary that exits through Exit still fails
// when a test races, and says why.
func TestRaceStillFails(t *testing.T) {
	if !raceEnabled {
		t.Skip("needs -race")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRacyChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the racing child exited 0; output:\n%s", out)
	}
	if !strings.Contains(string(out), "WARNING: DATA RACE") || !strings.Contains(string(out), "race detected during execution of test") {
		t.Errorf("the child's output does not report the race:\n%s", out)
	}
}

// TestCleanChildPasses: the same child without the race exits 0.
func TestCleanChildPasses(t *testing.T) {
	out, err := exec.Command(os.Args[0], "-test.run=^TestRacyChild$", "-test.count=1").CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// TestSelected: Selected follows -test.run and -test.skip by the first
// element of each pattern, and says yes when in doubt.
func TestSelected(t *testing.T) {
	run, skip := flag.Lookup("test.run").Value.String(), flag.Lookup("test.skip").Value.String()
	t.Cleanup(func() {
		_ = flag.Set("test.run", run)
		_ = flag.Set("test.skip", skip)
	})
	for _, tc := range []struct {
		run, skip string
		want      bool
	}{
		{"", "", true},
		{"TestBrowser", "", true},
		{"^TestBrowserSignIn$", "", true},
		{"TestOther", "", false},
		{"TestBrowserSignIn/sub", "", true},
		{"TestOther/TestBrowserSignIn", "", false},
		{"", "TestBrowser", false},
		{"", "TestBrowserSignIn/sub", true}, // only some subtests skipped
		{"[", "", true},                     // a bad pattern: in doubt, yes
	} {
		_ = flag.Set("test.run", tc.run)
		_ = flag.Set("test.skip", tc.skip)
		if got := Selected("TestBrowserSignIn"); got != tc.want {
			t.Errorf("-test.run=%q -test.skip=%q: Selected = %v; want %v", tc.run, tc.skip, got, tc.want)
		}
	}
}

const parallelChildEnv = "COGNITOKIT_TESTRUN_PARALLEL_CHILD"

// TestParallelChild prints the -test.parallel the child ran with.
func TestParallelChild(t *testing.T) {
	if os.Getenv(parallelChildEnv) == "" {
		t.Skip("runs only as TestRunRaisesParallel's child")
	}
	fmt.Printf("parallel=%s\n", flag.Lookup("test.parallel").Value)
}

// TestRunRaisesParallel: without -test.parallel, Run lets at least
// MinParallel tests run at once, or GOMAXPROCS if that is more; an explicit
// -test.parallel is kept, even when lower.
func TestRunRaisesParallel(t *testing.T) {
	for _, tc := range []struct {
		gomaxprocs string
		args       []string
		want       string
	}{
		{"2", nil, strconv.Itoa(MinParallel)},
		{"1", nil, strconv.Itoa(MinParallel)},
		{"8", nil, "8"},
		{"2", []string{"-test.parallel=1"}, "1"},
		{"8", []string{"-test.parallel=3"}, "3"},
	} {
		cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestParallelChild$", "-test.count=1"}, tc.args...)...)
		cmd.Env = append(os.Environ(), parallelChildEnv+"=1", "GOMAXPROCS="+tc.gomaxprocs)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "parallel="+tc.want+"\n") {
			t.Errorf("GOMAXPROCS=%s %q: child said %q; want parallel=%s", tc.gomaxprocs, tc.args, out, tc.want)
		}
	}
}
