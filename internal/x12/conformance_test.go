package x12

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/dropgate/dropgate/internal/testutil"
)

// find returns the segments of s with the given tag.
func find(s *Set, id string) []*Segment {
	var out []*Segment
	for _, seg := range s.Segments {
		if seg.ID == id {
			out = append(out, seg)
		}
	}
	return out
}

// TestConformance parses every X12 sample of the shared conformance
// folder (see its SOURCES.txt) with envelopes validated, and checks what
// each one is known to hold.
func TestConformance(t *testing.T) {
	dir := filepath.Join(testutil.ConformanceDir(t), "edi")
	type want struct {
		delims   Delimiters
		control  string   // ISA13
		group    string   // GS01/GS08
		sets     []string // ST01/ST02
		segments []int    // per set
		check    func(t *testing.T, f *File)
	}
	cases := map[string]want{
		"x12_810_4010_TDS.x12": {
			delims: d('*', ':', 0, '~'), control: "000000224", group: "IN/004010",
			sets: []string{"810/2240001", "810/2240002"}, segments: []int{29, 17},
			check: func(t *testing.T, f *File) {
				sets := f.Interchanges[0].Groups[0].Sets
				for i, want := range []string{"8432.02", "1129.92"} {
					tds, err := find(sets[i], "TDS")[0].Implied(1, 2)
					if err != nil || tds.String() != want {
						t.Errorf("set %d TDS01 = %v, %v; want %s", i+1, tds, err, want)
					}
				}
				if n := len(find(sets[0], "IT1")); n != 4 {
					t.Errorf("%d IT1 in the first invoice, want 4", n)
				}
				ctp := find(sets[0], "CTP")[0]
				if p, err := ctp.Decimal(3); err != nil || p.String() != "2.19" {
					t.Errorf("CTP03 = %v, %v", p, err)
				}
				if got := f.Interchanges[0].Header.Date; !got.Equal(time.Date(2002, 5, 27, 8, 31, 0, 0, time.UTC)) {
					t.Errorf("ISA date %v", got)
				}
				// CRLF after every terminator: the SE of the first set is on line 31.
				if se := sets[0].Segments[28]; se.ID != "SE" || se.Pos.Line != 31 || se.Pos.InSet != 29 {
					t.Errorf("SE at line %d position %d", se.Pos.Line, se.Pos.InSet)
				}
			},
		},
		"x12_850_4010_caret-component_tilde-LF.x12": {
			delims: d('*', '^', 0, '~'), control: "000000288", group: "PO/004010",
			sets: []string{"850/000000390"}, segments: []int{25},
			check: func(t *testing.T, f *File) {
				s := f.Interchanges[0].Groups[0].Sets[0]
				if n := len(find(s, "PO1")); n != 6 {
					t.Errorf("%d PO1, want 6", n)
				}
				if got := find(s, "PER")[0].Element(2); got != "WRAY, JUST" {
					t.Errorf("PER02 = %q", got)
				}
				if got := find(s, "BEG")[0].Element(3); got != "2619003" {
					t.Errorf("BEG03 = %q", got)
				}
			},
		},
		"x12_855_4010_ACK-lines_bookseller.edi": {
			delims: d('*', '>', 0, '~'), control: "000000005", group: "PR/004010",
			sets: []string{"855/0005"}, segments: []int{26},
			check: func(t *testing.T, f *File) {
				s := f.Interchanges[0].Groups[0].Sets[0]
				var codes []string
				for _, ack := range find(s, "ACK") {
					codes = append(codes, ack.Element(1))
				}
				if want := []string{"IA", "IR", "IR", "IA"}; !reflect.DeepEqual(codes, want) {
					t.Errorf("ACK01 %v, want %v", codes, want)
				}
				if got := find(s, "BAK")[0].Element(2); got != "AD" {
					t.Errorf("BAK02 = %q", got)
				}
				if got := find(s, "ACK")[0].Element(29); got != "AC" {
					t.Errorf("ACK29 = %q", got)
				}
			},
		},
		"x12_856_4060_REF-CN_repetition-dash.edi": {
			delims: d('*', '>', '-', '~'), control: "000000049", group: "SH/004060",
			sets: []string{"856/0008"}, segments: []int{31},
			check: func(t *testing.T, f *File) {
				s := f.Interchanges[0].Groups[0].Sets[0]
				var cn string
				for _, ref := range find(s, "REF") {
					if ref.Element(1) == "CN" {
						cn = ref.Element(2)
					}
				}
				if cn != "5787970539" {
					t.Errorf("REF*CN = %q", cn)
				}
				if n := len(find(s, "HL")); n != 4 {
					t.Errorf("%d HL, want 4", n)
				}
				// "-" is the repetition separator of this interchange, so
				// a ZIP+4 reads as two repetitions; Element keeps it whole.
				n4 := find(s, "N4")[1]
				if n4.Element(3) != "31139-0020" || !reflect.DeepEqual(n4.Repetitions(3), []string{"31139", "0020"}) {
					t.Errorf("N403 %q repetitions %q", n4.Element(3), n4.Repetitions(3))
				}
				if w, err := find(s, "TD1")[0].Decimal(7); err != nil || w.String() != "60.310" {
					t.Errorf("TD107 = %v, %v", w, err)
				}
			},
		},
		"x12_997_4010_AK3-AK4-reject_BOM.txt": {
			delims: d('*', '>', 0, '~'), control: "000000001", group: "FA/004010",
			sets: []string{"997/0001"}, segments: []int{10},
			check: func(t *testing.T, f *File) {
				ic := f.Interchanges[0]
				if ic.ISA.Pos.Offset != 3 {
					t.Errorf("ISA offset %d, want 3 (after the BOM)", ic.ISA.Pos.Offset)
				}
				ack, err := ParseAck(ic.Groups[0].Sets[0])
				if err != nil {
					t.Fatal(err)
				}
				want := &FunctionalAck{
					Kind: "997", GroupID: "IN", GroupControl: "000000001",
					Sets: []SetAck{
						{ID: "810", Control: "ST02", Status: "A"},
						{ID: "810", Control: "ST02", Status: "R", Codes: []string{"5"}, Segments: []SegmentNote{{
							ID: "TXI", Position: 54, Code: "8",
							Elements: []ElementNote{{Position: 1, Ref: "963", Code: "7", Value: "C1"}},
						}}},
					},
					Status: "R", Included: 2, Received: 2, Accepted: 1,
				}
				if !reflect.DeepEqual(ack, want) {
					t.Errorf("ParseAck\n got %+v\nwant %+v", ack, want)
				}
				if !ack.Sets[0].Accepted() || ack.Sets[1].Accepted() {
					t.Error("Accepted() disagrees with AK501")
				}
				if _, err := BuildAck(ic, AckParams{InterchangeControl: "9", GroupControl: 9, Date: time.Now()}); !errors.Is(err, ErrNoAck) {
					t.Errorf("BuildAck for a 997 = %v, want ErrNoAck", err)
				}
			},
		},
	}
	files, _ := filepath.Glob(filepath.Join(dir, "x12_*"))
	if len(files) == 0 {
		t.Fatalf("no x12_* samples in %s", dir)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			w, ok := cases[name]
			if !ok {
				t.Fatalf("no expectations for %s: add them", name)
			}
			data := testutil.ConformanceFile(t, filepath.Join("edi", name))
			f, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(f.Interchanges) != 1 || len(f.Interchanges[0].Groups) != 1 {
				t.Fatalf("%d interchanges", len(f.Interchanges))
			}
			ic := f.Interchanges[0]
			g := ic.Groups[0]
			if ic.Delimiters != w.delims || ic.Header.Control != w.control || g.Header.FunctionalID+"/"+g.Header.Version != w.group {
				t.Errorf("delimiters %v control %s group %s/%s", ic.Delimiters, ic.Header.Control, g.Header.FunctionalID, g.Header.Version)
			}
			if ic.IEA == nil || g.GE == nil {
				t.Error("missing trailer")
			}
			var sets []string
			var counts []int
			for _, s := range g.Sets {
				sets = append(sets, s.Header.ID+"/"+s.Header.Control)
				counts = append(counts, len(s.Segments))
				if s.SegmentCount != len(s.Segments) || !s.Terminated {
					t.Errorf("set %s: count %d, %d segments", s.Header.Control, s.SegmentCount, len(s.Segments))
				}
			}
			if !reflect.DeepEqual(sets, w.sets) || !reflect.DeepEqual(counts, w.segments) {
				t.Errorf("sets %v %v, want %v %v", sets, counts, w.sets, w.segments)
			}
			w.check(t, f)
			assertStreamMatches(t, data, f)
		})
	}
}

// assertStreamMatches reads data again segment by segment and checks the
// stream agrees with the tree.
func assertStreamMatches(t *testing.T, data []byte, f *File) {
	t.Helper()
	var tree []string
	for _, ic := range f.Interchanges {
		for _, seg := range segmentsOf(ic) {
			tree = append(tree, seg.String())
		}
	}
	r := NewReader(bytes.NewReader(data))
	var stream []string
	for {
		seg, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		stream = append(stream, seg.String())
	}
	if !reflect.DeepEqual(tree, stream) {
		t.Error("streamed segments differ from the tree")
	}
}
