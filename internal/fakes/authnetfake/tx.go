package authnetfake

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

type txErr struct {
	ErrorCode string `json:"errorCode"`
	ErrorText string `json:"errorText"`
}

// refuse is a transaction the gateway refused: resultCode Error and
// transactionResponse.responseCode 2 (declined) or 3 (error).
func refuse(refID, code string, e txErr, transID string) *kit.Response {
	return answer(refID, false, msg{"E00027", "The transaction was unsuccessful."}, map[string]any{
		"transactionResponse": map[string]any{"responseCode": code, "transId": transID, "errors": []txErr{e}}})
}

func (f *Fake) transaction(refID string, raw json.RawMessage) *kit.Response {
	var req struct {
		TransactionRequest struct {
			TransactionType string `json:"transactionType"`
			Amount          string `json:"amount"`
			RefTransID      string `json:"refTransId"`
			Payment         struct {
				OpaqueData *struct {
					DataValue string `json:"dataValue"`
				} `json:"opaqueData"`
				CreditCard *struct {
					CardNumber string `json:"cardNumber"`
				} `json:"creditCard"`
			} `json:"payment"`
			Order struct {
				InvoiceNumber string `json:"invoiceNumber"`
			} `json:"order"`
		} `json:"transactionRequest"`
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return answer(refID, false, msg{"E00003", "An error occurred while parsing the JSON request."}, nil)
	}
	tr := req.TransactionRequest
	f.mu.Lock()
	defer f.mu.Unlock()
	ok := func(t *Tx) *kit.Response {
		return answer(refID, true, msg{"I00001", "Successful."}, map[string]any{"transactionResponse": map[string]any{
			"responseCode": "1", "authCode": "FAKE01", "transId": t.ID, "refTransID": tr.RefTransID, "accountNumber": t.Card,
			"messages": []map[string]string{{"code": "1", "description": "This transaction has been approved."}}}})
	}
	amount, amountOK := kit.Cents(tr.Amount)
	switch tr.TransactionType {
	case "authOnlyTransaction":
		if tr.Payment.OpaqueData == nil || tr.Payment.OpaqueData.DataValue == "" || !amountOK || amount == 0 {
			return refuse(refID, "3", txErr{"5", "A valid amount is required."}, "0")
		}
		f.seq++
		t := &Tx{ID: fmt.Sprint(f.seq), Type: "authOnlyTransaction", Card: "XXXX1111", Auth: amount, RefID: refID, Invoice: tr.Order.InvoiceNumber}
		f.txs[t.ID] = t
		if tr.Payment.OpaqueData.DataValue == Decline {
			t.Status = "declined"
			return refuse(refID, "2", txErr{"2", "This transaction has been declined."}, t.ID)
		}
		t.Status = "authorizedPendingCapture"
		return ok(t)
	case "priorAuthCaptureTransaction":
		t, found := f.txs[tr.RefTransID]
		if !found {
			return refuse(refID, "3", txErr{"16", "The transaction cannot be found."}, "0")
		}
		if t.Status != "authorizedPendingCapture" {
			return refuse(refID, "3", txErr{"311", "This transaction has already been captured."}, t.ID)
		}
		if tr.Amount != "" && (!amountOK || amount > t.Auth) {
			return refuse(refID, "3", txErr{"47", "The amount requested for settlement cannot be greater than the original amount authorized."}, t.ID)
		}
		if tr.Amount == "" {
			amount = t.Auth
		}
		t.Settle, t.Status = amount, "capturedPendingSettlement" // the rest is released
		f.moves++
		return ok(t)
	case "voidTransaction":
		t, found := f.txs[tr.RefTransID]
		if !found {
			return refuse(refID, "3", txErr{"16", "The transaction cannot be found."}, "0")
		}
		if t.Status != "authorizedPendingCapture" && t.Status != "capturedPendingSettlement" && t.Status != "voided" {
			return refuse(refID, "3", txErr{"8", "This transaction cannot be voided: it has settled."}, t.ID)
		}
		t.Status = "voided"
		return ok(t)
	case "refundTransaction":
		t, found := f.txs[tr.RefTransID]
		if !found {
			return refuse(refID, "3", txErr{"16", "The transaction cannot be found."}, "0")
		}
		if tr.Payment.CreditCard == nil || !strings.HasSuffix(t.Card, tr.Payment.CreditCard.CardNumber) || len(tr.Payment.CreditCard.CardNumber) < 4 {
			return refuse(refID, "3", txErr{"6", "The credit card number is invalid."}, "0")
		}
		if t.Status != "settledSuccessfully" {
			return refuse(refID, "3", txErr{"54", "The referenced transaction does not meet the criteria for issuing a credit."}, "0")
		}
		var refunded int64
		for _, x := range f.txs {
			if x.Type == "refundTransaction" && x.RefTransID == t.ID {
				refunded += x.Settle
			}
		}
		if !amountOK || amount == 0 || refunded+amount > t.Settle {
			return refuse(refID, "3", txErr{"55", "The sum of credits against the referenced transaction would exceed original debit amount."}, "0")
		}
		f.seq++
		rt := &Tx{ID: fmt.Sprint(f.seq), Type: "refundTransaction", Status: "refundPendingSettlement", Settle: amount, Card: t.Card, RefTransID: t.ID, RefID: refID}
		f.txs[rt.ID] = rt
		f.moves++
		return ok(rt)
	}
	return refuse(refID, "3", txErr{"3", "Unsupported transactionType " + tr.TransactionType}, "0")
}

func (f *Fake) details(raw json.RawMessage) *kit.Response {
	var req struct {
		TransID string `json:"transId"`
	}
	_ = json.Unmarshal(raw, &req)
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.txs[req.TransID]
	if !ok {
		return answer("", false, msg{"E00040", "The record cannot be found."}, nil)
	}
	return answer("", true, msg{"I00001", "Successful."}, map[string]any{"transaction": map[string]any{
		"transId": t.ID, "transactionType": t.Type, "transactionStatus": t.Status, "authAmount": dollars(t.Auth), "settleAmount": dollars(t.Settle),
		"order":   map[string]string{"invoiceNumber": t.Invoice},
		"payment": map[string]any{"creditCard": map[string]string{"cardNumber": t.Card, "expirationDate": "XXXX", "cardType": "Visa"}}}})
}
