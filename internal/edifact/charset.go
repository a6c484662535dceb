package edifact

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// charsetKind says how the bytes of an interchange become text.
type charsetKind uint8

const (
	kindLevelA charsetKind = iota // UNOA: upper-case ISO 646 subset
	kindLevelB                    // UNOB: ISO 646 subset with lower case
	kindTable                     // UNOC..UNOK: one ISO 8859 part, one byte per character
	kindUTF8                      // UNOY, UNOW: ISO 10646 octets, read as UTF-8
)

// charset is the character repertoire named by a syntax identifier (UNB
// S001/0001, code list 0001).
type charset struct {
	id    string
	kind  charsetKind
	cm    *charmap.Charmap // kindTable; Latin-1 decoding for A/B tolerance
	table [256]rune        // byte → rune for every kind but UTF-8
	valid [256]bool        // repertoire of levels A and B
}

// syntaxCharmaps maps the single-byte syntax identifiers to their ISO 8859
// part, per code list 0001. It is read-only after package initialisation.
var syntaxCharmaps = map[string]*charmap.Charmap{
	"UNOC": charmap.ISO8859_1,
	"UNOD": charmap.ISO8859_2,
	"UNOE": charmap.ISO8859_5,
	"UNOF": charmap.ISO8859_7,
	"UNOG": charmap.ISO8859_3,
	"UNOH": charmap.ISO8859_4,
	"UNOI": charmap.ISO8859_6,
	"UNOJ": charmap.ISO8859_8,
	"UNOK": charmap.ISO8859_9,
}

// SupportedSyntax reports whether id (UNB S001/0001, e.g. "UNOC") is a
// syntax identifier this package reads and writes.
func SupportedSyntax(id string) bool {
	_, err := lookupCharset(id)
	return err == nil
}

// lookupCharset builds the charset for a syntax identifier. The tables are
// built per interchange (256 entries), which keeps the package free of
// shared mutable state.
func lookupCharset(id string) (*charset, error) {
	cs := &charset{id: id}
	switch id {
	case "UNOA":
		cs.kind = kindLevelA
	case "UNOB":
		cs.kind = kindLevelB
	case "UNOY", "UNOW":
		cs.kind = kindUTF8
		return cs, nil
	default:
		cm, ok := syntaxCharmaps[id]
		if !ok {
			return nil, fmt.Errorf("%w %q", ErrUnknownSyntax, id)
		}
		cs.kind = kindTable
		cs.cm = cm
	}
	if cs.cm == nil {
		// Levels A and B are ASCII subsets. Bytes above 0x7F are outside
		// them; when tolerated they are read as Latin-1, the most common
		// reason partners send them, so no byte is lost.
		cs.cm = charmap.ISO8859_1
	}
	for b := 0; b < 256; b++ {
		cs.table[b] = cs.cm.DecodeByte(byte(b))
	}
	if cs.kind == kindLevelA || cs.kind == kindLevelB {
		markRepertoire(&cs.valid, cs.kind == kindLevelB)
	}
	return cs, nil
}

// markRepertoire sets the characters of syntax level A (and B when lower is
// set), ISO 9735 annex A: letters, digits, space and . , - ( ) / = ' + : ?
// ! " % & * ; < >.
func markRepertoire(valid *[256]bool, lower bool) {
	for c := 'A'; c <= 'Z'; c++ {
		valid[c] = true
		if lower {
			valid[c+'a'-'A'] = true
		}
	}
	for c := '0'; c <= '9'; c++ {
		valid[c] = true
	}
	for _, c := range []byte(" .,-()/='+:?!\"%&*;<>") {
		valid[c] = true
	}
}

// CharsetPolicy says what a Writer does with a character its syntax
// identifier cannot represent.
type CharsetPolicy uint8

const (
	// Reject fails the write with an error naming the character.
	Reject CharsetPolicy = iota
	// Transliterate replaces it with the nearest representable text: accents
	// are dropped (é → e), ligatures spelled out (ß → ss, Æ → AE), lower case
	// raised for UNOA, and anything left becomes '?'.
	Transliterate
)

// encodeRune appends the encoding of r to dst. ok is false when r is
// outside the charset.
func (cs *charset) encodeRune(dst []byte, r rune) ([]byte, bool) {
	switch cs.kind {
	case kindUTF8:
		return utf8.AppendRune(dst, r), true
	case kindLevelA, kindLevelB:
		if r < utf8.RuneSelf && cs.valid[r] {
			return append(dst, byte(r)), true
		}
		return dst, false
	default:
		if r < utf8.RuneSelf {
			return append(dst, byte(r)), true
		}
		b, ok := cs.cm.EncodeRune(r)
		if !ok {
			return dst, false
		}
		return append(dst, b), true
	}
}

// ligatures are spelled out when transliterating; NFD does not decompose
// them.
var ligatures = map[rune]string{
	'ß': "ss", 'ẞ': "SS", 'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE",
	'ø': "o", 'Ø': "O", 'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D",
	'þ': "th", 'Þ': "TH", 'ð': "d", 'Ð': "D", 'ı': "i",
	'‘': "'", '’': "'", '“': "\"", '”': "\"", '–': "-", '—': "-", '€': "EUR",
}

// transliterate appends the nearest representation of r: its upper-case
// form for level A, its base letter without accents, a spelled-out
// ligature, or '?' as a last resort.
func (cs *charset) transliterate(dst []byte, r rune) []byte {
	if cs.kind == kindLevelA {
		if u := unicode.ToUpper(r); u != r {
			if out, ok := cs.encodeRune(dst, u); ok {
				return out
			}
			r = u
		}
	}
	var candidates []string
	if s, ok := ligatures[r]; ok {
		candidates = append(candidates, s)
	}
	stripped := strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, norm.NFD.String(string(r)))
	if stripped != string(r) && stripped != "" {
		candidates = append(candidates, stripped)
	}
	for _, c := range candidates {
		if cs.kind == kindLevelA {
			c = strings.ToUpper(c)
		}
		out, ok := dst, true
		for _, cr := range c {
			if out, ok = cs.encodeRune(out, cr); !ok {
				break
			}
		}
		if ok {
			return out
		}
	}
	return append(dst, '?')
}
