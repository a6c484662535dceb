package apptest_test

import (
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/internal/apptest"
)

// A send schedules one timer, the acknowledgement's, which schedules the
// shipment's when it fires: the shipment SLA is still enforced, with or
// without an acknowledgement SLA before it.
func TestShipSLABreachFollowsTheAckTimer(t *testing.T) {
	for name, sla := range map[string]routing.SLA{
		"ack and ship": {AcknowledgeWithin: 4 * time.Hour, ShipWithin: 48 * time.Hour},
		"ship only":    {ShipWithin: 48 * time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, func(o *apptest.Options, _ *rig) { o.Profiles["a"] = routing.SupplierProfile{Name: "a", SLA: sla} })
			r.intake(testOrder("7", line("1", "MUG", 1)))
			r.Drain()
			po := r.order("7").POs[0]
			if po.Supplier != "a" || po.ShipDueAt == nil {
				t.Fatalf("po = %+v", po)
			}
			r.Clock.Advance(47 * time.Hour)
			r.Drain()
			if xs := r.Exceptions(map[string]string{"kind": string(model.ExSLABreach)}); len(xs) != 0 {
				t.Fatalf("breach before the ship SLA: %+v", xs)
			}
			r.Clock.Advance(2 * time.Hour)
			r.Drain()
			if xs := r.Exceptions(map[string]string{"kind": string(model.ExSLABreach)}); len(xs) != 1 || xs[0].PONumber != po.Number {
				t.Fatalf("sla_breach exceptions after the ship SLA = %+v", xs)
			}
		})
	}
}
