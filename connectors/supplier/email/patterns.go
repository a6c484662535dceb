package email

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/dropgate/dropgate/internal/tracking"
)

// The built-in reply patterns, used for each key the YAML leaves empty.
// They are deliberately narrow: a reply they do not recognise becomes an
// exception a person reads, which is better than a wrong guess.
var (
	// "Carrier: UPS", "shipped via FedEx Ground", "Courier - DHL Express".
	defaultCarrier = []string{
		`(?i)\b(?:carrier|courier|shipping (?:method|company)|ship(?:ped)? (?:via|with|by)|sent (?:via|with|by)|dispatched (?:via|with|by))\b[ \t]*[:\-–]?[ \t]*(?P<carrier>[^\r\n,;]{2,60})`,
	}
	// A line of its own: "ACME-MUG x 2", "- ACME-MUG × 2", "2 x ACME-MUG".
	defaultLines = []string{
		`(?m)^[ \t]*(?:[-*•][ \t]*)?(?P<sku>[A-Za-z0-9][A-Za-z0-9._/-]{0,39})[ \t]*[xX×][ \t]*(?P<qty>[0-9]{1,6})[ \t]*$`,
		`(?m)^[ \t]*(?:[-*•][ \t]*)?(?P<qty>[0-9]{1,6})[ \t]*[xX×][ \t]+(?P<sku>[A-Za-z0-9][A-Za-z0-9._/-]{0,39})[ \t]*$`,
	}
	defaultConfirmed = []string{
		`(?i)\b(?:confirmed|acknowledged|accepted|will ship|will be shipped|order received|received your order)\b`,
	}
	// The first names one item ("ACME-MUG is out of stock"); the second
	// refuses the order as a whole.
	defaultRejected = []string{
		`(?m)^[ \t>*•-]*(?:(?i:item|sku|product|article|part)[ \t]*:?[ \t]*)?(?P<sku>[A-Za-z0-9][A-Za-z0-9._/-]{1,39})[ \t]*(?:\([^)\n]{0,60}\))?[ \t]*(?i:is|are|:|-|–)?[ \t]*(?i:currently[ \t]+|temporarily[ \t]+)?(?i:out of stock|sold out|discontinued|unavailable|not available|no longer available)`,
		`(?i)\b(?:out of stock|sold out|discontinued|unavailable|not available|no longer available|cannot (?:fulfil+|supply|ship|accept)|can'?t (?:fulfil+|supply|ship|accept)|unable to (?:fulfil+|supply|ship|accept)|not accepted|rejected|declined)\b`,
	}
	defaultCancelRefused = []string{
		`(?i)\b(?:already (?:been )?(?:shipped|dispatched|sent)|can(?:not|'t|’t) (?:be )?cancel+(?:ed)?|unable to cancel|too late to cancel)\b`,
	}
	// An answer to our cancellation that agrees to it.
	cancelAccepted = regexp.MustCompile(`(?i)\b(?:cancel+ed|cancel+ation (?:is )?confirmed|confirmed|done)\b`)
)

// replyRules is the compiled Replies block.
type replyRules struct {
	tracking, carrier, lines           []*regexp.Regexp
	confirmed, rejected, cancelRefused []*regexp.Regexp
	carrierNames                       []carrierName // longest first
	csv                                csvSpec
}

type carrierName struct{ name, code string }

// patternKey describes one pattern list: its key, the groups each
// pattern must have and may have.
type patternKey struct {
	key               string
	list, def         []string
	required, allowed []string
	dst               *[]*regexp.Regexp
}

func (r *replyRules) keys(cfg Replies) []patternKey {
	return []patternKey{
		{"tracking", cfg.Tracking, nil, []string{"number"}, []string{"number", "carrier"}, &r.tracking},
		{"carrier", cfg.Carrier, defaultCarrier, []string{"carrier"}, []string{"carrier"}, &r.carrier},
		{"lines", cfg.Lines, defaultLines, []string{"sku", "qty"}, []string{"sku", "qty"}, &r.lines},
		{"confirmed", cfg.Confirmed, defaultConfirmed, nil, nil, &r.confirmed},
		{"rejected", cfg.Rejected, defaultRejected, nil, []string{"sku"}, &r.rejected},
		{"cancel_refused", cfg.CancelRefused, defaultCancelRefused, nil, nil, &r.cancelRefused},
	}
}

// compileReplies compiles the patterns (the configured ones, else the
// defaults) and the carrier names.
func compileReplies(cfg Replies) (*replyRules, error) {
	r := &replyRules{}
	for _, k := range r.keys(cfg) {
		list := k.list
		if len(list) == 0 {
			list = k.def
		}
		for i, src := range list {
			re, err := compilePattern(src, k.required, k.allowed)
			if err != nil {
				return nil, fmt.Errorf("replies.%s[%d]: %w", k.key, i, err)
			}
			*k.dst = append(*k.dst, re)
		}
	}
	for name, code := range cfg.CarrierNames {
		r.carrierNames = append(r.carrierNames, carrierName{normalizeName(name), code})
	}
	sort.Slice(r.carrierNames, func(i, j int) bool {
		a, b := r.carrierNames[i].name, r.carrierNames[j].name
		return len(a) > len(b) || (len(a) == len(b) && a < b)
	})
	r.csv = newCSVSpec(cfg.CSV)
	return r, nil
}

// compilePattern compiles one pattern and checks its named groups.
func compilePattern(src string, required, allowed []string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, n := range re.SubexpNames() {
		if n != "" {
			names[n] = true
		}
	}
	for _, n := range required {
		if !names[n] {
			return nil, fmt.Errorf("needs a named group (?P<%s>…)", n)
		}
	}
	for n := range names {
		if !contains(allowed, n) {
			if len(allowed) == 0 {
				return nil, fmt.Errorf("has a named group %q, but this key uses none", n)
			}
			return nil, fmt.Errorf("has an unknown named group %q (this key uses %s)", n, strings.Join(allowed, ", "))
		}
	}
	return re, nil
}

// checkPatterns reports every bad pattern and carrier name of the config.
func checkPatterns(cfg Replies, ps *problems) {
	var r replyRules
	for _, k := range r.keys(cfg) {
		for i, src := range k.list {
			if _, err := compilePattern(src, k.required, k.allowed); err != nil {
				ps.add(fmt.Sprintf("replies.%s[%d]", k.key, i), "%v", err)
			}
		}
	}
	known := tracking.Carriers()
	for name, code := range cfg.CarrierNames {
		if strings.TrimSpace(name) == "" {
			ps.add("replies.carrier_names", "empty carrier name")
		}
		if code == "" || strings.ToLower(code) != code {
			ps.add("replies.carrier_names."+name, "carrier code %q must be lower case, such as ups or fedex (known: %s)", code, strings.Join(known, ", "))
		}
	}
}

// group returns the named group of a submatch, or "".
func group(re *regexp.Regexp, m []string, name string) string {
	if i := re.SubexpIndex(name); i >= 0 && i < len(m) {
		return strings.TrimSpace(m[i])
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// normalizeName lower-cases a carrier name and folds its white space.
func normalizeName(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// carrierCode maps a carrier name as written to a carrier code: the
// supplier's carrier_names first (a configured name anywhere in the text),
// then tracking.CarrierFromName. ok is false for a name neither knows.
func (r *replyRules) carrierCode(written string) (string, bool) {
	n := normalizeName(written)
	if n == "" {
		return "", false
	}
	for _, c := range r.carrierNames {
		if n == c.name || strings.Contains(" "+n+" ", " "+c.name+" ") {
			return c.code, true
		}
	}
	return tracking.CarrierFromName(written)
}
