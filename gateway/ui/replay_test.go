package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/replay"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/gateway/ui"
)

// The replay page posts the YAML with the session's CSRF token, and
// renders the report (or the config's problems) the replay returns.
func TestReplayPage(t *testing.T) {
	var mu sync.Mutex
	var got []string
	fn := func(_ context.Context, file string, body []byte, since, _ time.Time) (*replay.Report, []string, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, string(body))
		if strings.Contains(string(body), "nobody") {
			return nil, []string{file + ":7: routing.rules[0].suppliers[0]: unknown supplier \"nobody\""}, nil
		}
		usd := money.MustParse("12.50", "USD")
		return &replay.Report{Since: since, Orders: 3, Changed: []replay.OrderChange{{OrderID: "o1", Number: "#1001", POsBefore: 1, POsAfter: 2,
			Lines: []replay.LineChange{{LineID: "1", SKU: "MUG-1", Qty: 2, From: []string{"acme"}, To: []string{"backup"}}}}},
			After: replay.Totals{Landed: []money.Money{usd}}}, nil, nil
	}
	srv := httptest.NewServer((&ui.UI{Ops: newOps(), Token: token, Replay: fn}).Handler())
	t.Cleanup(srv.Close)
	c := client(t)
	login(t, c, srv.URL, token)
	_, page := get(t, c, srv.URL+"/ui/replay")
	tok := csrf(t, page)

	post := func(v url.Values) (int, string) {
		t.Helper()
		resp, err := c.PostForm(srv.URL+"/ui/replay", v)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := post(url.Values{"config": {"routing: {}"}, "since": {"30d"}}); code != http.StatusForbidden {
		t.Errorf("without CSRF: %d, want 403", code)
	}
	if len(got) != 0 {
		t.Fatal("the replay ran without a CSRF token")
	}
	code, body := post(url.Values{"csrf": {tok}, "config": {"routing: {}"}, "since": {"30d"}})
	if code != http.StatusOK || !strings.Contains(body, "MUG-1 ×2: acme → backup") || !strings.Contains(body, "12.50 USD") || !strings.Contains(body, "1 → 2") {
		t.Errorf("report page %d:\n%s", code, body)
	}
	code, body = post(url.Values{"csrf": {tok}, "config": {"suppliers: [nobody]"}, "since": {"30d"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "new.yaml:7: routing.rules[0].suppliers[0]") {
		t.Errorf("problems page %d:\n%s", code, body)
	}
	code, _ = post(url.Values{"csrf": {tok}, "config": {"routing: {}"}, "since": {"last tuesday"}})
	if code != http.StatusUnprocessableEntity || len(got) != 2 {
		t.Errorf("a bad since: %d, replays %d", code, len(got))
	}
}
