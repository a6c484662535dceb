package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector's target when the operator sets no
// GOGC. The server's live heap is small (tens of MiB) and it allocates
// about 1,500 objects per order, so at Go's default of 100 the collector
// ran constantly: 15 % of the server's CPU on the orders → 850 benchmark.
// At 400 the heap may grow to five times what is live before a cycle;
// an operator short of memory sets GOGC, or GOMEMLIMIT, which still caps
// it (docs/BENCHMARKS.md, "Orders → 850 with batching").
const gcPercent = 400

func init() { applyGCPercent(os.Getenv) }

// applyGCPercent sets gcPercent unless GOGC is set, and returns the
// percent now in force (-1: the operator's GOGC, left alone).
func applyGCPercent(getenv func(string) string) int {
	if getenv("GOGC") != "" {
		return -1
	}
	debug.SetGCPercent(gcPercent)
	return gcPercent
}
