package feed

import (
	"reflect"
	"strings"
	"testing"
)

func TestCSVVariations(t *testing.T) {
	want := []Offer{
		{SupplierSKU: "A-1", SKU: "S1", Stock: 5, Cost: 1250, HasStock: true, HasCost: true},
		{SupplierSKU: "A-2", SKU: "S2", Stock: 0, Cost: 99, HasStock: true, HasCost: true},
	}
	cases := []struct {
		name string
		opts CSVOptions
		data string
	}{
		{"comma", CSVOptions{}, "supplier_sku,sku,qty,cost\nA-1,S1,5,12.50\nA-2,S2,0,0.99\n"},
		{"semicolon detected", CSVOptions{}, "supplier_sku;sku;qty;cost\nA-1;S1;5;12.50\nA-2;S2;0;0.99\n"},
		{"tab detected", CSVOptions{}, "supplier_sku\tsku\tqty\tcost\nA-1\tS1\t5\t12.50\nA-2\tS2\t0\t0.99\n"},
		{"pipe detected", CSVOptions{}, "supplier_sku|sku|qty|cost\nA-1|S1|5|12.50\nA-2|S2|0|0.99\n"},
		{"configured tab", CSVOptions{Delimiter: "tab"}, "supplier_sku\tsku\tqty\tcost\nA-1\tS1\t5\t12.50\nA-2\tS2\t0\t0.99\n"},
		{"CRLF and no final newline", CSVOptions{}, "supplier_sku,sku,qty,cost\r\nA-1,S1,5,12.50\r\nA-2,S2,0,0.99"},
		{"blank lines", CSVOptions{}, "supplier_sku,sku,qty,cost\n\nA-1,S1,5,12.50\n\n\nA-2,S2,0,0.99\n\n"},
		{"BOM", CSVOptions{}, "\ufeffsupplier_sku,sku,qty,cost\nA-1,S1,5,12.50\nA-2,S2,0,0.99\n"},
		{"header case and spaces, reordered", CSVOptions{}, " Cost , QTY,SKU ,Supplier_SKU\n12.50,5,S1,A-1\n0.99,0,S2,A-2\n"},
		{"quoted", CSVOptions{}, "\"supplier_sku\",\"sku\",\"qty\",\"cost\"\n\"A-1\",\"S1\",\"5\",\"12.50\"\n\"A-2\",S2,0,\"0.99\"\n"},
		{"decimal comma", CSVOptions{Delimiter: ";", Numbers: Numbers{DecimalComma: true}}, "supplier_sku;sku;qty;cost\nA-1;S1;5;12,50\nA-2;S2;0;0,99\n"},
		{"decimal comma in quotes with comma delimiter", CSVOptions{Numbers: Numbers{DecimalComma: true}}, "supplier_sku,sku,qty,cost\nA-1,S1,5,\"12,5\"\nA-2,S2,0,\"0,99\"\n"},
		{"spaces around numbers", CSVOptions{}, "supplier_sku,sku,qty,cost\nA-1,S1, 5 , 12.50\nA-2,S2,0.000,0.990\n"},
		{"negative stock is none", CSVOptions{}, "supplier_sku,sku,qty,cost\nA-1,S1,5,12.50\nA-2,S2,-3,0.99\n"},
		{"rows out of order", CSVOptions{}, "supplier_sku,sku,qty,cost\nA-2,S2,0,0.99\nA-1,S1,5,12.50\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap, b, err := parseFeed(t, csvConfig(stdColumns, c.opts), "feed.csv", []byte(c.data))
			if err != nil {
				t.Fatal(err)
			}
			if b.Bad != 0 {
				t.Fatalf("bad rows: %v", errorStrings(b))
			}
			if got := offers(snap); !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestCSVQuotedDelimitersAndNewlines(t *testing.T) {
	cols := Columns{SupplierSKU: "id", Quantity: "qty", Title: "title"}
	data := "id,title,qty\n" +
		"A-1,\"Mug, black; 11oz\",3\n" +
		"A-2,\"Two\nlines \"\"quoted\"\"\",4\n" +
		"A-3,\"Tab\there | pipe\",5\n" +
		"A-4,plain \"inner\" quotes,6\n"
	snap, b, err := parseFeed(t, csvConfig(cols, CSVOptions{}), "f.csv", []byte(data))
	if err != nil || b.Bad != 0 {
		t.Fatal(err, errorStrings(b))
	}
	titles := map[string]string{}
	for _, o := range offers(snap) {
		titles[o.SupplierSKU] = o.Title
	}
	want := map[string]string{
		"A-1": "Mug, black; 11oz",
		"A-2": "Two\nlines \"quoted\"",
		"A-3": "Tab\there | pipe",
		"A-4": "plain \"inner\" quotes",
	}
	if !reflect.DeepEqual(titles, want) {
		t.Errorf("titles %q, want %q", titles, want)
	}
	// The row after a multi-line field keeps its own line number.
	bad := "id,title,qty\nA-1,\"x\ny\",1\nA-2,ok,zz\n"
	_, b, err = parseFeed(t, csvConfig(cols, CSVOptions{}), "f.csv", []byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	if got := errorStrings(b); len(got) != 1 || got[0] != `f.csv:4: column "qty" (quantity): "zz": invalid character 'z'` {
		t.Errorf("errors %q", got)
	}
}

func TestCSVLatin1(t *testing.T) {
	// "Müsli Größe 5 €" in Windows-1252, and a curly quote (0x93).
	data := []byte("id;titel;bestand;ek\nA-1;M\xfcsli Gr\xf6\xdfe 5 \x80 \x93x\x94;7;3,20\n")
	cols := Columns{SupplierSKU: "id", Title: "titel", Quantity: "bestand", Cost: "ek"}
	cfg := csvConfig(cols, CSVOptions{Encoding: "latin-1", Numbers: Numbers{DecimalComma: true}})
	snap, b, err := parseFeed(t, cfg, "f.csv", data)
	if err != nil || b.Bad != 0 {
		t.Fatal(err, errorStrings(b))
	}
	o := snap.At(0)
	if o.Title != "Müsli Größe 5 € “x”" || o.Cost != 320 || o.Stock != 7 {
		t.Errorf("got %+v", o)
	}
	// The same bytes read as UTF-8 are reported, with the fix.
	cfg.CSV.Encoding = ""
	_, b, err = parseFeed(t, cfg, "f.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	if got := errorStrings(b); len(got) != 1 || !strings.Contains(got[0], "f.csv:2: column \"titel\" (title): not valid UTF-8 (a Latin-1 file? set encoding: latin-1)") {
		t.Errorf("errors %q", got)
	}
	// A UTF-8 BOM wins over a configured Latin-1.
	cfg.CSV.Encoding = "latin-1"
	snap, _, err = parseFeed(t, cfg, "f.csv", []byte("\ufeffid;titel;bestand;ek\nA-1;Größe;1;1\n"))
	if err != nil || snap.At(0).Title != "Größe" {
		t.Fatalf("BOM: %v %+v", err, snap)
	}
}

func TestCSVThousands(t *testing.T) {
	cols := Columns{SupplierSKU: "id", Quantity: "qty", Cost: "cost", MSRP: "msrp"}
	cases := []struct {
		name string
		nums Numbers
		row  string
		cost int64
		msrp int64
		qty  int64
	}{
		{"dot groups, decimal comma", Numbers{DecimalComma: true, Thousands: "."}, "A;1.234;1.234,50;12.345,00", 123450, 1234500, 1234},
		{"comma groups", Numbers{Thousands: ","}, "A;1,234;\"1,234.50\";12345", 123450, 1234500, 1234},
		{"space groups", Numbers{DecimalComma: true, Thousands: " "}, "A;1 234;1 234,50;12 345", 123450, 1234500, 1234},
		{"apostrophe groups", Numbers{Thousands: "'"}, "A;1'234;1'234.50;12'345.00", 123450, 1234500, 1234},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := csvConfig(cols, CSVOptions{Delimiter: ";", Numbers: c.nums})
			snap, b, err := parseFeed(t, cfg, "f.csv", []byte("id;qty;cost;msrp\n"+c.row+"\n"))
			if err != nil || b.Bad != 0 {
				t.Fatal(err, errorStrings(b))
			}
			o := snap.At(0)
			if o.Cost != c.cost || o.MSRP != c.msrp || o.Stock != c.qty {
				t.Errorf("got %+v", o)
			}
		})
	}
}

func TestCSVBadRows(t *testing.T) {
	cols := Columns{SupplierSKU: "Artikel", Quantity: "Bestand", Cost: "EK", MAP: "UVP_min"}
	cfg := csvConfig(cols, CSVOptions{Delimiter: ";", Numbers: Numbers{DecimalComma: true}})
	data := "Artikel;Bestand;EK;UVP_min\n" +
		"A-1;5;1,00;\n" + // good, no MAP
		"A-2;x;1,00;\n" + // line 3
		"A-3;5;1.000,00;\n" + // line 4: thousands not configured
		"A-4;5;1,005;\n" + // line 5: more decimals than EUR
		"A-5;2,5;1,00;\n" + // line 6: fractional quantity
		";5;1,00;\n" + // line 7: no supplier SKU
		"A-6;5\n" + // line 8: short row
		"A-7;5;-1,00;\n" + // line 9: negative price
		"A-1;9;9,00;\n" // line 10: duplicate
	snap, b, err := parseFeed(t, cfg, "acme.csv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`acme.csv:3: column "Bestand" (quantity): "x": invalid character 'x'`,
		`acme.csv:4: column "EK" (cost): "1.000,00": unexpected '.' (a thousands separator? set thousands: ".")`,
		`acme.csv:5: column "EK" (cost): 1.005 has more decimals than the currency's 2 EUR`,
		`acme.csv:6: column "Bestand" (quantity): 2.5 is not a whole number of units`,
		`acme.csv:7: column "Artikel" (supplier_sku): empty`,
		`acme.csv:8: column "EK" (cost): empty`,
		`acme.csv:9: column "EK" (cost): -1.00: a price cannot be negative`,
		`acme.csv:10: column "Artikel" (supplier_sku): duplicate "A-1" (first at 2); this row is ignored`,
	}
	if got := errorStrings(b); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if b.Rows != 9 || b.Bad != 8 || snap.Len() != 1 || snap.At(0).Cost != 100 || snap.At(0).HasMAP {
		t.Errorf("rows %d bad %d offers %+v", b.Rows, b.Bad, offers(snap))
	}
}

func TestCSVHeaderProblems(t *testing.T) {
	cfg := csvConfig(Columns{SupplierSKU: "Artikel", Quantity: "Bestand"}, CSVOptions{})
	_, _, err := parseFeed(t, cfg, "acme.csv", []byte("Artikel,Menge\nA,1\n"))
	if err == nil || err.Error() != `acme.csv:1: column "Bestand" (quantity) is not in the header (it has: Artikel, Menge)` {
		t.Errorf("got %v", err)
	}
	_, _, err = parseFeed(t, cfg, "acme.csv", nil)
	if err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: %v", err)
	}
	_, _, err = parseFeed(t, cfg, "acme.csv", []byte("Artikel,Bestand\n\"A,1\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2: quoted field never closed") {
		t.Errorf("open quote: %v", err)
	}
}

func TestCSVNoHeader(t *testing.T) {
	cfg := csvConfig(Columns{SupplierSKU: "2", Quantity: "1"}, CSVOptions{NoHeader: true})
	snap, b, err := parseFeed(t, cfg, "f.csv", []byte("4,A\n7,B\n"))
	if err != nil || b.Bad != 0 {
		t.Fatal(err, errorStrings(b))
	}
	if o := offers(snap); len(o) != 2 || o[0].Stock != 4 || o[1].SupplierSKU != "B" {
		t.Errorf("got %+v", o)
	}
}

func TestDetectDelimiter(t *testing.T) {
	for in, want := range map[string]byte{
		"a,b,c\n1;2":         ',',
		"a;b;c\n":            ';',
		"\"a;x\",b,c":        ',',
		"a\tb\tc":            '\t',
		"a|b":                '|',
		"single":             ',',
		"\"x,y,z\";b;c\nd,e": ';',
	} {
		if got := detectDelimiter([]byte(in)); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	cases := []struct {
		in   string
		nums Numbers
		want string
		err  string
	}{
		{"12.50", Numbers{}, "12.50", ""},
		{"12,50", Numbers{DecimalComma: true}, "12.50", ""},
		{"-3", Numbers{}, "-3", ""},
		{"+3.", Numbers{}, "3", ""},
		{".5", Numbers{}, "0.5", ""},
		{"1.234.567,89", Numbers{DecimalComma: true, Thousands: "."}, "1234567.89", ""},
		{"\u00a012,5\u00a0", Numbers{DecimalComma: true}, "12.5", ""},
		{"12,50", Numbers{}, "", "unexpected ',' (a decimal comma? set decimal_comma: true)"},
		{"1,", Numbers{Thousands: ","}, "", "unexpected ','"},
		{",5", Numbers{Thousands: ","}, "", "unexpected ','"},
		{"1e3", Numbers{}, "", "invalid character 'e'"},
		{"", Numbers{}, "", "empty"},
		{"-", Numbers{}, "", "no digits"},
		{"99999999999999999999", Numbers{}, "", "too large"},
	}
	for _, c := range cases {
		d, err := parseNumber([]byte(c.in), c.nums)
		switch {
		case c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)):
			t.Errorf("%q: got %v, %v; want error %q", c.in, d, err, c.err)
		case c.err == "" && (err != nil || d.String() != c.want):
			t.Errorf("%q: got %v, %v; want %s", c.in, d, err, c.want)
		}
	}
}

func TestCSVTokenizerAllocations(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("supplier_sku,sku,qty,cost\n")
	for range 2000 {
		sb.WriteString("ACME-000001,SKU-000001,12,3.50\n")
	}
	cfg := csvConfig(stdColumns, CSVOptions{})
	rows, err := newCSVReader(strings.NewReader(sb.String()), "f.csv", cfg.CSV, cfg.Columns)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rows.Next(); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := rows.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Errorf("%v allocations per row, want 0", allocs)
	}
}
