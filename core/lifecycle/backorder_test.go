package lifecycle

import (
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

func backorder(eta *time.Time) *model.POAck {
	return &model.POAck{PONumber: "A", Status: "accepted_with_changes", Lines: []model.AckLine{
		{LineNo: 1, Status: model.AckBackordered, Quantity: 2, ShipDate: eta}, {LineNo: 2, Status: model.AckAccepted, Quantity: 1}}}
}

// TestBackorderETA: PO A must ship within 48 h (agg's ShipDueAt). A
// backorder inside that needs nobody; one past it, or with no date, is an
// exception that offers a reroute.
func TestBackorderETA(t *testing.T) {
	soon, late := t0.Add(24*time.Hour), t0.Add(10*24*time.Hour)
	cases := []struct {
		name   string
		eta    *time.Time
		reason string
	}{
		{"within the SLA", &soon, ""},
		{"past the SLA", &late, "backordered 2 × MUG until 2026-12-01 on A, past the ship-by date"},
		{"no date", nil, "backordered 2 × MUG on A without an expected ship date"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := agg()
			out, err := ApplyPOAck(a, backorder(c.eta), "855", step(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			l := a.PO("A").Lines[0]
			if l.Backordered != 2 || (c.eta != nil && (l.PromisedShip == nil || !l.PromisedShip.Equal(*c.eta))) {
				t.Errorf("line = %+v", l)
			}
			if c.reason == "" {
				if len(out.Exceptions) != 0 {
					t.Errorf("exceptions = %+v", out.Exceptions)
				}
				return
			}
			if len(out.Exceptions) != 1 || out.Exceptions[0].Kind != model.ExBackordered || !strings.Contains(out.Exceptions[0].Reason, c.reason) ||
				strings.Join(out.Exceptions[0].Actions, ",") != "reroute,resolve" {
				t.Errorf("exceptions = %+v, want %q", out.Exceptions, c.reason)
			}
		})
	}
	a := agg()
	ApplyPOAck(a, backorder(&soon), "855", step(time.Hour))
	if msg := a.Timeline[0].Message; !strings.Contains(msg, "backordered, expected to ship 2026-11-22") {
		t.Errorf("timeline does not give the ETA: %q", msg)
	}
}

func TestWithdrawReleasesTheUnits(t *testing.T) {
	a := agg()
	ApplyPOAck(a, backorder(nil), "855", step(time.Hour))
	out := Withdraw(a, "A", "backordered", step(2*time.Hour))
	a.Recompute()
	if !out.Changed || !out.Reroute || len(out.Cancel) != 1 || a.PO("A").Status != model.POCancelRequested {
		t.Fatalf("out %+v, po %s", out, a.PO("A").Status)
	}
	if open := OpenLines(a); open["L1"] != 2 || open["L2"] != 1 {
		t.Errorf("open = %v", open)
	}
	if ex := Excluded(a); len(ex["L1"]) != 1 || ex["L1"][0] != "a" {
		t.Errorf("excluded = %v", ex)
	}
	if again := Withdraw(a, "A", "again", step(3*time.Hour)); again.Changed {
		t.Error("a withdrawn PO was withdrawn twice")
	}
}
