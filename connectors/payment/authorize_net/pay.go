package authorizenet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
)

// moveKind is the state record of one money movement, by refId: "sent"
// before the call, the result after it.
const moveKind = "authorize_net.move"

type txRequest struct {
	TransactionType string        `json:"transactionType"`
	Amount          string        `json:"amount,omitempty"`
	Payment         *paymentBlock `json:"payment,omitempty"`
	RefTransID      string        `json:"refTransId,omitempty"`
	Order           *orderBlock   `json:"order,omitempty"`
}

type paymentBlock struct {
	OpaqueData *struct {
		DataDescriptor string `json:"dataDescriptor"`
		DataValue      string `json:"dataValue"`
	} `json:"opaqueData,omitempty"`
	CreditCard *struct {
		CardNumber     string `json:"cardNumber"`
		ExpirationDate string `json:"expirationDate"`
	} `json:"creditCard,omitempty"`
}

type orderBlock struct {
	InvoiceNumber string `json:"invoiceNumber,omitempty"`
	Description   string `json:"description,omitempty"`
}

type createTx struct {
	CreateTransactionRequest struct {
		MerchantAuthentication auth      `json:"merchantAuthentication"`
		RefID                  string    `json:"refId,omitempty"`
		TransactionRequest     txRequest `json:"transactionRequest"`
	} `json:"createTransactionRequest"`
}

type txAnswer struct {
	RefID               string     `json:"refId"`
	TransactionResponse txResponse `json:"transactionResponse"`
}

// details is getTransactionDetailsResponse's transaction.
type details struct {
	TransID           string      `json:"transId"`
	TransactionStatus string      `json:"transactionStatus"`
	AuthAmount        json.Number `json:"authAmount"`
	SettleAmount      json.Number `json:"settleAmount"`
	Payment           struct {
		CreditCard struct {
			CardNumber string `json:"cardNumber"`
		} `json:"creditCard"`
	} `json:"payment"`
}

func (c *Connector) amount(m money.Money) (string, error) {
	if m.Currency != c.cfg.Currency {
		return "", fault.Permanentf("authorize_net: %s in an account kept in %s", m, c.cfg.Currency)
	}
	return m.Decimal().String(), nil
}

func (c *Connector) money(n json.Number) (money.Money, error) {
	if n == "" {
		return money.Money{Currency: c.cfg.Currency}, nil
	}
	d, err := decimal.Parse(n.String())
	if err != nil {
		return money.Money{}, fmt.Errorf("authorize_net: amount %q: %w", n, err)
	}
	return money.FromDecimalIn(d, c.cfg.Currency)
}

// transact runs one createTransactionRequest as a recorded movement: a
// result already in the state is answered without a call; a movement
// marked sent (a crash or a lost answer after the call) is first looked
// up, so it is not made twice.
func (c *Connector) transact(ctx context.Context, op, refID string, tr txRequest, settled func(d details) bool) (txResponse, error) {
	var version int64 // of the state record; 0: none yet
	rec, err := c.env.State.GetRecord(ctx, moveKind, refID)
	switch {
	case err == nil:
		version = rec.Version
		if string(rec.Data) != "sent" {
			var done txResponse
			if json.Unmarshal(rec.Data, &done) == nil && done.TransID != "" {
				return done, nil
			}
		} else if tr.RefTransID != "" && settled != nil {
			if d, derr := c.details(ctx, tr.RefTransID); derr == nil && settled(d) {
				done := txResponse{ResponseCode: "1", TransID: d.TransID, RefTransID: tr.RefTransID}
				c.keep(ctx, refID, done, version)
				return done, nil
			}
		}
	case !errors.Is(err, store.ErrNotFound):
		return txResponse{}, fault.Retryable(fmt.Errorf("authorize_net: %s: read state: %w", op, err))
	}
	version, err = c.env.State.PutRecord(ctx, store.Record{Kind: moveKind, ID: refID, Data: []byte("sent"), Version: version})
	if err != nil {
		return txResponse{}, fault.Retryable(fmt.Errorf("authorize_net: %s: record: %w", op, err))
	}
	var req createTx
	req.CreateTransactionRequest.MerchantAuthentication = c.merchant()
	req.CreateTransactionRequest.RefID = refID
	req.CreateTransactionRequest.TransactionRequest = tr
	var out txAnswer
	if err := c.post(ctx, op, req, &out); err != nil {
		return txResponse{}, err
	}
	c.keep(ctx, refID, out.TransactionResponse, version)
	return out.TransactionResponse, nil
}

