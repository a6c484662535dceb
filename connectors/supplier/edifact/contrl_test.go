package edifact

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edifact"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// contrlIn is an inbound CONTRL answering our interchange 905.
func contrlIn(body ...string) []string {
	return append([]string{"UCI+905+" + ourGLN + ":14+" + theirGLN + ":14+" + body[0]}, body[1:]...)
}

func TestInboundCONTRL(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []string
		want model.FunctionalAck
	}{
		{
			name: "accepted",
			body: contrlIn("7"),
			want: model.FunctionalAck{Status: "7", Accepted: true},
		},
		{
			name: "received",
			body: contrlIn("8"),
			want: model.FunctionalAck{Status: "8", Accepted: true},
		},
		{
			name: "interchange rejected",
			body: contrlIn("4+13+UNB+3:1"),
			want: model.FunctionalAck{Status: "4", Errors: []string{"interchange 905: error 13 (missing) in UNB element 3 component 1"}},
		},
		{
			name: "a message rejected",
			body: contrlIn("7", "UCM+1+ORDERS:D:96A:UN:EAN008+4", "UCS+5+13", "UCS+9", "UCD+12+2:1", "UCM+2+ORDERS:D:96A:UN:EAN008+7"),
			want: model.FunctionalAck{Status: "7", Sets: []model.SetAckOutcome{
				{ControlNumber: "1", Errors: []string{"segment 5: error 13 (missing)", "segment 9 element 2 component 1: error 12 (invalid value)"}},
				{ControlNumber: "2", Accepted: true},
			}},
		},
		{
			name: "message rejected on its UNH",
			body: contrlIn("7", "UCM+1+ORDERS:D:96A:UN+4+17+UNH+2"),
			want: model.FunctionalAck{Status: "7", Sets: []model.SetAckOutcome{
				{ControlNumber: "1", Errors: []string{"message 1: error 17 (no agreement) in UNH element 2"}},
			}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, nil, nil)
			got := parse(t, r.c, "contrl.edi", inbound(env{ref: "81"}, msg{"CONTRL", tc.body}))
			if len(got.Rejected) > 0 || len(got.Docs) != 1 {
				t.Fatalf("docs = %+v rejected = %+v", got.Docs, got.Rejected)
			}
			if len(got.Replies) != 0 {
				t.Errorf("a CONTRL was answered: %s", got.Replies[0].Data)
			}
			doc := got.Docs[0]
			want := tc.want
			want.Supplier, want.Kind, want.InterchangeControl = "acme", "CONTRL", "905"
			if doc.ID != "edifact:"+theirGLN+":81:1" || doc.PONumber != "" || !reflect.DeepEqual(*doc.FuncAck, want) {
				t.Errorf("functional ack\n got %+v\nwant %+v", *doc.FuncAck, want)
			}
		})
	}
}

func TestInboundCONTRLMalformed(t *testing.T) {
	r := newRig(t, nil, nil)
	got := parse(t, r.c, "contrl.edi", inbound(env{ref: "82"}, msg{"CONTRL", contrlIn("X")}))
	if len(got.Docs) != 0 || len(got.Rejected) != 1 || !strings.Contains(got.Rejected[0].Errors[0], "segment 2 (UCI): action code \"X\" is not a number") {
		t.Errorf("got %+v", got)
	}
	if len(got.Replies) != 0 {
		t.Error("a CONTRL was answered")
	}
}

