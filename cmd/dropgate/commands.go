package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// command is a node of the command tree: a leaf runs, a group only has
// subcommands. Each leaf parses its own flags (newFlags finds its usage
// line here by name), so `-h` works on every one of them.
type command struct {
	name     string
	synopsis string // what follows the command's path on the usage line
	summary  string
	run      func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	subs     []*command
}

// adminSynopsis are the flags of every command that talks to a server.
const adminSynopsis = "[--url URL] [--token T | --config FILE] [--json]"

// commandTree is every command (DESIGN §1.1), in the order `dropgate -h`
// lists them.
func commandTree() []*command {
	return []*command{
		{name: "demo", synopsis: "[--keep] [--listen ADDR] [--config FILE] [--ship-after D] [--data DIR]",
			summary: "see dropgate work: a local Shopify store, a simulated supplier, one order to tracking", run: runDemo},
		{name: "serve", synopsis: "--config FILE [--listen ADDR] [--role all|gateway|worker] [--allow-demo-token]",
			summary: "run the gateway, workers and schedulers", run: runServe},
		{name: "validate", synopsis: "--config FILE [--json]",
			summary: "check a config file without touching the network", run: runValidate},
		{name: "trigger", synopsis: "--config FILE --connector NAME --event TOPIC [--file PAYLOAD] [--url URL] [--json]",
			summary: "send a correctly signed test webhook to a running gateway", run: runTrigger},
		{name: "orders", summary: "orders of a running server", subs: []*command{
			{name: "list", synopsis: "[--status S] [--channel C] [--supplier S] [--since DATE] [--limit N] " + adminSynopsis,
				summary: "list orders, newest first", run: runOrdersList},
			{name: "show", synopsis: "ID " + adminSynopsis,
				summary: "an order with its lines, purchase orders, shipments and timeline", run: runOrdersShow},
			{name: "release", synopsis: "ID " + adminSynopsis,
				summary: "let an order held for payment, risk or manual release become purchase orders", run: runOrdersRelease},
			{name: "cancel", synopsis: "ID [--reason TEXT] " + adminSynopsis,
				summary: "cancel an order: its purchase orders at the suppliers, then the order on its channel", run: runOrdersCancel},
			{name: "return", synopsis: "ID --line SKU:QTY [--line SKU:QTY…] [--reason TEXT] " + adminSynopsis,
				summary: "return shipped units: an RMA request to the supplier, then refund and supplier credit", run: runOrdersReturn},
		}},
		{name: "returns", summary: "customer returns (RMA) of a running server", subs: returnCommands()},
		{name: "exceptions", summary: "the operator's to-do list of a running server", subs: exceptionCommands()},
		{name: "dlq", summary: "dead letters of a running server", subs: []*command{
			{name: "list", synopsis: adminSynopsis, summary: "list dead letters with their last error", run: runDLQList},
			{name: "show", synopsis: "ID " + adminSynopsis, summary: "a dead letter with every attempt's error and its payload", run: runDLQShow},
			{name: "replay", synopsis: "ID | --all " + adminSynopsis, summary: "put one dead letter (or all) back on its queue", run: runDLQReplay},
			{name: "discard", synopsis: "ID " + adminSynopsis, summary: "drop a dead letter for good", run: runDLQDiscard},
		}},
		{name: "suppliers", summary: "suppliers of a running server", subs: []*command{
			{name: "scorecard", synopsis: "NAME " + adminSynopsis,
				summary: "a supplier's scorecard over 7, 30 and 90 days: acknowledgement, fill, shipping, tracking, delivery, invoices", run: runSuppliersScorecard},
		}},
		{name: "payables", summary: "supplier invoices matched to purchase orders: due dates, totals", subs: []*command{
			{name: "list", synopsis: "[--supplier S] [--status open|paid] [--since DATE] [--limit N] " + adminSynopsis,
				summary: "list payables, newest first, with due date, amount and mismatches", run: runPayablesList},
			{name: "export", synopsis: "--format csv [--supplier S] [--status open|paid] [--since DATE] " + adminSynopsis,
				summary: "every payable as CSV with a header, amounts as decimal strings", run: runPayablesExport},
			{name: "paid", synopsis: "ID " + adminSynopsis, summary: "record that a payable was paid", run: runPayablesPaid},
		}},
		{name: "reports", summary: "reports over the stored orders", subs: []*command{
			{name: "margin", synopsis: "--since T [--until T] [--by supplier|channel] [--format table|csv] " + adminSynopsis,
				summary: "margin of the period's orders by supplier and by channel, one row per currency", run: runReportsMargin},
		}},
		{name: "connectors", synopsis: adminSynopsis,
			summary: "connector health of a running server: last success, last error, counts, queued jobs", run: runConnectors},
		{name: "queues", synopsis: adminSynopsis,
			summary: "queue depths of a running server: ready, scheduled, in flight, dead, oldest age", run: runQueues},
		{name: "route", synopsis: "--config FILE --explain ORDER.json [--channel NAME] [--json]",
			summary: "dry-run routing for an order and explain each decision", run: runRoute},
		{name: "reconcile", synopsis: "--config FILE --channel NAME [--since T] [--url URL] [--json]",
			summary: "sweep a channel now: take in the orders its webhooks missed", run: runReconcile},
		{name: "edi", summary: "X12 and EDIFACT files", subs: []*command{
			{name: "parse", synopsis: "FILE [--json] [--strict]", summary: "validate and print an X12 or EDIFACT file with precise errors", run: runEDIParse},
			{name: "ack", synopsis: "FILE [--control N] [--kind 997|999] [--strict] [--json]", summary: "print the 997/999 or CONTRL dropgate would send for a file", run: runEDIAck},
		}},
		{name: "feed", summary: "supplier feeds", subs: []*command{
			{name: "import", synopsis: "--config FILE --supplier NAME [--file F] [--dry-run] [--force] [--json]",
				summary: "import a supplier's feed now and print the diff it applied (or would)", run: runFeed},
		}},
		{name: "portal", summary: "the supplier portal", subs: []*command{
			{name: "hash-password", synopsis: "[--cost N] < password", summary: "print the bcrypt hash of a password for portal.users[].password_hash", run: runPortalHashPassword},
		}},
		{name: "healthcheck", synopsis: "[--url URL] [--live] [--timeout D] [--json]",
			summary: "probe a server's readiness (exit 0 ready, 1 not): the container health check", run: runHealthcheck},
		{name: "completion", synopsis: "bash|zsh",
			summary: "print the shell completion script", run: runCompletion},
		{name: "version", synopsis: "[--json]", summary: "print version, commit and Go version", run: runVersion},
	}
}

