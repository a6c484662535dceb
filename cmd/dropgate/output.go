package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// printTable prints a header and rows aligned in columns.
func printTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// printJSON re-indents a JSON answer for people (or passes it through).
func printJSON(w io.Writer, b []byte) {
	var v any
	if json.Unmarshal(b, &v) == nil {
		writeJSON(w, v)
		return
	}
	w.Write(b)
}

// writeJSON prints v as indented JSON: the --json output of commands that
// compute their answer themselves.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonOrText embeds a server's answer in --json output: as JSON when it
// is JSON, else as a string.
func jsonOrText(b []byte) any {
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	return string(b)
}

// when formats a time for a table; the zero time (it never happened) is
// "never", not 0001-01-01.
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Format("2006-01-02 15:04:05")
}

// dash stands in for an empty cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
