package edifact

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/dropgate/dropgate/internal/testutil"
)

// conformanceFiles returns the shared EDIFACT samples (written by others,
// read in place: they are never copied into the repository).
func conformanceFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testutil.ConformanceDir(t), "edi", "edifact_*.edi"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no edifact_*.edi samples in the conformance folder")
	}
	return files
}

// sample is what SOURCES.txt and a reading of each file say it holds.
type sample struct {
	una        bool
	syntax     string
	sender     Party
	recipient  Party
	controlRef string
	refs       []string // UNH01 of every message, in order
	identifier string   // S009 of every message
	segments   []int    // UNT01 of every message
	check      func(t *testing.T, msgs []*Message)
}

var conformanceSamples = map[string]sample{
	"edifact_ORDERS_D96A_UNOC_multi-message.edi": {
		una:        true,
		syntax:     "UNOC:3",
		sender:     Party{ID: "HID032", Qualifier: "14"},
		recipient:  Party{ID: "0000088333", Qualifier: "14"},
		controlRef: "2",
		refs:       []string{"107", "108", "109", "110", "111", "112", "113", "114", "115", "116", "117", "118"},
		identifier: "ORDERS:D:96A:UN:EAN008",
		segments:   []int{14, 12, 12, 11, 15, 12, 14, 15, 11, 11, 11, 12},
		check: func(t *testing.T, msgs []*Message) {
			m := msgs[0]
			bgm := m.First("BGM")
			expect(t, "107 BGM", []string{bgm.Value(0), bgm.Value(1)}, []string{"352", "4200000064"})
			nads := m.Find("NAD")
			expect(t, "107 NAD BY", nads[0].Elements, []Element{{"BY"}, {"0001", "", "9"}})
			expect(t, "107 NAD SU", nads[1].Component(1, 0), "8710934000008")
			lins := m.Find("LIN")
			expect(t, "107 LIN 2", lins[1].Elements, []Element{{"20"}, {""}, {"10000026", "IN"}})
			qty := m.Find("QTY")[0]
			d, err := qty.Decimal(0, 1)
			if err != nil || d.Coef != 13000 || d.Scale != 3 {
				t.Errorf("107 QTY = %v, %v; want 13.000", d, err)
			}
			expect(t, "107 DTM 2", m.Find("DTM")[1].Elements[0], Element{"2", "20071012", "102"})
			expect(t, "110 BGM", msgs[3].First("BGM").Value(1), "4200000063")
			expect(t, "111 LIN count", len(msgs[4].Find("LIN")), 3)
			// CRLF after every terminator: UNA on line 1, UNB on line 2.
			expect(t, "107 UNH line", m.Pos.Line, 3)
			expect(t, "107 BGM line", bgm.Pos.Line, 4)
			expect(t, "118 UNT line", msgs[11].Trailer.Pos.Line, 152)
		},
	},
	"edifact_DESADV_D96A_EAN005.edi": {
		syntax:     "UNOA:3",
		sender:     Party{ID: "8712345678910", Qualifier: "14"},
		recipient:  Party{ID: "8712345678920", Qualifier: "14"},
		controlRef: "1",
		refs:       []string{"1", "2", "3", "4", "5", "6", "7", "8"},
		identifier: "DESADV:D:96A:UN:EAN005",
		segments:   []int{38, 16, 15, 15, 18, 16, 16, 14},
		check: func(t *testing.T, msgs []*Message) {
			for i, m := range msgs {
				expect(t, "BGM "+m.Header.Ref, m.First("BGM").Value(1), "VERZENDVB"+strconv.Itoa(8-i))
			}
			m := msgs[0]
			expect(t, "1 RFF ON", m.Find("RFF")[0].Elements[0], Element{"ON", "124"})
			expect(t, "1 DTM 17", m.Find("DTM")[1].Elements[0], Element{"17", "199811011200", "203"})
			expect(t, "1 NAD count", len(m.Find("NAD")), 5)
			lins := m.Find("LIN")
			expect(t, "1 LIN count", len(lins), 12)
			expect(t, "1 LIN 12", lins[11].Elements, []Element{{"12"}, {""}, {"8712345003920", "EN"}})
			qtys := m.Find("QTY")
			d, err := qtys[11].Decimal(0, 1)
			if err != nil || d.Coef != 121212121212121 || d.Scale != 3 {
				t.Errorf("1 QTY 12 = %v, %v; want 121212121212.121", d, err)
			}
			d, _ = qtys[0].Decimal(0, 1)
			expect(t, "1 QTY 1", d.String(), "1.000")
		},
	},
	"edifact_INVOIC_D96A_EAN008.edi": {
		syntax:     "UNOA:3",
		sender:     Party{ID: "8712345678910", Qualifier: "14"},
		recipient:  Party{ID: "8712345678920", Qualifier: "14"},
		controlRef: "4",
		refs:       []string{"111424", "111425"},
		identifier: "INVOIC:D:96A:UN:EAN008",
		segments:   []int{80, 80},
		check: func(t *testing.T, msgs []*Message) {
			m := msgs[0]
			expect(t, "BGM", m.First("BGM").Elements, []Element{{"380"}, {"20051098"}, {"9"}})
			expect(t, "BGM 2", msgs[1].First("BGM").Value(1), "20051099")
			expect(t, "CUX", m.First("CUX").Elements[0], Element{"2", "EUR", "4"})
			expect(t, "PAT", m.First("PAT").Elements, []Element{{"22"}, {""}, {"5", "3", "D", "30"}})
			expect(t, "TAX", m.First("TAX").Elements, []Element{{"7"}, {"VAT"}, {""}, {""}, {"", "", "", "6"}, {"S"}})
			var moas []string
			for _, s := range m.Find("MOA") {
				d, err := s.Decimal(0, 1)
				if err != nil {
					t.Fatalf("MOA %s: %v", s, err)
				}
				moas = append(moas, s.Component(0, 0)+"="+d.String())
			}
			expect(t, "MOA count", len(moas), 25)
			expect(t, "MOA 8 negative", moas[11], "8=-75")
			expect(t, "MOA 77", moas[13], "77=286.2")
			pri, _ := m.First("PRI").Decimal(0, 1)
			expect(t, "PRI", pri.String(), "6.5")
			expect(t, "LIN count", len(m.Find("LIN")), 3)
			// Mixed CRLF and LF line endings: lines still count.
			expect(t, "UNS line", m.First("UNS").Pos.Line, 64)
		},
	},
}

