package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dropgate/dropgate/internal/edifact"
	"github.com/dropgate/dropgate/internal/x12"
)

// strictUsage is the help of the edi commands' --strict.
const strictUsage = "reject what is otherwise tolerated with a warning (a repeated ST02 or UNH reference, a UNB without syntax version), as for a partner with strict: true"

// runEDIParse is `dropgate edi parse FILE [--json] [--strict]`.
func runEDIParse(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("edi parse", stderr)
	asJSON := fs.Bool("json", false, "print the tree as JSON")
	strict := fs.Bool("strict", false, strictUsage)
	name, data, err := ediFile("edi parse", fs, args)
	if name == "" || err != nil {
		return err
	}
	switch detectSyntax(data) {
	case "x12":
		return parseX12(stdout, stderr, name, data, *asJSON, *strict)
	case "edifact":
		return parseEDIFACT(stdout, stderr, name, data, *asJSON, *strict)
	}
	return notEDI(name)
}

// runEDIAck is `dropgate edi ack FILE`: the 997/999 or CONTRL for it.
func runEDIAck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("edi ack", stderr)
	control := fs.Int64("control", 1, "control `number` of the acknowledgement (ISA13/GS06 or UNB05)")
	kind := fs.String("kind", "", "X12 acknowledgement: `997` or 999 (default: by the inbound version)")
	strict := fs.Bool("strict", false, strictUsage)
	asJSON := fs.Bool("json", false, "print the acknowledgements as JSON: file, syntax, control and the data")
	name, data, err := ediFile("edi ack", fs, args)
	if name == "" || err != nil {
		return err
	}
	if err := oneOf("kind", *kind, []string{"997", "999"}); err != nil {
		return err
	}
	if *control < 1 {
		return userErrorf("--control %d: want a positive number", *control)
	}
	var buf bytes.Buffer
	out := io.Writer(stdout)
	if *asJSON {
		out = &buf
	}
	syntax := detectSyntax(data)
	switch syntax {
	case "x12":
		err = ackX12(out, stderr, name, data, *control, *kind, *strict)
	case "edifact":
		err = ackEDIFACT(out, stderr, name, data, *control, *strict)
	default:
		return notEDI(name)
	}
	if err != nil || !*asJSON {
		return err
	}
	return writeJSON(stdout, map[string]any{"file": name, "syntax": syntax, "control": *control, "data": buf.String()})
}

// ediFile parses an edi command's flags and reads its one file; an empty
// name with no error means -h was answered.
func ediFile(path string, fs *flag.FlagSet, args []string) (string, []byte, error) {
	if help, err := parse(fs, args); help || err != nil {
		return "", nil, err
	}
	if fs.NArg() != 1 {
		return "", nil, userErrorf("usage: dropgate %s FILE", path)
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return "", nil, userError{err}
	}
	return fs.Arg(0), data, nil
}

func notEDI(name string) error {
	return userErrorf("%s: neither X12 (ISA…) nor EDIFACT (UNA/UNB…)", name)
}

// detectSyntax looks past a byte-order mark and whitespace at the first
// segment tag. EBCDIC "ISA" (0xC9 0xE2 0xC1) counts as X12: the reader
// transcodes it.
func detectSyntax(b []byte) string {
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	b = bytes.TrimLeft(b, " \t\r\n\x00")
	switch {
	case bytes.HasPrefix(b, []byte("ISA")), bytes.HasPrefix(b, []byte{0xC9, 0xE2, 0xC1}):
		return "x12"
	case bytes.HasPrefix(b, []byte("UNA")), bytes.HasPrefix(b, []byte("UNB")):
		return "edifact"
	}
	return ""
}

// jsonSegment is a segment in --json output: its tag and elements, each
// element a list of components (a list of repetitions for X12 when the
// element repeats).
type jsonSegment struct {
	ID       string     `json:"id"`
	Line     int        `json:"line"`
	Elements [][]string `json:"elements"`
}

// readX12 parses an X12 file; strict is x12.WithStrict. problems lists
// every error once, the one that stopped the reader (a malformed ISA after
// a good interchange, say) included; fatal is an error that is not about
// the input.
func readX12(data []byte, strict bool) (f *x12.File, problems []string, fatal error) {
	var opts []x12.Option
	if strict {
		opts = append(opts, x12.WithStrict())
	}
	f, err := x12.Parse(data, opts...)
	var listed x12.ErrorList
	if !errors.As(err, &listed) {
		return f, nil, err
	}
	for _, e := range listed {
		problems = append(problems, e.Error())
	}
	return f, problems, nil
}

