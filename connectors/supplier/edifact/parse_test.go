package edifact

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/edifact"
)

// TestUnreadableFiles: a file that cannot be read at all is a permanent
// error naming the file and the place; nothing is acknowledged.
func TestUnreadableFiles(t *testing.T) {
	good := string(inbound(env{ref: "1"}, msg{"DESADV", desadvBody}))
	for _, tc := range []struct {
		name, data string
		sentinel   error
		want       string
	}{
		{"empty", "", nil, "x.edi: no EDIFACT interchange (UNA or UNB) found"},
		{"not EDIFACT", "ISA*00*          *00*", edifact.ErrNotEDIFACT, "x.edi: line 1: expected UNA or UNB"},
		{"bad UNA", "UNA:::? 'UNB+UNOC:3+A+B+261121:1405+1'", nil, "x.edi: line 1 (UNA)"},
		{"unknown syntax", strings.Replace(good, "UNOC:3", "UNOX:3", 1), edifact.ErrUnknownSyntax, "x.edi: line 1, interchange 1 (UNB) element 1 component 1"},
		{"garbage after the interchange", good + "hello", edifact.ErrNotEDIFACT, "unexpected data after UNZ"},
		{"another partner", string(inbound(env{ref: "7", from: "4000000000001"}, msg{"DESADV", desadvBody})), nil,
			"x.edi: line 1, interchange 7 (UNB): comes from 4000000000001:14, not from this partner (partner.recipient.id " + theirGLN + ")"},
		{"not addressed to us", string(inbound(env{ref: "8", to: "4000000000001"}, msg{"DESADV", desadvBody})), nil,
			"x.edi: line 1, interchange 8 (UNB): is addressed to 4000000000001:14, not to us"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, nil, nil)
			got, err := r.c.ParseDocuments(context.Background(), "x.edi", []byte(tc.data))
			if err == nil {
				t.Fatalf("no error; got %+v", got)
			}
			if !fault.IsPermanent(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant a permanent error containing %q", err, tc.want)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error does not wrap %v", tc.sentinel)
			}
		})
	}
}

// TestSeveralInterchanges: a file may hold several interchanges, in any
// delimiters, each answered by its own CONTRL.
func TestSeveralInterchanges(t *testing.T) {
	r := newRig(t, nil, nil)
	second := "UNA|*,! ~UNB*UNOC|3*" + theirGLN + "|14*" + ourGLN + "|14*261121|1405*12~UNH*1*ORDRSP|D|96A|UN~BGM*231*R!*1*29~RFF*ON|PO123~UNT*4*1~UNZ*1*12~"
	data := append(inbound(env{ref: "11"}, msg{"DESADV", desadvBody}), []byte("\r\n"+second)...)
	got := parse(t, r.c, "two.edi", data)
	if len(got.Docs) != 2 || len(got.Rejected) != 0 || len(got.Replies) != 2 {
		t.Fatalf("docs %d rejected %+v replies %d", len(got.Docs), got.Rejected, len(got.Replies))
	}
	if got.Docs[1].POAck == nil || got.Docs[1].POAck.Status != "accepted" || got.Docs[1].ID != "edifact:"+theirGLN+":12:1" {
		t.Errorf("second doc = %+v", got.Docs[1])
	}
	if got.Replies[0].Name != "two.11.contrl.edi" || got.Replies[1].Name != "two.12.contrl.edi" {
		t.Errorf("reply names = %s, %s", got.Replies[0].Name, got.Replies[1].Name)
	}
}

func TestContextCancelled(t *testing.T) {
	r := newRig(t, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.c.ParseDocuments(ctx, "x.edi", inbound(env{ref: "1"}, msg{"DESADV", desadvBody})); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}
