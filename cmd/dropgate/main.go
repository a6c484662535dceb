// Command dropgate is the drop-shipping integration gateway: one binary
// for the server, operator commands and developer tools (DESIGN §1.1).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	_ "github.com/dropgate/dropgate/connectors/all" // register every connector type
)

// Exit codes (DESIGN §1.1).
const (
	exitOK      = 0
	exitUser    = 1 // bad config, bad input
	exitRuntime = 2 // the world failed us
)

// userError marks an error as the user's (exit 1).
type userError struct{ err error }

func (e userError) Error() string { return e.err.Error() }
func (e userError) Unwrap() error { return e.err }

func userErrorf(format string, args ...any) error { return userError{fmt.Errorf(format, args...)} }

// exitError ends the process with its own code: `healthcheck` answers
// Docker, for which 1 is "unhealthy" and 2 is reserved.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run finds the command named by the leading arguments and runs it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "help" {
		// `dropgate help orders list` is `dropgate orders list -h`.
		args = append(args[1:len(args):len(args)], "-h")
	}
	path, c, rest := resolve(commandTree(), args)
	if c == nil || c.run == nil {
		return groupUsage(path, c, rest, stdout, stderr)
	}
	if err := checkLogEnv(); err != nil && !wantsHelp(rest) {
		fmt.Fprintf(stderr, "dropgate: %v\n", err)
		return exitUser
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if stopProfile, err := startCPUProfile(); err != nil {
		fmt.Fprintf(stderr, "dropgate: %v\n", err)
		return exitUser
	} else {
		defer stopProfile()
	}
	if wantsHelp(rest) {
		// Asked-for help is output, like the groups' lists: a command's
		// flag set writes its usage to the writer it was given for errors.
		stderr = stdout
	}
	return report(path, c.run(ctx, rest, stdout, stderr), stderr)
}

// groupUsage answers a command line that names no runnable command: the
// list of commands (or a group's subcommands), exit 0 when asked for
// with -h, 1 otherwise.
func groupUsage(path string, c *command, rest []string, stdout, stderr io.Writer) int {
	switch {
	case len(rest) > 0 && !wantsHelp(rest[:1]):
		fmt.Fprintf(stderr, "%s: unknown command %q\n\n", strings.TrimSpace("dropgate "+path), rest[0])
	case wantsHelp(rest):
		printGroup(stdout, path, c)
		return exitOK
	}
	printGroup(stderr, path, c)
	return exitUser
}

// report prints a command's error and returns the exit code.
func report(path string, err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var xe exitError
	if errors.As(err, &xe) {
		if xe.err.Error() != "" {
			fmt.Fprintf(stderr, "dropgate %s: %v\n", path, xe.err)
		}
		return xe.code
	}
	var ue userError
	if errors.As(err, &ue) {
		if ue.err.Error() != "" {
			fmt.Fprintf(stderr, "dropgate %s: %v\n", path, ue.err)
		}
		return exitUser
	}
	fmt.Fprintf(stderr, "dropgate %s: %v\n", path, err)
	return exitRuntime
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "--help" || a == "-help" {
			return true
		}
	}
	return false
}
