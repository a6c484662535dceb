package paypalfake

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

func read(r *http.Request, v any) error {
	b, err := io.ReadAll(r.Body)
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return err
	}
	return json.Unmarshal(b, v)
}

func (f *Fake) notFound(what string) *kit.Response {
	return f.fail(http.StatusNotFound, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist: "+what)
}

func (f *Fake) authView(a *Authorization) map[string]any {
	return map[string]any{"id": a.ID, "status": a.Status, "amount": a.Amount, "custom_id": a.CustomID,
		"create_time": a.Created.Format(time.RFC3339), "expiration_time": a.Expires.Format(time.RFC3339),
		"supplementary_data": map[string]any{"related_ids": map[string]string{"order_id": a.OrderID}}}
}

func (f *Fake) authorize(r *http.Request) *kit.Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[r.PathValue("id")]
	if !ok {
		return f.notFound(r.PathValue("id"))
	}
	if o.Status != "APPROVED" {
		return f.fail(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_AUTHORIZED", "Order already authorized.")
	}
	now := f.o.Clock.Now().UTC()
	a := &Authorization{ID: f.next("0AW"), OrderID: o.ID, Status: "CREATED", CustomID: o.CustomID, Amount: o.Amount,
		Created: now, Expires: now.Add(29 * 24 * time.Hour)}
	f.auths[a.ID] = a
	o.Auths = append(o.Auths, a.ID)
	o.Status = "COMPLETED"
	return kit.Created(map[string]any{"id": o.ID, "status": o.Status, "intent": "AUTHORIZE",
		"purchase_units": []any{map[string]any{"custom_id": o.CustomID, "payments": map[string]any{"authorizations": []any{f.authView(a)}}}}})
}

func (f *Fake) getOrder(r *http.Request) *kit.Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[r.PathValue("id")]
	if !ok {
		return f.notFound(r.PathValue("id"))
	}
	var auths, caps []any
	for _, id := range o.Auths {
		a := f.auths[id]
		auths = append(auths, f.authView(a))
		for _, cid := range a.Captures {
			c := f.captures[cid]
			caps = append(caps, map[string]any{"id": c.ID, "status": c.Status, "amount": c.Amount, "final_capture": c.Final})
		}
	}
	return kit.OK(map[string]any{"id": o.ID, "status": o.Status, "intent": "AUTHORIZE",
		"purchase_units": []any{map[string]any{"custom_id": o.CustomID, "payments": map[string]any{"authorizations": auths, "captures": caps}}}})
}

func (f *Fake) getAuth(r *http.Request) *kit.Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.auths[r.PathValue("id")]
	if !ok {
		return f.notFound(r.PathValue("id"))
	}
	return kit.OK(f.authView(a))
}

func (f *Fake) capture(r *http.Request) *kit.Response {
	var req struct {
		Amount       *Amount `json:"amount"`
		FinalCapture *bool   `json:"final_capture"`
		InvoiceID    string  `json:"invoice_id"`
	}
	if err := read(r, &req); err != nil {
		return f.fail(http.StatusBadRequest, "INVALID_REQUEST", "MALFORMED_REQUEST_JSON", "Request is not well-formed: "+err.Error())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.auths[r.PathValue("id")]
	if !ok {
		return f.notFound(r.PathValue("id"))
	}
	if a.Status != "CREATED" && a.Status != "PARTIALLY_CAPTURED" {
		return f.fail(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "AUTHORIZATION_ALREADY_CAPTURED", "Authorization is "+a.Status+".")
	}
	total, _ := kit.Cents(a.Amount.Value)
	amt := total - a.Captured
	if req.Amount != nil {
		n, ok := kit.Cents(req.Amount.Value)
		if !ok || req.Amount.CurrencyCode != a.Amount.CurrencyCode {
			return f.fail(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "CURRENCY_MISMATCH", "amount is not valid: "+req.Amount.Value+" "+req.Amount.CurrencyCode)
		}
		amt = n
	}
	if amt <= 0 || a.Captured+amt > total {
		return f.fail(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "MAX_CAPTURE_AMOUNT_EXCEEDED", "Capture amount exceeds allowable limit.")
	}
	final := req.FinalCapture == nil || *req.FinalCapture // PayPal's default is a final capture
	a.Captured += amt
	c := &Capture{ID: f.next("3C6"), AuthID: a.ID, Status: "COMPLETED", Amount: Amount{a.Amount.CurrencyCode, kit.Decimal2(amt)}, Final: final}
	f.captures[c.ID] = c
	a.Captures = append(a.Captures, c.ID)
	a.Status = "PARTIALLY_CAPTURED"
	if final || a.Captured == total {
		a.Status = "CAPTURED"
	}
	f.moves++
	return kit.Created(map[string]any{"id": c.ID, "status": c.Status, "amount": c.Amount, "final_capture": c.Final,
		"invoice_id": req.InvoiceID, "create_time": f.o.Clock.Now().UTC().Format(time.RFC3339)})
}

func (f *Fake) void(r *http.Request) *kit.Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.auths[r.PathValue("id")]
	if !ok {
		return f.notFound(r.PathValue("id"))
	}
	if a.Status != "CREATED" && a.Status != "PARTIALLY_CAPTURED" {
		return f.fail(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "PREVIOUSLY_VOIDED", "Authorization is "+a.Status+" and cannot be voided.")
	}
	a.Status = "VOIDED"
	return kit.OK(f.authView(a))
}

