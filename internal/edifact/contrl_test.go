package edifact

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var contrlOpts = ContrlOptions{ControlRef: "5001", Prepared: testPrepared}

// bodyStrings renders the CONTRL body for comparison, one segment each.
func bodyStrings(c *Contrl) []string {
	var out []string
	for _, s := range c.Body {
		out = append(out, s.String())
	}
	return out
}

func buildFor(t *testing.T, src string, strict bool, opts ContrlOptions) *Contrl {
	t.Helper()
	r := NewReader(strings.NewReader(src))
	r.StrictCharset = strict
	ics, _ := r.ReadAll()
	if len(ics) != 1 {
		t.Fatalf("%d interchanges", len(ics))
	}
	c, err := BuildContrl(ics[0], opts)
	if err != nil {
		t.Fatalf("BuildContrl: %v", err)
	}
	return c
}

func TestContrlSegments(t *testing.T) {
	const unb = "UNB+UNOA:3+SENDER:14:RR+RECIPIENT:14+240131:1200+77++ORDERS++++1'"
	msg := func(ref, body string, count int) string {
		return "UNH+" + ref + "+ORDERS:D:96A:UN:EAN008'" + body + "UNT+" + itoaT(count) + "+" + ref + "'"
	}
	tests := []struct {
		name   string
		src    string
		strict bool
		opts   ContrlOptions
		want   []string
	}{
		{
			name: "all accepted",
			src:  unb + msg("1", "BGM+220'", 3) + msg("2", "BGM+220'", 3) + "UNZ+2+77'",
			want: []string{
				"UCI+77+SENDER:14:RR+RECIPIENT:14+7'",
				"UCM+1+ORDERS:D:96A:UN:EAN008+7'",
				"UCM+2+ORDERS:D:96A:UN:EAN008+7'",
			},
		},
		{
			name: "UNT errors on the UCM, segment errors as UCS and UCD",
			src: unb + msg("1", "BGM+220'", 3) +
				msg("2", "BGM+220'", 4) +
				msg("3", "BGM+220'NAD+BY+x1::9'bad+1'FTX+AAA+++ok:e'", 6) +
				"UNZ+3+77'",
			strict: true,
			want: []string{
				"UCI+77+SENDER:14:RR+RECIPIENT:14+7'",
				"UCM+1+ORDERS:D:96A:UN:EAN008+7'",
				"UCM+2+ORDERS:D:96A:UN:EAN008+4+29+UNT+1'",
				"UCM+3+ORDERS:D:96A:UN:EAN008+4'",
				"UCS+3'",
				"UCD+21+2:1'",
				"UCS+4+12'",
				"UCS+5'",
				"UCD+21+4:1'",
				"UCD+21+4:2'",
			},
		},
		{
			name: "missing UNT",
			src:  unb + "UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220'UNZ+1+77'",
			want: []string{
				"UCI+77+SENDER:14:RR+RECIPIENT:14+7'",
				"UCM+1+ORDERS:D:96A:UN:EAN008+4+13+UNT'",
			},
		},
		{
			name: "interchange rejected rejects every message",
			src:  unb + msg("1", "BGM+220'", 3) + "UNZ+1+78'",
			want: []string{
				"UCI+77+SENDER:14:RR+RECIPIENT:14+4+28+UNZ+2'",
				"UCM+1+ORDERS:D:96A:UN:EAN008+4'",
			},
		},
		{
			name: "receipt only",
			src:  unb + msg("1", "BGM+220'", 3) + "UNZ+1+77'",
			opts: ContrlOptions{ReceiptOnly: true},
			want: []string{"UCI+77+SENDER:14:RR+RECIPIENT:14+8'"},
		},
		{
			name: "functional groups",
			src: unb + "UNG+ORDERS+APP1:ZZ+APP2+240131:1200+G1+UN+D:96A'" + msg("1", "BGM+220'", 3) + "UNE+1+G1'" +
				"UNG+ORDERS+APP1:ZZ+APP2+240131:1200+G2+UN+D:96A'" + msg("2", "BGM+220'", 3) + "UNE+1+G9'UNZ+2+77'",
			want: []string{
				"UCI+77+SENDER:14:RR+RECIPIENT:14+7'",
				"UCF+G1+APP1:ZZ+APP2+7'",
				"UCM+1+ORDERS:D:96A:UN:EAN008+7'",
				"UCF+G2+APP1:ZZ+APP2+4+28+UNE+2'",
				"UCM+2+ORDERS:D:96A:UN:EAN008+4'",
			},
		},
		{
			name: "unknown syntax",
			src:  "UNB+UNOX:3+SENDER:14+RECIPIENT:14+240131:1200+77'UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'UNZ+1+77'",
			want: []string{"UCI+77+SENDER:14+RECIPIENT:14+4+2+UNB+1:1'"},
		},
		{
			name: "CONTRL messages in a mixed interchange are skipped",
			src:  unb + "UNH+1+CONTRL:D:3:UN'UCI+1+A+B+7'UNT+3+1'" + msg("2", "BGM+220'", 3) + "UNZ+2+77'",
			want: []string{
				"UCI+77+SENDER:14:RR+RECIPIENT:14+7'",
				"UCM+2+ORDERS:D:96A:UN:EAN008+7'",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.ControlRef, opts.Prepared = contrlOpts.ControlRef, contrlOpts.Prepared
			c := buildFor(t, tt.src, tt.strict, opts)
			if got := bodyStrings(c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("body\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func itoaT(n int) string { return string(rune('0' + n)) }

func TestContrlEnvelope(t *testing.T) {
	src := "UNB+UNOC:3+SENDER:14:RR+RECIPIENT:14:INT+240131:1200+77++ORDERS++++1'" +
		"UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220'UNT+3+1'UNZ+1+77'"
	c := buildFor(t, src, false, ContrlOptions{ControlRef: "5001", Prepared: testPrepared, Association: "EAN002"})
	var buf bytes.Buffer
	if err := c.Encode(&buf, WriterOptions{UNA: true, LineEnding: "\n"}); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"UNA:+.? '",
		// Sender and recipient swapped, routing addresses travel with
		// their party; the test indicator is kept; the reference and time
		// are the caller's.
		"UNB+UNOC:3+RECIPIENT:14:INT+SENDER:14:RR+240131:1205+5001++++++1'",
		"UNH+1+CONTRL:D:3:UN:EAN002'",
		// The UCI names the subject interchange as it was sent.
		"UCI+77+SENDER:14:RR+RECIPIENT:14:INT+7'",
		"UCM+1+ORDERS:D:96A:UN:EAN008+7'",
		"UNT+4+1'",
		"UNZ+1+5001'",
	}, "\n") + "\n"
	if buf.String() != want {
		t.Errorf("CONTRL\n got %q\nwant %q", buf.String(), want)
	}
	// The output is itself a valid interchange.
	out := parseOK(t, buf.String())
	if out[0].Messages[0].Header.Type != "CONTRL" {
		t.Errorf("output message type %q", out[0].Messages[0].Header.Type)
	}
}

func TestContrlSyntax4(t *testing.T) {
	src := "UNB+UNOY:4+S+R+20240131:1200+77'UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'UNZ+1+77'"
	c := buildFor(t, src, false, contrlOpts)
	if id := c.Message.Identifier(); id != "CONTRL:4:1:UN" {
		t.Errorf("S009 = %s, want CONTRL:4:1:UN", id)
	}
	if c.Interchange.Date != "20240131" || c.Interchange.Syntax != "UNOY" || c.Interchange.SyntaxVersion != "4" {
		t.Errorf("UNB = %+v", c.Interchange)
	}
}

func TestNoContrlForContrl(t *testing.T) {
	src := envelope("UNOA:3", 1, "UNH+1+CONTRL:D:3:UN'UCI+12+A+B+7'UNT+3+1'")
	ics := parseOK(t, src)
	if _, err := BuildContrl(ics[0], contrlOpts); !errors.Is(err, ErrContrlForContrl) {
		t.Fatalf("err = %v, want ErrContrlForContrl", err)
	}
	var buf bytes.Buffer
	if err := WriteContrl(&buf, ics[0], contrlOpts, WriterOptions{}); !errors.Is(err, ErrContrlForContrl) || buf.Len() != 0 {
		t.Fatalf("WriteContrl err = %v, wrote %d bytes", err, buf.Len())
	}
}

func TestContrlNeedsCallerInput(t *testing.T) {
	ic := parseOK(t, envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'UNT+2+1'"))[0]
	if _, err := BuildContrl(ic, ContrlOptions{Prepared: testPrepared}); err == nil {
		t.Error("no control reference accepted")
	}
	if _, err := BuildContrl(ic, ContrlOptions{ControlRef: "1"}); err == nil {
		t.Error("no preparation time accepted")
	}
	// An interchange streamed with Next has no tree to report on.
	r := NewReader(strings.NewReader(envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'UNT+2+1'")))
	ev, _ := r.Next()
	for e, err := ev, error(nil); err == nil; e, err = r.Next() {
		_ = e
	}
	if _, err := BuildContrl(ev.Interchange, contrlOpts); err == nil || !strings.Contains(err.Error(), "ReadAll") {
		t.Errorf("err = %v", err)
	}
}

func TestReadContrl(t *testing.T) {
	src := "UNB+UNOA:3+PARTNER:14+US:14+240131:1300+900'" +
		"UNH+C1+CONTRL:D:3:UN'" +
		"UCI+1042+US:14+PARTNER:14+7'" +
		"UCM+1+ORDERS:D:96A:UN:EAN008+7'" +
		"UCM+2+ORDERS:D:96A:UN:EAN008+4+29+UNT+1'" +
		"UCM+3+ORDERS:D:96A:UN:EAN008+4'" +
		"UCS+5+13'" +
		"UCS+7'UCD+12+2:1'UCD+21+4'" +
		"UNT+10+C1'UNZ+1+900'"
	m := oneMessage(t, src)
	rep, err := ReadContrl(m)
	if err != nil {
		t.Fatal(err)
	}
	want := &ContrlReport{
		Interchange: InterchangeResponse{Ref: "1042", Sender: Party{ID: "US", Qualifier: "14"}, Recipient: Party{ID: "PARTNER", Qualifier: "14"}, Response: Response{Action: ActionAccepted}},
		Messages: []MessageResponse{
			{Ref: "1", Type: "ORDERS", Version: "D", Release: "96A", Agency: "UN", Association: "EAN008", Response: Response{Action: ActionAccepted}},
			{Ref: "2", Type: "ORDERS", Version: "D", Release: "96A", Agency: "UN", Association: "EAN008", Response: Response{Action: ActionRejected, Code: CodeCountMismatch, Tag: "UNT", Element: 1}},
			{Ref: "3", Type: "ORDERS", Version: "D", Release: "96A", Agency: "UN", Association: "EAN008", Response: Response{Action: ActionRejected},
				Segments: []SegmentError{
					{Position: 5, Code: CodeMissing},
					{Position: 7, Elements: []ElementError{{Code: CodeInvalidValue, Element: 2, Component: 1}, {Code: CodeInvalidCharacter, Element: 4}}},
				}},
		},
	}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report\n got %+v\nwant %+v", rep, want)
	}
	for ref, action := range map[string]Action{"1": ActionAccepted, "2": ActionRejected, "3": ActionRejected, "4": ActionAccepted} {
		if got := rep.MessageAction(ref); got != action {
			t.Errorf("MessageAction(%s) = %v, want %v", ref, got, action)
		}
	}
	if rej := rep.Rejected(); len(rej) != 2 || rej[0].Ref != "2" || rej[1].Ref != "3" {
		t.Errorf("Rejected = %+v", rej)
	}
}

func TestReadContrlGroupsAndRoundTrip(t *testing.T) {
	src := "UNB+UNOA:3+US:14+PARTNER:14+240131:1200+77'" +
		"UNG+ORDERS+APP1+APP2+240131:1200+G1+UN+D:96A'UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'UNE+1+G1'" +
		"UNG+ORDERS+APP1+APP2+240131:1200+G2+UN+D:96A'UNH+2+ORDERS:D:96A:UN'BGM+220'UNT+9+2'UNE+1+G2'UNZ+2+77'"
	ic, _ := Parse([]byte(src))
	var buf bytes.Buffer
	if err := WriteContrl(&buf, ic[0], contrlOpts, WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err := ReadContrl(oneMessage(t, buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interchange.Ref != "77" || len(rep.Groups) != 2 || rep.Groups[1].Ref != "G2" {
		t.Fatalf("report = %+v", rep)
	}
	if rep.MessageAction("1") != ActionAccepted || rep.MessageAction("2") != ActionRejected {
		t.Errorf("actions: 1=%v 2=%v", rep.MessageAction("1"), rep.MessageAction("2"))
	}
	if m := rep.Groups[1].Messages[0]; m.Code != CodeCountMismatch || m.Tag != "UNT" {
		t.Errorf("message 2 response = %+v", m)
	}
}

func TestReadContrlRejectsMalformed(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"no UCI", "UCM+1+ORDERS:D:96A:UN+7'", "does not start with UCI"},
		{"UCS before UCM", "UCI+1+A+B+7'UCS+2'", "line 1, interchange 77 message 1 segment 3 (UCS): UCS before any UCM"},
		{"bad action", "UCI+1+A+B+X'", `action code "X" is not a number`},
		{"foreign segment", "UCI+1+A+B+7'BGM+220'", "unexpected segment BGM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := strings.Count(tt.body, "'") + 2
			m := oneMessage(t, envelope("UNOA:3", 1, "UNH+1+CONTRL:D:3:UN'"+tt.body+"UNT+"+itoaT(n)+"+1'"))
			_, err := ReadContrl(m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	m := oneMessage(t, envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'UNT+2+1'"))
	if _, err := ReadContrl(m); err == nil {
		t.Error("ORDERS read as CONTRL")
	}
}
