package magento2

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/magentofake"
	"github.com/dropgate/dropgate/internal/testutil"
)

func TestCarrierCodes(t *testing.T) {
	for in, want := range map[string][2]string{
		"ups": {"ups", "United Parcel Service"}, "USPS": {"usps", "United States Postal Service"}, "fedex": {"fedex", "Federal Express"},
		"dhl": {"dhl", "DHL"}, "yodel": {"custom", "yodel"}, "": {"custom", "Carrier"},
	} {
		if code, title := carrierCode(in); code != want[0] || title != want[1] {
			t.Errorf("carrierCode(%q) = %q, %q; want %q, %q", in, code, title, want[0], want[1])
		}
	}
}

// The shipment dropgate sends has the shape of Adobe's example request,
// carries only the shipped units, and one track per parcel.
func TestShipmentRequest(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), suiteLimit)
	f := newFake(r)
	c := suiteConnector(r, &Config{}, f.Transport())
	o, sh := shipmentOf(f, 1)
	id, err := c.PushFulfillment(context.Background(), o, sh)
	if err != nil {
		t.Fatal(err)
	}
	eid, _ := strconv.ParseInt(o.ChannelOrderID, 10, 64)
	got := f.Shipments(eid)
	if len(got) != 1 || strconv.FormatInt(got[0].EntityID, 10) != id {
		t.Fatalf("shipments %+v, pushed id %q", got, id)
	}
	s := got[0]
	if len(s.Items) != 2 || s.Items[0].Qty != 1 || s.Items[1].Qty != 1 || strconv.FormatInt(s.Items[0].OrderItemID, 10) != o.Lines[0].ID {
		t.Errorf("items %+v", s.Items)
	}
	want := []magentofake.Track{{TrackNumber: "1Z999AA100000001", Title: "United Parcel Service", CarrierCode: "ups"},
		{TrackNumber: "LP00000001", Title: "yodel", CarrierCode: "custom"}}
	if len(s.Tracks) != 2 || s.Tracks[0] != want[0] || s.Tracks[1] != want[1] {
		t.Errorf("tracks %+v, want %+v", s.Tracks, want)
	}
	if mo, _ := f.Order(eid); mo.State != "processing" {
		t.Errorf("order state %q after a partial shipment; want processing", mo.State)
	}
	// The conformance example request decodes into the same shape.
	dir := testutil.ConformanceDir(t) // a failure in CI, a skip elsewhere
	b, err := os.ReadFile(filepath.Join(dir, "channels/magento/adobe-webapi-docs.POST-V1-order-id-ship.request.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ex shipRequest
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	if len(ex.Items) != 3 || ex.Items[2] != (shipItem{OrderItemID: 11, Qty: 1}) || !ex.Notify ||
		ex.Tracks[0] != (shipTrack{TrackNumber: "1Y-9876543210", Title: "United Parcel Service", CarrierCode: "ups"}) {
		t.Errorf("Adobe's example request reads %+v", ex)
	}
	var src struct {
		SourceItems []sourceItem `json:"sourceItems"`
	}
	b, _ = os.ReadFile(filepath.Join(dir, "channels/magento/adobe-webapi-docs.POST-V1-inventory-source-items.request.json"))
	if err := json.Unmarshal(b, &src); err != nil || len(src.SourceItems) != 4 ||
		src.SourceItems[3] != (sourceItem{SKU: "new_product2", SourceCode: "east", Quantity: 250, Status: 1}) {
		t.Errorf("Adobe's source-items example reads %+v (%v)", src, err)
	}
}

// The poll stops by total_count: the fake answers a page past the end
// with the last page again, and the connector never asks for it.
func TestPollStopsByTotalCount(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), suiteLimit)
	f := newFake(r)
	c := suiteConnector(r, &Config{PageSize: 5}, f.Transport())
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range 10 {
		f.PutOrder("A"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Second))
	}
	before := f.Server().LastSeq()
	evs, next, err := c.PollOrders(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 10 || next != "2026-03-01T10:00:09Z" {
		t.Errorf("%d events, next %q", len(evs), next)
	}
	if n := len(f.Server().Since(before)); n != 2 {
		t.Errorf("%d list calls for 10 orders in pages of 5; want 2", n)
	}
	// Cancelled on the store: the next poll brings the cancellation.
	id, _ := strconv.ParseInt(evs[3].ChannelOrderID, 10, 64)
	r.Clock.Set(t0.Add(time.Hour))
	if err := f.Cancel(id); err != nil {
		t.Fatal(err)
	}
	evs, _, err = c.PollOrders(context.Background(), next)
	if err != nil {
		t.Fatal(err)
	}
	var cancelled int
	for _, ev := range evs {
		if ev.Kind == connector.EventOrderCancelled && ev.ProvesCancellation() {
			cancelled++
		}
	}
	if cancelled != 1 {
		t.Errorf("%d proven cancellations in %d events; want 1", cancelled, len(evs))
	}
}

func TestErrors(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), suiteLimit)
	f := newFake(r)
	c := suiteConnector(r, &Config{AccessToken: "wrong"}, f.Transport())
	_, _, err := c.PollOrders(context.Background(), "")
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "isn't authorized") {
		t.Errorf("bad token: %v", err)
	}
	c = suiteConnector(r, &Config{}, f.Transport())
	o, sh := shipmentOf(f, 2)
	o.ChannelOrderID = "99999"
	if _, err := c.PushFulfillment(context.Background(), o, sh); !fault.IsPermanent(err) || !strings.Contains(err.Error(), "404") {
		t.Errorf("unknown order: %v", err)
	}
	if got := (apiError{Message: "Invalid attribute %fieldName = %fieldValue.", Parameters: json.RawMessage(`{"fieldName":"SKU","fieldValue":"X"}`)}).text(); got != "Invalid attribute SKU = X." {
		t.Errorf("named parameters: %q", got)
	}
	if got := (apiError{Message: "status %1 of %2", Parameters: json.RawMessage(`["a","b"]`)}).text(); got != "status a of b" {
		t.Errorf("positional parameters: %q", got)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(configurableOrder().Body))
	f.Add([]byte(`{"entity_id": 1, "items": [{"qty_ordered": 1.5}]}`))
	f.Add([]byte(`{"entity_id": "x"}`))
	c := &Connector{env: connector.Env{Name: "fuzz"}, cfg: &Config{}}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := c.DecodeEvent(context.Background(), TopicOrder, body)
		if err == nil && (len(evs) != 1 || evs[0].Order == nil) {
			t.Fatalf("no error and no order: %+v", evs)
		}
		if err != nil && !fault.IsPermanent(err) {
			t.Fatalf("a bad payload is not permanent: %v", err)
		}
	})
}
