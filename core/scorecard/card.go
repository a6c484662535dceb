package scorecard

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/routing"
)

// Metric names, the keys of Summary.Metrics.
const (
	AckLatency      = "ack_latency"       // mean seconds from PO sent to the supplier's first answer
	AckOnTime       = "ack_on_time"       // answered within acknowledge_within / answered or overdue
	FillRate        = "fill_rate"         // lines accepted in full / lines answered
	RejectRate      = "reject_rate"       // units rejected or cancelled by the supplier / units ordered
	OnTimeShip      = "on_time_ship"      // POs fully shipped by the ship-by date / POs shipped or overdue
	ValidTracking   = "valid_tracking"    // packages whose tracking number passes the detector / packages
	DeliveredOnTime = "delivered_on_time" // packages delivered by deliver_within / delivered or overdue
	InvoiceAccuracy = "invoice_accuracy"  // invoices matching PO and shipments / invoices
)

// Metrics lists every metric name in display order.
func Metrics() []string {
	return []string{AckLatency, AckOnTime, FillRate, RejectRate, OnTimeShip, ValidTracking, DeliveredOnTime, InvoiceAccuracy}
}

// Metric is one measure with the counts it is made of: Value is Num/Den
// (for ack_latency, Num is total seconds and Den answered POs, so Value is
// the mean in seconds). Value is nil when Den is 0: no data, not zero.
type Metric struct {
	Value *float64 `json:"value"`
	Num   int64    `json:"numerator"`
	Den   int64    `json:"denominator"`
}

func ratio(num, den int64) Metric {
	m := Metric{Num: num, Den: den}
	if den > 0 {
		v := float64(num) / float64(den)
		m.Value = &v
	}
	return m
}

// Summary is a supplier's metrics over the POs sent in [From, To).
type Summary struct {
	Label   string            `json:"label"`
	From    time.Time         `json:"from"`
	To      time.Time         `json:"to"`
	POs     int               `json:"purchase_orders"`
	Metrics map[string]Metric `json:"metrics"`
}

// Card is a supplier's scorecard: rolling windows ending now, and weekly
// buckets for charts.
type Card struct {
	Supplier string    `json:"supplier"`
	AsOf     time.Time `json:"as_of"`
	Windows  []Summary `json:"windows"`
	Weekly   []Summary `json:"weekly"`
	// Routing is the score routing gives the supplier now (measured or
	// its prior); set by the service, nil when it has no router.
	Routing *routing.ScoreBasis `json:"routing_score,omitempty"`
}

// Windows are the rolling windows of a card: 7, 30 and 90 days.
var Windows = []time.Duration{7 * 24 * time.Hour, 30 * 24 * time.Hour, 90 * 24 * time.Hour}

// Weeks is how many weekly buckets a card charts.
const Weeks = 13

// Build makes supplier's card as of now from the facts of its POs.
func Build(supplier string, facts []Fact, now time.Time) Card {
	c := Card{Supplier: supplier, AsOf: now}
	for _, w := range Windows {
		c.Windows = append(c.Windows, Summarize(facts, now.Add(-w), now, now, Span(w)))
	}
	// Weeks end at now, oldest first, so the last bucket is the current
	// week as far as it has gone.
	for k := Weeks; k > 0; k-- {
		to := now.Add(-time.Duration(k-1) * 7 * 24 * time.Hour)
		from := to.Add(-7 * 24 * time.Hour)
		c.Weekly = append(c.Weekly, Summarize(facts, from, to, now, from.UTC().Format("2006-01-02")))
	}
	return c
}

// Span names a window: "7d", "30d", or a Go duration when not whole days.
func Span(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	return d.String()
}

// Window returns the card's summary labelled label, or false.
func (c Card) Window(label string) (Summary, bool) {
	i := slices.IndexFunc(c.Windows, func(s Summary) bool { return s.Label == label })
	if i < 0 {
		return Summary{}, false
	}
	return c.Windows[i], true
}

// Summarize computes the metrics over the facts of POs sent in [from,
// to), judging open deadlines as of now.
func Summarize(facts []Fact, from, to, now time.Time, label string) Summary {
	var t tally
	n := 0
	for i := range facts {
		f := &facts[i]
		if f.Sent.Before(from) || !f.Sent.Before(to) {
			continue
		}
		n++
		t.add(f, now)
	}
	return Summary{Label: label, From: from, To: to, POs: n, Metrics: map[string]Metric{
		AckLatency:      ratio(t.ackSeconds, t.acked),
		AckOnTime:       ratio(t.ackOnTime, t.ackDue),
		FillRate:        ratio(t.linesFilled, t.linesAnswered),
		RejectRate:      ratio(t.unitsRejected, t.unitsOrdered),
		OnTimeShip:      ratio(t.shipOnTime, t.shipDue),
		ValidTracking:   ratio(t.validTracking, t.packages),
		DeliveredOnTime: ratio(t.deliveredOnTime, t.deliverDue),
		InvoiceAccuracy: ratio(t.invoicesMatched, t.invoices),
	}}
}

// tally accumulates the counts of the metrics.
type tally struct {
	acked, ackSeconds, ackOnTime, ackDue int64
	linesFilled, linesAnswered           int64
	unitsRejected, unitsOrdered          int64
	shipOnTime, shipDue                  int64
	validTracking, packages              int64
	deliveredOnTime, deliverDue          int64
	invoicesMatched, invoices            int64
}

func (t *tally) add(f *Fact, now time.Time) {
	if !f.Acked.IsZero() {
		t.acked++
		t.ackSeconds += int64(f.Acked.Sub(f.Sent) / time.Second)
	}
	if !f.AckDue.IsZero() {
		judge(!f.Acked.IsZero(), f.Acked, f.AckDue, now, &t.ackOnTime, &t.ackDue)
	}
	t.linesFilled += f.LinesFilled
	t.linesAnswered += f.LinesAnswered
	t.unitsRejected += f.UnitsRejected
	t.unitsOrdered += f.UnitsOrdered
	if f.Owed && !f.Due.IsZero() {
		judge(f.Complete, f.LastShip, f.Due, now, &t.shipOnTime, &t.shipDue)
	}
	t.validTracking += f.ValidTracking
	t.packages += f.Packages
	if !f.DeliverDue.IsZero() {
		for _, d := range f.Deliveries {
			if d.Done && d.At.IsZero() {
				continue // delivered, but the carrier gave no time: cannot judge
			}
			judge(d.Done, d.At, f.DeliverDue, now, &t.deliveredOnTime, &t.deliverDue)
		}
	}
	t.invoicesMatched += f.InvoicesMatched
	t.invoices += f.Invoices
}

// judge counts one deadline: something done counts, on time when done by
// due; something not done counts (as late) only once due has passed,
// since until then it may still be on time.
func judge(done bool, at, due, now time.Time, onTime, counted *int64) {
	switch {
	case done:
		*counted++
		if !at.After(due) {
			*onTime++
		}
	case now.After(due):
		*counted++
	}
}

// Format shows a metric for a person: a rate as a percentage and
// ack_latency as a mean duration, with the counts; "-" without data.
func Format(name string, m Metric) string {
	if m.Value == nil {
		return "-"
	}
	if name == AckLatency {
		return fmt.Sprintf("%s (%d POs)", (time.Duration(*m.Value) * time.Second).Round(time.Minute), m.Den)
	}
	return fmt.Sprintf("%.1f%% (%d/%d)", 100**m.Value, m.Num, m.Den)
}
