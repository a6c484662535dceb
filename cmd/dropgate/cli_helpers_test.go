package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/config"
)

// dg runs the CLI in this process: stdout, stderr and the exit code.
func dg(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

// liveServer is a dropgate serving the demo config in this process.
type liveServer struct {
	url    string // http://127.0.0.1:PORT
	config string // its config file, with absolute paths
	dir    string
}

// demoConfigIn writes the demo config into dir with every path absolute
// (its state under dir), so commands work from any working directory.
func demoConfigIn(t *testing.T, dir string) string {
	t.Helper()
	repo, _ := filepath.Abs(filepath.Join("..", ".."))
	b, err := os.ReadFile(filepath.Join(repo, "configs", "demo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("${DROPGATE_DATA_DIR:-./var}", filepath.Join(dir, "var"),
		"./configs/demo-catalog.csv", filepath.Join(repo, "configs", "demo-catalog.csv")).Replace(string(b))
	path := filepath.Join(dir, "demo.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startInProcess serves the demo config on a free port until the test
// ends. The admin token is the demo's.
func startInProcess(t *testing.T) *liveServer {
	t.Helper()
	dir := t.TempDir()
	return serveIn(t, dir, demoConfigIn(t, dir), nil)
}

// serveIn serves the config at path (its files under dir) until the test
// ends; before, when set, runs on the built app before it starts (to
// seed its store).
func serveIn(t *testing.T, dir, path string, before func(context.Context, *app.App)) *liveServer {
	t.Helper()
	t.Setenv("DROPGATE_ADMIN_TOKEN", "")
	cfg, probs, err := config.Load(path, config.Options{})
	if err != nil || len(probs.Errors()) > 0 {
		t.Fatalf("config: %v %v", err, probs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Build(ctx, app.Options{Config: cfg, Listen: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if before != nil {
		before(ctx, a)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = a.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		a.Close()
	})
	addr, err := a.Addr(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &liveServer{url: "http://" + addr.String(), config: path, dir: dir}
}

// admin are the flags that reach the server with the demo's token.
func (s *liveServer) admin() []string {
	return []string{"--url", s.url, "--token", config.DemoAdminToken}
}
