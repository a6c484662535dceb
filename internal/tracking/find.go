package tracking

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Found is a tracking number found in free text.
type Found struct {
	// Match is the most likely reading of the number: the reading of the
	// carrier named nearest before the number, else nearest after it, else
	// the first of Detect's ranking.
	Match
	// Others are the other readings of the same number, most likely first.
	Others []Match
	// Start and End are the byte offsets of the number as written in the
	// text, spaces and dashes between its groups included.
	Start, End int
}

// Tuning of Find. The numbers are judgement, not measurement: wide enough
// for "Carrier: DHL Express\nAWB: 1234567890", narrow enough that a phone
// number in a signature is not vouched for by the carrier named in the
// first paragraph.
const (
	// A carrier named this many bytes before a number, or this many after
	// it, vouches for a weak format of that carrier.
	mentionBefore = 200
	mentionAfter  = 80
	// Groups of a number printed with separators are joined across at most
	// this many spaces and one dash, never across a line break or other
	// punctuation.
	maxJoinSpaces = 2
	// A letter-only group is joined to digits only in capitals and up to
	// this length (TBA, JJD, GFUS, the country of an S10 number).
	maxLetterGroup = 4
)

// Find returns the tracking numbers in free text (an e-mail body, a CSV
// cell), in order of appearance, each number once.
//
// A number counts only when a format and its check digit accept it. To
// keep order numbers, phone numbers and references out, Find also
//   - reports weak formats (short all-digit numbers such as FedEx Express 12
//     or DHL Express 10, and formats with no check digit and no distinctive
//     prefix) only when their carrier is named near the number;
//   - skips a number labelled as something else ("Order #", "PO", "Invoice",
//     "Phone", "Tel", "SKU", …), written after a "+" or "(555)", or printed
//     in the groups of a North American phone number (3-3-4, 1-3-3-4);
//   - joins groups separated by spaces or a dash ("1Z 999 AA1 01 2345 678 4")
//     but never glues a group that is a valid number on its own to its
//     neighbours, and never splits a word.
//
// Use Detect or Validate for a string known to be a tracking number.
func Find(text string) []Found {
	s := scanner{text: text, toks: tokenize(text)}
	if len(s.toks) == 0 {
		return nil
	}
	s.mentions = mentions(s.toks, text)
	s.alone = make([]int8, len(s.toks))
	var (
		out  []Found
		seen = make(map[string]bool)
	)
	for i := 0; i < len(s.toks); {
		j, hits := s.numberAt(i)
		if j < 0 {
			i++
			continue
		}
		if n := hits[0].m.Number; !seen[n] {
			seen[n] = true
			f := Found{Match: hits[0].m, Start: s.toks[i].start, End: s.toks[j].end}
			for _, h := range hits[1:] {
				f.Others = append(f.Others, h.m)
			}
			out = append(out, f)
		}
		i = j + 1
	}
	return out
}

// token is a run of ASCII letters and digits in the text.
type token struct {
	start, end int
	digits     bool // holds a digit
	caps       bool // letters only, upper case, short: a prefix or suffix group
	joinNext   bool // only spaces and at most one dash, on one line, up to the next token
}

// joinable reports whether the token can be a group of a number.
func (t token) joinable() bool { return t.digits || t.caps }

func tokenize(text string) []token {
	var toks []token
	for i := 0; i < len(text); {
		if !isAlnum(text[i]) {
			i++
			continue
		}
		t := token{start: i, caps: true}
		for ; i < len(text) && isAlnum(text[i]); i++ {
			c := text[i]
			if '0' <= c && c <= '9' {
				t.digits = true
			} else if 'a' <= c && c <= 'z' {
				t.caps = false
			}
		}
		t.end = i
		t.caps = t.caps && !t.digits && t.end-t.start <= maxLetterGroup
		if n := len(toks); n > 0 {
			toks[n-1].joinNext = joinableGap(text[toks[n-1].end:t.start])
		}
		toks = append(toks, t)
	}
	return toks
}

