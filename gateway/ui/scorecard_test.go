package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/scorecards"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/scorecard"
	"github.com/dropgate/dropgate/gateway/ui"
)

// scoreOps adds scorecards to the fake operator: acme has POs sent in
// two of the last weeks, every one filled.
type scoreOps struct {
	*fakeOps
	now time.Time
}

func (s scoreOps) Scorecard(_ context.Context, name string) (scorecard.Card, error) {
	if name != "acme" {
		return scorecard.Card{}, fmt.Errorf("%w: %q", scorecards.ErrUnknownSupplier, name)
	}
	facts := []scorecard.Fact{
		{Supplier: "acme", Sent: s.now.Add(-2 * 24 * time.Hour), LinesAnswered: 4, LinesFilled: 3},
		{Supplier: "acme", Sent: s.now.Add(-20 * 24 * time.Hour), LinesAnswered: 2, LinesFilled: 2},
	}
	card := scorecard.Build("acme", facts, s.now)
	card.Routing = &routing.ScoreBasis{Score: 70, Source: routing.ScorePrior, Prior: 70}
	return card, nil
}

func TestScorecardPage(t *testing.T) {
	ops := scoreOps{fakeOps: newOps(), now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer((&ui.UI{Ops: ops, Token: token,
		Connectors: []ui.Connector{{Name: "acme", Kind: "supplier", Type: "edi_x12"}}}).Handler())
	t.Cleanup(srv.Close)
	c := client(t)
	login(t, c, srv.URL, token)

	_, list := get(t, c, srv.URL+"/ui/suppliers")
	if !strings.Contains(list, `href="/ui/suppliers/acme/scorecard"`) {
		t.Errorf("the suppliers page does not link the scorecard:\n%s", list)
	}
	resp, page := get(t, c, srv.URL+"/ui/suppliers/acme/scorecard")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d:\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{
		"Scorecard: acme",
		"<th scope=\"col\">7d</th>",
		"75.0% (3/4)", // 7 days: one PO, 3 of 4 lines filled
		"83.3% (5/6)", // 30 days: both POs
		"<svg",        // the weekly charts
		"<polyline points=",
		"<title>week of",
		"Routing score:</strong> 70 prior (no measured score yet)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("scorecard page lacks %q", want)
		}
	}
	if strings.Contains(page, "cdn") || strings.Contains(page, "https://") {
		t.Error("the page loads something from outside")
	}
	if resp, _ := get(t, c, srv.URL+"/ui/suppliers/nobody/scorecard"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown supplier: status %d, want 404", resp.StatusCode)
	}
}