func (f *Fake) refund(r *http.Request) *kit.Response {
	var req struct {
		Amount      *Amount `json:"amount"`
		NoteToPayer string  `json:"note_to_payer"`
	}
	if err := read(r, &req); err != nil {
		return f.fail(http.StatusBadRequest, "INVALID_REQUEST", "MALFORMED_REQUEST_JSON", "Request is not well-formed: "+err.Error())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.captures[r.PathValue("id")]
	if !ok {
		return f.notFound(r.PathValue("id"))
	}
	total, _ := kit.Cents(c.Amount.Value)
	amt := total - c.Refunded
	if req.Amount != nil {
		n, ok := kit.Cents(req.Amount.Value)
		if !ok || req.Amount.CurrencyCode != c.Amount.CurrencyCode {
			return f.fail(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "CURRENCY_MISMATCH", "amount is not valid")
		}
		amt = n
	}
	if amt <= 0 || c.Refunded+amt > total {
		return f.fail(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the capture amount that has not yet been refunded.")
	}
	c.Refunded += amt
	c.Status = "PARTIALLY_REFUNDED"
	if c.Refunded == total {
		c.Status = "REFUNDED"
	}
	rf := &Refund{ID: f.next("1JU"), CaptureID: c.ID, Status: "COMPLETED", Amount: Amount{c.Amount.CurrencyCode, kit.Decimal2(amt)}}
	f.refunds[rf.ID] = rf
	f.moves++
	return kit.Created(map[string]any{"id": rf.ID, "status": rf.Status, "amount": rf.Amount})
}

// verify answers SUCCESS for a delivery this fake signed, with the same
// headers, the same webhook id and the same event, FAILURE otherwise.
func (f *Fake) verify(r *http.Request) *kit.Response {
	var req struct {
		AuthAlgo         string          `json:"auth_algo"`
		CertURL          string          `json:"cert_url"`
		TransmissionID   string          `json:"transmission_id"`
		TransmissionSig  string          `json:"transmission_sig"`
		TransmissionTime string          `json:"transmission_time"`
		WebhookID        string          `json:"webhook_id"`
		WebhookEvent     json.RawMessage `json:"webhook_event"`
	}
	if err := read(r, &req); err != nil || req.TransmissionID == "" || req.WebhookID == "" || len(req.WebhookEvent) == 0 {
		return f.fail(http.StatusBadRequest, "VALIDATION_ERROR", "MISSING_REQUIRED_PARAMETER", "Invalid request - see details")
	}
	var compact bytes.Buffer
	status := "FAILURE"
	f.mu.Lock()
	want, ok := f.signed[req.TransmissionID]
	f.mu.Unlock()
	if ok && json.Compact(&compact, req.WebhookEvent) == nil && req.WebhookID == f.o.WebhookID && req.AuthAlgo == "SHA256withRSA" {
		if want == req.TransmissionSig+"|"+req.TransmissionTime+"|"+hex.EncodeToString(sum(compact.Bytes())) {
			status = "SUCCESS"
		}
	}
	return kit.OK(map[string]string{"verification_status": status})
}