// TestCONTRLForDESADV: the CONTRL answering a DESADV reads back with
// ReadContrl; its reference comes from the partner's counter, once per
// inbound interchange, so parsing the file again (even after a restart)
// gives the same reference; another interchange gets the next one.
func TestCONTRLForDESADV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dropgate.db")
	st, err := embedded.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, nil, st)
	data := inbound(env{ref: "51", ackReq: true}, msg{"DESADV", desadvBody})
	got := parse(t, r.c, "in/desadv 51.edi", data)
	if got.Replies[0].Name != "desadv_51.51.contrl.edi" {
		t.Errorf("reply name = %s", got.Replies[0].Name)
	}
	ic, rep := contrlOf(t, got)
	h := ic.Header
	if h.Sender.ID != ourGLN || h.Recipient.ID != theirGLN || h.ControlRef != "1" || h.Syntax != "UNOC" || h.Date != "261121" || h.Time != "1405" {
		t.Errorf("CONTRL UNB = %+v", h)
	}
	if id := ic.Messages[0].Header.Identifier(); id != "CONTRL:D:3:UN" {
		t.Errorf("CONTRL UNH = %s", id)
	}
	if rep.Interchange.Ref != "51" || rep.Interchange.Sender.ID != theirGLN || rep.Interchange.Recipient.ID != ourGLN || rep.Interchange.Action != edifact.ActionAccepted {
		t.Errorf("UCI = %+v", rep.Interchange)
	}
	if len(rep.Messages) != 1 || rep.Messages[0].Ref != "1" || rep.Messages[0].Type != "DESADV" || rep.Messages[0].Action != edifact.ActionAccepted {
		t.Errorf("UCM = %+v", rep.Messages)
	}
	again := parse(t, r.c, "in/desadv 51.edi", data)
	if string(again.Replies[0].Data) != string(got.Replies[0].Data) {
		t.Errorf("parsing twice changed the CONTRL:\n%s\n%s", got.Replies[0].Data, again.Replies[0].Data)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = embedded.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r = newRig(t, nil, st)
	if ic, _ := contrlOf(t, parse(t, r.c, "x.edi", data)); ic.Header.ControlRef != "1" {
		t.Errorf("after a restart the CONTRL reference is %s, want 1", ic.Header.ControlRef)
	}
	other := parse(t, r.c, "y.edi", inbound(env{ref: "52"}, msg{"DESADV", desadvBody}))
	if ic, _ := contrlOf(t, other); ic.Header.ControlRef != "2" {
		t.Errorf("next CONTRL reference = %s, want 2", ic.Header.ControlRef)
	}
	// The ORDERS counter and the CONTRL counter are one sequence.
	po, o := samplePO()
	sent, err := r.c.SendPO(context.Background(), po, o)
	if err != nil || sent.Refs[0].ID != "3" {
		t.Errorf("ORDERS after two CONTRLs: %+v %v", sent, err)
	}
}

// TestCONTRLPolicy: partner.contrl none never answers, requested answers
// only interchanges whose UNB 0031 asks.
func TestCONTRLPolicy(t *testing.T) {
	r := newRig(t, func(p *Partner) { p.Contrl = "none" }, nil)
	if got := parse(t, r.c, "a.edi", inbound(env{ref: "1", ackReq: true}, msg{"DESADV", desadvBody})); len(got.Replies) != 0 {
		t.Error("contrl: none answered")
	}
	r = newRig(t, func(p *Partner) { p.Contrl = "requested" }, nil)
	data := append(inbound(env{ref: "2"}, msg{"DESADV", desadvBody}), inbound(env{ref: "3", ackReq: true}, msg{"DESADV", desadvBody})...)
	got := parse(t, r.c, "b.edi", data)
	if len(got.Docs) != 2 {
		t.Fatalf("docs = %d", len(got.Docs))
	}
	if _, rep := contrlOf(t, got); rep.Interchange.Ref != "3" {
		t.Errorf("answered interchange %s, want 3", rep.Interchange.Ref)
	}
}

