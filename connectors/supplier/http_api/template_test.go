package http_api

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// TestCreateBodyGolden renders the README's create_order body for the
// sample PO: exact money strings, quotes, backslashes and line breaks in
// the address escaped.
func TestCreateBodyGolden(t *testing.T) {
	cfg := readmeConfig(t, "https://api.acme-supply.example", "tok")
	comp, ps := compile(cfg)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	req, err := comp.create.render(sampleData())
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, req.body, "", "  "); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, req.body)
	}
	pretty.WriteByte('\n')
	golden := filepath.Join("testdata", "create_order.golden.json")
	if *update {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("body differs from %s:\n%s", golden, pretty.Bytes())
	}
	var got struct {
		ShipTo struct{ Name, Address1, Address2 string } `json:"ship_to"`
		Lines  []struct {
			UnitPrice string `json:"unit_price"`
		} `json:"lines"`
	}
	if err := json.Unmarshal(req.body, &got); err != nil {
		t.Fatal(err)
	}
	d := sampleData()
	if got.ShipTo.Name != d.PO.ShipTo.Name || got.ShipTo.Address1 != d.PO.ShipTo.Line1 || got.ShipTo.Address2 != d.PO.ShipTo.Line2 {
		t.Errorf("address did not survive: %+v", got.ShipTo)
	}
	if len(got.Lines) != 2 || got.Lines[0].UnitPrice != "4.50" || got.Lines[1].UnitPrice != "12.99" {
		t.Errorf("prices %+v", got.Lines)
	}
	if req.header.Get("Content-Type") != "application/json" || req.header.Get("Authorization") != "Bearer tok" || req.header.Get("X-Client") != "dropgate" {
		t.Errorf("headers %v", req.header)
	}
}

func TestTemplateFuncs(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))
	tests := []struct {
		tmpl string
		data any
		want string
	}{
		{`{{ json . }}`, `say "hi" <b> \ ` + "\n", `"say \"hi\" <b> \\ \n"`},
		{`{{ money . }}`, money.MustParse("1999", "JPY"), `1999`},
		{`{{ money . }}`, money.MustParse("0.5", "KWD"), `0.500`},
		{`{{ money . | json }}`, money.MustParse("-3.10", "USD"), `"-3.10"`},
		{`{{ minor . }}`, money.MustParse("3.10", "USD"), `310`},
		{`{{ date . }} {{ datetime . }}`, at, `2026-01-02 2026-01-02T02:04:05Z`},
		{`{{ date . }}`, (*time.Time)(nil), ``},
		{`{{ timeformat "20060102" . }}`, &at, `20260102`},
		{`{{ default "n/a" . }}`, " ", `n/a`},
		{`{{ truncate 3 . }}`, "Zürich", `Zür`},
		{`{{ pathescape . }}`, "a/b c", `a%2Fb%20c`},
		{`{{ queryescape . }}`, "a&b c", `a%26b+c`},
		{`{{ add 1 . }}`, 2, `3`},
		{`{{ money (.UnitCost.Mul .Quantity) }}`, model.POLine{Quantity: 3, UnitCost: money.MustParse("4.50", "USD")}, `13.50`},
	}
	for _, tt := range tests {
		tmpl, err := parseTemplate("t", tt.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := tmpl.Execute(&b, tt.data); err != nil {
			t.Errorf("%s: %v", tt.tmpl, err)
			continue
		}
		if b.String() != tt.want {
			t.Errorf("%s on %v = %q, want %q", tt.tmpl, tt.data, b.String(), tt.want)
		}
	}
}

