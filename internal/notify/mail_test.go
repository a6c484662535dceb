package notify

import (
	"context"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"

	core "github.com/dropgate/dropgate/core/app/notify"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/apptest"
	"github.com/dropgate/dropgate/internal/fakes/smtpfake"
)

func mailRig(t *testing.T, srv *smtpfake.Server, dir string) *apptest.Rig {
	t.Helper()
	host, port := srv.Start(t)
	off := false
	m, err := NewMailer(Email{SMTP: SMTP{Host: host, Port: port, Username: "shop", Password: "pw", StartTLS: &off},
		From: "Shop <orders@shop.example>", ReplyTo: "help@shop.example"}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return apptest.New(t, apptest.Options{Notify: core.Settings{Mailer: m}})
}

// TestShippedEmail: a shipment mails the customer once, with the order
// number, the lines, the carrier and each parcel's tracking number and
// link, and the e-mail lands on the order's timeline; the same event
// published again (a retried job) sends nothing more.
func TestShippedEmail(t *testing.T) {
	srv := &smtpfake.Server{User: "shop", Pass: "pw"}
	r := mailRig(t, srv, "")
	a, ev := shippedOrder(t, r)
	publish(t, r, a, ev)
	if errs := settle(t, r); len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	for _, want := range []string{"#1001", "Blue mug (MUG-1)", "2 ×", "CUP-9", "UPS", "1Z999AA10123456784", "https://track.example/1Z999AA10123456784", "1Z999AA10123456785", "https://www.ups.com/track?tracknum=1Z999AA10123456785", "Ada Lovelace"} {
		if !strings.Contains(decodeQP(t, m), want) {
			t.Errorf("message lacks %q:\n%s", want, m)
		}
	}
	if got := header(m, "Subject"); !strings.Contains(got, "#1001") || !strings.Contains(got, "shipped") {
		t.Errorf("Subject = %q", got)
	}
	wantID := "<" + core.MessageID(core.MailJob{Order: a.Order.ID, Kind: core.MailShipped, Shipment: "shp_1"}) + ">"
	if got := header(m, "Message-ID"); got != wantID {
		t.Errorf("Message-ID = %q, want %q", got, wantID)
	}
	if header(m, "Reply-To") != "help@shop.example" || !strings.Contains(header(m, "To"), "ada@example.com") {
		t.Errorf("headers: To %q Reply-To %q", header(m, "To"), header(m, "Reply-To"))
	}
	if !strings.Contains(m, "text/html") || !strings.Contains(m, "text/plain") {
		t.Error("want a text and an HTML part")
	}
	tl := timelineOf(r, a.Order.ID, "notify.email")
	if len(tl) != 1 || tl[0].Data["kind"] != "shipped" || tl[0].Data["status"] != "sent" {
		t.Fatalf("timeline: %+v", tl)
	}

	publish(t, r, r.Order(a.Order.ID), ev)
	if errs := settle(t, r); len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("the retried e-mail was sent again: %d messages", n)
	}
	if tl := timelineOf(r, a.Order.ID, "notify.email"); len(tl) != 1 {
		t.Fatalf("timeline has %d e-mail entries", len(tl))
	}
}

