package http_api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// Connector is a configured HTTP API supplier: it sends purchase orders
// and polls their status.
type Connector struct {
	env  connector.Env
	c    *compiled
	http *resty.Client
	red  redactor
}

// Capabilities, checked at compile time. Which of them an instance offers
// depends on its config (Capabilities).
var (
	_ connector.POSender     = (*Connector)(nil)
	_ connector.StatusPoller = (*Connector)(nil)
	_ connector.POCanceller  = (*Connector)(nil)
	_ connector.Describer    = (*Connector)(nil)
	_ connector.Checker      = (*Config)(nil)
)

// maxResponseBytes bounds what is read of an answer: an order API's
// answer is a few kilobytes, and a runaway one must not fill memory.
const maxResponseBytes = 4 << 20

// attemptMemory is how long a create attempt is remembered so that a
// retry looks the order up first (idempotency.lookup): as long as the
// retry policy can keep retrying, and at least a day. A dead letter
// replayed later still has the idempotency key and the 409 to fall back
// on; remembering every PO for longer would only grow the store.
func (c *Connector) attemptMemory() time.Duration {
	r := c.env.Retry
	return max(24*time.Hour, time.Duration(r.MaxAttempts)*r.MaxDelay)
}

// New builds the connector; no I/O. A config Check refuses is refused.
func New(env connector.Env, cfg *Config) (*Connector, error) {
	return build(env, cfg, nil)
}

// build is New with the transport that reaches the network (nil: the
// pooled default), for tests.
func build(env connector.Env, cfg *Config, base http.RoundTripper) (*Connector, error) {
	return newConnector(env, cfg, base)
}

func newConnector(env connector.Env, cfg *Config, base http.RoundTripper) (*Connector, error) {
	comp, ps := compile(cfg)
	if len(ps) > 0 {
		msgs := make([]string, len(ps))
		for i, p := range ps {
			msgs[i] = p.Error()
		}
		return nil, fmt.Errorf("http_api %s: %s", env.Name, strings.Join(msgs, "; "))
	}
	if env.Clock == nil {
		env.Clock = clock.Real{}
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 16
		base = t
	}
	hc := httpclient.New(httpclient.Options{
		Name: env.Name, Limiter: env.Limiter, Key: limitKey(env.Name), Limit: env.RateLimit,
		Timeout: comp.timeout, Clock: env.Clock, Logger: env.Logger, Transport: base, Calls: env.Calls,
	})
	hc.SetResponseBodyLimit(maxResponseBytes)
	eps := []Endpoint{cfg.CreateOrder.Endpoint}
	if cfg.Idempotency.Lookup != nil {
		eps = append(eps, cfg.Idempotency.Lookup.Endpoint)
	}
	if cfg.Status != nil {
		eps = append(eps, cfg.Status.Endpoint)
	}
	if cfg.CancelOrder != nil {
		eps = append(eps, cfg.CancelOrder.Endpoint)
	}
	return &Connector{env: env, c: comp, http: hc, red: newRedactor(cfg, eps...)}, nil
}

// limitKey is the supplier's rate-limit key, shared by every replica.
func limitKey(name string) string { return "supplier:" + name }

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "http_api".
func (c *Connector) Type() string { return Type }

// Capabilities: orders always go out; cancellations only with a
// cancel_order request (without one the engine raises "cancel by hand"
// instead of failing a job); status polls, every status.every, only with
// a status request.
func (c *Connector) Capabilities() connector.Caps {
	caps := connector.Caps{Offers: []connector.Capability{connector.CapSendPO}}
	if c.c.cancel != nil {
		caps.Offers = append(caps.Offers, connector.CapCancelPO)
	}
	if c.c.returnReq != nil {
		caps.Offers = append(caps.Offers, connector.CapReturns)
	}
	if c.c.status != nil {
		caps.Offers = append(caps.Offers, connector.CapStatusPoll)
		caps.PollEvery = c.c.every
	}
	return caps
}

func (c *Connector) now() time.Time { return c.env.Clock.Now() }

// refSystem is where the supplier's order id is kept on the PO.
func (c *Connector) refSystem() string { return "supplier:" + c.env.Name }

