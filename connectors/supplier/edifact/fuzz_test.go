package edifact

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/edifact"
)

// FuzzParseDocuments feeds arbitrary files to ParseDocuments and
// ReadOrders: they never panic, a file-level error is permanent, every
// message either gives documents or is rejected with its errors, document
// ids are unique, and every CONTRL produced reads back cleanly.
func FuzzParseDocuments(f *testing.F) {
	seeds := [][]byte{
		inbound(env{ref: "1"}, msg{"DESADV", desadvBody}),
		inbound(env{ref: "2", una: "UNA:+,? '"}, msg{"ORDRSP", ordrsp("BGM+231+R1+4", "LIN+1+3", "QTY+21:2", "QTY+83:1", "PRI+AAA:4,35", "DTM+11:20261125:102")}),
		inbound(env{ref: "3"}, msg{"INVOIC", []string{"BGM+380+I1", "RFF+ON:PO1", "LIN+1", "QTY+47:2", "PRI+AAA:1.5", "UNS+S", "MOA+77:3"}}),
		inbound(env{ref: "4"}, msg{"INVRPT", []string{"BGM+35+I1", "LIN+1++4006381333931:EN", "QTY+145:4", "LOC+18+W1"}}),
		inbound(env{ref: "5"}, msg{"CONTRL", contrlIn("7", "UCM+1+ORDERS:D:96A:UN+4", "UCS+3+13", "UCD+12+1:2")}),
		inbound(env{ref: "6", badCounts: true, test: true}, msg{"DESADV", []string{"BGM+351+X", "CPS+1", "GIN+BJ+1:2+3", "LIN+1", "QTY+12:1", "RFF+ON:P:1"}}),
		[]byte("UNA|*,! ~UNB*UNOC|3*" + theirGLN + "*" + ourGLN + "*261121|1405*9~UNH*1*ORDRSP|D|96A|UN~BGM*231*R!*1*1*RE~UNT*3*1~UNZ*1*9~"),
	}
	r := newRig(f, nil, nil)
	po, o := samplePO()
	if b, err := r.c.RenderOrders(po, o, "1", when, functionOriginal); err == nil {
		seeds = append(seeds, b)
	}
	if dir := os.Getenv("DROPGATE_CONFORMANCE_DIR"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "edi", "edifact_*.edi"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				seeds = append(seeds, b)
			}
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = r.c.ReadOrders(data)
		got, err := r.c.ParseDocuments(context.Background(), "fuzz.edi", data)
		if err != nil {
			if !fault.IsPermanent(err) {
				t.Fatalf("file-level error is not permanent: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, d := range got.Docs {
			if d.ID == "" || seen[d.ID] {
				t.Fatalf("document id %q empty or repeated", d.ID)
			}
			seen[d.ID] = true
		}
		for _, rj := range got.Rejected {
			if len(rj.Errors) == 0 {
				t.Fatalf("rejected %s without errors", rj.ID)
			}
		}
		for _, rep := range got.Replies {
			ics, err := edifact.Parse(rep.Data)
			if err != nil || len(ics) != 1 {
				t.Fatalf("CONTRL does not read back: %v\n%q", err, rep.Data)
			}
			if _, err := edifact.ReadContrl(ics[0].AllMessages()[0]); err != nil {
				t.Fatalf("CONTRL does not read: %v\n%q", err, rep.Data)
			}
		}
	})
}
