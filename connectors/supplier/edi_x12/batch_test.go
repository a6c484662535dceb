package edi_x12_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/supplier/edi_x12"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/apptest"
	"github.com/dropgate/dropgate/internal/connenv"
	"github.com/dropgate/dropgate/internal/edipartner"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/transport"
	"github.com/dropgate/dropgate/internal/worker"
	"github.com/dropgate/dropgate/internal/x12"
)

// TestBatchedPOsShareOneInterchange: with batch.max_sets 3, three orders'
// POs go out as one file: one ISA/GS, three ST/SE each numbered apart.
// The supplier's 997s answer each set; each PO's tracked interchange is
// accepted and its order's timeline says so.
func TestBatchedPOsShareOneInterchange(t *testing.T) {
	b := sendBatchOfThree(t, "21", "22", "23")
	r, orders, out, in := b.Rig, b.orders, b.out, b.in
	pr := &pipelineRig{Rig: r, out: out, in: in}
	ctx := context.Background()
	r.DrainBury()

	files, _ := filepath.Glob(filepath.Join(out, "*.850.x12"))
	if len(files) != 1 || !strings.HasPrefix(filepath.Base(files[0]), "B") {
		t.Fatalf("850 files %v, want one batch", files)
	}
	data, _ := os.ReadFile(files[0])
	f, err := x12.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	g := f.Interchanges[0].Groups[0]
	if len(f.Interchanges) != 1 || len(f.Interchanges[0].Groups) != 1 || len(g.Sets) != 3 {
		t.Fatalf("interchange shape: %d interchanges, %d sets", len(f.Interchanges), len(g.Sets))
	}
	numbers := map[string]bool{}
	for _, s := range g.Sets {
		numbers[s.Header.Control] = true
		for _, seg := range s.Segments {
			if seg.ID == "BEG" {
				numbers[seg.Element(3)] = true
			}
		}
	}
	for _, o := range orders {
		po := r.Order(o.ID).POs[0]
		if !numbers[po.Number] {
			t.Errorf("PO %s is not in the batch", po.Number)
		}
	}
	if !numbers["0001"] || !numbers["0002"] || !numbers["0003"] {
		t.Errorf("set control numbers %v", numbers)
	}

	sim := &edisupplier.Supplier{Name: "a", Outbox: out, Inbox: in, ShipAfter: time.Hour}
	if err := sim.Step(); err != nil {
		t.Fatal(err)
	}
	pr.poll("a")
	for _, o := range orders {
		a := r.Order(o.ID)
		if a.POs[0].Status != model.POAcknowledged {
			t.Errorf("order %s: PO %s", o.ID, a.POs[0].Status)
		}
		accepted := 0
		for _, e := range a.Timeline {
			if e.Event == "po.functional_ack_accepted" {
				accepted++
			}
		}
		if accepted != 1 {
			t.Errorf("order %s: %d functional-ack entries, want 1: %+v", o.ID, accepted, a.Timeline)
		}
	}
	ics, _, err := r.Deps.Interchanges.List(ctx, map[string]string{"status": "accepted"}, repoPage())
	if err != nil || len(ics) != 3 {
		t.Errorf("accepted interchanges %d (%v), want 3", len(ics), err)
	}
	// Past the acknowledgement deadline nothing is overdue.
	r.Clock.Advance(61 * time.Minute)
	r.DrainBury()
	if xs := r.Exceptions(map[string]string{"kind": string(model.ExAckOverdue)}); len(xs) != 0 {
		t.Errorf("overdue exceptions %+v", xs)
	}
}

func repoPage() repo.Page { return repo.Page{Limit: 100} }

// batchRig is an app with supplier "a" on X12 with batch.max_sets 3 and
// acknowledgements expected within the hour, after three orders' POs went
// out together.
type batchRig struct {
	*apptest.Rig
	orders  []*model.Order
	out, in string
}

// sendBatchOfThree takes in orders ids (three) and runs workers until
// their POs are sent: a batch of three needs three sends waiting
// together, as a server's workers run them.
func sendBatchOfThree(t *testing.T, ids ...string) *batchRig {
	t.Helper()
	clk := clock.NewFake(apptest.Start)
	st := apptest.NewStore(t, clk)
	dir := t.TempDir()
	b := &batchRig{out: filepath.Join(dir, "out"), in: filepath.Join(dir, "in")}
	expectAck := true
	c, err := edi_x12.New(connenv.New(st, connenv.Options{Name: "a", Namespace: "x12", Clock: clk}),
		&edi_x12.Config{Partner: edi_x12.Partner{SenderQualifier: "ZZ", SenderID: "DROPGATE", ReceiverQualifier: "ZZ", ReceiverID: "ALPHA",
			Version: "004010", Usage: "T", ExpectAck: &expectAck, AckWithin: time.Hour},
			Transport: transport.Config{Type: "directory", Outbox: b.out, Inbox: b.in},
			// A wait no test reaches: the third PO fills the batch.
			Batch: edipartner.Batch{MaxSets: 3, MaxWait: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	b.Rig = apptest.New(t, apptest.Options{Store: st, Clock: clk,
		Channels: map[string]connector.Connector{"shop": shop{}}, Suppliers: map[string]connector.Connector{"a": c}})
	b.Catalog.Replace("a", []routing.Offer{{SKU: "MUG", SupplierSKU: "A-MUG", Cost: money.MustParse("4.00", "USD"), Stock: 100}})
	ctx := context.Background()
	for _, id := range ids {
		o := apptest.NewOrder("shop", id, apptest.Line("1", "MUG", 1))
		if err := b.S.Orders.Intake(ctx, o, apptest.Cause); err != nil {
			t.Fatal(err)
		}
		b.orders = append(b.orders, o)
	}
	var mu sync.Mutex
	sent := 0
	allSent := make(chan struct{})
	w := b.Runner(4, workerHooks(func(j *store.Job, outcome string) {
		if outcome != "ok" || !strings.HasPrefix(j.Kind, "po.send") {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if sent++; sent == len(ids) {
			close(allSent)
		}
	}))
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error)
	go func() { ran <- w.Run(runCtx, time.Second) }()
	select {
	case <-allSent:
	case <-time.After(2 * time.Minute): // hang guard only
		t.Fatal("the POs were not all sent")
	}
	stop()
	<-ran
	return b
}

// workerHooks reports each job's outcome to done.
func workerHooks(done func(j *store.Job, outcome string)) worker.Hooks {
	return worker.Hooks{Done: func(j *store.Job, outcome string, _ time.Duration, _ error) { done(j, outcome) }}
}
