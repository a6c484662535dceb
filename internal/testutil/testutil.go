// Package testutil holds the few helpers every test package shares: where
// the conformance samples live, how a missing external service is treated
// (a skip on a laptop, a failure in CI), and which tests are long soaks.
package testutil

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// InCI reports whether the tests run under CI (CI=true), where nothing may
// be skipped for want of data or a service.
func InCI() bool { return os.Getenv("CI") == "true" }

// Unavailable skips the test on a developer machine and fails it in CI.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("required in CI: "+format, args...)
	}
	t.Skipf(format, args...)
}

// SoakEnv is the environment switch of the long tests: multi-process
// fleets under thousands of orders, throughput and rate-limit windows.
// .ci/run sets it; the README's plain `go test ./...` leaves it unset and
// runs each of them in a smaller form instead.
const SoakEnv = "DROPGATE_SOAK"

// Soak reports whether the long tests run (DROPGATE_SOAK=1).
func Soak() bool { return os.Getenv(SoakEnv) == "1" }

// SkipUnlessSoak skips a long test unless DROPGATE_SOAK=1. It is not
// Unavailable: nothing is missing, the test is simply not part of the
// quick run, so it skips in CI too when the switch is off.
func SkipUnlessSoak(t testing.TB, what string) {
	t.Helper()
	if !Soak() {
		t.Skipf("%s: a soak test, run with %s=1 (as .ci/run does)", what, SoakEnv)
	}
}

// conformanceProbes are where a checkout finds the shared samples when
// DROPGATE_CONFORMANCE_DIR is unset, relative to the module root: beside
// the repository, or beside the directory holding its worktrees (the same
// places .ci/run looks).
var conformanceProbes = []string{
	"../shared/conformance",
	"../../shared/conformance",
	"../../../shared/conformance",
}

// ConformanceDir returns the shared samples written by others:
// $DROPGATE_CONFORMANCE_DIR, or else ../shared/conformance found beside
// the module (see conformanceProbes). When neither exists the test skips
// (fails in CI).
func ConformanceDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("DROPGATE_CONFORMANCE_DIR")
	if dir == "" {
		found, err := probeConformance()
		if err != nil {
			Unavailable(t, "conformance samples: DROPGATE_CONFORMANCE_DIR is not set and %v", err)
		}
		dir = found
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatalf("conformance dir: %v", err)
	}
	if _, err := os.Stat(abs); err != nil {
		Unavailable(t, "conformance dir: %v", err)
	}
	return abs
}

// LocateConformance returns $DROPGATE_CONFORMANCE_DIR, else the samples
// found beside the module root, as ConformanceDir does, for a suite that
// reports through its own testing interface.
func LocateConformance() (string, error) {
	dir := os.Getenv("DROPGATE_CONFORMANCE_DIR")
	if dir == "" {
		found, err := probeConformance()
		if err != nil {
			return "", fmt.Errorf("DROPGATE_CONFORMANCE_DIR is not set and %w", err)
		}
		dir = found
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", err
	}
	return abs, nil
}

// probeConformance looks for the samples beside the module root.
func probeConformance() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	for _, rel := range conformanceProbes {
		dir := filepath.Join(root, rel)
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir, nil
		}
	}
	return "", errors.New("no shared/conformance beside the module (" + root + ")")
}

// moduleRoot is the nearest directory at or above the working directory
// (a test's package directory) that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// ConformanceFile reads one sample, relative to the conformance dir.
func ConformanceFile(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ConformanceDir(t), rel))
	if err != nil {
		t.Fatalf("conformance sample: %v", err)
	}
	return b
}

// ClosedAddr returns a loopback host:port nothing listens on right now (a
// port the kernel just handed out and took back): where a test expects
// "connection refused", or starts a server of its own.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
