// Package testrun ends cognitokit's test binaries without the race
// detector's exit pause.
//
// A binary built with -race sleeps one second when it exits (GORACE's
// atexit_sleep_ms, default 1000) so that goroutines still running get a
// chance to report a race. For a test binary that second buys nothing:
// the testing package already fails every test during which a race was
// found, and fails the binary with "race detected outside of test
// execution" for one found between tests, before [testing.M.Run] returns.
// Across the module's fifty test binaries the pauses cost about 25 seconds
// of a `go test -race ./...` run on two cores.
//
// Every test package has a TestMain that calls [Main] (or [Exit], when it
// has its own work to do around the tests). Without -race, Exit is
// os.Exit.
package testrun

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// Main runs m's tests and exits with their status; see [Exit].
func Main(m *testing.M) {
	Exit(m.Run())
}

// Exit ends the process with code. Under the race detector it exits through
// syscall.Exit, which skips the race runtime's finaliser and its sleep;
// otherwise it calls os.Exit.
func Exit(code int) {
	if raceEnabled {
		syscall.Exit(code)
	}
	os.Exit(code)
}

// Selected reports whether -test.run and -test.skip let the top-level test
// name run, judged by the first element of each pattern; in doubt it says
// yes. A TestMain uses it, after flag.Parse, to start an expensive shared
// resource (a browser, a Redis cluster) only when a test that needs it can
// run.
func Selected(name string) bool {
	match := func(flagName string) (matched, set bool) {
		f := flag.Lookup(flagName)
		if f == nil || f.Value.String() == "" {
			return false, false
		}
		first, _, sub := strings.Cut(f.Value.String(), "/")
		re, err := regexp.Compile(first)
		if err != nil {
			return false, false
		}
		return re.MatchString(name) && !(flagName == "test.skip" && sub), true
	}
	if m, set := match("test.run"); set && !m {
		return false
	}
	m, _ := match("test.skip")
	return !m
}
