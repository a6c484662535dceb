package http_api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The response mappings name values with a deliberately small JSON path
// language, exact and predictable:
//
//	$.order.id            members, from the document root
//	order.id              the same: "$." may be left out
//	$.lines[0].sku        an array element
//	$.lines[*].sku        every element (only where a list is expected)
//	$["odd key"].x        a member whose name is not a plain word
//	$                     the document (or, in a list mapping, the element)
//
// No filters, slices, recursive descent or negative indices: a supplier
// mapping that needs them is better served by a mapping nobody has to
// guess about. Paths inside a list mapping (lines, packages) are relative
// to each element.

// stepKind is what one path step selects.
type stepKind uint8

const (
	stepMember stepKind = iota // .name or ["name"]
	stepIndex                  // [n]
	stepAll                    // [*]
)

// step is one selector of a Path.
type step struct {
	kind  stepKind
	name  string
	index int
}

// Path is a compiled JSON path. The zero Path selects the document itself.
type Path struct {
	steps []step
}

// maxIndex bounds [n]: larger indices are typos, not real responses.
const maxIndex = 1_000_000

// ParsePath compiles a path. Errors name the byte offset.
func ParsePath(s string) (Path, error) {
	var p Path
	i := 0
	fail := func(format string, args ...any) (Path, error) {
		return Path{}, fmt.Errorf("json path %q: at offset %d: %s", s, i, fmt.Sprintf(format, args...))
	}
	if s == "" {
		return Path{}, errors.New("json path is empty (write $ for the whole document)")
	}
	if s[0] == '$' {
		i = 1
	} else if s[0] != '[' {
		// A bare first member: "data.id" reads as "$.data.id".
		name, n := scanName(s)
		if n == 0 {
			return fail("expected $, a member name or [")
		}
		p.steps = append(p.steps, step{kind: stepMember, name: name})
		i = n
	}
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			name, n := scanName(s[i:])
			if n == 0 {
				return fail("expected a member name after '.' (quote unusual names as [\"name\"])")
			}
			p.steps = append(p.steps, step{kind: stepMember, name: name})
			i += n
		case '[':
			st, n, err := scanBracket(s[i:])
			if err != nil {
				return fail("%v", err)
			}
			p.steps = append(p.steps, st)
			i += n
		default:
			return fail("unexpected %q (expected '.' or '[')", s[i])
		}
	}
	return p, nil
}

// scanName reads a plain member name: anything up to '.', '[' or ']'
// that is not a quote, a space or a control character.
func scanName(s string) (string, int) {
	n := 0
	for n < len(s) {
		c := s[n]
		if c == '.' || c == '[' || c == ']' || c == '"' || c == '\'' || c <= ' ' || c == 0x7f {
			break
		}
		n++
	}
	return s[:n], n
}

// scanBracket reads "[*]", "[12]" or `["name"]` at the start of s.
func scanBracket(s string) (step, int, error) {
	if len(s) < 3 {
		return step{}, 0, errors.New("unterminated [")
	}
	switch c := s[1]; {
	case c == '*':
		if s[2] != ']' {
			return step{}, 0, errors.New("expected ] after [*")
		}
		return step{kind: stepAll}, 3, nil
	case c >= '0' && c <= '9':
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return step{}, 0, errors.New("unterminated [")
		}
		digits := s[1:end]
		n, err := strconv.Atoi(digits)
		if err != nil || n < 0 || n > maxIndex || (len(digits) > 1 && digits[0] == '0') {
			return step{}, 0, fmt.Errorf("index %q is not a whole number from 0 to %d", digits, maxIndex)
		}
		return step{kind: stepIndex, index: n}, end + 1, nil
	case c == '"':
		// A JSON string literal: its escapes mean what they mean in JSON.
		dec := json.NewDecoder(strings.NewReader(s[1:]))
		var name string
		if err := dec.Decode(&name); err != nil {
			return step{}, 0, fmt.Errorf("bad quoted member name: %v", err)
		}
		end := 1 + int(dec.InputOffset())
		if end >= len(s) || s[end] != ']' {
			return step{}, 0, errors.New(`expected ] after ["name"`)
		}
		return step{kind: stepMember, name: name}, end + 1, nil
	}
	return step{}, 0, errors.New(`expected *, an index or a "quoted name" after [`)
}

