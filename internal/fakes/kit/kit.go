// Package kit is the plumbing every platform fake shares, so that a fake
// is its routes and its data: an HTTP server with a route table, auth
// checks (bearer, basic, header token, HMAC), rate limits that answer with
// the platform's own headers (a leaky bucket like Shopify's, a fixed window
// like BigCommerce's, a token bucket with Retry-After), pagination
// helpers, error bodies in the platform's shape, a request log, fault
// injection, and counters — among them the quota violations: requests the
// fake had to refuse because the client exceeded the platform's limit
// (never an injected 429), which an end-to-end test asserts is zero.
//
// A request goes through these stages; each one's refusal is logged and
// answered in the fake's error style:
//
//	Before (e.g. unknown shop → 404) → Auth (401) → faults (injected
//	answers) → Limit (429, a quota violation) → body too large (413) →
//	the route → faults after handling (a lost answer)
//
// The Header hook adds headers to every answer (an API version), and
// RequestIDHeader names a per-request id header. README.md shows a fake
// built on it.
package kit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dropgate/dropgate/core/clock"
)

// DefaultMaxBody bounds a request body when Options.MaxBody is 0.
const DefaultMaxBody = 1 << 20

// Options configure a Server. Every field is optional.
type Options struct {
	// Name prefixes log lines ("supplierapi").
	Name string
	// Clock drives the limits and the log's timestamps (default: real).
	Clock clock.Clock
	// Auth checks credentials; nil accepts every request.
	Auth Auth
	// Limit is the platform's quota; nil never refuses.
	Limit Limiter
	// LimitKey is the quota a request draws on; default Scope + principal
	// (Shopify: per shop and app). BigCommerce's quota is per store,
	// whatever the app: return the scope alone.
	LimitKey func(r *http.Request, principal string) string
	// Errors renders the fake's own refusals (401, 404, 413, 429,
	// injected statuses without a body) and Server.Error; default
	// JSONError.
	Errors ErrorStyle
	// Messages override the text of the kit's refusals, by status.
	Messages map[int]string
	// MaxBody bounds request bodies (default DefaultMaxBody); over it the
	// answer is 413 once the request is authenticated and admitted.
	MaxBody int64
	// Scope names the tenant a request is for (a shop from its Host), so
	// counters and limits are kept per tenant; default "".
	Scope func(r *http.Request) string
	// Before runs first; a non-nil answer ends the request (an unknown
	// shop is a 404 before any credential is looked at).
	Before func(r *http.Request) *Response
	// Header adds headers to every answer, refusals included
	// (X-Shopify-API-Version).
	Header func(r *http.Request, h http.Header)
	// Handler replaces the route table for a fake that routes itself
	// (versioned paths, ".json" suffixes). Handle is then unused.
	Handler http.Handler
	// RequestIDHeader, when set, carries a fresh id on every answer
	// ("X-Request-Id").
	RequestIDHeader string
	// Seed makes probabilistic faults repeatable.
	Seed uint64
	// LogLimit is how many requests the log keeps (default 10000; the
	// oldest are dropped, counters keep counting).
	LogLimit int
	// Logger gets one debug line per request (default: discarded).
	Logger *slog.Logger
}

// Server is a fake platform's HTTP server. It is an http.Handler and safe
// for concurrent use.
type Server struct {
	o   Options
	mux *http.ServeMux

	reqSeq atomic.Int64

	mu       sync.Mutex
	log      []Request
	counters map[string]*Counters
	faults   []*armed
	fired    map[string]int
	rng      *rand.Rand
	server   *httptest.Server
	closing  chan struct{}
	closed   bool
}

// New returns a Server; add routes with Handle.
func New(o Options) *Server {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Errors == nil {
		o.Errors = JSONError
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.LogLimit <= 0 {
		o.LogLimit = 10000
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{
		o: o, mux: http.NewServeMux(), counters: map[string]*Counters{}, fired: map[string]int{},
		rng:     rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		closing: make(chan struct{}),
	}
}

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.o.Clock.Now() }

// Handle routes pattern (an http.ServeMux pattern: "POST /v2/orders",
// "GET /v2/orders/{id}") to h.
func (s *Server) Handle(pattern string, h func(r *http.Request) *Response) {
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Write(w, h(r))
	}))
}

// HandleHTTP routes pattern to a plain http.Handler.
func (s *Server) HandleHTTP(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Error is an answer in the fake's error style.
func (s *Server) Error(status int, code, message string) *Response {
	return &Response{Status: status, Body: s.o.Errors(status, code, message)}
}

// refusal is one of the kit's own answers, with its message overridable.
func (s *Server) refusal(status int, code, message string) *Response {
	if m, ok := s.o.Messages[status]; ok {
		message = m
	}
	return s.Error(status, code, message)
}

// routeOf is the pattern of the route r matches ("" for a fake that
// routes itself, or none).
func (s *Server) routeOf(r *http.Request) string {
	if s.o.Handler != nil {
		return ""
	}
	_, pattern := s.mux.Handler(r)
	return pattern
}

// route serves r with the fake's handler into a buffer.
func (s *Server) route(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	if s.o.Handler != nil {
		s.o.Handler.ServeHTTP(rec, r)
		return rec
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.Write(rec, s.refusal(http.StatusNotFound, "not_found", "Not Found"))
		return rec
	}
	s.mux.ServeHTTP(rec, r)
	return rec
}

// ServeHTTP runs the stages (see the package doc) and logs the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(io.LimitReader(r.Body, s.o.MaxBody+1))
	r.Body.Close()
	scope := ""
	if s.o.Scope != nil {
		scope = s.o.Scope(r)
	}
	entry := Request{Seq: int(s.reqSeq.Add(1)), At: s.o.Clock.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: logBody(body), Scope: scope, Route: s.routeOf(r)}
	out := s.serve(w, r, body, readErr, &entry)
	// The request is counted before the client learns anything, so a
	// test reading the counters after its call sees it.
	if out.dropped {
		entry.Outcome |= Dropped
		s.record(entry)
		if out.hangUp != nil {
			out.hangUp()
		}
	} else {
		entry.Status = out.status
		s.record(entry)
		s.finish(w, r, out, entry.Seq)
	}
	s.o.Logger.Debug(s.o.Name, "method", r.Method, "path", r.URL.Path, "scope", scope, "status", entry.Status, "outcome", entry.Outcome.String())
}