// TestCheck: every problem Check finds without touching the network,
// each at its key path.
func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		path string
		want string
	}{
		{"body forgets json", func(c *Config) {
			c.CreateOrder.Body = `{"name": "{{ .PO.ShipTo.Name }}"}`
		}, "create_order.body", "does not render to JSON"},
		{"template syntax", func(c *Config) { c.CreateOrder.Body = `{"a": {{ json .PO.Number }` }, "create_order.body", "unexpected"},
		{"unknown function", func(c *Config) { c.CreateOrder.Body = `{"a": {{ jsn .PO.Number }}}` }, "create_order.body", `function "jsn" not defined`},
		{"missing field", func(c *Config) { c.CreateOrder.Body = `{"a": {{ json .PO.Nope }}}` }, "create_order.body", "can't evaluate field Nope"},
		{"status cannot use the order", func(c *Config) { c.Status.URL = "https://x.example/{{ .Order.ID }}" }, "status.url", "nil pointer"},
		{"relative url", func(c *Config) { c.CreateOrder.URL = "/v2/orders" }, "create_order.url", "not an absolute http(s) URL"},
		{"header with a line break", func(c *Config) {
			c.CreateOrder.Headers = map[string]string{"X-Note": "{{ .PO.ShipTo.Line2 }}"}
		}, "create_order", "line break"},
		{"header template", func(c *Config) { c.Headers["X-Bad"] = "{{ .Nope" }, "headers.X-Bad", "unclosed action"},
		{"no url", func(c *Config) { c.CreateOrder.URL = "" }, "create_order.url", "missing required key"},
		{"bad method", func(c *Config) { c.CreateOrder.Method = "FETCH" }, "create_order.method", "must be GET"},
		{"GET with a body", func(c *Config) { c.Status.Body = `{}` }, "status.body", "no body"},
		{"credential in plain headers", func(c *Config) { c.Headers["X-Api-Key"] = "abc" }, "headers.X-Api-Key", "move it to secret_headers"},
		{"credential in an endpoint's headers", func(c *Config) {
			c.CreateOrder.Headers = map[string]string{"Authorization": "Bearer x"}
		}, "create_order.headers.Authorization", "credential"},
		{"credential in the url", func(c *Config) {
			c.CreateOrder.URL = "https://x.example/v2/orders?api_key=abc123"
		}, "create_order.url", "secret_query"},
		{"bad json path", func(c *Config) { c.CreateOrder.Response.OrderID = "$.order..id" }, "create_order.response.order_id", "offset 8"},
		{"one value with [*]", func(c *Config) { c.CreateOrder.Response.OrderID = "$.orders[*].id" }, "create_order.response.order_id", "cannot hold [*]"},
		{"list without [*]", func(c *Config) { c.CreateOrder.Response.Lines.Path = "$.order.lines" }, "create_order.response.lines.path", "elements of a list"},
		{"line ref missing", func(c *Config) { c.CreateOrder.Response.Lines.Ref = "" }, "create_order.response.lines.ref", "missing required key"},
		{"bad match", func(c *Config) { c.CreateOrder.Response.Lines.Match = "gtin" }, "create_order.response.lines.match", "line_no, sku or supplier_sku"},
		{"no idempotency", func(c *Config) {
			c.Idempotency.Header, c.Idempotency.Lookup, c.CreateOrder.ConflictOrderID = "none", nil, ""
		}, "idempotency", "could order twice"},
		{"bad header name", func(c *Config) { c.Idempotency.Header = "Idem Key" }, "idempotency.header", "not a valid header name"},
		{"lookup without id", func(c *Config) { c.Idempotency.Lookup.Response.OrderID = "" }, "idempotency.lookup.response.order_id", "required"},
		{"status twice", func(c *Config) { c.Statuses["shipped"] = append(c.Statuses["shipped"], "Accepted") }, "statuses.shipped", "also listed under accepted"},
		{"unknown meaning", func(c *Config) { c.Statuses["lost"] = []string{"x"} }, "statuses.lost", "unknown status meaning"},
		{"poll too often", func(c *Config) { c.Status.Every = time.Second }, "status.every", "30s"},
		{"status path required", func(c *Config) { c.Status.Mapping.Status = "" }, "status.mapping.status", "missing required key"},
		{"tracking and packages", func(c *Config) { c.Status.Mapping.Shipments.Tracking = "tracking[*]" }, "status.mapping.shipments.tracking", "not both"},
		{"refused not 4xx", func(c *Config) { c.CancelOrder.Refused = []int{500} }, "cancel_order.refused[0]", "not a 4xx"},
		{"carrier code", func(c *Config) { c.Carriers["Foo"] = "Foo Express" }, "carriers.Foo", "lower-case word"},
	}
	if ps := readmeConfig(t, "https://api.acme-supply.example", "tok").Check(); len(ps) > 0 {
		t.Fatalf("the README config has problems: %v", ps)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := readmeConfig(t, "https://api.acme-supply.example", "tok")
			tt.edit(cfg)
			ps := cfg.Check()
			for _, p := range ps {
				if p.Path == tt.path && strings.Contains(p.Message, tt.want) {
					return
				}
			}
			t.Fatalf("want %s: …%s…, got %v", tt.path, tt.want, ps)
		})
	}
}
