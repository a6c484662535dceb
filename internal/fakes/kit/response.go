package kit

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// Response is what a route answers. Body is marshalled as JSON unless Raw
// is set; Header is added as is.
type Response struct {
	Status int
	Header http.Header
	Body   any
	Raw    []byte
}

// JSON answers status with v as JSON.
func JSON(status int, v any) *Response { return &Response{Status: status, Body: v} }

// OK answers 200 with v as JSON.
func OK(v any) *Response { return JSON(http.StatusOK, v) }

// Created answers 201 with v as JSON.
func Created(v any) *Response { return JSON(http.StatusCreated, v) }

// WithHeader adds a header to the answer and returns it.
func (r *Response) WithHeader(key, value string) *Response {
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Add(key, value)
	return r
}

// Write renders resp on w (for a fake that routes itself, see
// Options.Handler); a body that cannot be marshalled is a 500 in the
// fake's error style, never a panic. A nil resp is a 204.
func (s *Server) Write(w http.ResponseWriter, resp *Response) {
	if resp == nil {
		resp = &Response{Status: http.StatusNoContent}
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	data := resp.Raw
	if data == nil && resp.Body != nil {
		var err error
		if data, err = json.Marshal(resp.Body); err != nil {
			data, _ = json.Marshal(s.o.Errors(http.StatusInternalServerError, "internal", "Internal Server Error"))
			resp = &Response{Status: http.StatusInternalServerError}
		}
	}
	if data != nil && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// ErrorStyle renders an error body the way a platform does. code is a
// short machine name the kit uses ("unauthorized", "not_found",
// "rate_limited", "too_large", "unavailable", or the fake's own); a style
// whose platform has no codes ignores it.
type ErrorStyle func(status int, code, message string) any

// JSONError is {"error": {"code": …, "message": …}}, the common shape of
// smaller APIs (and the default).
func JSONError(_ int, code, message string) any {
	return map[string]any{"error": map[string]string{"code": code, "message": message}}
}

// ShopifyErrors is Shopify's {"errors": "message"}.
// https://shopify.dev/docs/api/admin-rest/usage/response-codes
func ShopifyErrors(_ int, _, message string) any { return map[string]any{"errors": message} }

// WooCommerceErrors is the WordPress REST shape {"code": "woocommerce_rest_…",
// "message": …, "data": {"status": N}}.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#errors
func WooCommerceErrors(status int, code, message string) any {
	return map[string]any{"code": "woocommerce_rest_" + code, "message": message, "data": map[string]int{"status": status}}
}

// MagentoErrors is Magento 2's {"message": …} (with "parameters" when the
// message has placeholders, which the kit's never do).
func MagentoErrors(_ int, _, message string) any { return map[string]any{"message": message} }

// BigCommerceErrors is BigCommerce's v3 {"status": N, "title": …,
// "type": …}.
func BigCommerceErrors(status int, _, message string) any {
	return map[string]any{"status": status, "title": message,
		"type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"}
}

// AmazonErrors is the Selling Partner API's {"errors": [{"code", "message"}]},
// with its codes for the kit's refusals (QuotaExceeded for a 429).
// https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits
func AmazonErrors(_ int, code, message string) any {
	switch code {
	case "rate_limited":
		code = "QuotaExceeded"
	case "unauthorized":
		code = "Unauthorized"
	case "not_found":
		code = "NotFound"
	default:
		code = pascal(code)
	}
	return map[string]any{"errors": []map[string]string{{"code": code, "message": message}}}
}

// ProblemJSON is RFC 9457 problem details.
func ProblemJSON(status int, code, message string) any {
	return map[string]any{"type": "about:blank#" + code, "title": http.StatusText(status), "status": status, "detail": message}
}

// pascal turns "rate_limited" into "RateLimited".
func pascal(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
