package email

import (
	"regexp"
	"strings"
)

// Replies quote what they answer. Our own PO (or an earlier reply of the
// thread, with an earlier tracking number) must not be read as the
// supplier's answer, so the text is cut where the quote starts and lines
// quoted with ">" are dropped. Forwarded messages ("---------- Forwarded
// message ----------", "Begin forwarded message:") are kept: a supplier
// forwarding the carrier's shipping confirmation means its contents.

// forwardMarker starts a forwarded message: from there on the text is
// the supplier's (or its carrier's) and is kept whole.
var forwardMarker = regexp.MustCompile(`(?i)^(-{2,}\s*(forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado)\s*-{2,}|begin forwarded message:)$`)

// Markers that start the quoted original. Clients write the attribution
// in the user's language and wrap it over up to three lines.
var (
	// "On Tue, 3 Mar 2026 at 10:00, Shop <orders@shop.example> wrote:"
	// and its translations (de, fr, es, it, nl, pt, sv/da/no).
	// The verb may precede the sender ("Am … schrieb Shop <…>:").
	attributionEnd = regexp.MustCompile(`(?i)\b(wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev)[^\n]*:\s*$`)
	attributionBeg = regexp.MustCompile(`(?i)^(on|am|le|el|il|op|em|den|på)\s`)
	// Outlook: "-----Original Message-----", a line of underscores, and
	// the header block "From: … Sent: …" it puts above the original.
	originalMessage = regexp.MustCompile(`(?i)^-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original)\s*-{2,}$`)
	underscores     = regexp.MustCompile(`^_{10,}$`)
	fromHeader      = regexp.MustCompile(`(?i)^\*?(from|von|de|van|da)\s*:\*?\s`)
	sentHeader      = regexp.MustCompile(`(?i)^\*?(sent|date|gesendet|datum|envoyé|enviado|inviato|verzonden)\s*:\*?\s`)
)

// maxAttributionLines is how many lines an "On … wrote:" may span.
const maxAttributionLines = 3

// stripQuotes returns the reply's own text: everything before the first
// quote marker, without ">"-quoted lines and without the signature (after
// a "-- " line, RFC 3676 §4.3). A forwarded message is kept whole from its
// marker on.
func stripQuotes(text string) string {
	lines := strings.Split(normalizeNewlines(text), "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t")
		trimmed := strings.TrimSpace(line)
		if forwardMarker.MatchString(trimmed) {
			out = append(out, lines[i:]...)
			break
		}
		if startsQuote(lines, i) {
			break
		}
		if line == "--" || lines[i] == "-- " {
			break
		}
		if strings.HasPrefix(trimmed, ">") {
			continue
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// startsQuote reports whether line i opens the quoted original.
func startsQuote(lines []string, i int) bool {
	t := strings.TrimSpace(lines[i])
	switch {
	case t == "":
		return false
	case originalMessage.MatchString(t), underscores.MatchString(t):
		return true
	case attributionBeg.MatchString(t):
		for j := i; j < len(lines) && j < i+maxAttributionLines; j++ {
			if attributionEnd.MatchString(strings.TrimSpace(lines[j])) {
				return true
			}
		}
	case fromHeader.MatchString(t):
		// A "From:" line alone may be the supplier's own text ("From: our
		// Dallas warehouse"); followed within a few lines by "Sent:" or
		// "Date:" it is a quoted header block.
		for j := i + 1; j < len(lines) && j <= i+4; j++ {
			if sentHeader.MatchString(strings.TrimSpace(lines[j])) {
				return true
			}
		}
	}
	return false
}

func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