// answer is what the stages produce before it is written.
type answer struct {
	status  int
	header  http.Header
	body    []byte
	dropped bool
	hangUp  func() // closes a hijacked connection, once the request is logged
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, body []byte, readErr error, e *Request) answer {
	if s.o.Before != nil {
		if resp := s.o.Before(r); resp != nil {
			e.Outcome = Refused
			return s.render(r, resp)
		}
	}
	if s.o.Auth != nil {
		principal, ok := s.o.Auth.Check(r, body)
		if !ok {
			e.Outcome = Unauthorized
			return s.render(r, s.refusal(http.StatusUnauthorized, "unauthorized", "missing or invalid credentials"))
		}
		e.Principal = principal
	}
	if f := s.fault(r, false); f != nil {
		e.Outcome, e.Fault = Injected, f.Name
		return s.inject(w, r, f)
	}
	var limitHeader http.Header
	if s.o.Limit != nil {
		d := s.o.Limit.Admit(s.limitKey(r, e.Principal), s.o.Clock.Now())
		limitHeader = d.Header
		if !d.OK {
			e.Outcome = Throttled
			a := s.render(r, s.refusal(http.StatusTooManyRequests, "rate_limited", firstNonEmpty(d.Message, "too many requests")))
			mergeHeader(a.header, limitHeader)
			return a
		}
	}
	if readErr != nil || int64(len(body)) > s.o.MaxBody {
		e.Outcome = Refused
		a := s.render(r, s.refusal(http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("request body over %d bytes", s.o.MaxBody)))
		mergeHeader(a.header, limitHeader)
		return a
	}
	e.Outcome = Handled
	rec := s.route(withRequest(r, body, e.Principal))
	e.Handled = rec.Code
	a := answer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	mergeHeader(a.header, limitHeader)
	if rec.Code >= 200 && rec.Code < 300 {
		if f := s.fault(r, true); f != nil {
			e.Outcome, e.Fault = Handled|Injected, f.Name
			return s.inject(w, r, f)
		}
	}
	return a
}

func (s *Server) limitKey(r *http.Request, principal string) string {
	if s.o.LimitKey != nil {
		return s.o.LimitKey(r, principal)
	}
	scope := ""
	if s.o.Scope != nil {
		scope = s.o.Scope(r)
	}
	return scope + "\x00" + principal
}

// render turns a Response into an answer.
func (s *Server) render(r *http.Request, resp *Response) answer {
	rec := httptest.NewRecorder()
	s.Write(rec, resp)
	return answer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// finish writes an answer with the common headers.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, a answer, seq int) {
	h := w.Header()
	for k, v := range a.header {
		h[k] = v
	}
	if s.o.Header != nil {
		s.o.Header(r, h)
	}
	if s.o.RequestIDHeader != "" {
		h.Set(s.o.RequestIDHeader, s.o.Name+"-"+strconv.Itoa(seq))
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

func mergeHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// principalKey carries the authenticated principal to the route.
type principalKey struct{}

// withRequest gives the route a request whose body can be read again and
// which knows who made it.
func withRequest(r *http.Request, body []byte, principal string) *http.Request {
	r2 := r.WithContext(context.WithValue(r.Context(), principalKey{}, principal))
	r2.Body = io.NopCloser(bytesReader(body))
	r2.ContentLength = int64(len(body))
	return r2
}

// Principal is who the Auth stage recognised (a token, a user name), for
// a route that keeps data per app.
func Principal(r *http.Request) string {
	p, _ := r.Context().Value(principalKey{}).(string)
	return p
}

// Start serves on a loopback port (idempotent) and returns the base URL.
// Call Close when done (t.Cleanup(s.Close)).
func (s *Server) Start() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.server == nil {
		s.server = httptest.NewServer(s)
	}
	return s.server.URL
}

// URL is the started server's base URL, or "" before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.server == nil {
		return ""
	}
	return s.server.URL
}

// Close releases stalled requests and stops a started server.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.closing)
	}
	srv := s.server
	s.server = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// ListenAndServe serves on addr (a demo) until ctx is done, then shuts
// down gracefully.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	srv := &http.Server{Addr: addr, Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return fmt.Errorf("%s: listen %s: %w", s.o.Name, addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("%s: shutdown: %w", s.o.Name, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s: serve %s: %w", s.o.Name, addr, err)
	}
	return nil
}