func parseX12(w, stderr io.Writer, name string, data []byte, asJSON, strict bool) error {
	f, errs, err := readX12(data, strict)
	if err != nil && f == nil {
		return userErrorf("%s: %v", name, err)
	}
	warnings := errorTexts(f.AllWarnings())
	if asJSON {
		type set struct {
			ID       string        `json:"id"`
			Control  string        `json:"control"`
			Accepted bool          `json:"accepted"`
			Segments []jsonSegment `json:"segments"`
		}
		type group struct {
			FunctionalID string `json:"functional_id"`
			Control      string `json:"control"`
			Version      string `json:"version"`
			Sets         []set  `json:"sets"`
		}
		type interchange struct {
			Control    string            `json:"control"`
			Sender     string            `json:"sender"`
			Receiver   string            `json:"receiver"`
			Version    string            `json:"version"`
			Usage      string            `json:"usage"`
			Delimiters map[string]string `json:"delimiters"`
			Groups     []group           `json:"groups"`
		}
		var out struct {
			Syntax       string        `json:"syntax"`
			Interchanges []interchange `json:"interchanges"`
			Errors       []string      `json:"errors,omitempty"`
			Warnings     []string      `json:"warnings,omitempty"`
		}
		out.Syntax, out.Errors, out.Warnings = "x12", errs, warnings
		for _, ic := range f.Interchanges {
			d := ic.Delimiters
			ji := interchange{Control: ic.Header.Control, Sender: ic.Header.SenderQualifier + ":" + ic.Header.SenderID,
				Receiver: ic.Header.ReceiverQualifier + ":" + ic.Header.ReceiverID, Version: ic.Header.Version, Usage: ic.Header.Usage,
				Delimiters: map[string]string{"element": string(d.Element), "component": string(d.Component), "segment": string(d.Segment), "repetition": delimiter(d.Repetition)}}
			for _, g := range ic.Groups {
				jg := group{FunctionalID: g.Header.FunctionalID, Control: g.Header.Control, Version: g.Header.Version}
				for _, s := range g.Sets {
					js := set{ID: s.Header.ID, Control: s.Header.Control, Accepted: s.Accepted()}
					for _, seg := range s.Segments {
						js.Segments = append(js.Segments, x12JSON(seg))
					}
					jg.Sets = append(jg.Sets, js)
				}
				ji.Groups = append(ji.Groups, jg)
			}
			out.Interchanges = append(out.Interchanges, ji)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		for _, ic := range f.Interchanges {
			fmt.Fprintf(w, "interchange %s  %s:%s → %s:%s  version %s  usage %s  delimiters %s\n", ic.Header.Control,
				ic.Header.SenderQualifier, ic.Header.SenderID, ic.Header.ReceiverQualifier, ic.Header.ReceiverID, ic.Header.Version, ic.Header.Usage, ic.Delimiters)
			for _, g := range ic.Groups {
				fmt.Fprintf(w, "  group %s %s  %s → %s  version %s\n", g.Header.FunctionalID, g.Header.Control, g.Header.Sender, g.Header.Receiver, g.Header.Version)
				for _, s := range g.Sets {
					verdict := "ok"
					if !s.Accepted() {
						verdict = "ERRORS"
					}
					fmt.Fprintf(w, "    set %s %s  %d segments  %s\n", s.Header.ID, s.Header.Control, s.SegmentCount, verdict)
					for _, seg := range s.Segments {
						fmt.Fprintf(w, "      %4d  %s\n", seg.Pos.Line, seg.String())
					}
				}
			}
		}
	}
	return reportProblems(stderr, name, errs, warnings, err)
}

// delimiter shows a delimiter for --json; an absent one (0) is "".
func delimiter(b byte) string {
	if b == 0 {
		return ""
	}
	return string(b)
}

// errorTexts renders errors or warnings, one string each.
func errorTexts[E error](list []E) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.Error()
	}
	return out
}

// reportProblems prints every warning (they do not change the exit code)
// and every problem, one per line, and returns the user error that makes
// the command exit 1; a lone problem is the error itself.
func reportProblems(stderr io.Writer, name string, problems, warnings []string, fatal error) error {
	reportWarnings(stderr, name, warnings)
	if fatal != nil {
		problems = append(problems, fatal.Error())
	}
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return userErrorf("%s: %s", name, problems[0])
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "%s: %s\n", name, p)
	}
	return userErrorf("%s: %d problems", name, len(problems))
}

// reportWarnings prints what the reader tolerated, one line each.
func reportWarnings(stderr io.Writer, name string, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", name, w)
	}
}

func x12JSON(seg *x12.Segment) jsonSegment {
	js := jsonSegment{ID: seg.ID, Line: seg.Pos.Line}
	for i := 1; i <= seg.Len(); i++ {
		js.Elements = append(js.Elements, seg.Components(i))
	}
	return js
}

// readEDIFACT parses an EDIFACT file with edifact.Reader.Strict set to
// strict. problems lists every error once: ReadAll's error already joins
// those of every interchange, group and message and the one that stopped
// the reader.
func readEDIFACT(data []byte, strict bool) ([]*edifact.Interchange, []string, error) {
	r := edifact.NewBytesReader(data)
	r.Strict = strict
	ics, err := r.ReadAll()
	var problems []string
	seen := map[string]bool{}
	for _, e := range leaves(err) {
		if msg := e.Error(); !seen[msg] {
			seen[msg] = true
			problems = append(problems, msg)
		}
	}
	return ics, problems, err
}