func (c *Connector) data(po *model.PurchaseOrder, order *model.Order, supplierID, key string) *Data {
	return &Data{PO: po, Order: order, Supplier: c.env.Name, SupplierOrderID: supplierID, IdempotencyKey: key}
}

// sent is the outcome of a create that reached (or found) order id.
func (c *Connector) sent(id string) connector.Sent {
	return connector.Sent{Document: "order " + id, Refs: []model.Ref{{System: c.refSystem(), ID: id}}}
}

// SendPO creates the order. A retry is recognised by the supplier three
// ways, whichever the config enables: the same Idempotency-Key (the PO
// number), a lookup by our reference before creating again, and a 409
// whose body names the existing order. The supplier's synchronous
// verdict, when its answer has one, comes back as Sent.Ack.
func (c *Connector) SendPO(ctx context.Context, po *model.PurchaseOrder, order *model.Order) (connector.Sent, error) {
	op := fmt.Sprintf("http_api %s: create order %s", c.env.Name, po.Number)
	d := c.data(po, order, "", po.Number)
	if c.c.lookup != nil && c.retried(ctx, po) {
		// A retry looks the order up, then creates it: both tokens are
		// taken at once, or under a tight limit every retry spends its
		// token on the lookup and is throttled before the create, forever.
		var err error
		if ctx, err = httpclient.Reserve(ctx, c.env.Limiter, limitKey(c.env.Name), 2, c.env.RateLimit, c.now()); err != nil {
			return connector.Sent{}, fmt.Errorf("%s: %w", op, err)
		}
		if sent, found, err := c.lookupOrder(ctx, op, po, d); err != nil || found {
			return sent, err
		}
	}
	rep, err := c.call(ctx, op, c.c.create, d, po.Number)
	if err != nil {
		return connector.Sent{}, err
	}
	switch {
	case rep.status == http.StatusConflict:
		return c.conflict(ctx, op, po, d, rep)
	case rep.status < 200 || rep.status > 299:
		return connector.Sent{}, c.statusError(op, rep)
	}
	var doc any
	m := c.c.createResp
	if m.orderID != nil || m.status != nil || m.lines != nil {
		if doc, err = decodeJSON(rep.body); err != nil {
			return connector.Sent{}, c.permanentf("%s: HTTP %d answer: %v", op, rep.status, err)
		}
	}
	id := po.Number // without an id mapping, the supplier knows the order by ours
	if m.orderID != nil {
		var found bool
		if id, found, err = readID(doc, m.orderID); err != nil || !found {
			return connector.Sent{}, c.permanentf("%s: HTTP %d answer has no order id at %s%s", op, rep.status, m.orderID, errSuffix(err))
		}
	}
	sent := c.sent(id)
	sent.Ack = c.syncAck(op, doc, m, po, id)
	return sent, nil
}

// syncAck reads the verdict in an answer. The order exists at the
// supplier whatever happens here, so a verdict that cannot be read fails
// nothing: it is logged, and the status poll (or a person) settles it.
func (c *Connector) syncAck(op string, doc any, m respMap, po *model.PurchaseOrder, id string) *model.POAck {
	if doc == nil {
		return nil
	}
	ack, err := c.ack(doc, m, po, id)
	if err != nil {
		c.env.Logger.Error("http_api: cannot read the supplier's verdict; waiting for the status poll",
			"connector", c.env.Name, "po", po.Number, "err", c.red.string(fmt.Sprintf("%s: %v", op, err)))
		return nil
	}
	if ack != nil {
		ack.Date = c.now()
	}
	return ack
}

