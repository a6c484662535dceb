package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/dropgate/dropgate/internal/config"
)

// newFlags returns the flag set of the command at path ("orders list"):
// errors are user errors, and -h prints the command's usage line, summary
// and its own flags.
func newFlags(path string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("dropgate "+path, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { printUsage(fs.Output(), path, fs) }
	if fc, ok := stderr.(*flagCollector); ok {
		fc.sets[path] = fs
	}
	return fs
}

// printUsage writes `usage: dropgate PATH SYNOPSIS`, the summary and the
// flags, --long style as the README writes them.
func printUsage(w io.Writer, path string, fs *flag.FlagSet) {
	c := lookup(path)
	if c == nil {
		c = &command{}
	}
	fmt.Fprintf(w, "usage: dropgate %s %s\n", path, c.synopsis)
	if c.summary != "" {
		fmt.Fprintf(w, "\n%s.\n", upperFirst(c.summary))
	}
	fmt.Fprintln(w, "\nflags:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if kind != "" {
			name += " " + kind
		}
		if def := f.DefValue; def != "" && def != "false" && def != "0" && !strings.Contains(f.Name, "token") && !strings.Contains(usage, "(default") {
			usage += fmt.Sprintf(" (default %s)", def)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, usage)
	})
	fmt.Fprintf(tw, "  -h, --help\tthis help\n")
	tw.Flush()
}

// flagCollector is a stand-in for stderr that remembers the flag sets the
// commands build: completion scripts list each command's flags by running
// it with -h into one.
type flagCollector struct {
	sets map[string]*flag.FlagSet
}

func (*flagCollector) Write(p []byte) (int, error) { return len(p), nil }

// parse parses flags, also after positional arguments (`edi parse FILE
// --json`); -h is success, anything else bad is a user error.
func parse(fs *flag.FlagSet, args []string) (bool, error) {
	var bools []string
	fs.VisitAll(func(f *flag.Flag) {
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			bools = append(bools, f.Name)
		}
	})
	if err := fs.Parse(reorder(args, append(bools, "h", "help")...)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, userError{errors.New("")}
	}
	return false, nil
}

// reorder moves flags before the positional arguments, because the flag
// package stops at the first non-flag. Flags named in bools take no
// value; every other flag keeps the argument after it. Arguments after
// "--" stay positional, behind a "--" of their own, so reordering twice
// changes nothing.
func reorder(args []string, bools ...string) []string {
	isBool := map[string]bool{}
	for _, b := range bools {
		isBool[b] = true
	}
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && !isBool[name] && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if len(rest) == 0 {
		return flags
	}
	return append(append(flags, "--"), rest...)
}

// oneOf checks a flag's value against the values it may take ("" is
// always allowed: the flag was not given).
func oneOf(flagName, value string, allowed []string) error {
	if value == "" {
		return nil
	}
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return userErrorf("--%s %q: unknown value (one of: %s)", flagName, value, strings.Join(allowed, ", "))
}

// loadConfig loads and validates, printing problems; errors are the
// user's.
func loadConfig(path string, stderr io.Writer) (*config.Config, error) {
	return loadConfigWith(path, stderr, config.Options{})
}

// loadConfigWith is loadConfig with loader options (the demo supplies
// its data directory as a variable).
func loadConfigWith(path string, stderr io.Writer, opts config.Options) (*config.Config, error) {
	if path == "" {
		return nil, userErrorf("--config is required")
	}
	cfg, probs, err := config.Load(path, opts)
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

// Log settings from the environment (README "Running it").
var (
	logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "warning": slog.LevelWarn, "error": slog.LevelError}
)

// checkLogEnv refuses a DROPGATE_LOG_LEVEL or DROPGATE_LOG_FORMAT it does
// not know, rather than logging at a level nobody asked for.
func checkLogEnv() error {
	if v := os.Getenv("DROPGATE_LOG_LEVEL"); v != "" {
		if _, ok := logLevels[strings.ToLower(v)]; !ok {
			return fmt.Errorf("DROPGATE_LOG_LEVEL=%s: unknown level (debug, info, warn, error)", v)
		}
	}
	if v := strings.ToLower(os.Getenv("DROPGATE_LOG_FORMAT")); v != "" && v != "json" && v != "text" {
		return fmt.Errorf("DROPGATE_LOG_FORMAT=%s: unknown format (json, text)", os.Getenv("DROPGATE_LOG_FORMAT"))
	}
	return nil
}

// newLogger logs text to a terminal and JSON otherwise;
// DROPGATE_LOG_FORMAT and DROPGATE_LOG_LEVEL override (checked by
// checkLogEnv before any command runs).
func newLogger(w io.Writer) *slog.Logger {
	level, ok := logLevels[strings.ToLower(os.Getenv("DROPGATE_LOG_LEVEL"))]
	if !ok {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	format := strings.ToLower(os.Getenv("DROPGATE_LOG_FORMAT"))
	if format == "" {
		format = "json"
		if isTerminal(w) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