// TestCONTRLRejections: envelope errors, a test interchange on a
// production profile and a message type we never agreed to are rejected
// in the CONTRL with their codes, and produce no documents.
func TestCONTRLRejections(t *testing.T) {
	t.Run("wrong UNT count", func(t *testing.T) {
		r := newRig(t, nil, nil)
		got := parse(t, r.c, "a.edi", inbound(env{ref: "91", badCounts: true}, msg{"DESADV", desadvBody}))
		if len(got.Docs) != 0 || len(got.Rejected) != 1 || !strings.Contains(got.Rejected[0].Errors[0], "UNT01=28 but the message has 27 segments") {
			t.Fatalf("got %+v", got)
		}
		_, rep := contrlOf(t, got)
		if m := rep.Messages[0]; m.Action != edifact.ActionRejected || m.Code != edifact.CodeCountMismatch || m.Tag != "UNT" {
			t.Errorf("UCM = %+v", m)
		}
	})
	t.Run("test interchange on a production profile", func(t *testing.T) {
		r := newRig(t, func(p *Partner) { p.Test = ptr(false) }, nil)
		got := parse(t, r.c, "b.edi", inbound(env{ref: "92", test: true}, msg{"DESADV", desadvBody}))
		if len(got.Docs) != 0 || len(got.Rejected) != 1 || !strings.Contains(got.Rejected[0].Errors[0], "(UNB) element 11: test interchange") {
			t.Fatalf("got %+v", got)
		}
		ic, rep := contrlOf(t, got)
		if u := rep.Interchange; u.Action != edifact.ActionRejected || u.Code != codeTestUnsupported || u.Tag != "UNB" || u.Element != 11 {
			t.Errorf("UCI = %+v", u)
		}
		if !ic.Header.IsTest() {
			t.Error("the CONTRL of a test interchange must be a test")
		}
	})
	t.Run("message type not agreed", func(t *testing.T) {
		r := newRig(t, nil, nil)
		got := parse(t, r.c, "c.edi", inbound(env{ref: "93"}, msg{"ORDERS", []string{"BGM+220+X+9"}}, msg{"DESADV", desadvBody}))
		if len(got.Docs) != 1 || len(got.Rejected) != 1 || got.Rejected[0].Type != "ORDERS" || !strings.Contains(got.Rejected[0].Errors[0], "message type ORDERS is not one this connector reads") {
			t.Fatalf("got %+v", got)
		}
		_, rep := contrlOf(t, got)
		if m := rep.Messages[0]; m.Action != edifact.ActionRejected || m.Code != codeNoAgreement || m.Tag != "UNH" || m.Element != 2 {
			t.Errorf("UCM = %+v", m)
		}
		if m := rep.Messages[1]; m.Action != edifact.ActionAccepted {
			t.Errorf("UCM 2 = %+v", m)
		}
	})
}

func TestReplySenderAndInbox(t *testing.T) {
	r := newRig(t, nil, nil)
	ctx := context.Background()
	got := parse(t, r.c, "desadv.edi", inbound(env{ref: "51"}, msg{"DESADV", desadvBody}))
	if err := r.c.SendReply(ctx, got.Replies[0]); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(r.outbox, got.Replies[0].Name)); err != nil || string(b) != string(got.Replies[0].Data) {
		t.Errorf("reply in outbox: %v", err)
	}
	if err := os.MkdirAll(r.inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.inbox, "desadv.edi"), []byte("UNB"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := r.c.ListInbox(ctx)
	if err != nil || len(files) != 1 || files[0].Name != "desadv.edi" {
		t.Fatalf("inbox = %+v, %v", files, err)
	}
	if b, err := r.c.ReadInbox(ctx, "desadv.edi"); err != nil || string(b) != "UNB" {
		t.Errorf("read = %q, %v", b, err)
	}
	if err := r.c.ArchiveInbox(ctx, "desadv.edi"); err != nil {
		t.Fatal(err)
	}
	if files, _ := r.c.ListInbox(ctx); len(files) != 0 {
		t.Errorf("inbox after archive = %+v", files)
	}
	if _, err := r.c.ReadInbox(ctx, "nope.edi"); err == nil || !strings.Contains(err.Error(), "acme: read inbox nope.edi") {
		t.Errorf("missing file: %v", err)
	}
}

// TestNoReferenceBurnedForCONTRL: answering nothing to an inbound CONTRL
// allocates no control reference.
func TestNoReferenceBurnedForCONTRL(t *testing.T) {
	r := newRig(t, nil, nil)
	parse(t, r.c, "a.edi", inbound(env{ref: "1"}, msg{"CONTRL", contrlIn("7")}))
	if ic, _ := contrlOf(t, parse(t, r.c, "b.edi", inbound(env{ref: "2"}, msg{"DESADV", desadvBody}))); ic.Header.ControlRef != "1" {
		t.Errorf("first CONTRL reference = %s, want 1", ic.Header.ControlRef)
	}
}
