package http_api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

// What the supplier's order status values can mean (the keys of
// `statuses`). Each is written as itself by default, so an API that says
// "accepted" or "shipped" needs no table.
const (
	statusPending          = "pending"           // received, not decided: nothing to report yet
	statusAccepted         = "accepted"          // an acknowledgement
	statusRejected         = "rejected"          // the whole order refused
	statusPartiallyShipped = "partially_shipped" // some shipments left (needs line detail)
	statusShipped          = "shipped"           // everything left
	statusCancelled        = "cancelled"         // cancelled (at our request, or by the supplier)
)

var statusNames = []string{statusPending, statusAccepted, statusRejected, statusPartiallyShipped, statusShipped, statusCancelled}

// lineStatusNames are the keys of `line_statuses`.
var lineStatusNames = []string{string(model.AckAccepted), string(model.AckRejected), string(model.AckBackordered), linePending}

// Line reference kinds (LineMapping.Match).
const (
	matchLineNo      = "line_no"
	matchSKU         = "sku"
	matchSupplierSKU = "supplier_sku"
)

// compiled is a validated config ready to run.
type compiled struct {
	create     *endpoint
	createResp respMap
	conflictID *Path
	lookup     *endpoint
	lookupResp respMap
	status     *endpoint
	every      time.Duration
	statusMap  statusMap
	cancel     *endpoint
	cancelResp respMap
	refused    map[int]bool
	// return_request: the endpoint, where its answer has the RMA number,
	// and the statuses that refuse the return.
	returnReq     *endpoint
	rmaPath       *Path
	returnRefused map[int]bool

	idemHeader   string // "" sends no key
	statuses     map[string]string
	lineStatuses map[string]model.AckLineStatus
	carriers     map[string]string
	errMsg       *Path
	timeout      time.Duration
}

// respMap, lineMap, statusMap, shipMap, pkgMap and shipLineMap are the
// compiled mappings; a nil *Path is a value the mapping does not read.
type respMap struct {
	orderID, status, reason *Path
	lines                   *lineMap
}

type lineMap struct {
	path, ref, status, quantity, reason *Path
	match                               string
}

type statusMap struct {
	respMap
	shipments *shipMap
}

type shipMap struct {
	path, id, shippedAt, carrier, service, tracking *Path
	packages                                        *pkgMap
	lines                                           *shipLineMap
}

type pkgMap struct {
	path, tracking, carrier, trackingURL *Path
	lines                                *shipLineMap
}

type shipLineMap struct {
	path, ref, quantity *Path
	match               string
}

// Check validates the config without I/O: every template parses and
// renders a sample PO to JSON, every JSON path compiles, status tables
// are consistent, and a retried create cannot order twice.
func (c *Config) Check() []connector.Problem {
	_, ps := compile(c)
	return ps
}

// checker collects problems while compiling.
type checker struct{ ps []connector.Problem }

