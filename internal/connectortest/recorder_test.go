package connectortest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// recorder is a T that records failures instead of failing the test, so
// the suite's own tests can run it against a broken connector and assert
// that it fails, and where.
type recorder struct {
	t      *testing.T
	parent *recorder
	path   string

	mu       sync.Mutex
	failed   bool
	failures []string // "subtest/path: message", in the root only
}

func newRecorder(t *testing.T) *recorder { return &recorder{t: t} }

func (r *recorder) Helper()                        {}
func (r *recorder) Logf(string, ...any)            {}
func (r *recorder) Cleanup(f func())               { r.t.Cleanup(f) }
func (r *recorder) TempDir() string                { return r.t.TempDir() }
func (r *recorder) Errorf(format string, a ...any) { r.fail(fmt.Sprintf(format, a...)) }

// Fatalf records and ends the goroutine, as testing.T does.
func (r *recorder) Fatalf(format string, a ...any) {
	r.fail(fmt.Sprintf(format, a...))
	runtime.Goexit()
}

func (r *recorder) fail(msg string) {
	for x := r; x != nil; x = x.parent {
		x.mu.Lock()
		x.failed = true
		if x.parent == nil {
			x.failures = append(x.failures, r.path+": "+msg)
		}
		x.mu.Unlock()
	}
}

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// Run runs f in its own goroutine, so a Fatalf ends only the subtest.
func (r *recorder) Run(name string, f func(T)) bool {
	sub := &recorder{t: r.t, parent: r, path: r.path + "/" + name}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(sub)
	}()
	<-done
	return !sub.Failed()
}

// Failures are the recorded failures, each prefixed with its subtest.
func (r *recorder) Failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.failures...)
}

// mustFail runs a suite against a broken connector and asserts that it
// fails, in every one of the named cases (subtest paths containing them).
func mustFail(t *testing.T, what string, run func(T), cases ...string) {
	t.Helper()
	rec := newRecorder(t)
	run(rec)
	if !rec.Failed() {
		t.Fatalf("%s passed the suite", what)
	}
	failures := rec.Failures()
	for _, c := range cases {
		found := false
		for _, f := range failures {
			if strings.Contains(f, c) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s did not fail %q; it failed:\n%s", what, c, strings.Join(failures, "\n"))
		}
	}
}

// mustPass runs a suite through a recorder and fails the test with its
// failures, for a connector that must pass.
func mustPass(t *testing.T, what string, run func(T)) {
	t.Helper()
	rec := newRecorder(t)
	run(rec)
	if rec.Failed() {
		t.Fatalf("%s failed the suite:\n%s", what, strings.Join(rec.Failures(), "\n"))
	}
}
