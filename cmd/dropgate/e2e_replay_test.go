package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/replay"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/gateway"
)

// replayConfig is the running config with a new routing block: mugs go
// to backup. Catalog paths are made absolute so the CLI, which runs
// elsewhere, reads the same files.
func replayConfig(t *testing.T, l *loop, suppliers string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(l.dir, "configs", "demo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(
		"routing: { strategy: cheapest }", "routing:\n  strategy: cheapest\n  rules:\n    - name: mugs\n      when: { sku: \"MUG*\" }\n      suppliers: ["+suppliers+"]",
		"./acme.csv", filepath.Join(l.dir, "acme.csv"), "./backup.csv", filepath.Join(l.dir, "backup.csv"),
		"./var/dropgate.db", filepath.Join(l.dir, "var", "dropgate.db"),
	).Replace(string(b))
	path := filepath.Join(t.TempDir(), "NEW.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRouteReplayThroughTheServer: two orders routed and sent to acme (cheapest);
// `route --replay` with a rule sending mugs to backup reports that the
// mug line of the first order would move, with the totals, and changes
// nothing: the stored orders are byte for byte the same and no new 850 is
// written. A NEW.yaml with a mistake is reported at its line, by the CLI
// and by the API.
func TestRouteReplayThroughTheServer(t *testing.T) {
	t.Parallel()
	l := newLoop(t, []supplierSpec{
		// Silent partners: the POs stay sent, so nothing else moves the
		// stored orders while the test compares them.
		{name: "acme", rows: []string{"MUG,3.00,50", "TEE,2.00,50"}, silent: true},
		{name: "backup", rows: []string{"MUG,4.00,50"}, silent: true},
	})
	o1, body1 := l.order(item("MUG", 1, "10.00"), item("TEE", 1, "10.00"))
	o2, body2 := l.order(item("TEE", 1, "10.00"))
	l.webhook("orders/create", body1)
	l.webhook("orders/create", body2)
	for _, o := range []string{orderIDOf(o1), orderIDOf(o2)} {
		l.wait(o, "its PO sent", func(a *model.Aggregate) bool {
			return len(a.POs) == 1 && a.POs[0].Status == model.POSent
		})
	}
	stored := func() string {
		var out []string
		for _, id := range []string{orderIDOf(o1), orderIDOf(o2)} {
			var raw json.RawMessage
			l.admin("/orders/"+id, &raw)
			out = append(out, string(raw))
		}
		files, _ := filepath.Glob(filepath.Join(l.dir, "var", "out", "*", "*.850.x12"))
		return strings.Join(out, "\n") + fmt.Sprintf("\n850s: %d", len(files))
	}
	before := stored()

	newCfg := replayConfig(t, l, "backup")
	admin := []string{"--url", l.srv.url, "--token", loopAdmin}
	out, errOut, code := dg(t, append([]string{"route", "--replay", "--since", "30d", "--config", newCfg, "--json"}, admin...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var rep replay.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Orders != 2 || len(rep.Changed) != 1 || rep.Changed[0].OrderID != orderIDOf(o1) {
		t.Fatalf("report %+v, want 2 orders and only the first changed", rep)
	}
	c := rep.Changed[0]
	if len(c.Lines) != 1 || c.Lines[0].SKU != "MUG" || strings.Join(c.Lines[0].From, ",") != "acme" || strings.Join(c.Lines[0].To, ",") != "backup" ||
		c.POsBefore != 1 || c.POsAfter != 2 {
		t.Errorf("change %+v, want MUG acme → backup and 1 → 2 POs", c)
	}
	usd := func(s string) []money.Money { return []money.Money{money.MustParse(s, "USD")} }
	if fmt.Sprint(rep.Before.Landed) != fmt.Sprint(usd("7.00")) || fmt.Sprint(rep.After.Landed) != fmt.Sprint(usd("8.00")) {
		t.Errorf("landed %v → %v, want 7.00 → 8.00 USD", rep.Before.Landed, rep.After.Landed)
	}
	if fmt.Sprint(rep.Before.Margin) != fmt.Sprint(usd("23.00")) || fmt.Sprint(rep.After.Margin) != fmt.Sprint(usd("22.00")) {
		t.Errorf("margin %v → %v, want 23.00 → 22.00 USD", rep.Before.Margin, rep.After.Margin)
	}
	// The table says the same for people.
	out, errOut, code = dg(t, append([]string{"route", "--replay", "--since", "30d", "--config", newCfg}, admin...)...)
	if code != 0 || !strings.Contains(out, "acme → backup") || !strings.Contains(out, "1 order(s) would change") {
		t.Errorf("exit %d, table:\n%s\n%s", code, out, errOut)
	}
	if after := stored(); after != before {
		t.Fatalf("the replay changed the store or sent a PO:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// With the server stopped, the CLI reads the store file itself,
	// read-only: the same report, and not a byte of the file changes.
	l.srv.stop(t)
	db := filepath.Join(l.dir, "var", "dropgate.db")
	hash := func() string { b, _ := os.ReadFile(db); return fmt.Sprintf("%x", sha256.Sum256(b)) }
	was := hash()
	out, errOut, code = dg(t, "route", "--replay", "--since", "30d", "--config", newCfg, "--json")
	var local replay.Report
	if code != 0 || json.Unmarshal([]byte(out), &local) != nil {
		t.Fatalf("from the store: exit %d\n%s\n%s", code, out, errOut)
	}
	if len(local.Changed) != 1 || local.Changed[0].OrderID != orderIDOf(o1) || fmt.Sprint(local.After.Landed) != fmt.Sprint(rep.After.Landed) {
		t.Errorf("from the store: %+v, want what the server said", local)
	}
	if hash() != was {
		t.Error("the replay changed the store file")
	}

	// A rule naming an unknown supplier: FILE:LINE from the CLI's loader.
	bad := replayConfig(t, l, "nobody")
	_, errOut, code = dg(t, append([]string{"route", "--replay", "--since", "30d", "--config", bad}, admin...)...)
	if code != 1 || !strings.Contains(errOut, bad+":") || !strings.Contains(errOut, ": routing.rules[0].suppliers[0]: unknown supplier \"nobody\"") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	// And from the API, to a client that posts it without checking.
	l.srv = startServer(t, l.dir)
	body, _ := os.ReadFile(bad)
	req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/api/v1/route/replay?file=NEW.yaml&since="+time.Now().AddDate(0, 0, -1).UTC().Format(time.RFC3339), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+loopAdmin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var probs gateway.ReplayProblems
	_ = json.Unmarshal(raw, &probs)
	if resp.StatusCode != http.StatusUnprocessableEntity || len(probs.Problems) != 1 || !strings.HasPrefix(probs.Problems[0], "NEW.yaml:") ||
		!strings.Contains(probs.Problems[0], "routing.rules[0].suppliers[0]") {
		t.Errorf("API answer %s %s", resp.Status, raw)
	}
}
