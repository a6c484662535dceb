package model

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/money"
)

// fullAggregate sets every field of an aggregate, with strings that need
// escaping, times with and without fractions and zones, and the rarely
// filled parts that go through encoding/json.
func fullAggregate() *Aggregate {
	t0 := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	t1 := time.Date(2026, 11, 21, 9, 0, 1, 123456789, time.UTC)
	t2 := time.Date(2026, 2, 28, 23, 59, 59, 120000000, time.FixedZone("", 2*3600))
	usd := func(n int64) money.Money { return money.Money{Amount: n, Currency: "USD"} }
	addr := &Address{Name: "Zoë <Ada> & \"Bob\"", Company: "Acme\tInc", Line1: "1 Road\n", Line2: "\u2028x\u2029", City: "Austin",
		Region: "TX", PostalCode: "78701", Country: "US", Phone: "+1 555", Email: "a@b.c"}
	return &Aggregate{
		Order: Order{
			ID: "ord_1", Channel: "shop", ChannelOrderID: "1001", ChannelOrderNumber: "#1001", PlacedAt: t2, Currency: "USD",
			Customer:        Customer{ID: "c1", Name: "Ada \x01 \xff bad utf8", Email: "e", Phone: "p"},
			ShippingAddress: addr, BillingAddress: &Address{},
			Lines: []OrderLine{{ID: "1", ChannelProductID: "p", ChannelVariantID: "v", SKU: "MUG", Title: "Mug ☕", Quantity: 2,
				UnitPrice: usd(1999), Discount: usd(-5), Tax: usd(9223372036854775807), ProductTags: []string{"a", ""}, NoShipping: true,
				Cancelled: 1, Returned: 1, Qty: Buckets{1, 2, 3, 4, 5, 6, 7, 8, 9}, State: LineSent}, {ID: "2", ProductTags: []string{}}},
			Totals:         Totals{Subtotal: usd(1), Shipping: usd(2), Tax: usd(3), Discount: usd(4), Total: usd(-9223372036854775808)},
			ShippingMethod: "ground", Tags: []string{"vip", `q"uote`}, Note: "n\\b", Status: OrderProcessing, PaymentStatus: PaymentPaid,
			Risk: "low", ShipBy: &t1, Holds: []Hold{{Code: HoldManual, Reason: "r", LineID: "1", At: t0}}, CancelledAt: &t2,
			CancelReason: "c", RawRef: "raw/x", Refs: []Ref{{System: "shopify:shop", ID: "1"}},
		},
		POs: []PurchaseOrder{{Number: "PO1", Seq: 1, OrderID: "ord_1", Supplier: "acme", Status: POSent, Currency: "USD", ShipTo: *addr,
			Lines: []POLine{{LineNo: 1, OrderLineID: "1", SKU: "MUG", SupplierSKU: "A-MUG", GTIN: "0123", Description: "d", Quantity: 2,
				UnitCost: usd(400), Acknowledged: 1, Backordered: 1, Rejected: 1, Cancelled: 1, Shipped: 1, RejectReason: "no", PromisedShip: &t0}},
			Created: t0, OrderNumber: "#1001", ShippingMethod: "g", SentAt: &t1, AckDueAt: &t0, ShipDueAt: &t2, AcknowledgedAt: &t1,
			Document: "PO1.850.x12", Refs: []Ref{{System: "x12:isa13", ID: "42"}}}, {Number: "PO2", Lines: []POLine{}}},
		Shipments: []Shipment{{ID: "s1", OrderID: "ord_1", ShippedAt: t0}},
		Invoices:  []Invoice{{Number: "i1", Date: t0}},
		Payments:  []Payment{{Provider: "stripe", Captured: usd(5)}},
		Returns:   []Return{{ID: "r1"}},
		Timeline: []TimelineEntry{{At: t1, Entity: "order", Event: "order.received", From: "a", To: "b", Message: "m <b>",
			Cause: Cause{Kind: CauseWebhook, Ref: "shop/1"}, Data: map[string]string{"z": "1", "a": "2", "&": "<"}}, {At: t0}},
		Seen:    []string{"d1", "d2"},
		Applied: []AppliedDoc{{Key: "k", Fingerprint: "f", DocID: "d", At: t0}},
		Outbox: []Event{{Type: EvPOSent, At: t1, OrderID: "ord_1", PONumber: "PO1", Supplier: "acme", ShipmentID: "s1", LineID: "1", Quantity: 3,
			Exception:  &Exception{ID: "x", Kind: ExSLABreach, Actions: []string{"resolve"}, CreatedAt: t0},
			Settlement: &Settlement{Kinds: []ExceptionKind{ExAckOverdue}, Why: "w"}, Cause: Cause{Kind: CauseSystem},
			Data: map[string]string{"k": "v"}, Job: "job_1"}, {Type: EvOrderReceived}},
		Created: t0, Updated: t1,
	}
}

