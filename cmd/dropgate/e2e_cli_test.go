package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/internal/testutil"
)

// cli runs the binary in dir with the admin token of the demo config.
func cli(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DROPGATE_ADMIN_TOKEN=demo-admin-token")
	out, _ := cmd.CombinedOutput()
	return string(out), cmd.ProcessState.ExitCode()
}

// TestOperatorCLI: orders list/show, dead letters list/show/replay/discard
// and exceptions, through the admin API of a running server.
func TestOperatorCLI(t *testing.T) {
	dir := workdir(t)
	s := startServer(t, dir)
	good := newDelivery(t, shop(t))
	if code, err := good.post(s.url); err != nil || code != 200 {
		t.Fatal(code, err)
	}
	bad := signedDelivery(t, `{"id": 77, "line_items": [}`)
	if code, err := bad.post(s.url); err != nil || code != 200 {
		t.Fatal(code, err)
	}
	if _, ok := waitFile(poFile(dir, good.orderID), 10*time.Second); !ok {
		t.Fatal("no PO")
	}
	url := "--url=" + s.url

	out, code := cli(t, dir, "orders", "list", url)
	if code != 0 || !strings.Contains(out, good.orderID) || !strings.Contains(out, "processing") {
		t.Fatalf("orders list (%d):\n%s", code, out)
	}
	out, code = cli(t, dir, "orders", "list", url, "--status", "on_hold")
	if code != 0 || strings.Contains(out, good.orderID) {
		t.Errorf("orders list --status on_hold shows a processing order:\n%s", out)
	}
	out, code = cli(t, dir, "orders", "show", good.orderID, url)
	for _, want := range []string{"Order " + good.orderID, "MUG-BLK-11", "PO", "ACM-MUG-11-BK", "Timeline", "order.received", "po.sent"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("orders show lacks %q (%d):\n%s", want, code, out)
		}
	}
	out, code = cli(t, dir, "orders", "show", good.orderID, url, "--json")
	var agg struct{ Order struct{ ID string } }
	if code != 0 || json.Unmarshal([]byte(out), &agg) != nil || agg.Order.ID != good.orderID {
		t.Errorf("orders show --json (%d):\n%s", code, out)
	}
	if out, code = cli(t, dir, "orders", "show", "ord_nope", url); code != 1 || !strings.Contains(out, "not found") {
		t.Errorf("unknown order: exit %d\n%s", code, out)
	}

	// Dead letters: the malformed delivery, with its raw payload.
	var deadID string
	deadline := time.Now().Add(10 * time.Second)
	for deadID == "" && time.Now().Before(deadline) {
		out, _ = cli(t, dir, "dlq", "list", url, "--json")
		var res struct {
			DeadLetters []struct{ ID string } `json:"dead_letters"`
		}
		if json.Unmarshal([]byte(out), &res) == nil && len(res.DeadLetters) == 1 {
			deadID = res.DeadLetters[0].ID
		}
		time.Sleep(100 * time.Millisecond)
	}
	if deadID == "" {
		t.Fatalf("no dead letter:\n%s", out)
	}
	out, code = cli(t, dir, "dlq", "list", url)
	if code != 0 || !strings.Contains(out, deadID) || !strings.Contains(out, "invalid JSON at line 1") {
		t.Errorf("dlq list (%d):\n%s", code, out)
	}
	out, code = cli(t, dir, "dlq", "show", deadID, url, "--json")
	if code != 0 || !strings.Contains(out, `\"line_items\": [}`) {
		t.Errorf("dlq show lacks the raw payload (%d):\n%s", code, out)
	}
	out, code = cli(t, dir, "exceptions", "list", url)
	if code != 0 || !strings.Contains(out, "dead_letter") || !strings.Contains(out, "retry,discard") {
		t.Errorf("exceptions list (%d):\n%s", code, out)
	}
	// Acting on the exception: an action it does not offer is refused
	// with the reason; resolve closes it.
	out, _ = cli(t, dir, "exceptions", "list", url, "--json")
	var xs struct{ Exceptions []struct{ ID, Kind string } }
	if json.Unmarshal([]byte(out), &xs) != nil || len(xs.Exceptions) != 1 {
		t.Fatalf("exceptions list --json:\n%s", out)
	}
	xid := xs.Exceptions[0].ID
	if out, code = cli(t, dir, "exceptions", "reroute", xid, url); code != 1 || !strings.Contains(out, "action not available") {
		t.Errorf("an action the exception does not offer: exit %d\n%s", code, out)
	}
	if out, code = cli(t, dir, "exceptions", "resolve", xid, url, "--note", "checked by hand", "--json"); code != 0 || !strings.Contains(out, `"status": "resolved"`) || !strings.Contains(out, "checked by hand") {
		t.Errorf("exceptions resolve: exit %d\n%s", code, out)
	}

	// Replay: it fails again (the payload is still bad) and comes back.
	if out, code = cli(t, dir, "dlq", "replay", deadID, url); code != 0 {
		t.Fatalf("dlq replay (%d):\n%s", code, out)
	}
	deadline = time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if out, _ = cli(t, dir, "dlq", "list", url); strings.Contains(out, deadID) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Dead again after the replay: its (resolved) exception is open again.
	deadline = time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if out, _ = cli(t, dir, "exceptions", "list", url); strings.Contains(out, xid) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(out, xid) || !strings.Contains(out, "open") {
		t.Errorf("a replayed job that died again is not back on the exceptions list:\n%s", out)
	}
	if out, code = cli(t, dir, "dlq", "discard", deadID, url); code != 0 {
		t.Fatalf("dlq discard (%d):\n%s", code, out)
	}
	if out, _ = cli(t, dir, "dlq", "list", url); strings.Contains(out, deadID) {
		t.Errorf("discarded dead letter still listed:\n%s", out)
	}
	if out, code = cli(t, dir, "dlq", "replay", deadID, url); code != 1 {
		t.Errorf("replay of a discarded dead letter: exit %d\n%s", code, out)
	}

	// A wrong token is refused, and no secret leaks in the connectors view.
	cmd := exec.Command(binary, "orders", "list", url)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DROPGATE_ADMIN_TOKEN=wrong")
	if b, _ := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(b), "refused the admin token") {
		t.Errorf("wrong token: exit %d\n%s", cmd.ProcessState.ExitCode(), b)
	}
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/connectors", nil)
	req.Header.Set("Authorization", "Bearer demo-admin-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var conns struct{ Connectors []map[string]any }
	json.NewDecoder(resp.Body).Decode(&conns)
	resp.Body.Close()
	raw, _ := json.Marshal(conns)
	if len(conns.Connectors) != 2 || strings.Contains(string(raw), "demo-secret") || strings.Contains(string(raw), "demo-access-token") {
		t.Errorf("connectors: %s", raw)
	}
}

