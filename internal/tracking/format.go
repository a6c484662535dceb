package tracking

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"unicode/utf8"
)

// format is one kind of tracking number of one carrier, as the data
// describes it: a pattern over the normalised number, the checksum of its
// serial number if it has one, and what can be decoded from it.
type format struct {
	id      string // the data's id, or one given here when the data has none
	name    string // the data's name, exactly: the conformance tests key on it
	carrier string // canonical carrier code

	// pattern is anchored and applied to the normalised number. Named groups
	// follow the data: SerialNumber and CheckDigit feed the checksum,
	// ServiceType the service lookup, CountryCode the issuer check. A name
	// may appear in several alternatives; the one that took part counts.
	pattern string
	sum     checksum // nil when the format carries no check digit
	prepend prepend  // the data's serial_number_format.prepend_if
	service func(code string) string
	// issuer requires the CountryCode group to name a known postal
	// operator (S10's "exists": ["Courier"]).
	issuer bool
	// weak marks a format that random digits or everyday references match
	// too often to be trusted in free text: short all-digit numbers with a
	// check digit that one number in 7 or 10 passes, and formats with no
	// check digit and no distinctive prefix. Find reports them only when
	// the carrier is named nearby; Validate and Detect treat them like any
	// other format.
	weak bool

	// Derived by compile.
	re                                  *regexp.Regexp
	serialIdx, checkIdx, serviceIdx, cc []int
	minLen, maxLen                      int
}

// prepend is the data's serial_number_format.prepend_if: unless the serial
// starts with unless, content is put in front of it before the checksum is
// computed (OnTrac's leading 4 or 5, USPS's 91 application identifier).
// Every prepend_if of the data has the form "^(?!X).+", which this states.
type prepend struct {
	unless, content string
}

func (p prepend) apply(serial string) string {
	if p.content == "" || len(serial) >= len(p.unless) && serial[:len(p.unless)] == p.unless {
		return serial
	}
	return p.content + serial
}

// compile prepares the table; a pattern that does not compile is a
// programming error caught by every test run.
func compile(fs []format) []*format {
	out := make([]*format, len(fs))
	for i := range fs {
		f := &fs[i]
		f.re = regexp.MustCompile(f.pattern)
		for j, name := range f.re.SubexpNames() {
			switch name {
			case "SerialNumber":
				f.serialIdx = append(f.serialIdx, j)
			case "CheckDigit":
				f.checkIdx = append(f.checkIdx, j)
			case "ServiceType":
				f.serviceIdx = append(f.serviceIdx, j)
			case "CountryCode":
				f.cc = append(f.cc, j)
			}
		}
		parsed, err := syntax.Parse(f.pattern, syntax.Perl)
		if err != nil {
			panic(fmt.Sprintf("tracking: format %s: %v", f.id, err))
		}
		f.minLen, f.maxLen = lengthBounds(parsed)
		out[i] = f
	}
	return out
}

// errNoMatch says the number does not have the format's shape. It is a
// sentinel, not a *Error, so that Find can try every format on every
// candidate without allocating.
var errNoMatch = errors.New("no match")

// checkError says the number has the format's shape but not its check
// digit, or names an unknown issuer.
type checkError struct {
	f      *format
	detail string
}

// evaluate matches a normalised number against the format. It returns
// errNoMatch when the pattern does not match and a *checkError when the
// check digit (or the S10 issuer) is wrong.
func (f *format) evaluate(n string) (Match, error) {
	if len(n) < f.minLen || len(n) > f.maxLen {
		return Match{}, errNoMatch
	}
	sub := f.re.FindStringSubmatchIndex(n)
	if sub == nil {
		return Match{}, errNoMatch
	}
	group := func(idx []int) string {
		for _, j := range idx {
			if sub[2*j] >= 0 {
				return n[sub[2*j]:sub[2*j+1]]
			}
		}
		return ""
	}
	if f.sum != nil {
		serial := f.prepend.apply(group(f.serialIdx))
		got := group(f.checkIdx)
		want, ok := f.sum.compute(serial)
		if !ok {
			return Match{}, &checkError{f, fmt.Sprintf("%s cannot weigh serial %s", f.sum, serial)}
		}
		if len(got) != 1 || got[0] != want {
			return Match{}, &checkError{f, fmt.Sprintf("check digit %s, want %c (%s over %s)", got, want, f.sum, serial)}
		}
	}
	m := Match{Carrier: f.carrier, Format: f.id, Service: f.name, Number: n}
	if f.issuer {
		m.Country = group(f.cc)
		if _, ok := s10Issuers[m.Country]; !ok {
			return Match{}, &checkError{f, fmt.Sprintf("no postal operator issues S10 numbers ending in %s", m.Country)}
		}
	}
	if f.service != nil {
		if s := f.service(group(f.serviceIdx)); s != "" {
			m.Service = s
		}
	}
	return m, nil
}

func (e *checkError) Error() string { return e.detail }

// lengthBounds returns the shortest and longest strings a pattern can
// match, so that a candidate of the wrong length is refused before the
// regular expression runs. Unbounded repetition gives math.MaxInt.
func lengthBounds(re *syntax.Regexp) (lo, hi int) {
	switch re.Op {
	case syntax.OpLiteral:
		return len(string(re.Rune)), len(string(re.Rune))
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return 0, 0
		}
		return 1, utf8.RuneLen(re.Rune[len(re.Rune)-1])
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1, utf8.UTFMax
	case syntax.OpCapture:
		return lengthBounds(re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			l, h := lengthBounds(s)
			lo, hi = lo+l, addSat(hi, h)
		}
		return lo, hi
	case syntax.OpAlternate:
		lo, hi = math.MaxInt, 0
		for _, s := range re.Sub {
			l, h := lengthBounds(s)
			lo, hi = min(lo, l), max(hi, h)
		}
		return lo, hi
	case syntax.OpQuest:
		_, h := lengthBounds(re.Sub[0])
		return 0, h
	case syntax.OpStar:
		return 0, math.MaxInt
	case syntax.OpPlus:
		l, _ := lengthBounds(re.Sub[0])
		return l, math.MaxInt
	case syntax.OpRepeat:
		l, h := lengthBounds(re.Sub[0])
		if re.Max < 0 {
			return l * re.Min, math.MaxInt
		}
		return l * re.Min, mulSat(h, re.Max)
	default: // anchors, boundaries, empty
		return 0, 0
	}
}

func addSat(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func mulSat(a, b int) int {
	if b != 0 && a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}
