// Package edifact reads and writes UN/EDIFACT interchanges (ISO 9735,
// syntax versions 1 to 4) and generates and reads CONTRL acknowledgements.
// It is written from the standard, with no third-party EDI library.
//
// # Reading
//
// A Reader streams: NewReader(src).Next returns one Event per envelope
// boundary or body segment (InterchangeStart, GroupStart, MessageStart,
// BodySegment, MessageEnd, GroupEnd, InterchangeEnd). Memory is bounded by
// one segment (Reader.MaxSegmentLen) plus a 64 KiB read chunk, whatever the
// size of the input; docs/BENCHMARKS.md has the figures. Values are carved
// from 16 KiB text blocks and segments from small chunks, so reading
// allocates per block rather than per segment; Reader.ReuseSegments goes
// further for pure streaming. Two conveniences sit on top: NextMessage
// returns whole messages, and ReadAll (or Parse, for a byte slice) builds
// the tree Interchange → Group → Message → Segment.
//
// Values are delivered as UTF-8 strings with the release character already
// applied. Delimiters come from each interchange's UNA service string
// advice, or the defaults ":+.? '" without one (the syntax level B
// information separators when UNB is followed by IS3); any byte may be a
// delimiter. The syntax identifier in UNB selects the charset: UNOA and UNOB
// (ASCII subsets, checked when Reader.StrictCharset is set), UNOC to UNOK
// (ISO 8859-1, -2, -5, -7, -3, -4, -6, -8, -9, decoded with
// golang.org/x/text), UNOY and UNOW (UTF-8). Any other identifier stops the
// reader with ErrUnknownSyntax. A UTF-8 byte order mark, CR/LF after
// segment terminators and padding after UNZ are tolerated.
//
// # Errors
//
// The reader separates problems that stop it (read errors, input that is not
// EDIFACT, a bad UNA, an unknown charset, a segment longer than the limit)
// from problems it can read past. The first kind is returned by Next; the
// second is recorded on the Message, Group or Interchange it belongs to, so
// a CONTRL can report each rejected message and segment while the rest of
// the interchange is still processed. Every recorded problem implements
// Error: a Location (line, byte offset, interchange, group and message
// references, segment position in the message, tag, element and component)
// and the code list 0085 ErrorCode a CONTRL reports. Control counts and
// references are checked on UNT, UNE and UNZ and reported as *CountError and
// *ReferenceError, for example
//
//	line 12, interchange 12345 message 2 segment 9 (UNT): UNT01=8 but the message has 9 segments
//
// Two defects real partners commit with otherwise sound interchanges are
// tolerated: a UNB without its syntax version number (read as version 4
// when the date has eight digits or the syntax identifier is UNOW/UNOY,
// else 3) and a message reference used twice in one interchange (checked
// by ReadAll and Parse). They are recorded in Interchange.Warnings and
// Message.Warnings, not Errors, and reported by the CONTRL with action 7;
// Reader.Strict makes them errors. Counts and references that prove an
// envelope complete are never relaxed. The test indicator (UNB 0035) is
// checked against code list 0035: an echo request or response is rejected
// (code 25), as this package does not echo.
//
// No input makes the package panic; FuzzReader checks this.
//
// # Writing
//
// A Writer writes UNA (when asked, or when the delimiters are not the
// defaults), UNB, optional UNG/UNE, UNH, body segments, UNT and UNZ,
// counting segments and messages itself. Every value is escaped with the
// release character, so no value can end an element or a segment, and is
// encoded in the charset of the syntax identifier: characters outside it are
// rejected or transliterated, per WriterOptions.Policy. Control references
// and the preparation time always come from the caller.
//
// # CONTRL
//
// BuildContrl answers an inbound interchange read with ReadAll or Parse:
// UCI for the interchange, UCF per functional group, UCM per message, UCS
// and UCD for segment and element errors, in a new interchange whose UNB
// swaps sender and recipient; the CONTRL of a test interchange is itself
// marked a test (UNB 0035 = 1). An interchange of CONTRL messages is never
// acknowledged (ErrContrlForContrl). ReadContrl reads a partner's CONTRL
// into per-interchange, per-group and per-message verdicts.
//
// # Numbers
//
// ParseDecimal reads numeric values exactly into decimal.Decimal, accepting
// both decimal marks as ISO 9735 allows; FormatDecimal writes them with the
// interchange's mark. Nothing passes through float64.
//
// # Not covered
//
// Explicit segment nesting indicators (syntax 3), UNOX code extension,
// interactive EDIFACT (UIB/UIZ), security segments and packages (UNO/UNP)
// are not interpreted; message-level validation against directories (which
// segments a D96A ORDERS may hold) belongs to the mapping layer above.
package edifact