func TestConformanceSamples(t *testing.T) {
	for _, path := range conformanceFiles(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ics, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(ics) != 1 {
				t.Fatalf("%d interchanges, want 1", len(ics))
			}
			ic := ics[0]
			msgs := ic.AllMessages()
			// Counts are validated for every sample, known or not: a clean
			// Parse means every UNT01/UNT02 and UNZ01/UNZ02 matched.
			if n, _ := atoi(ic.Trailer.Value(0)); n != len(msgs) || n == 0 {
				t.Errorf("UNZ01 = %s, messages = %d", ic.Trailer.Value(0), len(msgs))
			}
			for _, m := range msgs {
				if n, _ := atoi(m.Trailer.Value(0)); n != len(m.Segments) {
					t.Errorf("message %s: UNT01 = %s, %d segments", m.Header.Ref, m.Trailer.Value(0), len(m.Segments))
				}
			}
			want, ok := conformanceSamples[name]
			if !ok {
				t.Fatalf("no expectations for %s: add them to conformanceSamples", name)
			}
			expect(t, "UNA", ic.UNA, want.una)
			expect(t, "syntax", ic.Header.Syntax+":"+ic.Header.SyntaxVersion, want.syntax)
			expect(t, "sender", ic.Header.Sender, want.sender)
			expect(t, "recipient", ic.Header.Recipient, want.recipient)
			expect(t, "control reference", ic.Header.ControlRef, want.controlRef)
			var refs []string
			var counts []int
			for _, m := range msgs {
				refs = append(refs, m.Header.Ref)
				counts = append(counts, m.SegmentCount)
				expect(t, "identifier of "+m.Header.Ref, m.Header.Identifier(), want.identifier)
			}
			expect(t, "message references", refs, want.refs)
			expect(t, "segment counts", counts, want.segments)
			want.check(t, msgs)
		})
	}
}

func expect(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// TestConformanceContrl answers every sample: all messages accepted, one UCM
// each, in an interchange addressed back to the sender.
func TestConformanceContrl(t *testing.T) {
	for _, path := range conformanceFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ics, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			ic := ics[0]
			c, err := BuildContrl(ic, contrlOpts)
			if err != nil {
				t.Fatal(err)
			}
			expect(t, "CONTRL sender", c.Interchange.Sender, ic.Header.Recipient)
			expect(t, "CONTRL recipient", c.Interchange.Recipient, ic.Header.Sender)
			body := bodyStrings(c)
			expect(t, "UCI", body[0], "UCI+"+ic.Header.ControlRef+"+"+ic.Header.Sender.ID+":14+"+ic.Header.Recipient.ID+":14+7'")
			msgs := ic.AllMessages()
			expect(t, "UCM count", len(body)-1, len(msgs))
			for i, m := range msgs {
				expect(t, "UCM", body[i+1], "UCM+"+m.Header.Ref+"+"+m.Header.Identifier()+"+7'")
			}
		})
	}
}
