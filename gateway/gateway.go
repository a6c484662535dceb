// Package gateway is dropgate's HTTP face (DESIGN §1.3): platform webhooks
// in, health and readiness, Prometheus metrics, and the admin API and UI
// behind a bearer token.
//
// The webhook promise: verify the signature on the raw bytes, dedupe on
// the platform's delivery id, durably enqueue, and only then answer 200.
// Nothing that was not durably stored ever gets a 2xx.
package gateway

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/stage"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/metrics"
)

// Server is the HTTP handler set.
type Server struct {
	// Intake durably queues verified deliveries (the application's port).
	Intake ports.Intake
	// Ping reports whether the store answers (readiness).
	Ping func(ctx context.Context) error
	// Channels are the connectors webhooks are sent to, by name: channels,
	// payment providers, carrier aggregators.
	Channels     map[string]connector.Connector
	MaxBodyBytes int64
	AdminToken   connector.Secret
	Clock        clock.Clock
	Log          *slog.Logger
	Metrics      *metrics.Metrics
	// Admin serves /api/v1/ once the admin API is configured; nil leaves it
	// unmounted.
	Admin http.Handler
	// UI serves the operator dashboard under /ui/ (it checks its own
	// session); nil leaves it unmounted.
	UI http.Handler
	// Portal serves the supplier portal under /portal/ (its own sessions,
	// never the UI's); nil leaves it unmounted.
	Portal http.Handler
	// Ready reports extra readiness conditions (config loaded, workers up).
	Ready func(ctx context.Context) error
}

// Handler returns the routed handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	hot := s.hotCounters()
	mux.HandleFunc("POST /webhooks/{name}", stage.Ingest.Handler(func(w http.ResponseWriter, r *http.Request) { s.webhook(w, r, hot) }))
	mux.HandleFunc("GET /webhooks/{name}", s.challenge)
	s.ops(mux)
	if s.Admin != nil {
		mux.Handle("/api/v1/", s.RequireToken(s.Admin))
	}
	if s.UI != nil {
		mux.Handle("/ui/", s.UI)
		mux.Handle("GET /ui", http.RedirectHandler("/ui/", http.StatusMovedPermanently))
	}
	if s.Portal != nil {
		mux.Handle("/portal/", s.Portal)
		mux.Handle("GET /portal", http.RedirectHandler("/portal/", http.StatusMovedPermanently))
	}
	return mux
}

// OpsHandler serves only what a worker replica answers: liveness,
// readiness and metrics. A worker takes no webhooks and serves no admin
// API, but its job counters and queue gauges are where a fleet's
// throughput shows, and an orchestrator probes its health.
func (s *Server) OpsHandler() http.Handler {
	mux := http.NewServeMux()
	s.ops(mux)
	return mux
}

func (s *Server) ops(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.Metrics != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}))
	}
}

func (s *Server) count(conn, outcome string) {
	if s.Metrics != nil {
		s.Metrics.Webhooks.WithLabelValues(conn, outcome).Inc()
	}
}

// hotCounters are a connector's counters for the two outcomes nearly
// every delivery ends in, looked up once: WithLabelValues hashes and
// validates both labels on every call.
type hotCounters struct{ accepted, duplicate prometheus.Counter }

// hotCounters returns them for the connectors configured now; one added
// later is counted through count.
func (s *Server) hotCounters() map[string]hotCounters {
	if s.Metrics == nil {
		return nil
	}
	hot := make(map[string]hotCounters, len(s.Channels))
	for name := range s.Channels {
		hot[name] = hotCounters{
			accepted:  s.Metrics.Webhooks.WithLabelValues(name, "accepted"),
			duplicate: s.Metrics.Webhooks.WithLabelValues(name, "duplicate"),
		}
	}
	return hot
}

// countStored counts an accepted or duplicate delivery.
func (s *Server) countStored(hot map[string]hotCounters, name string, duplicate bool) {
	c, ok := hot[name]
	switch {
	case !ok && duplicate:
		s.count(name, "duplicate")
	case !ok:
		s.count(name, "accepted")
	case duplicate:
		c.duplicate.Inc()
	default:
		c.accepted.Inc()
	}
}

