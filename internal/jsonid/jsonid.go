// Package jsonid reads the top-level "id" of a JSON object as its literal
// text, never through float64 (platform order ids exceed 2^53). Webhook
// verifiers read it on the request path to group an order's jobs.
package jsonid

import (
	"bytes"
	"encoding/json"
)

// TopLevel returns the top-level "id" of the JSON object body: a number's
// literal, or a string holding a number; "" when the body is not an
// object with such an id, or is broken before it. The worker reports bad
// JSON properly.
//
// A platform puts the id first ({"id": 820982911946154508, ...}): that
// case is read straight from the bytes. Anything else takes a token scan
// with encoding/json, which gives the same answer more slowly.
func TopLevel(body []byte) string {
	if id, ok := leadingNumber(body); ok {
		return id
	}
	return scan(body)
}

// leadingNumber reads `{ "id" : <number>` followed by ',' or '}'. ok is
// false for any other shape, which scan then reads.
func leadingNumber(b []byte) (string, bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return "", false
	}
	i = skipSpace(b, i+1)
	if !bytes.HasPrefix(b[i:], []byte(`"id"`)) {
		return "", false
	}
	i = skipSpace(b, i+4)
	if i >= len(b) || b[i] != ':' {
		return "", false
	}
	start := skipSpace(b, i+1)
	end := numberEnd(b, start)
	if end == start {
		return "", false
	}
	if j := skipSpace(b, end); j >= len(b) || (b[j] != ',' && b[j] != '}') {
		return "", false
	}
	return string(b[start:end]), true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// numberEnd returns the end of the JSON number starting at i
// (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), or i when there is none.
func numberEnd(b []byte, i int) int {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return start
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return start
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		j := i + 1
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := digits(b, j)
		if k == j {
			return start
		}
		i = k
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// scan walks the top-level keys with encoding/json's tokenizer.
func scan(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return ""
		}
		if k == "id" {
			var v json.Number
			if err := dec.Decode(&v); err != nil {
				return ""
			}
			return v.String()
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}
