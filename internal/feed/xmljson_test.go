package feed

import (
	"reflect"
	"strings"
	"testing"
)

func TestXMLStreaming(t *testing.T) {
	cfg := &Config{Source: Source{File: "stock.xml"}, XML: XMLOptions{Record: "item"},
		Columns: Columns{SupplierSKU: "@id", SKU: "ean", Quantity: "stock/available", Cost: "price/cost", MAP: "price/@map",
			MSRP: "price/msrp", Title: "name", ShipFrom: "stock/@warehouse"}}
	data := `<?xml version="1.0" encoding="UTF-8"?>
<feed generated="2026-11-21">
  <meta><item id="not-a-record-here"/></meta>
  <items>
    <item id="A-1">
      <ean>4006381333931</ean>
      <name>Mug &amp; saucer &nbsp;black</name>
      <stock warehouse="DE-1"><available>12</available></stock>
      <price map="14.99"><cost>7.25</cost><msrp>19.99</msrp></price>
    </item>
    <item id="A-2"><ean>4006381333948</ean><name><![CDATA[Tee <L>]]></name>
      <stock warehouse="DE-1"><available>0</available></stock><price><cost>3</cost></price></item>
    <item id="A-3"><stock><available>many</available></stock><price><cost>1</cost></price></item>
  </items>
</feed>`
	snap, b, err := parseFeed(t, cfg, "stock.xml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	// The <item> inside <meta> is a record too (records match at any
	// depth): it has no stock, so it is a bad row, as is A-3.
	wantErrs := []string{
		`stock.xml:3: column "stock/available" (quantity): empty`,
		`stock.xml:13: column "stock/available" (quantity): "many": invalid character 'm'`,
	}
	if got := errorStrings(b); !reflect.DeepEqual(got, wantErrs) {
		t.Errorf("errors %q\nwant %q", got, wantErrs)
	}
	want := []Offer{
		{SupplierSKU: "A-1", SKU: "4006381333931", Title: "Mug & saucer \u00a0black", ShipFrom: "DE-1", Stock: 12, Cost: 725, MAP: 1499, MSRP: 1999,
			HasStock: true, HasCost: true, HasMAP: true, HasMSRP: true},
		{SupplierSKU: "A-2", SKU: "4006381333948", Title: "Tee <L>", ShipFrom: "DE-1", Stock: 0, Cost: 300, HasStock: true, HasCost: true},
	}
	if got := offers(snap); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestXMLLatin1Declared(t *testing.T) {
	cfg := &Config{Source: Source{File: "s.xml"}, XML: XMLOptions{Record: "p"}, Columns: Columns{SupplierSKU: "@id", Quantity: "@q", Title: "."}}
	data := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r><p id=\"1\" q=\"2\">Gr\xf6\xdfe</p></r>")
	snap, b, err := parseFeed(t, cfg, "s.xml", data)
	if err != nil || b.Bad != 0 {
		t.Fatal(err, errorStrings(b))
	}
	if o := snap.At(0); o.Title != "Größe" || o.Stock != 2 {
		t.Errorf("got %+v", o)
	}
}

func TestXMLSyntaxError(t *testing.T) {
	cfg := &Config{Source: Source{File: "s.xml"}, XML: XMLOptions{Record: "p"}, Columns: Columns{SupplierSKU: "@id", Quantity: "@q"}}
	_, _, err := parseFeed(t, cfg, "s.xml", []byte("<r>\n<p id=\"1\" q=\"2\"/>\n<p id=\"2\" q=\"3\">\n</r>"))
	if err == nil || !strings.HasPrefix(err.Error(), "s.xml:4: XML: element <p> closed by </r>") {
		t.Errorf("got %v", err)
	}
}

func TestJSONStreaming(t *testing.T) {
	cfg := &Config{Source: Source{File: "stock.json"}, JSON: JSONOptions{Records: "data.items"},
		Columns: Columns{SupplierSKU: "id", SKU: "sku", Quantity: "stock.available", Cost: "prices.cost", MSRP: "prices.msrp", GTIN: "gtin"}}
	data := `{"meta": {"count": 3, "items": [{"id": "decoy"}]},
	 "data": {"page": 1, "items": [
	   {"id": "A-1", "sku": "S1", "gtin": "04006381333931", "stock": {"available": 12, "reserved": [1, 2]}, "prices": {"cost": 7.25, "msrp": "19.99"}},
	   {"id": "A-2", "sku": "S2", "stock": {"available": 0}, "prices": {"cost": 12345678901234567.89}},
	   {"id": "A-3", "stock": {"available": 1e3}, "prices": {"cost": 1}},
	   "not an object",
	   {"id": "A-4", "stock": {"available": 2}, "prices": {"cost": 0.1, "msrp": null}}
	 ]}, "trailer": true}`
	snap, b, err := parseFeed(t, cfg, "stock.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	wantErrs := []string{
		`stock.json: $.data.items[2]: column "stock.available" (quantity): "1e3": invalid character 'e'`,
		`stock.json: $.data.items[3]: the record is not an object`,
	}
	if got := errorStrings(b); !reflect.DeepEqual(got, wantErrs) {
		t.Errorf("errors %q\nwant %q", got, wantErrs)
	}
	want := []Offer{
		{SupplierSKU: "A-1", SKU: "S1", GTIN: "04006381333931", Stock: 12, Cost: 725, MSRP: 1999, HasStock: true, HasCost: true, HasMSRP: true},
		// Beyond float64's 2^53: exact, never rounded through a float.
		{SupplierSKU: "A-2", SKU: "S2", Stock: 0, Cost: 1234567890123456789, HasStock: true, HasCost: true},
		{SupplierSKU: "A-4", Stock: 2, Cost: 10, HasStock: true, HasCost: true},
	}
	if got := offers(snap); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestJSONTopLevelArrayAndErrors(t *testing.T) {
	cfg := &Config{Source: Source{File: "s.json"}, Columns: Columns{SupplierSKU: "id", Quantity: "q"}}
	snap, b, err := parseFeed(t, cfg, "s.json", []byte(`[{"id":"x","q":1},{"id":"y","q":"2"}]`))
	if err != nil || b.Bad != 0 || snap.Len() != 2 || snap.At(1).Stock != 2 {
		t.Fatalf("%v %v %+v", err, errorStrings(b), snap)
	}
	cfg.JSON.Records = "$.items"
	for data, want := range map[string]string{
		`{"other": []}`:               `s.json: $ has no key "items" (json.records)`,
		`{"items": {"a": 1}}`:         `s.json: $.items is not an array of records (json.records)`,
		`{"items": [{"id": "x", "q"`:  `s.json: $.items[0]: the document ends early`,
		`{"items": [{"id": "x"} {}]}`: `s.json: $.items[1] (byte 23): JSON: invalid character '{' after array element`,
	} {
		_, _, err := parseFeed(t, cfg, "s.json", []byte(data))
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %s", data, err, want)
		}
	}
}
