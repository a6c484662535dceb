package edifact

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// splitter turns a raw segment into a Segment: it splits on the separators,
// applies the release character and converts the charset to UTF-8 in one
// pass over the bytes. Its scratch slices are reused from segment to
// segment, so a segment costs one string and a few small slices.
type splitter struct {
	cls    *[256]uint8
	cs     *charset
	strict bool // report characters outside levels A and B

	text  textBuffer
	out   []byte  // unescaped UTF-8 text of all components, back to back
	ends  []int32 // end offset in out of each component
	units []unit  // element occurrences, in order; units[0] is the tag
	bad   []badChar

	// Segments, elements and component strings are carved from small
	// chunks rather than allocated one by one: allocation is most of the
	// cost of reading. A chunk is never reused, so segments stay valid for
	// as long as the caller keeps them; keeping one keeps its chunk (a few
	// KiB) alive.
	segChunk  []Segment
	elemChunk []Element
	compChunk []string

	// reuse recycles one segment and its slices instead (Reader.ReuseSegments).
	reuse     bool
	reuseSeg  Segment
	reuseEls  []Element
	reuseComp []string
}

const (
	segChunkLen  = 64
	elemChunkLen = 256
	compChunkLen = 512
)

func (sp *splitter) newSegment() *Segment {
	if sp.reuse {
		sp.reuseSeg = Segment{}
		return &sp.reuseSeg
	}
	if len(sp.segChunk) == 0 {
		sp.segChunk = make([]Segment, segChunkLen)
	}
	s := &sp.segChunk[0]
	sp.segChunk = sp.segChunk[1:]
	return s
}

func (sp *splitter) newElements(n int) []Element {
	if sp.reuse {
		sp.reuseEls = slices.Grow(sp.reuseEls[:0], n)
		return sp.reuseEls
	}
	if n > elemChunkLen/4 {
		return make([]Element, 0, n)
	}
	if len(sp.elemChunk) < n {
		sp.elemChunk = make([]Element, elemChunkLen)
	}
	e := sp.elemChunk[:0:n]
	sp.elemChunk = sp.elemChunk[n:]
	return e
}

func (sp *splitter) newComponents(n int) []string {
	if sp.reuse {
		sp.reuseComp = slices.Grow(sp.reuseComp[:0], n)[:n]
		return sp.reuseComp
	}
	if n > compChunkLen/4 {
		return make([]string, n)
	}
	if len(sp.compChunk) < n {
		sp.compChunk = make([]string, compChunkLen)
	}
	c := sp.compChunk[:n:n]
	sp.compChunk = sp.compChunk[n:]
	return c
}

// unit is one occurrence of a data element: where its components start in
// ends, and whether it repeats the previous element (syntax 4).
type unit struct {
	first  int32
	repeat bool
}

// badChar records a character problem by position, for UCD reporting.
type badChar struct {
	element, component int // 1-based; element 0 is the tag
	b                  byte
	danglingRelease    bool
}

// split parses raw. Problems with characters are left in sp.bad.
func (sp *splitter) split(raw []byte) *Segment {
	sp.out = sp.text.start(len(raw))
	sp.ends = sp.ends[:0]
	sp.units = append(sp.units[:0], unit{})
	sp.bad = sp.bad[:0]
	cls, cs := sp.cls, sp.cs
	checkRepertoire := sp.strict && (cs.kind == kindLevelA || cs.kind == kindLevelB)
	for i := 0; i < len(raw); i++ {
		// Copy the run of plain data bytes in one go: the common case.
		start := i
		for i < len(raw) && cls[raw[i]] == clsData {
			i++
		}
		if i > start {
			sp.data(raw[start:i], checkRepertoire)
		}
		if i == len(raw) {
			break
		}
		switch cls[raw[i]] {
		case clsRelease:
			if i+1 == len(raw) {
				sp.bad = append(sp.bad, sp.here(raw[i], true))
				break
			}
			i++
			// A released delimiter is a service character the partners
			// agreed on, valid whatever the repertoire.
			sp.data(raw[i:i+1], checkRepertoire && cls[raw[i]] == clsData)
		case clsComponent:
			sp.ends = append(sp.ends, int32(len(sp.out)))
		case clsElement:
			sp.ends = append(sp.ends, int32(len(sp.out)))
			sp.units = append(sp.units, unit{first: int32(len(sp.ends))})
		case clsRepetition:
			sp.ends = append(sp.ends, int32(len(sp.out)))
			sp.units = append(sp.units, unit{first: int32(len(sp.ends)), repeat: true})
		case clsTerminator:
			// Only a released terminator reaches the splitter, and the
			// release case consumed it; a bare one cannot occur.
			sp.data(raw[i:i+1], checkRepertoire)
		}
	}
	sp.ends = append(sp.ends, int32(len(sp.out)))
	return sp.build()
}

