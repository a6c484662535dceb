package x12

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzReader feeds arbitrary input to every reading path. Beyond "no
// panic", it checks three properties: the stream and the tree agree, a
// 997/999 built for any parsed interchange is itself valid X12, and
// inbound acknowledgements parse or fail cleanly. Memory stays bounded by
// the segment limits (the fuzzer's RSS limit catches a regression).
func FuzzReader(f *testing.F) {
	for _, s := range synthetic() {
		f.Add(s.data)
	}
	for _, lines := range [][]string{edit(10), edit(11), edit(12), edit(10, "SE*7*0002"), edit(6, "N1*ST*A\x01B"), twoSets("00501", "005010")} {
		f.Add(joinStd(lines))
	}
	f.Add(repeatedST02())
	f.Add(toEBCDIC(render(template850("000000905", "00401", "004010"), d('*', ':', 0, nel), "")))
	if dir := os.Getenv("DROPGATE_CONFORMANCE_DIR"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "edi", "x12_*"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	isa := []byte(template850("000000905", "00501", "005010")[0] + "~")
	f.Fuzz(func(t *testing.T, data []byte) {
		// Random bytes rarely make a 106-byte ISA; reading them also
		// behind a valid one lets the fuzzer explore envelopes and
		// segments, not only the header check.
		fuzzRead(t, data)
		fuzzRead(t, append(isa[:len(isa):len(isa)], data...))
	})
}

// fuzzRead reads data at every granularity and checks the properties.
func fuzzRead(t *testing.T, data []byte) {
	t.Helper()
	opts := []Option{WithMaxSegmentSize(4096), WithMaxElements(128)}
	r := NewReader(bytes.NewReader(data), opts...)
	var streamed int
	for {
		s, err := r.NextSet()
		if err != nil {
			break
		}
		streamed++
		for _, seg := range s.Segments {
			touch(seg)
		}
		if s.Header.ID == Kind997 || s.Header.ID == Kind999 {
			_, _ = ParseAck(s)
		}
		for _, e := range s.Errors {
			_ = e.Error()
		}
	}

	file, err := Parse(data, opts...)
	if err != nil {
		_ = err.Error()
	}
	if strict, _ := Parse(data, append(opts, WithStrict())...); len(strict.AllWarnings()) > 0 {
		t.Errorf("a strict reader tolerated %v", strict.AllWarnings())
	}
	var treeSets int
	for _, ic := range file.Interchanges {
		for _, g := range ic.Groups {
			treeSets += len(g.Sets)
		}
		checkAck(t, ic)
	}
	if treeSets > streamed {
		t.Errorf("the tree has %d sets in groups, the stream %d", treeSets, streamed)
	}
}

// touch calls every accessor with in- and out-of-range positions.
func touch(seg *Segment) {
	for n := -1; n <= seg.Len()+1; n++ {
		_ = seg.Element(n)
		_ = seg.Components(n)
		_ = seg.Repetitions(n)
		_ = seg.Value(n)
		_ = seg.Component(n, 2)
		_ = seg.RepetitionComponent(n, 2, 2)
		_, _ = seg.Decimal(n)
		_, _ = seg.Implied(n, 2)
	}
	_ = seg.Clone().String()
}

// checkAck builds an acknowledgement and requires it to read back
// without a single error.
func checkAck(t *testing.T, ic *Interchange) {
	t.Helper()
	ack, err := BuildAck(ic, AckParams{InterchangeControl: "1", GroupControl: 1, Date: time.Date(2024, 2, 1, 9, 30, 0, 0, time.UTC), Usage: UsageTest})
	if err != nil {
		return // e.g. ErrNoAck, or delimiters/headers the writer refuses
	}
	f, err := Parse(ack.Data)
	if err != nil {
		t.Fatalf("the acknowledgement is not valid X12: %v\n%q", err, ack.Data)
	}
	for _, g := range f.Interchanges[0].Groups {
		for _, s := range g.Sets {
			if _, err := ParseAck(s); err != nil {
				t.Fatalf("the acknowledgement does not parse as one: %v\n%q", err, ack.Data)
			}
		}
	}
}

// FuzzWriterRoundTrip writes arbitrary values and reads them back: with
// ReplaceInvalid the write always succeeds and the value comes back
// cleaned; with RejectInvalid it either fails or comes back unchanged.
func FuzzWriterRoundTrip(f *testing.F) {
	f.Add("JOHN DOE", "A*B~C", byte('*'), byte(':'), byte('~'), false)
	f.Add("JOSÉ", "\x00\xff", byte('|'), byte('>'), byte('\n'), true)
	f.Fuzz(func(t *testing.T, a, b string, e, c, s byte, reject bool) {
		dl := Delimiters{Element: e, Component: c, Repetition: '^', Segment: s}
		if dl.Validate() != nil || dl.isDelimiter(' ') {
			return
		}
		policy := ReplaceInvalid
		if reject {
			policy = RejectInvalid
		}
		var buf bytes.Buffer
		w, err := NewWriter(&buf, dl, WithDataPolicy(policy))
		if err != nil {
			return
		}
		_ = w.BeginInterchange(testISA("1", "00501"))
		_ = w.BeginGroup(testGS("1", "005010"))
		_ = w.BeginSet(SetHeader{ID: "850", Control: "1"})
		err = w.WriteValues("REF", Simple(a), Composite(a, b))
		if err != nil {
			if !reject {
				t.Fatalf("ReplaceInvalid failed: %v", err)
			}
			return
		}
		_ = w.EndSet()
		_ = w.EndGroup()
		_ = w.EndInterchange()
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		file, err := Parse(buf.Bytes())
		if err != nil {
			t.Fatalf("written interchange does not parse: %v\n%q", err, buf.Bytes())
		}
		ref := file.Interchanges[0].Groups[0].Sets[0].Segments[1]
		if reject && (ref.Element(1) != a || ref.Component(2, 1) != a || ref.Component(2, 2) != b) {
			t.Fatalf("RejectInvalid let %q / %q through as %q", a, b, ref.String())
		}
		if !reject && controlIndex(ref.String(), dl) >= 0 {
			t.Fatalf("control character written: %q", ref.String())
		}
	})
}

var _ io.Reader = ebcdicReader{}
