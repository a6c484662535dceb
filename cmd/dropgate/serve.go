package main

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"

	"github.com/dropgate/dropgate/internal/app"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	cfgPath := fs.String("config", os.Getenv("DROPGATE_CONFIG"), "config `file`")
	listen := fs.String("listen", os.Getenv("DROPGATE_LISTEN"), "listen `address` (overrides server.listen)")
	role := fs.String("role", app.RoleAll, "what this replica runs: all, gateway or worker")
	allowDemo := fs.Bool("allow-demo-token", envBool("DROPGATE_ALLOW_DEMO_TOKEN"),
		"serve the admin API beyond loopback even with the published demo token (a throwaway test only)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if err := oneOf("role", *role, []string{app.RoleAll, app.RoleGateway, app.RoleWorker}); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, stderr)
	if err != nil {
		return err
	}
	log := newLogger(stderr)
	a, err := app.Build(ctx, app.Options{Config: cfg, Role: *role, Listen: *listen, Logger: log, AllowDemoToken: *allowDemo})
	if errors.Is(err, app.ErrDemoTokenExposed) {
		return userError{err}
	}
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}

// envBool reads a boolean environment variable (1, true, yes; unset or
// unparsable is false).
func envBool(name string) bool {
	v := os.Getenv(name)
	if v == "yes" {
		return true
	}
	b, _ := strconv.ParseBool(v)
	return b
}
