package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitJSON runs a --json command until cond accepts its decoded answer
// (a hang guard bounds the wait, not a timing assertion).
func waitJSON(t *testing.T, cond func(map[string]any) bool, args ...string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, errOut, code := dg(t, args...)
		var v map[string]any
		if code == 0 && json.Unmarshal([]byte(out), &v) == nil && cond(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never got there (exit %d):\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func list(v map[string]any, key string) []any {
	l, _ := v[key].([]any)
	return l
}

func field(v any, key string) string {
	m, _ := v.(map[string]any)
	s, _ := m[key].(string)
	return s
}

// TestEveryCommandPrintsJSON walks the command tree against a running
// server: every command that prints data prints a table (or its own
// human form) without --json and valid JSON with it. A command added
// without a row here fails the test.
func TestEveryCommandPrintsJSON(t *testing.T) {
	s := startInProcess(t)
	adm := s.admin()
	tmp := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// Before any traffic: nothing has happened yet, and says "never".
	out, _, code := dg(t, append([]string{"connectors"}, adm...)...)
	if code != 0 || !strings.Contains(out, "never") || strings.Contains(out, "0001-01-01") {
		t.Errorf("connectors before any traffic should say never (exit %d):\n%s", code, out)
	}

	// Traffic: one good order, two deliveries that die (signed, malformed).
	trigger := []string{"trigger", "--config", s.config, "--connector", "shop", "--event", "orders/create", "--url", s.url}
	if out, errOut, code := dg(t, trigger...); code != 0 {
		t.Fatalf("trigger: exit %d\n%s%s", code, out, errOut)
	}
	bad := write("bad.json", `{"id": 77, "line_items": [}`)
	for i := 0; i < 2; i++ {
		if out, errOut, code := dg(t, append(trigger, "--file", bad)...); code != 0 {
			t.Fatalf("trigger --file: exit %d\n%s%s", code, out, errOut)
		}
	}
	orders := waitJSON(t, func(v map[string]any) bool { return len(list(v, "orders")) == 1 }, append([]string{"orders", "list", "--json"}, adm...)...)
	orderID := field(list(orders, "orders")[0], "id")
	dead := waitJSON(t, func(v map[string]any) bool { return len(list(v, "dead_letters")) == 2 }, append([]string{"dlq", "list", "--json"}, adm...)...)
	dead1, dead2 := field(list(dead, "dead_letters")[0], "id"), field(list(dead, "dead_letters")[1], "id")
	xs := waitJSON(t, func(v map[string]any) bool { return len(list(v, "exceptions")) == 2 }, append([]string{"exceptions", "list", "--json"}, adm...)...)
	xid := field(list(xs, "exceptions")[0], "id")

	order := write("order.json", `{"id": 9007199254740993, "name": "#1001", "currency": "USD",
 "shipping_address": {"name": "Ada", "address1": "1 Road", "city": "Austin", "province_code": "TX", "zip": "78701", "country_code": "US"},
 "line_items": [{"id": 1, "sku": "MUG-BLK-11", "quantity": 2, "price": "14.95"}]}`)
	edi := write("po.x12", "ISA*00*          *00*          *ZZ*A              *ZZ*B              *261121*1200*U*00401*000000001*0*P*>~GS*PO*AA*BB*20261121*1200*1*X*004010~ST*850*0001~BEG*00*SA*1**20261121~SE*3*0001~GE*1*1~IEA*1*000000001~")
	feedCfg := feedConfig(t, tmp)

	type row struct {
		args  []string // without --json
		human string   // in the output without --json
		fails string   // the command is expected to fail with this (flags accepted)
	}
	a := func(args ...string) []string { return append(args, adm...) }
	rows := map[string]row{
		"validate":           {args: []string{"validate", "--config", s.config}, human: ": ok ("},
		"trigger":            {args: trigger, human: "→ 200 OK"},
		"orders list":        {args: a("orders", "list"), human: "ORDER  "},
		"orders show":        {args: a("orders", "show", orderID), human: "Timeline"},
		"exceptions list":    {args: a("exceptions", "list"), human: "ACTIONS"},
		"exceptions resolve": {args: a("exceptions", "resolve", xid, "--note", "by hand"), human: "resolve, resolved"},
		"exceptions reroute": {args: a("exceptions", "reroute", xid), fails: "not available"},
		"exceptions release": {args: a("exceptions", "release", xid), fails: "not available"},
		"orders release":     {args: a("orders", "release", orderID), fails: "not held for release"},
		"orders cancel":      {args: a("orders", "cancel", "ord_nope"), fails: "not found"},
		"exceptions retry":   {args: a("exceptions", "retry", "x_nope"), fails: "not found"},
		"exceptions discard": {args: a("exceptions", "discard", "x_nope"), fails: "not found"},
		"exceptions approve": {args: a("exceptions", "approve", "x_nope"), fails: "not found"},
		"dlq list":           {args: a("dlq", "list"), human: "LAST ERROR"},
		"dlq show":           {args: a("dlq", "show", dead1), human: `"line_items": [}`},
		"dlq replay":         {args: a("dlq", "replay", dead1), human: "replayed " + dead1},
		"dlq discard":        {args: a("dlq", "discard", dead2), human: "discarded " + dead2},
		"connectors":         {args: a("connectors"), human: "LAST SUCCESS"},
		"queues":             {args: a("queues"), human: "OLDEST READY"},
		"route":              {args: []string{"route", "--config", s.config, "--explain", order}, human: "winner"},
		"edi parse":          {args: []string{"edi", "parse", edi}, human: "set 850 0001"},
		"edi ack":            {args: []string{"edi", "ack", edi}, human: "ST*997*"},
		"feed import":        {args: []string{"feed", "import", "--config", feedCfg, "--supplier", "acme", "--dry-run"}, human: "dry run: nothing stored"},
		// Its sweep is TestSweepCatchesWhatWebhooksMissed's; here the flags.
		"reconcile":   {args: a("reconcile", "--config", s.config, "--channel", "nope"), fails: `has no channel "nope"`},
		"healthcheck": {args: []string{"healthcheck", "--url", s.url}, human: "ok: " + s.url + "/readyz answered 200"},
		"version":     {args: []string{"version"}, human: "dropgate dev"},
	}
	rows["payables list"] = row{args: a("payables", "list"), human: "PAYABLE"}
	rows["payables export"] = row{args: a("payables", "export", "--format", "csv"), human: "id,supplier,invoice_number"}
	rows["payables paid"] = row{args: a("payables", "paid", "pay_nope"), fails: "not found"}
	rows["suppliers scorecard"] = row{args: a("suppliers", "scorecard", "acme"), human: "fill_rate"}
	rows["reports margin"] = row{args: a("reports", "margin", "--since", "720h"), human: "MARGIN %"}
	rows["orders return"] = row{args: a("orders", "return", orderID, "--line", "NOPE:1"), fails: "no line with SKU"}
	rows["returns list"] = row{args: a("returns", "list"), human: "RETURN"}
	rows["returns show"] = row{args: a("returns", "show", "ret_nope"), fails: "not found"}
	rows["returns authorize"] = row{args: a("returns", "authorize", "ret_nope", "--rma", "R1"), fails: "not found"}
	rows["returns reject"] = row{args: a("returns", "reject", "ret_nope", "--reason", "worn"), fails: "not found"}
	rows["returns received"] = row{args: a("returns", "received", "ret_nope"), fails: "not found"}
	// Commands with no data to print: what they do instead.
	exempt := map[string]string{
		"demo":                 "tells a story as it happens; --keep leaves the admin API up, which every command above reads",
		"serve":                "a server: its logs are JSON off a terminal (DROPGATE_LOG_FORMAT)",
		"completion":           "prints a shell script",
		"portal hash-password": "prints one bcrypt hash to paste into the config, read from a prompt or stdin",
	}
	walk(commandTree(), func(path string, c *command) {
		if c.run == nil {
			return
		}
		r, ok := rows[path]
		if _, skip := exempt[path]; skip {
			return
		}
		if !ok {
			t.Errorf("%s: no --json row in this test", path)
			return
		}
		if r.fails != "" {
			out, errOut, code := dg(t, append(r.args, "--json")...)
			if code != exitUser || !strings.Contains(errOut, r.fails) || strings.Contains(errOut, "flag provided but not defined") {
				t.Errorf("%s --json: exit %d, want 1 with %q\n%s%s", path, code, r.fails, out, errOut)
			}
			return
		}
		if path == "dlq replay" || path == "dlq discard" || path == "exceptions resolve" {
			// Acting twice is not the same act: the human form is checked
			// on the first run, JSON on a fresh target below.
			out, errOut, code := dg(t, r.args...)
			if code != 0 || !strings.Contains(out, r.human) || json.Valid([]byte(out)) {
				t.Errorf("%s: exit %d, want a line with %q\n%s%s", path, code, r.human, out, errOut)
			}
			return
		}
		out, errOut, code := dg(t, r.args...)
		if code != 0 || !strings.Contains(out, r.human) || json.Valid([]byte(out)) {
			t.Errorf("%s: exit %d, want a human form with %q\n%s%s", path, code, r.human, out, errOut)
		}
		out, errOut, code = dg(t, append(r.args, "--json")...)
		if code != 0 || !json.Valid([]byte(out)) {
			t.Errorf("%s --json: exit %d, not JSON\n%s%s", path, code, out, errOut)
		}
	})
	// The acting commands' --json, on what is left to act on.
	waitJSON(t, func(v map[string]any) bool { return len(list(v, "dead_letters")) == 1 }, append([]string{"dlq", "list", "--json"}, adm...)...)
	for _, args := range [][]string{
		a("dlq", "replay", "--all", "--json"),
		a("exceptions", "resolve", field(list(xs, "exceptions")[1], "id"), "--json"),
	} {
		out, errOut, code := dg(t, args...)
		if code != 0 || !json.Valid([]byte(out)) {
			t.Errorf("%s: exit %d, not JSON\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	waitJSON(t, func(v map[string]any) bool { return len(list(v, "dead_letters")) == 1 }, append([]string{"dlq", "list", "--json"}, adm...)...)
	if out, errOut, code := dg(t, a("dlq", "discard", dead1, "--json")...); code != 0 || !json.Valid([]byte(out)) {
		t.Errorf("dlq discard --json: exit %d\n%s%s", code, out, errOut)
	}
}

// feedConfig writes a config whose supplier acme has a CSV feed.
func feedConfig(t *testing.T, dir string) string {
	t.Helper()
	os.WriteFile(filepath.Join(dir, "stock.csv"), []byte("supplier_sku,sku,quantity,cost\nA-1,MUG-1,10,4.00\n"), 0o644)
	cfg := strings.ReplaceAll(`
store: { driver: embedded, path: DIR/feedvar/dropgate.db }
suppliers:
  - name: acme
    type: edi_x12
    currency: USD
    partner: { sender_qualifier: ZZ, sender_id: DROPGATE, receiver_qualifier: ZZ, receiver_id: ACME, version: "004010", usage: T }
    transport: { type: directory, outbox: DIR/feedvar/outbox }
    feed:
      source: { file: DIR/stock.csv }
      columns: { supplier_sku: supplier_sku, sku: sku, quantity: quantity, cost: cost }
`, "DIR", dir)
	p := filepath.Join(dir, "feed.yaml")
	os.WriteFile(p, []byte(cfg), 0o644)
	return p
}
