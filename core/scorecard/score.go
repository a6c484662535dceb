package scorecard

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/routing"
)

// inputs maps each routing.score weight to the metric it reads; invert
// marks a metric where lower is better.
var inputs = map[string]struct {
	metric string
	invert bool
}{
	routing.InputAckLatency:      {AckOnTime, false},
	routing.InputFillRate:        {FillRate, false},
	routing.InputOnTime:          {OnTimeShip, false},
	routing.InputReject:          {RejectRate, true},
	routing.InputTracking:        {ValidTracking, false},
	routing.InputDeliveredOnTime: {DeliveredOnTime, false},
	routing.InputInvoiceAccuracy: {InvoiceAccuracy, false},
}

// Measure turns a summary into a 0–100 score: the weighted mean of the
// inputs that have data (an input with no data is left out and the rest
// re-weighted, so a new supplier is not punished for invoices it has not
// sent yet). False when no weighted input has data.
func Measure(s Summary, weights map[string]float64) (routing.Measured, bool) {
	m := routing.Measured{Samples: s.POs, Window: s.Label}
	var sum, wsum float64
	for _, name := range slices.Sorted(keys(weights)) {
		w := weights[name]
		in, ok := inputs[name]
		if !ok || w <= 0 {
			continue
		}
		met := s.Metrics[in.metric]
		if met.Value == nil {
			continue
		}
		v := *met.Value
		if in.invert {
			v = 1 - v
		}
		v = math.Max(0, math.Min(1, v))
		m.Inputs = append(m.Inputs, routing.ScoreInput{Name: name, Value: v, Weight: w, Num: met.Num, Den: met.Den})
		sum += v * w
		wsum += w
	}
	if wsum == 0 {
		return m, false
	}
	m.Score = int(math.Round(100 * sum / wsum))
	return m, true
}

func keys(m map[string]float64) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Board is the measured scores routing reads (routing.Scores): a snapshot
// replaced as a whole whenever the scorecards are recomputed. Safe for
// concurrent use.
type Board struct {
	mu     sync.RWMutex
	scores map[string]routing.Measured
	at     time.Time
}

var _ routing.Scores = (*Board)(nil)

// Measured implements routing.Scores.
func (b *Board) Measured(supplier string) (routing.Measured, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	m, ok := b.scores[supplier]
	return m, ok
}

// Set replaces the snapshot with scores computed at at.
func (b *Board) Set(scores map[string]routing.Measured, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.scores, b.at = scores, at
}

// At is when the snapshot was computed (zero: never).
func (b *Board) At() time.Time {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.at
}
