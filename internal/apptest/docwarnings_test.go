package apptest_test

import (
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/app/purchasing"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

// TestDocumentWarningsOnTimeline: a document the connector accepted with
// warnings is applied, and its warnings are on the PO's timeline once,
// even when the document arrives again.
func TestDocumentWarningsOnTimeline(t *testing.T) {
	r := newRig(t)
	r.intake(testOrder("w1", line("1", "MUG", 1)))
	r.Drain()
	po := r.order("w1").POs[0]
	warning := `in.x12: line 7, interchange 000000905 group 1 set 0001 segment 1 (ST): ST02 "0001" is used by an earlier set of the group`
	d := connector.InboundDoc{ID: "x12:S:905:1:0001#2", PONumber: po.Number, POAck: &model.POAck{PONumber: po.Number, Status: "accepted"},
		Warnings: []string{warning}}
	r.doc("a", d)
	r.doc("a", d)
	a := r.order("w1")
	if a.PO(po.Number).Status != model.POAcknowledged {
		t.Errorf("PO %s: the document must be applied", a.PO(po.Number).Status)
	}
	var found []model.TimelineEntry
	for _, e := range a.Timeline {
		if e.Event == purchasing.EventDocumentWarning {
			found = append(found, e)
		}
	}
	if len(found) != 1 || found[0].Entity != "po:"+po.Number || !strings.Contains(found[0].Message, warning) ||
		!strings.HasPrefix(found[0].Message, "a po_ack accepted with warnings: ") || found[0].Data["doc"] != d.ID {
		t.Fatalf("warning entries %+v\ntimeline %s", found, timeline(a))
	}
}
