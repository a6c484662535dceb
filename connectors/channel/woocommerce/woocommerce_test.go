package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/woocommercefake"
)

func ownConnector(t *testing.T, cfg *Config) (*Connector, *woocommercefake.Fake) {
	t.Helper()
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 1000, Burst: 1000})
	f := woocommercefake.New(woocommercefake.WithClock(r.Clock), woocommercefake.WithLimit(1000, 1000))
	cfg.ConsumerKey, cfg.ConsumerSecret, cfg.WebhookSecret = woocommercefake.ConsumerKey, woocommercefake.ConsumerSecret, "s"
	return suiteConnector(r, cfg, f.Transport()), f
}

// A cancellation is read from the signed body, never the topic header.
func TestCancellationProvenByBody(t *testing.T) {
	c, _ := ownConnector(t, &Config{})
	body := renderSynthetic(suiteOrder("88"))
	cancelled := []byte(strings.Replace(string(body), `"status":"processing"`, `"status":"cancelled"`, 1))
	for _, tc := range []struct {
		topic string
		body  []byte
		want  connector.EventKind
	}{
		{"order.updated", cancelled, connector.EventOrderCancelled},
		{"order.deleted", cancelled, connector.EventOrderCancelled},
		{"order.created", cancelled, connector.EventOrderCancelled},
		{"order.deleted", body, connector.EventOrderUpdated}, // a forged topic on a live order's body
		{"order.deleted", []byte(`{"id":88}`), connector.EventIgnored},
	} {
		evs, err := c.DecodeEvent(context.Background(), tc.topic, tc.body)
		if err != nil || len(evs) != 1 || evs[0].Kind != tc.want {
			t.Errorf("%s %.40s: %+v, %v; want %s", tc.topic, tc.body, evs, err, tc.want)
			continue
		}
		if tc.want == connector.EventOrderCancelled && !evs[0].ProvesCancellation() {
			t.Errorf("%s: a cancellation without its proof", tc.topic)
		}
	}
}

func TestPingIsMarked(t *testing.T) {
	c, _ := ownConnector(t, &Config{})
	_, err := c.VerifyWebhook(http.Header{}, []byte("webhook_id=12"))
	if !errors.Is(err, connector.ErrPing) || !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("ping: %v", err)
	}
	_, err = c.VerifyWebhook(http.Header{}, []byte("webhook_id=12&x=1"))
	if errors.Is(err, connector.ErrPing) || !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("not a ping: %v", err)
	}
}

// Batches carry at most 100 objects; variations go to their parent's
// endpoint; query-string auth reaches the store.
func TestBatchesOf100AndQueryAuth(t *testing.T) {
	c, f := ownConnector(t, &Config{QueryStringAuth: true})
	var ups []connector.InventoryUpdate
	for i := range 150 {
		sku := fmt.Sprintf("S-%d", i)
		f.AddProduct(sku, "1.00")
		ups = append(ups, connector.InventoryUpdate{SKU: sku, Available: int64(i + 1)})
	}
	f.AddVariation("TEE", "TEE-M", "10.00")
	ups = append(ups, connector.InventoryUpdate{SKU: "TEE-M", Available: 4}, connector.InventoryUpdate{SKU: "GONE", Available: 1})
	err := c.PushInventory(context.Background(), ups)
	var pe *fault.PartialError
	if !errors.As(err, &pe) || len(pe.Rejected) != 1 || pe.Rejected["GONE"] == "" {
		t.Fatalf("push: %v; want GONE refused alone", err)
	}
	if f.Stock("S-149") != 150 || f.Stock("TEE-M") != 4 {
		t.Errorf("stock S-149 %d, TEE-M %d", f.Stock("S-149"), f.Stock("TEE-M"))
	}
	batches := 0
	for _, r := range f.Server().Requests() {
		if strings.HasSuffix(r.Path, "/batch") {
			batches++
		}
		if r.Header.Get("Authorization") != "" {
			t.Errorf("%s %s sent Authorization with query_string_auth", r.Method, r.Path)
		}
	}
	if batches != 3 {
		t.Errorf("%d batch calls; want 3 (100 + 50 products, 1 variations)", batches)
	}
	if v := f.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations", v)
	}
}

// AST tracking goes to its own route, with the carrier's provider name;
// a replay adds nothing.
func TestASTTrackingAndCarrier(t *testing.T) {
	c, f := ownConnector(t, &Config{Tracking: TrackingAST})
	o, sh := fakeShipment(f, 1)
	sh.Carrier = "fedex"
	for range 2 {
		if _, err := c.PushFulfillment(context.Background(), o, sh); err != nil {
			t.Fatal(err)
		}
	}
	var id int64
	fmt.Sscan(o.ChannelOrderID, &id)
	wo, _ := f.Order(id)
	if len(wo.Trackings) != 1 || wo.Trackings[0].TrackingProvider != "Fedex" || wo.Trackings[0].TrackingNumber != sh.Packages[0].TrackingNumber {
		t.Errorf("trackings %+v", wo.Trackings)
	}
	if wo.Status != "completed" {
		t.Errorf("status %q", wo.Status)
	}
	ast := 0
	for _, r := range f.Server().Requests() {
		if strings.HasPrefix(r.Path, "/wp-json/wc-ast/v3/") && r.Method == "POST" {
			ast++
		}
	}
	if ast != 1 {
		t.Errorf("%d AST writes, want 1", ast)
	}
}

func TestCarrierNames(t *testing.T) {
	for code, want := range map[string]string{"ups": "UPS", "USPS": "USPS", "dhl": "DHL US", "acme-freight": "acme-freight", "": "Carrier"} {
		if got := carrierName(code); got != want {
			t.Errorf("carrierName(%q) = %q, want %q", code, got, want)
		}
	}
	if !shipsAll(&model.Order{Lines: []model.OrderLine{{ID: "1", Quantity: 2}}},
		&model.Shipment{Packages: []model.Package{{Lines: []model.ShipmentLine{{OrderLineID: "1", Quantity: 2}}}}}) {
		t.Error("a shipment of every unit does not complete the order")
	}
}

// A secret stored HTML-escaped signs with its decoded characters, as
// WooCommerce's generate_signature does.
func TestSecretDecodedLikeWordPress(t *testing.T) {
	c, _ := ownConnector(t, &Config{})
	c.cfg.WebhookSecret = "a&amp;b&lt;c"
	body := []byte(`{"id":5}`)
	h := http.Header{}
	h.Set(HeaderSignature, Sign([]byte("a&b<c"), body))
	if _, err := c.VerifyWebhook(h, body); err != nil {
		t.Errorf("signed with the decoded secret: %v", err)
	}
}
