package etsy

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/etsyfake"
)

// pingOf is an ORDER_PAID delivery as developers report it (research
// Y3): no receipt, its URL.
func pingOf(event string, receiptID int64) []byte {
	return []byte(fmt.Sprintf(`{"event_type":%q,"resource_url":"https://openapi.etsy.com/v3/application/shops/%s/receipts/%d","shop_id":%s}`,
		event, etsyfake.ShopID, receiptID, etsyfake.ShopID))
}

func TestSuiteWebhooks(t *testing.T) {
	// Every New builds a fake whose first receipts get these ids.
	first, second := int64(4000000001), int64(4000000002)
	sample := func(id int64) connectortest.WebhookSample {
		s := strconv.FormatInt(id, 10)
		return connectortest.WebhookSample{Topic: TopicOrderPaid, Body: pingOf("ORDER_PAID", id), Kind: connector.EventOrderUpdated,
			OrderID: s, OrderRef: s}
	}
	connectortest.RunWebhooks(t, connectortest.WebhookHarness{
		New: func(r *connectortest.Rig, secret string) connector.Connector {
			f := newFake(r, suiteLimit)
			f.AddReceipt(etsyfake.NewLine{SKU: "MUG-BLK", Title: "Mug", Qty: 2, Cents: 1999})
			f.AddReceipt(etsyfake.NewLine{SKU: "TEE-WHT-M", Title: "Tee", Qty: 1, Cents: 1500})
			return suiteConnector(r, &Config{WebhookSecret: connector.Secret(secret)}, f.Transport())
		},
		Sign: func(secret, _, id string, b []byte) http.Header {
			c := &Connector{cfg: &Config{WebhookSecret: connector.Secret(secret)}}
			ts := strconv.FormatInt(connectortest.Epoch.Unix(), 10)
			h := http.Header{}
			h.Set(HeaderID, id)
			h.Set(HeaderTimestamp, ts)
			h.Set(HeaderSignature, c.signature(id, ts, b))
			return h
		},
		Samples:      []connectortest.WebhookSample{sample(first), sample(second)},
		Required:     []string{HeaderID, HeaderTimestamp, HeaderSignature},
		IgnoredTopic: "listing.updated",
		IgnoredBody:  pingOf("LISTING_UPDATED", first),
	})
}
