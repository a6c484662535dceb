package http_api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/supplierapi"
)

// faults is ~30% of requests failing with 429/503 before anything
// happens, plus 15% of creates whose answer is lost after the order was
// made (a third of those as a closed connection).
var faults = supplierapi.Faults{Seed: 42, TooManyRequests: 0.15, Unavailable: 0.15, LostResponse: 0.15, Reset: 0.3}

// TestDeliveredExactlyOnce sends 50 purchase orders through a faulty
// supplier API, retrying as the engine would, once per idempotency
// strategy. The fake accepts duplicate references where the strategy
// must do the work itself, so a duplicate would show in its counts.
func TestDeliveredExactlyOnce(t *testing.T) {
	tests := []struct {
		name string
		fake []supplierapi.Option
		cfg  func(*Config)
		ack  bool // every send returns the synchronous verdict
	}{
		{name: "idempotency key", fake: []supplierapi.Option{supplierapi.WithDuplicateRefs()},
			cfg: func(c *Config) { c.Idempotency.Lookup = nil; c.CreateOrder.ConflictOrderID = "" }, ack: true},
		{name: "lookup", fake: []supplierapi.Option{supplierapi.WithDuplicateRefs()},
			cfg: func(c *Config) { c.Idempotency.Header = "none"; c.CreateOrder.ConflictOrderID = "" }, ack: true},
		{name: "409 names the order",
			cfg: func(c *Config) { c.Idempotency.Header = "none"; c.Idempotency.Lookup = nil }},
		{name: "all three", ack: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeOpts := append([]supplierapi.Option{supplierapi.WithFaults(faults), supplierapi.WithCatalog("ACME-MUG", "ACME-TEE")}, tt.fake...)
			r := newRig(t, rigOptions{fake: fakeOpts, cfg: tt.cfg})
			for i := range 50 {
				sku2 := "ACME-TEE"
				if i%5 == 0 {
					sku2 = fmt.Sprintf("NOPE-%d", i) // rejected by the supplier
				}
				po, order := testPO(i, sku2)
				sent, _ := r.deliver(po, order)
				if n := r.fake.Created(po.Number); n != 1 {
					t.Fatalf("%s created %d times on the supplier", po.Number, n)
				}
				orders := r.fake.Orders()
				var want string
				for _, o := range orders {
					if o.ExternalRef == po.Number {
						want = fmt.Sprint(o.ID)
					}
				}
				markSent(po, sent)
				if got := refOf(po); got != want || got == "" {
					t.Fatalf("%s: supplier ref %q, the fake's id is %q", po.Number, got, want)
				}
				if sent.Ack == nil {
					if tt.ack {
						t.Fatalf("%s: no synchronous acknowledgement", po.Number)
					}
					continue
				}
				checkAck(t, sent.Ack, po, sku2)
			}
			st := r.fake.Stats()
			if st.Created != 50 {
				t.Errorf("the fake created %d orders, want 50", st.Created)
			}
			if st.TooMany == 0 || st.Unavailable == 0 || st.LostResponses == 0 {
				t.Errorf("the faults did not all happen: %+v", st)
			}
			t.Logf("%+v", st)
		})
	}
}

// checkAck checks the verdict on a two-line PO whose second line has sku2.
func checkAck(t *testing.T, ack *model.POAck, po *model.PurchaseOrder, sku2 string) {
	t.Helper()
	if ack.PONumber != po.Number || ack.SupplierID != refOf(po) || len(ack.Lines) != 2 {
		t.Fatalf("%s: ack %+v", po.Number, ack)
	}
	if ack.Lines[0].LineNo != 1 || ack.Lines[0].Status != model.AckAccepted {
		t.Errorf("%s: line 1: %+v", po.Number, ack.Lines[0])
	}
	l2 := ack.Lines[1]
	if strings.HasPrefix(sku2, "NOPE") {
		if l2.Status != model.AckRejected || l2.Reason != "unknown sku "+sku2 || ack.Status != "accepted_with_changes" {
			t.Errorf("%s: line 2 should be rejected as unknown: %+v (ack %s)", po.Number, l2, ack.Status)
		}
	} else if l2.Status != model.AckAccepted || ack.Status != "accepted" {
		t.Errorf("%s: line 2: %+v (ack %s)", po.Number, l2, ack.Status)
	}
}

// TestWithoutIdempotencyDuplicates is the control: a supplier that takes
// duplicate references, and a config whose only guard is the 409 it never
// sends, orders twice when answers are lost. The exactly-once test above
// would catch a connector that behaved like this.
func TestWithoutIdempotencyDuplicates(t *testing.T) {
	r := newRig(t, rigOptions{
		fake: []supplierapi.Option{supplierapi.WithDuplicateRefs(), supplierapi.WithFaults(supplierapi.Faults{Seed: 7, LostResponse: 0.5})},
		cfg:  func(c *Config) { c.Idempotency.Header = "none"; c.Idempotency.Lookup = nil },
	})
	dups := 0
	for i := range 20 {
		po, order := testPO(i, "ACME-TEE")
		r.deliver(po, order)
		if r.fake.Created(po.Number) > 1 {
			dups++
		}
	}
	if dups == 0 {
		t.Fatal("no duplicate orders without idempotency: the fault rig is not exercising lost answers")
	}
}

