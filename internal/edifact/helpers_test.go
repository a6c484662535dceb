package edifact

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// parseOK parses src and fails the test on any problem.
func parseOK(t *testing.T, src string) []*Interchange {
	t.Helper()
	ics, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return ics
}

// oneMessage parses src, which must hold one clean interchange with one
// message, and returns that message.
func oneMessage(t *testing.T, src string) *Message {
	t.Helper()
	ics := parseOK(t, src)
	if len(ics) != 1 {
		t.Fatalf("got %d interchanges, want 1", len(ics))
	}
	msgs := ics[0].AllMessages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

// allErrors lists every problem recorded in the interchanges, in input
// order.
func allErrors(ics []*Interchange) []Error {
	var out []Error
	for _, ic := range ics {
		err := ic.Err()
		if err == nil {
			continue
		}
		var j interface{ Unwrap() []error }
		if errors.As(err, &j) {
			for _, e := range j.Unwrap() {
				out = append(out, e.(Error))
			}
		}
	}
	return out
}

// lines joins segments with CRLF, the most common layout of real files.
func lines(segs ...string) string { return strings.Join(segs, "\r\n") + "\r\n" }

// envelope wraps message segments (UNH..UNT) in a UNB..UNZ with control
// reference 77 and the given number of messages.
func envelope(syntax string, messages int, body ...string) string {
	head := "UNB+" + syntax + "+SENDER:14+RECIPIENT:14+240131:1200+77'"
	return head + strings.Join(body, "") + "UNZ+" + strconv.Itoa(messages) + "+77'"
}
