package tracking

// s10Issuers are the ISO 3166 country codes whose postal operator the data
// lists for S10 numbers (its "Courier" lookup, 191 posts). The data
// requires the lookup to succeed ("exists": ["Courier"]), so an S10 number
// ending in any other pair of letters is not valid.
var s10Issuers = map[string]struct{}{
	"AE": {}, "AF": {}, "AG": {}, "AL": {}, "AM": {}, "AO": {}, "AR": {}, "AT": {}, "AU": {}, "AZ": {}, "BA": {}, "BB": {}, "BD": {}, "BE": {}, "BF": {}, "BG": {},
	"BH": {}, "BI": {}, "BJ": {}, "BN": {}, "BO": {}, "BR": {}, "BS": {}, "BT": {}, "BW": {}, "BY": {}, "BZ": {}, "CA": {}, "CD": {}, "CF": {}, "CG": {}, "CH": {},
	"CI": {}, "CL": {}, "CM": {}, "CN": {}, "CO": {}, "CR": {}, "CU": {}, "CV": {}, "CY": {}, "CZ": {}, "DE": {}, "DJ": {}, "DK": {}, "DM": {}, "DO": {}, "DZ": {},
	"EC": {}, "EE": {}, "EG": {}, "ER": {}, "ES": {}, "ET": {}, "FI": {}, "FJ": {}, "FR": {}, "GA": {}, "GB": {}, "GD": {}, "GE": {}, "GH": {}, "GM": {}, "GN": {},
	"GQ": {}, "GR": {}, "GT": {}, "GW": {}, "GY": {}, "HK": {}, "HN": {}, "HR": {}, "HT": {}, "HU": {}, "ID": {}, "IE": {}, "IL": {}, "IN": {}, "IQ": {}, "IR": {},
	"IS": {}, "IT": {}, "JM": {}, "JO": {}, "JP": {}, "KE": {}, "KG": {}, "KH": {}, "KI": {}, "KM": {}, "KN": {}, "KP": {}, "KR": {}, "KW": {}, "KZ": {}, "LA": {},
	"LB": {}, "LC": {}, "LI": {}, "LK": {}, "LR": {}, "LS": {}, "LT": {}, "LU": {}, "LV": {}, "LY": {}, "MA": {}, "MC": {}, "MD": {}, "ME": {}, "MG": {}, "MK": {},
	"ML": {}, "MM": {}, "MN": {}, "MR": {}, "MT": {}, "MU": {}, "MV": {}, "MW": {}, "MX": {}, "MY": {}, "MZ": {}, "NA": {}, "NE": {}, "NG": {}, "NI": {}, "NL": {},
	"NO": {}, "NP": {}, "NR": {}, "NZ": {}, "OM": {}, "PA": {}, "PE": {}, "PG": {}, "PH": {}, "PK": {}, "PL": {}, "PT": {}, "PY": {}, "QA": {}, "RO": {}, "RS": {},
	"RU": {}, "RW": {}, "SA": {}, "SB": {}, "SC": {}, "SD": {}, "SE": {}, "SG": {}, "SI": {}, "SK": {}, "SL": {}, "SM": {}, "SN": {}, "SO": {}, "SR": {}, "SS": {},
	"ST": {}, "SV": {}, "SY": {}, "SZ": {}, "TD": {}, "TG": {}, "TH": {}, "TJ": {}, "TL": {}, "TM": {}, "TN": {}, "TO": {}, "TR": {}, "TT": {}, "TV": {}, "TZ": {},
	"UA": {}, "UG": {}, "US": {}, "UY": {}, "UZ": {}, "VA": {}, "VC": {}, "VE": {}, "VN": {}, "VU": {}, "WS": {}, "YE": {}, "ZA": {}, "ZM": {}, "ZW": {},
}

// s10Posts are the carriers of this package that are themselves the postal
// operator of an S10 issuing country: their own international numbers are
// S10 numbers, so Validate("usps", "LZ…US") must succeed.
var s10Posts = map[string]string{
	"US": "usps",
	"CA": "canadapost",
}
