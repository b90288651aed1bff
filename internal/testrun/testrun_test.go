package testrun

import (
	"flag"
	"os"
	"os/exec"
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
