package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/channel/shopify"
	"github.com/dropgate/dropgate/core/app/orders"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// signedDelivery signs an arbitrary body as the demo shop would.
func signedDelivery(t *testing.T, body string) delivery {
	t.Helper()
	c := shop(t)
	h, _ := c.SignWebhook("orders/create", []byte(body))
	return delivery{body: []byte(body), headers: h}
}

// demoSettled reports whether the demo server at url has no job ready or
// running and at least exceptions open exceptions.
func demoSettled(url string, exceptions int) bool {
	var q struct {
		Queues []struct{ Ready, InFlight int64 }
	}
	var x struct{ Exceptions []json.RawMessage }
	if demoAdmin(url, "/queues", &q) != nil || demoAdmin(url, "/exceptions?limit=100", &x) != nil {
		return false
	}
	for _, st := range q.Queues {
		if st.Ready+st.InFlight != 0 {
			return false
		}
	}
	return len(x.Exceptions) >= exceptions
}

// demoAdmin GETs the admin API of a server on the demo config.
func demoAdmin(url, path string, out any) error {
	req, err := http.NewRequest(http.MethodGet, url+"/api/v1"+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer demo-admin-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// TestBadInputThroughTheBinary: malformed JSON with a valid signature is
// accepted, then dead-lettered with its raw payload and a precise error,
// never retried forever; orders that cannot be fulfilled go on hold with
// the reason.
func TestBadInputThroughTheBinary(t *testing.T) {
	t.Parallel()
	dir := workdir(t)
	s := startServer(t, dir)

	malformed := "{\"id\": 4242,\n \"line_items\": [\n  {\"sku\": \"MUG-BLK-11\", \"quantity\": }\n]}"
	held := map[string]string{
		`{"id": 5001, "currency": "USD", "line_items": [], "shipping_address": {"name": "A", "address1": "1 Rd", "city": "X", "country_code": "US"}}`:                                                                "the order has no lines",
		`{"id": 5002, "currency": "USD", "line_items": [{"id": 1, "sku": "MUG-BLK-11", "quantity": 0, "price": "1.00"}], "shipping_address": {"name": "A", "address1": "1 Rd", "city": "X", "country_code": "US"}}`:  "line 1 (MUG-BLK-11): quantity 0 is not positive",
		`{"id": 5003, "currency": "USD", "line_items": [{"id": 1, "sku": "MUG-BLK-11", "quantity": -1, "price": "1.00"}], "shipping_address": {"name": "A", "address1": "1 Rd", "city": "X", "country_code": "US"}}`: "line 1 (MUG-BLK-11): quantity -1 is not positive",
		`{"id": 5004, "currency": "XBT", "line_items": [{"id": 1, "sku": "MUG-BLK-11", "quantity": 1, "price": "1.00"}], "shipping_address": {"name": "A", "address1": "1 Rd", "city": "X", "country_code": "US"}}`:  `unknown currency "XBT"`,
		`{"id": 5005, "currency": "USD", "line_items": [{"id": 1, "sku": "MUG-BLK-11", "quantity": 1, "price": "1.00"}]}`:                                                                                            "missing shipping address",
		`{"id": 5006, "currency": "USD", "line_items": [{"id": 1, "sku": "NOT-SOLD", "quantity": 1, "price": "1.00"}], "shipping_address": {"name": "A", "address1": "1 Rd", "city": "X", "country_code": "US"}}`:    "SKU NOT-SOLD is carried by no supplier",
	}
	if code, err := signedDelivery(t, malformed).post(s.url); err != nil || code != http.StatusOK {
		t.Fatalf("malformed JSON with a valid signature must be accepted: %d %v", code, err)
	}
	for body := range held {
		if code, err := signedDelivery(t, body).post(s.url); err != nil || code != http.StatusOK {
			t.Fatalf("post: %d %v", code, err)
		}
	}
	// The store is read after stop: wait until the workers are done, an
	// exception for each held order and the dead letter, and nothing
	// ready or running (a hang guard only; the checks below say what is
	// wrong if it runs out).
	waitUntil(time.Minute, func() bool { return demoSettled(s.url, len(held)+1) })
	s.stop(t)

	st, err := embedded.Open(filepath.Join(dir, "var", "dropgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	dead, _, err := st.DeadLetters(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 {
		t.Fatalf("dead letters = %d, want 1 (the malformed delivery)", len(dead))
	}
	d := dead[0]
	// The body was stored with the job under its raw key (the job's
	// payload is empty); the dead letter keeps the key.
	if raw, err := st.GetBlob(ctx, d.Meta[orders.MetaRawKey]); err != nil || string(raw) != malformed {
		t.Errorf("dead letter lost the raw payload: key %q: %q, %v", d.Meta[orders.MetaRawKey], raw, err)
	}
	if len(d.Errors) != 1 || !strings.Contains(d.Errors[0].Error, "invalid JSON at line 3, column 37") {
		t.Errorf("dead letter errors = %+v (one attempt, with the position)", d.Errors)
	}
	for body, reason := range held {
		var head struct{ ID json.Number }
		json.Unmarshal([]byte(body), &head)
		rec, err := st.GetRecord(ctx, repo.KindOrder, model.OrderID("shop", head.ID.String()))
		if err != nil {
			t.Fatalf("order %s: %v", head.ID, err)
		}
		var a model.Aggregate
		json.Unmarshal(rec.Data, &a)
		if a.Order.Status != model.OrderOnHold || len(a.Order.Holds) == 0 || a.Order.Holds[0].Reason != reason {
			t.Errorf("order %s: status %s holds %+v, want reason %q", head.ID, a.Order.Status, a.Order.Holds, reason)
		}
		if rec.Index["status"] != "on_hold" {
			t.Errorf("order %s not indexed on_hold", head.ID)
		}
	}
	stats, _ := st.Stats(ctx)
	for _, q := range stats {
		if q.Ready+q.Scheduled+q.InFlight+q.Waiting != 0 {
			t.Errorf("queue %s still has work (%+v): held orders must not retry", q.Queue, q)
		}
	}
	recs, _, _ := st.ListRecords(ctx, repo.KindException, store.Query{Field: "status", Value: "open"})
	if len(recs) != len(held)+1 {
		t.Errorf("open exceptions = %d, want %d (one per held order, one for the dead letter)", len(recs), len(held)+1)
	}
	deadX, _, _ := st.ListRecords(ctx, repo.KindException, store.Query{Field: "ref", Value: d.ID})
	var x model.Exception
	if len(deadX) != 1 || json.Unmarshal(deadX[0].Data, &x) != nil || x.Kind != model.ExDeadLetter || !strings.Contains(x.Reason, "invalid JSON at line 3") {
		t.Errorf("the dead letter has no exception offering retry/discard: %+v", x)
	}
	_ = shopify.HeaderTopic
}
