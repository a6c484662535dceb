package edipartner

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
)

// Defaults of a file drop's spec. A handful of puts a second is plenty:
// the partner's translator polls its mailbox in minutes anyway. A failed
// put (an SFTP server down for maintenance) is retried for hours.
var (
	RateLimit = store.Limit{Rate: 5, Burst: 10}
	Retry     = connector.RetryPolicy{MaxAttempts: 10, BaseDelay: 5 * time.Second, MaxDelay: 30 * time.Minute}
)

// DefaultAckWithin is how long a partner has to acknowledge our
// interchange when the profile does not say: a day covers VAN batching
// and weekend-light translators without hiding a partner that never
// answers.
const DefaultAckWithin = 24 * time.Hour

// Acks is what a profile says about the partner's functional
// acknowledgements (997/999, CONTRL) of our interchanges.
type Acks struct {
	Expect *bool         // expect_ack, expect_contrl; nil: true
	Within time.Duration // ack_within; 0: DefaultAckWithin
}

// Expected reports whether the partner acknowledges our interchanges and
// within how long (connector.FunctionalAckPolicy); the engine flags an
// interchange left unacknowledged longer.
func (a Acks) Expected() (bool, time.Duration) {
	if a.Expect != nil && !*a.Expect {
		return false, 0
	}
	if a.Within > 0 {
		return true, a.Within
	}
	return true, DefaultAckWithin
}

// Check validates ack_within under prefix ("partner"); expectKey is the
// syntax's name of the expectation ("expect_ack").
func (a Acks) Check(ps *Problems, prefix, expectKey string) {
	path := prefix + ".ack_within"
	if a.Within < 0 {
		ps.Add(path, "must not be negative")
	}
	if a.Within > 0 && a.Expect != nil && !*a.Expect {
		ps.Add(path, "has no effect with %s: false", expectKey)
	}
}

// Location is the profile's time zone (partner.timezone): the zone of our
// envelope dates and of the dates the partner's documents carry. Empty is
// UTC.
func Location(tz string) (*time.Location, error) {
	if tz == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("partner.timezone: %w", err)
	}
	return loc, nil
}

// Carriers returns the profile's carrier table (partner.carriers: the
// partner's carrier code → a canonical one) keyed in upper case, as
// documents are matched against it.
func Carriers(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToUpper(k)] = v
	}
	return out
}

// Currency is the currency of the partner's amounts that name none: the
// profile's default_currency, upper-cased, or def.
func Currency(configured, def string) string {
	if configured == "" {
		return def
	}
	return strings.ToUpper(configured)
}

// LineEnding is what follows each segment terminator we write: a line
// break, which people reading the files like and readers ignore, unless
// newline is false or one of the delimiters is itself a line break (the
// break would then be read as one).
func LineEnding(newline *bool, delimiters ...byte) string {
	if newline != nil && !*newline {
		return ""
	}
	for _, d := range delimiters {
		if d == '\n' || d == '\r' {
			return ""
		}
	}
	return "\n"
}

// Party is one end of an interchange as its envelope names it.
type Party struct {
	Qualifier string // ISA05/07, UNB 0007; may be empty
	ID        string // ISA06/08, UNB 0004/0010
}

// Parties are the two ends of our interchanges with a partner, from the
// profile, and how to speak of them.
type Parties struct {
	Us, Them Party
	// UsKey and ThemKey are the config keys of the two ids, quoted in
	// errors so the operator knows what to compare ("partner.sender_id").
	UsKey, ThemKey string
	// Show writes a party as the syntax does ("ZZ/ACME", "4012345000009:14").
	Show func(Party) string
}

// Check refuses an interchange from from to to that is not exchanged
// between this partner and us: a file dropped in the wrong inbox would
// otherwise be attributed to the wrong supplier and acknowledged in our
// name. Only the ids are compared: partners vary the qualifier of one id.
// where starts each message ("interchange 000000042 ").
func (p Parties) Check(where string, from, to Party) error {
	var errs []error
	if from.ID != p.Them.ID {
		errs = append(errs, fmt.Errorf("%scomes from %s, not from this partner (%s %s)", where, p.Show(from), p.ThemKey, p.Them.ID))
	}
	if to.ID != p.Us.ID {
		errs = append(errs, fmt.Errorf("%sis addressed to %s, not to us (%s %s)", where, p.Show(to), p.UsKey, p.Us.ID))
	}
	return errors.Join(errs...)
}
