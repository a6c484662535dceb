package app

import (
	"context"
	"sync"
	"time"
)

// ScoreRefresh is how often the measured supplier scores routing reads
// (routing.score) are recomputed from the stored orders.
const ScoreRefresh = 10 * time.Minute

// startScores computes the measured scores once, before the first job is
// routed, then keeps them fresh; a no-op without routing.score.
func (a *App) startScores(ctx context.Context, wg *sync.WaitGroup) {
	sc := a.Services.Scorecards
	if !sc.Enabled() {
		return
	}
	refresh := func(ctx context.Context) {
		if err := sc.Refresh(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("refreshing supplier scores", "err", err)
		}
	}
	refresh(ctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(ScoreRefresh)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				refresh(ctx)
			}
		}
	}()
}
