package email

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// A PO number is "PO" and ten characters of an alphabet without I and O
// (model.PONumber). Words have that shape too ("POLYSYLLABLE"), so in
// free text a candidate counts when its code holds a digit (97% of PO
// numbers do) or when "order" or "PO" precedes it, as in our subjects
// ("Purchase order POABCDEFGHJK"); case is ignored, since some mail
// systems lower or raise whole subjects.
var (
	poExact   = regexp.MustCompile(`\bPO[0-9A-HJ-NP-Z]{10}\b`)
	poLoose   = regexp.MustCompile(`(?i)\bpo[0-9a-hj-np-z]{10}\b`)
	poContext = regexp.MustCompile(`(?i)(order|\bpo)\s*(number|no\.?|#)?\s*[:#]?\s*$`)
	// ourMsgID is the local part of our Message-IDs: PO…[.cancel]@dropgate.…
	ourMsgID = regexp.MustCompile(`^(PO[0-9A-HJ-NP-Z]{10})(\.cancel)?@dropgate\.`)
)

// poRef is which PO a reply is about, and how we know.
type poRef struct {
	Number string
	Source string // "References", "Subject", "body", …
	// Cancel is set when the reply answers our cancellation (its thread
	// names the cancellation's Message-ID, or the subject says cancel).
	Cancel bool
}

// findPO finds the purchase order a reply is about. Sources are tried in
// order of trust: the thread headers (In-Reply-To, References: our
// Message-IDs name the PO), X-Dropgate-PO, the subject, the reply's own
// text, then its quoted text and attached messages. The first source that
// names any PO decides; two different POs there is an ambiguity the
// caller reports, never a guess.
func findPO(in *inbound) (poRef, error) {
	thread := append(append([]string{}, in.InReplyTo...), in.References...)
	var fromThread []string
	cancel := false
	for _, id := range thread {
		if m := ourMsgID.FindStringSubmatch(id); m != nil {
			fromThread = append(fromThread, m[1])
			if m[2] != "" && len(in.InReplyTo) > 0 && in.InReplyTo[0] == id {
				cancel = true // a direct answer to the cancellation
			}
		}
	}
	subjectCancel := strings.Contains(strings.ToLower(in.Subject), "cancel")
	sources := []struct {
		name string
		pos  []string
	}{
		{"In-Reply-To/References", fromThread},
		{headerPO, headerPONumber(in.DropgatePO)},
		{"Subject", poNumbersIn(in.Subject)},
		{"body", poNumbersIn(in.text(false))},
		{"quoted text", poNumbersIn(in.text(true) + "\n" + strings.Join(in.Embedded, "\n"))},
	}
	for _, s := range sources {
		distinct := unique(s.pos)
		switch len(distinct) {
		case 0:
			continue
		case 1:
			return poRef{Number: distinct[0], Source: s.name, Cancel: cancel || subjectCancel}, nil
		default:
			return poRef{}, fmt.Errorf("the %s names several purchase orders (%s); dropgate cannot tell which one the reply is about", s.name, strings.Join(distinct, ", "))
		}
	}
	return poRef{}, fmt.Errorf("no purchase order number (PO followed by 10 letters and digits) in In-Reply-To, References, %s, Subject or body", headerPO)
}

// poNumbersIn returns the PO numbers written in s, upper-cased.
func poNumbersIn(s string) []string {
	var out []string
	for _, loc := range poLoose.FindAllStringIndex(s, -1) {
		m := s[loc[0]:loc[1]]
		before := s[max(0, loc[0]-24):loc[0]]
		if strings.ContainsAny(m[2:], "0123456789") || poContext.MatchString(before) {
			out = append(out, strings.ToUpper(m))
		}
	}
	return out
}

// headerPONumber reads X-Dropgate-PO, which holds a PO number alone.
func headerPONumber(v string) []string {
	v = strings.ToUpper(strings.TrimSpace(v))
	if len(v) == 12 && poExact.MatchString(v) {
		return []string{v}
	}
	return nil
}

// unique returns the distinct values of l, sorted.
func unique(l []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
