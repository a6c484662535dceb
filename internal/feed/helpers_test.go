package feed

import (
	"strings"
	"testing"
)

// parseFeed runs data through the configured format's reader and a
// builder, as Import does, without a store.
func parseFeed(t testing.TB, cfg *Config, name string, data []byte) (*Snapshot, *Builder, error) {
	t.Helper()
	text, err := decodeInput(strings.NewReader(string(data)), encodingFor(cfg))
	if err != nil {
		return nil, nil, err
	}
	rows, err := newRowReader(cfg, name, text)
	if err != nil {
		return nil, nil, err
	}
	b, err := NewBuilder(name, "EUR", cfg, rows.Where, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := fill(rows, b, nil); err != nil {
		return nil, b, err
	}
	return b.Finish("test"), b, nil
}

func encodingFor(cfg *Config) string {
	r := Request{Config: cfg}
	return r.encoding()
}

// offers decodes a whole snapshot.
func offers(s *Snapshot) []Offer {
	out := make([]Offer, s.Len())
	for i := range out {
		out[i] = s.At(i)
	}
	return out
}

// errorStrings formats a builder's row errors.
func errorStrings(b *Builder) []string {
	var out []string
	for _, e := range b.Errors {
		out = append(out, e.Error())
	}
	return out
}

func csvConfig(cols Columns, opts CSVOptions) *Config {
	return &Config{Source: Source{File: "feed.csv"}, Format: FormatCSV, CSV: opts, Columns: cols}
}

var stdColumns = Columns{SupplierSKU: "supplier_sku", SKU: "sku", Quantity: "qty", Cost: "cost"}
