package edifact

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/internal/edifact"
)

// noSyntaxVersion drops S001/0002 from the UNB, as sloppy partners do.
func noSyntaxVersion(data []byte) []byte {
	return bytes.Replace(data, []byte("UNB+UNOC:3+"), []byte("UNB+UNOC+"), 1)
}

// TestUNBWithoutSyntaxVersion: the interchange is processed, each document
// carries the warning for the timeline, and the CONTRL acknowledges it (7)
// naming the missing element; partner.strict rejects it.
func TestUNBWithoutSyntaxVersion(t *testing.T) {
	data := noSyntaxVersion(inbound(env{ref: "95"}, msg{"ORDRSP", ordrsp("BGM+231+R1+29")}))
	r := newRig(t, nil, nil)
	got := parse(t, r.c, "rsp.edi", data)
	if len(got.Docs) != 1 || len(got.Rejected) != 0 || got.Docs[0].POAck == nil {
		t.Fatalf("got %+v", got)
	}
	want := "rsp.edi: line 1, interchange 95 (UNB) element 1 component 2: UNB01 (syntax version) is missing; read as syntax version 3"
	if w := got.Docs[0].Warnings; len(w) != 1 || w[0] != want {
		t.Errorf("warnings %q\nwant %q", w, want)
	}
	ic, rep := contrlOf(t, got)
	if u := rep.Interchange; u.Action != edifact.ActionAccepted || u.Code != edifact.CodeMissing || u.Tag != "UNB" || u.Element != 1 || u.Component != 2 {
		t.Errorf("UCI = %+v", u)
	}
	if ic.Header.SyntaxVersion != "3" || rep.MessageAction("1") != edifact.ActionAccepted {
		t.Errorf("CONTRL syntax %q, message %v", ic.Header.SyntaxVersion, rep.MessageAction("1"))
	}

	strict := newRig(t, func(p *Partner) { p.Strict = true }, nil)
	got = parse(t, strict.c, "rsp.edi", data)
	if len(got.Docs) != 0 || len(got.Rejected) != 1 || !strings.Contains(got.Rejected[0].Errors[0], "UNB01 (syntax version) is missing") {
		t.Fatalf("strict: %+v", got)
	}
	if _, rep := contrlOf(t, got); rep.Interchange.Action != edifact.ActionRejected || rep.Interchange.Code != edifact.CodeMissing {
		t.Errorf("strict UCI = %+v", rep.Interchange)
	}
}

// TestRepeatedMessageRef: two messages numbered 1 both yield their
// documents, the second with its own id and the warning; the CONTRL says
// 26 (duplicate detected) on its UCM with action 7.
func TestRepeatedMessageRef(t *testing.T) {
	data := inbound(env{ref: "96"}, msg{"ORDRSP", ordrsp("BGM+231+R1+29")}, msg{"ORDRSP", ordrsp("BGM+231+R2+29")})
	data = bytes.Replace(data, []byte("UNH+2+"), []byte("UNH+1+"), 1)
	data = bytes.Replace(data, []byte("+2'\nUNZ"), []byte("+1'\nUNZ"), 1) // the second UNT02
	r := newRig(t, nil, nil)
	got := parse(t, r.c, "rsp.edi", data)
	if len(got.Docs) != 2 || len(got.Rejected) != 0 {
		t.Fatalf("got %+v", got)
	}
	if got.Docs[0].ID != "edifact:"+theirGLN+":96:1" || got.Docs[1].ID != "edifact:"+theirGLN+":96:1#2" || len(got.Docs[0].Warnings) != 0 {
		t.Errorf("docs %+v", got.Docs)
	}
	if w := got.Docs[1].Warnings; len(w) != 1 || !strings.Contains(w[0], `UNH01 "1" is used by an earlier message of the interchange`) {
		t.Errorf("warnings %q", w)
	}
	_, rep := contrlOf(t, got)
	if m := rep.Messages[1]; m.Action != edifact.ActionAccepted || m.Code != edifact.CodeDuplicate || m.Tag != "UNH" {
		t.Errorf("UCM 2 = %+v", m)
	}

	strict := newRig(t, func(p *Partner) { p.Strict = true }, nil)
	got = parse(t, strict.c, "rsp.edi", data)
	if len(got.Docs) != 1 || len(got.Rejected) != 1 || got.Rejected[0].ID != "edifact:"+theirGLN+":96:1#2" {
		t.Fatalf("strict: %+v", got)
	}
}

// TestSyntaxOnlyTest: UNB 0035 = 2 asks for the syntax check only: a
// CONTRL, no documents, on a production profile too; its CONTRL is a test.
func TestSyntaxOnlyTest(t *testing.T) {
	data := inbound(env{ref: "97", test: true}, msg{"ORDRSP", ordrsp("BGM+231+R1+29")})
	data = bytes.Replace(data, []byte("+97++++++1'"), []byte("+97++++++2'"), 1)
	r := newRig(t, func(p *Partner) { p.Test = ptr(false) }, nil)
	got := parse(t, r.c, "syntax.edi", data)
	if len(got.Docs) != 0 || len(got.Rejected) != 0 {
		t.Fatalf("a syntax only test was processed: %+v", got)
	}
	ic, rep := contrlOf(t, got)
	if rep.Interchange.Action != edifact.ActionAccepted || ic.Header.Test != "1" {
		t.Errorf("CONTRL UCI %+v, test indicator %q", rep.Interchange, ic.Header.Test)
	}
}

// TestEchoRequest: an echo request is rejected once, with code 25, on any
// profile; nothing of it is processed.
func TestEchoRequest(t *testing.T) {
	for _, test := range []bool{true, false} {
		data := inbound(env{ref: "98", test: true}, msg{"ORDRSP", ordrsp("BGM+231+R1+29")})
		data = bytes.Replace(data, []byte("+98++++++1'"), []byte("+98++++++3'"), 1)
		r := newRig(t, func(p *Partner) { p.Test = ptr(test) }, nil)
		got := parse(t, r.c, "echo.edi", data)
		if len(got.Docs) != 0 || len(got.Rejected) != 1 || len(got.Rejected[0].Errors) != 1 || !strings.Contains(got.Rejected[0].Errors[0], "asks for an echo") {
			t.Fatalf("test profile %v: %+v", test, got)
		}
		ic, rep := contrlOf(t, got)
		if u := rep.Interchange; u.Action != edifact.ActionRejected || u.Code != edifact.CodeTestNotSupported || u.Element != 11 || ic.Header.Test != "1" {
			t.Errorf("test profile %v: UCI %+v, CONTRL test indicator %q", test, u, ic.Header.Test)
		}
	}
}
