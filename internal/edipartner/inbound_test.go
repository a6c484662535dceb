package edipartner

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

func TestResults(t *testing.T) {
	r := &Results{File: "asn.x12"}
	r.Reject("x12:S:1:1:0001", "856", []string{"line 4: SE01 is 9"})
	r.Accept([]connector.InboundDoc{{ID: "a"}, {ID: "b", Warnings: []string{"earlier"}}}, []string{"ST02 repeated"})
	r.Accept([]connector.InboundDoc{{ID: "c"}}, nil)
	replies := []connector.Reply{{Name: "asn.1-1.997.x12"}}
	got, err := r.Finish(replies, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &connector.Parsed{
		Docs: []connector.InboundDoc{
			{ID: "a", Warnings: []string{"asn.x12: ST02 repeated"}},
			{ID: "b", Warnings: []string{"earlier", "asn.x12: ST02 repeated"}},
			{ID: "c"},
		},
		Rejected: []connector.RejectedDoc{{ID: "x12:S:1:1:0001", Type: "856", Errors: []string{"asn.x12: line 4: SE01 is 9"}}},
		Replies:  replies,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsed\n %+v\nwant\n %+v", got, want)
	}
}

// A store down while numbering the acknowledgements fails the parse as
// is (retried), with no partial result.
func TestResultsFinishWithReplyError(t *testing.T) {
	r := &Results{File: "f"}
	r.Accept([]connector.InboundDoc{{ID: "a"}}, nil)
	down := errors.New("store down")
	got, err := r.Finish(nil, down)
	if got != nil || !errors.Is(err, down) || fault.IsPermanent(err) {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestRefuseIsPermanentAndNamesTheFile(t *testing.T) {
	cause := errors.New("no ISA")
	err := (&Results{File: "x.edi"}).Refuse(cause)
	if !fault.IsPermanent(err) || !errors.Is(err, cause) || err.Error() != "x.edi: no ISA" {
		t.Errorf("err = %v", err)
	}
}

func TestCheckInterchanges(t *testing.T) {
	r := &Results{File: "f.x12"}
	ok := func(int) error { return nil }
	if err := CheckInterchanges(r, []int{1, 2}, "X12 interchange (ISA)", ok); err != nil {
		t.Errorf("valid: %v", err)
	}
	err := CheckInterchanges(r, nil, "X12 interchange (ISA)", ok)
	if !fault.IsPermanent(err) || err.Error() != "f.x12: no X12 interchange (ISA) found" {
		t.Errorf("empty: %v", err)
	}
	var checked []int
	err = CheckInterchanges(r, []int{1, 2, 3}, "X12 interchange (ISA)", func(i int) error {
		checked = append(checked, i)
		if i == 2 {
			return errors.New("interchange 2 comes from ZZ/OTHER")
		}
		return nil
	})
	if !fault.IsPermanent(err) || err.Error() != "f.x12: interchange 2 comes from ZZ/OTHER" || !reflect.DeepEqual(checked, []int{1, 2}) {
		t.Errorf("refused: %v after %v", err, checked)
	}
}

func TestShipNotices(t *testing.T) {
	one := ShipNotices("x12:S:1:1:0001", []*model.ShipNotice{{PONumber: "PO1"}})
	if len(one) != 1 || one[0].ID != "x12:S:1:1:0001" || one[0].PONumber != "PO1" || one[0].ShipNotice.PONumber != "PO1" {
		t.Errorf("one order: %+v", one)
	}
	two := ShipNotices("edifact:S:7:1", []*model.ShipNotice{{PONumber: "PO1"}, {PONumber: "PO2"}})
	if len(two) != 2 || two[0].ID != "edifact:S:7:1:PO1" || two[1].ID != "edifact:S:7:1:PO2" || two[1].PONumber != "PO2" {
		t.Errorf("two orders: %+v", two)
	}
	if none := ShipNotices("id", nil); len(none) != 0 {
		t.Errorf("no order: %+v", none)
	}
}

func TestDocID(t *testing.T) {
	if got := DocID(0, "x12", "SUPPLIER", "000000042", "42", "0001"); got != "x12:SUPPLIER:000000042:42:0001" {
		t.Errorf("unique: %q", got)
	}
	if got := DocID(2, "edifact", "8798765432106", "77", "1"); got != "edifact:8798765432106:77:1#2" {
		t.Errorf("repeated: %q", got)
	}
}

type codeError string

func (e codeError) Error() string { return string(e) }

func TestMessages(t *testing.T) {
	got := Messages([]codeError{"group: GE01"}, nil, []codeError{"set: SE01", "set: N4"})
	if strings.Join(got, "|") != "group: GE01|set: SE01|set: N4" {
		t.Errorf("got %q", got)
	}
	if Messages[error]() != nil {
		t.Error("no lists gives something")
	}
}
