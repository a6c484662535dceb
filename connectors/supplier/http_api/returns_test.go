package http_api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

// returnsAPI is a supplier's return endpoint: it wants the return's id as
// the Idempotency-Key and a JSON body naming the SKU; SKU "NO-RETURN" is
// refused with 422; otherwise it answers the RMA number, the same for a
// repeated key.
type returnsAPI struct {
	mu    sync.Mutex
	calls []string
}

func (a *returnsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Reference string `json:"reference"`
		SKU       string `json:"sku"`
		Quantity  int64  `json:"quantity"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Reference == "" || body.Quantity <= 0 {
		http.Error(w, `{"error":{"message":"bad body"}}`, http.StatusBadRequest)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	a.mu.Lock()
	a.calls = append(a.calls, key)
	a.mu.Unlock()
	if key != body.Reference {
		http.Error(w, `{"error":{"message":"key mismatch"}}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if body.SKU == "NO-RETURN" {
		w.WriteHeader(http.StatusUnprocessableEntity)
		w.Write([]byte(`{"error":{"message":"final sale: not returnable"}}`))
		return
	}
	w.Write([]byte(`{"rma":{"number":"RMA-` + body.Reference + `"}}`))
}

func TestRequestReturnOverHTTP(t *testing.T) {
	api := &returnsAPI{}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	r := newRig(t, rigOptions{cfg: func(c *Config) {
		c.ReturnRequest = &ReturnRequest{Endpoint: Endpoint{URL: srv.URL + "/returns",
			Body: `{"reference": {{json .Return.ID}}, "sku": {{json (index .Return.Lines 0).SupplierSKU}}, "quantity": {{(index .Return.Lines 0).Quantity}}}`},
			RMA: "$.rma.number", Refused: []int{422}}
	}})
	rq, ok := connector.As[connector.ReturnRequester](r.conn)
	if !ok {
		t.Fatal("return_request does not offer return requests")
	}
	po, order := testPO(1, "B")
	ret := &model.Return{ID: "ret_1", PONumber: po.Number, Lines: []model.ReturnLine{{SKU: po.Lines[0].SKU, SupplierSKU: po.Lines[0].SupplierSKU, Quantity: 1}}}
	sent, err := rq.RequestReturn(context.Background(), ret, po, order)
	if err != nil || sent.Decision == nil || !sent.Decision.Authorized || sent.Decision.RMA != "RMA-ret_1" {
		t.Fatalf("sent %+v (%v)", sent, err)
	}
	refused := &model.Return{ID: "ret_2", PONumber: po.Number, Lines: []model.ReturnLine{{SupplierSKU: "NO-RETURN", Quantity: 1}}}
	sent, err = rq.RequestReturn(context.Background(), refused, po, order)
	if err != nil || sent.Decision == nil || sent.Decision.Authorized || sent.Decision.Reason != "final sale: not returnable" {
		t.Fatalf("refused: %+v (%v)", sent.Decision, err)
	}
	if len(api.calls) != 2 || api.calls[0] != "ret_1" || api.calls[1] != "ret_2" {
		t.Fatalf("calls %v", api.calls)
	}
}

// Without return_request the connector offers no return requests, and a
// template that does not render for a sample return is a config error.
func TestReturnRequestIsOptionalAndChecked(t *testing.T) {
	r := newRig(t, rigOptions{})
	if _, ok := connector.As[connector.ReturnRequester](r.conn); ok {
		t.Fatal("return requests offered without return_request")
	}
	cfg := readmeConfig(t, "http://127.0.0.1:1", "tok")
	cfg.ReturnRequest = &ReturnRequest{Endpoint: Endpoint{URL: "http://127.0.0.1:1/returns", Body: `{"x": {{json .Return.Nope}}}`}, RMA: "$.rma[*]"}
	probs := map[string]bool{}
	for _, p := range cfg.Check() {
		probs[p.Path] = true
	}
	if !probs["return_request.body"] || !probs["return_request.rma"] {
		t.Fatalf("problems %v", probs)
	}
}
