package edi_x12

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/x12"
)

// mapFuncAck reads an inbound 997 or 999, the partner's verdict on one of
// our functional groups. Our interchanges use one control number for
// ISA13 and GS06 (Render850), so AK102, the group control number, also
// names the interchange: InterchangeControl is it without leading zeros,
// as SendPO recorded it in the PO's "x12:isa13" ref.
func (m *mapper) mapFuncAck() *model.FunctionalAck {
	fa, err := x12.ParseAck(m.set)
	if err != nil {
		var se *x12.SyntaxError
		if errors.As(err, &se) {
			m.set.Errors = append(m.set.Errors, se)
		} else {
			m.segmentError(nil, x12.CodeSegmentUnexpected, "%v", err)
		}
		return nil
	}
	out := &model.FunctionalAck{
		Supplier: m.supplier, Kind: fa.Kind,
		GroupControl:       fa.GroupControl,
		InterchangeControl: withoutLeadingZeros(fa.GroupControl),
		Status:             fa.Status,
		Accepted:           fa.Status == "A" || fa.Status == "E",
	}
	for _, c := range fa.Codes {
		out.Errors = append(out.Errors, fmt.Sprintf("group %s: %s (AK905 %s)", fa.GroupControl, describe(groupCodes, c), c))
	}
	for _, s := range fa.Sets {
		o := model.SetAckOutcome{ControlNumber: s.Control, Accepted: s.Accepted()}
		for _, n := range s.Segments {
			o.Errors = append(o.Errors, segmentNote(n))
		}
		for _, c := range s.Codes {
			o.Errors = append(o.Errors, fmt.Sprintf("set %s %s: %s (AK502 %s)", s.ID, s.Control, describe(setCodes, c), c))
		}
		out.Sets = append(out.Sets, o)
	}
	return out
}

// segmentNote renders one AK3/IK3 loop with its AK4/IK4s:
// segment TXI at position 54: segment has data element errors (AK304 8); element 1 (963): invalid code value (AK403 7), value "C1".
func segmentNote(n x12.SegmentNote) string {
	var b strings.Builder
	fmt.Fprintf(&b, "segment %s at position %d", n.ID, n.Position)
	if n.Loop != "" {
		fmt.Fprintf(&b, " in loop %s", n.Loop)
	}
	fmt.Fprintf(&b, ": %s (AK304 %s)", describe(segmentCodes, n.Code), n.Code)
	for _, e := range n.Elements {
		fmt.Fprintf(&b, "; element %d", e.Position)
		if e.Component > 0 {
			fmt.Fprintf(&b, ".%d", e.Component)
		}
		if e.Ref != "" {
			fmt.Fprintf(&b, " (%s)", e.Ref)
		}
		fmt.Fprintf(&b, ": %s (AK403 %s)", describe(elementCodes, e.Code), e.Code)
		if e.Value != "" {
			fmt.Fprintf(&b, ", value %q", e.Value)
		}
	}
	return b.String()
}

func describe(codes map[string]string, c string) string {
	if d, ok := codes[c]; ok {
		return d
	}
	return "code " + c
}

func withoutLeadingZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" && s != "" {
		return "0"
	}
	return t
}

// groupCodes are AK905 functional group error codes (element 716).
var groupCodes = map[string]string{
	"1": "functional group not supported", "2": "functional group version not supported",
	"3": "functional group trailer missing", "4": "group control number in header and trailer do not agree",
	"5": "number of included transaction sets does not match actual count", "6": "group control number violates syntax",
	"19": "functional group control number not unique within interchange",
}

// setCodes are AK502/IK502 transaction set error codes (element 718).
var setCodes = map[string]string{
	"1": "transaction set not supported", "2": "transaction set trailer missing",
	"3": "control number in header and trailer do not match", "4": "number of included segments does not match actual count",
	"5": "one or more segments in error", "6": "missing or invalid transaction set identifier",
	"7": "missing or invalid transaction set control number", "18": "transaction set not in functional group",
	"19": "invalid implementation convention reference", "23": "control number not unique within the functional group",
	"I5": "implementation: one or more segments in error", "I6": "implementation convention not supported",
}

// segmentCodes are AK304/IK304 segment error codes (element 720).
var segmentCodes = map[string]string{
	"1": "unrecognized segment ID", "2": "unexpected segment", "3": "mandatory segment missing",
	"4": "loop occurs over maximum times", "5": "segment exceeds maximum use",
	"6": "segment not in defined transaction set", "7": "segment not in proper sequence",
	"8":  "segment has data element errors",
	"I4": "implementation \"not used\" segment present", "I6": "implementation dependent segment missing",
	"I7": "implementation loop occurs under minimum times", "I8": "implementation segment below minimum use",
	"I9": "implementation dependent \"not used\" segment present",
}

// elementCodes are AK403/IK403 element error codes (element 723).
var elementCodes = map[string]string{
	"1": "mandatory data element missing", "2": "conditional required data element missing",
	"3": "too many data elements", "4": "data element too short", "5": "data element too long",
	"6": "invalid character in data element", "7": "invalid code value", "8": "invalid date",
	"9": "invalid time", "10": "exclusion condition violated", "12": "too many repetitions",
	"13": "too many components",
	"I6": "code value not used in implementation", "I9": "implementation dependent data element missing",
	"I10": "implementation \"not used\" data element present", "I11": "implementation too few repetitions",
	"I12": "implementation pattern match failure", "I13": "implementation dependent \"not used\" data element present",
}
