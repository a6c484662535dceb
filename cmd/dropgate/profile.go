package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/dropgate/dropgate/core/stage"
)

// startCPUProfile writes a CPU profile of the whole run to the file named
// by DROPGATE_CPUPROFILE, for `go tool pprof` (docs/BENCHMARKS.md). The
// profile is complete when the command returns (SIGTERM or Ctrl-C for
// serve).
func startCPUProfile() (func(), error) {
	path := os.Getenv("DROPGATE_CPUPROFILE")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("DROPGATE_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("DROPGATE_CPUPROFILE: %w", err)
	}
	stage.Enable() // the profile tells the stages of an order apart
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