// joinableGap reports whether the text between two groups is a separator
// inside a printed number: a few spaces and at most one dash, no line
// break.
func joinableGap(gap string) bool {
	spaces, dashes := 0, 0
	for _, r := range gap {
		switch {
		case r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return false
		case unicode.IsSpace(r):
			spaces++
		case isDash(r):
			dashes++
		default:
			return false
		}
	}
	return spaces <= maxJoinSpaces && dashes <= 1
}

// mention is a carrier named in the text.
type mention struct {
	start, end int
	carrier    string
}

func mentions(toks []token, text string) []mention {
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = strings.ToLower(text[t.start:t.end])
	}
	var ms []mention
	for i := 0; i < len(words); i++ {
		if carrier, n := nameAt(words, i); n > 0 {
			ms = append(ms, mention{toks[i].start, toks[i+n-1].end, carrier})
			i += n - 1
		}
	}
	return ms
}

// scanner holds the state of one Find call.
type scanner struct {
	text     string
	toks     []token
	mentions []mention
	alone    []int8 // per token: 1 reads as a number on its own, -1 does not, 0 unknown
	buf      []byte
	hits     []hit
}

// numberAt returns the last token of the longest number starting at token
// i, with its readings, or -1.
func (s *scanner) numberAt(i int) (int, []hit) {
	if !s.toks[i].joinable() || s.labelled(i) {
		return -1, nil
	}
	last, total := i, s.toks[i].end-s.toks[i].start
	for last+1 < len(s.toks) && s.toks[last].joinNext && s.toks[last+1].joinable() {
		w := s.toks[last+1].end - s.toks[last+1].start
		if total+w > maxNumberLen {
			break
		}
		last, total = last+1, total+w
	}
	for j := last; j >= i; j-- {
		if !s.hasDigit(i, j) || (j > i && s.gluesNumber(i, j)) {
			continue
		}
		s.hits = s.filter(detect(s.candidate(i, j), s.hits[:0]), i, j)
		if len(s.hits) == 0 || (j > i && s.phoneShaped(i, j)) {
			continue
		}
		return j, s.hits
	}
	return -1, nil
}

// candidate returns tokens i..j joined and upper-cased: the normalised
// number they spell.
func (s *scanner) candidate(i, j int) string {
	s.buf = s.buf[:0]
	for k := i; k <= j; k++ {
		for _, c := range []byte(s.text[s.toks[k].start:s.toks[k].end]) {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			s.buf = append(s.buf, c)
		}
	}
	return string(s.buf)
}

func (s *scanner) hasDigit(i, j int) bool {
	for k := i; k <= j; k++ {
		if s.toks[k].digits {
			return true
		}
	}
	return false
}

// gluesNumber reports whether tokens i..j include one that is a valid
// number on its own. Such a token is a number of its own, not a group of a
// longer one: this keeps "Order 12345 9400111206206406260787" from
// becoming a 27-digit candidate that might pass some check digit.
func (s *scanner) gluesNumber(i, j int) bool {
	for k := i; k <= j; k++ {
		if s.alone[k] == 0 {
			s.alone[k] = -1
			if len(detect(s.candidate(k, k), s.hits[:0])) > 0 {
				s.alone[k] = 1
			}
		}
		if s.alone[k] > 0 {
			return true
		}
	}
	return false
}

// filter drops the weak readings whose carrier is not named near tokens
// i..j, and ranks the readings of carriers named nearby first: a carrier
// named before the number ("FedEx: 1234…") before one named after it, the
// nearest first.
func (s *scanner) filter(hits []hit, i, j int) []hit {
	start, end := s.toks[i].start, s.toks[j].end
	kept := hits[:0]
	for _, h := range hits {
		if _, ok := s.nearness(h.m.Carrier, start, end); ok || !h.f.weak {
			kept = append(kept, h)
		}
	}
	if len(kept) > 1 {
		slices.SortStableFunc(kept, func(a, b hit) int {
			da, oka := s.nearness(a.m.Carrier, start, end)
			db, okb := s.nearness(b.m.Carrier, start, end)
			switch {
			case oka && okb:
				return da - db
			case oka:
				return -1
			case okb:
				return 1
			}
			return 0
		})
	}
	return kept
}

