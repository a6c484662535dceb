package http_api

import (
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

// offline returns a connector on the README config that never sends a
// request: for mapping answers given as text.
func offline(t *testing.T, edit func(*Config)) *Connector {
	t.Helper()
	cfg := readmeConfig(t, "https://api.acme-supply.example", "tok")
	if edit != nil {
		edit(cfg)
	}
	c, err := newConnector(connector.Env{Name: supplierName}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustDoc(t *testing.T, s string) any {
	t.Helper()
	doc, err := decodeJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestAckMapping(t *testing.T) {
	c := offline(t, nil)
	po, _ := testPO(1, "ACME-TEE")
	tests := []struct {
		name, body string
		status     string // "" for no ack
		lines      []model.AckLineStatus
		err        string
	}{
		{name: "accepted", body: `{"order":{"status":"accepted","lines":[{"line":1,"status":"accepted"},{"line":2,"status":"confirmed"}]}}`,
			status: "accepted", lines: []model.AckLineStatus{model.AckAccepted, model.AckAccepted}},
		{name: "fewer units accepted is a change", body: `{"order":{"status":"accepted","lines":[{"line":1,"status":"accepted","quantity":1},{"line":2,"status":"accepted"}]}}`,
			status: "accepted_with_changes", lines: []model.AckLineStatus{model.AckChanged, model.AckAccepted}},
		{name: "backordered", body: `{"order":{"status":"partially_accepted","lines":[{"line":1,"status":"backordered"},{"line":2,"status":"accepted"}]}}`,
			status: "accepted_with_changes", lines: []model.AckLineStatus{model.AckBackordered, model.AckAccepted}},
		{name: "every line rejected", body: `{"order":{"status":"accepted","lines":[{"line":1,"status":"rejected"},{"line":2,"status":"REJECTED"}]}}`,
			status: "rejected", lines: []model.AckLineStatus{model.AckRejected, model.AckRejected}},
		{name: "order rejected", body: `{"order":{"status":"rejected","reason":"account on hold","lines":[]}}`, status: "rejected"},
		{name: "pending without lines", body: `{"order":{"status":"received","lines":[]}}`},
		{name: "a pending line holds the answer back", body: `{"order":{"status":"accepted","lines":[{"line":1,"status":"rejected"},{"line":2,"status":"pending"}]}}`},
		{name: "unknown order status", body: `{"order":{"status":"weird"}}`, err: `$.order.status: order status "weird" is not in the statuses table`},
		{name: "unknown line status", body: `{"order":{"status":"accepted","lines":[{"line":1,"status":"meh"}]}}`, err: `$.order.lines[0].status: line status "meh"`},
		{name: "line without a reference", body: `{"order":{"status":"accepted","lines":[{"status":"accepted"}]}}`, err: "no line reference at $.order.lines[0].line"},
		{name: "line reference not a number", body: `{"order":{"status":"accepted","lines":[{"line":"x","status":"accepted"}]}}`, err: `$.order.lines[0].line: line reference "x"`},
		{name: "fractional quantity", body: `{"order":{"status":"accepted","lines":[{"line":1,"status":"accepted","quantity":1.5}]}}`, err: "$.order.lines[0].quantity: quantity 1.5"},
		{name: "no status", body: `{"order":{}}`, err: "no order status at $.order.status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ack, err := c.ack(mustDoc(t, tt.body), c.c.createResp, po, "77")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want …%s…", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.status == "" {
				if ack != nil {
					t.Fatalf("got %+v, want no ack", ack)
				}
				return
			}
			if ack == nil || ack.Status != tt.status || len(ack.Lines) != len(tt.lines) {
				t.Fatalf("got %+v, want %s with %v", ack, tt.status, tt.lines)
			}
			for i, want := range tt.lines {
				if ack.Lines[i].Status != want {
					t.Errorf("line %d: %s, want %s", i, ack.Lines[i].Status, want)
				}
			}
		})
	}
}

// TestAckBySKU: lines referred to by supplier SKU.
func TestAckBySKU(t *testing.T) {
	c := offline(t, func(cfg *Config) {
		cfg.CreateOrder.Response.Lines.Ref, cfg.CreateOrder.Response.Lines.Match = "sku", matchSupplierSKU
	})
	po, _ := testPO(1, "ACME-TEE")
	ack, err := c.ack(mustDoc(t, `{"order":{"status":"accepted","lines":[{"sku":"ACME-TEE","status":"rejected","reason":"discontinued"}]}}`), c.c.createResp, po, "1")
	if err != nil || ack == nil || len(ack.Lines) != 1 || ack.Lines[0].SupplierSKU != "ACME-TEE" || ack.Lines[0].Reason != "discontinued" || ack.Status != "accepted_with_changes" {
		t.Fatalf("got %+v, %v", ack, err)
	}
}

// TestShipNoticeMapping covers the shipment shapes other than the fake's
// (which the poll tests exercise): tracking numbers as a list, no line
// detail, tracking not there yet, and no shipment mapping at all.
func TestShipNoticeMapping(t *testing.T) {
	trackingList := func(cfg *Config) {
		cfg.Status.Mapping.Shipments = &ShipmentMapping{Carrier: "$.order.carrier", Tracking: "$.order.tracking_numbers"}
	}
	tests := []struct {
		name     string
		edit     func(*Config)
		body     string
		complete bool
		packages []string // tracking numbers; nil for no notice
		lines    int      // shipment lines in the first package
	}{
		{"tracking list, no lines: what is left ships", trackingList,
			`{"order":{"carrier":"FedEx Ground","tracking_numbers":["7961","7962"]}}`, true, []string{"7961", "7962"}, 2},
		{"no tracking yet", trackingList, `{"order":{"carrier":"UPS","tracking_numbers":[]}}`, true, nil, 0},
		{"partial without lines waits", trackingList, `{"order":{"carrier":"UPS","tracking_numbers":["1"]}}`, false, nil, 0},
		{"no shipment mapping: one untracked shipment", func(cfg *Config) { cfg.Status.Mapping.Shipments = nil },
			`{"order":{}}`, true, []string{""}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := offline(t, tt.edit)
			po, _ := testPO(1, "ACME-TEE")
			po.Lines[0].Shipped = 1
			docs, err := c.shipNotices(mustDoc(t, tt.body), po, "55", tt.complete)
			if err != nil {
				t.Fatal(err)
			}
			if tt.packages == nil {
				if len(docs) != 0 {
					t.Fatalf("got %+v, want nothing", docs)
				}
				return
			}
			if len(docs) != 1 {
				t.Fatalf("got %d notices", len(docs))
			}
			sn := docs[0].ShipNotice
			var got []string
			for _, p := range sn.Packages {
				got = append(got, p.TrackingNumber)
			}
			if strings.Join(got, ",") != strings.Join(tt.packages, ",") || len(sn.Packages[0].Lines) != tt.lines {
				t.Fatalf("packages %v with %d lines, want %v with %d", got, len(sn.Packages[0].Lines), tt.packages, tt.lines)
			}
			if tt.lines > 0 && sn.Packages[0].Lines[0].Quantity != 1 {
				t.Errorf("line 1 ships %d, want the 1 unit left", sn.Packages[0].Lines[0].Quantity)
			}
			if strings.Contains(tt.body, "FedEx") && sn.Carrier != "fedex" {
				t.Errorf("carrier %q", sn.Carrier)
			}
		})
	}
}

func TestCarrierNames(t *testing.T) {
	c := offline(t, nil)
	for in, want := range map[string]string{"UPS": "ups", "UPS Mail Innovations": "usps", "FedEx Home Delivery": "fedex", "Bob's Trucks": "Bob's Trucks", "": ""} {
		if got := c.carrier(in); got != want {
			t.Errorf("carrier(%q) = %q, want %q", in, got, want)
		}
	}
}