// TestEmailRetriedAfterRefusal: a 451 at DATA is retried and the customer
// gets one e-mail.
func TestEmailRetriedAfterRefusal(t *testing.T) {
	srv := &smtpfake.Server{User: "shop", Pass: "pw", FailData: 1}
	r := mailRig(t, srv, "")
	a, ev := shippedOrder(t, r)
	publish(t, r, a, ev)
	errs := settle(t, r)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "451") {
		t.Fatalf("errors: %v", errs)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

// TestEmailKindsAndTemplatesDir: a cancellation mails the cancelled
// template, here overridden from the templates directory; a kind not in
// send mails nothing, nor does an order without an address.
func TestEmailKindsAndTemplatesDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "cancelled.txt", `{{define "subject"}}Cancelled: {{.Order}}{{end}}Sorry {{.Customer}}, {{.Reason}}.`)
	srv := &smtpfake.Server{User: "shop", Pass: "pw"}
	r := mailRig(t, srv, dir)
	a, _ := shippedOrder(t, r)
	a.Order.CancelReason = "out of stock"
	publish(t, r, a, model.Event{Type: model.EvOrderCancelled, At: apptest.Start, OrderID: a.Order.ID})
	settle(t, r)
	msgs := srv.Messages()
	if len(msgs) != 1 || header(msgs[0], "Subject") != "Cancelled: #1001" || !strings.Contains(decodeQP(t, msgs[0]), "Sorry Ada Lovelace, out of stock.") {
		t.Fatalf("messages: %q", msgs)
	}
	a.Order.Customer.Email = ""
	publish(t, r, a, model.Event{Type: model.EvShipmentDelivered, At: apptest.Start, OrderID: a.Order.ID, ShipmentID: "shp_1"})
	settle(t, r)
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("mailed an order without an address: %d messages", n)
	}
}

func decodeQP(t *testing.T, m string) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEmailNotResentAfterCrashMidSend: a run that died between writing
// its send marker and completing it may have handed the message over;
// the retry does not risk a second copy and says so on the timeline.
func TestEmailNotResentAfterCrashMidSend(t *testing.T) {
	srv := &smtpfake.Server{User: "shop", Pass: "pw"}
	r := mailRig(t, srv, "")
	a, ev := shippedOrder(t, r)
	p := core.MailJob{Order: a.Order.ID, Kind: core.MailShipped, Shipment: "shp_1"}
	if _, err := r.Store.PutRecord(context.Background(), store.Record{Kind: core.RecordMail, ID: "mail:" + p.Order + ":shipped:shp_1", Data: []byte("sending")}); err != nil {
		t.Fatal(err)
	}
	publish(t, r, a, ev)
	if errs := settle(t, r); len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("sent again after a crash mid-send: %d messages", n)
	}
	tl := timelineOf(r, a.Order.ID, "notify.email")
	if len(tl) != 1 || tl[0].Data["status"] != "unknown" || tl[0].Data["message_id"] != core.MessageID(p) {
		t.Fatalf("timeline: %+v", tl)
	}
}

// TestEmailRefusedIsDeadLetter: a 5xx (bad credentials) is permanent.
func TestEmailRefusedIsDeadLetter(t *testing.T) {
	srv := &smtpfake.Server{User: "shop", Pass: "other"}
	r := mailRig(t, srv, "")
	a, ev := shippedOrder(t, r)
	publish(t, r, a, ev)
	if errs := settle(t, r); len(errs) != 1 || !strings.Contains(errs[0].Error(), "535") {
		t.Fatalf("errors: %v", errs)
	}
	if dl := deadLetters(t, r); len(dl) != 1 || dl[0].Kind != core.KindMail.Name {
		t.Fatalf("dead letters: %+v", dl)
	}
	// Not sent, so the marker is gone and a replay may send it.
	if _, err := r.Store.GetRecord(context.Background(), core.RecordMail, "mail:"+a.Order.ID+":shipped:shp_1"); err == nil {
		t.Fatal("the send marker outlived a refused send")
	}
}

// TestDelayedEmailSaysWhy: a shipment exception mails the customer with
// the carrier's last word on the parcel.
func TestDelayedEmailSaysWhy(t *testing.T) {
	srv := &smtpfake.Server{User: "shop", Pass: "pw"}
	r := mailRig(t, srv, "")
	a, _ := shippedOrder(t, r)
	a.Shipments[0].Packages[0].Events = []model.TrackingEvent{{Status: model.TrackFailure, Description: "address unknown"}}
	publish(t, r, a, model.Event{Type: model.EvShipmentException, OrderID: a.Order.ID, ShipmentID: "shp_1",
		Data: map[string]string{"tracking": "1Z999AA10123456784", "status": "failure"}})
	if errs := settle(t, r); len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !strings.Contains(header(msgs[0], "Subject"), "delayed") || !strings.Contains(decodeQP(t, msgs[0]), "(address unknown)") {
		t.Fatalf("messages: %q", msgs)
	}
}
