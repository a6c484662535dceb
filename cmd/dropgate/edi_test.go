package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/dropgate/dropgate/internal/testutil"
	"github.com/dropgate/dropgate/internal/x12"
)

// runEDIFile writes data to a temporary file and runs `dropgate edi` on it.
func runEDIFile(t *testing.T, data []byte, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.edi")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	sub := map[string]func(context.Context, []string, io.Writer, io.Writer) error{"parse": runEDIParse, "ack": runEDIAck}[args[0]]
	err = sub(context.Background(), append([]string{path}, args[1:]...), &out, &errb)
	return out.String(), errb.String(), err
}

const (
	isa4010 = "ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*DROPGATE       *240131*1200*U*00401*000000905*0*P*>~\n"
	set850  = "BEG*00*SA*PO-1**20240131~\nPO1*1*2*EA*9.99**VP*SKU-1~\n"
)

// repeated ST02: two sets numbered 0001 in one group.
var repeatedST02 = isa4010 + "GS*PO*SUPPLIER*DROPGATE*20240131*1200*1*X*004010~\n" +
	"ST*850*0001~\n" + set850 + "SE*4*0001~\n" +
	"ST*850*0001~\n" + set850 + "SE*4*0001~\n" +
	"GE*2*1~\nIEA*1*000000905~\n"

// TestEDIRepeatedST02: accepted with a warning (exit 0) and AK5 E in the
// 997; --strict rejects it.
func TestEDIRepeatedST02(t *testing.T) {
	_, stderr, err := runEDIFile(t, []byte(repeatedST02), "parse")
	if err != nil || !strings.Contains(stderr, `warning: line 7, interchange 000000905 group 1 set 0001 segment 1 (ST): ST02 "0001" is used by an earlier set of the group`) {
		t.Fatalf("parse: %v\n%s", err, stderr)
	}
	out, _, err := runEDIFile(t, []byte(repeatedST02), "ack")
	if err != nil || !strings.Contains(out, "AK2*850*0001~\nAK5*E*23~\nAK9*E*2*2*2~") {
		t.Fatalf("ack: %v\n%s", err, out)
	}
	if _, _, err := runEDIFile(t, []byte(repeatedST02), "parse", "--strict"); err == nil || !strings.Contains(err.Error(), "ST02") {
		t.Errorf("parse --strict: %v", err)
	}
	out, _, _ = runEDIFile(t, []byte(repeatedST02), "ack", "--strict")
	if !strings.Contains(out, "AK5*R*23~\nAK9*P*2*2*1~") {
		t.Errorf("ack --strict:\n%s", out)
	}
}

// TestEDIParseErrorsOnce: each EDIFACT problem is printed once, warnings
// apart.
func TestEDIParseErrorsOnce(t *testing.T) {
	src := "UNB+UNOC+SENDER:14+RECV:14+200101:1200+1'\nUNH+1+ORDERS:D:96A:UN'\nBGM+220+X'\nUNT+3+2'\nUNZ+1+9'\n"
	_, stderr, err := runEDIFile(t, []byte(src), "parse")
	if err == nil || !strings.HasSuffix(err.Error(), "in.edi: 2 problems") {
		t.Fatalf("err %v", err)
	}
	for _, want := range []string{
		"line 4, interchange 1 message 1 segment 3 (UNT): UNT02=2 but UNH01=1",
		"line 5, interchange 1 (UNZ): UNZ02=9 but UNB05=1",
		"warning: line 1, interchange 1 (UNB) element 1 component 2: UNB01 (syntax version) is missing; read as syntax version 3",
	} {
		if n := strings.Count(stderr, want); n != 1 {
			t.Errorf("%q printed %d times:\n%s", want, n, stderr)
		}
	}
	if n := strings.Count(stderr, "\n"); n != 3 {
		t.Errorf("%d lines, want a warning and two problems:\n%s", n, stderr)
	}
	_, stderr, err = runEDIFile(t, []byte(src), "parse", "--strict")
	if err == nil || !strings.Contains(stderr, "UNB01 (syntax version) is missing\n") || strings.Contains(stderr, "warning") {
		t.Errorf("--strict: %v\n%s", err, stderr)
	}
}

