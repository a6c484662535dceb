package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/replay"
)

// POST /api/v1/route/replay: since is required, the body is bounded, the
// config's problems come back as a 422 list, and a report as 200.
func TestReplayEndpoint(t *testing.T) {
	var calls []string
	ad := &Admin{Replay: func(_ context.Context, file string, body []byte, since, until time.Time) (*replay.Report, []string, error) {
		calls = append(calls, file+"|"+since.Format(time.RFC3339)+"|"+string(body))
		if strings.Contains(string(body), "bad") {
			return nil, []string{file + ":3: routing.strategy: unknown strategy \"bad\""}, nil
		}
		return &replay.Report{Since: since, Orders: 2}, nil, nil
	}}
	srv := httptest.NewServer(ad.Handler())
	t.Cleanup(srv.Close)
	post := func(query string, body []byte) (int, []byte) {
		t.Helper()
		resp, err := http.Post(srv.URL+"/api/v1/route/replay"+query, "application/yaml", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		return resp.StatusCode, buf.Bytes()
	}
	if code, _ := post("", []byte("routing: {}")); code != http.StatusBadRequest {
		t.Errorf("without since: %d, want 400", code)
	}
	if code, _ := post("?since=2026-11-01", bytes.Repeat([]byte("#"), MaxReplayBody+1)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: %d, want 413", code)
	}
	code, body := post("?since=2026-11-01&file=NEW.yaml", []byte("routing: { strategy: bad }"))
	var probs ReplayProblems
	_ = json.Unmarshal(body, &probs)
	if code != http.StatusUnprocessableEntity || len(probs.Problems) != 1 || !strings.HasPrefix(probs.Problems[0], "NEW.yaml:3: ") {
		t.Errorf("problems: %d %s", code, body)
	}
	code, body = post("?since=2026-11-01T00:00:00Z&file=NEW.yaml", []byte("routing: {}"))
	var rep replay.Report
	if code != http.StatusOK || json.Unmarshal(body, &rep) != nil || rep.Orders != 2 {
		t.Errorf("report: %d %s", code, body)
	}
	if len(calls) != 2 || calls[1] != "NEW.yaml|2026-11-01T00:00:00Z|routing: {}" {
		t.Errorf("calls %q", calls)
	}
}