func (c *Connector) keep(ctx context.Context, refID string, tr txResponse, version int64) {
	b, _ := json.Marshal(tr)
	if _, err := c.env.State.PutRecord(ctx, store.Record{Kind: moveKind, ID: refID, Data: b, Version: version}); err != nil {
		// The movement is made; a retry finds it marked sent and looks
		// it up instead of repeating it.
		c.env.Log().Warn("authorize_net: movement not recorded", "ref", refID, "err", err)
	}
}

func (c *Connector) merchant() auth {
	return auth{Name: c.cfg.APILoginID, TransactionKey: c.cfg.TransactionKey.Reveal()}
}

func (c *Connector) details(ctx context.Context, transID string) (details, error) {
	var req struct {
		R struct {
			MerchantAuthentication auth   `json:"merchantAuthentication"`
			TransID                string `json:"transId"`
		} `json:"getTransactionDetailsRequest"`
	}
	req.R.MerchantAuthentication = c.merchant()
	req.R.TransID = transID
	var out struct {
		Transaction details `json:"transaction"`
	}
	if err := c.post(ctx, "read transaction "+transID, req, &out); err != nil {
		return details{}, err
	}
	return out.Transaction, nil
}

// Authorize authorises amount on the card Accept.js tokenised
// (paymentMethod is the opaque dataValue), without capturing.
func (c *Connector) Authorize(ctx context.Context, o *model.Order, amount money.Money, paymentMethod string) (connector.PaymentResult, error) {
	if paymentMethod == "" {
		return connector.PaymentResult{}, fault.Permanentf("authorize_net: order %s: authorize: no Accept.js payment nonce", o.ID)
	}
	amt, err := c.amount(amount)
	if err != nil {
		return connector.PaymentResult{}, err
	}
	ref := RefID(o.ID, "authorize", "")
	pay := &paymentBlock{OpaqueData: &struct {
		DataDescriptor string `json:"dataDescriptor"`
		DataValue      string `json:"dataValue"`
	}{"COMMON.ACCEPT.INAPP.PAYMENT", paymentMethod}}
	inv := o.ID
	if len(inv) > 20 { // invoiceNumber's limit
		inv = ""
	}
	tr, err := c.transact(ctx, "order "+o.ID+": authorize", ref, txRequest{TransactionType: "authOnlyTransaction", Amount: amt, Payment: pay,
		Order: &orderBlock{InvoiceNumber: inv, Description: "dropgate order " + o.ID}}, nil)
	if err != nil {
		return connector.PaymentResult{}, err
	}
	return connector.PaymentResult{ProviderID: tr.TransID, MovementID: tr.TransID, Status: model.PayAuthorized, Amount: amount, IdempotencyKey: ref, At: c.env.Clock.Now()}, nil
}

// Lookup reads a transaction's status.
func (c *Connector) Lookup(ctx context.Context, ref connector.PaymentRef) (connector.PaymentResult, error) {
	d, err := c.details(ctx, ref.ProviderID)
	if err != nil {
		return connector.PaymentResult{}, fmt.Errorf("authorize_net: order %s: %w", ref.OrderID, err)
	}
	amt := d.AuthAmount
	if d.SettleAmount != "" && d.SettleAmount != "0" && d.SettleAmount != "0.00" {
		amt = d.SettleAmount
	}
	m, err := c.money(amt)
	if err != nil {
		return connector.PaymentResult{}, fault.Permanent(err)
	}
	return connector.PaymentResult{ProviderID: ref.ProviderID, Status: txStatus(d.TransactionStatus), Amount: m, At: c.env.Clock.Now()}, nil
}

