package tracking

// Service names decoded from the ServiceType group of a number, transcribed
// from the "Service Type" lookups of tracking_number_data (MIT, see
// carriers.go). A name is the lookup's name, followed by its description in
// parentheses when it has one.

// lookup returns a decoder of service codes backed by a table.
func lookup(table map[string]string) func(string) string {
	return func(code string) string { return table[code] }
}

// upsServices are the service codes of 1Z numbers (characters 9 and 10).
var upsServices = map[string]string{
	"01": "UPS United States Next Day Air (Red)",
	"02": "UPS United States Second Day Air (Blue)",
	"03": "UPS United States Ground",
	"12": "UPS United States Third Day Select",
	"13": "UPS United States Next Day Air Saver (Red Saver)",
	"15": "UPS United States Next Day Air Early A.M.",
	"22": "UPS United States Ground - Returns Plus - Three Pickup Attempts",
	"32": "UPS United States Next Day Air Early A.M. - COD",
	"33": "UPS United States Next Day Air Early A.M. - Saturday Delivery, COD",
	"41": "UPS United States Next Day Air Early A.M. - Saturday Delivery",
	"42": "UPS United States Ground - Signature Required",
	"44": "UPS United States Next Day Air - Saturday Delivery",
	"66": "UPS United States Worldwide Express",
	"72": "UPS United States Ground - Collect on Delivery",
	"78": "UPS United States Ground - Returns Plus - One Pickup Attempt",
	"90": "UPS United States Ground - Returns - UPS Prints and Mails Label",
	"A0": "UPS United States Next Day Air Early A.M. - Adult Signature Required",
	"A1": "UPS United States Next Day Air Early A.M. - Saturday Delivery, Adult Signature Required",
	"A2": "UPS United States Next Day Air - Adult Signature Required",
	"A8": "UPS United States Ground - Adult Signature Required",
	"A9": "UPS United States Next Day Air Early A.M. - Adult Signature Required, COD",
	"AA": "UPS United States Next Day Air Early A.M. - Saturday Delivery, Adult Signature Required, COD",
	"YW": "UPS SurePost - Delivered by the USPS",
}

// upsWaybillServices are the leading letters of UPS waybill numbers.
var upsWaybillServices = map[string]string{
	"J": "UPS Next Day Express",
	"K": "UPS Ground",
	"V": "UPS WorldWide Express Saver",
}

// uspsServices are the two-digit service codes of 20- and 22-digit USPS
// numbers (the data's patterns 0[34] and 2[34] are spelled out).
var uspsServices = map[string]string{
	"01": "Delivery Confirmation (Priority Mail or First-Class Mail Parcels)",
	"02": "Delivery Confirmation (Package Services, Parcel Select or Standard Mail Parcels)",
	"03": "Delivery Confirmation (Retail)",
	"04": "Delivery Confirmation (Retail)",
	"05": "Delivery Confirmation (Priority Mail or First-Class Mail Parcels, insured over $50)",
	"06": "Delivery Confirmation (Package Services, Parcel Select or Standard Mail Parcels, insured over $50)",
	"07": "Delivery Confirmation (Priority Mail, insured $50 or under)",
	"08": "Delivery Confirmation (Package Services, Parcel Select or Standard Mail Parcels, insured $50 or under)",
	"14": "Delivery Confirmation (Software vendors only, by approval)",
	"21": "Signature Confirmation (Priority Mail or First-Class Mail Parcels)",
	"22": "Signature Confirmation (Package Services, Parcel Select or Standard Mail Parcels)",
	"23": "Signature Confirmation (Retail)",
	"24": "Signature Confirmation (Retail)",
	"25": "Signature Confirmation (Priority Mail or First-Class Mail Parcels, insured, all values)",
	"26": "Signature Confirmation (Package Services, Parcel Select or Standard Mail Parcels, insured, all values)",
	"34": "Signature Confirmation (Software vendors only, by approval)",
	"50": "Electronic File Header (Used in the file header record only, never on a package)",
	"56": "Passive Enroute Scan (A free scan as the parcel passes through a sorting plant, with no confirmation service attached)",
	"73": "Insured Mail (Insured only, value over $50)",
	"82": "Merchandise Return (With Delivery Confirmation)",
	"83": "Merchandise Return (With Delivery Confirmation, insured value $50 or under)",
	"85": "Merchandise Return (With Delivery Confirmation, insured value over $50)",
}

// uspsIMpbCServices are the three-digit service codes of IMpb C numbers the
// data knows.
var uspsIMpbCServices = map[string]string{
	"612": "Parcel Select",
}

// dpdServices are the three-digit service codes of 28-character DPD numbers.
var dpdServices = map[string]string{
	"101": "D (normal parcel)",
	"102": "D-HAZ (normal parcel, hazardous goods)",
	"105": "D-EXW (normal parcel, ex works)",
	"106": "D-EXW-HAZ (normal parcel, ex works, hazardous goods)",
	"109": "D-COD (normal parcel, C.O.D.)",
	"110": "D-COD-HAZ (normal parcel, C.O.D., hazardous goods)",
	"113": "D-SWAP (normal parcel, exchange)",
	"136": "D (small parcel)",
	"154": "PARCELLetter",
	"155": "PM2 (Guarantee)",
	"161": "PM2-COD (Guarantee, C.O.D.)",
	"179": "AM1 (DPD 10:00)",
	"191": "AM1-COD (DPD 10:00, C.O.D.)",
	"225": "AM2 (DPD 12:00)",
	"237": "AM2-COD (DPD 12:00, C.O.D.)",
	"350": "AM0 (DPD 8:30)",
}

// s10Service decodes the two service letters of an S10 number. The first
// letter names the class of mail; the ranges are those of the data. Only
// the lookup's names are kept here (with the expansion of an acronym), as
// its longer descriptions read badly in a service field.
func s10Service(code string) string {
	if len(code) != 2 {
		return ""
	}
	first, second := code[0], code[1]
	switch first {
	case 'E':
		return "EMS (International Express Mail Service)"
	case 'L':
		return "Letter Post Express"
	case 'M':
		return "Letter Post M-bag"
	case 'Q':
		if second <= 'M' {
			return "Letter Post IBRS (International Business Reply Service)"
		}
	case 'R':
		return "Letter Post Registered"
	case 'U':
		return "Letter Post Misc"
	case 'V':
		return "Letter Post Insured"
	case 'C':
		return "Parcel Post"
	case 'H':
		return "Parcel Post (e-commerce)"
	}
	// Ranges the UPU leaves to each post for domestic use.
	switch {
	case first == 'B', first == 'D', first == 'N', first == 'P', first == 'Z',
		first == 'A' && second >= 'V',
		first == 'G' && (second == 'A' || second == 'D'):
		return "Domestic"
	}
	return ""
}
