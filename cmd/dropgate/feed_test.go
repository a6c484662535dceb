package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/internal/feed"
	"github.com/dropgate/dropgate/internal/store/embedded"
	"github.com/dropgate/dropgate/internal/testutil"
)

var updateFeedGolden = flag.Bool("update-feed", false, "rewrite testdata/feed_*.golden")

// feedWorkdir writes a config whose supplier acme has a CSV feed with
// German conventions, a catalog file and an embedded store, all in a
// fresh directory.
func feedWorkdir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("catalog.csv", "supplier_sku,sku,cost,stock\nA-4,TEE-L,7.00,3\n")
	write("config.yaml", strings.ReplaceAll(`
store: { driver: embedded, path: DIR/var/dropgate.db }
suppliers:
  - name: acme
    type: edi_x12
    catalog: { file: DIR/catalog.csv }
    currency: EUR
    partner: { sender_qualifier: ZZ, sender_id: DROPGATE, receiver_qualifier: ZZ, receiver_id: ACME, version: "004010", usage: T }
    transport: { type: directory, outbox: DIR/var/outbox, inbox: DIR/var/inbox }
    feed:
      source: { file: DIR/stock.csv }
      csv: { delimiter: ";", encoding: latin-1, decimal_comma: true, thousands: "." }
      columns: { supplier_sku: Artikel, sku: EAN, quantity: Bestand, cost: EK, map: UVP_min, msrp: UVP }
      freshness: 24h
      guardrails: { max_zeroed_share: "0.5", max_price_change: "30" }
      max_error_share: "0.25"
  - name: plain
    type: edi_x12
    partner: { sender_qualifier: ZZ, sender_id: DROPGATE, receiver_qualifier: ZZ, receiver_id: PLAIN, version: "004010", usage: T }
    transport: { type: directory, outbox: DIR/var/outbox2 }
`, "DIR", dir))
	return dir
}

