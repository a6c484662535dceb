package email

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/transport"
)

// transport: file writes the PO as an .eml a mail client opens, and reads
// replies saved as .eml files.
func TestFileTransportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cfg := baseConfig()
	cfg.Transport = transportFile
	cfg.File = File{Outbox: filepath.Join(dir, "out"), Inbox: filepath.Join(dir, "in")}
	c := mustNew(t, cfg)
	ctx := context.Background()
	po, order := testPO()

	sent, err := c.SendPO(ctx, po, order)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "out", po.Number+".eml")
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, parts := readParts(t, first)
	if h.Get("Message-Id") != sent.Document || h.Get("X-Dropgate-Po") != po.Number || len(parts) != 3 {
		t.Fatalf("message-id %s (sent %s), parts %v", h.Get("Message-Id"), sent.Document, partTypes(parts))
	}
	// A resend replaces the file with the same message: no second file,
	// no temporary left behind.
	if _, err := c.SendPO(ctx, po, order); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(path)
	if string(again) != string(first) {
		t.Error("a resend must render the same bytes")
	}
	if _, err := c.CancelPO(ctx, po, order); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "out"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != po.Number+".cancel.eml,"+po.Number+".eml" {
		t.Errorf("outbox = %v", names)
	}

	// The supplier's answer, saved from a mail client, plus a file that
	// is not a message.
	if err := os.MkdirAll(filepath.Join(dir, "in"), 0o755); err != nil {
		t.Fatal(err)
	}
	answer := reply("Subject: Re: "+h.Get("Subject")+"\nIn-Reply-To: "+sent.Document, "Shipped with UPS, "+ups1+".\n\n> "+po.Number)
	os.WriteFile(filepath.Join(dir, "in", "answer.eml"), answer, 0o644)
	os.WriteFile(filepath.Join(dir, "in", "notes.txt"), []byte("not mail"), 0o644)

	files, err := c.ListInbox(ctx)
	if err != nil || len(files) != 1 || files[0].Name != "answer.eml" || files[0].Size != int64(len(answer)) {
		t.Fatalf("files %+v err %v", files, err)
	}
	raw, err := c.ReadInbox(ctx, "answer.eml")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := c.ParseDocuments(ctx, "answer.eml", raw)
	if len(got.Docs) != 1 || got.Docs[0].ShipNotice == nil || got.Docs[0].PONumber != po.Number {
		t.Fatalf("parsed %+v", got)
	}
	a := &model.Aggregate{Order: *order, POs: []model.PurchaseOrder{*po}}
	a.POs[0].Status = model.POSent
	applyNotice(t, a, got.Docs[0])
	if a.Order.Status != model.OrderShipped {
		t.Errorf("order %s after the reply", a.Order.Status)
	}
	if err := c.ArchiveInbox(ctx, "answer.eml"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "in", "archive", "answer.eml")); err != nil {
		t.Errorf("not archived: %v", err)
	}
	if _, err := c.ReadInbox(ctx, "answer.eml"); !errors.Is(err, transport.ErrNotExist) {
		t.Errorf("read archived: %v", err)
	}
}

// Without an inbox the connector lists nothing (replies are read
// elsewhere), and says so if asked for a message.
func TestNoInbox(t *testing.T) {
	cfg := baseConfig()
	cfg.SMTP.Host = "smtp.shop.example"
	c := mustNew(t, cfg)
	if files, err := c.ListInbox(context.Background()); err != nil || files != nil {
		t.Errorf("files %v err %v", files, err)
	}
	if _, err := c.ReadInbox(context.Background(), "x.eml"); err == nil {
		t.Error("read without an inbox must fail")
	}
}
