package x12

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var ackDate = time.Date(2024, 2, 1, 9, 30, 0, 0, time.UTC)

// twoSets returns an interchange of two 850s; the second's SE01 is wrong.
func twoSets(version, gsVersion string) []string {
	lines := template850("000000905", version, gsVersion)
	second := []string{"ST*850*0002", "BEG*00*SA*PO-1002**20240131", "PO1*1*2*EA*19.99**VP*SKU-1", "SE*3*0002"}
	out := append([]string{}, lines[:10]...)
	out = append(out, second...)
	return append(out, "GE*2*1", lines[11])
}

func splitSegments(data []byte) []string {
	return strings.Split(strings.TrimSuffix(string(data), "~\n"), "~\n")
}

func TestBuild997(t *testing.T) {
	f, err := Parse(joinStd(twoSets("00401", "004010")))
	if err == nil {
		t.Fatal("the second set's SE01 should be reported")
	}
	ic := f.Interchanges[0]
	bad := ic.Groups[0].Sets[1]
	po1 := bad.Segments[2]
	bad.ElementErrorf(po1, 3, CodeElementInvalidCode, "unit %q", po1.Element(3)).ElementRef = "355"

	ack, err := BuildAck(ic, AckParams{InterchangeControl: "77", GroupControl: 5, Date: ackDate, Newline: "\n"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         *240201*0930*U*00401*000000077*0*T*:",
		"GS*FA*RECEIVER*SENDER*20240201*0930*5*X*004010",
		"ST*997*0001",
		"AK1*PO*1",
		"AK2*850*0001",
		"AK5*A",
		"AK2*850*0002",
		"AK3*PO1*3**8",
		"AK4*3*355*7*EA",
		"AK5*R*4*5",
		"AK9*P*2*2*1",
		"SE*10*0001",
		"GE*1*5",
		"IEA*1*000000077",
	}
	if got := splitSegments(ack.Data); !reflect.DeepEqual(got, want) {
		t.Errorf("997\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	if ack.Groups != 1 {
		t.Errorf("Groups = %d", ack.Groups)
	}
	checkAckParses(t, ack.Data, &FunctionalAck{
		Kind: "997", GroupID: "PO", GroupControl: "1",
		Sets: []SetAck{
			{ID: "850", Control: "0001", Status: "A"},
			{ID: "850", Control: "0002", Status: "R", Codes: []string{"4", "5"}, Segments: []SegmentNote{{
				ID: "PO1", Position: 3, Code: "8", Elements: []ElementNote{{Position: 3, Ref: "355", Code: "7", Value: "EA"}},
			}}},
		},
		Status: "P", Included: 2, Received: 2, Accepted: 1,
	})
}

func TestBuild999(t *testing.T) {
	lines := twoSets("00501", "005010X222A1")
	lines[2] = "ST*850*0001*005010X222A1"
	f, _ := Parse(joinStd(lines))
	ic := f.Interchanges[0]
	bad := ic.Groups[0].Sets[1]
	e := bad.ElementErrorf(bad.Segments[2], 3, "I12", "pattern")
	e.ElementRef, e.Component, e.Repetition = "355", 1, 2
	e.ContextName, e.ContextRef = "CLM01", "CLAIM-9"

	ack, err := BuildAck(ic, AckParams{InterchangeControl: "78", GroupControl: 6, Date: ackDate, Usage: UsageProduction})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         *240201*0930*^*00501*000000078*0*P*:",
		"GS*FA*RECEIVER*SENDER*20240201*0930*6*X*005010X231A1",
		"ST*999*0001*005010X231A1",
		"AK1*PO*1*005010X222A1",
		"AK2*850*0001*005010X222A1",
		"IK5*A",
		"AK2*850*0002*005010X222A1",
		"IK3*PO1*3**8",
		"CTX*CLM01:CLAIM-9",
		"IK4*3:1:2*355*I12*EA",
		"IK5*R*4*5",
		"AK9*P*2*2*1",
		"SE*11*0001",
		"GE*1*6",
		"IEA*1*000000078",
	}
	got := strings.Split(strings.TrimSuffix(string(ack.Data), "~"), "~")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("999\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	checkAckParses(t, ack.Data, &FunctionalAck{
		Kind: "999", GroupID: "PO", GroupControl: "1", Version: "005010X222A1",
		Sets: []SetAck{
			{ID: "850", Control: "0001", Convention: "005010X222A1", Status: "A"},
			{ID: "850", Control: "0002", Convention: "005010X222A1", Status: "R", Codes: []string{"4", "5"}, Segments: []SegmentNote{{
				ID: "PO1", Position: 3, Code: "8", Context: []string{"CTX*CLM01:CLAIM-9"},
				Elements: []ElementNote{{Position: 3, Component: 1, Repetition: 2, Ref: "355", Code: "I12", Value: "EA"}},
			}}},
		},
		Status: "P", Included: 2, Received: 2, Accepted: 1,
	})
}

func TestAckGroupErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		ak9   string
		kind  string
	}{
		{"all accepted", template850("000000905", "00401", "004010"), "AK9*A*1*1*1", ""},
		{"GE01 mismatch", edit(11, "GE*3*1"), "AK9*R*3*1*1*5", ""},
		{"missing GE", edit(11), "AK9*R*1*1*1*3", ""},
		{"all rejected", edit(10, "SE*9*0001"), "AK9*R*1*1*0", ""},
		{"forced 999", template850("000000905", "00401", "004010"), "AK9*A*1*1*1", Kind999},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := Parse(joinStd(tc.lines))
			ack, err := BuildAck(f.Interchanges[0], AckParams{Kind: tc.kind, InterchangeControl: "1", GroupControl: 1, Date: ackDate})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(ack.Data), "~"+tc.ak9+"~") {
				t.Errorf("no %s in %s", tc.ak9, ack.Data)
			}
			if tc.kind == Kind999 && !strings.Contains(string(ack.Data), "~ST*999*0001*005010X231A1~AK1*PO*1*004010~AK2*850*0001*004010~") {
				t.Errorf("999 set header missing in %s", ack.Data)
			}
		})
	}
}

// TestNoAckForAck: an interchange of acknowledgements gets none; a mixed
// one gets an acknowledgement of its other groups only.
func TestNoAckForAck(t *testing.T) {
	fa := []string{
		"GS*FA*SENDER*RECEIVER*20240131*1200*2*X*004010",
		"ST*997*0001", "AK1*PO*1", "AK9*A*1*1*1", "SE*4*0001",
		"GE*1*2",
	}
	only := template850("000000905", "00401", "004010")
	only = append(append(append([]string{}, only[0]), fa...), "IEA*1*000000905")
	f, err := Parse(joinStd(only))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := BuildAck(f.Interchanges[0], AckParams{InterchangeControl: "1", GroupControl: 1, Date: ackDate}); !errors.Is(err, ErrNoAck) {
		t.Errorf("BuildAck = %v, want ErrNoAck", err)
	}

	mixed := template850("000000905", "00401", "004010")
	mixed = append(append(append([]string{}, mixed[:11]...), fa...), "IEA*2*000000905")
	f, err = Parse(joinStd(mixed))
	if err != nil {
		t.Fatal(err)
	}
	ack, err := BuildAck(f.Interchanges[0], AckParams{InterchangeControl: "1", GroupControl: 1, Date: ackDate})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Groups != 1 || strings.Count(string(ack.Data), "ST*997") != 1 || !strings.Contains(string(ack.Data), "AK1*PO*1") {
		t.Errorf("ack of the mixed interchange: %s", ack.Data)
	}
}

func TestParseAckErrors(t *testing.T) {
	body := func(segs ...string) *Set {
		lines := template850("000000905", "00401", "004010")
		all := append([]string{lines[0], "GS*FA*A*B*20240131*1200*1*X*004010", "ST*997*0001"}, segs...)
		all = append(all, "SE*"+string(rune('2'+len(segs)))+"*0001", "GE*1*1", lines[11])
		f, _ := Parse(joinStd(all))
		return f.Interchanges[0].Groups[0].Sets[0]
	}
	for _, tc := range []struct {
		name string
		set  *Set
		want string
	}{
		{"AK4 without AK3", body("AK1*PO*1", "AK2*850*0001", "AK4*1*2*3", "AK5*R", "AK9*R*1*1*0"), "AK4 outside an AK3/IK3 loop"},
		{"AK5 without AK2", body("AK1*PO*1", "AK5*A", "AK9*A*1*1*1"), "AK5 outside an AK2 loop"},
		{"no AK9", body("AK1*PO*1", "AK2*850*0001", "AK5*A"), "lacks AK1 or AK9"},
		{"bad AK9 count", body("AK1*PO*1", "AK9*A*X*1*1"), `AK902 "X" is not a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAck(tc.set)
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) || se.Set != "0001" {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	f, _ := Parse(joinStd(template850("000000905", "00401", "004010")))
	if _, err := ParseAck(f.Interchanges[0].Groups[0].Sets[0]); err == nil || !strings.Contains(err.Error(), "not a 997 or 999") {
		t.Errorf("ParseAck of an 850: %v", err)
	}
}

func checkAckParses(t *testing.T, data []byte, want *FunctionalAck) {
	t.Helper()
	f, err := Parse(data)
	if err != nil {
		t.Fatalf("the acknowledgement does not parse: %v", err)
	}
	got, err := ParseAck(f.Interchanges[0].Groups[0].Sets[0])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseAck\n got %+v\nwant %+v", got, want)
	}
}
