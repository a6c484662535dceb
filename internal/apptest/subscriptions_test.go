package apptest_test

import (
	"slices"
	"testing"

	"github.com/dropgate/dropgate/internal/apptest"
)

// TestSubscriptions prints the event table as wired (docs/ARCHITECTURE.md
// describes it) and checks the subscriptions every order depends on: a
// service that stops subscribing breaks the flow silently otherwise.
func TestSubscriptions(t *testing.T) {
	r := apptest.New(t, apptest.Options{})
	got := r.Deps.Events.Subscriptions()
	for _, s := range got {
		t.Log(s)
	}
	for _, want := range []string{
		"po.drafted → purchasing.send",
		"po.sent → purchasing.sla",
		"po.cancel_requested → purchasing.cancel",
		"shipment.created → fulfilment.push",
		"exception.raised → operations.raise",
		"exceptions.settled → operations.settle",
		"inventory.availability → sync.soon",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing subscription %q in %v", want, got)
		}
	}
}