func (k *checker) add(path, format string, args ...any) {
	k.ps = append(k.ps, connector.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// value compiles a path selecting one value; "" is nil (not mapped).
func (k *checker) value(at, s string) *Path {
	if s == "" {
		return nil
	}
	p, err := ParsePath(s)
	if err != nil {
		k.add(at, "%v", err)
		return nil
	}
	if p.Multi() {
		k.add(at, "%s selects one value and cannot hold [*]", s)
		return nil
	}
	return &p
}

// required compiles a path selecting one value that must be mapped.
func (k *checker) required(at, s string) *Path {
	if s == "" {
		k.add(at, "missing required key")
		return nil
	}
	return k.value(at, s)
}

// list compiles a path selecting list elements: it must hold [*].
func (k *checker) list(at, s string) *Path {
	if s == "" {
		k.add(at, "missing required key")
		return nil
	}
	p, err := ParsePath(s)
	if err != nil {
		k.add(at, "%v", err)
		return nil
	}
	if !p.Multi() {
		k.add(at, "%s must select the elements of a list, as in $.order.lines[*]", s)
		return nil
	}
	return &p
}

// oneOrMore compiles a path that may select one value or several.
func (k *checker) oneOrMore(at, s string) *Path {
	if s == "" {
		return nil
	}
	p, err := ParsePath(s)
	if err != nil {
		k.add(at, "%v", err)
		return nil
	}
	return &p
}

func (k *checker) match(at, s string) string {
	switch s {
	case "":
		return matchLineNo
	case matchLineNo, matchSKU, matchSupplierSKU:
		return s
	}
	k.add(at, "must be line_no, sku or supplier_sku, got %q", s)
	return matchLineNo
}

func (k *checker) response(at string, r Response) respMap {
	m := respMap{orderID: k.value(at+".order_id", r.OrderID), status: k.value(at+".status", r.Status), reason: k.value(at+".reason", r.Reason)}
	if l := r.Lines; l != nil {
		at := at + ".lines"
		m.lines = &lineMap{path: k.list(at+".path", l.Path), ref: k.required(at+".ref", l.Ref), status: k.value(at+".status", l.Status),
			quantity: k.value(at+".quantity", l.Quantity), reason: k.value(at+".reason", l.Reason), match: k.match(at+".match", l.Match)}
	}
	return m
}

func (k *checker) shipLines(at string, l *ShipLineMapping) *shipLineMap {
	if l == nil {
		return nil
	}
	return &shipLineMap{path: k.list(at+".path", l.Path), ref: k.required(at+".ref", l.Ref), quantity: k.required(at+".quantity", l.Quantity), match: k.match(at+".match", l.Match)}
}

func (k *checker) shipments(at string, s *ShipmentMapping) *shipMap {
	if s == nil {
		return nil
	}
	m := &shipMap{path: &Path{}, id: k.value(at+".id", s.ID), shippedAt: k.value(at+".shipped_at", s.ShippedAt),
		carrier: k.value(at+".carrier", s.Carrier), service: k.value(at+".service", s.Service),
		tracking: k.oneOrMore(at+".tracking", s.Tracking), lines: k.shipLines(at+".lines", s.Lines)}
	if s.Path != "" {
		m.path = k.list(at+".path", s.Path)
	}
	if p := s.Packages; p != nil {
		if s.Tracking != "" {
			k.add(at+".tracking", "set either tracking or packages, not both")
		}
		m.packages = &pkgMap{path: k.list(at+".packages.path", p.Path), tracking: k.value(at+".packages.tracking", p.Tracking),
			carrier: k.value(at+".packages.carrier", p.Carrier), trackingURL: k.value(at+".packages.tracking_url", p.TrackingURL),
			lines: k.shipLines(at+".packages.lines", p.Lines)}
	}
	return m
}

// table builds a value → meaning table: every meaning is written as
// itself unless the YAML lists its values; a value listed under two
// meanings is an error.
func (k *checker) table(at string, given map[string][]string, names []string) map[string]string {
	out := map[string]string{}
	explicit := map[string]string{}
	for _, name := range sortedKeys(given) {
		if !contains(names, name) {
			k.add(at+"."+name, "unknown status meaning (known: %s)", strings.Join(names, ", "))
			continue
		}
		for _, v := range given[name] {
			key := strings.ToLower(strings.TrimSpace(v))
			if key == "" {
				k.add(at+"."+name, "empty status value")
				continue
			}
			if prev, dup := explicit[key]; dup && prev != name {
				k.add(at+"."+name, "%q is also listed under %s", v, prev)
				continue
			}
			explicit[key] = name
		}
	}
	for _, name := range names {
		if _, listed := given[name]; !listed {
			if _, taken := explicit[name]; !taken {
				out[name] = name
			}
		}
	}
	for v, name := range explicit {
		out[v] = name
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// compile validates cfg and builds what the connector runs; New refuses
// a config with problems, so what `dropgate validate` accepts is exactly
// what runs.
func compile(cfg *Config) (*compiled, []connector.Problem) {
	k := &checker{}
	c := &compiled{timeout: cfg.Timeout, every: defaultEvery, carriers: map[string]string{}, refused: map[int]bool{}}
	if cfg.Timeout < 0 {
		k.add("timeout", "must not be negative")
	}
	k.ps = append(k.ps, checkHeaders("", cfg.Headers, cfg.SecretHeaders)...)
	var ps []connector.Problem
	c.create, ps = compileEndpoint("create_order", cfg.CreateOrder.Endpoint, http.MethodPost, cfg, sampleOrder)
	k.ps = append(k.ps, ps...)
	c.createResp = k.response("create_order.response", cfg.CreateOrder.Response)
	c.conflictID = k.value("create_order.conflict_order_id", cfg.CreateOrder.ConflictOrderID)

	switch h := strings.TrimSpace(cfg.Idempotency.Header); {
	case h == "":
		c.idemHeader = defaultIdempotencyHeader
	case strings.EqualFold(h, noHeader):
	case !validHeaderName(h):
		k.add("idempotency.header", "%q is not a valid header name", h)
	default:
		c.idemHeader = h
	}
	if l := cfg.Idempotency.Lookup; l != nil {
		c.lookup, ps = compileEndpoint("idempotency.lookup", l.Endpoint, http.MethodGet, cfg, sampleOrder)
		k.ps = append(k.ps, ps...)
		c.lookupResp = k.response("idempotency.lookup.response", l.Response)
		if l.Response.OrderID == "" {
			k.add("idempotency.lookup.response.order_id", "required: a lookup finds an order by its id")
		}
	}
	if c.idemHeader == "" && c.lookup == nil && c.conflictID == nil {
		k.add("idempotency", "a retried create could order twice: keep idempotency.header, or set idempotency.lookup or create_order.conflict_order_id")
	}
	if s := cfg.Status; s != nil {
		c.status, ps = compileEndpoint("status", s.Endpoint, http.MethodGet, cfg, samplePO)
		k.ps = append(k.ps, ps...)
		switch {
		case s.Every < 0:
			k.add("status.every", "must not be negative")
		case s.Every > 0 && s.Every < 30*time.Second:
			k.add("status.every", "polling more often than every 30s spends the rate limit on nothing")
		case s.Every > 0:
			c.every = s.Every
		}
		if s.Mapping.Status == "" {
			k.add("status.mapping.status", "missing required key")
		}
		c.statusMap = statusMap{respMap: k.response("status.mapping", Response{Status: s.Mapping.Status, Reason: s.Mapping.Reason, Lines: s.Mapping.Lines}),
			shipments: k.shipments("status.mapping.shipments", s.Mapping.Shipments)}
	}
	if cn := cfg.CancelOrder; cn != nil {
		c.cancel, ps = compileEndpoint("cancel_order", cn.Endpoint, http.MethodPost, cfg, sampleOrder)
		k.ps = append(k.ps, ps...)
		c.cancelResp = k.response("cancel_order.response", cn.Response)
		if cn.Response.Lines != nil {
			k.add("cancel_order.response.lines", "a cancellation is answered for the whole order; lines are not read")
		}
		for i, code := range cn.Refused {
			if code < 400 || code > 499 {
				k.add(fmt.Sprintf("cancel_order.refused[%d]", i), "%d is not a 4xx status", code)
			}
			c.refused[code] = true
		}
	}
	if rr := cfg.ReturnRequest; rr != nil {
		c.returnReq, ps = compileEndpoint("return_request", rr.Endpoint, http.MethodPost, cfg, sampleReturn)
		k.ps = append(k.ps, ps...)
		c.rmaPath = k.value("return_request.rma", rr.RMA)
		c.returnRefused = map[int]bool{}
		for i, code := range rr.Refused {
			if code < 400 || code > 499 {
				k.add(fmt.Sprintf("return_request.refused[%d]", i), "%d is not a 4xx status", code)
			}
			c.returnRefused[code] = true
		}
	}
	c.statuses = k.table("statuses", cfg.Statuses, statusNames)
	c.lineStatuses = map[string]model.AckLineStatus{}
	for v, name := range k.table("line_statuses", cfg.LineStatuses, lineStatusNames) {
		c.lineStatuses[v] = model.AckLineStatus(name)
	}
	for name, code := range cfg.Carriers {
		if code == "" || strings.ToLower(code) != code || strings.ContainsAny(code, " \t") {
			k.add("carriers."+name, "carrier code %q must be one lower-case word, such as ups or fedex", code)
		}
		c.carriers[strings.ToLower(strings.TrimSpace(name))] = code
	}
	c.errMsg = k.value("error_message", cfg.ErrorMessage)
	return c, k.ps
}

// validHeaderName reports whether s is an HTTP header field name (RFC
// 9110 token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}
