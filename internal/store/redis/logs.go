package redis

import (
	"context"
	"fmt"
	"log/slog"

	goredis "github.com/redis/go-redis/v9"
)

// RouteLibraryLogs sends go-redis's own log lines (failed dials, Pub/Sub
// reconnects, cluster topology changes) to l at debug level instead of
// standard error: the store already reports what matters through its
// errors and its own warnings, and a Redis outage would otherwise spray
// one unstructured line per dial. go-redis keeps one logger per process,
// so the program calls this once, where it wires the store.
func RouteLibraryLogs(l *slog.Logger) {
	if l != nil {
		goredis.SetLogger(libraryLogger{l})
	}
}

type libraryLogger struct{ l *slog.Logger }

func (g libraryLogger) Printf(ctx context.Context, format string, v ...any) {
	g.l.DebugContext(ctx, "go-redis: "+fmt.Sprintf(format, v...))
}