// webhook is POST /webhooks/{name}.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request, hot map[string]hotCounters) {
	name := r.PathValue("name")
	ch, ok := s.Channels[name]
	verifier, canVerify := connector.As[connector.WebhookVerifier](ch)
	if !ok || !canVerify {
		s.count("_unknown", "unknown_connector")
		writeError(w, http.StatusNotFound, "no webhook connector named "+name)
		return
	}
	if r.ContentLength > s.MaxBodyBytes {
		s.count(name, "too_large")
		writeError(w, http.StatusRequestEntityTooLarge, "body exceeds server.max_body_bytes")
		return
	}
	body, err := readBody(w, r, s.MaxBodyBytes)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.count(name, "too_large")
			writeError(w, http.StatusRequestEntityTooLarge, "body exceeds server.max_body_bytes")
			return
		}
		s.bodyFailed(w, r, name, err)
		return
	}
	d, err := verifier.VerifyWebhook(r.Header, body)
	if errors.Is(err, connector.ErrPing) {
		s.count(name, "ping")
		writeJSON(w, http.StatusOK, map[string]string{"status": "ping"})
		return
	}
	if err != nil {
		s.count(name, "bad_signature")
		s.Log.Warn("webhook rejected", "connector", name, "reason", err, "remote", r.RemoteAddr)
		writeError(w, http.StatusUnauthorized, "signature verification failed")
		return
	}
	id, err := s.Intake.AcceptWebhook(r.Context(), name, d, body, s.Clock.Now())
	switch {
	case errors.Is(err, store.ErrDuplicate):
		s.countStored(hot, name, true)
		writeJSON(w, http.StatusOK, map[string]string{"status": "duplicate", "delivery": d.ID})
	case err != nil:
		// The platform will retry: Shopify for 4 hours, others similar.
		s.count(name, "store_unavailable")
		s.Log.Error("webhook not stored", "connector", name, "delivery", d.ID, "err", err)
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "store unavailable; retry later")
	default:
		s.countStored(hot, name, false)
		writeQueued(w, id, d.ID)
	}
}

// challenge is GET /webhooks/{name}: a platform proving the endpoint is
// ours before it sends anything (eBay's challenge_code). Only a
// connector that answers challenges has one; nothing is stored.
func (s *Server) challenge(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	responder, ok := connector.As[connector.ChallengeResponder](s.Channels[name])
	if !ok {
		s.count("_unknown", "unknown_connector")
		writeError(w, http.StatusNotFound, "no challenge endpoint named "+name)
		return
	}
	answer, err := responder.RespondChallenge(r.URL.Query())
	if err != nil {
		s.count(name, "bad_challenge")
		writeError(w, http.StatusBadRequest, "not a challenge")
		return
	}
	s.count(name, "challenge")
	if plain, ok := answer.(connector.PlainChallenge); ok {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, string(plain))
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

// bodyFailed answers a body that could not be read. The reason stays in
// the log: the error names the server's and the client's socket addresses,
// which are nobody's business on the wire.
func (s *Server) bodyFailed(w http.ResponseWriter, r *http.Request, name string, err error) {
	s.Log.Warn("webhook body not read", "connector", name, "remote", r.RemoteAddr, "err", err)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		// server.read_timeout passed before the whole body arrived.
		s.count(name, "body_timeout")
		writeError(w, http.StatusRequestTimeout, "request body too slow")
		return
	}
	s.count(name, "bad_body")
	writeError(w, http.StatusBadRequest, "request body could not be read")
}

// readyz reports whether the store answers and the process is ready.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "store": err.Error()})
		return
	}
	if s.Ready != nil {
		if err := s.Ready(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// RequireToken guards h with Authorization: Bearer <admin token>, compared
// in constant time. With no token configured the admin API is closed.
func (s *Server) RequireToken(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := s.AdminToken.Reveal()
		got, ok := BearerToken(r.Header.Get("Authorization"))
		if want == "" || !ok || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dropgate"`)
			writeError(w, http.StatusUnauthorized, "missing or invalid bearer token")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// BearerToken reads `Authorization: Bearer <token>`. The scheme is
// case-insensitive (RFC 7235 §2.1, RFC 6750 §2.1) and may be followed by
// several spaces; the token itself is taken as is.
func BearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimLeft(token, " ")
	return token, token != ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
