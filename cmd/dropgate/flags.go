package main

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/dropgate/dropgate/internal/config"
)

// newFlags returns a flag set that reports errors as user errors.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("dropgate "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses flags; -h is success, anything else bad is a user error.
func parse(fs *flag.FlagSet, args []string) (bool, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, userError{errors.New("")}
	}
	return false, nil
}

// loadConfig loads and validates, printing problems; errors are the
// user's.
func loadConfig(path string, stderr io.Writer) (*config.Config, error) {
	if path == "" {
		return nil, userErrorf("--config is required")
	}
	cfg, probs, err := config.Load(path, config.Options{})
	if err != nil {
		return nil, userError{err}
	}
	for _, p := range probs {
		io.WriteString(stderr, p.String()+"\n")
	}
	if n := len(probs.Errors()); n > 0 {
		return nil, userErrorf("%s has %d problem(s)", path, n)
	}
	return cfg, nil
}

// newLogger logs text to a terminal and JSON otherwise;
// DROPGATE_LOG_FORMAT and DROPGATE_LOG_LEVEL override.
func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(os.Getenv("DROPGATE_LOG_LEVEL")) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	format := os.Getenv("DROPGATE_LOG_FORMAT")
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
