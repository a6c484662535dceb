package edifact_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dropgate/dropgate/internal/edifact"
)

const sample = "UNA:+.? '" +
	"UNB+UNOC:3+5412345000013:14+8798765432106:14+240131:1200+1042'" +
	"UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220+PO?+1042+9'QTY+21:12,5'UNT+4+1'" +
	"UNH+2+ORDERS:D:96A:UN:EAN008'BGM+220+PO1043+9'UNT+4+2'" +
	"UNZ+2+1042'"

// Stream an interchange one segment at a time.
func ExampleReader_Next() {
	r := edifact.NewReader(strings.NewReader(sample))
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println("stopped:", err)
			return
		}
		switch ev.Kind {
		case edifact.BodySegment:
			if ev.Segment.Tag == "QTY" {
				q, _ := ev.Segment.Decimal(0, 1)
				fmt.Println("quantity", q)
			} else {
				fmt.Println(ev.Message.Header.Ref, ev.Segment.Tag, ev.Segment.Value(1))
			}
		case edifact.MessageEnd:
			for _, e := range ev.Message.Errors {
				fmt.Println("problem:", e)
			}
		}
	}
	// Output:
	// 1 BGM PO+1042
	// quantity 12.5
	// 2 BGM PO1043
	// problem: line 1, interchange 1042 message 2 segment 3 (UNT): UNT01=4 but the message has 3 segments
}

// Write an interchange: counts and escapes are the writer's job, control
// references and times the caller's.
func ExampleWriter() {
	w := edifact.NewWriter(os.Stdout, edifact.WriterOptions{LineEnding: "\n"})
	h := edifact.InterchangeHeader{
		Syntax: "UNOC", SyntaxVersion: "3",
		Sender:     edifact.Party{ID: "5412345000013", Qualifier: "14"},
		Recipient:  edifact.Party{ID: "8798765432106", Qualifier: "14"},
		ControlRef: "1043",
	}
	h.SetPrepared(time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC))
	w.BeginInterchange(h)
	w.BeginMessage(edifact.MessageHeader{Ref: "1", Type: "ORDERS", Version: "D", Release: "96A", Agency: "UN"})
	w.WriteSegment("BGM", edifact.Element{"220"}, edifact.Element{"PO+1043"}, edifact.Element{"9"})
	w.WriteSegment("NAD", edifact.Element{"DP"}, edifact.Element{"5412345000020", "", "9"})
	w.EndMessage()
	if err := w.EndInterchange(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// UNB+UNOC:3+5412345000013:14+8798765432106:14+240131:1200+1043'
	// UNH+1+ORDERS:D:96A:UN'
	// BGM+220+PO?+1043+9'
	// NAD+DP+5412345000020::9'
	// UNT+4+1'
	// UNZ+1+1043'
}

// Answer an inbound interchange with a CONTRL.
func ExampleBuildContrl() {
	ics, _ := edifact.Parse([]byte(sample)) // message 2 has a bad UNT01
	c, err := edifact.BuildContrl(ics[0], edifact.ContrlOptions{
		ControlRef: "7001",
		Prepared:   time.Date(2024, 1, 31, 12, 30, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Encode(os.Stdout, edifact.WriterOptions{LineEnding: "\n"})
	// Output:
	// UNB+UNOC:3+8798765432106:14+5412345000013:14+240131:1230+7001'
	// UNH+1+CONTRL:D:3:UN'
	// UCI+1042+5412345000013:14+8798765432106:14+7'
	// UCM+1+ORDERS:D:96A:UN:EAN008+7'
	// UCM+2+ORDERS:D:96A:UN:EAN008+4+29+UNT+1'
	// UNT+5+1'
	// UNZ+1+7001'
}
