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
	"sort"
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

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"demo":       {"see dropgate work: a local Shopify store, simulated suppliers, one order to tracking", runDemo},
	"serve":      {"run the gateway, workers and schedulers", runServe},
	"validate":   {"check a config file without touching the network", runValidate},
	"trigger":    {"send a correctly signed test webhook to a running gateway", runTrigger},
	"version":    {"print version, commit and Go version", runVersion},
	"orders":     {"list and show orders of a running server (list, show ID)", runOrders},
	"dlq":        {"dead letters of a running server (list, show ID, replay ID, replay --all, discard ID)", runDLQ},
	"route":      {"dry-run routing for an order and explain each decision (--explain ORDER.json)", runRoute},
	"edi":        {"validate and print an X12 or EDIFACT file (parse FILE [--json]), or its 997/CONTRL (ack FILE)", runEDI},
	"feed":       {"import a supplier's feed now, with the diff it applies (import --supplier NAME [--file F] [--dry-run])", runFeed},
	"exceptions": {"the operator's to-do list (list, reroute|retry|discard|resolve ID)", runExceptions},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUser
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "dropgate: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUser
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.run(ctx, args[1:], stdout, stderr)
	if err == nil {
		return exitOK
	}
	var ue userError
	if errors.As(err, &ue) {
		if ue.err.Error() != "" {
			fmt.Fprintf(stderr, "dropgate %s: %v\n", args[0], ue.err)
		}
		return exitUser
	}
	fmt.Fprintf(stderr, "dropgate %s: %v\n", args[0], err)
	return exitRuntime
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: dropgate <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'dropgate <command> -h' for a command's flags.")
}
