package woocommerce

import (
	"encoding/json"
	"strings"
)

// jsonNum is an id as JSON text (a number or a string), never a float.
type jsonNum = json.Number

// carriers maps dropgate's canonical carrier codes to the provider names
// the Shipment Tracking extension lists (its "tracking_provider" values;
// AST accepts the same names). A code not listed is sent as a custom
// provider under its own name.
var carriers = map[string]string{
	"ups":        "UPS",
	"usps":       "USPS",
	"fedex":      "Fedex",
	"dhl":        "DHL US",
	"dhl_ecom":   "DHL eCommerce",
	"ontrac":     "OnTrac",
	"canadapost": "Canada Post",
	"royalmail":  "Royal Mail",
	"auspost":    "Australia Post",
	"dpd":        "DPD",
	"gls":        "GLS",
	"purolator":  "Purolator",
}

// carrierName is the provider name of a canonical carrier code.
func carrierName(code string) string {
	if n, ok := carriers[strings.ToLower(code)]; ok {
		return n
	}
	if code == "" {
		return "Carrier"
	}
	return code
}

func providerKnown(code string) bool {
	_, ok := carriers[strings.ToLower(code)]
	return ok
}
