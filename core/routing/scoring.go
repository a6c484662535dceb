package routing

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Score input names: the terms of routing.score.weights. Each is a rate in
// [0, 1] where higher is better, taken from the supplier's scorecard
// (core/scorecard).
const (
	InputAckLatency      = "ack_latency"       // purchase orders acknowledged within sla.acknowledge_within
	InputFillRate        = "fill_rate"         // PO lines accepted in full / lines answered
	InputOnTime          = "on_time"           // purchase orders fully shipped within sla.ship_within
	InputReject          = "reject"            // 1 − units rejected / units ordered
	InputTracking        = "tracking"          // packages with a tracking number that passes its check digit
	InputDeliveredOnTime = "delivered_on_time" // packages delivered within sla.deliver_within
	InputInvoiceAccuracy = "invoice_accuracy"  // invoices matching PO and shipments
)

// ScoreInputs lists every weight name, sorted.
func ScoreInputs() []string {
	return []string{InputAckLatency, InputDeliveredOnTime, InputFillRate, InputInvoiceAccuracy, InputOnTime, InputReject, InputTracking}
}

// ScoreConfig is routing.score: supplier scores measured from their
// scorecards replace the configured ones (a supplier's `score`, its prior)
// once a supplier has min_samples purchase orders in the window.
//
//	routing:
//	  score: { weights: { fill_rate: 0.4, on_time: 0.3, ack_latency: 0.2, tracking: 0.1 }, min_samples: 20, window: 30d }
type ScoreConfig struct {
	// Weights of the inputs (ScoreInputs); they need not sum to 1. An
	// input the supplier has no data for yet is left out and the others
	// are re-weighted. Empty: DefaultWeights.
	Weights map[string]float64 `yaml:"weights"`
	// MinSamples is how many purchase orders sent in the window a
	// supplier needs before its measured score replaces its prior
	// (default 20).
	MinSamples *int `yaml:"min_samples"`
	// Window is how far back the measured score looks (default 30d).
	Window time.Duration `yaml:"window"`
}

// DefaultWeights are the weights when routing.score gives none.
func DefaultWeights() map[string]float64 {
	return map[string]float64{InputFillRate: 0.4, InputOnTime: 0.3, InputAckLatency: 0.2, InputTracking: 0.1}
}

// EffectiveWeights returns the weights that apply.
func (c *ScoreConfig) EffectiveWeights() map[string]float64 {
	if c == nil || len(c.Weights) == 0 {
		return DefaultWeights()
	}
	return c.Weights
}

// Samples returns min_samples with its default.
func (c *ScoreConfig) Samples() int {
	if c == nil || c.MinSamples == nil {
		return 20
	}
	return *c.MinSamples
}

// Span returns the window with its default.
func (c *ScoreConfig) Span() time.Duration {
	if c == nil || c.Window <= 0 {
		return 30 * 24 * time.Hour
	}
	return c.Window
}

func (c *ScoreConfig) check() []Problem {
	var ps []Problem
	sum := 0.0
	for _, k := range slices.Sorted(mapKeys(c.Weights)) {
		w := c.Weights[k]
		switch {
		case !slices.Contains(ScoreInputs(), k):
			ps = append(ps, Problem{Path: "score.weights." + k, Message: fmt.Sprintf("unknown input %q (known: %s)", k, strings.Join(ScoreInputs(), ", "))})
		case w < 0 || math.IsNaN(w) || math.IsInf(w, 0):
			ps = append(ps, Problem{Path: "score.weights." + k, Message: "must be a number ≥ 0"})
		default:
			sum += w
		}
	}
	if len(c.Weights) > 0 && sum == 0 {
		ps = append(ps, Problem{Path: "score.weights", Message: "at least one weight must be above 0"})
	}
	if c.MinSamples != nil && *c.MinSamples < 0 {
		ps = append(ps, Problem{Path: "score.min_samples", Message: "must not be negative"})
	}
	if c.Window < 0 {
		ps = append(ps, Problem{Path: "score.window", Message: "must not be negative"})
	}
	return ps
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// ScoreInput is one term of a measured score.
type ScoreInput struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"` // 0–1, higher is better
	Weight float64 `json:"weight"`
	// Num and Den are the counts Value is made of.
	Num int64 `json:"numerator"`
	Den int64 `json:"denominator"`
}

// Measured is a supplier's score computed from its scorecard.
type Measured struct {
	Score   int          `json:"score"`   // 0–100
	Samples int          `json:"samples"` // purchase orders sent in the window
	Window  string       `json:"window"`
	Inputs  []ScoreInput `json:"inputs"`
}