func TestAggregateRecordIsWhatEncodingJSONWrites(t *testing.T) {
	for name, a := range map[string]*Aggregate{
		"full":  fullAggregate(),
		"empty": {},
		"empty slices": {POs: []PurchaseOrder{}, Shipments: []Shipment{}, Timeline: []TimelineEntry{},
			Order: Order{Lines: []OrderLine{}, Tags: []string{}}},
	} {
		want, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.AppendRecord(nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

func TestAggregateDecodeRecordIsWhatEncodingJSONReads(t *testing.T) {
	full, _ := json.Marshal(fullAggregate())
	indented, _ := json.MarshalIndent(fullAggregate(), " ", "\t")
	for name, data := range map[string]string{
		"full":     string(full),
		"indented": string(indented),
		"empty":    "{}",
		"null":     "null",
		"nulls": `{"order":{"lines":null,"ship_by":null,"shipping_address":null,"customer":null,"status":null},` +
			`"purchase_orders":null,"timeline":[],"seen":[],"outbox":null,"created_at":null}`,
		"escapes":      `{"order":{"id":"a\u00e9\n\"\\\/b","note":"\ud83d\ude00"},"seen":["x\ty"]}`,
		"unknown keys": `{"future":{"a":[1,2.5e3,-0,{"b":null}],"c":true},"order":{"id":"o","new":"x"},"z":false}`,
		"times": `{"created_at":"2026-11-21T09:00:00.5+02:00","updated_at":"2024-02-29T23:59:59.000000001Z",` +
			`"order":{"placed_at":"0001-01-01T00:00:00Z"}}`,
	} {
		var want Aggregate
		if err := json.Unmarshal([]byte(data), &want); err != nil {
			t.Fatalf("%s: encoding/json: %v", name, err)
		}
		var got Aggregate
		if err := got.DecodeRecord([]byte(data)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

func TestAggregateDecodeRecordRefusesWhatEncodingJSONRefuses(t *testing.T) {
	full, _ := json.Marshal(fullAggregate())
	for name, data := range map[string]string{
		"truncated":      string(full[:len(full)/2]),
		"trailing":       string(full) + "x",
		"float money":    `{"order":{"lines":[{"unit_price":{"amount":19.99,"currency":"USD"}}]}}`,
		"exponent":       `{"order":{"lines":[{"quantity":1e2}]}}`,
		"string amount":  `{"order":{"totals":{"total":{"amount":"5"}}}}`,
		"bad time":       `{"created_at":"2026-13-01T00:00:00Z"}`,
		"control char":   "{\"seen\":[\"a\x01\"]}",
		"missing colon":  `{"order" {}}`,
		"not an object":  `[1]`,
		"bad literal":    `{"order":{"lines":[{"no_shipping":tru}]}}`,
		"overflow":       `{"order":{"lines":[{"quantity":99999999999999999999}]}}`,
		"leading zero":   `{"order":{"lines":[{"quantity":01}]}}`,
		"bad fallback":   `{"shipments":[{"id":5}]}`,
		"unclosed array": `{"seen":["a"`,
	} {
		var want Aggregate
		if err := json.Unmarshal([]byte(data), &want); err == nil {
			t.Fatalf("%s: encoding/json reads it", name)
		}
		var got Aggregate
		if err := got.DecodeRecord([]byte(data)); err == nil {
			t.Errorf("%s: read without error: %+v", name, got)
		}
	}
}

// The codec's point: a fraction of encoding/json's time and allocations.
// typical is an order as the PO send finds it (the parts an order gets
// later, which go through encoding/json, left out).
func BenchmarkAggregateRecord(b *testing.B) {
	typical := fullAggregate()
	typical.Shipments, typical.Invoices, typical.Payments, typical.Returns, typical.Applied, typical.Order.Holds = nil, nil, nil, nil, nil, nil
	for i := range typical.Outbox {
		typical.Outbox[i].Exception, typical.Outbox[i].Settlement = nil, nil
	}
	for name, a := range map[string]*Aggregate{"full": fullAggregate(), "typical": typical} {
		data, _ := json.Marshal(a)
		b.Run(name+"/encode/codec", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				_, _ = a.AppendRecord(nil)
			}
		})
		b.Run(name+"/encode/encoding_json", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				_, _ = json.Marshal(a)
			}
		})
		b.Run(name+"/decode/codec", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				var v Aggregate
				_ = v.DecodeRecord(data)
			}
		})
		b.Run(name+"/decode/encoding_json", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				var v Aggregate
				_ = json.Unmarshal(data, &v)
			}
		})
	}
}
