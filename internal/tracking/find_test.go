package tracking

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// supplierEmail is a shipping notice as suppliers write them. Its traps
// are chosen to pass a check digit, so that only Find's context rules keep
// them out: the order number 100234567890 and the PO 4500123456 are valid
// FedEx Express and DHL Express numbers, and the phone numbers 555 013 4564
// and 212 555 0184 are valid DHL Express numbers, with DHL named nearby.
const supplierEmail = `Hello,

Your order #100234567890 has shipped from our Reno warehouse.

Carrier: UPS Ground
Tracking: 1Z 5R8 939 03 5756 7127

A second box went by FedEx: 986578788855
(see https://www.fedex.com/fedextrack/?tracknumbers=986578788855)

Small items by USPS Priority Mail, tracking 9400 1112 0108 0805 4830 16.
International parcel (Royal Mail): RB123456785GB

Questions? Our DHL desk is at 555 013 4564, or +1 212 555 0184.
PO 4500123456 / Invoice 2024-000187 / SKU TBA-1

Acme Supply Co.
`

func TestFindSupplierEmail(t *testing.T) {
	got := Find(supplierEmail)
	want := []struct{ carrier, format, number, text string }{
		{"ups", "ups", "1Z5R89390357567127", "1Z 5R8 939 03 5756 7127"},
		{"fedex", "fedex_12", "986578788855", "986578788855"},
		{"usps", "usps_impb_n", "9400111201080805483016", "9400 1112 0108 0805 4830 16"},
		{"s10", "s10", "RB123456785GB", "RB123456785GB"},
	}
	if len(got) != len(want) {
		t.Fatalf("Find found %d numbers, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		f := got[i]
		if f.Carrier != w.carrier || f.Format != w.format || f.Number != w.number {
			t.Errorf("found[%d] = %+v, want %s %s %s", i, f.Match, w.carrier, w.format, w.number)
		}
		if s := supplierEmail[f.Start:f.End]; s != w.text {
			t.Errorf("found[%d] spans %q, want %q", i, s, w.text)
		}
	}
	if got[0].Service != "UPS United States Ground" {
		t.Errorf("UPS service %q", got[0].Service)
	}
	if got[3].Country != "GB" {
		t.Errorf("S10 country %q, want GB", got[3].Country)
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // carrier:number of each Found, in order
	}{
		{"empty", "", nil},
		{"prose", "Thanks for your order, it ships tomorrow.", nil},
		{"weak format with its carrier", "DHL Express AWB: 3318810025", []string{"dhl:3318810025"}},
		{"carrier named on the line before", "Carrier: DHL\nAWB 3318810025", []string{"dhl:3318810025"}},
		{"weak format without its carrier", "AWB: 3318810025", nil},
		{"weak format, carrier named far away", "DHL" + strings.Repeat(" filler", 40) + " 3318810025", nil},
		{"wrong check digit", "UPS tracking 1Z5R89390357567128", nil},
		{"lower case", "ups: 1z5r89390357567127", []string{"ups:1Z5R89390357567127"}},
		{"each number once", "1Z5R89390357567127 and again 1Z5R89390357567127", []string{"ups:1Z5R89390357567127"}},
		{"in order of appearance", "RB123456785GB then 1Z5R89390357567127", []string{"s10:RB123456785GB", "ups:1Z5R89390357567127"}},
		{"groups and a suffix letter", "DPD parcel 0998 0000 0200 34D", []string{"dpd:09980000020034D"}},
		{"dash suffix", "LaserShip 1LS7119013618127-1 delivered", []string{"lasership:1LS71190136181271"}},
		{"CSV cell", `"2024-05-01","UPS","1Z879E930346834440"`, []string{"ups:1Z879E930346834440"}},
		{"HTML", `<td>Tracking</td><td><a href="x">1Z879E930346834440</a></td>`, []string{"ups:1Z879E930346834440"}},
		{"no-break spaces", "FedEx 0414\u00a04176\u00a00228\u00a0964", []string{"fedex:041441760228964"}},
		{"does not glue a neighbour", "Box 12345 9400111206206406260787", []string{"usps:9400111206206406260787"}},
		{"does not split words", "X1Z5R89390357567127", nil},
		{"order label", "FedEx order number: 100234567890", nil},
		{"order id label", "FedEx Order ID is 100234567890", nil},
		{"phone, parenthesised", "DHL: (555) 013-4564", nil},
		{"phone, dashes", "DHL: 555-013-4564", nil},
		{"phone, international", "DHL +1 555 013 4564", nil},
		{"phone label", "DHL, call 5550134564", nil},
		{"S10 of USPS", "Shipped with USPS: RB123456785US", []string{"usps:RB123456785US"}},
		{"S10 of another post", "Royal Mail RB123456785GB", []string{"s10:RB123456785GB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range Find(tt.text) {
				got = append(got, f.Carrier+":"+f.Number)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Find(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestFindRanksNamedCarrierFirst: 320595463904 passes both FedEx Express
// and Purolator; the carrier the text names comes first.
func TestFindRanksNamedCarrierFirst(t *testing.T) {
	for _, tt := range []struct{ text, first, other string }{
		{"Purolator 320595463904, FedEx for the rest", "purolator", "fedex"},
		{"FedEx 320595463904, Purolator for the rest", "fedex", "purolator"},
	} {
		got := Find(tt.text)
		if len(got) != 1 || got[0].Carrier != tt.first || len(got[0].Others) != 1 || got[0].Others[0].Carrier != tt.other {
			t.Errorf("Find(%q) = %+v, want %s then %s", tt.text, got, tt.first, tt.other)
		}
	}
	got := Find("Shipped with USPS: RB123456785US")
	if len(got) != 1 || len(got[0].Others) != 1 || got[0].Others[0].Carrier != "s10" {
		t.Errorf("S10 of USPS: %+v, want usps then s10", got)
	}
}

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		carrier, number string
		want            error
		detail          string // a substring of the message
	}{
		{"ups", "1Z5R89390357567127", nil, ""},
		{"UPS", " 1z 5r8 939 03 5756 7127 ", nil, ""},
		{"ups", "1Z5R89390357567128", ErrCheckDigit, "check digit 8, want 7"},
		{"ups", "2Z5R89390357567127", ErrFormat, ""},
		{"fedex", "1Z5R89390357567127", ErrFormat, ""},
		{"usps", "RB123456785US", nil, ""},
		{"canadapost", "RB123456785CA", nil, ""},
		{"usps", "RB123456785GB", ErrFormat, "issued in GB, not US"},
		{"s10", "RB123456785XX", ErrCheckDigit, "ending in XX"},
		{"dpd", "09980000020034E", ErrCheckDigit, "want D"},
		{"royalmail", "RB123456785GB", ErrUnknownCarrier, ""},
		{"UPS Ground", "1Z5R89390357567127", ErrUnknownCarrier, ""},
	}
	for _, tt := range tests {
		t.Run(tt.carrier+"/"+tt.number, func(t *testing.T) {
			err := Validate(tt.carrier, tt.number)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Validate = %v, want %v", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), tt.detail) || !strings.HasPrefix(err.Error(), "tracking: ") {
				t.Errorf("Validate = %q (%T), want a *Error mentioning %q", err, err, tt.detail)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	if got := Detect(""); got != nil {
		t.Errorf("Detect(\"\") = %v", got)
	}
	if got := Detect(strings.Repeat("1", 100)); got != nil {
		t.Errorf("Detect(long) = %v", got)
	}
	// RX123456785CN is an S10 number (check digit) of China Post and has
	// the shape of a DHL eCommerce number (no check digit): S10 first.
	got := Detect("RX 123 456 785 CN")
	if len(got) != 2 || got[0].Format != "s10" || got[0].Country != "CN" || got[1].Format != "dhl_ecommerce" {
		t.Errorf("Detect(RX123456785CN) = %+v, want s10 then dhl_ecommerce", got)
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		" 1z 999-aa1\t01\u00a02345\u2013678 4\n": "1Z999AA10123456784",
		"\ufeff1Z\u200b999":                      "1Z999",
		"1Z/999":                                 "1Z/999", // kept, so that it fails
		"é":                                      "é",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCarriers(t *testing.T) {
	want := []string{"amazon", "canadapost", "canpar", "dhl", "dpd", "fedex", "gofo", "landmark", "lasership", "olddominion", "ontrac", "purolator", "s10", "speedee", "ups", "usps", "yodel", "yunexpress"}
	if got := Carriers(); !slices.Equal(got, want) {
		t.Errorf("Carriers() = %q, want %q", got, want)
	}
}

// BenchmarkFind scans a 2 KB supplier e-mail.
func BenchmarkFind(b *testing.B) {
	body := supplierEmail
	for len(body) < 2048 {
		body += "Please keep this e-mail for your records. Returns within 30 days to 1200 Commerce Blvd, Reno NV 89502.\n"
	}
	body = body[:2048]
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if len(Find(body)) == 0 {
			b.Fatal("nothing found")
		}
	}
}
