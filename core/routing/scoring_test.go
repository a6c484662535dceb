package routing

import (
	"bytes"
	"testing"
)

// fixedScores serves measured scores from a map.
type fixedScores map[string]Measured

func (f fixedScores) Measured(s string) (Measured, bool) {
	m, ok := f[s]
	return m, ok
}

func scoreRouter(cfg *ScoreConfig, scores Scores) *Router {
	return &Router{
		Config:    Config{Strategy: StrategyScore, Score: cfg},
		Suppliers: map[string]SupplierProfile{"x": {Score: 90}, "y": {Score: 60}},
		Catalog:   mapCatalog{"S": {offer("x", "S", "5.00", 9), offer("y", "S", "5.00", 9)}},
		Scores:    scores,
	}
}

func TestMeasuredScoresFlipTheChoice(t *testing.T) {
	measured := fixedScores{
		"x": {Score: 40, Samples: 25, Window: "30d", Inputs: []ScoreInput{{Name: InputFillRate, Value: 0.4, Weight: 1, Num: 10, Den: 25}}},
		"y": {Score: 95, Samples: 30, Window: "30d", Inputs: []ScoreInput{{Name: InputFillRate, Value: 0.95, Weight: 1, Num: 19, Den: 20}}},
	}
	req := Request{Order: order("US"), Lines: []Line{line("S", 1)}}
	min := func(n int) *ScoreConfig { return &ScoreConfig{MinSamples: intp(n)} }

	// Without routing.score the priors decide, whatever is measured.
	if w := scoreRouter(nil, measured).Route(req).Lines[0].Winner.Supplier; w != "x" {
		t.Fatalf("priors: winner %s, want x", w)
	}
	// Enough samples: the measured scores replace the priors.
	res := scoreRouter(min(20), measured).Route(req)
	l := res.Lines[0]
	if l.Winner.Supplier != "y" || candidate(t, l, "y").Score != 95 || candidate(t, l, "x").Score != 40 {
		t.Fatalf("measured: winner %s (%s), want y with 95 over x with 40", l.Winner.Supplier, l.Why)
	}
	if b := res.Scores["y"]; b.Source != ScoreMeasured || b.Prior != 60 || b.Measured == nil {
		t.Errorf("basis of y = %+v", b)
	}
	var buf bytes.Buffer
	if err := res.Explain(&buf); err != nil {
		t.Fatal(err)
	}
	wantContains(t, "explanation", buf.String(), "score: y: 95 measured over 30d from 30 POs (prior 60): fill_rate 0.95×1 (19/20)", "score: x: 40 measured")
	// x (25 samples) below min_samples keeps its prior 90; y keeps its measured 95.
	res = scoreRouter(min(26), measured).Route(req)
	if w := res.Lines[0].Winner.Supplier; w != "y" || res.Scores["x"].Source != ScorePrior || res.Scores["x"].Score != 90 {
		t.Errorf("x below min_samples: winner %s, x basis %+v", w, res.Scores["x"])
	}
	wantContains(t, "basis", res.Scores["x"].String(), "90 prior (measured 40 from 25 POs, below min_samples 26)")
	// Both below: the priors decide again.
	if w := scoreRouter(min(31), measured).Route(req).Lines[0].Winner.Supplier; w != "x" {
		t.Errorf("both below min_samples: winner %s, want x", w)
	}
}

func TestScoreConfigCheck(t *testing.T) {
	cfg := Config{Score: &ScoreConfig{Weights: map[string]float64{"fill_rate": 0.5, "speed": 1, "on_time": -1}, MinSamples: intp(-1)}}
	var paths []string
	for _, p := range cfg.Check(nil) {
		paths = append(paths, p.Path)
	}
	want := []string{"score.weights.on_time", "score.weights.speed", "score.min_samples", "score"}
	if !equal(paths, want) {
		t.Errorf("problems at %v, want %v", paths, want)
	}
}

func TestScoreConfigUnusedWarns(t *testing.T) {
	on := Config{Strategy: StrategyCheapest, Score: &ScoreConfig{}, Rules: []Rule{{Name: "r", Prefer: []string{StrategyScore}}}}
	if ps := on.Check(nil); len(ps) != 0 {
		t.Errorf("a rule preferring score: problems %v", ps)
	}
	off := Config{Strategy: StrategyCheapest, Score: &ScoreConfig{}}
	ps := off.Check(nil)
	if len(ps) != 1 || !ps[0].Warning || ps[0].Path != "score" {
		t.Errorf("nothing ranks by score: problems %v, want one warning at score", ps)
	}
}
