// Package authnetfake is a local Authorize.net JSON API for tests: one
// endpoint (POST /xml/v1/request.api) answering createTransactionRequest
// (authOnlyTransaction, priorAuthCaptureTransaction with a partial amount,
// voidTransaction, refundTransaction) and getTransactionDetailsRequest,
// with the merchantAuthentication enforced and the documented answer
// shape: messages.resultCode Ok|Error with codes, transactionResponse with
// responseCode 1-4 and errors[], and the byte order mark the JSON API puts
// first. Sources: README.md.
package authnetfake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Path is the API endpoint's path.
const Path = "/xml/v1/request.api"

// Decline is the Accept.js nonce the fake declines (as the sandbox's
// test amounts do).
const Decline = "DECLINE"

// Tx is one transaction.
type Tx struct {
	ID, Type, Status string
	Auth, Settle     int64 // cents
	Card             string
	RefTransID       string
	RefID            string
	Invoice          string
}

// Fake is the API. Its state is in memory.
type Fake struct {
	*kit.Server
	login, key string

	mu    sync.Mutex
	seq   int64
	txs   map[string]*Tx
	moves int
}

// New returns a fake for one merchant's credentials; Start it.
func New(login, key string, clk clock.Clock) *Fake {
	f := &Fake{login: login, key: key, txs: map[string]*Tx{}, seq: 60000000000}
	f.Server = kit.New(kit.Options{Name: "authnetfake", Clock: clk})
	f.Handle("POST "+Path, f.serve)
	return f
}

// Tx returns a copy of a transaction.
func (f *Fake) Tx(id string) (Tx, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.txs[id]
	if !ok {
		return Tx{}, false
	}
	return *t, true
}

// Moves is how many captures and refunds moved money.
func (f *Fake) Moves() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.moves
}

// Settle settles every captured transaction (the nightly batch).
func (f *Fake) Settle() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.txs {
		if t.Status == "capturedPendingSettlement" {
			t.Status = "settledSuccessfully"
		}
		if t.Status == "refundPendingSettlement" {
			t.Status = "refundSettledSuccessfully"
		}
	}
}

type msg struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// answer renders the API's envelope, BOM first.
func answer(refID string, ok bool, m msg, extra map[string]any) *kit.Response {
	body := map[string]any{}
	for k, v := range extra {
		body[k] = v
	}
	if refID != "" {
		body["refId"] = refID
	}
	rc := "Ok"
	if !ok {
		rc = "Error"
	}
	body["messages"] = map[string]any{"resultCode": rc, "message": []msg{m}}
	b, _ := json.Marshal(body)
	return &kit.Response{Status: http.StatusOK, Raw: append([]byte("\xef\xbb\xbf"), b...), Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}}
}

func (f *Fake) serve(r *http.Request) *kit.Response {
	var req map[string]json.RawMessage
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(r.Body)
	if err := json.Unmarshal(buf.Bytes(), &req); err != nil || len(req) != 1 {
		return answer("", false, msg{"E00003", "An error occurred while parsing the JSON request."}, nil)
	}
	for root, raw := range req {
		var head struct {
			MerchantAuthentication struct {
				Name           string `json:"name"`
				TransactionKey string `json:"transactionKey"`
			} `json:"merchantAuthentication"`
			RefID string `json:"refId"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return answer("", false, msg{"E00003", "An error occurred while parsing the JSON request."}, nil)
		}
		// merchantAuthentication must come first (the schema's order).
		if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`{"merchantAuthentication"`)) {
			return answer(head.RefID, false, msg{"E00003", "The element 'merchantAuthentication' is expected first."}, nil)
		}
		if len(head.RefID) > 20 {
			return answer("", false, msg{"E00003", "The 'refId' element is invalid: the actual length is greater than the MaxLength value."}, nil)
		}
		a := head.MerchantAuthentication
		if a.Name == "" || !kit.Equal(a.Name, f.login) || !kit.Equal(a.TransactionKey, f.key) {
			return answer(head.RefID, false, msg{"E00007", "User authentication failed due to invalid authentication values."}, nil)
		}
		switch root {
		case "createTransactionRequest":
			return f.transaction(head.RefID, raw)
		case "getTransactionDetailsRequest":
			return f.details(raw)
		}
		return answer(head.RefID, false, msg{"E00045", "The root node does not reference a valid XML namespace."}, nil)
	}
	return nil
}

func dollars(n int64) json.Number { return json.Number(kit.Decimal2(n)) }
