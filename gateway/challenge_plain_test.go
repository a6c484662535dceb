package gateway

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
)

// plainChallengeChannel echoes hub.challenge verbatim, as Meta's
// subscription handshake wants.
type plainChallengeChannel struct{ pingChannel }

func (plainChallengeChannel) RespondChallenge(q url.Values) (any, error) {
	if q.Get("hub.challenge") == "" {
		return nil, errors.New("no hub.challenge")
	}
	return connector.PlainChallenge(q.Get("hub.challenge")), nil
}

// TestPlainChallenge: a PlainChallenge answer is the bare text, no JSON
// quoting and no trailing newline.
func TestPlainChallenge(t *testing.T) {
	s := &Server{MaxBodyBytes: 1 << 20, AdminToken: "tok", Clock: clock.Real{},
		Channels: map[string]connector.Connector{"meta": plainChallengeChannel{}},
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/webhooks/meta?hub.challenge=abc%2012")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(b) != "abc 12" {
		t.Errorf("answer %d %q, want 200 and the bare challenge", resp.StatusCode, b)
	}
}
