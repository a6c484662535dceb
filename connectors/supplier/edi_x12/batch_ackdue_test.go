package edi_x12_test

import (
	"context"
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
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/apptest"
	"github.com/dropgate/dropgate/internal/connenv"
	"github.com/dropgate/dropgate/internal/edipartner"
	"github.com/dropgate/dropgate/internal/transport"
)

// TestBatchWithoutFunctionalAckFlagsEachPO: the POs of a batch share one
// timer for their functional acknowledgement, not one each; when it
// fires unanswered, every PO of the batch is flagged, each with its own
// exception.
func TestBatchWithoutFunctionalAckFlagsEachPO(t *testing.T) {
	clk := clock.NewFake(apptest.Start)
	st := apptest.NewStore(t, clk)
	dir := t.TempDir()
	expectAck := true
	c, err := edi_x12.New(connenv.New(st, connenv.Options{Name: "a", Namespace: "x12", Clock: clk}),
		&edi_x12.Config{Partner: edi_x12.Partner{SenderQualifier: "ZZ", SenderID: "DROPGATE", ReceiverQualifier: "ZZ", ReceiverID: "ALPHA",
			Version: "004010", Usage: "T", ExpectAck: &expectAck, AckWithin: time.Hour},
			Transport: transport.Config{Type: "directory", Outbox: filepath.Join(dir, "out"), Inbox: filepath.Join(dir, "in")},
			Batch:     edipartner.Batch{MaxSets: 3, MaxWait: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	r := apptest.New(t, apptest.Options{Store: st, Clock: clk,
		Channels: map[string]connector.Connector{"shop": shop{}}, Suppliers: map[string]connector.Connector{"a": c}})
	r.Catalog.Replace("a", []routing.Offer{{SKU: "MUG", SupplierSKU: "A-MUG", Cost: money.MustParse("4.00", "USD"), Stock: 100}})
	ctx := context.Background()
	var orders []*model.Order
	for _, id := range []string{"31", "32", "33"} {
		o := apptest.NewOrder("shop", id, apptest.Line("1", "MUG", 1))
		if err := r.S.Orders.Intake(ctx, o, apptest.Cause); err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	var mu sync.Mutex
	sent := 0
	allSent := make(chan struct{})
	w := r.Runner(4, workerHooks(func(j *store.Job, outcome string) {
		if outcome != "ok" || !strings.HasPrefix(j.Kind, "po.send") {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if sent++; sent == 3 {
			close(allSent)
		}
	}))
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error)
	go func() { ran <- w.Run(runCtx, time.Second) }()
	select {
	case <-allSent:
	case <-time.After(2 * time.Minute): // hang guard only
		t.Fatal("the three POs were not all sent")
	}
	stop()
	<-ran
	r.Drain()

	clk.Advance(61 * time.Minute)
	if n := r.Drain(); n != 1 {
		t.Errorf("%d jobs ran at the deadline, want 1 (the batch's timer)", n)
	}
	xs := r.Exceptions(map[string]string{"kind": string(model.ExAckOverdue)})
	flagged := map[string]bool{}
	for _, x := range xs {
		flagged[x.PONumber] = true
		if !strings.Contains(x.Reason, "no functional acknowledgement from a for interchange") {
			t.Errorf("reason: %s", x.Reason)
		}
	}
	for _, o := range orders {
		if po := r.Order(o.ID).POs[0]; !flagged[po.Number] {
			t.Errorf("PO %s of order %s not flagged: %+v", po.Number, o.ID, xs)
		}
	}
	if len(xs) != 3 {
		t.Errorf("%d ack_overdue exceptions, want 3", len(xs))
	}
}
