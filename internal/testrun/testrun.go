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
// Every test package has a TestMain that calls [Main] (or [Run] and
// [Exit], when it has its own work to do around the tests). Without -race,
// Exit is os.Exit.
//
// [Run] also raises the default -test.parallel to [MinParallel]: the
// module's parallel tests mostly wait (for an emulator, Chromium, Node,
// Redis or a timer), and on a two-core machine GOMAXPROCS would let only
// two wait at a time.
package testrun

import (
	"flag"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Main runs m's tests and exits with their status; see [Exit].
func Main(m *testing.M) {
	Exit(Run(m))
}

// Run runs m's tests and returns their exit code. Unless -test.parallel is
// given, it lets at least [MinParallel] parallel tests run at once, not
// GOMAXPROCS (two on a small machine): cognitokit's parallel tests mostly
// wait (for a server, a browser, Node, a timer), and waiting two at a time
// leaves the CPU idle.
func Run(m *testing.M) int {
	if !flag.Parsed() {
		flag.Parse()
	}
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if f := flag.Lookup("test.parallel"); !set && f != nil {
		if n, err := strconv.Atoi(f.Value.String()); err == nil && n < MinParallel {
			f.Value.Set(strconv.Itoa(MinParallel))
		}
	}
	return m.Run()
}

// MinParallel is the -test.parallel that [Run] sets when the flag is not
// given and its default (GOMAXPROCS) is lower.
const MinParallel = 4

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
