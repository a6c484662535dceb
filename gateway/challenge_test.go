package gateway

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
)

// challengeChannel answers GET ?challenge_code=X with {"echo": X}, as
// eBay's account deletion endpoint answers its validation.
type challengeChannel struct{ pingChannel }

func (challengeChannel) RespondChallenge(q url.Values) (any, error) {
	if q.Get("challenge_code") == "" {
		return nil, errors.New("no challenge_code")
	}
	return map[string]string{"echo": q.Get("challenge_code")}, nil
}

// TestChallengeAnsweredOnGet: GET /webhooks/{name} is answered by a
// connector that responds to challenges (200 with its JSON; 400 without
// a challenge), 404 for one that does not, and queues nothing.
func TestChallengeAnsweredOnGet(t *testing.T) {
	r := newRig(t, 1<<20)
	s := &Server{Intake: intakeOn(r.st), Ping: r.st.Ping, MaxBodyBytes: 1 << 20, AdminToken: "tok", Clock: clock.Real{},
		Channels: map[string]connector.Connector{"ebay": challengeChannel{}, "woo": pingChannel{}},
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	r.srv = srv
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/webhooks/ebay?challenge_code=abc123"); code != http.StatusOK || !strings.Contains(body, `"echo":"abc123"`) {
		t.Errorf("challenge: %d %s", code, body)
	}
	if code, _ := get("/webhooks/ebay"); code != http.StatusBadRequest {
		t.Errorf("GET without a challenge: %d, want 400", code)
	}
	if code, _ := get("/webhooks/woo?challenge_code=abc"); code != http.StatusNotFound {
		t.Errorf("GET on a connector without challenges: %d, want 404", code)
	}
	if code, _ := get("/webhooks/nobody?challenge_code=abc"); code != http.StatusNotFound {
		t.Errorf("GET on an unknown connector: %d, want 404", code)
	}
	if n := r.ready(t); n != 0 {
		t.Errorf("challenges queued %d jobs", n)
	}
}
