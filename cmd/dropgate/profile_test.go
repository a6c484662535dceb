package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// DROPGATE_TRACE writes an execution trace that is complete once the stop
// function returns; without it nothing is written.
func TestStartTraceWritesTrace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.out")
	t.Setenv("DROPGATE_CPUPROFILE", "")
	t.Setenv("DROPGATE_TRACE", path)
	stop, err := startCPUProfile()
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	stop()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read trace: %v", err)
	}
	// A Go execution trace starts with its version line.
	if !bytes.HasPrefix(b, []byte("go 1.")) {
		t.Fatalf("trace starts with %q, want a Go trace header", b[:min(len(b), 16)])
	}
}

func TestStartTraceUnsetWritesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DROPGATE_CPUPROFILE", "")
	t.Setenv("DROPGATE_TRACE", "")
	stop, err := startCPUProfile()
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	stop()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("wrote %d files without DROPGATE_TRACE", len(ents))
	}
}

func TestStartTraceBadPath(t *testing.T) {
	t.Setenv("DROPGATE_CPUPROFILE", "")
	t.Setenv("DROPGATE_TRACE", filepath.Join(t.TempDir(), "missing", "trace.out"))
	if _, err := startCPUProfile(); err == nil {
		t.Fatal("want an error for a trace file that cannot be created")
	}
}
