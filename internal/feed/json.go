package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// jsonReader streams the elements of one array of a JSON document with
// json.Decoder's tokens, so the document is never held whole. Numbers
// stay text (UseNumber) and become exact decimals; none becomes a float.
// Field paths are dotted and relative to an element ("stock.available").
type jsonReader struct {
	dec   *json.Decoder
	name  string
	keys  []string // path of the records array from the root
	where string   // "$.data.items"
	rel   map[string][]int

	started bool
	done    bool
	index   int
	row     Row
}

func newJSONReader(r io.Reader, name string, opts JSONOptions, columns Columns) *jsonReader {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	p := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(opts.Records), "$"), ".")
	j := &jsonReader{dec: dec, name: name, where: "$", rel: map[string][]int{}}
	if p != "" {
		j.keys = strings.Split(p, ".")
		j.where = "$." + p
	}
	for f, c := range columns.list() {
		if c != "" {
			c = strings.TrimPrefix(strings.TrimSpace(c), "$.")
			j.rel[c] = append(j.rel[c], f)
		}
	}
	return j
}

// token reads one token, turning syntax errors into positioned ones.
func (j *jsonReader) token(at string) (json.Token, error) {
	tok, err := j.dec.Token()
	if err == io.EOF {
		return nil, userErrorf("%s: %s: the document ends early", j.name, at)
	}
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, userErrorf("%s: %s (byte %d): JSON: %v", j.name, at, se.Offset, err)
		}
		return nil, fmt.Errorf("%s: %s: %w", j.name, at, err)
	}
	return tok, nil
}

// seek walks from the root to the records array and consumes its '['.
func (j *jsonReader) seek() error {
	at := "$"
	for _, key := range j.keys {
		tok, err := j.token(at)
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return userErrorf("%s: %s is not an object, so it has no %q", j.name, at, key)
		}
		found := false
		for j.dec.More() {
			k, err := j.token(at)
			if err != nil {
				return err
			}
			if k == key {
				found = true
				break
			}
			if err := j.skip(at); err != nil {
				return err
			}
		}
		if !found {
			return userErrorf("%s: %s has no key %q (json.records)", j.name, at, key)
		}
		at += "." + key
	}
	tok, err := j.token(at)
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return userErrorf("%s: %s is not an array of records (json.records)", j.name, at)
	}
	return nil
}

// skip consumes one value whose first token is next.
func (j *jsonReader) skip(at string) error {
	depth := 0
	for {
		tok, err := j.token(at)
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// Next returns the next element of the records array.
func (j *jsonReader) Next() (*Row, error) {
	if !j.started {
		j.started = true
		if err := j.seek(); err != nil {
			return nil, err
		}
	}
	if j.done || !j.dec.More() {
		j.done = true
		return nil, io.EOF
	}
	at := j.Where(j.index)
	j.row.reset(j.index)
	j.index++
	tok, err := j.token(at)
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok || d != '{' {
		if ok && d == '[' {
			if err := j.skipRest(at); err != nil {
				return nil, err
			}
		}
		return nil, &Error{File: j.name, Where: at, Msg: "the record is not an object"}
	}
	if err := j.object("", at); err != nil {
		return nil, err
	}
	return &j.row, nil
}

// skipRest consumes the rest of a container whose opening was read.
func (j *jsonReader) skipRest(at string) error {
	depth := 1
	for depth > 0 {
		tok, err := j.token(at)
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// object reads an object's members (its '{' already read), keeping the
// scalars whose relative path is mapped.
func (j *jsonReader) object(prefix, at string) error {
	for j.dec.More() {
		k, err := j.token(at)
		if err != nil {
			return err
		}
		key, _ := k.(string)
		p := key
		if prefix != "" {
			p = prefix + "." + key
		}
		v, err := j.token(at)
		if err != nil {
			return err
		}
		switch t := v.(type) {
		case json.Delim:
			if t == '{' {
				if err := j.object(p, at); err != nil {
					return err
				}
				continue
			}
			if err := j.skipRest(at); err != nil {
				return err
			}
		case string:
			j.set(p, t)
		case json.Number:
			j.set(p, string(t))
		case bool:
			if t {
				j.set(p, "true")
			} else {
				j.set(p, "false")
			}
		case nil:
			// null: the field is absent.
		}
	}
	_, err := j.token(at) // the closing '}'
	return err
}

func (j *jsonReader) set(p, v string) {
	for _, f := range j.rel[p] {
		j.row.Has[f] = true
		j.row.Fields[f] = append(j.row.Fields[f][:0], v...)
	}
}

// Where formats a record's JSON path.
func (j *jsonReader) Where(index int) string { return fmt.Sprintf("%s[%d]", j.where, index) }
