package edipartner

import (
	"fmt"
	"regexp"
	"strings"
)

// Ref is a place in a partner's document: a segment tag and the qualifier
// that marks the value there (REF*CN, MAN*CP; RFF+CN, GIN+BJ).
type Ref struct {
	Segment   string
	Qualifier string
}

// RefSyntax says how a profile key lists Refs (partner.tracking_ref):
// comma-separated <segment><Sep><qualifier>, tried in that order.
type RefSyntax struct {
	Sep     string         // between segment and qualifier: "*" (X12), "+" (EDIFACT)
	Valid   *regexp.Regexp // one entry, upper-cased
	Default Ref            // what an empty key means
	Want    string         // what an entry looks like, for the error
}

// ParseRefs reads a list of Refs into the connector's own type R (which
// carries its syntax's String). Entries are trimmed and upper-cased; an
// empty list is the default.
func ParseRefs[R ~struct{ Segment, Qualifier string }](s string, syn RefSyntax) ([]R, error) {
	if strings.TrimSpace(s) == "" {
		return []R{R(syn.Default)}, nil
	}
	var out []R
	for _, f := range strings.Split(s, ",") {
		f = strings.ToUpper(strings.TrimSpace(f))
		if !syn.Valid.MatchString(f) {
			return nil, fmt.Errorf("%q is not %s", f, syn.Want)
		}
		seg, q, _ := strings.Cut(f, syn.Sep)
		out = append(out, R{Segment: seg, Qualifier: q})
	}
	return out, nil
}
