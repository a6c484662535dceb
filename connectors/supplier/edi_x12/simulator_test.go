package edi_x12

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/connenv"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/store/embedded"
	"github.com/dropgate/dropgate/internal/tracking"
	"github.com/dropgate/dropgate/internal/transport"
)

// TestSimulatorAnswersUnderstood: the simulator (internal/fakes/edisupplier)'s 997, 855 and 856
// parse with the real X12 connector into the documents they claim to be.
func TestSimulatorAnswersUnderstood(t *testing.T) {
	dir := t.TempDir()
	st, err := embedded.Open(filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	outbox, inbox := filepath.Join(dir, "out"), filepath.Join(dir, "in")
	cfg := &Config{Partner: Partner{SenderQualifier: "ZZ", SenderID: "DROPGATE", ReceiverQualifier: "ZZ", ReceiverID: "SIM",
		Version: "004010", Usage: "T"}, Transport: transport.Config{Type: "directory", Outbox: outbox, Inbox: inbox}}
	c, err := New(connenv.New(st, connenv.Options{Name: "sim", Namespace: "x12"}), cfg)
	if err != nil {
		t.Fatal(err)
	}
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	po := &model.PurchaseOrder{Number: "POSIM0000001", Supplier: "sim", Currency: "USD", Created: time.Now(),
		ShipTo: model.Address{Name: "Ada", Line1: "1 Road", City: "Austin", Country: "US"},
		Lines: []model.POLine{
			{LineNo: 1, SKU: "MUG", SupplierSKU: "S-MUG", Quantity: 2, UnitCost: usd("4.00")},
			{LineNo: 2, SKU: "TEE", SupplierSKU: "S-TEE", Quantity: 1, UnitCost: usd("9.00")},
		}}
	ctx := context.Background()
	if _, err := c.SendPO(ctx, po, &model.Order{}); err != nil {
		t.Fatal(err)
	}
	sim := &edisupplier.Supplier{Name: "sim", Outbox: outbox, Inbox: inbox, Reject: map[string]string{"S-TEE": "discontinued"}}
	if err := sim.Step(); err != nil {
		t.Fatal(err)
	}
	if err := sim.Step(); err != nil { // ShipAfter 0: ships on the next step
		t.Fatal(err)
	}
	files, _ := os.ReadDir(inbox)
	if len(files) != 3 {
		t.Fatalf("inbox = %v, want 997, 855, 856", files)
	}
	var ack *model.POAck
	var sn *model.ShipNotice
	var fa *model.FunctionalAck
	for _, f := range files {
		data, _ := os.ReadFile(filepath.Join(inbox, f.Name()))
		parsed, err := c.ParseDocuments(ctx, f.Name(), data)
		if err != nil {
			t.Fatalf("%s: %v\n%s", f.Name(), err, data)
		}
		if len(parsed.Rejected) > 0 {
			t.Fatalf("%s rejected: %+v", f.Name(), parsed.Rejected)
		}
		for _, d := range parsed.Docs {
			switch {
			case d.POAck != nil:
				ack = d.POAck
			case d.ShipNotice != nil:
				sn = d.ShipNotice
			case d.FuncAck != nil:
				fa = d.FuncAck
			}
		}
	}
	if fa == nil || !fa.Accepted || fa.InterchangeControl != "1" {
		t.Errorf("997 = %+v", fa)
	}
	if ack == nil || ack.PONumber != po.Number || len(ack.Lines) != 2 || ack.Lines[0].Status != model.AckAccepted || ack.Lines[1].Status != model.AckRejected {
		t.Fatalf("855 = %+v", ack)
	}
	if sn == nil || sn.PONumber != po.Number || sn.Carrier != "ups" || len(sn.Packages) != 1 {
		t.Fatalf("856 = %+v", sn)
	}
	p := sn.Packages[0]
	if len(p.Lines) != 1 || p.Lines[0].Quantity != 2 || p.Lines[0].POLineNo != 1 || tracking.Validate("ups", p.TrackingNumber) != nil {
		t.Errorf("package = %+v", p)
	}
	if !strings.HasPrefix(p.TrackingNumber, "1Z") {
		t.Errorf("tracking %q", p.TrackingNumber)
	}
}
