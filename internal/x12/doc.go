// Package x12 reads and writes ASC X12 interchanges (ISA … IEA) and builds
// and reads the functional acknowledgements 997 and 999.
//
// # Design
//
// The package is the syntax layer only: it knows envelopes, delimiters,
// segments, elements, components and repetitions, not what an 850 or an
// 856 means. Mapping X12 to the canonical model lives with the connectors.
//
// Reading is streaming. A Reader pulls bytes through a bufio.Reader and
// holds one segment at a time (Next), one transaction set (NextSet) or the
// summary of one interchange (NextInterchange), never the whole input, so a
// 100 MB file is read in memory bounded by its largest transaction set.
// Parse is the convenience that builds the whole tree for small inputs.
//
// Delimiters are taken from each ISA, which is fixed width (106 bytes): the
// element separator is byte 3, the component separator ISA16, the segment
// terminator the byte after it, and the repetition separator ISA11 when the
// version (ISA12) is 00402 or later and ISA11 is not alphanumeric. Any byte
// may be a delimiter, including CR, LF and control characters. The reader
// tolerates what real files carry: a UTF-8 byte order mark, line breaks
// after terminators, files hard-wrapped at a fixed width (line breaks are
// dropped wherever they are not themselves a delimiter), padding after IEA,
// several interchanges with different delimiters, and EBCDIC (CP037) input,
// which is transcoded.
//
// Envelope rules (ISA13 = IEA02, IEA01 = groups, GS06 = GE02, GE01 = sets,
// ST02 = SE02, SE01 = segments) are checked as the stream goes by. A
// violation does not stop the reader: it is recorded as a *SyntaxError on
// the interchange, group or set it belongs to, because a 997 or 999 has to
// say which sets were accepted and which were not. Only errors after which
// the stream cannot be trusted (a malformed ISA, a segment over the size
// limit, an I/O error) are returned by the read methods.
//
// One rule is relaxed, because real partners break it with otherwise sound
// files: an ST02 repeated within its group (some number every set 0001) is
// recorded in Set.Warnings, the set stays accepted, and the 997/999 says
// "accepted, but errors were noted" (AK501 E, code 23). WithStrict makes it
// an error again. Counts and control numbers that prove an envelope
// complete (SE01, SE02, GE01, GE02, IEA01, IEA02) are never relaxed.
//
// Writer produces envelopes with correct counts and fixed-width ISA fields
// from control numbers the caller owns; it never invents one. Values that
// contain a delimiter or a control character are replaced or rejected, by
// policy. BuildAck turns an Interchange (with the per-set errors the reader
// found and any the caller added) into a 997 or 999, in the inbound
// encoding (EBCDIC is answered in EBCDIC); ParseAck reads one.
package x12