// TestThrottledDoesNotCall: with the budget spent, the connector answers
// fault.Throttled and the supplier never hears of the request.
func TestThrottledDoesNotCall(t *testing.T) {
	r := newRig(t, rigOptions{limit: store.Limit{Rate: 0.001, Burst: 1}})
	sender := r.conn.(connector.POSender)
	po, order := testPO(1, "ACME-TEE")
	if _, err := sender.SendPO(context.Background(), po, order); err != nil {
		t.Fatal(err)
	}
	before := r.fake.Stats().Requests
	po2, order2 := testPO(2, "ACME-TEE")
	_, err := sender.SendPO(context.Background(), po2, order2)
	class, notBefore := fault.Classify(err)
	if class != fault.ClassThrottled || !notBefore.After(r.clk.Now()) {
		t.Fatalf("got %v (class %v, not before %s), want throttled", err, class, notBefore)
	}
	if after := r.fake.Stats().Requests; after != before {
		t.Fatalf("the fake saw %d requests while throttled", after-before)
	}
}

func TestSendErrors(t *testing.T) {
	t.Run("400 is permanent with the supplier's message", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		po, order := testPO(1, "ACME-TEE")
		po.Lines[1].Quantity = 0
		_, err := r.conn.(connector.POSender).SendPO(context.Background(), po, order)
		if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "HTTP 400: lines[1].quantity: must be positive, got 0") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("401 is permanent and the token stays secret", func(t *testing.T) {
		r := newRig(t, rigOptions{token: "sk_live_wrong_token_123"})
		po, order := testPO(1, "ACME-TEE")
		_, err := r.conn.(connector.POSender).SendPO(context.Background(), po, order)
		if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), "sk_live") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("an answer without the mapped id is permanent and names the path", func(t *testing.T) {
		r := newRig(t, rigOptions{cfg: func(c *Config) { c.CreateOrder.Response.OrderID = "$.order.supplier_ref" }})
		po, order := testPO(1, "ACME-TEE")
		_, err := r.conn.(connector.POSender).SendPO(context.Background(), po, order)
		if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "no order id at $.order.supplier_ref") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a 409 nobody can resolve is permanent", func(t *testing.T) {
		r := newRig(t, rigOptions{cfg: func(c *Config) { c.CreateOrder.ConflictOrderID = "$.error.existing"; c.Idempotency.Lookup = nil }})
		po, order := testPO(1, "ACME-TEE")
		r.deliver(po, order)
		r.c.c.idemHeader = "" // as if the supplier forgot the key
		_, err := r.conn.(connector.POSender).SendPO(context.Background(), po, order)
		if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "HTTP 409") || !strings.Contains(err.Error(), "$.error.existing") {
			t.Fatalf("got %v", err)
		}
	})
}

// TestSecretsRedacted: a supplier that echoes the request's headers in
// its error body does not get the token into dropgate's errors.
func TestSecretsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"message":"bad request from %s"}}`, r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	cfg := readmeConfig(t, srv.URL, "tok_super_secret_value")
	c, err := newConnector(connector.Env{Name: supplierName}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	po, order := testPO(1, "ACME-TEE")
	_, err = c.SendPO(context.Background(), po, order)
	if err == nil || strings.Contains(err.Error(), "tok_super_secret_value") || !strings.Contains(err.Error(), "from [redacted]") {
		t.Fatalf("got %v", err)
	}
	if !fault.IsPermanent(err) {
		t.Fatalf("redaction lost the class: %v", err)
	}
}

// TestRedirectNotFollowed: a 302 to a create is a permanent error naming
// where it pointed, never a GET of the new location.
func TestRedirectNotFollowed(t *testing.T) {
	gets := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets++
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	cfg := readmeConfig(t, srv.URL, "tok")
	cfg.Idempotency.Lookup = nil // only the POST goes out
	c, err := newConnector(connector.Env{Name: supplierName}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	po, order := testPO(1, "ACME-TEE")
	_, err = c.SendPO(context.Background(), po, order)
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "HTTP 302 /elsewhere") || gets != 0 {
		t.Fatalf("got %v after %d GETs", err, gets)
	}
}

// TestSecretQueryRedacted: a key passed as a URL parameter is added to
// every request and removed from the transport errors that quote the URL.
func TestSecretQueryRedacted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens: the error quotes the URL
	cfg := readmeConfig(t, url, "tok")
	cfg.Idempotency.Lookup = nil
	cfg.SecretQuery = map[string]connector.Secret{"api_key": "qk_secret_0042"}
	comp, ps := compile(cfg)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	req, err := comp.create.render(sampleData())
	if err != nil || !strings.HasSuffix(req.url, "/v2/orders?api_key=qk_secret_0042") {
		t.Fatalf("url %q, %v", req.url, err)
	}
	c, err := newConnector(connector.Env{Name: supplierName}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	po, order := testPO(1, "ACME-TEE")
	_, err = c.SendPO(context.Background(), po, order)
	if class, _ := fault.Classify(err); class != fault.ClassRetryable || strings.Contains(err.Error(), "qk_secret") || !strings.Contains(err.Error(), "api_key=[redacted]") {
		t.Fatalf("got %v", err)
	}
}
