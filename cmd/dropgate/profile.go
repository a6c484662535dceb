package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"

	"github.com/dropgate/dropgate/core/stage"
)

// startCPUProfile writes a CPU profile of the whole run to the file named
// by DROPGATE_CPUPROFILE, for `go tool pprof` (docs/BENCHMARKS.md), and an
// execution trace to the one named by DROPGATE_TRACE. Both are complete
// when the command returns (SIGTERM or Ctrl-C for serve).
func startCPUProfile() (func(), error) {
	stopTrace, err := startTrace()
	if err != nil {
		return nil, err
	}
	path := os.Getenv("DROPGATE_CPUPROFILE")
	if path == "" {
		return stopTrace, nil
	}
	f, err := os.Create(path)
	if err != nil {
		stopTrace()
		return nil, fmt.Errorf("DROPGATE_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		stopTrace()
		return nil, fmt.Errorf("DROPGATE_CPUPROFILE: %w", err)
	}
	stage.Enable() // the profile tells the stages of an order apart
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		stopTrace()
	}, nil
}

// startTrace writes an execution trace of the whole run to the file named
// by DROPGATE_TRACE, for `go tool trace`: where a request's time goes
// (scheduler wait, syscalls, blocking) rather than where the CPU goes.
func startTrace() (func(), error) {
	path := os.Getenv("DROPGATE_TRACE")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("DROPGATE_TRACE: %w", err)
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("DROPGATE_TRACE: %w", err)
	}
	return func() {
		trace.Stop()
		f.Close()
	}, nil
}
