package http_api

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/supplierapi"
)

// sentPO creates a PO on the fake and returns it as the engine would hold
// it afterwards (status sent, supplier ref set), with the fake's order id.
func (r *rig) sentPO(i int) (*model.PurchaseOrder, uint64) {
	r.t.Helper()
	po, order := testPO(i, "ACME-TEE")
	sent, _ := r.deliver(po, order)
	markSent(po, sent)
	id, err := strconv.ParseUint(refOf(po), 10, 64)
	if err != nil {
		r.t.Fatal(err)
	}
	return po, id
}

// poll runs one round of polling, then moves the clock to when the next
// round is due (status.every in the README config: 10m).
func (r *rig) poll(pos ...*model.PurchaseOrder) []connector.InboundDoc {
	r.t.Helper()
	docs, err := r.conn.(connector.StatusPoller).PollStatus(context.Background(), pos)
	if err != nil {
		r.t.Fatal(err)
	}
	r.clk.Advance(10 * time.Minute)
	return docs
}

func TestPollShipped(t *testing.T) {
	r := newRig(t, rigOptions{})
	po, id := r.sentPO(1)
	po.Status = model.POAcknowledged
	if docs := r.poll(po); len(docs) != 0 {
		t.Fatalf("an accepted, acknowledged PO produced %d documents", len(docs))
	}
	if !r.fake.Ship(id) {
		t.Fatal("the fake did not ship")
	}
	docs := r.poll(po)
	if len(docs) != 1 || docs[0].ShipNotice == nil {
		t.Fatalf("got %+v, want one ship notice", docs)
	}
	sn := docs[0].ShipNotice
	fo, _ := r.fake.Order(id)
	if sn.Carrier != "ups" || sn.Service != "Ground" || sn.PONumber != po.Number || sn.ShipmentID != fo.Shipments[0].ID || !sn.ShippedAt.Equal(fo.Shipments[0].ShippedAt) {
		t.Errorf("ship notice %+v", sn)
	}
	if len(sn.Packages) != 2 {
		t.Fatalf("%d packages, want 2", len(sn.Packages))
	}
	for i, p := range sn.Packages {
		if !strings.HasPrefix(p.TrackingNumber, "1Z") || len(p.Lines) != 1 || p.Lines[0].POLineNo != i+1 || p.Lines[0].Quantity != po.Lines[i].Quantity {
			t.Errorf("package %d: %+v", i, p)
		}
	}
	if sn.Packages[0].TrackingNumber == sn.Packages[1].TrackingNumber {
		t.Error("both packages have the same tracking number")
	}
	again := r.poll(po)
	if len(again) != 1 || again[0].ID != docs[0].ID {
		t.Fatalf("second poll: %+v, want the same document id %s", again, docs[0].ID)
	}
	if !strings.HasPrefix(docs[0].ID, "http_api:acme_api:"+refOf(po)+":ship:") {
		t.Errorf("document id %q", docs[0].ID)
	}
}

// TestPollShipsOnSchedule: the fake ships two hours after the order, by
// the shared fake clock; nothing before.
func TestPollShipsOnSchedule(t *testing.T) {
	r := newRig(t, rigOptions{fake: []supplierapi.Option{supplierapi.WithShipAfter(2 * time.Hour)}})
	po, _ := r.sentPO(1)
	po.Status = model.POAcknowledged
	if docs := r.poll(po); len(docs) != 0 {
		t.Fatalf("shipped early: %+v", docs)
	}
	r.clk.Advance(2 * time.Hour)
	if docs := r.poll(po); len(docs) != 1 || docs[0].ShipNotice == nil {
		t.Fatalf("not shipped after 2h: %+v", docs)
	}
}

// TestPollProcessing: an order the supplier is "processing" is accepted
// (per the README's statuses): one POAck while the PO awaits it, with a
// stable id, and nothing once it is acknowledged.
func TestPollProcessing(t *testing.T) {
	r := newRig(t, rigOptions{fake: []supplierapi.Option{supplierapi.WithInitialStatus("processing")}})
	po, _ := r.sentPO(1)
	first := r.poll(po)
	if len(first) != 1 || first[0].POAck == nil || first[0].POAck.Status != "accepted" || first[0].POAck.SupplierID != refOf(po) {
		t.Fatalf("got %+v, want one accepted POAck", first)
	}
	again := r.poll(po)
	if len(again) != 1 || again[0].ID != first[0].ID {
		t.Fatalf("second poll %+v, want the same id %s", again, first[0].ID)
	}
	po.Status = model.POAcknowledged
	if docs := r.poll(po); len(docs) != 0 {
		t.Fatalf("acknowledged PO: %+v", docs)
	}
}

// TestPollSkipsWhatItCannotRead: a PO the supplier does not know (404)
// is skipped, the others are still polled, and POs never sent are not
// asked about.
func TestPollSkipsWhatItCannotRead(t *testing.T) {
	r := newRig(t, rigOptions{})
	po, id := r.sentPO(1)
	po.Status = model.POAcknowledged
	r.fake.Ship(id)
	ghost, _ := testPO(2, "ACME-TEE")
	ghost.Status = model.POSent
	ghost.SetRef("supplier:"+supplierName, "12345")
	draft, _ := testPO(3, "ACME-TEE")
	before := r.fake.Stats().Requests
	docs := r.poll(ghost, draft, po)
	if len(docs) != 1 || docs[0].PONumber != po.Number {
		t.Fatalf("got %+v", docs)
	}
	if n := r.fake.Stats().Requests - before; n != 2 {
		t.Fatalf("%d requests, want 2 (the ghost and the real one)", n)
	}
}

