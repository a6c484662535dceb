package x12

import (
	"fmt"
	"strconv"
)

// FunctionalAck is an inbound 997 or 999: the partner's verdict on one of
// our functional groups and on each of its sets.
type FunctionalAck struct {
	// Kind is Kind997 or Kind999.
	Kind string
	// GroupID, GroupControl and Version are AK101–AK103: the GS01, GS06
	// and GS08 of the acknowledged group.
	GroupID      string
	GroupControl string
	Version      string
	// Sets are the AK2 loops, in order.
	Sets []SetAck
	// Status is AK901: "A" accepted, "E" accepted with errors, "P"
	// partially accepted, "R" rejected.
	Status string
	// Included, Received and Accepted are AK902–AK904.
	Included, Received, Accepted int
	// Codes are AK905–AK909, the group-level error codes.
	Codes []string
}

// SetAck is one AK2 loop: the verdict on one transaction set.
type SetAck struct {
	// ID, Control and Convention are AK201–AK203: the acknowledged
	// set's ST01, ST02 and ST03.
	ID, Control, Convention string
	// Status is AK501/IK501: "A", "E", "M", "R", "W" or "X".
	Status string
	// Codes are AK502–AK506 (IK502–IK506).
	Codes []string
	// Segments are the AK3/IK3 loops.
	Segments []SegmentNote
}

// Accepted reports whether the partner accepted the set ("A", or "E":
// accepted with errors noted).
func (s SetAck) Accepted() bool { return s.Status == "A" || s.Status == "E" }

// SegmentNote is one AK3/IK3: a segment the partner found in error.
type SegmentNote struct {
	ID       string // AK301
	Position int    // AK302, position in the set (ST is 1)
	Loop     string // AK303
	Code     string // AK304
	// Context holds the 999 CTX segments of the loop, as on the wire.
	Context  []string
	Elements []ElementNote
}

// ElementNote is one AK4/IK4: an element the partner found in error.
type ElementNote struct {
	Position, Component, Repetition int    // AK401
	Ref                             string // AK402, data element reference number
	Code                            string // AK403
	Value                           string // AK404, copy of the bad value
}

// ParseAck reads a 997 or 999 transaction set (one read by NextSet or
// Parse, with its segments).
func ParseAck(s *Set) (*FunctionalAck, error) {
	if s.Header.ID != Kind997 && s.Header.ID != Kind999 {
		return nil, fmt.Errorf("x12: parse ack: set %s is a %s, not a 997 or 999", s.Header.Control, s.Header.ID)
	}
	if len(s.Segments) == 0 {
		return nil, fmt.Errorf("x12: parse ack: set %s has no segments (read it with NextSet or Parse)", s.Header.Control)
	}
	p := ackParser{set: s, ack: &FunctionalAck{Kind: s.Header.ID}}
	for _, seg := range s.Segments {
		if err := p.segment(seg); err != nil {
			return nil, err
		}
	}
	if !p.seenAK1 || !p.seenAK9 {
		return nil, p.fail(s.Segments[len(s.Segments)-1], "the acknowledgement lacks AK1 or AK9")
	}
	return p.ack, nil
}

type ackParser struct {
	set              *Set
	ack              *FunctionalAck
	cur              *SetAck
	note             *SegmentNote
	seenAK1, seenAK9 bool
}

func (p *ackParser) segment(seg *Segment) error {
	switch seg.ID {
	case "ST", "SE":
	case "AK1":
		p.ack.GroupID, p.ack.GroupControl, p.ack.Version = seg.Element(1), seg.Element(2), seg.Element(3)
		p.seenAK1 = true
	case "AK2":
		if p.cur != nil {
			return p.fail(seg, "AK2 before the AK5 closing the previous set")
		}
		p.ack.Sets = append(p.ack.Sets, SetAck{ID: seg.Element(1), Control: seg.Element(2), Convention: seg.Element(3)})
		p.cur, p.note = &p.ack.Sets[len(p.ack.Sets)-1], nil
	case "AK3", "IK3":
		if p.cur == nil {
			return p.fail(seg, seg.ID+" outside an AK2 loop")
		}
		pos, _ := strconv.Atoi(seg.Element(2))
		p.cur.Segments = append(p.cur.Segments, SegmentNote{ID: seg.Element(1), Position: pos, Loop: seg.Element(3), Code: seg.Element(4)})
		p.note = &p.cur.Segments[len(p.cur.Segments)-1]
	case "AK4", "IK4":
		if p.note == nil {
			return p.fail(seg, seg.ID+" outside an AK3/IK3 loop")
		}
		el := ElementNote{Ref: seg.Element(2), Code: seg.Element(3), Value: seg.Element(4)}
		el.Position, _ = strconv.Atoi(seg.Component(1, 1))
		el.Component, _ = strconv.Atoi(seg.Component(1, 2))
		el.Repetition, _ = strconv.Atoi(seg.Component(1, 3))
		p.note.Elements = append(p.note.Elements, el)
	case "CTX":
		if p.note != nil {
			p.note.Context = append(p.note.Context, seg.String())
		}
	case "AK5", "IK5":
		if p.cur == nil {
			return p.fail(seg, seg.ID+" outside an AK2 loop")
		}
		p.cur.Status = seg.Element(1)
		for i := 2; i <= 6; i++ {
			if c := seg.Element(i); c != "" {
				p.cur.Codes = append(p.cur.Codes, c)
			}
		}
		p.cur, p.note = nil, nil
	case "AK9":
		if p.cur != nil {
			return p.fail(seg, "AK9 before the AK5 closing the last set")
		}
		a := p.ack
		a.Status = seg.Element(1)
		counts := []*int{&a.Included, &a.Received, &a.Accepted}
		for i, c := range counts {
			n, err := strconv.Atoi(seg.Element(i + 2))
			if err != nil {
				return p.fail(seg, fmt.Sprintf("AK9%02d %q is not a number", i+2, seg.Element(i+2)))
			}
			*c = n
		}
		for i := 5; i <= 9; i++ {
			if c := seg.Element(i); c != "" {
				a.Codes = append(a.Codes, c)
			}
		}
		p.seenAK9 = true
	}
	return nil
}

func (p *ackParser) fail(seg *Segment, msg string) error {
	return p.set.newError(seg, LevelSegment, CodeSegmentUnexpected, msg)
}
