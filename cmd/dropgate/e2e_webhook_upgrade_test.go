package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/orders"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// A webhook job queued by an earlier version carries its body as its
// payload, not a key (orders.KindWebhook): a newer server still takes
// the order in, keeps the body for replay and points the order at it.
func TestWebhookJobOfEarlierVersion(t *testing.T) {
	dir := workdir(t)
	d := newDelivery(t, shop(t))
	// Queued as the earlier version did: the body as the payload.
	j, err := orders.KindWebhook.New(orders.Webhook{Channel: "shop", Topic: "orders/create", Delivery: "d-old",
		ReceivedAt: time.Now().UTC().Format(time.RFC3339Nano), Body: d.body})
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Blobs) != 0 || !bytes.Equal(j.Payload, d.body) {
		t.Fatalf("old-form job: payload %d bytes, %d blobs", len(j.Payload), len(j.Blobs))
	}
	path := filepath.Join(dir, "var", "dropgate.db")
	st, err := embedded.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Enqueue(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	st.Close()

	s := startServer(t, dir)
	if _, ok := waitFile(poFile(dir, d.orderID), time.Minute); !ok {
		t.Fatal("no 850 for the order of the old-form job")
	}
	s.stop(t)

	st, err = embedded.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	agg, _, err := repo.NewOrders(st, clock.Real{}).Get(ctx, d.orderID)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := st.GetBlob(ctx, agg.Order.RawRef); agg.Order.RawRef == "" || err != nil || !bytes.Equal(raw, d.body) {
		t.Fatalf("raw body under the order's raw_ref %q: %d bytes, %v", agg.Order.RawRef, len(raw), err)
	}
}
