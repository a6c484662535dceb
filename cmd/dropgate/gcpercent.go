package main

import (
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// gcPercent is the garbage collector's target when the operator sets no
// GOGC. The server's live heap is small (tens of MiB) and it allocates
// about 1,500 objects per order, so at Go's default of 100 the collector
// ran constantly: 15 % of the server's CPU on the orders → 850 benchmark.
// At 400 the heap may grow to five times what is live before a cycle;
// an operator short of memory sets GOGC, or GOMEMLIMIT, which still caps
// it (docs/BENCHMARKS.md, "Orders → 850 with batching").
const gcPercent = 400

func init() {
	applyGCPercent(os.Getenv)
	applyMemoryLimit(os.Getenv, os.ReadFile)
}

// cgroupMemoryMax is where a container's memory limit reads (cgroup v2).
const cgroupMemoryMax = "/sys/fs/cgroup/memory.max"

// applyMemoryLimit gives the runtime a soft memory limit of 90 % of the
// container's when the operator set no GOMEMLIMIT: with the collector's
// target raised, a heap that grows towards the container's limit makes
// the collector work harder instead of the kernel killing the process.
// It returns the limit set, or -1 when none was (GOMEMLIMIT set, no
// container limit, or one it cannot read).
func applyMemoryLimit(getenv func(string) string, readFile func(string) ([]byte, error)) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return -1
	}
	b, err := readFile(cgroupMemoryMax)
	if err != nil {
		return -1
	}
	limit, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || limit <= 0 || limit > math.MaxInt64/10 { // "max": no limit
		return -1
	}
	soft := limit / 10 * 9
	debug.SetMemoryLimit(soft)
	return soft
}

// applyGCPercent sets gcPercent unless GOGC is set, and returns the
// percent now in force (-1: the operator's GOGC, left alone).
func applyGCPercent(getenv func(string) string) int {
	if getenv("GOGC") != "" {
		return -1
	}
	debug.SetGCPercent(gcPercent)
	return gcPercent
}