// TestEDICommands: every conformance EDI file parses (exit 0, a tree, and
// valid JSON with --json); acks are produced for documents and refused for
// acknowledgements; a broken file exits 1 with the precise error.
func TestEDICommands(t *testing.T) {
	dir := testutil.ConformanceDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "edi", "*.*"))
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".txt") && strings.Contains(f, "SOURCES") {
			continue
		}
		n++
		out, code := cli(t, ".", "edi", "parse", f)
		if code != 0 || !strings.Contains(out, "interchange") {
			t.Errorf("edi parse %s: exit %d\n%s", filepath.Base(f), code, out)
		}
		out, code = cli(t, ".", "edi", "parse", f, "--json")
		var tree struct {
			Syntax       string
			Interchanges []json.RawMessage
		}
		if code != 0 || json.Unmarshal([]byte(out), &tree) != nil || len(tree.Interchanges) == 0 {
			t.Errorf("edi parse --json %s: exit %d\n%.300s", filepath.Base(f), code, out)
		}
		out, code = cli(t, ".", "edi", "ack", f)
		isAck := strings.Contains(f, "997")
		switch {
		case isAck && (code != 1 || !strings.Contains(out, "never acknowledged")):
			t.Errorf("edi ack of an acknowledgement %s: exit %d\n%s", filepath.Base(f), code, out)
		case !isAck && code != 0:
			t.Errorf("edi ack %s: exit %d\n%s", filepath.Base(f), code, out)
		case !isAck && tree.Syntax == "x12" && !strings.Contains(out, "ST*997*"):
			t.Errorf("edi ack %s is not a 997:\n%s", filepath.Base(f), out)
		case !isAck && tree.Syntax == "edifact" && !strings.Contains(out, "UNH+1+CONTRL"):
			t.Errorf("edi ack %s is not a CONTRL:\n%s", filepath.Base(f), out)
		}
	}
	if n < 8 {
		t.Errorf("only %d EDI samples found", n)
	}
	bad := filepath.Join(t.TempDir(), "bad.x12")
	os.WriteFile(bad, []byte("ISA*00*          *00*          *ZZ*A              *ZZ*B              *261121*1200*U*00401*000000001*0*P*>~GS*PO*A*B*20261121*1200*1*X*004010~ST*850*0001~BEG*00*SA*1**20261121~SE*4*0001~GE*1*1~IEA*1*000000001~"), 0o644)
	out, code := cli(t, ".", "edi", "parse", bad)
	if code != 1 || !strings.Contains(out, "set 0001 segment 3 (SE): SE01=4 but the set has 3 segments") {
		t.Errorf("broken file: exit %d\n%s", code, out)
	}
}

// TestRouteExplain: a Shopify webhook body routed with the demo config,
// every line explained.
func TestRouteExplain(t *testing.T) {
	dir := workdir(t)
	order := `{"id": 9007199254740993, "name": "#1001", "currency": "USD",
 "shipping_address": {"name": "Ada", "address1": "1 Road", "city": "Austin", "province_code": "TX", "zip": "78701", "country_code": "US"},
 "line_items": [{"id": 1, "sku": "MUG-BLK-11", "quantity": 2, "price": "14.95"}, {"id": 2, "sku": "TEE-WHT-M", "quantity": 100, "price": "25.00"}, {"id": 3, "sku": "NOPE", "quantity": 1, "price": "1.00"}]}`
	os.WriteFile(filepath.Join(dir, "order.json"), []byte(order), 0o644)
	out, code := cli(t, dir, "route", "--config", "configs/demo.yaml", "--explain", "order.json")
	for _, want := range []string{
		"winner   acme (ACM-MUG-11-BK)",
		"unroutable: no eligible supplier for SKU TEE-WHT-M (acme: stock 80 (minus safety buffer 2) is below quantity 100)",
		"unroutable: SKU NOPE is carried by no supplier",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("route --explain lacks %q (exit %d):\n%s", want, code, out)
		}
	}
	out, code = cli(t, dir, "route", "--config", "configs/demo.yaml", "--explain", "order.json", "--json")
	var res struct{ Lines []struct{ SKU string } }
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || len(res.Lines) != 3 {
		t.Errorf("route --json (exit %d):\n%.400s", code, out)
	}
}