// writeStock writes the feed in Windows-1252.
func writeStock(t *testing.T, dir, content string) {
	t.Helper()
	var b []byte
	for _, r := range content {
		switch r {
		case 'ü':
			b = append(b, 0xFC)
		case '€':
			b = append(b, 0x80)
		default:
			b = append(b, byte(r))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "stock.csv"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func runCLI(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

const stockV1 = "Artikel;EAN;Bestand;EK;UVP_min;UVP;Titel\n" +
	"A-1;4006381333931;10;12,50;19,99;24,99;Tasse\n" +
	"A-2;4006381333948;5;3,00;;;Becher\n" +
	"A-3;4006381333955;8;1.200,00;;1.499,00;Küchenmaschine €\n" +
	"A-4;;3;7,00;;;T-Shirt\n"

const stockV2 = "Artikel;EAN;Bestand;EK;UVP_min;UVP;Titel\n" +
	"A-1;4006381333931;10;13,75;19,99;24,99;Tasse\n" + // cost +10%
	"A-2;4006381333948;0;3,00;;;Becher\n" + // zeroed
	"A-3;4006381333955;8;1.140,00;;1.499,00;Küchenmaschine €\n" + // cost -5%
	"A-5;4006381333962;2;4,00;;;Neu\n" + // new; A-4 missing
	"A-6;4006381333979;x;4,00;;;Kaputt\n" // bad row

func TestFeedImportDryRunGolden(t *testing.T) {
	dir := feedWorkdir(t)
	cfg := filepath.Join(dir, "config.yaml")
	writeStock(t, dir, stockV1)
	out, errOut, code := runCLI("feed", "import", "--config", cfg, "--supplier", "acme")
	if code != 0 || !strings.Contains(out, "applied: routing uses it now") {
		t.Fatalf("first import (%d):\n%s\n%s", code, out, errOut)
	}
	writeStock(t, dir, stockV2)
	out, errOut, code = runCLI("feed", "import", "--config", cfg, "--supplier", "acme", "--dry-run")
	if code != 0 {
		t.Fatalf("dry run exit %d:\n%s\n%s", code, out, errOut)
	}
	got := strings.ReplaceAll(out, dir, "$DIR")
	golden := filepath.Join("testdata", "feed_dry_run.golden")
	if *updateFeedGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-feed)", err)
	}
	if got != string(want) {
		t.Errorf("dry run output:\n%s\nwant:\n%s", got, want)
	}
	// Not a terminal: plain progress lines, no carriage returns.
	if !regexp.MustCompile(`(?m)^feed acme: 5 rows, 0\.0 MB of 0\.0 MB \(100%\)(, [\d,]+ rows/s)?$`).MatchString(errOut) || strings.Contains(errOut, "\r") {
		t.Errorf("progress on a non-terminal:\n%q", errOut)
	}
	// The dry run stored nothing: the real import shows the same diff.
	out, _, code = runCLI("feed", "import", "--config", cfg, "--supplier", "acme")
	if code != 0 || !strings.Contains(out, "  changed               2\n  zeroed                1\n  new                   1\n  missing               1\n") {
		t.Errorf("import after the dry run (%d):\n%s", code, out)
	}
	// Nothing changed since: nothing to do.
	out, _, code = runCLI("feed", "import", "--config", cfg, "--supplier", "acme")
	if code != 0 || !strings.Contains(out, "unchanged since the last import") {
		t.Errorf("unchanged (%d):\n%s", code, out)
	}
}

func TestFeedImportExitCodes(t *testing.T) {
	dir := feedWorkdir(t)
	cfg := filepath.Join(dir, "config.yaml")
	writeStock(t, dir, stockV1)
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no subcommand", []string{"feed"}, exitUser, "usage: dropgate feed import"},
		{"no supplier", []string{"feed", "import", "--config", cfg}, exitUser, "usage: dropgate feed import"},
		{"unknown supplier", []string{"feed", "import", "--config", cfg, "--supplier", "nope"}, exitUser, `has no supplier "nope"`},
		{"no feed block", []string{"feed", "import", "--config", cfg, "--supplier", "plain"}, exitUser, `supplier "plain" has no feed: block`},
		{"unreadable --file", []string{"feed", "import", "--config", cfg, "--supplier", "acme", "--file", filepath.Join(dir, "missing.csv")}, exitUser, "--file: open"},
		{"bad config", []string{"feed", "import", "--config", filepath.Join(dir, "catalog.csv"), "--supplier", "acme"}, exitUser, "problem(s)"},
		{"too many bad rows", []string{"feed", "import", "--config", cfg, "--supplier", "acme", "--file", writeTemp(t, dir, "Artikel;EAN;Bestand;EK;UVP_min;UVP\nA;;x;1;;\n")}, exitUser, "1 of 1 rows are bad"},
		{"applied", []string{"feed", "import", "--config", cfg, "--supplier", "acme"}, exitOK, ""},
		{"quarantined", []string{"feed", "import", "--config", cfg, "--supplier", "acme", "--file", writeTemp(t, dir, "Artikel;EAN;Bestand;EK;UVP_min;UVP\nA-1;4006381333931;0;12,50;;\n")}, exitUser, "approve it with `dropgate exceptions approve exc_"},
	}
	for _, c := range cases {
		out, errOut, code := runCLI(c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%s: exit %d, want %d; stderr lacks %q:\n%s\n%s", c.name, code, c.code, c.msg, out, errOut)
		}
	}
	// The embedded store held by another process: the import would go
	// through the server, which needs the admin token (exit 1)…
	st, err := embedded.Open(filepath.Join(dir, "var", "dropgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t.Setenv("DROPGATE_URL", "")
	t.Setenv("DROPGATE_ADMIN_TOKEN", "")
	_, errOut, code := runCLI("feed", "import", "--config", cfg, "--supplier", "acme", "--force")
	if code != exitUser || !strings.Contains(errOut, "is held by a running dropgate server; to import through it: no admin token") {
		t.Errorf("locked store, no token: exit %d\n%s", code, errOut)
	}
	// …and a server that answers (exit 2 when none does).
	url := "http://" + testutil.ClosedAddr(t)
	_, errOut, code = runCLI("feed", "import", "--config", cfg, "--supplier", "acme", "--force", "--token", "t", "--url", url)
	if code != exitRuntime || !strings.Contains(errOut, "feed import: no server answers at "+url+"; importing into the store directly") ||
		!strings.Contains(errOut, "is in use by another dropgate process, and no server answers at "+url) {
		t.Errorf("locked store, no server: exit %d\n%s", code, errOut)
	}
}

var tempN int

func writeTemp(t *testing.T, dir, content string) string {
	t.Helper()
	tempN++
	p := filepath.Join(dir, fmt.Sprintf("override-%d.csv", tempN))
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFeedProgressOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	p := newFeedProgress(&buf, "acme", true, func() time.Time { return now })
	now = now.Add(time.Second)
	p.update(feed.Progress{Bytes: 50 << 20, Total: 100 << 20, Rows: 500_000, Elapsed: 2 * time.Second})
	now = now.Add(10 * time.Millisecond) // too soon to redraw
	p.update(feed.Progress{Bytes: 51 << 20, Total: 100 << 20, Rows: 510_000, Elapsed: 2 * time.Second})
	p.update(feed.Progress{Bytes: 100 << 20, Total: 100 << 20, Rows: 1_000_000, Elapsed: 4 * time.Second, Done: true})
	p.finish()
	want := "\r\x1b[Kacme [===============               ] 500,000 rows, 50.0 MB of 100.0 MB (50%), 250,000 rows/s" +
		"\r\x1b[Kacme [==============================] 1,000,000 rows, 100.0 MB of 100.0 MB (100%), 250,000 rows/s\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
	// Unknown size (a chunked HTTP download): no bar, the bytes so far.
	buf.Reset()
	p = newFeedProgress(&buf, "acme", true, func() time.Time { return now.Add(time.Hour) })
	p.update(feed.Progress{Bytes: 3 << 20, Total: -1, Rows: 10, Elapsed: time.Second})
	if want := "\r\x1b[Kacme 10 rows, 3.0 MB, 10 rows/s"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}
