package shopify

import (
	"strings"
)

// OtherCarrier is the tracking company sent for a carrier Shopify does not
// know. Shopify builds tracking links only for the names of its supported
// list, so the package's own tracking URL is sent with it when there is
// one.
const OtherCarrier = "Other"

// trackingCompanies maps dropgate's canonical carrier codes (the codes of
// internal/tracking, plus common ones it does not detect) to Shopify's
// tracking company names. Shopify matches these names exactly, capitals
// included, and builds the tracking URL from the name and the number
// ("Supported tracking companies",
// https://shopify.dev/docs/api/admin-graphql/2025-10/objects/FulfillmentTrackingInfo).
// A few names are listed there only for shops in one country (Old
// Dominion: United States; Yodel, Parcelforce: United Kingdom); elsewhere
// Shopify keeps the name but links nothing, as for any other name.
//
// Read-only: a lookup table, never written after initialisation.
var trackingCompanies = map[string]string{
	"ups":            "UPS",
	"fedex":          "FedEx",
	"usps":           "USPS",
	"dhl":            "DHL Express",
	"dhlexpress":     "DHL Express",
	"dhlecommerce":   "DHL eCommerce",
	"amazon":         "Amazon",
	"amzl":           "Amazon",
	"ontrac":         "OnTrac",
	"lasership":      "Lasership",
	"canadapost":     "Canada Post",
	"purolator":      "Purolator",
	"canpar":         "Canpar",
	"dpd":            "DPD",
	"dpduk":          "DPD UK",
	"olddominion":    "Old Dominion",
	"yodel":          "Yodel",
	"parcelforce":    "Parcelforce",
	"yunexpress":     "YunExpress",
	"royalmail":      "Royal Mail",
	"evri":           "Evri",
	"australiapost":  "Australia Post",
	"startrack":      "StarTrack",
	"sendle":         "Sendle",
	"newzealandpost": "New Zealand Post",
	"gls":            "GLS",
	"tnt":            "TNT",
	"postnl":         "PostNL",
	"deutschepost":   "Deutsche Post",
	"colissimo":      "Colissimo",
	"chronopost":     "Chronopost",
	"correos":        "Correos",
	"posteitaliane":  "Poste Italiane",
	"swisspost":      "Swiss Post",
	"anpost":         "An Post",
	"bpost":          "BPost",
	"chinapost":      "China Post",
	"sfexpress":      "SF Express",
	"4px":            "4PX",
	"japanpost":      "Japan Post (EN)",
	"singaporepost":  "Singapore Post",
	"ninjavan":       "NinjaVan",
	"asendia":        "Asendia USA",
	"apc":            "APC",
	"pitneybowes":    "Pitney Bowes",
	"estes":          "Estes",
	"xpo":            "XPO Logistics",
	"tforce":         "TForce Final Mile",
	"lso":            "Lone Star Overnight",
}

// TrackingCompany returns Shopify's tracking company name for a canonical
// carrier code (case, spaces, dashes and underscores are ignored), and
// whether Shopify knows the carrier. An unknown carrier is OtherCarrier.
// service refines carriers whose brands track on different systems: DHL
// eCommerce parcels are not DHL Express ones.
func TrackingCompany(carrier, service string) (string, bool) {
	code := normalizeCarrier(carrier)
	if code == "dhl" && isDHLeCommerce(service) {
		code = "dhlecommerce"
	}
	if name, ok := trackingCompanies[code]; ok {
		return name, true
	}
	return OtherCarrier, false
}

func normalizeCarrier(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case ' ', '-', '_', '.':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDHLeCommerce(service string) bool {
	s := normalizeCarrier(service)
	return strings.Contains(s, "ecommerce") || strings.Contains(s, "smartmail")
}
