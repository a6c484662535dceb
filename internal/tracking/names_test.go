package tracking

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/internal/testutil"
)

func TestCarrierFromName(t *testing.T) {
	tests := []struct {
		name string
		want string // "" for no carrier
	}{
		{"UPS", "ups"},
		{"UPS Ground", "ups"},
		{"  ups  ", "ups"},
		{"U.P.S.", "ups"},
		{"UPS SurePost", "ups"},
		{"United Parcel Service", "ups"},
		{"FedEx", "fedex"},
		{"Fed-Ex", "fedex"},
		{"Fed Ex Ground", "fedex"},
		{"Federal Express", "fedex"},
		{"FedEx Home Delivery", "fedex"},
		{"FEDEX_GROUND", "fedex"},
		{"USPS", "usps"},
		{"U.S.P.S.", "usps"},
		{"USPS Priority", "usps"},
		{"US Postal Service", "usps"},
		{"U.S. Postal Service", "usps"},
		{"United States Postal Service", "usps"},
		{"Priority Mail Express", "usps"},
		{"First-Class Package Service", "usps"},
		{"DHL", "dhl"},
		{"DHL Express", "dhl"},
		{"DHL eCommerce", "dhl"},
		{"DHL eCommerce via USPS", "dhl"}, // the first carrier named
		{"Amazon Logistics", "amazon"},
		{"AMZL_US", "amazon"},
		{"Amazon Shipping", "amazon"},
		{"OnTrac", "ontrac"},
		{"On Trac", "ontrac"},
		{"LaserShip", "lasership"},
		{"Canada Post", "canadapost"},
		{"Postes Canada", "canadapost"},
		{"Purolator Express", "purolator"},
		{"DPD UK", "dpd"},
		{"DPDgroup", "dpd"},
		{"Canpar Express", "canpar"},
		{"Old Dominion Freight Line", "olddominion"},
		{"ODFL", "olddominion"},
		{"Spee-Dee Delivery", "speedee"},
		{"Yodel", "yodel"},
		{"Yun Express", "yunexpress"},
		{"GOFO Express", "gofo"},
		{"Landmark Global", "landmark"},

		{"", ""},
		{"Royal Mail", ""},
		{"La Poste", ""},
		{"GLS", ""},
		{"Evri", ""},
		{"TNT", ""},
		{"Pups Delivery", ""}, // "ups" only as a whole word
		{"USA Couriers", ""},
		{"Landmark", ""},            // too common a word on its own
		{"FedExGround", "fedex"},    // CamelCase, as integrations write it
		{"FedExSmartPost", "fedex"}, // EasyPost's carrier names
		{"DHLExpress", "dhl"},
		{"DhlEcommerce", "dhl"},
		{"AmazonMws", "amazon"},
		{"CanadaPost", "canadapost"},
		{"UPSDAP", ""}, // capitals only: no word boundary to find
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := CarrierFromName(tt.name)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("CarrierFromName(%q) = %q, %v; want %q", tt.name, got, ok, tt.want)
			}
		})
	}
}

// TestCarrierNamesUnambiguous guards CarrierFromName's map iteration: no
// two carriers may share a name, spaces removed.
func TestCarrierNamesUnambiguous(t *testing.T) {
	seen := map[string]string{}
	for carrier, names := range carrierNames {
		if _, ok := byCarrier[carrier]; !ok {
			t.Errorf("names for %q, which has no formats", carrier)
		}
		for _, n := range names {
			if n != strings.Join(strings.Fields(n), " ") || n != strings.ToLower(n) || strings.Join(nameWords(n), " ") != n {
				t.Errorf("%s: name %q is not lower-case words separated by single spaces", carrier, n)
			}
			j := strings.ReplaceAll(n, " ", "")
			if other, ok := seen[j]; ok && other != carrier {
				t.Errorf("%q names both %s and %s", n, other, carrier)
			}
			seen[j] = carrier
		}
	}
	for _, c := range Carriers() {
		if c != "s10" && len(carrierNames[c]) == 0 {
			t.Errorf("carrier %s has no names", c)
		}
	}
}

// TestShopifyTrackingCompanies maps every tracking company Shopify offers:
// those of carriers this package knows must map to them, and no other may
// be mistaken for one.
func TestShopifyTrackingCompanies(t *testing.T) {
	var data struct {
		AnyCountry    []string            `json:"any_country"`
		ByShopCountry map[string][]string `json:"by_shop_country"`
	}
	if err := json.Unmarshal(testutil.ConformanceFile(t, "carriers/shopify_tracking_companies.json"), &data); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Amazon": "amazon", "Amazon Logistics UK": "amazon", "Swiship": "amazon",
		"Canada Post": "canadapost", "Canpar": "canpar",
		"DHL": "dhl", "DHL eCommerce": "dhl", "DHL eCommerce Asia": "dhl", "DHL Express": "dhl", "DHL Parcel": "dhl",
		"DPD": "dpd", "DPD Local": "dpd", "DPD UK": "dpd", "DPD Ireland": "dpd",
		"FedEx": "fedex", "Lasership": "lasership", "OnTrac": "ontrac", "Purolator": "purolator",
		"UPS": "ups", "USPS": "usps", "Yodel": "yodel", "YunExpress": "yunexpress", "Old Dominion": "olddominion",
	}
	names := data.AnyCountry
	for _, list := range data.ByShopCountry {
		names = append(names, list...)
	}
	if len(names) < 100 {
		t.Fatalf("only %d names read", len(names))
	}
	for _, name := range names {
		got, _ := CarrierFromName(name)
		if got != want[name] {
			t.Errorf("CarrierFromName(%q) = %q, want %q", name, got, want[name])
		}
	}
}
