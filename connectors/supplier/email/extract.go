package email

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/tracking"
)

// parcel is one tracking number found in a reply, with its carrier and,
// when the reply says, what it holds.
type parcel struct {
	Number  string // normalised (tracking.Normalize)
	Carrier string // carrier code; as written for a carrier dropgate does not know
	Lines   []model.ShipmentLine
}

// namedCarrier is the carrier a reply names ("shipped via UPS"): the
// first carrier pattern match dropgate can map to a code, else the first
// match as written.
type namedCarrier struct {
	Written, Code string
}

func (r *replyRules) namedCarrier(text string) namedCarrier {
	var first namedCarrier
	for _, re := range r.carrier {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			w := group(re, m, "carrier")
			if w == "" {
				continue
			}
			if code, ok := r.carrierCode(w); ok {
				return namedCarrier{Written: w, Code: code}
			}
			if first.Written == "" {
				first.Written = w
			}
		}
	}
	return first
}

// findTracking returns the reply's tracking numbers, each once, in order.
// The configured tracking patterns are tried first; when none matches,
// tracking.Find scans the text (valid check digits only, order and phone
// numbers avoided). A number a pattern picks out must be valid for its
// carrier: one that is not is returned as a problem, since the supplier
// meant it as a tracking number and a person must look at it.
func (r *replyRules) findTracking(text string, hint namedCarrier) ([]parcel, []string) {
	var (
		out  []parcel
		errs []string
		seen = map[string]bool{}
	)
	for _, re := range r.tracking {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			raw := group(re, m, "number")
			if !candidate(raw) {
				continue // "Tracking: to follow"
			}
			p, err := r.resolve(raw, group(re, m, "carrier"), hint)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			if !seen[p.Number] {
				seen[p.Number] = true
				out = append(out, p)
			}
		}
	}
	if len(out) > 0 || len(errs) > 0 {
		return out, errs
	}
	for _, f := range tracking.Find(text) {
		if isPONumber(f.Number) || seen[f.Number] {
			continue
		}
		seen[f.Number] = true
		carrier := f.Carrier
		if hint.Code != "" && hint.Code != carrier {
			// The reply names a carrier that also accepts the number
			// (an S10 number of USPS, a DHL number printed on a
			// partner's label): take the supplier's word.
			for _, o := range f.Others {
				if o.Carrier == hint.Code {
					carrier = o.Carrier
				}
			}
		}
		out = append(out, parcel{Number: f.Number, Carrier: carrier})
	}
	return out, nil
}

// resolve validates one number a pattern or a CSV cell gave, and settles
// its carrier: the carrier written with it (authoritative: the number must
// be valid for it), else the carrier the reply names (a hint: the
// number's own format wins when they disagree), else the number's format.
// A carrier written with the number that dropgate has no rules for, or
// one carrier_names maps to such a code, is taken as written, the number
// unchecked beyond its shape.
func (r *replyRules) resolve(raw, written string, hint namedCarrier) (parcel, error) {
	n := tracking.Normalize(raw)
	if !plausibleNumber(n) {
		return parcel{}, fmt.Errorf("%q is not a tracking number (6 to 40 letters and digits)", raw)
	}
	if written != "" {
		code, ok := r.carrierCode(written)
		if !ok {
			return parcel{Number: n, Carrier: normalizeName(written)}, nil
		}
		if !hasRules(code) {
			return parcel{Number: n, Carrier: code}, nil
		}
		if err := tracking.Validate(code, n); err != nil {
			return parcel{}, fmt.Errorf("tracking number %s is not a valid %s number: %v", n, code, validationDetail(err))
		}
		return parcel{Number: n, Carrier: code}, nil
	}
	if hint.Code != "" && tracking.Validate(hint.Code, n) == nil {
		return parcel{Number: n, Carrier: hint.Code}, nil
	}
	if ms := tracking.Detect(n); len(ms) > 0 {
		return parcel{Number: n, Carrier: ms[0].Carrier}, nil
	}
	switch {
	case hint.Code != "" && !hasRules(hint.Code):
		return parcel{Number: n, Carrier: hint.Code}, nil
	case hint.Code != "":
		return parcel{}, fmt.Errorf("tracking number %s is not a valid %s number (the carrier the reply names): %v", n, hint.Code, validationDetail(tracking.Validate(hint.Code, n)))
	case hint.Written != "":
		// A name in free text ("carrier will collect") is too loose to
		// vouch for a number no format accepts.
		return parcel{}, fmt.Errorf("tracking number %s is valid for no carrier dropgate knows, and it does not know the carrier %q the reply names (add it to replies.carrier_names)", n, hint.Written)
	}
	return parcel{}, fmt.Errorf("tracking number %s is valid for no carrier dropgate knows (wrong check digit or format) and the reply names no carrier", n)
}

// candidate tells a tracking number from the words a pattern or a CSV
// cell may hold instead ("to follow", "pending", "N/A"): every carrier's
// numbers have digits.
func candidate(s string) bool { return strings.ContainsAny(s, "0123456789") }

// hasRules reports whether internal/tracking can validate numbers of a
// carrier code (a code from carrier_names may be one it does not know).
func hasRules(code string) bool {
	return !errors.Is(tracking.Validate(code, "0"), tracking.ErrUnknownCarrier)
}

// validationDetail is the useful part of a tracking.Validate error.
func validationDetail(err error) string {
	var te *tracking.Error
	if errors.As(err, &te) {
		if te.Detail != "" {
			return fmt.Sprintf("%v (%s)", te.Err, te.Detail)
		}
		return te.Err.Error()
	}
	return fmt.Sprint(err)
}

// plausibleNumber: letters and digits only, of a tracking number's length.
var plausibleRE = regexp.MustCompile(`^[A-Z0-9]{6,40}$`)

func plausibleNumber(n string) bool { return plausibleRE.MatchString(n) }

func isPONumber(s string) bool { return len(s) == 12 && poExact.MatchString(s) }

// findLines returns the items a reply lists as shipped ("ACME-MUG x 2").
func (r *replyRules) findLines(text string, exclude map[string]bool) []model.ShipmentLine {
	var out []model.ShipmentLine
	for _, re := range r.lines {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			sku, qtyText := group(re, m, "sku"), group(re, m, "qty")
			qty, err := strconv.ParseInt(qtyText, 10, 64)
			if sku == "" || err != nil || qty <= 0 || exclude[strings.ToUpper(sku)] {
				continue
			}
			out = append(out, model.ShipmentLine{SupplierSKU: sku, Quantity: qty})
		}
	}
	return out
}

// looksLikeSKU tells an item code from an ordinary word in free text: a
// digit or an item code's punctuation, or all capitals.
func looksLikeSKU(s string) bool {
	if len(s) < 2 {
		return false
	}
	if strings.ContainsAny(s, "0123456789-_./") {
		return true
	}
	return len(s) >= 3 && strings.ToUpper(s) == s
}
