package x12

import (
	"bytes"
	"errors"
	"io"
)

// Default limits of a Reader. A segment of the standard is a few hundred
// bytes; the limits only stop garbage from growing memory.
const (
	DefaultMaxSegmentSize = 1 << 20
	DefaultMaxElements    = 1024
)

// Option configures a Reader.
type Option func(*config)

type config struct {
	maxSegment int
	maxElems   int
	summaries  bool
	strict     bool
}

// WithMaxSegmentSize sets the longest segment accepted, in bytes
// (default DefaultMaxSegmentSize). A longer one stops the reader.
func WithMaxSegmentSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxSegment = n
		}
	}
}

// WithMaxElements sets the most elements a segment may have (default
// DefaultMaxElements). More stops the reader.
func WithMaxElements(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxElems = n
		}
	}
}

// WithoutSummaries stops the reader from keeping the summary of the
// interchange being read: Interchange.Groups and Group.Sets stay empty,
// while counts and control numbers are still checked and errors still
// recorded on each set and group. The summary costs some 230 bytes per
// set (about 5 MB for a 100 MB file of 2 KB orders, but up to ten times
// the input for a hostile file of empty sets) and is what BuildAck needs;
// without it, memory is bounded by one transaction set whatever the input.
func WithoutSummaries() Option {
	return func(c *config) { c.summaries = false }
}

// WithStrict makes the reader reject what it otherwise accepts with a
// warning (Set.Warnings, acknowledged "accepted, but errors were noted"):
// a transaction set control number (ST02) used by an earlier set of the
// same group. The standard asks for unique numbers (AK502 code 23), but
// partners that number every set 0001 are common, and their documents are
// otherwise sound; strict is for partners who want the rejection.
func WithStrict() Option {
	return func(c *config) { c.strict = true }
}

// Reader reads X12 from a stream, at one of three granularities: Next
// returns every segment, NextSet every transaction set, NextInterchange
// every interchange. Use one of them per Reader.
//
// Envelope violations are not returned by these methods: they are
// recorded on the Interchange, Group or Set they concern (see Set.Errors)
// and the reader goes on. The methods return an error only when the rest
// of the input cannot be read reliably — a malformed ISA, data where an
// ISA must be, a segment over the limits (*SyntaxError), or an I/O error —
// and return it again on every later call.
type Reader struct {
	sc  *scanner
	env envelope
	err error
	// tree keeps every set's segments (Parse); otherwise NextSet drops
	// its reference to a set's segments when it moves on.
	tree    bool
	lastSet *Set
}

// NewReader returns a Reader of r. It reads r through its own buffer.
func NewReader(r io.Reader, opts ...Option) *Reader {
	c := config{maxSegment: DefaultMaxSegmentSize, maxElems: DefaultMaxElements, summaries: true}
	for _, o := range opts {
		o(&c)
	}
	return &Reader{
		sc:  newScanner(r, c.maxSegment, c.maxElems),
		env: envelope{summaries: c.summaries, strict: c.strict},
	}
}

// Next returns the next segment, envelope segments included, or io.EOF
// after the last. Its Pos says where it is, in the input and in its set
// and interchange.
func (r *Reader) Next() (*Segment, error) {
	if r.err != nil {
		return nil, r.err
	}
	seg, err := r.sc.next()
	if err != nil {
		var se *SyntaxError
		switch {
		case err == io.EOF:
			r.env.finish(r.sc.offset, r.sc.line)
		case errors.As(err, &se):
			r.env.locate(se)
		}
		r.err = err
		return nil, err
	}
	r.env.accept(seg)
	if seg.ID == "ISA" && r.env.ic != nil {
		r.env.ic.EBCDIC = r.sc.ebcdic
	}
	return seg, nil
}

// NextSet returns the next transaction set, ST to SE, with its segments
// and errors, or io.EOF after the last. A set that lacks its SE is
// returned when what follows shows it ended, with the error recorded.
//
// To keep memory bounded by one set, the reader drops its reference to a
// set's Segments (sets the field to nil) on the next call; keep the slice
// itself if you need the segments longer. The set stays in its group's
// summary for BuildAck, with the errors the caller added.
func (r *Reader) NextSet() (*Set, error) {
	if r.lastSet != nil && !r.tree {
		r.lastSet.Segments = nil
	}
	r.lastSet = nil
	r.env.keep = true
	for {
		if s := r.env.closedSet; s != nil {
			r.env.closedSet = nil
			r.lastSet = s
			return s, nil
		}
		if _, err := r.Next(); err != nil {
			if s := r.env.closedSet; s != nil && err == io.EOF {
				continue
			}
			return nil, err
		}
	}
}

// NextInterchange reads to the end of the current interchange and returns
// its summary — header, groups, sets with their errors, but not their
// segments — or io.EOF after the last. Memory grows with the number of
// sets of the interchange, not with its size.
//
// When reading fails inside an interchange, NextInterchange returns what
// was read of it together with the error.
func (r *Reader) NextInterchange() (*Interchange, error) {
	for {
		if ic := r.env.closedIC; ic != nil {
			r.env.closedIC = nil
			return ic, nil
		}
		if _, err := r.Next(); err != nil {
			if r.env.closedIC != nil && err == io.EOF {
				continue
			}
			if ic := r.env.ic; ic != nil && err != io.EOF {
				r.env.ic = nil
				return ic, err
			}
			return nil, err
		}
	}
}

// Interchange returns the interchange of the last segment read (complete
// once its IEA has been read), or nil before the first.
func (r *Reader) Interchange() *Interchange { return r.env.last }

// Parse reads a whole input into a tree: interchanges, groups, sets and
// their segments. It returns the tree and, when the input breaks any
// rule, an ErrorList of every problem; the tree is still usable (for
// instance to build a 997 rejecting the bad sets). A fatal problem ends
// the list and the tree where it happened.
func Parse(data []byte, opts ...Option) (*File, error) {
	r := NewReader(bytes.NewReader(data), opts...)
	r.tree, r.env.keep = true, true
	f := &File{}
	for {
		ic, err := r.NextInterchange()
		if ic != nil {
			f.Interchanges = append(f.Interchanges, ic)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				return f, err
			}
			return f, append(f.AllErrors(), se)
		}
	}
	if len(f.Interchanges) == 0 {
		return f, ErrorList{{Line: 1, Level: LevelInterchange, Msg: "the input holds no interchange (no ISA segment)"}}
	}
	if errs := f.AllErrors(); len(errs) > 0 {
		return f, errs
	}
	return f, nil
}
