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
	asJSON := fs.Bool("json", false, "print the verdict and every problem as JSON")
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
	failed := len(probs.Errors()) > 0
	if *asJSON {
		if err := writeJSON(stdout, validation(*cfgPath, cfg, probs)); err != nil {
			return err
		}
	} else {
		for _, p := range probs {
			fmt.Fprintln(stdout, p.String())
		}
		if !failed {
			fmt.Fprintf(stdout, "%s: ok (%d channel(s), %d supplier(s), store %s)\n", *cfgPath, len(cfg.Channels), len(cfg.Suppliers), cfg.Store.Driver)
		}
	}
	if failed {
		return userError{fmt.Errorf("")}
	}
	return nil
}

// problemJSON is one problem in `validate --json`.
type problemJSON struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Path     string `json:"path"`
	Severity string `json:"severity"` // error, warning
	Message  string `json:"message"`
}

func validation(path string, cfg *config.Config, probs config.Problems) any {
	out := struct {
		File      string        `json:"file"`
		Valid     bool          `json:"valid"`
		Channels  int           `json:"channels"`
		Suppliers int           `json:"suppliers"`
		Store     string        `json:"store,omitempty"`
		Problems  []problemJSON `json:"problems"`
	}{File: path, Valid: len(probs.Errors()) == 0, Problems: []problemJSON{}}
	if cfg != nil {
		out.Channels, out.Suppliers, out.Store = len(cfg.Channels), len(cfg.Suppliers), cfg.Store.Driver
	}
	for _, p := range probs {
		sev := "error"
		if p.Warning {
			sev = "warning"
		}
		out.Problems = append(out.Problems, problemJSON{File: p.File, Line: p.Line, Path: p.Path, Severity: sev, Message: p.Message})
	}
	return out
}
