//go:build unix

package bench

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the test process has used; benchmarks
// report it per op because wall time on a shared machine also counts the
// wait for a CPU.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
