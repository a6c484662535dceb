package connectortest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/internal/testutil"
)

// T is the part of *testing.T the suites use. The suite's own tests pass
// a recorder instead, to prove that a broken connector fails.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Cleanup(func())
	TempDir() string
	Failed() bool
	// Run runs f as a subtest and reports whether it passed.
	Run(name string, f func(T)) bool
}

// std adapts *testing.T to T.
type std struct{ *testing.T }

func (s std) Run(name string, f func(T)) bool {
	return s.T.Run(name, func(t *testing.T) { f(std{t}) })
}

// Wrap adapts a *testing.T to T, for a harness that calls a suite's
// helpers itself.
func Wrap(t *testing.T) T { return std{t} }

// safely runs f, turning a panic in the connector into a failure that
// says where, instead of killing the test binary.
func safely(t T, what string, f func()) (panicked bool) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			panicked = true
			t.Errorf("%s panicked: %v\n%s", what, p, debug.Stack())
		}
	}()
	f()
	return false
}

// conformanceDir is where the conformance samples are
// (testutil.LocateConformance); missing, they cannot be checked: a
// failure in CI, a note on a laptop (as testutil.Unavailable does).
func conformanceDir(t T) (string, bool) {
	t.Helper()
	dir, err := testutil.LocateConformance()
	if err != nil {
		if testutil.InCI() {
			t.Fatalf("conformance samples: %v: required in CI", err)
		}
		t.Logf("conformance samples not checked: %v", err)
		return "", false
	}
	return dir, true
}

// readConformance reads one conformance sample.
func readConformance(t T, dir, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatalf("conformance sample %s: %v", rel, err)
	}
	return b
}

// short quotes a payload for a failure message.
func short(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return fmt.Sprintf("%q", s)
}
