// Package http_api is the supplier connector for suppliers with a JSON
// order API: purchase orders go out as requests built from YAML templates
// (Go text/template producing JSON), the supplier's answer is read back
// through JSON path mappings (its order id, a status, per-line verdicts),
// and a status endpoint polled on a schedule yields acknowledgements and
// ship notices with tracking. An optional template cancels an order.
//
// Every request goes through internal/httpclient (shared rate limit,
// 429/5xx retryable honouring Retry-After, other 4xx permanent); retries
// are the queue's. A retried send is made idempotent by an
// Idempotency-Key header derived from the PO number, by an optional
// lookup of the order by our reference before creating it again, and by
// reading the existing order's id out of a 409.
//
// Files by role: spec.go (the YAML), check.go (validation without I/O),
// jsonpath.go (the path language), template.go (template functions and
// the sample PO), endpoint.go (compiled requests, redaction), values.go
// (exact conversions of JSON values), mapping.go (answers to
// acknowledgements), connector.go (send, cancel, HTTP), poll.go (status
// rounds and ship notices).
package http_api

import (
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
)

// Type is the registry name.
const Type = "http_api"

// Config is the YAML of an HTTP API supplier.
type Config struct {
	// Headers are sent with every request. Values are templates (see
	// Endpoint.Headers) and appear in logs: credentials belong in
	// SecretHeaders.
	Headers map[string]string `yaml:"headers"`
	// SecretHeaders are sent with every request and never printed: an
	// API token, written as "Bearer ${ACME_API_TOKEN}". Their values, and
	// the credential after a scheme word ("Bearer", "Basic"), are
	// redacted from every error the connector returns.
	SecretHeaders map[string]connector.Secret `yaml:"secret_headers"`
	// SecretQuery are query parameters added to every URL and redacted
	// like secret headers, for APIs that take a key in the URL.
	SecretQuery map[string]connector.Secret `yaml:"secret_query"`
	// Timeout bounds one request attempt (default 30s).
	Timeout time.Duration `yaml:"timeout"`

	// Idempotency says how a retried create is recognised.
	Idempotency Idempotency `yaml:"idempotency"`

	// CreateOrder sends a purchase order.
	CreateOrder CreateOrder `yaml:"create_order" required:"true"`
	// Status, when set, is polled for each open PO.
	Status *Status `yaml:"status"`
	// CancelOrder, when set, asks the supplier to cancel an order.
	CancelOrder *CancelOrder `yaml:"cancel_order"`
	// ReturnRequest, when set, asks the supplier to take back a
	// customer return (an RMA request).
	ReturnRequest *ReturnRequest `yaml:"return_request"`

	// Statuses maps the supplier's order status values to what they
	// mean; see statusNames. Matching ignores case.
	Statuses map[string][]string `yaml:"statuses"`
	// LineStatuses maps the supplier's line status values to accepted,
	// rejected or backordered.
	LineStatuses map[string][]string `yaml:"line_statuses"`
	// Carriers maps the supplier's carrier names to canonical codes
	// ("UPS Ground": ups), on top of the built-in recognition of names.
	Carriers map[string]string `yaml:"carriers"`
	// ErrorMessage is the JSON path of the human message in the
	// supplier's error bodies ($.error.message); errors quote it instead
	// of the whole body.
	ErrorMessage string `yaml:"error_message"`
}

// Endpoint is one templated request. Method, URL, header values and body
// are Go text/template texts executed with the PO, its order and the
// supplier's order id; see template.go for the functions.
type Endpoint struct {
	Method string `yaml:"method"`
	URL    string `yaml:"url"` // required
	// Headers add to (and override) the connector-wide headers.
	Headers       map[string]string           `yaml:"headers"`
	SecretHeaders map[string]connector.Secret `yaml:"secret_headers"`
	// Body must render to JSON; empty sends no body.
	Body string `yaml:"body"`
}

// Idempotency configures retried creates.
type Idempotency struct {
	// Header carries the key (default Idempotency-Key; "none" sends
	// none). The key is the PO number for a create and the PO number
	// plus ":cancel" for a cancellation: the same on every retry.
	Header string `yaml:"header"`
	// Lookup, when set, is asked for the order by our reference before a
	// create is retried; finding it ends the retry as a success.
	Lookup *Lookup `yaml:"lookup"`
}

// Lookup finds an order the supplier may already have.
type Lookup struct {
	Endpoint `yaml:",inline"`
	// Response reads the found order; an absent order id (or a 404)
	// means not found.
	Response Response `yaml:"response"`
}

// CreateOrder is the create_order block.
type CreateOrder struct {
	Endpoint `yaml:",inline"`
	Response Response `yaml:"response"`
	// ConflictOrderID is the JSON path of the existing order's id in a
	// 409 answer ("already exists"); found, the create is a success.
	ConflictOrderID string `yaml:"conflict_order_id"`
}