// nearness reports whether carrier is named near the bytes start..end, and
// how near: the distance to a name before the number, or, after all of
// those, the distance to a name after it.
func (s *scanner) nearness(carrier string, start, end int) (d int, ok bool) {
	d = mentionBefore + mentionAfter + 1
	for _, m := range s.mentions {
		switch {
		case m.carrier != carrier:
		case m.end <= start && start-m.end <= mentionBefore:
			d, ok = min(d, start-m.end), true
		case m.start >= end && m.start-end <= mentionAfter:
			d, ok = min(d, mentionBefore+1+m.start-end), true
		}
	}
	return d, ok
}

// fillerWords may stand between a label and its value: "Order number: …",
// "PO No. …", "Order ID is …".
var fillerWords = map[string]bool{"no": true, "nr": true, "num": true, "number": true, "id": true, "is": true, "ref": true}

// notTracking are labels of the numbers that look most like tracking
// numbers in shipping e-mails and CSV exports.
var notTracking = map[string]bool{
	"order": true, "orders": true, "po": true, "invoice": true, "inv": true,
	"phone": true, "tel": true, "telephone": true, "fax": true, "call": true,
	"mobile": true, "cell": true, "whatsapp": true,
	"sku": true, "upc": true, "ean": true, "gtin": true, "isbn": true, "asin": true, "mpn": true,
	"account": true, "acct": true, "customer": true, "vat": true, "iban": true,
}

// labelled reports whether the text right before token i labels it as
// something other than a tracking number, or writes it as a phone number.
func (s *scanner) labelled(i int) bool {
	if s.phonePrefix(i) {
		return true
	}
	pos := s.toks[i].start
	for k, skipped := i-1, 0; k >= 0 && skipped <= 3; k-- {
		gap := s.text[s.toks[k].end:pos]
		if len(gap) > 4 || strings.ContainsAny(gap, "\r\n") {
			return false
		}
		w := strings.ToLower(s.text[s.toks[k].start:s.toks[k].end])
		if notTracking[w] {
			return true
		}
		if !fillerWords[w] {
			return false
		}
		pos, skipped = s.toks[k].start, skipped+1
	}
	return false
}

// phonePrefix reports whether token i follows a "+" (an international
// dialling prefix) or a parenthesised three-digit area code.
func (s *scanner) phonePrefix(i int) bool {
	prev := 0
	if i > 0 {
		prev = s.toks[i-1].end
	}
	gap := strings.TrimRightFunc(s.text[prev:s.toks[i].start], unicode.IsSpace)
	if strings.HasSuffix(gap, "+") {
		return true
	}
	if i == 0 || !strings.HasSuffix(gap, ")") {
		return false
	}
	p := s.toks[i-1]
	if p.end-p.start != 3 || !s.allDigits(i-1) || p.start == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s.text[:p.start])
	return r == '('
}

// phoneShaped reports whether tokens i..j are digit groups of a North
// American phone number: 3-3-4, or 1-3-3-4 with the country code.
func (s *scanner) phoneShaped(i, j int) bool {
	var lens []int
	for k := i; k <= j; k++ {
		if !s.allDigits(k) {
			return false
		}
		lens = append(lens, s.toks[k].end-s.toks[k].start)
	}
	return slices.Equal(lens, []int{3, 3, 4}) || slices.Equal(lens, []int{1, 3, 3, 4})
}

func (s *scanner) allDigits(k int) bool {
	for _, c := range []byte(s.text[s.toks[k].start:s.toks[k].end]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
