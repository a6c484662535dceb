// Package testutil holds the few helpers every test package shares: where
// the conformance samples live, and how a missing external service is
// treated (a skip on a laptop, a failure in CI).
package testutil

import (
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

// ConformanceDir returns $DROPGATE_CONFORMANCE_DIR (the shared samples
// written by others), or skips/fails the test when it is not set.
func ConformanceDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("DROPGATE_CONFORMANCE_DIR")
	if dir == "" {
		Unavailable(t, "DROPGATE_CONFORMANCE_DIR is not set")
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
