package main

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/carrier/easypost"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/smtpfake"
)

// mailLoop is the carriers loop with a second Shopify channel, "quiet"
// (the same store, its own webhook path), and customer e-mails to mail,
// switched off for "quiet".
func mailLoop(t *testing.T, mail *smtpfake.Server) *loop {
	t.Helper()
	host, port := mail.Start(t)
	l := newLoop(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}}})
	l.srv.stop(t)
	cfg := filepath.Join(l.dir, "configs", "demo.yaml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	quiet := fmt.Sprintf("  - name: quiet\n    type: shopify\n    shop_domain: %s\n    access_token: \"${E2E_TOKEN:-%s}\"\n    webhook_secret: \"${E2E_SECRET:-%s}\"\n    base_url: %q\nrouting:",
		loopShop, loopToken, loopSecret, l.fake.URL())
	text := strings.Replace(string(b), "routing:", quiet, 1) +
		fmt.Sprintf("carriers:\n  - name: easypost\n    type: easypost\n    webhook_secret: \"${E2E_EASYPOST_SECRET:-%s}\"\n", carriersSecret) +
		fmt.Sprintf("notifications:\n  email:\n    smtp: { host: %s, port: %d, username: shop, password: \"${E2E_SMTP_PASSWORD:-pw}\", starttls: false }\n"+
			"    from: \"Shop <orders@shop.example>\"\n    channels: { quiet: false }\n", host, port)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	l.srv = startServer(t, l.dir)
	// The new channel sweeps the store at start-up (shop's sweep ran at
	// the first start); orders placed after it arrive by their webhooks
	// only (a hang guard).
	if !waitUntil(time.Minute, func() bool { return strings.Contains(l.srv.Logs(), `"msg":"channel swept","channel":"quiet"`) }) {
		t.Fatalf("start-up sweeps:\n%s", l.srv.Logs())
	}
	return l
}

// postTo posts a signed Shopify delivery of topic to channel's webhook.
func (l *loop) postTo(channel, topic string, body []byte) {
	l.t.Helper()
	h, _ := l.channel.SignWebhook(topic, body)
	req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/webhooks/"+channel, bytes.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		l.t.Fatalf("%s %s webhook: %s", channel, topic, resp.Status)
	}
}

// outboundIdle reports whether the outbound queue (e-mails, fulfilments)
// has nothing ready, running or waiting.
func (l *loop) outboundIdle() bool {
	var out struct {
		Queues []struct {
			Queue    string `json:"queue"`
			Ready    int64  `json:"ready"`
			InFlight int64  `json:"in_flight"`
			Waiting  int64  `json:"waiting"`
		} `json:"queues"`
	}
	l.admin("/queues", &out)
	for _, q := range out.Queues {
		if q.Queue == "outbound" && q.Ready+q.InFlight+q.Waiting > 0 {
			return false
		}
	}
	return true
}

// mailHeader is a header of a message, MIME words decoded.
func mailHeader(data, name string) string {
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		return ""
	}
	v := m.Header.Get(name)
	if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return d
	}
	return v
}

func decodedMail(m smtpfake.Message) string {
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Data)))
	if err != nil {
		return m.Data
	}
	return string(b)
}

// TestEasyPostSequenceMailsTheCustomerOnce: with notifications.email and a
// real SMTP server, an order shipped and tracked by EasyPost (in transit →
// out for delivery → delivered) mails its customer exactly one "shipped"
// e-mail (with the parcel's tracking link) and one "delivered" e-mail.
// Webhooks sent again and a late "in transit" after delivery send nothing
// more. The same order on a channel with customer e-mails switched off
// (notifications.email.channels: {quiet: false}) mails nobody.
func TestEasyPostSequenceMailsTheCustomerOnce(t *testing.T) {
	t.Parallel()
	mail := &smtpfake.Server{User: "shop", Pass: "pw"}
	l := mailLoop(t, mail)
	o1, body1 := l.order(item("MUG", 1, "14.95"))
	o2, body2 := l.order(item("MUG", 1, "14.95"))
	l.postTo("shop", "orders/create", body1)
	l.postTo("quiet", "orders/create", body2)
	loud, quiet := orderIDOf(o1), model.OrderID("quiet", fmt.Sprint(o2.ID))
	shipped := func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderShipped && carriersPackage(a) != nil && carriersPackage(a).TrackingNumber != ""
	}
	numbers := map[string]string{}
	for _, id := range []string{loud, quiet} {
		numbers[id] = carriersPackage(l.wait(id, "shipped", shipped)).TrackingNumber
	}

	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	steps := []struct{ status, detail string }{{"in_transit", "arrived_at_facility"}, {"out_for_delivery", "out_for_delivery"}, {"delivered", "arrived_at_destination"}}
	for _, id := range []string{loud, quiet} {
		for i, s := range steps {
			ev := carriersEvent(fmt.Sprintf("evt_%s_%d", id, i), numbers[id], s.status, s.detail, t0.Add(time.Duration(i)*time.Hour))
			for range 2 { // each delivery twice: EasyPost retries
				if code := carriersPost(t, l, ev, easypost.Sign(carriersSecret, ev)); code != http.StatusOK {
					t.Fatalf("%s: %d", s.status, code)
				}
			}
		}
		l.wait(id, "delivered", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderDelivered })
	}
	late := carriersEvent("evt_late", numbers[loud], "in_transit", "departed_facility", t0.Add(30*time.Minute))
	if code := carriersPost(t, l, late, easypost.Sign(carriersSecret, late)); code != http.StatusOK {
		t.Fatalf("late: %d", code)
	}
	a := l.wait(loud, "both e-mails sent and the late scan kept", func(a *model.Aggregate) bool {
		var sent int
		for _, e := range a.Timeline {
			if e.Event == "notify.email" && e.Data["status"] == "sent" {
				sent++
			}
		}
		return sent == 2 && slicesHasCode(carriersPackage(a), "in_transit/departed_facility")
	})
	if a.Order.Status != model.OrderDelivered {
		t.Fatalf("the late scan moved the order to %s", a.Order.Status)
	}
	if !waitUntil(time.Minute, l.outboundIdle) { // a hang guard
		t.Fatal("the outbound queue never drained")
	}

	msgs := mail.Received()
	if len(msgs) != 2 {
		t.Fatalf("%d e-mails reached the server, want 2 (shipped, delivered)", len(msgs))
	}
	kinds := map[string]smtpfake.Message{}
	for _, m := range msgs {
		if len(m.To) != 1 || m.To[0] != "ada@example.com" {
			t.Errorf("recipients %v", m.To)
		}
		subject := mailHeader(m.Data, "Subject")
		switch {
		case strings.Contains(subject, "shipped"):
			kinds["shipped"] = m
		case strings.Contains(subject, "delivered"):
			kinds["delivered"] = m
		default:
			t.Errorf("unexpected e-mail %q", subject)
		}
	}
	link := "https://www.ups.com/track?tracknum=" + numbers[loud]
	if s, ok := kinds["shipped"]; !ok || !strings.Contains(decodedMail(s), link) {
		t.Errorf("the shipped e-mail lacks %s", link)
	}
	if _, ok := kinds["delivered"]; !ok {
		t.Error("no delivered e-mail")
	}
	q := l.wait(quiet, "the quiet order", func(*model.Aggregate) bool { return true })
	if hasEvent(q, "notify.email", "") {
		t.Errorf("the quiet channel's customer was mailed: %v", events(q))
	}
}

func slicesHasCode(p *model.Package, code string) bool {
	if p == nil {
		return false
	}
	for _, e := range p.Events {
		if e.Code == code {
			return true
		}
	}
	return false
}
