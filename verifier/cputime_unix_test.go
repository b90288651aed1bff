//go:build unix

package verifier

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) the test process has
// used. Benchmarks report it per op next to wall time, because on a shared
// machine wall time also counts the time spent waiting for a CPU.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
