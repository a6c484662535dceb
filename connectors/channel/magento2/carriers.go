package magento2

import "strings"

// carrierCode maps a canonical carrier to Magento's track carrier_code
// (the offline shipping carriers of Magento Open Source); anything else
// is "custom" with the carrier's name as the track's title.
func carrierCode(carrier string) (code, title string) {
	switch c := strings.ToLower(strings.TrimSpace(carrier)); c {
	case "ups":
		return "ups", "United Parcel Service"
	case "usps":
		return "usps", "United States Postal Service"
	case "fedex":
		return "fedex", "Federal Express"
	case "dhl", "dhl_express":
		return "dhl", "DHL"
	case "":
		return "custom", "Carrier"
	default:
		return "custom", carrier
	}
}
