package x12

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/synthetic from the generators")

// The synthetic samples are written with the canonical delimiters * : ^ ~
// and then translated byte for byte, so one template yields every
// delimiter variant, and a parsed segment translated back must equal its
// template line.

// template850 returns an 850 interchange, one segment per entry, with the
// canonical delimiters. version is ISA12; gsVersion GS08.
func template850(control, version, gsVersion string) []string {
	isa11 := "U"
	if version >= repetitionVersion {
		isa11 = "^"
	}
	gsDate := "20240131"
	if gsVersion < "004010" {
		gsDate = "240131"
	}
	ref := "REF*DP*DEPT 7**ZZ:ABC"
	if isa11 == "^" {
		ref = "REF*DP*DEPT 7**ZZ:ABC^YY:DEF"
	}
	return []string{
		"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240131*1200*" + isa11 + "*" + version + "*" + control + "*0*T*:",
		"GS*PO*SENDER*RECEIVER*" + gsDate + "*1200*1*X*" + gsVersion,
		"ST*850*0001",
		"BEG*00*SA*PO-1001**20240131",
		ref,
		"N1*ST*JOHN DOE & SONS",
		"PO1*1*2*EA*19.99**VP*SKU-1",
		"PID*F****BLUE WIDGET, LARGE",
		"CTT*1",
		"SE*8*0001",
		"GE*1*1",
		"IEA*1*" + control,
	}
}

// render joins template lines with delimiters d, writing after after each
// terminator.
func render(lines []string, d Delimiters, after string) []byte {
	m := map[byte]byte{'*': d.Element, ':': d.Component, '^': d.Repetition, '~': d.Segment}
	var b bytes.Buffer
	for _, l := range lines {
		for i := 0; i < len(l); i++ {
			c := l[i]
			if r, ok := m[c]; ok && r != 0 {
				c = r
			}
			b.WriteByte(c)
		}
		b.WriteByte(d.Segment)
		b.WriteString(after)
	}
	return b.Bytes()
}

// canonicalText translates a parsed segment back to canonical delimiters.
func canonicalText(seg *Segment) string {
	d := seg.Delimiters()
	m := map[byte]byte{d.Element: '*', d.Component: ':', d.Segment: '~'}
	if d.Repetition != 0 {
		m[d.Repetition] = '^'
	}
	raw := []byte(seg.String())
	for i, c := range raw {
		if r, ok := m[c]; ok && !(seg.ID == "ISA" && i == isaElementStart(11) && c == 'U') {
			raw[i] = r
		}
	}
	return string(raw)
}

func wrap(b []byte, width int, nl string) []byte {
	var out bytes.Buffer
	for len(b) > width {
		out.Write(b[:width])
		out.WriteString(nl)
		b = b[width:]
	}
	out.Write(b)
	return out.Bytes()
}

func toEBCDIC(b []byte) []byte {
	var inv [256]byte
	for e, a := range cp037 {
		inv[a] = byte(e)
	}
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = inv[c]
	}
	return out
}

// sample is one synthetic file and the template lines of each of its
// interchanges.
type sample struct {
	name   string
	data   []byte
	ics    [][]string
	delims []Delimiters
}

func d(e, c, r, s byte) Delimiters {
	return Delimiters{Element: e, Component: c, Repetition: r, Segment: s}
}

func synthetic() []sample {
	v4 := template850("000000905", "00401", "004010")
	v5 := template850("000000906", "00501", "005010")
	v3 := template850("000000907", "00304", "003040")
	std := d('*', ':', 0, '~')
	one := func(name string, lines []string, dl Delimiters, data []byte) sample {
		return sample{name: name, data: data, ics: [][]string{lines}, delims: []Delimiters{dl}}
	}
	pad := func(b []byte) []byte {
		var out []byte
		for _, l := range bytes.SplitAfter(b, []byte("~\n")) {
			if len(l) == 0 {
				continue
			}
			l = bytes.TrimSuffix(l, []byte("\n"))
			out = append(append(out, l...), bytes.Repeat([]byte(" "), max(0, 120-len(l)))...)
			out = append(out, '\n')
		}
		return out
	}
	twoA, twoB := template850("000000001", "00401", "004010"), template850("000000002", "00501", "005010")
	dA, dB := d('*', ':', 0, '~'), d('|', '>', '^', '\n')
	isa5 := d('*', ':', '^', '~')
	return []sample{
		one("tilde-lf", v4, std, render(v4, std, "\n")),
		one("pipe", v4, d('|', '>', 0, '~'), render(v4, d('|', '>', 0, '~'), "\n")),
		one("plus-apostrophe", v4, d('+', ':', 0, '\''), render(v4, d('+', ':', 0, '\''), "")),
		one("cr-terminator", v4, d('*', ':', 0, '\r'), render(v4, d('*', ':', 0, '\r'), "")),
		one("cr-terminator-crlf", v4, d('*', ':', 0, '\r'), render(v4, d('*', ':', 0, '\r'), "\n")),
		one("lf-terminator", v4, d('*', ':', 0, '\n'), render(v4, d('*', ':', 0, '\n'), "")),
		one("nak-terminator", v4, d('*', ':', 0, 0x15), render(v4, d('*', ':', 0, 0x15), "")),
		one("del-element", v4, d(0x7F, ':', 0, '~'), render(v4, d(0x7F, ':', 0, '~'), "\r\n")),
		one("gs-us-rs", v4, d(0x1D, 0x1F, 0, 0x1E), render(v4, d(0x1D, 0x1F, 0, 0x1E), "")),
		one("latin1-component", v4, d('*', 0xA7, 0, '~'), render(v4, d('*', 0xA7, 0, '~'), "\n")),
		one("bom", v4, std, append([]byte("\xEF\xBB\xBF"), render(v4, std, "\n")...)),
		one("crlf", v4, std, render(v4, std, "\r\n")),
		one("wrap80-crlf", v4, std, wrap(render(v4, std, ""), 80, "\r\n")),
		one("wrap80-lf", v4, std, wrap(render(v4, std, ""), 80, "\n")),
		one("fixed-records", v4, std, pad(render(v4, std, "\n"))),
		one("padding-after-iea", v4, std, append(render(v4, std, "\n"), "\r\n\x00\x00   \t\x1A"...)),
		one("ebcdic", v4, std, toEBCDIC(render(v4, std, "\x85"))), // EBCDIC NL after each terminator
		one("v005010-repetition", v5, isa5, render(v5, isa5, "\n")),
		one("v003040", v3, std, render(v3, std, "\n")),
		{
			name:   "two-interchanges",
			data:   append(render(twoA, dA, "\r\n"), render(twoB, dB, "")...),
			ics:    [][]string{twoA, twoB},
			delims: []Delimiters{dA, dB},
		},
	}
}

// TestSyntheticFiles keeps testdata/synthetic in step with the generators
// (go test -run TestSyntheticFiles -update rewrites it).
func TestSyntheticFiles(t *testing.T) {
	dir := filepath.Join("testdata", "synthetic")
	for _, s := range synthetic() {
		path := filepath.Join(dir, s.name+".x12")
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, s.data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestSyntheticFiles -update)", err)
		}
		if !bytes.Equal(got, s.data) {
			t.Errorf("%s differs from its generator (run with -update)", path)
		}
	}
}

// lines splits a synthetic template body for error tests.
func joinStd(lines []string) []byte { return []byte(strings.Join(lines, "~\n") + "~\n") }