// readID reads an order id; an absent or empty one is not found.
func readID(doc any, p *Path) (string, bool, error) {
	m, ok := p.First(doc, "$")
	if !ok {
		return "", false, nil
	}
	id, err := text(m)
	id = strings.TrimSpace(id)
	return id, err == nil && id != "", err
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

// retried reports whether a create of po was attempted before, so the
// lookup is spent only on retries. Without a store, or when it fails,
// every attempt looks up: a wasted request is cheaper than a second order.
func (c *Connector) retried(ctx context.Context, po *model.PurchaseOrder) bool {
	if c.env.Claims == nil {
		return true
	}
	first, err := c.env.Claims.Claim(ctx, "create:"+po.Number, c.attemptMemory())
	if err != nil {
		c.env.Logger.Warn("http_api: cannot record the create attempt; looking the order up", "connector", c.env.Name, "po", po.Number, "err", err)
		return true
	}
	return !first
}

// lookupOrder asks the supplier for the order by our reference.
func (c *Connector) lookupOrder(ctx context.Context, op string, po *model.PurchaseOrder, d *Data) (connector.Sent, bool, error) {
	op += ": lookup"
	rep, err := c.call(ctx, op, c.c.lookup, d, "")
	switch {
	case err != nil:
		return connector.Sent{}, false, err
	case rep.status == http.StatusNotFound:
		return connector.Sent{}, false, nil
	case rep.status < 200 || rep.status > 299:
		return connector.Sent{}, false, c.statusError(op, rep)
	}
	doc, err := decodeJSON(rep.body)
	if err != nil {
		return connector.Sent{}, false, c.permanentf("%s: HTTP %d answer: %v", op, rep.status, err)
	}
	id, found, err := readID(doc, c.c.lookupResp.orderID)
	if err != nil {
		return connector.Sent{}, false, c.permanentf("%s: %v", op, err)
	}
	if !found {
		return connector.Sent{}, false, nil
	}
	c.env.Logger.Info("http_api: order already at the supplier", "connector", c.env.Name, "po", po.Number, "supplier_order", id)
	sent := c.sent(id)
	sent.Ack = c.syncAck(op, doc, c.c.lookupResp, po, id)
	return sent, true, nil
}

// conflict handles a 409 to a create: the supplier already has an order
// with our reference (a retry without an idempotency key, or one whose
// key it forgot). Finding that order's id makes the create a success.
func (c *Connector) conflict(ctx context.Context, op string, po *model.PurchaseOrder, d *Data, rep *reply) (connector.Sent, error) {
	why := "neither create_order.conflict_order_id nor idempotency.lookup is set to find it"
	if p := c.c.conflictID; p != nil {
		why = "the answer has no order id at " + p.String()
		if doc, err := decodeJSON(rep.body); err == nil {
			if id, found, _ := readID(doc, p); found {
				c.env.Logger.Info("http_api: order already at the supplier (409)", "connector", c.env.Name, "po", po.Number, "supplier_order", id)
				return c.sent(id), nil
			}
		}
	}
	if c.c.lookup != nil {
		sent, found, err := c.lookupOrder(ctx, op, po, d)
		if err != nil || found {
			return sent, err
		}
		why += ", and the lookup does not find it"
	}
	// Retrying cannot help: the same request meets the same conflict.
	return connector.Sent{}, c.permanentf("%s: HTTP 409 (%s): the supplier has the order but %s", op, c.errorText(rep.body), why)
}

// CancelPO asks the supplier to cancel the order. The answer settles the
// cancellation when it can: a status meaning cancelled accepts it, a
// shipped one refuses it, and a `refused` HTTP status refuses it with the
// supplier's message. Otherwise it stays requested until the status poll
// sees the order cancelled (or shipped).
func (c *Connector) CancelPO(ctx context.Context, po *model.PurchaseOrder, order *model.Order) (connector.Sent, error) {
	op := fmt.Sprintf("http_api %s: cancel order %s", c.env.Name, po.Number)
	id := po.RefValue(c.refSystem())
	if id == "" {
		return connector.Sent{}, c.permanentf("%s: the PO has no %s ref: it never reached the supplier", op, c.refSystem())
	}
	key := po.Number + ":cancel"
	rep, err := c.call(ctx, op, c.c.cancel, c.data(po, order, id, key), key)
	if err != nil {
		return connector.Sent{}, err
	}
	sent := connector.Sent{Document: "cancellation of order " + id}
	answer := func(verdict, reason string) connector.Sent {
		sent.Ack = &model.POAck{PONumber: po.Number, Supplier: po.Supplier, SupplierID: id, Date: c.now(), CancelResponse: verdict, Reason: reason}
		return sent
	}
	switch {
	case c.c.refused[rep.status]:
		return answer("rejected", c.errorText(rep.body)), nil
	case rep.status < 200 || rep.status > 299:
		return connector.Sent{}, c.statusError(op, rep)
	case c.c.cancelResp.status == nil:
		return answer("accepted", ""), nil // a 2xx is the confirmation
	}
	doc, err := decodeJSON(rep.body)
	var status, reason string
	if err == nil {
		status, reason, err = c.readStatus(doc, c.c.cancelResp)
	}
	if err != nil {
		c.env.Logger.Error("http_api: cannot read the cancellation verdict; waiting for the status poll",
			"connector", c.env.Name, "po", po.Number, "err", c.red.string(err.Error()))
		return sent, nil
	}
	switch status {
	case statusCancelled, statusRejected:
		return answer("accepted", reason), nil
	case statusShipped, statusPartiallyShipped:
		return answer("rejected", firstNonEmpty(reason, "already shipped")), nil
	}
	return sent, nil
}

// reply is an HTTP answer, read whole.
type reply struct {
	status int
	body   []byte
	raw    *http.Response
}

// call renders and sends one request. key, when set, goes in the
// idempotency header. Errors are classified and redacted; an HTTP status
// is not an error here, since what it means depends on the call.
func (c *Connector) call(ctx context.Context, op string, e *endpoint, d *Data, key string) (*reply, error) {
	r, err := e.render(d)
	if err != nil {
		// The template cannot render this PO: retrying changes nothing.
		return nil, c.permanentf("%s: %s: %v", op, e.name, err)
	}
	req := c.http.R().SetContext(ctx)
	for name, vs := range r.header {
		req.Header[name] = vs
	}
	if key != "" && c.c.idemHeader != "" {
		req.Header.Set(c.c.idemHeader, key)
	}
	if r.body != nil {
		req.SetBody(r.body)
	}
	resp, err := req.Execute(r.method, r.url)
	if err != nil {
		return nil, c.transportError(op, err)
	}
	return &reply{status: resp.StatusCode(), body: resp.Body(), raw: resp.RawResponse}, nil
}

// transportError classifies a request that got no answer: our limiter's
// verdict (throttled) is kept, an oversized answer is permanent, and
// anything else (a reset, a timeout, DNS) is retryable: the request may
// or may not have arrived, which is what idempotency is for.
func (c *Connector) transportError(op string, err error) error {
	wrapped := fmt.Errorf("%s: %w", op, err)
	var (
		th   *fault.ThrottledError
		re   *fault.RetryableError
		perm *fault.PermanentError
	)
	switch {
	case errors.As(err, &th), errors.As(err, &re), errors.As(err, &perm):
	case errors.Is(err, resty.ErrResponseBodyTooLarge):
		wrapped = fault.Permanent(fmt.Errorf("%s: answer larger than %d bytes", op, maxResponseBytes))
	default:
		wrapped = fault.Retryable(wrapped)
	}
	return c.red.err(wrapped)
}

// statusError classifies an unwanted HTTP status with httpclient's rules
// (429 and 5xx retryable not before Retry-After, other 4xx permanent),
// quoting the supplier's message when error_message finds it.
func (c *Connector) statusError(op string, rep *reply) error {
	if rep.status < 400 {
		// A redirect: httpclient never follows one (a POST would become
		// a GET elsewhere), so the configured URL needs fixing.
		where := ""
		if rep.raw != nil {
			where = rep.raw.Header.Get("Location")
		}
		return c.permanentf("%s: unexpected HTTP %d %s", op, rep.status, where)
	}
	return c.red.err(httpclient.StatusError(op, rep.raw, []byte(c.errorText(rep.body)), c.now()))
}

// errorText is the supplier's message in an error body (error_message),
// or the body itself.
func (c *Connector) errorText(body []byte) string {
	if c.c.errMsg != nil {
		if doc, err := decodeJSON(body); err == nil {
			if m, ok := c.c.errMsg.First(doc, "$"); ok {
				if s, err := text(m); err == nil && strings.TrimSpace(s) != "" {
					return strings.TrimSpace(s)
				}
			}
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 512 {
		s = s[:512] + "…"
	}
	return s
}

// permanentf is a permanent error with secrets redacted.
func (c *Connector) permanentf(format string, args ...any) error {
	return fault.Permanent(errors.New(c.red.string(fmt.Sprintf(format, args...))))
}
