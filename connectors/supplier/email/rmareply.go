package email

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
)

var (
	// ourRMAMsgID is the Message-ID of our RMA request (RenderReturn).
	ourRMAMsgID = regexp.MustCompile(`^(ret_[0-9A-Za-z]+)\.rma@dropgate\.`)
	// rmaNumber is "RMA 4711", "RMA#: R-88", "RMA number is A12"; the
	// number must hold a digit, so "RMA request" is no number.
	rmaNumber = regexp.MustCompile(`(?i)\bRMA(?:\s*(?:number|no\.?|#|nr\.?))?(?:\s*(?:is|:|#|=))?\s*([A-Z0-9][A-Z0-9/-]{1,30})`)
)

// rmaThread returns the return whose RMA request the message answers,
// from its thread headers only (the reply's In-Reply-To first): a
// message that is not threaded under our request is a PO reply.
func rmaThread(in *inbound) string {
	for _, id := range append(append([]string{}, in.InReplyTo...), in.References...) {
		if m := ourRMAMsgID.FindStringSubmatch(id); m != nil {
			return m[1]
		}
	}
	return ""
}

// fromRMAReply reads a reply to our RMA request: a refusal (the
// supplier's rejected patterns) rejects the return with the reply's
// first line; else an RMA number in the reply's own text authorises it.
// A reply with neither is kept as a rejected document for an operator.
func (r *replyRules) fromRMAReply(m *replyMsg, ret string, res *parseResult) {
	if m.poErr != nil {
		res.reject(m.id, fmt.Sprintf("%s: reply to the RMA request of %s: %v", m.about, ret, m.poErr))
		return
	}
	ans := &connector.ReturnAnswer{Return: ret}
	switch num := findRMANumber(m.text); {
	case matchAny(r.rejected, m.text):
		ans.Decision.Reason = firstLine(m.text)
	case num != "":
		ans.Decision = connector.ReturnDecision{Authorized: true, RMA: num}
	default:
		res.reject(m.id, fmt.Sprintf("%s: reply to the RMA request of %s names no RMA number (\"RMA 12345\") and refuses nothing", m.about, ret))
		return
	}
	res.Docs = append(res.Docs, connector.InboundDoc{ID: m.id, PONumber: m.ref.Number, ReturnAnswer: ans})
}

// findRMANumber returns the first RMA number written in text.
func findRMANumber(text string) string {
	for _, sm := range rmaNumber.FindAllStringSubmatch(text, -1) {
		if strings.ContainsAny(sm[1], "0123456789") {
			return strings.ToUpper(sm[1])
		}
	}
	return ""
}

func matchAny(res []*regexp.Regexp, text string) bool {
	for _, re := range res {
		if re.MatchString(text) {
			return true
		}
	}
	return false
}

// firstLine is the first non-empty line of text, for a reason.
func firstLine(text string) string {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return truncateRunes(l, 200)
		}
	}
	return ""
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
