package redis

import (
	"io"
	"log/slog"
	"os"
	"testing"
)

// TestMain silences go-redis's dial-failure lines, which the tests that
// point a client at a closed port would otherwise print by the dozen.
func TestMain(m *testing.M) {
	RouteLibraryLogs(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}
