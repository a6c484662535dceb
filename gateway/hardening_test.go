package gateway

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/metrics"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// openChannel accepts every delivery: these tests are about what happens
// around the signature check.
type openChannel struct{}

func (openChannel) Name() string { return "shop" }
func (openChannel) Type() string { return "test" }
func (openChannel) VerifyWebhook(http.Header, []byte) (connector.Delivery, error) {
	return connector.Delivery{ID: "d1", Topic: "orders/create"}, nil
}

func hardenedServer(t *testing.T) (*Server, *metrics.Metrics) {
	t.Helper()
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m := metrics.New(st)
	return &Server{Store: st, Channels: map[string]connector.Connector{"shop": openChannel{}}, MaxBodyBytes: 1 << 20,
		AdminToken: "tok", Clock: clock.Real{}, Log: slog.New(slog.DiscardHandler), Metrics: m,
		Admin: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "admin") })}, m
}

// TestSlowBodySaysSoAndNoAddresses: a client that sends its headers and
// then stalls is answered "request body too slow" once the read timeout
// passes, without the socket addresses Go's error carries, and is counted.
func TestSlowBodySaysSoAndNoAddresses(t *testing.T) {
	s, m := hardenedServer(t)
	srv := httptest.NewUnstartedServer(s.Handler())
	srv.Config.ReadTimeout = 200 * time.Millisecond
	srv.Start()
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Hang guard only: the answer comes when the server's timeout fires.
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(conn, "POST /webhooks/shop HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\": 1")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "request body too slow") {
		t.Errorf("answer %s %s, want 408 request body too slow", resp.Status, body)
	}
	if regexp.MustCompile(`\d+\.\d+\.\d+\.\d+|:\d{2,5}\b|tcp`).Match(body) {
		t.Errorf("the answer echoes socket details: %s", body)
	}
	if v := counterValue(t, m.Webhooks, "shop", "body_timeout"); v != 1 {
		t.Errorf("dropgate_webhooks_total{outcome=body_timeout} = %v, want 1", v)
	}
}

func counterValue(t *testing.T, cv *prometheus.CounterVec, labels ...string) float64 {
	t.Helper()
	c, err := cv.GetMetricWithLabelValues(labels...)
	if err != nil {
		t.Fatal(err)
	}
	var pb dto.Metric
	if err := c.Write(&pb); err != nil {
		t.Fatal(err)
	}
	return pb.GetCounter().GetValue()
}

// TestBearerSchemeIsCaseInsensitive: RFC 7235 §2.1 makes the scheme
// case-insensitive; clients that send "bearer" are not refused.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	s, _ := hardenedServer(t)
	h := s.Handler()
	for header, want := range map[string]int{
		"Bearer tok":  200,
		"bearer tok":  200,
		"BEARER tok":  200,
		"Bearer  tok": 200,
		"Bearer tok2": 401,
		"Basic tok":   401,
		"Bearertok":   401,
		"Bearer ":     401,
		"tok":         401,
		"":            401,
	} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/orders", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Authorization %q: %d, want %d", header, rec.Code, want)
		}
	}
}