// TestPollRetryableEndsThePoll: a 429 ends the poll with a retryable
// error, returning what was gathered before it.
func TestPollRetryableEndsThePoll(t *testing.T) {
	r := newRig(t, rigOptions{})
	po, id := r.sentPO(1)
	po.Status = model.POAcknowledged
	r.fake.Ship(id)
	docs, err := r.conn.(connector.StatusPoller).PollStatus(context.Background(), []*model.PurchaseOrder{po})
	if err != nil || len(docs) != 1 {
		t.Fatalf("got %v, %v", docs, err)
	}
	throttled := newRig(t, rigOptions{fake: []supplierapi.Option{supplierapi.WithFaults(supplierapi.Faults{Seed: 1, TooManyRequests: 1})}})
	docs, err = throttled.conn.(connector.StatusPoller).PollStatus(context.Background(), []*model.PurchaseOrder{po})
	if class, _ := fault.Classify(err); class != fault.ClassRetryable || len(docs) != 0 {
		t.Fatalf("got %v, %v, want a retryable error", docs, err)
	}
}

func TestCancel(t *testing.T) {
	r := newRig(t, rigOptions{})
	canceller, ok := connector.As[connector.POCanceller](r.conn)
	if !ok {
		t.Fatal("a config with cancel_order offers no POCanceller")
	}
	po, _ := r.sentPO(1)
	sent, err := canceller.CancelPO(context.Background(), po, nil)
	if err != nil || sent.Ack == nil || sent.Ack.CancelResponse != "accepted" {
		t.Fatalf("got %+v, %v", sent, err)
	}
	po.Status = model.POCancelRequested
	docs := r.poll(po)
	if len(docs) != 1 || docs[0].POAck == nil || docs[0].POAck.CancelResponse != "accepted" {
		t.Fatalf("poll after cancel: %+v", docs)
	}

	shipped, id := r.sentPO(2)
	r.fake.Ship(id)
	sent, err = canceller.CancelPO(context.Background(), shipped, nil)
	if err != nil || sent.Ack == nil || sent.Ack.CancelResponse != "rejected" || !strings.Contains(sent.Ack.Reason, "has shipped") {
		t.Fatalf("cancel of a shipped order: %+v, %v", sent, err)
	}

	none := newRig(t, rigOptions{cfg: func(c *Config) { c.CancelOrder = nil }})
	if _, ok := connector.As[connector.POCanceller](none.conn); ok {
		t.Fatal("a config without cancel_order offers POCanceller")
	}
}

// TestPollRounds: polls come one round per status.every, however often
// the engine calls.
func TestPollRounds(t *testing.T) {
	r := newRig(t, rigOptions{})
	po, id := r.sentPO(1)
	po.Status = model.POAcknowledged
	r.fake.Ship(id)
	poller := r.conn.(connector.StatusPoller)
	if docs, err := poller.PollStatus(context.Background(), []*model.PurchaseOrder{po}); err != nil || len(docs) != 1 {
		t.Fatalf("first round: %v, %v", docs, err)
	}
	before := r.fake.Stats().Requests
	r.clk.Advance(9 * time.Minute)
	if docs, err := poller.PollStatus(context.Background(), []*model.PurchaseOrder{po}); err != nil || len(docs) != 0 {
		t.Fatalf("a call before the round is due: %v, %v", docs, err)
	}
	if r.fake.Stats().Requests != before {
		t.Fatal("a call before the round was due asked the supplier")
	}
	r.clk.Advance(time.Minute)
	if docs, err := poller.PollStatus(context.Background(), []*model.PurchaseOrder{po}); err != nil || len(docs) != 1 {
		t.Fatalf("second round: %v, %v", docs, err)
	}
}

// TestPollResumesAfterThrottling: with budget for one request at a time,
// each call polls the next PO of the round instead of starting over, so
// every PO gets its turn.
func TestPollResumesAfterThrottling(t *testing.T) {
	r := newRig(t, rigOptions{limit: store.Limit{Rate: 0.001, Burst: 4}})
	var pos []*model.PurchaseOrder
	for i := range 3 {
		po, id := r.sentPO(i)
		po.Status = model.POAcknowledged
		r.fake.Ship(id)
		pos = append(pos, po)
	}
	poller := r.conn.(connector.StatusPoller)
	seen := map[string]bool{}
	for call := 0; call < 3; call++ {
		docs, err := poller.PollStatus(context.Background(), pos)
		if len(docs) != 1 {
			t.Fatalf("call %d: %d documents, %v", call, len(docs), err)
		}
		seen[docs[0].PONumber] = true
		class, notBefore := fault.Classify(err)
		switch {
		case call < 2 && class != fault.ClassThrottled:
			t.Fatalf("call %d: %v, want throttled", call, err)
		case call == 2 && err != nil:
			t.Fatalf("last call: %v", err)
		}
		if notBefore.After(r.clk.Now()) {
			r.clk.Set(notBefore)
		}
	}
	if len(seen) != 3 {
		t.Fatalf("polled %v, want all three POs", seen)
	}
}
