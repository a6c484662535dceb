package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dropgate/dropgate/cmd/dropgate/demo"
	"github.com/dropgate/dropgate/internal/config"
)

// runDemo is `dropgate demo`: the server on the demo config, a local
// Shopify store and simulated EDI suppliers, and one order followed from
// webhook to tracking on the store. Each run has a data directory of its
// own under --data.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	cfgPath := fs.String("config", "configs/demo.yaml", "config `file`")
	listen := fs.String("listen", os.Getenv("DROPGATE_LISTEN"), "gateway `address` (default: the config's; if its port is busy, a free one)")
	keep := fs.Bool("keep", false, "keep everything running after the order shipped (Ctrl-C to stop)")
	shipAfter := fs.Duration("ship-after", 2*time.Second, "how long the simulated suppliers take to ship")
	data := fs.String("data", filepath.Join("var", "demo"), "`directory` of the runs' data: each run gets its own, earlier ones are removed")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	dir, err := demo.NewRunDir(*data, time.Now())
	if err != nil {
		return err
	}
	cfg, err := loadConfigWith(*cfgPath, stderr, config.Options{Lookup: demo.Lookup(dir)})
	if err != nil {
		return err
	}
	return demo.Run(ctx, demo.Options{Config: cfg, Dir: dir, Listen: *listen, ListenGiven: *listen != "", Out: stdout,
		Keep: *keep, ShipAfter: *shipAfter, AllowDemoToken: envBool("DROPGATE_ALLOW_DEMO_TOKEN"), Command: selfCommand()})
}

// selfCommand is how the user ran dropgate, for hints they can paste:
// `go run ./cmd/dropgate` from a go-build cache, else the name typed.
func selfCommand() string {
	arg0 := os.Args[0]
	switch {
	case strings.Contains(arg0, "go-build"):
		return "go run ./cmd/dropgate"
	case strings.ContainsRune(arg0, filepath.Separator):
		return arg0
	}
	return "dropgate"
}
