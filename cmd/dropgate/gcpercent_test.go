package main

import (
	"errors"
	"math"
	"runtime/debug"
	"testing"
)

func TestGCPercentDefaultAndOperatorGOGC(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)

	if got := applyGCPercent(func(string) string { return "" }); got != gcPercent {
		t.Fatalf("without GOGC: applied %d, want %d", got, gcPercent)
	}
	if now := debug.SetGCPercent(100); now != gcPercent {
		t.Errorf("without GOGC the collector runs at %d, want %d", now, gcPercent)
	}

	env := map[string]string{"GOGC": "50"}
	if got := applyGCPercent(func(k string) string { return env[k] }); got != -1 {
		t.Fatalf("with GOGC=50: applied %d, want the operator's value left alone", got)
	}
	if now := debug.SetGCPercent(100); now != 100 {
		t.Errorf("with GOGC set the percent moved to %d; it must stay the operator's", now)
	}
}

// In a container with a memory limit and no GOMEMLIMIT the runtime gets a
// soft limit of 90 % of it; GOMEMLIMIT, no limit ("max") or no cgroup
// file leave the runtime's alone.
func TestMemoryLimitFromTheContainer(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	file := func(content string, err error) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if name != cgroupMemoryMax {
				t.Errorf("read %s", name)
			}
			return []byte(content), err
		}
	}
	none := func(string) string { return "" }
	if got := applyMemoryLimit(none, file("1073741824\n", nil)); got != 1073741824/10*9 {
		t.Fatalf("1 GiB container: soft limit %d", got)
	}
	if now := debug.SetMemoryLimit(-1); now != 1073741824/10*9 {
		t.Errorf("the runtime's limit is %d", now)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	for name, c := range map[string]struct {
		env  map[string]string
		read func(string) ([]byte, error)
	}{
		"GOMEMLIMIT set": {map[string]string{"GOMEMLIMIT": "512MiB"}, file("1073741824", nil)},
		"no limit":       {nil, file("max\n", nil)},
		"no cgroup file": {nil, file("", errors.New("no such file"))},
	} {
		if got := applyMemoryLimit(func(k string) string { return c.env[k] }, c.read); got != -1 {
			t.Errorf("%s: set %d", name, got)
		}
		if now := debug.SetMemoryLimit(-1); now != math.MaxInt64 {
			t.Errorf("%s: the runtime's limit moved to %d", name, now)
		}
	}
}