// leaves flattens errors.Join trees.
func leaves(err error) []error {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, leaves(e)...)
	}
	return out
}

func parseEDIFACT(w, stderr io.Writer, name string, data []byte, asJSON, strict bool) error {
	ics, problems, err := readEDIFACT(data, strict)
	if err != nil && len(ics) == 0 {
		return userErrorf("%s: %v", name, err)
	}
	var warnings []string
	for _, ic := range ics {
		warnings = append(warnings, errorTexts(ic.AllWarnings())...)
	}
	if asJSON {
		type message struct {
			Ref      string        `json:"ref"`
			Type     string        `json:"type"`
			Segments []jsonSegment `json:"segments"`
		}
		type interchange struct {
			Control   string    `json:"control"`
			Syntax    string    `json:"syntax"`
			Sender    string    `json:"sender"`
			Recipient string    `json:"recipient"`
			Messages  []message `json:"messages"`
		}
		var out struct {
			Syntax       string        `json:"syntax"`
			Interchanges []interchange `json:"interchanges"`
			Errors       []string      `json:"errors,omitempty"`
			Warnings     []string      `json:"warnings,omitempty"`
		}
		out.Syntax, out.Warnings = "edifact", warnings
		for _, ic := range ics {
			h := ic.Header
			ji := interchange{Control: h.ControlRef, Syntax: h.Syntax + ":" + h.SyntaxVersion, Sender: h.Sender.ID, Recipient: h.Recipient.ID}
			for _, m := range ic.AllMessages() {
				jm := message{Ref: m.Header.Ref, Type: m.Header.Identifier()}
				for _, seg := range m.Segments {
					js := jsonSegment{ID: seg.Tag, Line: seg.Pos.Line}
					for _, el := range seg.Elements {
						js.Elements = append(js.Elements, []string(el))
					}
					jm.Segments = append(jm.Segments, js)
				}
				ji.Messages = append(ji.Messages, jm)
			}
			out.Interchanges = append(out.Interchanges, ji)
		}
		out.Errors = problems
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		for _, ic := range ics {
			h := ic.Header
			fmt.Fprintf(w, "interchange %s  %s → %s  syntax %s:%s\n", h.ControlRef, h.Sender.ID, h.Recipient.ID, h.Syntax, h.SyntaxVersion)
			for _, m := range ic.AllMessages() {
				verdict := "ok"
				if m.Err() != nil {
					verdict = "ERRORS"
				}
				fmt.Fprintf(w, "  message %s %s  %d segments  %s\n", m.Header.Ref, m.Header.Identifier(), m.SegmentCount, verdict)
				for _, seg := range m.Segments {
					fmt.Fprintf(w, "    %4d  %s\n", seg.Pos.Line, seg.String())
				}
			}
		}
	}
	return reportProblems(stderr, name, problems, warnings, nil)
}

// ackX12 writes the 997/999 of every interchange read, in its encoding
// (EBCDIC is answered in EBCDIC). Warnings go to stderr.
func ackX12(w, stderr io.Writer, name string, data []byte, control int64, kind string, strict bool) error {
	f, _, err := readX12(data, strict)
	if err != nil && f == nil {
		return userErrorf("%s: %v", name, err)
	}
	reportWarnings(stderr, name, errorTexts(f.AllWarnings()))
	for _, ic := range f.Interchanges {
		ack, err := x12.BuildAck(ic, x12.AckParams{Kind: kind, InterchangeControl: fmt.Sprint(control), GroupControl: control,
			Date: time.Now().UTC(), Newline: "\n"})
		if errors.Is(err, x12.ErrNoAck) {
			return userErrorf("%s: interchange %s is itself an acknowledgement; acknowledgements are never acknowledged", name, ic.Header.Control)
		}
		if err != nil {
			return userErrorf("%s: %v", name, err)
		}
		w.Write(ack.Data)
		control++
	}
	return nil
}

// ackEDIFACT writes the CONTRL of every interchange read. Warnings go to
// stderr.
func ackEDIFACT(w, stderr io.Writer, name string, data []byte, control int64, strict bool) error {
	ics, _, err := readEDIFACT(data, strict)
	if err != nil && len(ics) == 0 {
		return userErrorf("%s: %v", name, err)
	}
	for _, ic := range ics {
		reportWarnings(stderr, name, errorTexts(ic.AllWarnings()))
		err := edifact.WriteContrl(w, ic, edifact.ContrlOptions{ControlRef: fmt.Sprint(control), Prepared: time.Now().UTC()},
			edifact.WriterOptions{Delimiters: ic.Delimiters, UNA: ic.UNA, LineEnding: "\n"})
		if errors.Is(err, edifact.ErrContrlForContrl) {
			return userErrorf("%s: interchange %s carries CONTRL; acknowledgements are never acknowledged", name, ic.Header.ControlRef)
		}
		if err != nil {
			return userErrorf("%s: %v", name, err)
		}
		control++
	}
	return nil
}
