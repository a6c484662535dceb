package config

import (
	"strings"
	"testing"
	"time"
)

func TestRoutingScoreBlock(t *testing.T) {
	cfg, probs := parse(t, routingSuppliers+`
routing:
  strategy: score
  score: { weights: { fill_rate: 0.4, on_time: 0.3, ack_latency: 0.2, tracking: 0.1 }, min_samples: 20, window: 30d }
`, nil)
	if len(probs) != 0 {
		t.Fatalf("unexpected problems:\n%s", probs.Error())
	}
	sc := cfg.Routing.Score
	if sc == nil || sc.Samples() != 20 || sc.Span() != 30*24*time.Hour || sc.Weights["fill_rate"] != 0.4 || len(sc.Weights) != 4 {
		t.Fatalf("routing.score = %+v", sc)
	}

	_, probs = parse(t, routingSuppliers+`
routing:
  score: { weights: { speed: 1 }, min_samples: -1, extra: 2 }
`, nil)
	got := probs.Error()
	for _, want := range []string{"routing.score.extra", "routing.score.weights.speed: unknown input", "routing.score.min_samples: must not be negative"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}