// Response maps the supplier's answer about one order.
type Response struct {
	OrderID string       `yaml:"order_id"`
	Status  string       `yaml:"status"`
	Reason  string       `yaml:"reason"`
	Lines   *LineMapping `yaml:"lines"`
}

// LineMapping reads per-line verdicts from a list.
type LineMapping struct {
	// Path selects the list's elements: $.order.lines[*].
	Path string `yaml:"path"` // required
	// Ref is the element's reference to our line, read as Match says.
	Ref string `yaml:"ref"` // required
	// Match is what Ref holds: line_no (default; our PO line number),
	// sku (our SKU) or supplier_sku.
	Match    string `yaml:"match"`
	Status   string `yaml:"status"`
	Quantity string `yaml:"quantity"`
	Reason   string `yaml:"reason"`
}

// Status is the status block: each open PO is polled once a round, a
// round every Every.
type Status struct {
	Endpoint `yaml:",inline"`
	// Every is how often a round of polls starts (default 10m), however
	// often the engine calls PollStatus.
	Every   time.Duration `yaml:"every"`
	Mapping StatusMapping `yaml:"mapping"`
}

// StatusMapping reads a status answer.
type StatusMapping struct {
	Status string       `yaml:"status"` // required
	Reason string       `yaml:"reason"`
	Lines  *LineMapping `yaml:"lines"`
	// Shipments say what left; without them a shipped status with no
	// tracking mapping yields one untracked shipment.
	Shipments *ShipmentMapping `yaml:"shipments"`
}

// ShipmentMapping reads shipments: one ship notice per element of Path,
// or the whole answer as one shipment when Path is empty.
type ShipmentMapping struct {
	Path      string `yaml:"path"`
	ID        string `yaml:"id"`
	ShippedAt string `yaml:"shipped_at"`
	Carrier   string `yaml:"carrier"`
	Service   string `yaml:"service"`
	// Tracking selects tracking numbers, one package each
	// (tracking_numbers[*]), when there is no Packages list.
	Tracking string           `yaml:"tracking"`
	Packages *PackageMapping  `yaml:"packages"`
	Lines    *ShipLineMapping `yaml:"lines"`
}

// PackageMapping reads the packages of a shipment.
type PackageMapping struct {
	Path        string           `yaml:"path"` // required
	Tracking    string           `yaml:"tracking"`
	Carrier     string           `yaml:"carrier"`
	TrackingURL string           `yaml:"tracking_url"`
	Lines       *ShipLineMapping `yaml:"lines"`
}

// ShipLineMapping reads what a shipment or package contains.
type ShipLineMapping struct {
	Path     string `yaml:"path"`     // required
	Ref      string `yaml:"ref"`      // required
	Match    string `yaml:"match"`    // line_no (default), sku or supplier_sku
	Quantity string `yaml:"quantity"` // required
}

// CancelOrder is the cancel_order block.
type CancelOrder struct {
	Endpoint `yaml:",inline"`
	// Response reads the verdict: a status meaning cancelled accepts the
	// cancellation, shipped refuses it; anything else leaves it pending
	// until the status poll says.
	Response Response `yaml:"response"`
	// Refused are HTTP statuses meaning "cannot cancel" (409, 422): the
	// cancellation is answered rejected with the supplier's message.
	Refused []int `yaml:"refused"`
}

// ReturnRequest is the return_request block. Its templates see .Return
// (.ID, .Reason, .PONumber, .Lines: .SKU .SupplierSKU .POLineNo
// .Quantity) beside .PO and .Order; the idempotency key is the return's
// id.
type ReturnRequest struct {
	Endpoint `yaml:",inline"`
	// RMA is the JSON path of the supplier's authorisation number in a
	// 2xx answer: when it is there the return is authorised at once;
	// otherwise (or unset) it waits for an operator to record the answer.
	RMA string `yaml:"rma"`
	// Refused are HTTP statuses meaning "not returnable" (409, 422): the
	// return is rejected with the supplier's message.
	Refused []int `yaml:"refused"`
}

// Defaults.
const (
	defaultIdempotencyHeader = "Idempotency-Key"
	defaultEvery             = 10 * time.Minute
	defaultTimeout           = 30 * time.Second
	noHeader                 = "none"
)

func init() {
	connector.Register(connector.Spec[Config]{
		Type:     Type,
		Kind:     connector.KindSupplier,
		Summary:  "JSON HTTP API supplier: templated order requests, mapped answers, status polling, cancellation",
		Defaults: func() *Config { return &Config{} },
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) {
			return New(env, cfg)
		},
		RateLimit: store.Limit{Rate: 5, Burst: 10},
		Retry:     connector.RetryPolicy{MaxAttempts: 12, BaseDelay: 5 * time.Second, MaxDelay: 30 * time.Minute},
	})
}
