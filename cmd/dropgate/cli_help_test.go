package main

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpOnEveryCommand walks the command tree: `-h` (and `help PATH`)
// works on every command and subcommand, exits 0, prints that command's
// usage and its own flags, and never asks for a token or a config.
// `orders -h`, `dlq list -h` and `edi parse -h` used to print another
// command's flags or demand a token.
func TestHelpOnEveryCommand(t *testing.T) {
	t.Setenv("DROPGATE_ADMIN_TOKEN", "")
	t.Setenv("DROPGATE_URL", "http://127.0.0.1:1") // nothing listens: help must not call
	n := 0
	walk(commandTree(), func(path string, c *command) {
		n++
		for _, args := range [][]string{
			append(strings.Fields(path), "-h"),
			append(strings.Fields(path), "--help"),
			append([]string{"help"}, strings.Fields(path)...),
		} {
			out, errOut, code := dg(t, args...)
			if code != 0 {
				t.Errorf("%s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
				continue
			}
			if !strings.HasPrefix(out, "usage: dropgate "+path+" ") {
				t.Errorf("%s: help does not start with this command's usage:\n%s", strings.Join(args, " "), out)
			}
			for _, bad := range []string{"no admin token", "--config is required", "refused the admin token"} {
				if strings.Contains(out+errOut, bad) {
					t.Errorf("%s: help demands something: %s", strings.Join(args, " "), out+errOut)
				}
			}
		}
		out, _, _ := dg(t, append(strings.Fields(path), "-h")...)
		if c.run == nil {
			for _, sub := range c.subs {
				if !strings.Contains(out, "  "+sub.name+" ") {
					t.Errorf("%s -h does not list %s:\n%s", path, sub.name, out)
				}
			}
			return
		}
		// Every flag the command defines is in its help.
		fc := &flagCollector{sets: map[string]*flag.FlagSet{}}
		if err := c.run(context.Background(), []string{"-h"}, io.Discard, fc); err != nil {
			t.Errorf("%s -h: %v", path, err)
		}
		fs := fc.sets[path]
		if fs == nil {
			t.Errorf("%s builds no flag set named after it", path)
			return
		}
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(out, "--"+f.Name) {
				t.Errorf("%s -h does not show --%s:\n%s", path, f.Name, out)
			}
		})
	})
	if n < 25 {
		t.Errorf("only %d commands in the tree", n)
	}
}

// TestHelpShowsOnlyItsOwnFlags: each subcommand has its own flags now,
// not the union of its group's.
func TestHelpShowsOnlyItsOwnFlags(t *testing.T) {
	for _, tc := range []struct {
		path      string
		has, lack []string
	}{
		{"orders list", []string{"--status", "--since", "--limit", "--json", "--url"}, nil},
		{"orders show", []string{"--json", "--url", "--token"}, []string{"--status", "--limit"}},
		{"dlq list", []string{"--json"}, []string{"--all", "--note"}},
		{"dlq replay", []string{"--all"}, []string{"--note"}},
		{"edi parse", []string{"--json"}, []string{"--control", "--kind", "--url"}},
		{"edi ack", []string{"--control", "--kind"}, []string{"--url"}},
		{"exceptions list", []string{"--kind", "--all"}, []string{"--note"}},
		{"exceptions resolve", []string{"--note"}, []string{"--kind", "--all"}},
		{"serve", []string{"--allow-demo-token", "--role"}, []string{"--json"}},
	} {
		out, _, code := dg(t, append(strings.Fields(tc.path), "-h")...)
		if code != 0 {
			t.Errorf("%s -h: exit %d", tc.path, code)
		}
		for _, f := range tc.has {
			if !strings.Contains(out, "  "+f) {
				t.Errorf("%s -h lacks %s:\n%s", tc.path, f, out)
			}
		}
		for _, f := range tc.lack {
			if strings.Contains(out, "  "+f) {
				t.Errorf("%s -h shows %s, another command's flag:\n%s", tc.path, f, out)
			}
		}
	}
}

// TestUnknownValuesAreErrors: a value dropgate does not know is an error
// that names the allowed ones, before anything else is tried (no token is
// needed to be told a status is misspelt).
func TestUnknownValuesAreErrors(t *testing.T) {
	t.Setenv("DROPGATE_ADMIN_TOKEN", "")
	edi := filepath.Join(t.TempDir(), "po.x12")
	os.WriteFile(edi, []byte("ISA*00*          *00*          *ZZ*A              *ZZ*B              *261121*1200*U*00401*000000001*0*P*>~GS*PO*A*B*20261121*1200*1*X*004010~ST*850*0001~BEG*00*SA*1**20261121~SE*3*0001~GE*1*1~IEA*1*000000001~"), 0o644)
	for _, tc := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"orders", "list", "--status", "bogus"}, `--status "bogus": unknown value (one of: received, on_hold`},
		{nil, []string{"orders", "list", "--limit", "0"}, "--limit 0: want 1 to 500"},
		{nil, []string{"exceptions", "list", "--kind", "bogus"}, `--kind "bogus": unknown value (one of: unroutable`},
		{nil, []string{"exceptions", "list", "--status", "bogus"}, `--status "bogus": unknown value (one of: open, resolved, all)`},
		{nil, []string{"serve", "--config", "x.yaml", "--role", "bogus"}, `--role "bogus": unknown value (one of: all, gateway, worker)`},
		{nil, []string{"edi", "ack", edi, "--kind", "998"}, `--kind "998": unknown value (one of: 997, 999)`},
		{nil, []string{"completion", "fish"}, `completion "fish": want bash or zsh`},
		{nil, []string{"orders", "bogus"}, `unknown command "bogus"`},
		{nil, []string{"bogus"}, `unknown command "bogus"`},
		{nil, []string{"help", "bogus"}, `dropgate: unknown command "bogus"`},
		{nil, []string{"help", "orders", "bogus"}, `dropgate orders: unknown command "bogus"`},
		{[]string{"DROPGATE_LOG_LEVEL", "bogus"}, []string{"version"}, "DROPGATE_LOG_LEVEL=bogus: unknown level (debug, info, warn, error)"},
		{[]string{"DROPGATE_LOG_FORMAT", "xml"}, []string{"validate", "--config", "x.yaml"}, "DROPGATE_LOG_FORMAT=xml: unknown format (json, text)"},
	} {
		if tc.env != nil {
			t.Setenv(tc.env[0], tc.env[1])
		}
		out, errOut, code := dg(t, tc.args...)
		if code != exitUser || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v %s: exit %d, want 1 and %q\n%s%s", tc.env, strings.Join(tc.args, " "), code, tc.want, out, errOut)
		}
		if tc.env != nil {
			t.Setenv(tc.env[0], "")
		}
	}
	// The levels dropgate knows are accepted, in any case.
	for _, lvl := range []string{"debug", "INFO", "Warn", "error"} {
		t.Setenv("DROPGATE_LOG_LEVEL", lvl)
		if _, errOut, code := dg(t, "version"); code != 0 {
			t.Errorf("DROPGATE_LOG_LEVEL=%s: exit %d %s", lvl, code, errOut)
		}
	}
}
