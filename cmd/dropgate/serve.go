package main

import (
	"context"
	"io"
	"os"

	"github.com/dropgate/dropgate/internal/app"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	cfgPath := fs.String("config", os.Getenv("DROPGATE_CONFIG"), "config `file`")
	listen := fs.String("listen", os.Getenv("DROPGATE_LISTEN"), "listen `address` (overrides server.listen)")
	role := fs.String("role", app.RoleAll, "what this replica runs: all, gateway or worker")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, stderr)
	if err != nil {
		return err
	}
	log := newLogger(stderr)
	a, err := app.Build(ctx, app.Options{Config: cfg, Role: *role, Listen: *listen, Logger: log})
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}
