package tracking

// The carrier formats below, the service tables of services.go and the S10
// issuers of s10.go are transcribed from tracking_number_data
// (https://github.com/jkeen/tracking_number_data, couriers/*.json at commit
// b79ce4bfc04519ef4bc85bf7c6f321795aadf3d3), under this licence:
//
//	MIT License
//
//	Copyright (c) 2017 Jeff Keen
//
//	Permission is hereby granted, free of charge, to any person obtaining a copy
//	of this software and associated documentation files (the "Software"), to deal
//	in the Software without restriction, including without limitation the rights
//	to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
//	copies of the Software, and to permit persons to whom the Software is
//	furnished to do so, subject to the following conditions:
//
//	The above copyright notice and this permission notice shall be included in all
//	copies or substantial portions of the Software.
//
//	THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
//	IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
//	FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
//	AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
//	LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
//	OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
//	SOFTWARE.
//
// Patterns apply to the normalised number (no white space, no dashes,
// upper case), so the data's "\s*" between characters is gone. Groups keep
// the data's names where the code reads them; the rest of the data's
// groups are written as plain repetitions, in the data's order, so that a
// pattern can be compared with its source field by field.

// IMpb serial numbers (application identifier, service type, mailer id,
// package id; no check digit) by length, replacing the look-ahead of the
// data's usps_impb_n and usps_impb_c patterns. A mailer id starting with 9
// has nine digits, any other six; the look-ahead of the data allows, per
// kind of mailer id, only the package id lengths spelled out here.
const (
	// IMpb N: application identifier 94.
	impbN21 = `94[0-9]{3}(?:9[0-9]{8}[0-9]{7}|[0-8][0-9]{5}[0-9]{10})`
	impbN25 = `94[0-9]{3}(?:9[0-9]{8}[0-9]{11}|[0-8][0-9]{5}[0-9]{14})`
	impbN29 = `94[0-9]{3}9[0-9]{8}[0-9]{15}`

	// IMpb C: 92 requires a nine-digit mailer id, 93 a six-digit one, 95
	// either.
	impbC21 = `(?:92(?P<ServiceType>[0-9]{3})9[0-9]{8}[0-9]{7}` +
		`|93(?P<ServiceType>[0-9]{3})[0-8][0-9]{5}[0-9]{10}` +
		`|95(?P<ServiceType>[0-9]{3})(?:9[0-9]{8}[0-9]{7}|[0-8][0-9]{5}[0-9]{10}))`
	impbC25 = `(?:92(?P<ServiceType>[0-9]{3})9[0-9]{8}[0-9]{11}` +
		`|93(?P<ServiceType>[0-9]{3})[0-8][0-9]{5}[0-9]{14}` +
		`|95(?P<ServiceType>[0-9]{3})(?:9[0-9]{8}[0-9]{11}|[0-8][0-9]{5}[0-9]{14}))`
)