// Capture captures amount of the authorisation (priorAuthCaptureTransaction;
// less than authorised releases the rest: one capture per authorisation).
func (c *Connector) Capture(ctx context.Context, ref connector.PaymentRef, amount money.Money, shipmentID string, _ bool) (connector.PaymentResult, error) {
	amt, err := c.amount(amount)
	if err != nil {
		return connector.PaymentResult{}, err
	}
	key := RefID(ref.OrderID, "capture", shipmentID)
	tr, err := c.transact(ctx, "order "+ref.OrderID+": capture for shipment "+shipmentID, key,
		txRequest{TransactionType: "priorAuthCaptureTransaction", Amount: amt, RefTransID: ref.ProviderID},
		func(d details) bool { return txStatus(d.TransactionStatus) == model.PayCaptured })
	if err != nil {
		return connector.PaymentResult{}, err
	}
	return connector.PaymentResult{ProviderID: ref.ProviderID, MovementID: tr.TransID, Status: model.PayCaptured, Amount: amount, IdempotencyKey: key, At: c.env.Clock.Now()}, nil
}

// Void releases an authorisation (or a capture not yet settled).
func (c *Connector) Void(ctx context.Context, ref connector.PaymentRef, _ string) (connector.PaymentResult, error) {
	key := RefID(ref.OrderID, "void", "")
	_, err := c.transact(ctx, "order "+ref.OrderID+": void", key, txRequest{TransactionType: "voidTransaction", RefTransID: ref.ProviderID},
		func(d details) bool { return d.TransactionStatus == "voided" })
	if err != nil {
		return connector.PaymentResult{}, err
	}
	return connector.PaymentResult{ProviderID: ref.ProviderID, Status: model.PayVoided, IdempotencyKey: key, At: c.env.Clock.Now()}, nil
}

// Refund refunds amount (zero: all) of a settled capture; Authorize.net
// needs the card's last four digits, read from the transaction. Before
// settlement nothing has moved yet: a full refund voids instead, a
// partial one waits for settlement.
func (c *Connector) Refund(ctx context.Context, ref connector.PaymentRef, amount money.Money, reason string) (connector.PaymentResult, error) {
	d, err := c.details(ctx, ref.ProviderID)
	if err != nil {
		return connector.PaymentResult{}, fmt.Errorf("authorize_net: order %s: refund: %w", ref.OrderID, err)
	}
	settled, err := c.money(d.SettleAmount)
	if err != nil {
		return connector.PaymentResult{}, fault.Permanent(err)
	}
	if amount.Amount == 0 {
		amount = settled
	}
	if d.TransactionStatus == "capturedPendingSettlement" {
		if amount.Amount < settled.Amount {
			return connector.PaymentResult{}, fault.Retryable(fmt.Errorf("authorize_net: order %s: refund %s: the capture is not settled yet", ref.OrderID, amount))
		}
		r, err := c.Void(ctx, ref, reason)
		r.Status, r.Amount = model.PayRefunded, amount
		return r, err
	}
	amt, err := c.amount(amount)
	if err != nil {
		return connector.PaymentResult{}, err
	}
	key := RefID(ref.OrderID, "refund", ref.Movement+fmt.Sprintf("%d%s", amount.Amount, amount.Currency))
	card := strings.TrimLeft(d.Payment.CreditCard.CardNumber, "X")
	pay := &paymentBlock{CreditCard: &struct {
		CardNumber     string `json:"cardNumber"`
		ExpirationDate string `json:"expirationDate"`
	}{card, "XXXX"}}
	tr, err := c.transact(ctx, "order "+ref.OrderID+": refund", key, txRequest{TransactionType: "refundTransaction", Amount: amt, Payment: pay, RefTransID: ref.ProviderID}, nil)
	if err != nil {
		return connector.PaymentResult{}, err
	}
	st := model.PayRefunded
	if amount.Amount < settled.Amount {
		st = model.PayPartiallyRefunded
	}
	return connector.PaymentResult{ProviderID: ref.ProviderID, MovementID: tr.TransID, Status: st, Amount: amount, IdempotencyKey: key, At: c.env.Clock.Now()}, nil
}

// txStatus maps a transactionStatus to ours.
func txStatus(s string) model.PaymentStatus {
	switch s {
	case "authorizedPendingCapture", "FDSAuthorizedPendingReview":
		return model.PayAuthorized
	case "capturedPendingSettlement", "settledSuccessfully":
		return model.PayCaptured
	case "voided":
		return model.PayVoided
	case "refundSettledSuccessfully", "refundPendingSettlement":
		return model.PayRefunded
	case "declined", "expired", "failedReview", "settlementError", "generalError", "couldNotVoid":
		return model.PayFailed
	}
	return ""
}
