package authorizenet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/ids"
)

// auth is merchantAuthentication: first in every request (the JSON API
// is the XML schema's, and keeps its element order).
type auth struct {
	Name           string `json:"name"`
	TransactionKey string `json:"transactionKey"`
}

// message is one entry of messages.message.
type message struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// messages is the outcome every answer carries.
type messages struct {
	ResultCode string    `json:"resultCode"` // Ok | Error
	Message    []message `json:"message"`
}

// txResponse is transactionResponse.
type txResponse struct {
	ResponseCode  string `json:"responseCode"` // 1 approved, 2 declined, 3 error, 4 held
	AuthCode      string `json:"authCode"`
	TransID       string `json:"transId"`
	RefTransID    string `json:"refTransID"`
	AccountNumber string `json:"accountNumber"`
	Errors        []struct {
		ErrorCode string `json:"errorCode"`
		ErrorText string `json:"errorText"`
	} `json:"errors"`
	Messages []struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	} `json:"messages"`
}

// RefID is the refId of one movement (Authorize.net takes at most 20
// characters): the same order, operation and part always give the same.
func RefID(orderID, op, part string) string {
	return ids.Derive(20, "authorize_net", orderID, op, part)
}

// post sends one API request; body is the request object wrapped in its
// root element. The answer's messages.resultCode decides: Ok is success;
// Error is classified by its codes.
func (c *Connector) post(ctx context.Context, op string, body any, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fault.Permanent(fmt.Errorf("authorize_net: %s: encode: %w", op, err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(b))
	if err != nil {
		return fault.Permanent(fmt.Errorf("authorize_net: %s: %w", op, err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		var te *fault.ThrottledError
		if errors.As(err, &te) {
			return err
		}
		var ne net.Error
		_ = errors.As(err, &ne)
		return fault.Retryable(fmt.Errorf("authorize_net: %s: %w", op, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fault.Retryable(fmt.Errorf("authorize_net: %s: read answer: %w", op, err))
	}
	if resp.StatusCode == 429 || resp.StatusCode >= 500 {
		return fault.Retryable(fmt.Errorf("authorize_net: %s: status %d", op, resp.StatusCode))
	}
	if resp.StatusCode != http.StatusOK {
		return fault.Permanent(fmt.Errorf("authorize_net: %s: status %d", op, resp.StatusCode))
	}
	// The JSON API answers with a UTF-8 byte order mark first.
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	var head struct {
		Messages            messages    `json:"messages"`
		TransactionResponse *txResponse `json:"transactionResponse"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return fault.Retryable(fmt.Errorf("authorize_net: %s: decode answer: %w", op, err))
	}
	if head.Messages.ResultCode != "Ok" {
		return classify(op, head.Messages, head.TransactionResponse)
	}
	if tr := head.TransactionResponse; tr != nil && tr.ResponseCode != "1" {
		return classify(op, head.Messages, tr)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fault.Permanent(fmt.Errorf("authorize_net: %s: decode answer: %w", op, err))
		}
	}
	return nil
}

// classify: a declined or refused transaction is permanent; the gateway
// being busy or unavailable (E00001 an error occurred, E00053 server too
// busy, responseCode 3 with 19-23 / 25-26: try again later) is retryable.
func classify(op string, m messages, tr *txResponse) error {
	var parts []string
	retry := false
	for _, x := range m.Message {
		parts = append(parts, x.Code+" "+x.Text)
		if x.Code == "E00001" || x.Code == "E00053" {
			retry = true
		}
	}
	if tr != nil {
		for _, e := range tr.Errors {
			parts = append(parts, "["+e.ErrorCode+"] "+e.ErrorText)
			switch e.ErrorCode {
			case "19", "20", "21", "22", "23", "25", "26", "57", "58", "59", "60", "61", "62", "63":
				retry = true
			}
		}
		if tr.ResponseCode == "4" {
			parts = append(parts, "held for review")
		}
	}
	err := fmt.Errorf("authorize_net: %s: %s", op, strings.Join(parts, "; "))
	if retry {
		return fault.Retryable(err)
	}
	return fault.Permanent(err)
}