// String is the canonical spelling: "$", then .name, ["name"], [n], [*].
// ParsePath(p.String()) compiles to the same path.
func (p Path) String() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, st := range p.steps {
		writeStep(&b, st)
	}
	return b.String()
}

func writeStep(b *strings.Builder, st step) {
	switch st.kind {
	case stepAll:
		b.WriteString("[*]")
	case stepIndex:
		fmt.Fprintf(b, "[%d]", st.index)
	default:
		if name, n := scanName(st.name); n > 0 && n == len(st.name) && name != "$" {
			b.WriteByte('.')
			b.WriteString(st.name)
			return
		}
		q, _ := json.Marshal(st.name)
		b.WriteByte('[')
		b.Write(q)
		b.WriteByte(']')
	}
}

// IsRoot reports whether p selects the document itself.
func (p Path) IsRoot() bool { return len(p.steps) == 0 }

// Multi reports whether p may select several values ([*]).
func (p Path) Multi() bool {
	for _, st := range p.steps {
		if st.kind == stepAll {
			return true
		}
	}
	return false
}

// Match is one value a path selected, with the concrete path to it
// ("$.lines[2].sku"), which is what error messages quote.
type Match struct {
	Path  string
	Value any
}

// Eval returns every value p selects in doc (a tree from decodeJSON),
// in document order. at is the concrete path of doc itself ("$" for a
// document, "$.lines[1]" for an element of a list mapping).
func (p Path) Eval(doc any, at string) []Match {
	cur := []Match{{Path: at, Value: doc}}
	for _, st := range p.steps {
		var next []Match
		for _, m := range cur {
			next = appendStep(next, m, st)
		}
		if len(next) == 0 {
			return nil
		}
		cur = next
	}
	return cur
}

func appendStep(out []Match, m Match, st step) []Match {
	var b strings.Builder
	switch st.kind {
	case stepMember:
		obj, ok := m.Value.(map[string]any)
		if !ok {
			return out
		}
		v, ok := obj[st.name]
		if !ok {
			return out
		}
		b.WriteString(m.Path)
		writeStep(&b, st)
		return append(out, Match{Path: b.String(), Value: v})
	case stepIndex:
		arr, ok := m.Value.([]any)
		if !ok || st.index >= len(arr) {
			return out
		}
		return append(out, Match{Path: fmt.Sprintf("%s[%d]", m.Path, st.index), Value: arr[st.index]})
	default:
		arr, ok := m.Value.([]any)
		if !ok {
			return out
		}
		for i, v := range arr {
			out = append(out, Match{Path: fmt.Sprintf("%s[%d]", m.Path, i), Value: v})
		}
		return out
	}
}

// First returns the first value p selects, if any. A JSON null counts as
// absent: suppliers write "tracking_number": null before they know it.
func (p Path) First(doc any, at string) (Match, bool) {
	for _, m := range p.Eval(doc, at) {
		if m.Value != nil {
			return m, true
		}
	}
	return Match{}, false
}

// Join returns the concrete path of p under at, for messages about a
// value that was not there.
func (p Path) Join(at string) string {
	var b strings.Builder
	b.WriteString(at)
	for _, st := range p.steps {
		writeStep(&b, st)
	}
	return b.String()
}

// decodeJSON reads one JSON document with UseNumber, so numbers keep
// their literal digits (ids beyond 2^53, prices) and nothing passes
// through float64. Trailing data after the document is an error.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("invalid JSON at byte %d: %v", syn.Offset, err)
		}
		if errors.Is(err, io.EOF) {
			return nil, errors.New("no JSON document (the text is empty)")
		}
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("invalid JSON: data after the document at byte %d", dec.InputOffset())
	}
	return v, nil
}
