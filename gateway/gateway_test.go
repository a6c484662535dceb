package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/app/orders"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/metrics"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

const secret = "gw-test-secret"

type rig struct {
	st  *embedded.Store
	srv *httptest.Server
	m   *metrics.Metrics
}

func newRig(t *testing.T, maxBody int64) *rig {
	t.Helper()
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m := metrics.New(st)
	s := &Server{Intake: intakeOn(st), Ping: st.Ping, Channels: map[string]connector.Connector{"shop": hmacChannel{secret}}, MaxBodyBytes: maxBody,
		AdminToken: "tok", Clock: clock.Real{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: m,
		Admin: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "admin") })}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &rig{st: st, srv: srv, m: m}
}

func (r *rig) post(t *testing.T, path string, body []byte, h http.Header) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+path, bytes.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func signed(body []byte, id string) http.Header {
	h := http.Header{}
	h.Set(headerHmac, sign(secret, body))
	h.Set(headerTopic, "orders/create")
	h.Set(headerID, id)
	return h
}

func (r *rig) ready(t *testing.T) int64 {
	t.Helper()
	stats, err := r.st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, s := range stats {
		n += s.Ready + s.Scheduled + s.InFlight + s.Waiting
	}
	return n
}

func TestWebhookAcceptedIsDurablyQueuedRaw(t *testing.T) {
	r := newRig(t, 1<<20)
	body := []byte(`{"id": 9007199254740993, "line_items": []}`)
	resp, out := r.post(t, "/webhooks/shop", body, signed(body, "d-1"))
	if resp.StatusCode != 200 || !strings.Contains(out, `"status":"queued"`) {
		t.Fatalf("got %d %s", resp.StatusCode, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard: the job is queued before the 200
	defer cancel()
	j, err := r.st.Dequeue(ctx, []string{app.QueueIngest}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	w, err := orders.KindWebhook.Decode(j)
	if err != nil || w.Channel != "shop" || w.Delivery != "d-1" || w.Topic != "orders/create" || w.OrderRef != "9007199254740993" {
		t.Errorf("webhook = %+v, %v", w, err)
	}
	// The body was stored with the job, byte for byte, under its raw key;
	// the job carries the key, not a second copy.
	if len(j.Payload) != 0 || w.RawKey == "" {
		t.Errorf("job payload %q, raw key %q; want the body kept by key", j.Payload, w.RawKey)
	}
	if kept, err := r.st.GetBlob(ctx, w.RawKey); err != nil || !bytes.Equal(kept, body) {
		t.Errorf("raw body under %s: %q, %v", w.RawKey, kept, err)
	}
	if j.Group == "" {
		t.Error("order webhooks must carry the order's group")
	}
}

func TestDuplicateDeliveryIsAcknowledgedOnce(t *testing.T) {
	r := newRig(t, 1<<20)
	body := []byte(`{"id": 1}`)
	for i := 0; i < 3; i++ {
		resp, out := r.post(t, "/webhooks/shop", body, signed(body, "same-id"))
		if resp.StatusCode != 200 {
			t.Fatalf("attempt %d: %d %s", i, resp.StatusCode, out)
		}
		if i > 0 && !strings.Contains(out, `"duplicate"`) {
			t.Errorf("attempt %d not reported duplicate: %s", i, out)
		}
	}
	if n := r.ready(t); n != 1 {
		t.Errorf("jobs = %d, want 1", n)
	}
	for outcome, want := range map[string]float64{"accepted": 1, "duplicate": 2} {
		var m dto.Metric
		if err := r.m.Webhooks.WithLabelValues("shop", outcome).Write(&m); err != nil || m.GetCounter().GetValue() != want {
			t.Errorf("dropgate_webhooks_total{outcome=%q} = %v (%v), want %v", outcome, m.GetCounter().GetValue(), err, want)
		}
	}
}

func TestRejectionsStoreNothing(t *testing.T) {
	r := newRig(t, 64)
	body := []byte(`{"id": 1}`)
	bad := signed(body, "x")
	bad.Set(headerHmac, sign("wrong", body))
	if resp, _ := r.post(t, "/webhooks/shop", body, bad); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad signature: %d", resp.StatusCode)
	}
	if resp, _ := r.post(t, "/webhooks/nope", body, signed(body, "y")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown connector: %d", resp.StatusCode)
	}
	big := bytes.Repeat([]byte("x"), 65)
	if resp, _ := r.post(t, "/webhooks/shop", big, signed(big, "z")); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d", resp.StatusCode)
	}
	// Chunked (no Content-Length): the limit still holds while reading.
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/webhooks/shop", io.MultiReader(bytes.NewReader(big)))
	req.ContentLength = -1
	req.Header = signed(big, "w")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked too large: %d", resp.StatusCode)
	}
	if resp, _ := r.post(t, "/webhooks/shop", body, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", resp.StatusCode)
	}
	if n := r.ready(t); n != 0 {
		t.Errorf("rejected deliveries left %d jobs", n)
	}
}

func TestStoreDownIs503(t *testing.T) {
	r := newRig(t, 1<<20)
	r.st.Close()
	body := []byte(`{"id": 1}`)
	resp, _ := r.post(t, "/webhooks/shop", body, signed(body, "a"))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("store down: %d (Retry-After %q)", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	res, err := http.Get(r.srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with store closed = %d", res.StatusCode)
	}
}

func TestHealthReadyMetricsAndAdminToken(t *testing.T) {
	r := newRig(t, 1<<20)
	for _, p := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(r.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("%s = %d", p, res.StatusCode)
		}
	}
	body := []byte(`{"id": 1}`)
	r.post(t, "/webhooks/shop", body, signed(body, "m"))
	res, _ := http.Get(r.srv.URL + "/metrics")
	m, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`dropgate_webhooks_total{connector="shop",outcome="accepted"} 1`, `dropgate_queue_jobs{queue="ingest",state="ready"} 1`} {
		if !strings.Contains(string(m), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, tc := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong", 401}, {"Basic tok", 401}, {"Bearer tok", 200}} {
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/api/v1/orders", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		_ = json.NewDecoder(res.Body).Decode(&v)
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("auth %q = %d, want %d", tc.auth, res.StatusCode, tc.want)
		}
	}
}

var _ store.Store = (*embedded.Store)(nil)