// data appends plain bytes, converting them to UTF-8.
func (sp *splitter) data(b []byte, checkRepertoire bool) {
	cs := sp.cs
	if checkRepertoire {
		for _, c := range b {
			if !cs.valid[c] {
				sp.bad = append(sp.bad, sp.here(c, false))
			}
		}
	}
	if cs.kind == kindUTF8 {
		sp.out = append(sp.out, b...)
		return
	}
	for len(b) > 0 {
		// ASCII maps to itself in every supported charset.
		j := 0
		for j < len(b) && b[j] < utf8.RuneSelf {
			j++
		}
		sp.out = append(sp.out, b[:j]...)
		if j == len(b) {
			return
		}
		r := cs.table[b[j]]
		if r == utf8.RuneError && !checkRepertoire {
			sp.bad = append(sp.bad, sp.here(b[j], false))
		}
		sp.out = utf8.AppendRune(sp.out, r)
		b = b[j+1:]
	}
}

// here is the position of the component being filled.
func (sp *splitter) here(c byte, dangling bool) badChar {
	u := len(sp.units) - 1
	return badChar{
		element:         u,
		component:       len(sp.ends) - int(sp.units[u].first) + 1,
		b:               c,
		danglingRelease: dangling,
	}
}

// build makes the Segment from the scratch state: one string holding every
// value, one slice of component strings, one of elements.
func (sp *splitter) build() *Segment {
	text := sp.text.finish(sp.out)
	comps := sp.newComponents(len(sp.ends))
	prev := int32(0)
	for i, e := range sp.ends {
		comps[i] = text[prev:e]
		prev = e
	}
	seg := sp.newSegment()
	seg.Tag = comps[0]
	n := 0
	for _, u := range sp.units[1:] {
		if !u.repeat {
			n++
		}
	}
	if n > 0 {
		seg.Elements = sp.newElements(n)
	}
	for k := 1; k < len(sp.units); k++ {
		first := sp.units[k].first
		last := int32(len(comps))
		if k+1 < len(sp.units) {
			last = sp.units[k+1].first
		}
		e := Element(comps[first:last:last])
		if !sp.units[k].repeat {
			seg.Elements = append(seg.Elements, e)
			continue
		}
		if seg.Repeats == nil {
			seg.Repeats = make(map[int][]Element)
		}
		i := len(seg.Elements) - 1
		if i < 0 {
			// A repetition separator right after the tag repeats the tag
			// element, which has no meaning; keep the data as element 0.
			seg.Elements = append(seg.Elements, e)
			continue
		}
		seg.Repeats[i] = append(seg.Repeats[i], e)
	}
	return seg
}

// tagComponents is how many components the tag element had: more than one
// means explicit nesting (ISO 9735 syntax 3), which this package does not
// interpret.
func (sp *splitter) tagComponents() int {
	if len(sp.units) > 1 {
		return int(sp.units[1].first)
	}
	return len(sp.ends)
}

// validUTF8 reports whether every component of the last split is valid
// UTF-8. Checking the whole text is not enough: bytes on both sides of a
// separator can form a valid sequence together.
func (sp *splitter) validUTF8() bool {
	if !utf8.Valid(sp.out) {
		return false
	}
	for _, e := range sp.ends {
		if int(e) < len(sp.out) && !utf8.RuneStart(sp.out[e]) {
			return false
		}
	}
	return true
}

// sanitize replaces invalid UTF-8 in seg with U+FFFD, so every value the
// package returns is valid text, and returns the 1-based position of the
// first bad value (element 0 is the tag).
func sanitize(seg *Segment) (element, component int) {
	fix := func(s *string, e, c int) {
		if utf8.ValidString(*s) {
			return
		}
		*s = strings.ToValidUTF8(*s, "\uFFFD")
		if element == 0 && component == 0 {
			element, component = e, c
		}
	}
	fix(&seg.Tag, 0, 0)
	for i, e := range seg.Elements {
		for j := range e {
			fix(&e[j], i+1, j+1)
		}
	}
	for i, reps := range seg.Repeats {
		for _, e := range reps {
			for j := range e {
				fix(&e[j], i+1, j+1)
			}
		}
	}
	return element, component
}