// Scores serves measured scores to the router: a snapshot kept in memory,
// since routing does no I/O.
type Scores interface {
	// Measured returns the supplier's measured score; false when it has
	// none (no purchase order in the window, or no input with data).
	Measured(supplier string) (Measured, bool)
}

// Score sources (ScoreBasis.Source).
const (
	ScorePrior    = "prior"    // the supplier's configured score
	ScoreMeasured = "measured" // computed from its scorecard
)

// ScoreBasis says where a supplier's score in a routing came from.
type ScoreBasis struct {
	Score      int       `json:"score"`
	Source     string    `json:"source"`
	Prior      int       `json:"prior"`
	MinSamples int       `json:"min_samples"`
	Measured   *Measured `json:"measured,omitempty"`
}

// String sums the basis up for explanations and the timeline:
// "83 measured over 30d from 25 POs: fill_rate 0.95×0.4, …".
func (b ScoreBasis) String() string {
	m := b.Measured
	if b.Source == ScoreMeasured && m != nil {
		terms := make([]string, 0, len(m.Inputs))
		for _, in := range m.Inputs {
			terms = append(terms, fmt.Sprintf("%s %.2f×%g (%d/%d)", in.Name, in.Value, in.Weight, in.Num, in.Den))
		}
		return fmt.Sprintf("%d measured over %s from %d POs (prior %d): %s", b.Score, m.Window, m.Samples, b.Prior, strings.Join(terms, ", "))
	}
	if m == nil {
		return fmt.Sprintf("%d prior (no measured score yet)", b.Score)
	}
	return fmt.Sprintf("%d prior (measured %d from %d POs, below min_samples %d)", b.Score, m.Score, m.Samples, b.MinSamples)
}

// ScoreBasis is the score routing gives supplier now, and where it came
// from (the scorecard page shows it); false for an unknown supplier.
func (r *Router) ScoreBasis(supplier string) (ScoreBasis, bool) {
	p, ok := r.Suppliers[supplier]
	if !ok {
		return ScoreBasis{}, false
	}
	return r.scoreBasis(supplier, p), true
}

// scoreBasis decides a supplier's score: the measured one when
// routing.score is configured, a snapshot is wired and the supplier has
// enough samples; its configured prior otherwise.
func (r *Router) scoreBasis(supplier string, p SupplierProfile) ScoreBasis {
	b := ScoreBasis{Score: p.Score, Source: ScorePrior, Prior: p.Score}
	if r.Config.Score == nil || r.Scores == nil {
		return b
	}
	b.MinSamples = r.Config.Score.Samples()
	m, ok := r.Scores.Measured(supplier)
	if !ok {
		return b
	}
	b.Measured = &m
	if m.Samples >= b.MinSamples {
		b.Score, b.Source = m.Score, ScoreMeasured
	}
	return b
}

// scoreSnapshot decides every configured supplier's score for one
// routing; nil without routing.score (the priors apply).
func (r *Router) scoreSnapshot() map[string]ScoreBasis {
	if r.Config.Score == nil {
		return nil
	}
	out := make(map[string]ScoreBasis, len(r.Suppliers))
	for name, p := range r.Suppliers {
		out[name] = r.scoreBasis(name, p)
	}
	return out
}

// scoreOf is the score a candidate of supplier s ranks by.
func scoreOf(f orderFacts, s string, p SupplierProfile) int {
	if b, ok := f.scores[s]; ok {
		return b.Score
	}
	return p.Score
}

// scoreBases keeps the snapshot's entries of the suppliers among the
// result's candidates.
func scoreBases(res Result, snap map[string]ScoreBasis) map[string]ScoreBasis {
	if snap == nil {
		return nil
	}
	out := map[string]ScoreBasis{}
	for _, l := range res.Lines {
		for _, c := range l.Candidates {
			if b, ok := snap[c.Offer.Supplier]; ok {
				out[c.Offer.Supplier] = b
			}
		}
	}
	return out
}

// ScoreLines explains the scores of a result, one line per supplier,
// sorted by name.
func (r Result) ScoreLines() []string {
	names := make([]string, 0, len(r.Scores))
	for s := range r.Scores {
		names = append(names, s)
	}
	sort.Strings(names)
	out := make([]string, 0, len(names))
	for _, s := range names {
		out = append(out, s+": "+r.Scores[s].String())
	}
	return out
}
