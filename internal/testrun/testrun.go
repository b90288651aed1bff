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
	"os"
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
