package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	coreapp "github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/config"
)

// build makes an App of no connectors over an embedded store in a
// temporary directory, gateway on a free port.
func build(t *testing.T, extra string) *App {
	t.Helper()
	dir := t.TempDir()
	yaml := "server:\n  listen: 127.0.0.1:0\n  shutdown_timeout: 200ms\n" +
		"store:\n  path: " + filepath.Join(dir, "db") + "\n" +
		"workers:\n  concurrency: 1\n  lease: 1s\n" + extra
	cfg, probs := config.Parse(filepath.Join(dir, "dropgate.yaml"), []byte(yaml), config.Options{Registry: connector.NewRegistry()})
	if errs := probs.Errors(); len(errs) > 0 {
		t.Fatalf("config: %v", errs)
	}
	a, err := Build(context.Background(), Options{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// SIGTERM must stop dropgate even when a job handler ignores its
// context: after server.shutdown_timeout Run stops waiting for it.
func TestRunReturnsDespiteAStuckHandler(t *testing.T) {
	a := build(t, "")
	guard, cancelGuard := context.WithTimeout(context.Background(), time.Minute)
	defer cancelGuard()
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	a.Runner.Handle("test.stuck", func(context.Context, *store.Job) error {
		close(started)
		<-release // ignores its context, like a handler spinning in a loop
		return nil
	})
	if _, err := a.Store.Enqueue(guard, store.Job{Queue: coreapp.Queues[0], Kind: "test.stuck"}); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	returned := make(chan error, 1)
	go func() { returned <- a.Run(ctx) }()
	select {
	case <-started:
	case <-guard.Done():
		t.Fatal("the job never started")
	}
	stop()
	select {
	case err := <-returned:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-guard.Done():
		t.Fatal("Run did not return after shutdown_timeout with a handler ignoring its context")
	}
}
