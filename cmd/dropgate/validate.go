package main

import (
	"context"
	"fmt"
	"io"

	"github.com/dropgate/dropgate/internal/config"
)

// runValidate checks a config without touching the network: exit 0 when
// valid, 1 with one line per problem (FILE:LINE: key.path: what is wrong).
func runValidate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", stderr)
	cfgPath := fs.String("config", "", "config `file` to check")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *cfgPath == "" {
		return userErrorf("--config is required")
	}
	cfg, probs, err := config.Load(*cfgPath, config.Options{})
	if err != nil {
		return userError{err}
	}
	for _, p := range probs {
		fmt.Fprintln(stdout, p.String())
	}
	if n := len(probs.Errors()); n > 0 {
		return userError{fmt.Errorf("")}
	}
	fmt.Fprintf(stdout, "%s: ok (%d channel(s), %d supplier(s), store %s)\n", *cfgPath, len(cfg.Channels), len(cfg.Suppliers), cfg.Store.Driver)
	return nil
}
