package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/dropgate/dropgate/internal/demo"
)

// runDemo is `dropgate demo`: the server on the demo config, a local
// Shopify store and simulated EDI suppliers, and one order followed from
// webhook to tracking on the store.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	cfgPath := fs.String("config", "configs/demo.yaml", "config `file`")
	listen := fs.String("listen", os.Getenv("DROPGATE_LISTEN"), "gateway `address` (default: the config's)")
	keep := fs.Bool("keep", false, "keep everything running after the order shipped (Ctrl-C to stop)")
	shipAfter := fs.Duration("ship-after", 2*time.Second, "how long the simulated suppliers take to ship")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, stderr)
	if err != nil {
		return err
	}
	return demo.Run(ctx, demo.Options{Config: cfg, Listen: *listen, Out: stdout, Keep: *keep, ShipAfter: *shipAfter})
}
