package main

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/channel/shopify"
	"github.com/dropgate/dropgate/core/model"
)

// signedDelivery posts body as topic, correctly signed, and returns the
// delivery id it carried.
func (l *loop) signedDelivery(topic string, body []byte) string {
	l.t.Helper()
	h, _ := l.channel.SignWebhook(topic, body)
	req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/webhooks/shop", bytes.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		l.t.Fatalf("%s webhook: %s", topic, resp.Status)
	}
	return h.Get(shopify.HeaderWebhookID)
}

// TestForgedCancelTopicCancelsNothing: Shopify signs the body only. A
// signed orders/create body replayed with X-Shopify-Topic:
// orders/cancelled must not cancel the order or send a cancellation 850.
// The real cancellation sent after it (jobs of one order run in order, so
// the forged one was processed first) is the one that cancels.
func TestForgedCancelTopicCancelsNothing(t *testing.T) {
	l := newLoop(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}, shipAfter: time.Hour}})
	o, body := l.order(item("MUG", 1, "14.95"))
	l.webhook("orders/create", body)
	id := orderIDOf(o)
	l.wait(id, "acknowledged", func(a *model.Aggregate) bool { return len(a.POs) == 1 && a.POs[0].Status == model.POAcknowledged })

	forged := l.signedDelivery("orders/cancelled", body)
	real := l.signedDelivery("orders/cancelled", cancelled(body))
	a := l.wait(id, "cancelled", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderCancelled })
	for _, e := range a.Timeline {
		if e.Event == "order.cancelled" && e.Cause.Ref != "shop/"+real {
			t.Fatalf("the order was cancelled by %s, want the real cancellation %s (forged: %s)", e.Cause.Ref, real, forged)
		}
	}
	if !hasEvent(a, "order.cancelled", model.CauseWebhook) {
		t.Fatalf("no cancellation on the timeline: %v", events(a))
	}
}
