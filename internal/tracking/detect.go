package tracking

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Match is one reading of a tracking number: the carrier and format that
// accept it.
type Match struct {
	// Carrier is the canonical carrier code: ups, fedex, usps, dhl, amazon,
	// ontrac, lasership, canadapost, purolator, dpd, canpar, olddominion,
	// speedee, yodel, yunexpress, gofo, landmark or s10.
	Carrier string
	// Format identifies the kind of number, e.g. "fedex_ground_96",
	// "usps_impb_c", "s10" (the identifiers of tracking_number_data).
	Format string
	// Service is the service the number encodes when its format carries a
	// known service code ("UPS United States Ground", "Parcel Select"),
	// otherwise the name of the format ("FedEx Express (12)").
	Service string
	// Number is the normalised number (see Normalize).
	Number string
	// Country is, for an S10 number, the ISO 3166 code of the issuing
	// postal service; empty otherwise.
	Country string
}

// Errors a validation can be classified by with errors.Is.
var (
	// ErrUnknownCarrier: the carrier code is not one of this package's.
	ErrUnknownCarrier = errors.New("unknown carrier")
	// ErrFormat: the number has the shape of none of the carrier's formats.
	ErrFormat = errors.New("not a tracking number format of the carrier")
	// ErrCheckDigit: the number has the shape of a format of the carrier
	// but its check digit (or, for S10, its issuing country) is wrong.
	ErrCheckDigit = errors.New("check digit mismatch")
)

// Error explains why a number is not a valid tracking number of a carrier.
type Error struct {
	Carrier string // the carrier code as given
	Number  string // the normalised number
	Format  string // with ErrCheckDigit, the format whose shape matched
	Err     error  // ErrUnknownCarrier, ErrFormat or ErrCheckDigit
	Detail  string // e.g. "check digit 8, want 7 (mod10 over 5R8939035756712)"
}

func (e *Error) Error() string {
	s := fmt.Sprintf("tracking: %s %q: %v", e.Carrier, e.Number, e.Err)
	if e.Format != "" {
		s += " (format " + e.Format + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Normalize returns a tracking number as carriers print and look it up:
// white space, dashes and zero-width characters removed, ASCII letters in
// upper case. Other characters are kept, so that they make the number
// invalid rather than silently disappear.
func Normalize(number string) string {
	var b strings.Builder
	b.Grow(len(number))
	for _, r := range number {
		switch {
		case unicode.IsSpace(r), isDash(r), r == '\u200b', r == '\ufeff':
			continue
		case 'a' <= r && r <= 'z':
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isDash reports the hyphens and dashes found in pasted tracking numbers.
func isDash(r rune) bool {
	return r == '-' || ('\u2010' <= r && r <= '\u2015') || r == '\u2212' || r == '\ufe63' || r == '\uff0d'
}

// carrierFormat is a format a carrier accepts; country, when set, restricts
// an S10 format to the numbers that carrier issues itself.
type carrierFormat struct {
	f       *format
	country string
}

// byCarrier maps each carrier code to its formats; maxNumberLen is the
// length of the longest number any format accepts.
var (
	byCarrier    = indexCarriers(formats)
	maxNumberLen = slices.MaxFunc(formats, func(a, b *format) int { return cmp.Compare(a.maxLen, b.maxLen) }).maxLen
)

func indexCarriers(fs []*format) map[string][]carrierFormat {
	idx := make(map[string][]carrierFormat)
	for _, f := range fs {
		idx[f.carrier] = append(idx[f.carrier], carrierFormat{f: f})
		if f.issuer {
			for country, carrier := range s10Posts {
				idx[carrier] = append(idx[carrier], carrierFormat{f: f, country: country})
			}
		}
	}
	return idx
}

// Carriers returns the canonical codes of the carriers this package knows,
// sorted.
func Carriers() []string {
	codes := make([]string, 0, len(byCarrier))
	for c := range byCarrier {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

// Validate reports whether number is a valid tracking number of carrier (a
// canonical code such as "ups"; map free-text names with CarrierFromName
// first). The number is normalised first. It returns nil when one of the
// carrier's formats accepts the number, and otherwise an *Error that
// unwraps to ErrUnknownCarrier, ErrFormat or ErrCheckDigit.
func Validate(carrier, number string) error {
	n := Normalize(number)
	fs, ok := byCarrier[strings.ToLower(strings.TrimSpace(carrier))]
	if !ok {
		return &Error{Carrier: carrier, Number: n, Err: ErrUnknownCarrier}
	}
	var first *Error
	for _, cf := range fs {
		m, err := cf.f.evaluate(n)
		if err == nil && (cf.country == "" || m.Country == cf.country) {
			return nil
		}
		if first != nil || errors.Is(err, errNoMatch) {
			continue
		}
		first = &Error{Carrier: carrier, Number: n, Format: cf.f.id, Err: ErrCheckDigit}
		if err == nil {
			// An S10 number issued by another post than this carrier.
			first.Err = ErrFormat
			first.Detail = fmt.Sprintf("an S10 number issued in %s, not %s", m.Country, cf.country)
		} else {
			first.Detail = err.Error()
		}
	}
	if first != nil {
		return first
	}
	return &Error{Carrier: carrier, Number: n, Err: ErrFormat}
}

// Detect returns every reading of number (normalised first) that a
// format and its check digit accept, most trustworthy first: formats with
// a check digit, then distinctive formats without one, then the weak
// formats that Find distrusts. A valid S10 number issued by a post that
// is also a carrier here (US: usps, CA: canadapost) is reported for both.
// It returns nil when no format accepts the number.
func Detect(number string) []Match {
	hits := detect(Normalize(number), nil)
	out := make([]Match, len(hits))
	for i, h := range hits {
		out[i] = h.m
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// hit is a Match with the format that produced it.
type hit struct {
	m Match
	f *format
}

// detect appends to hits every reading of the normalised number n, ranked.
func detect(n string, hits []hit) []hit {
	if len(n) == 0 || len(n) > maxNumberLen {
		return hits
	}
	start := len(hits)
	for _, f := range formats {
		m, err := f.evaluate(n)
		if err != nil {
			continue
		}
		hits = append(hits, hit{m, f})
		if carrier, ok := s10Posts[m.Country]; ok && f.issuer {
			post := m
			post.Carrier = carrier
			hits = append(hits, hit{post, f})
		}
	}
	slices.SortStableFunc(hits[start:], func(a, b hit) int { return cmp.Compare(rank(a.f), rank(b.f)) })
	return hits
}

// rank orders readings by how much a match proves: a check digit first,
// then a distinctive shape, then weak formats.
func rank(f *format) int {
	switch {
	case f.weak:
		return 2
	case f.sum == nil:
		return 1
	default:
		return 0
	}
}
