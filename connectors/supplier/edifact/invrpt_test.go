package edifact

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
)

func TestINVRPT(t *testing.T) {
	r := newRig(t, nil, nil)
	body := []string{
		"BGM+35+INVR-77+9",
		"DTM+137:20261120:102",
		"DTM+366:202611200600:203",
		"NAD+GY+" + theirGLN + "::9",
		"LOC+18+WH-NORTH",
		// One location, a total and sub-quantities per container: the
		// total counts.
		"LIN+1++4006381333931:EN", "PIA+5+ACM-MUG:SA",
		"QTY+145:300", "QTY+145:150", "QTY+145:150",
		// Two locations, one with its own date; an on-hand quantity
		// yields to the actual stock.
		"LIN+2", "PIA+5+ACM-TEE-M-WH:SA", "PIA+1+TEE-WHT-M:IN",
		"QTY+17:9", "LOC+18+WH-SOUTH", "QTY+145:12,5", "LOC+18+WH-SOUTH", "DTM+366:20261119:102",
		"QTY+145:-3", "LOC+18+WH-EAST",
		"QTY+66:40", // committed: not stock
	}
	doc := oneDoc(t, r.c, inbound(env{ref: "71"}, msg{"INVRPT", body}))
	asOf := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
	want := []model.InventoryLevel{
		{Supplier: "acme", SupplierSKU: "ACM-MUG", GTIN: "4006381333931", Location: "WH-NORTH", Available: 300, AsOf: asOf, Raw: decimal.MustParse("300")},
		{Supplier: "acme", SupplierSKU: "ACM-TEE-M-WH", SKU: "TEE-WHT-M", Location: "WH-SOUTH", Available: 12, AsOf: date(2026, 11, 19), Raw: decimal.MustParse("12.5")},
		{Supplier: "acme", SupplierSKU: "ACM-TEE-M-WH", SKU: "TEE-WHT-M", Location: "WH-EAST", Available: 0, AsOf: asOf, Raw: decimal.MustParse("-3")},
	}
	if doc.PONumber != "" || !reflect.DeepEqual(doc.Inventory, want) {
		t.Errorf("inventory\n got %+v\nwant %+v", doc.Inventory, want)
	}
}

// TestINVRPTDates: without DTM+366 the document date, then the UNB date,
// date the levels; an item without identification is an error.
func TestINVRPTDates(t *testing.T) {
	r := newRig(t, nil, nil)
	doc := oneDoc(t, r.c, inbound(env{ref: "72"}, msg{"INVRPT", []string{"BGM+35+I1", "LIN+1++4006381333931:EN", "QTY+145:4"}}))
	if len(doc.Inventory) != 1 || !doc.Inventory[0].AsOf.Equal(when) || doc.Inventory[0].Available != 4 {
		t.Errorf("levels = %+v", doc.Inventory)
	}
	got := parse(t, r.c, "in.edi", inbound(env{ref: "73"}, msg{"INVRPT", []string{"BGM+35+I2", "LIN+1", "QTY+145:4"}}))
	if len(got.Rejected) != 1 || !strings.Contains(got.Rejected[0].Errors[0], "segment 3 (LIN) element 3: LIN03 (item number) is missing") {
		t.Errorf("rejected = %+v", got.Rejected)
	}
}
