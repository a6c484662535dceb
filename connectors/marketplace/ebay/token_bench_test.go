package ebay

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/connenv"
	"github.com/dropgate/dropgate/internal/fakes/ebayfake"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// BenchmarkPollWithSharedToken is a poll of an empty account through the
// in-process fake, the user token taken from the instance's State (the
// embedded store): what a call pays for the shared token.
func BenchmarkPollWithSharedToken(b *testing.B) {
	clk := clock.NewFake(connectortest.Epoch)
	st, err := embedded.Open(filepath.Join(b.TempDir(), "bench.db"), embedded.WithClock(clk))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	env := connenv.New(st, connenv.Options{Name: "bench", Namespace: "bench", Clock: clk,
		Logger: slog.New(slog.DiscardHandler), RateLimit: store.Limit{Rate: 1e9, Burst: 1e9}, Retry: connector.DefaultRetry})
	f := ebayfake.New(ebayfake.WithClock(clk))
	c, err := newConnector(env, &Config{ClientID: ebayfake.ClientID, ClientSecret: ebayfake.ClientSecret,
		RefreshToken: ebayfake.RefreshToken, BaseURL: suiteURL}, f.Transport())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := c.PollOrders(ctx, ""); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := c.PollOrders(ctx, ""); err != nil {
			b.Fatal(err)
		}
	}
	if n := f.Refreshes(); n != 1 {
		b.Fatalf("%d refreshes; want the one token reused", n)
	}
}