// formats is every format this package knows, grouped by carrier in the
// data's order. Detect ranks its answers itself, so the order here only
// matters between formats of equal rank.
var formats = compile([]format{
	// UPS
	{
		id: "ups", name: "UPS", carrier: "ups",
		// 1Z, shipper id (6), service (2), package id (7), check digit.
		pattern: `^1Z(?P<SerialNumber>[0-9A-Z]{6}(?P<ServiceType>[0-9A-Z]{2})[0-9A-Z]{7})(?P<CheckDigit>[0-9])$`,
		sum:     mod10{evens: 1, odds: 2},
		service: lookup(upsServices),
	},
	{
		id: "ups_waybill", name: "UPS Waybill", carrier: "ups",
		pattern: `^(?P<ServiceType>[AHJKTV])(?P<SerialNumber>[0-9]{9})(?P<CheckDigit>[0-9])$`,
		sum:     mod10{evens: 1, odds: 2},
		service: lookup(upsWaybillServices),
		weak:    true, // one letter and ten digits; one in ten passes
	},

	// FedEx
	{
		id: "fedex_12", name: "FedEx Express (12)", carrier: "fedex",
		pattern: `^(?P<SerialNumber>[0-9]{11})(?P<CheckDigit>[0-9])$`,
		sum:     weighted{weights: []int{3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1}, mod1: 11, mod2: 10},
		weak:    true, // twelve digits, like many order numbers; one in ten passes
	},
	{
		id: "fedex_34", name: "FedEx Express (34)", carrier: "fedex",
		// [0-8] and 14 digits, destination ZIP (5), serial (13), check digit.
		pattern: `^[0-8][0-9]{14}[0-9]{5}(?P<SerialNumber>[0-9]{13})(?P<CheckDigit>[0-9])$`,
		sum:     weighted{weights: []int{1, 7, 3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1}, mod1: 11, mod2: 10},
	},
	{
		id: "fedex_astra_32", name: "FedEx ASTRA (32)", carrier: "fedex",
		// 3, 5, 3 and 7 digits of unknown meaning, the Express tracking
		// number (11 + check digit), 4 digits.
		pattern: `^3[0-9]{5}[0-9]{3}[0-9]{7}(?P<SerialNumber>[0-9]{11})(?P<CheckDigit>[0-9])[0-9]{4}$`,
		sum:     weighted{weights: []int{3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1}, mod1: 11, mod2: 10},
	},
	{
		id: "fedex_ground", name: "FedEx Ground", carrier: "fedex",
		pattern: `^(?P<SerialNumber>[0-9]{14})(?P<CheckDigit>[0-9])$`,
		sum:     mod10{evens: 1, odds: 3},
	},
	{
		id: "fedex_ground_sscc_18", name: "FedEx Ground (SSCC-18)", carrier: "fedex",
		// Container type (2), serial (15), check digit.
		pattern: `^[0-9]{2}(?P<SerialNumber>[0-9]{15})(?P<CheckDigit>[0-9])$`,
		sum:     mod10{evens: 3, odds: 1},
	},
	{
		id: "fedex_ground_96", name: "FedEx Ground 96 (22)", carrier: "fedex",
		// 96, SCNC (2), service (3), shipper id (7) and package id (7), check digit.
		pattern: `^96[0-9]{2}[0-9]{3}(?P<SerialNumber>[0-9]{7}[0-9]{7})(?P<CheckDigit>[0-9])$`,
		sum:     mod10{evens: 1, odds: 3},
	},
	{
		id: "fedex_ground_gsn", name: "FedEx Ground GSN", carrier: "fedex",
		// 96, SCNC (2), 5 digits, GSN (10), 1 digit, serial (13), check digit.
		pattern: `^96[0-9]{2}[0-9]{5}[0-9]{10}[0-9](?P<SerialNumber>[0-9]{13})(?P<CheckDigit>[0-9])$`,
		sum:     weighted{weights: []int{1, 7, 3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1}, mod1: 11, mod2: 10},
	},

	// USPS
	{
		id: "usps_20", name: "USPS 20", carrier: "usps",
		// Service (2), shipper id (9), package id (8), check digit.
		pattern: `^(?P<SerialNumber>(?P<ServiceType>[0-9]{2})[0-9]{9}[0-9]{8})(?P<CheckDigit>[0-9])$`,
		sum:     mod10{evens: 3, odds: 1},
		service: lookup(uspsServices),
	},
	{
		id: "usps_impb_n", name: "USPS IMpb N", carrier: "usps",
		// Optional routing prefix 420 + ZIP (5) [+ ZIP+4 (4)], then the
		// IMpb. The data's look-ahead allows a ZIP+4 only before a 22-digit
		// IMpb and a bare ZIP only before a 22- or 26-digit one; the
		// alternatives keep the data's preference (ZIP+4 first).
		pattern: `^(?:420[0-9]{5}[0-9]{4}(?P<SerialNumber>` + impbN21 + `)` +
			`|420[0-9]{5}(?P<SerialNumber>` + impbN21 + `|` + impbN25 + `)` +
			`|(?P<SerialNumber>` + impbN21 + `|` + impbN25 + `|` + impbN29 + `))` +
			`(?P<CheckDigit>[0-9])$`,
		sum: mod10{evens: 3, odds: 1, reverse: true},
	},
	{
		id: "usps_legacy", name: "USPS Legacy", carrier: "usps",
		// Optional routing prefix 420 + ZIP (5) [+ ZIP+4 (4)], optional
		// application identifier 91, then as USPS 20.
		pattern: `^(?:420[0-9]{5}(?:[0-9]{4})?)?(?P<SerialNumber>(?:91)?(?P<ServiceType>[0-9]{2})[0-9]{9}[0-9]{8})(?P<CheckDigit>[0-9])$`,
		sum:     mod10{evens: 3, odds: 1},
		prepend: prepend{unless: "91", content: "91"},
		service: lookup(uspsServices),
	},
	{
		id: "usps_impb_c", name: "USPS IMpb C", carrier: "usps",
		// As IMpb N, but a ZIP+4 only before a 22-digit IMpb, and a bare
		// ZIP before either length.
		pattern: `^(?:420[0-9]{5}[0-9]{4}(?P<SerialNumber>` + impbC21 + `)` +
			`|420[0-9]{5}(?P<SerialNumber>` + impbC21 + `|` + impbC25 + `)` +
			`|(?P<SerialNumber>` + impbC21 + `|` + impbC25 + `))` +
			`(?P<CheckDigit>[0-9])$`,
		sum:     mod10{evens: 3, odds: 1},
		service: lookup(uspsIMpbCServices),
	},

	// UPU S10: international items of every postal service.
	{
		id: "s10", name: "S10", carrier: "s10",
		pattern: `^(?P<ServiceType>[A-Z]{2})(?P<SerialNumber>[0-9]{8})(?P<CheckDigit>[0-9])(?P<CountryCode>[A-Z]{2})$`,
		sum:     s10{},
		issuer:  true,
		service: s10Service,
	},

	// DHL
	{
		id: "dhl_express", name: "DHL Express", carrier: "dhl",
		pattern: `^(?P<SerialNumber>[0-9]{9,10})(?P<CheckDigit>[0-9])$`,
		sum:     mod7{},
		weak:    true, // ten or eleven digits, like a phone number; one in seven passes
	},
	{
		id: "dhl_express_piece_id", name: "DHL Express (Piece ID)", carrier: "dhl",
		pattern: `^J[A-Z]{2,3}(?P<SerialNumber>[0-9]{9,10})$`,
		weak:    true, // no check digit
	},
	{
		id: "dhl_ecommerce", name: "DHL E-Commerce", carrier: "dhl",
		// The data's look-ahead asks for 10 to 39 characters whose first is
		// a digit.
		pattern: `^(?:GM|LX|RX|UV|CN|SG|TH|IN|HK|MY)(?P<SerialNumber>[0-9][0-9A-Z]{9,38})$`,
		weak:    true, // no check digit; prefixes that are also words and country codes
	},
	{
		id: "dhl_ecommerce_14", name: "DHL E-Commerce (14)", carrier: "dhl",
		pattern: `^(?P<SerialNumber>[0-9]{14})$`,
		weak:    true, // any fourteen digits
	},

	// Amazon
	{
		id: "amazon_logistics", name: "Amazon Logistics", carrier: "amazon",
		pattern: `^TB[ACM](?P<SerialNumber>[0-9]{12})$`,
	},
	{
		id: "amazon_international", name: "Amazon International", carrier: "amazon",
		pattern: `^[AFC](?P<SerialNumber>[0-9]{10})$`,
		weak:    true, // no check digit; a letter and ten digits
	},

	// OnTrac
	{
		id: "ontrac_c", name: "OnTrac", carrier: "ontrac",
		pattern: `^C(?P<SerialNumber>[0-9]{13})(?P<CheckDigit>[0-9])$`,
		sum:     mod10{evens: 1, odds: 2},
		prepend: prepend{unless: "4", content: "4"},
	},
	{
		id: "ontrac_d", name: "OnTrac D", carrier: "ontrac",
		pattern: `^D(?P<SerialNumber>[0-9]{13})(?P<CheckDigit>[0-9])$`,
		sum:     mod10{evens: 1, odds: 2},
		prepend: prepend{unless: "5", content: "5"},
	},

	// LaserShip
	{
		id: "lasership_lx", name: "LaserShip LX", carrier: "lasership",
		pattern: `^L[AIEHNX][1-3](?P<SerialNumber>[0-9]{7})$`,
		weak:    true, // no check digit; ten characters
	},
	{
		id: "lasership_1ls7", name: "LaserShip 1LS7 (15)", carrier: "lasership",
		pattern: `^1LS7[12][0-9]{4}(?P<SerialNumber>[0-9]{6})$`,
	},
	{
		id: "lasership_1ls7_18", name: "LaserShip 1LS7 (18)", carrier: "lasership",
		// The data's "-1" piece suffix, whose dash normalisation removes.
		pattern: `^1LS7[12][0-9]{2}01[1-4](?P<SerialNumber>[0-9]{6})1$`,
	},
	{
		id: "lasership_1lscx", name: "LaserShip 1LSCX (15)", carrier: "lasership",
		pattern: `^1LSCX(?P<SerialNumber>[0-9A-Z]{10})$`,
	},

	// Canada Post
	{
		id: "canada_post", name: "Canada Post (16)", carrier: "canadapost",
		// Origin id (7), 8 digits, check digit.
		pattern: `^(?P<SerialNumber>[0-9]{7}[0-9]{8})(?P<CheckDigit>[0-9])$`,
		sum:     mod10{evens: 3, odds: 1},
	},

	// Canpar
	{
		id: "canpar_22", name: "Canpar (22)", carrier: "canpar",
		pattern: `^(?P<SerialNumber>[CDKLSUXZ][0-9]{21})$`,
		weak:    true, // no check digit
	},

	// Purolator
	{
		id: "purolator_numeric", name: "Purolator (12)", carrier: "purolator",
		pattern: `^(?P<SerialNumber>[0-5][0-9]{10})(?P<CheckDigit>[0-9])$`,
		sum:     luhn{},
		weak:    true, // twelve digits; one in ten passes
	},
	{
		id: "purolator_alpha", name: "Purolator (alpha + 9)", carrier: "purolator",
		pattern: `^(?P<SerialNumber>[A-Z]{3}[0-9]{9})$`,
		weak:    true, // no check digit; three letters and nine digits, like many references
	},

	// DPD
	{
		id: "dpd", name: "DPD (28)", carrier: "dpd",
		// Destination ZIP (7), 14 digits, service (3), country (3), check
		// character.
		pattern: `^(?P<SerialNumber>[0-9]{7}[0-9]{14}(?P<ServiceType>[0-9]{3})[0-9]{3})(?P<CheckDigit>[0-9A-Z])$`,
		sum:     mod3736{},
		service: lookup(dpdServices),
	},
	{
		id: "dpd_14", name: "DPD (14)", carrier: "dpd",
		pattern: `^(?P<SerialNumber>[0-9]{14})(?P<CheckDigit>[0-9A-Z])$`,
		sum:     mod3736{},
	},

	// Old Dominion Freight Line (PRO numbers)
	{
		id: "old_dominion", name: "Old Dominion", carrier: "olddominion",
		pattern: `^(?P<SerialNumber>(?:77[78]|072|780)[0-9]{7})(?P<CheckDigit>[0-9])$`,
		sum:     luhn{},
		weak:    true, // eleven digits; one in ten passes
	},
	{
		id: "old_dominion_guaranteed", name: "Old Dominion Guaranteed Shipment", carrier: "olddominion",
		pattern: `^(?P<SerialNumber>80[0-9]{8})(?P<CheckDigit>[0-9])$`,
		sum:     luhn{},
		weak:    true, // eleven digits; one in ten passes
	},

	// Regional and cross-border carriers without check digits, each with a
	// distinctive prefix.
	{
		id: "speedee", name: "Spee-Dee (20)", carrier: "speedee",
		pattern: `^SP(?P<SerialNumber>[0-9]{18})$`,
	},
	{
		id: "yodel", name: "Yodel", carrier: "yodel",
		pattern: `^JJ?D(?P<SerialNumber>[0-9]{16})$`,
	},
	{
		id: "yunexpress", name: "YunExpress", carrier: "yunexpress",
		pattern: `^YT(?P<SerialNumber>[0-9]{16})$`,
	},
	{
		id: "gofo_us", name: "GOFO Express (US)", carrier: "gofo",
		pattern: `^GFUS(?P<SerialNumber>[0-9]{14})$`,
	},
	{
		id: "landmark_global", name: "Landmark Global LTN", carrier: "landmark",
		pattern: `^LTN(?P<SerialNumber>[0-9]{8})N1$`,
	},
})
