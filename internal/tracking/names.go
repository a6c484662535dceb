package tracking

import (
	"strings"
)

// carrierNames are the names suppliers, platforms and e-mails use for each
// carrier, lower case, words separated by single spaces. A name is
// recognised as whole words anywhere in a text ("UPS Ground", "shipped via
// FedEx Home Delivery"), so a carrier's brand alone covers its services;
// service names are listed only when they name the carrier on their own
// (USPS's Priority Mail). Punctuation counts as a word break, so
// "U.S. Postal Service" is "u s postal service".
var carrierNames = map[string][]string{
	"ups":         {"ups", "united parcel service", "u p s"},
	"fedex":       {"fedex", "fed ex", "federal express", "fdx", "fdxg", "fdxe", "fxsp"},
	"usps":        {"usps", "u s p s", "us postal", "u s postal", "united states postal", "us post office", "u s post office", "priority mail", "first class mail", "first class package", "media mail", "parcel select"},
	"dhl":         {"dhl"},
	"amazon":      {"amazon", "amzl", "amzn", "swiship"},
	"ontrac":      {"ontrac", "on trac"},
	"lasership":   {"lasership", "laser ship"},
	"canadapost":  {"canada post", "canadapost", "postes canada", "postescanada"},
	"purolator":   {"purolator"},
	"dpd":         {"dpd", "dpdgroup", "dynamic parcel distribution"},
	"canpar":      {"canpar"},
	"olddominion": {"old dominion", "odfl"},
	"speedee":     {"spee dee", "speedee"},
	"yodel":       {"yodel"},
	"yunexpress":  {"yunexpress", "yun express"},
	"gofo":        {"gofo"},
	"landmark":    {"landmark global"},
}

// namePhrase is one carrier name split into words.
type namePhrase struct {
	words   []string
	carrier string
}

// namesByFirstWord indexes carrierNames by first word, longest name first,
// so that a scan of the words of a text tries each position once.
var namesByFirstWord = indexNames(carrierNames)

func indexNames(names map[string][]string) map[string][]namePhrase {
	idx := make(map[string][]namePhrase)
	for carrier, list := range names {
		for _, name := range list {
			words := strings.Fields(name)
			idx[words[0]] = append(idx[words[0]], namePhrase{words, carrier})
		}
	}
	for _, list := range idx {
		// Longest first; ties cannot disagree, as no name is listed twice.
		for i := 1; i < len(list); i++ {
			for j := i; j > 0 && len(list[j].words) > len(list[j-1].words); j-- {
				list[j], list[j-1] = list[j-1], list[j]
			}
		}
	}
	return idx
}

// CarrierFromName maps a free-text carrier name ("UPS Ground", "Federal
// Express", "US Postal Service", "USPS Priority", "DHL Express", "Canada
// Post") to its canonical code. The first carrier named in the text wins,
// so "DHL eCommerce via USPS" is dhl. Names of carriers this package does
// not know, national posts other than USPS and Canada Post included, give
// ok == false.
func CarrierFromName(name string) (code string, ok bool) {
	words := nameWords(name)
	// A whole name written without its spaces or punctuation, like
	// "U.S.P.S.", "Fed-Ex" or "CanadaPost".
	if joined := strings.Join(words, ""); joined != "" {
		for carrier, list := range carrierNames {
			for _, n := range list {
				if joined == strings.ReplaceAll(n, " ", "") {
					return carrier, true
				}
			}
		}
	}
	for i := range words {
		if carrier, n := nameAt(words, i); n > 0 {
			return carrier, true
		}
	}
	// Integrations write names in CamelCase: "FedExSmartPost", "DHLExpress".
	camel := nameWords(splitCamel(name))
	for i := range camel {
		if carrier, n := nameAt(camel, i); n > 0 {
			return carrier, true
		}
	}
	return "", false
}

// splitCamel puts a space where CamelCase starts a word: before an upper
// case letter that follows a lower case one ("FedExGround" → "Fed Ex
// Ground"), and before the last capital of a run that a lower case letter
// follows ("DHLExpress" → "DHL Express").
func splitCamel(s string) string {
	isUpper := func(c byte) bool { return 'A' <= c && c <= 'Z' }
	isLower := func(c byte) bool { return 'a' <= c && c <= 'z' }
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 && isUpper(s[i]) && (isLower(s[i-1]) || isUpper(s[i-1]) && i+1 < len(s) && isLower(s[i+1])) {
			b.WriteByte(' ')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// nameAt reports the carrier whose name starts at words[i], and how many
// words it spans (0 when none does).
func nameAt(words []string, i int) (carrier string, n int) {
next:
	for _, p := range namesByFirstWord[words[i]] {
		if i+len(p.words) > len(words) {
			continue
		}
		for k, w := range p.words {
			if words[i+k] != w {
				continue next
			}
		}
		return p.carrier, len(p.words)
	}
	return "", 0
}

// nameWords splits a name into lower-case words of ASCII letters and
// digits; everything else separates words.
func nameWords(s string) []string {
	var words []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isAlnum(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			words = append(words, strings.ToLower(s[start:i]))
			start = -1
		}
	}
	return words
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