// TestEDIParseFatalAfterGoodInterchange: a broken ISA after a good
// interchange is a problem, not a silent success.
func TestEDIParseFatalAfterGoodInterchange(t *testing.T) {
	good := strings.Replace(repeatedST02, "ST*850*0001~\n"+set850+"SE*4*0001~\nGE*2*1", "GE*1*1", 1)
	_, _, err := runEDIFile(t, []byte(good+"ISA*00*short~"), "parse")
	if err == nil || !strings.Contains(err.Error(), "ISA is truncated") {
		t.Errorf("err %v", err)
	}
}

// TestEDIAckEBCDIC: an EBCDIC interchange terminated by EBCDIC NL, which
// `edi parse` reads, is acknowledged in EBCDIC.
func TestEDIAckEBCDIC(t *testing.T) {
	src := testutil.ConformanceFile(t, "edi/x12_850_4010_caret-component_tilde-LF.x12")
	text := strings.ReplaceAll(string(src), "~\n", "\u0085") // EBCDIC NL as the terminator
	data, err := charmap.CodePage037.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte{0x15}) {
		t.Fatal("the sample is not NL-terminated EBCDIC")
	}
	if _, _, err := runEDIFile(t, data, "parse"); err != nil {
		t.Fatalf("parse: %v", err)
	}
	out, _, err := runEDIFile(t, data, "ack")
	if err != nil {
		t.Fatalf("ack: %v", err)
	}
	if !strings.HasPrefix(out, "\xC9\xE2\xC1") || strings.Count(out, "\x15") != 10 {
		t.Fatalf("the ack is not EBCDIC terminated by NL: %q", out)
	}
	f, err := x12.Parse([]byte(out))
	if err != nil || len(f.Interchanges) != 1 || f.Interchanges[0].Delimiters.Segment != 0x85 {
		t.Fatalf("the ack is not an EBCDIC interchange with the inbound terminator: %v %q", err, out)
	}
	fa, err := x12.ParseAck(f.Interchanges[0].Groups[0].Sets[0])
	if err != nil || fa.Status != "A" || fa.GroupControl != "214" {
		t.Errorf("ack %+v, %v", fa, err)
	}
}

// TestEDIAck999Version: a 999 carries 005010X231A1 in GS08 and ST03.
func TestEDIAck999Version(t *testing.T) {
	src := strings.NewReplacer("*U*00401*", "*^*00501*", "*004010~", "*005010~").Replace(strings.Replace(repeatedST02, "ST*850*0001~\n"+set850+"SE*4*0001~\nGE*2*1", "GE*1*1", 1))
	out, _, err := runEDIFile(t, []byte(src), "ack")
	if err != nil || !strings.Contains(out, "*1*X*005010X231A1~\nST*999*0001*005010X231A1~\nAK1*PO*1*005010~") {
		t.Errorf("999: %v\n%s", err, out)
	}
}

// TestEDIAckTestIndicator: the CONTRL of a test interchange is marked a
// test (1) whatever test indicator came in; an echo request is rejected.
func TestEDIAckTestIndicator(t *testing.T) {
	for _, tc := range []struct{ in, unb, uci string }{
		{"", "+1'\n", "UCI+1+SENDER:14+RECV:14+7'"},
		{"1", "+1++++++1'\n", "UCI+1+SENDER:14+RECV:14+7'"},
		{"2", "+1++++++1'\n", "UCI+1+SENDER:14+RECV:14+7'"},
		{"3", "+1++++++1'\n", "UCI+1+SENDER:14+RECV:14+4+25+UNB+11'"},
	} {
		test := ""
		if tc.in != "" {
			test = "++++++" + tc.in
		}
		src := "UNB+UNOC:3+SENDER:14+RECV:14+200101:1200+1" + test + "'\nUNH+1+ORDERS:D:96A:UN'\nBGM+220+X'\nUNT+3+1'\nUNZ+1+1'\n"
		out, _, err := runEDIFile(t, []byte(src), "ack")
		lines := strings.Split(out, "\n")
		if err != nil || len(lines) < 3 || !strings.HasSuffix(lines[0], tc.unb[:len(tc.unb)-1]) || lines[2] != tc.uci {
			t.Errorf("UNB11 %q: %v\n%s", tc.in, err, out)
		}
	}
}
