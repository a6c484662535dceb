package gateway

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
)

// pingChannel refuses an unsigned "webhook_id=N" body as a ping, as the
// WooCommerce connector does, and everything else as unsigned.
type pingChannel struct{}

func (pingChannel) Name() string { return "woo" }
func (pingChannel) Type() string { return "test" }
func (pingChannel) VerifyWebhook(_ http.Header, body []byte) (connector.Delivery, error) {
	if strings.HasPrefix(string(body), "webhook_id=") {
		return connector.Delivery{}, fmt.Errorf("%w: %w", connector.ErrBadSignature, connector.ErrPing)
	}
	return connector.Delivery{}, connector.ErrBadSignature
}

// TestPingAnswered200StoresNothing: a platform's unsigned ping is answered
// 200 "ping" so the platform saves its webhook; nothing is queued; any
// other unsigned delivery is still a 401.
func TestPingAnswered200StoresNothing(t *testing.T) {
	r := newRig(t, 1<<20)
	s := &Server{Intake: intakeOn(r.st), Ping: r.st.Ping, Channels: map[string]connector.Connector{"woo": pingChannel{}}, MaxBodyBytes: 1 << 20,
		AdminToken: "tok", Clock: clock.Real{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	r.srv = srv
	resp, body := r.post(t, "/webhooks/woo", []byte("webhook_id=7"), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"ping"`) {
		t.Fatalf("ping: %s %s", resp.Status, body)
	}
	if n := r.ready(t); n != 0 {
		t.Errorf("ping queued %d jobs", n)
	}
	resp, _ = r.post(t, "/webhooks/woo", []byte(`{"id":1}`), nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned delivery: %s, want 401", resp.Status)
	}
}
