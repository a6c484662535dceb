package supplierapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// DefaultToken is the bearer token accepted when WithToken is not given.
const DefaultToken = "acme_test_token"

// FirstID is the first order id: 2^53+1, the first integer float64
// cannot represent. Ids advance by 2, so none survives a float64.
const FirstID uint64 = 1<<53 + 1

// maxBody bounds a request body.
const maxBody = 1 << 20

// Faults configures injected failures. Shares are between 0 and 1.
type Faults struct {
	// Seed makes the sequence of failures repeatable.
	Seed uint64
	// TooManyRequests is the share of requests answered 429 with a
	// Retry-After header, before anything else happens.
	TooManyRequests float64
	// Unavailable is the share answered 503 (no Retry-After), before
	// anything else happens.
	Unavailable float64
	// LostResponse is the share of successful creates whose answer is
	// lost after the order was created: a 503, or with Reset the
	// connection closed without an answer.
	LostResponse float64
	// Reset is the share of lost responses delivered as a closed
	// connection rather than a 503 (needs a server started with Start).
	Reset float64
	// RetryAfter is the Retry-After of a 429 (default 1s).
	RetryAfter time.Duration
}

// Stats counts what the fake did.
type Stats struct {
	Requests      int // every request that reached the fake
	Unauthorized  int // 401s
	Throttled     int // 429s because the client exceeded WithRateLimit (never injected ones)
	Invalid       int // 400s
	Created       int // orders created
	Replayed      int // answers replayed for a known idempotency key
	Conflicts     int // 409s for a duplicate external_ref
	TooMany       int // injected 429s
	Unavailable   int // injected 503s before anything happened
	LostResponses int // creates whose answer was lost
	Resets        int // … of which as a closed connection
}

// Option configures a Fake.
type Option func(*Fake)

// WithToken sets the bearer token the fake accepts.
func WithToken(token string) Option { return func(f *Fake) { f.token = token } }

// WithClock sets the clock of timestamps, of WithShipAfter and of
// WithRateLimit.
func WithClock(c clock.Clock) Option { return func(f *Fake) { f.clock = c } }

// WithCatalog restricts the SKUs the supplier carries: lines with any
// other SKU are rejected ("unknown sku X"). Without it every SKU is known.
func WithCatalog(skus ...string) Option {
	return func(f *Fake) {
		f.catalog = map[string]bool{}
		for _, s := range skus {
			f.catalog[s] = true
		}
	}
}

// WithBackorder marks SKUs out of stock: their lines are backordered.
func WithBackorder(skus ...string) Option {
	return func(f *Fake) {
		for _, s := range skus {
			f.backorder[s] = true
		}
	}
}

// WithShipAfter ships accepted orders this long after creation (0, the
// default: only on demand).
func WithShipAfter(d time.Duration) Option { return func(f *Fake) { f.shipAfter = d } }

// WithInitialStatus sets the status of a new order whose lines are all
// accepted (default "accepted"; "processing" is an order the supplier
// has taken but not yet confirmed). Lines keep their own statuses.
func WithInitialStatus(s string) Option { return func(f *Fake) { f.initial = s } }

// WithDuplicateRefs accepts a second order with the same external_ref
// instead of answering 409, as many real APIs do.
func WithDuplicateRefs() Option { return func(f *Fake) { f.dupRefs = true } }

// WithFaults injects failures.
func WithFaults(fs Faults) Option { return func(f *Fake) { f.faults = fs } }

// WithRateLimit enforces a quota: a token bucket of burst requests
// refilling rate per second, answered 429 with Retry-After when empty
// (counted in Stats.Throttled, a quota violation).
func WithRateLimit(rate float64, burst int) Option {
	return func(f *Fake) { f.limit = &kit.TokenBucket{Rate: rate, Burst: burst, Message: "too many requests"} }
}

// WithLogger logs one debug line per request.
func WithLogger(l *slog.Logger) Option { return func(f *Fake) { f.log = l } }

// Fake is the supplier API. It is an http.Handler, safe for concurrent
// use. Its plumbing (bearer token, fault injection, quota, counters, the
// server) is the fake kit's (internal/fakes/kit); this package is the
// routes and the orders.
type Fake struct {
	token     string
	clock     clock.Clock
	catalog   map[string]bool
	backorder map[string]bool
	shipAfter time.Duration
	initial   string
	dupRefs   bool
	faults    Faults
	limit     kit.Limiter
	log       *slog.Logger
	srv       *kit.Server

	mu      sync.Mutex
	nextID  uint64
	orders  map[uint64]*Order
	ordered []uint64            // ids in creation order
	byRef   map[string][]uint64 // external_ref → ids
	keys    map[string]keyed    // idempotency scope → first answer
	stats   Stats               // the fake's own counts (Invalid, Created, …)
}

// keyed is a remembered answer for an idempotency key.
type keyed struct {
	digest [32]byte
	status int
	body   []byte
}

