package supplierapi

import (
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
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

// WithClock sets the clock of timestamps and of WithShipAfter.
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

// WithLogger logs one debug line per request.
func WithLogger(l *slog.Logger) Option { return func(f *Fake) { f.log = l } }

// Fake is the supplier API. It is an http.Handler, safe for concurrent use.
type Fake struct {
	token     string
	clock     clock.Clock
	catalog   map[string]bool
	backorder map[string]bool
	shipAfter time.Duration
	initial   string
	dupRefs   bool
	faults    Faults
	log       *slog.Logger
	mux       *http.ServeMux

	mu      sync.Mutex
	rng     *rand.Rand
	nextID  uint64
	orders  map[uint64]*Order
	ordered []uint64            // ids in creation order
	byRef   map[string][]uint64 // external_ref → ids
	keys    map[string]keyed    // idempotency scope → first answer
	stats   Stats
	server  *httptest.Server
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
	f.rng = rand.New(rand.NewPCG(f.faults.Seed, f.faults.Seed^0x9e3779b97f4a7c15))
	f.mux = http.NewServeMux()
	f.mux.HandleFunc("POST /v2/orders", f.create)
	f.mux.HandleFunc("GET /v2/orders", f.lookup)
	f.mux.HandleFunc("GET /v2/orders/{id}", f.get)
	f.mux.HandleFunc("POST /v2/orders/{id}/cancel", f.cancel)
	return f
}

// ServeHTTP checks the token, injects the pre-request faults and routes.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.stats.Requests++
	f.mu.Unlock()
	f.log.Debug("supplierapi", "method", r.Method, "path", r.URL.Path)
	if !f.authorized(r) {
		f.count(func(s *Stats) { s.Unauthorized++ })
		writeError(w, http.StatusUnauthorized, apiError{Code: "unauthorized", Message: "missing or invalid bearer token"})
		return
	}
	switch f.preFault() {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", retryAfter(f.faults.RetryAfter))
		writeError(w, http.StatusTooManyRequests, apiError{Code: "rate_limited", Message: "too many requests"})
		return
	case http.StatusServiceUnavailable:
		writeError(w, http.StatusServiceUnavailable, apiError{Code: "unavailable", Message: "service temporarily unavailable"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	f.mux.ServeHTTP(w, r)
}

func (f *Fake) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(tok), []byte(f.token)) == 1
}

// preFault draws whether this request fails before anything happens.
func (f *Fake) preFault() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	x := f.rng.Float64()
	switch {
	case x < f.faults.TooManyRequests:
		f.stats.TooMany++
		return http.StatusTooManyRequests
	case x < f.faults.TooManyRequests+f.faults.Unavailable:
		f.stats.Unavailable++
		return http.StatusServiceUnavailable
	}
	return 0
}

// lose draws whether a successful create's answer is lost, and how:
// 0 (not lost), 503, or -1 (connection closed).
func (f *Fake) lose() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rng.Float64() >= f.faults.LostResponse {
		return 0
	}
	f.stats.LostResponses++
	if f.rng.Float64() < f.faults.Reset {
		f.stats.Resets++
		return -1
	}
	return http.StatusServiceUnavailable
}

func (f *Fake) count(fn func(*Stats)) {
	f.mu.Lock()
	fn(&f.stats)
	f.mu.Unlock()
}

// Stats returns the counters so far.
func (f *Fake) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}

// Start serves the fake on a loopback port and returns its base URL
// (without /v2). Calling it again returns the same URL.
func (f *Fake) Start() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.server == nil {
		f.server = httptest.NewServer(f)
	}
	return f.server.URL
}

// Close stops a started server.
func (f *Fake) Close() {
	f.mu.Lock()
	srv := f.server
	f.server = nil
	f.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// apiError is the body of every error answer.
type apiError struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Field   string  `json:"field,omitempty"`
	OrderID *uint64 `json:"order_id,omitempty"`
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
