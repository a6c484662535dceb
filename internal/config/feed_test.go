package config

import (
	"strings"
	"testing"
	"time"
)

func TestFeedBlock(t *testing.T) {
	cfg, probs := parse(t, `
suppliers:
  - name: acme
    type: testsup
    feed:
      source: { url: "https://feeds.acme.example/stock.csv", headers: { Authorization: "Bearer ${ACME_FEED_TOKEN}" } }
      format: csv
      csv: { delimiter: ";", encoding: latin-1, decimal_comma: true, thousands: "." }
      columns: { supplier_sku: Artikel, sku: EAN, quantity: Bestand, cost: EK, map: UVP_min, msrp: UVP }
      schedule: { every: 15m }
      freshness: 24h
      guardrails: { max_zeroed_share: "0.5", max_price_change: "30" }
`, map[string]string{"ACME_FEED_TOKEN": "tok"})
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	f := cfg.Suppliers[0].Feed
	if f == nil {
		t.Fatal("no feed decoded")
	}
	if f.Source.Headers["Authorization"].Reveal() != "Bearer tok" || f.CSV.Delimiter != ";" || !f.CSV.Numbers.DecimalComma ||
		f.CSV.Numbers.Thousands != "." || f.Columns.MAP != "UVP_min" || f.Schedule.Every != 15*time.Minute || f.Freshness != 24*time.Hour ||
		f.Guardrails.MaxPriceChange.String() != "30" || f.Guardrails.ZeroedShare().String() != "0.5" {
		t.Errorf("decoded %+v", f)
	}
}

func TestFeedProblems(t *testing.T) {
	_, probs := parse(t, `
suppliers:
  - name: acme
    type: testsup
    feed:
      source: { file: ./x.csv, url: "ftp://nope" }
      csv: { delimiter: ";;", encoding: ebcdic }
      columns: { sku: EAN }
      schedule: { cron: "every day" }
      guardrails: { max_zeroed_share: "1.5" }
      unknown: 1
channels:
  - name: shop
    type: testchan
    domain: x
    feed: { source: { file: x } }
`, nil)
	got := make([]string, 0, len(probs))
	for _, p := range probs {
		got = append(got, p.String())
	}
	want := []string{
		`test.yaml:6: suppliers[0].feed.source.file: set exactly one of file, url and sftp`,
		`test.yaml:6: suppliers[0].feed.source.url: "ftp://nope" is not an http(s) URL`,
		`test.yaml:7: suppliers[0].feed.csv.delimiter: ";;": the delimiter is one ASCII character (or "tab")`,
		`test.yaml:7: suppliers[0].feed.csv.encoding: unknown encoding "ebcdic" (known: utf-8, latin-1, windows-1252, iso-8859-15)`,
		`test.yaml:8: suppliers[0].feed.columns.supplier_sku: missing required key`,
		`test.yaml:8: suppliers[0].feed.columns: map at least one of quantity, cost, map, msrp`,
		`test.yaml:9: suppliers[0].feed.schedule.cron: expected exactly 5 fields, found 2: [every day]`,
		`test.yaml:10: suppliers[0].feed.guardrails.max_zeroed_share: 1.5 is not a share between 0 and 1`,
		`test.yaml:11: suppliers[0].feed.unknown: unknown key`,
		`test.yaml:16: channels[0].feed: unknown key`,
	}
	joined := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(joined, w) {
			t.Errorf("missing problem %q", w)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%s", joined)
	}
}