// New returns a Fake.
func New(opts ...Option) *Fake {
	f := &Fake{
		token: DefaultToken, clock: clock.Real{}, backorder: map[string]bool{}, initial: "accepted",
		log: slog.New(slog.DiscardHandler), nextID: FirstID,
		orders: map[uint64]*Order{}, byRef: map[string][]uint64{}, keys: map[string]keyed{},
	}
	for _, o := range opts {
		o(f)
	}
	if f.faults.RetryAfter <= 0 {
		f.faults.RetryAfter = time.Second
	}
	f.srv = kit.New(kit.Options{
		Name: "supplierapi", Clock: f.clock, Logger: f.log, Seed: f.faults.Seed, MaxBody: maxBody,
		Auth: kit.Bearer(f.token), Limit: f.limit, Errors: kit.JSONError,
		Messages: map[int]string{http.StatusUnauthorized: "missing or invalid bearer token"},
	})
	f.injectFaults()
	f.srv.HandleHTTP("POST /v2/orders", http.HandlerFunc(f.create))
	f.srv.HandleHTTP("GET /v2/orders", http.HandlerFunc(f.lookup))
	f.srv.HandleHTTP("GET /v2/orders/{id}", http.HandlerFunc(f.get))
	f.srv.HandleHTTP("POST /v2/orders/{id}/cancel", http.HandlerFunc(f.cancel))
	return f
}

// Fault names, as the kit counts them.
const (
	fault429   = "429"
	fault503   = "503"
	faultLost  = "lost"
	faultReset = "reset"
)

// injectFaults arms the kit with the configured shares. The kit draws
// for each fault in turn, so each share is made conditional on the ones
// before not firing: the overall shares are the configured ones.
func (f *Fake) injectFaults() {
	fs := f.faults
	arm := func(p float64, fl kit.Fault) {
		if p > 0 {
			fl.Probability = min(p, 1)
			f.srv.Inject(fl)
		}
	}
	arm(fs.TooManyRequests, kit.Fault{Name: fault429, Status: http.StatusTooManyRequests,
		Header: http.Header{"Retry-After": {retryAfter(fs.RetryAfter)}},
		Body:   errorBody(apiError{Code: "rate_limited", Message: "too many requests"})})
	arm(conditional(fs.Unavailable, fs.TooManyRequests), kit.Fault{Name: fault503, Status: http.StatusServiceUnavailable,
		Body: errorBody(apiError{Code: "unavailable", Message: "service temporarily unavailable"})})
	// A lost answer is one of a create that succeeded.
	reset := fs.LostResponse * fs.Reset
	arm(reset, kit.Fault{Name: faultReset, Method: http.MethodPost, Path: "/v2/orders", AfterHandling: true, Drop: true})
	arm(conditional(fs.LostResponse-reset, reset), kit.Fault{Name: faultLost, Method: http.MethodPost, Path: "/v2/orders",
		AfterHandling: true, Status: http.StatusServiceUnavailable,
		Body: errorBody(apiError{Code: "unavailable", Message: "upstream timeout"})})
}

// conditional is the probability of an event of overall share p given
// that one of share before did not happen.
func conditional(p, before float64) float64 {
	if p <= 0 || before >= 1 {
		return 0
	}
	return p / (1 - before)
}

// ServeHTTP serves the API through the kit: token, faults, quota, route.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.srv.ServeHTTP(w, r) }

// Server is the kit server underneath, for its request log and for
// injecting one-off faults (kit.Fault) beyond WithFaults' shares.
func (f *Fake) Server() *kit.Server { return f.srv }

func (f *Fake) count(fn func(*Stats)) {
	f.mu.Lock()
	fn(&f.stats)
	f.mu.Unlock()
}

// Stats returns the counters so far.
func (f *Fake) Stats() Stats {
	f.mu.Lock()
	s := f.stats
	f.mu.Unlock()
	t := f.srv.Total()
	s.Requests, s.Unauthorized, s.Throttled = t.Requests, t.Unauthorized, t.QuotaViolations
	s.TooMany, s.Unavailable = t.ByFault[fault429], t.ByFault[fault503]
	s.LostResponses, s.Resets = t.ByFault[faultLost]+t.ByFault[faultReset], t.ByFault[faultReset]
	return s
}

// Start serves the fake on a loopback port and returns its base URL
// (without /v2). Calling it again returns the same URL.
func (f *Fake) Start() string { return f.srv.Start() }

// Close stops a started server.
func (f *Fake) Close() { f.srv.Close() }

// apiError is the body of every error answer.
type apiError struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Field   string  `json:"field,omitempty"`
	OrderID *uint64 `json:"order_id,omitempty"`
}

func errorBody(e apiError) []byte {
	b, _ := json.Marshal(map[string]apiError{"error": e}) // strings and an integer: cannot fail
	return b
}

func writeError(w http.ResponseWriter, status int, e apiError) {
	writeJSON(w, status, map[string]apiError{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func retryAfter(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	return strconv.Itoa(max(secs, 1))
}
