package edi_x12_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/supplier/edi_x12"
	"github.com/dropgate/dropgate/core/app/purchasing"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/internal/apptest"
	"github.com/dropgate/dropgate/internal/connenv"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/transport"
)

// The connector in the application: POs go out as 850 files, the
// supplier's answers come back through the inbound pipeline (inbox poll,
// fetch, parse, documents applied to their orders).

// shop is a channel that takes fulfillments.
type shop struct{}

func (shop) Name() string { return "shop" }
func (shop) Type() string { return "fake" }
func (shop) PushFulfillment(_ context.Context, _ *model.Order, sh *model.Shipment) (string, error) {
	return "F-" + sh.ID, nil
}

// pipelineRig is the application whose supplier "a" is this connector on
// a directory transport (out: our 850s, in: the supplier's files).
type pipelineRig struct {
	*apptest.Rig
	out, in string
}

func newPipelineRig(t *testing.T) *pipelineRig {
	t.Helper()
	clk := clock.NewFake(apptest.Start)
	st := apptest.NewStore(t, clk)
	dir := t.TempDir()
	out, in := filepath.Join(dir, "out"), filepath.Join(dir, "in")
	expectAck := true
	c, err := edi_x12.New(connenv.New(st, connenv.Options{Name: "a", Namespace: "x12", Clock: clk}),
		&edi_x12.Config{Partner: edi_x12.Partner{SenderQualifier: "ZZ", SenderID: "DROPGATE", ReceiverQualifier: "ZZ", ReceiverID: "ALPHA",
			Version: "004010", Usage: "T", ExpectAck: &expectAck, AckWithin: time.Hour},
			Transport: transport.Config{Type: "directory", Outbox: out, Inbox: in}})
	if err != nil {
		t.Fatal(err)
	}
	r := apptest.New(t, apptest.Options{Store: st, Clock: clk,
		Channels: map[string]connector.Connector{"shop": shop{}}, Suppliers: map[string]connector.Connector{"a": c}})
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	r.Catalog.Replace("a", []routing.Offer{{SKU: "MUG", SupplierSKU: "A-MUG", Cost: usd("4.00"), Stock: 10}, {SKU: "TEE", SupplierSKU: "A-TEE", Cost: usd("9.00"), Stock: 10}})
	return &pipelineRig{Rig: r, out: out, in: in}
}

// intake takes an order of MUGs in and runs what it queued.
func (r *pipelineRig) intake(id string, qty int64) *model.Order {
	r.T.Helper()
	o := apptest.NewOrder("shop", id, apptest.Line("1", "MUG", qty))
	if err := r.S.Orders.Intake(context.Background(), o, apptest.Cause); err != nil {
		r.T.Fatal(err)
	}
	r.DrainBury()
	return o
}

// poll runs one inbox poll and everything it queues, burying the jobs
// that fail as the worker would.
func (r *pipelineRig) poll(supplier string) {
	r.T.Helper()
	j, err := purchasing.KindInboxPoll.New(purchasing.NewTick(supplier, r.Clock.Now(), time.Second))
	if err != nil {
		r.T.Fatal(err)
	}
	if err := r.S.Mux.Serve(context.Background(), &j); err != nil {
		r.T.Fatal(err)
	}
	r.DrainBury()
}

func TestBadFileDeadLetteredOthersApplied(t *testing.T) {
	r := newPipelineRig(t)
	ctx := context.Background()
	o := r.intake("10", 2)
	sim := &edisupplier.Supplier{Name: "a", Outbox: r.out, Inbox: r.in, ShipAfter: time.Hour}
	if err := sim.Step(); err != nil {
		t.Fatal(err)
	}
	garbage := []byte("ISA*00*this is not an interchange~")
	if err := os.WriteFile(filepath.Join(r.in, "broken.x12"), garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	r.poll("a")

	a := r.Order(o.ID)
	if a.POs[0].Status != model.POAcknowledged {
		t.Errorf("the good 855 was not applied: %s", a.POs[0].Status)
	}
	dead, _, _ := r.Store.DeadLetters(ctx, "", 10)
	if len(dead) != 1 || dead[0].Kind != purchasing.KindParse.Name || string(dead[0].Payload) != string(garbage) || dead[0].Meta["file"] != "broken.x12" {
		t.Fatalf("dead letters = %+v", dead)
	}
	if e := dead[0].Errors[0].Error; !strings.Contains(e, "broken.x12") {
		t.Errorf("the error does not name the file: %s", e)
	}
	left, _ := os.ReadDir(r.in)
	for _, f := range left {
		if !f.IsDir() {
			t.Errorf("%s was not archived", f.Name())
		}
	}
	// The 997 for the 855 went back to the supplier.
	acks, _ := filepath.Glob(filepath.Join(r.out, "*.997.x12"))
	if len(acks) != 1 {
		t.Errorf("997s sent: %v", acks)
	}
	// Listing again finds nothing new: each file is processed once.
	r.poll("a")
	if dead, _, _ := r.Store.DeadLetters(ctx, "", 10); len(dead) != 1 {
		t.Errorf("dead letters after a second poll: %d", len(dead))
	}
}

func TestInterchangeWithoutFunctionalAckIsFlagged(t *testing.T) {
	r := newPipelineRig(t)
	o := r.intake("11", 1)
	po := r.Order(o.ID).POs[0]
	r.Clock.Advance(61 * time.Minute)
	r.DrainBury()
	xs := r.Exceptions(map[string]string{"kind": string(model.ExAckOverdue)})
	if len(xs) != 1 || xs[0].PONumber != po.Number || !strings.Contains(xs[0].Reason, "no functional acknowledgement from a for interchange 1") {
		t.Fatalf("exceptions = %+v", xs)
	}
}
