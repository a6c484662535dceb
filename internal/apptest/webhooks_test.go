package apptest_test

import (
	"context"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/apptest"
)

// aggregator is a carrier-like connector: it receives webhooks but is no
// channel.
type aggregator struct{}

func (aggregator) Name() string { return "tracker" }
func (aggregator) Type() string { return "toy" }

// trackingSink takes the aggregator's deliveries.
type trackingSink struct{ got []app.Delivery }

func (trackingSink) Accepts(c connector.Connector) bool { _, ok := c.(aggregator); return ok }
func (s *trackingSink) HandleDelivery(_ context.Context, d app.Delivery) error {
	s.got = append(s.got, d)
	return nil
}

// TestWebhooksReachTheirService: a delivery to a connector that is not a
// channel goes to the service that registered for it, with its raw body
// kept for replay.
func TestWebhooksReachTheirService(t *testing.T) {
	r := apptest.New(t, apptest.Options{Others: map[string]connector.Connector{"tracker": aggregator{}}})
	sink := &trackingSink{}
	r.Deps.Webhooks.Add(sink)
	ctx := context.Background()
	if _, err := r.S.Intake().AcceptWebhook(ctx, "tracker", connector.Delivery{ID: "evt_1", Topic: "tracker.updated"}, []byte(`{"status":"delivered"}`), time.Now()); err != nil {
		t.Fatal(err)
	}
	r.Drain()
	if len(sink.got) != 1 || sink.got[0].Topic != "tracker.updated" || string(sink.got[0].Body) != `{"status":"delivered"}` {
		t.Fatalf("deliveries = %+v", sink.got)
	}
	if raw, err := r.Store.GetBlob(ctx, sink.got[0].RawKey); err != nil || string(raw) != `{"status":"delivered"}` {
		t.Errorf("raw body kept: %q, %v", raw, err)
	}
}
