package main

import (
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
