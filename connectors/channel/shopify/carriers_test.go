package shopify

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/testutil"
)

// Every tracking company the connector emits is a name from Shopify's
// list of supported tracking companies (the conformance copy), spelled
// exactly: Shopify links tracking numbers only for exact names.
func TestTrackingCompaniesAreShopifys(t *testing.T) {
	var list struct {
		AnyCountry    []string            `json:"any_country"`
		ByShopCountry map[string][]string `json:"by_shop_country"`
	}
	if err := json.Unmarshal(testutil.ConformanceFile(t, "carriers/shopify_tracking_companies.json"), &list); err != nil {
		t.Fatal(err)
	}
	known := slices.Clone(list.AnyCountry)
	for _, names := range list.ByShopCountry {
		known = append(known, names...)
	}
	if len(list.AnyCountry) < 50 {
		t.Fatalf("conformance list has %d names; wrong file?", len(list.AnyCountry))
	}
	for code, name := range trackingCompanies {
		if !slices.Contains(known, name) {
			t.Errorf("%s → %q: not a Shopify tracking company", code, name)
		}
		if got, ok := TrackingCompany(code, ""); !ok || got != name {
			t.Errorf("TrackingCompany(%q) = %q, %v", code, got, ok)
		}
	}
	// The carriers internal/tracking detects, and the usual spellings.
	for _, tc := range []struct{ carrier, service, want string }{
		{"ups", "", "UPS"}, {"UPS", "Ground", "UPS"},
		{"fedex", "", "FedEx"}, {"usps", "", "USPS"},
		{"dhl", "", "DHL Express"}, {"dhl", "DHL eCommerce Expedited", "DHL eCommerce"}, {"dhl_ecommerce", "", "DHL eCommerce"},
		{"amazon", "", "Amazon"}, {"ontrac", "", "OnTrac"}, {"lasership", "", "Lasership"},
		{"canadapost", "", "Canada Post"}, {"canada_post", "", "Canada Post"}, {"Canada-Post", "", "Canada Post"},
		{"purolator", "", "Purolator"}, {"dpd", "", "DPD"}, {"canpar", "", "Canpar"},
		{"olddominion", "", "Old Dominion"}, {"yodel", "", "Yodel"}, {"yunexpress", "", "YunExpress"},
		{"royal_mail", "", "Royal Mail"},
	} {
		got, ok := TrackingCompany(tc.carrier, tc.service)
		if !ok || got != tc.want {
			t.Errorf("TrackingCompany(%q, %q) = %q, %v; want %q", tc.carrier, tc.service, got, ok, tc.want)
		}
		if !slices.Contains(known, got) {
			t.Errorf("%q is not in Shopify's list", got)
		}
	}
	// Carriers Shopify does not list: "Other", and the URL we have.
	for _, code := range []string{"speedee", "gofo", "landmark", "acme-freight"} {
		if got, ok := TrackingCompany(code, ""); ok || got != OtherCarrier {
			t.Errorf("TrackingCompany(%q) = %q, %v; want Other", code, got, ok)
		}
	}
	sh := &model.Shipment{Carrier: "speedee", Packages: []model.Package{{TrackingNumber: "SP123", TrackingURL: "https://speedeedelivery.com/track?b=SP123"}}}
	ti := trackingOf(sh).info()
	if ti.Company != OtherCarrier || ti.Number != "SP123" || ti.URL != "https://speedeedelivery.com/track?b=SP123" {
		t.Errorf("unknown carrier tracking_info = %+v", ti)
	}
	// No carrier at all: Shopify guesses from the number's format.
	if ti := trackingOf(&model.Shipment{Packages: []model.Package{{TrackingNumber: "1Z999AA10123456784"}}}).info(); ti.Company != "" {
		t.Errorf("no carrier: company %q, want none", ti.Company)
	}
	// A package's own carrier names the fulfillment's company.
	if ti := trackingOf(&model.Shipment{Carrier: "ups", Packages: []model.Package{{Carrier: "fedex", TrackingNumber: "1"}}}).info(); ti.Company != "FedEx" {
		t.Errorf("package carrier override: %q", ti.Company)
	}
}

func TestTrackingInfoShapes(t *testing.T) {
	two := &model.Shipment{Carrier: "ups", Packages: []model.Package{
		{TrackingNumber: "1ZA", TrackingURL: "https://u/1ZA"}, {TrackingNumber: "1ZB", TrackingURL: "https://u/1ZB"}, {TrackingNumber: "1ZA"},
	}}
	ti := trackingOf(two).info()
	if ti.Number != "" || !slices.Equal(ti.Numbers, []string{"1ZA", "1ZB"}) || ti.URL != "" || !slices.Equal(ti.URLs, []string{"https://u/1ZA", "https://u/1ZB"}) {
		t.Errorf("two parcels: %+v", ti)
	}
	// URLs go only when every parcel has one (they pair by position).
	two.Packages[1].TrackingURL = ""
	if ti := trackingOf(two).info(); ti.URLs != nil {
		t.Errorf("urls with a gap: %v", ti.URLs)
	}
	if ti := trackingOf(&model.Shipment{}).info(); ti != nil {
		t.Errorf("no carrier, no number: %+v, want no tracking_info", ti)
	}
}