// exceptionCommands are `exceptions list` and one command per action an
// exception can offer (model.Exception.Actions).
func exceptionCommands() []*command {
	cmds := []*command{{name: "list", synopsis: "[--kind K] [--all] " + adminSynopsis,
		summary: "open exceptions (--all: also resolved ones) with the actions that fix them", run: runExceptionsList}}
	for _, a := range []struct{ name, does string }{
		{"reroute", "route the order's open lines again"},
		{"release", "let an order held by the release policy go"},
		{"retry", "run the failed job again"},
		{"discard", "drop what the exception is about (a dead letter, a quarantined feed import)"},
		{"approve", "apply a quarantined feed import"},
		{"resolve", "close the exception: handled by hand"},
	} {
		cmds = append(cmds, &command{name: a.name, synopsis: "ID [--note TEXT] " + adminSynopsis, summary: a.does, run: exceptionAction(a.name)})
	}
	return cmds
}

// resolve walks args down the tree: the path it matched, the command
// there (nil at the root) and the arguments left. It stops at a leaf.
func resolve(tree []*command, args []string) (string, *command, []string) {
	var path []string
	var at *command
	level := tree
	for i, a := range args {
		next := find(level, a)
		if next == nil {
			return strings.Join(path, " "), at, args[i:]
		}
		path, at, level = append(path, a), next, next.subs
		if next.run != nil {
			return strings.Join(path, " "), at, args[i+1:]
		}
	}
	return strings.Join(path, " "), at, nil
}

func find(level []*command, name string) *command {
	for _, c := range level {
		if c.name == name {
			return c
		}
	}
	return nil
}

// lookup finds a command by its path ("orders list").
func lookup(path string) *command {
	_, c, rest := resolve(commandTree(), strings.Fields(path))
	if len(rest) > 0 {
		return nil
	}
	return c
}

// printGroup lists the commands of a group (the root when c is nil).
func printGroup(w io.Writer, path string, c *command) {
	level, name := commandTree(), "dropgate"
	if c != nil {
		// A group's usage is each subcommand's usage line.
		level, name = c.subs, "dropgate "+path
		lead := "usage:"
		for _, sub := range level {
			synopsis := sub.synopsis
			if sub.run == nil {
				synopsis = "<command> [flags]"
			}
			fmt.Fprintf(w, "%s %s %s %s\n", lead, name, sub.name, synopsis)
			lead = "      "
		}
		fmt.Fprintf(w, "\n%s.\n\ncommands:\n", upperFirst(c.summary))
	} else {
		fmt.Fprintf(w, "usage: dropgate <command> [flags]\n\ncommands:\n")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, sub := range level {
		fmt.Fprintf(tw, "  %s\t%s\n", sub.name, sub.summary)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun '%s <command> -h' for a command's flags.\n", name)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// walk calls fn for every command with its path, groups before their
// subcommands.
func walk(tree []*command, fn func(path string, c *command)) {
	var rec func(prefix string, level []*command)
	rec = func(prefix string, level []*command) {
		for _, c := range level {
			p := strings.TrimSpace(prefix + " " + c.name)
			fn(p, c)
			rec(p, c.subs)
		}
	}
	rec("", tree)
}
