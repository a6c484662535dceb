package engine

import (
	"context"
	"github.com/dropgate/dropgate/internal/connenv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/supplier/edi_x12"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/transport"
)

// ediRig replaces supplier "a" with a real X12 connector on a directory.
func ediRig(t *testing.T) (*rig, string, string) {
	r := newRig(t)
	dir := t.TempDir()
	out, in := filepath.Join(dir, "out"), filepath.Join(dir, "in")
	c, err := edi_x12.New(connenv.New(r.st, connenv.Options{Name: "a", Namespace: "x12", Clock: r.clk}),
		&edi_x12.Config{Partner: edi_x12.Partner{SenderQualifier: "ZZ", SenderID: "DROPGATE", ReceiverQualifier: "ZZ", ReceiverID: "ALPHA",
			Version: "004010", Usage: "T", ExpectAck: ptr(true), AckWithin: time.Hour},
			Transport: transport.Config{Type: "directory", Outbox: out, Inbox: in}})
	if err != nil {
		t.Fatal(err)
	}
	r.e.Suppliers["a"] = c
	r.e.Profiles["a"] = routing.SupplierProfile{Name: "a"}
	return r, out, in
}

func ptr[T any](v T) *T { return &v }

// poll runs one inbox poll and everything it queues.
func (r *rig) poll(t *testing.T, supplier string) {
	t.Helper()
	j := PollInboxJob(supplier, r.clk.Now(), time.Second)
	if err := r.e.handleInboxPoll(context.Background(), &j); err != nil {
		t.Fatal(err)
	}
	r.drainAll(t)
}

// drainAll runs queued jobs through the engine, burying the ones that
// fail permanently as the worker would.
func (r *rig) drainAll(t *testing.T) {
	t.Helper()
	handlers := map[string]func(context.Context, *store.Job) error{
		KindPOSend: r.e.handlePOSend, KindDocApply: r.e.handleDocApply, KindInboundFetch: r.e.handleInboundFetch,
		KindInboundParse: r.e.handleInboundParse, KindAckDue: r.e.handleAckDue, KindFulfillment: r.e.handleFulfillment,
		KindSLAAck: r.e.handleSLA, KindSLAShip: r.e.handleSLA, KindPOCancel: r.e.handlePOCancel,
	}
	for {
		j := nextReady(t, r.st, time.Minute)
		if j == nil {
			return
		}
		herr := handlers[j.Kind](context.Background(), j)
		if herr != nil {
			if err := r.st.Bury(context.Background(), j, herr); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := r.st.Ack(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBadFileDeadLetteredOthersApplied(t *testing.T) {
	r, out, in := ediRig(t)
	ctx := context.Background()
	r.e.Intake(ctx, testOrder("10", line("1", "MUG", 2)), cause)
	r.drainAll(t)
	sim := &edisupplier.Supplier{Name: "a", Outbox: out, Inbox: in, ShipAfter: time.Hour}
	if err := sim.Step(); err != nil {
		t.Fatal(err)
	}
	garbage := []byte("ISA*00*this is not an interchange~")
	if err := os.WriteFile(filepath.Join(in, "broken.x12"), garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	r.poll(t, "a")

	a := r.order(t, "10")
	if a.POs[0].Status != model.POAcknowledged {
		t.Errorf("the good 855 was not applied: %s", a.POs[0].Status)
	}
	dead, _, _ := r.st.DeadLetters(ctx, "", 10)
	if len(dead) != 1 || dead[0].Kind != KindInboundParse || string(dead[0].Payload) != string(garbage) || dead[0].Meta["file"] != "broken.x12" {
		t.Fatalf("dead letters = %+v", dead)
	}
	if e := dead[0].Errors[0].Error; !strings.Contains(e, "broken.x12") {
		t.Errorf("the error does not name the file: %s", e)
	}
	left, _ := os.ReadDir(in)
	for _, f := range left {
		if !f.IsDir() {
			t.Errorf("%s was not archived", f.Name())
		}
	}
	// The 997 for the 855 went back to the supplier.
	acks, _ := filepath.Glob(filepath.Join(out, "*.997.x12"))
	if len(acks) != 1 {
		t.Errorf("997s sent: %v", acks)
	}
	// Listing again finds nothing new: each file is processed once.
	r.poll(t, "a")
	if dead, _, _ := r.st.DeadLetters(ctx, "", 10); len(dead) != 1 {
		t.Errorf("dead letters after a second poll: %d", len(dead))
	}
}

func TestInterchangeWithoutFunctionalAckIsFlagged(t *testing.T) {
	r, _, _ := ediRig(t)
	ctx := context.Background()
	r.e.Intake(ctx, testOrder("11", line("1", "MUG", 1)), cause)
	r.drainAll(t)
	po := r.order(t, "11").POs[0]
	r.clk.Advance(61 * time.Minute)
	r.drainAll(t)
	xs, _, _ := r.e.Exceptions(ctx, store.Query{Field: "kind", Value: string(model.ExAckOverdue)})
	if len(xs) != 1 || xs[0].PONumber != po.Number || !strings.Contains(xs[0].Reason, "no functional acknowledgement from a for interchange 1") {
		t.Fatalf("exceptions = %+v", xs)
	}
}
