package email

import (
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// POAck statuses (as the 855 mapping writes them).
const (
	ackAccepted    = "accepted"
	ackWithChanges = "accepted_with_changes"
	ackRejected    = "rejected"
)

// rejections are the refusals a reply states: items named one by one
// ("ACME-MUG is out of stock"), and whether it refuses the order as a
// whole (a refusal that names no item).
type rejections struct {
	Lines  []model.AckLine
	Whole  bool
	Reason string // the line of text of the first refusal
}

// findRejections applies the rejected patterns. A match whose "sku" group
// holds an item code rejects that item; one without refuses the whole
// order, unless it lies inside an item's match (the generic "out of
// stock" inside "ACME-MUG is out of stock").
func (r *replyRules) findRejections(text string) rejections {
	var (
		out     rejections
		spans   [][2]int
		generic [][2]int
		seen    = map[string]bool{}
	)
	for _, re := range r.rejected {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			sku := ""
			if i := re.SubexpIndex("sku"); i >= 0 && m[2*i] >= 0 {
				sku = strings.TrimSpace(text[m[2*i]:m[2*i+1]])
			}
			if sku == "" || !looksLikeSKU(sku) {
				generic = append(generic, [2]int{m[0], m[1]})
				continue
			}
			spans = append(spans, [2]int{m[0], m[1]})
			if out.Reason == "" {
				out.Reason = lineAt(text, m[0])
			}
			if !seen[sku] {
				seen[sku] = true
				out.Lines = append(out.Lines, model.AckLine{SupplierSKU: sku, Status: model.AckRejected, Reason: lineAt(text, m[0])})
			}
		}
	}
	cover := newCoverage(spans)
	for _, g := range generic {
		if !cover.overlaps(g) {
			out.Whole = true
			out.Reason = lineAt(text, g[0])
			break
		}
	}
	return out
}

// coverage answers "does this span overlap one of those?" in O(log n):
// a reply repeating "X is out of stock" thousands of times must not cost
// a quadratic number of comparisons.
type coverage struct {
	starts []int
	maxEnd []int // maxEnd[i]: the furthest end among the first i+1 spans by start
}

func newCoverage(spans [][2]int) coverage {
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	c := coverage{starts: make([]int, len(spans)), maxEnd: make([]int, len(spans))}
	for i, s := range spans {
		c.starts[i] = s[0]
		c.maxEnd[i] = s[1]
		if i > 0 && c.maxEnd[i-1] > s[1] {
			c.maxEnd[i] = c.maxEnd[i-1]
		}
	}
	return c
}

// overlaps: among the spans starting before g ends, one ends after g
// starts.
func (c coverage) overlaps(g [2]int) bool {
	n := sort.SearchInts(c.starts, g[1]) // spans with start < g[1]
	return n > 0 && c.maxEnd[n-1] > g[0]
}

// ackFor recognises an answer without tracking numbers: to our
// cancellation (refused, else agreed), a refusal (of items or of the
// order), or a confirmation. nil: none of these.
func (r *replyRules) ackFor(text string, ref poRef, supplier string, date time.Time) *model.POAck {
	ack := &model.POAck{PONumber: ref.Number, Supplier: supplier, Date: date}
	if ref.Cancel {
		if line, ok := firstMatch(r.cancelRefused, text); ok {
			ack.CancelResponse, ack.Status, ack.Reason = ackRejected, ackRejected, line
			return ack
		}
		if line, ok := firstMatch(append([]*regexp.Regexp{cancelAccepted}, r.confirmed...), text); ok {
			ack.CancelResponse, ack.Status, ack.Reason = ackAccepted, ackAccepted, line
			return ack
		}
		return nil
	}
	rj := r.findRejections(text)
	switch {
	case rj.Whole:
		ack.Status, ack.Reason = ackRejected, rj.Reason
		return ack
	case len(rj.Lines) > 0:
		// The items not named follow the header: accepted.
		ack.Status, ack.Reason, ack.Lines = ackWithChanges, rj.Reason, rj.Lines
		return ack
	}
	if line, ok := firstMatch(r.confirmed, text); ok {
		ack.Status, ack.Reason = ackAccepted, line
		return ack
	}
	return nil
}

// firstMatch returns the line of the first match of any pattern.
func firstMatch(res []*regexp.Regexp, text string) (string, bool) {
	for _, re := range res {
		if loc := re.FindStringIndex(text); loc != nil {
			return lineAt(text, loc[0]), true
		}
	}
	return "", false
}

// maxReasonLen bounds a reason quoted from a reply.
const maxReasonLen = 200

// lineAt returns the line of text holding byte offset i, trimmed.
func lineAt(text string, i int) string {
	start := strings.LastIndexByte(text[:i], '\n') + 1
	end := strings.IndexByte(text[i:], '\n')
	if end < 0 {
		end = len(text)
	} else {
		end += i
	}
	line := strings.TrimSpace(text[start:end])
	if len(line) > maxReasonLen {
		line = strings.ToValidUTF8(line[:maxReasonLen], "") + "…"
	}
	return line
}
