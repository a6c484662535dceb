// Package jsonpos says where a JSON payload broke: the line and column of
// a syntax error, a truncated body or a field of the wrong type, so a
// connector's decode error points at the byte (CONTRIBUTING: "bad input
// says where").
package jsonpos

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Where rewrites an encoding/json error on body with its line, column and,
// for a type error, the field's JSON path ($.a.b); other errors are
// returned as they are.
func Where(body []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		l, col := LineCol(body, int64(len(body)))
		return fmt.Errorf("invalid JSON at line %d, column %d: the payload ends early", l, col)
	case errors.As(err, &se):
		l, col := LineCol(body, se.Offset-1)
		return fmt.Errorf("invalid JSON at line %d, column %d: %v", l, col, se)
	case errors.As(err, &te):
		l, col := LineCol(body, te.Offset)
		return fmt.Errorf("line %d, column %d ($.%s): expected %s, got JSON %s", l, col, te.Field, te.Type, te.Value)
	}
	return err
}

// LineCol is the 1-based line and column of byte offset off in b (clamped
// to b: an empty body fails at offset 0, which "the offending byte" makes -1).
func LineCol(b []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(b)))
	line, col := 1, 1
	for _, ch := range b[:off] {
		if ch == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
