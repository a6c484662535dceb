package feed

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxRecordBytes bounds one CSV record: a quote left open by mistake
// would otherwise swallow the rest of the file into one field.
const maxRecordBytes = 1 << 20

// csvTokenizer splits CSV text into records without allocating per
// record: fields are slices of one reused buffer. It follows RFC 4180
// (fields in double quotes may hold the delimiter, newlines and doubled
// quotes) with the leniency real exports need: a quote inside an unquoted
// field is a literal, text after a closing quote is kept, CRLF and LF both
// end lines, and blank lines are skipped.
type csvTokenizer struct {
	br    *bufio.Reader
	delim byte
	line  int // lines consumed so far

	buf    []byte // the current record's unquoted field text
	ends   []int  // end offset of each field in buf
	fields [][]byte
}

func newCSVTokenizer(br *bufio.Reader, delim byte) *csvTokenizer {
	return &csvTokenizer{br: br, delim: delim}
}

// readLine returns the next physical line without its line ending. The
// slice is valid until the next call.
func (t *csvTokenizer) readLine(into []byte) ([]byte, error) {
	for {
		chunk, err := t.br.ReadSlice('\n')
		into = append(into, chunk...)
		if len(into) > maxRecordBytes {
			return nil, fmt.Errorf("line %d: record longer than %d bytes (an unclosed quote?)", t.line+1, maxRecordBytes)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (err != io.EOF || len(into) == 0) {
			return into, err
		}
		t.line++
		into = bytes.TrimSuffix(into, []byte{'\n'})
		into = bytes.TrimSuffix(into, []byte{'\r'})
		return into, nil
	}
}

// next returns the fields of the next non-blank record and the line it
// starts on, or io.EOF.
func (t *csvTokenizer) next() ([][]byte, int, error) {
	var raw []byte
	var err error
	for {
		raw, err = t.readLine(t.buf[:0])
		if err != nil {
			return nil, 0, err
		}
		if len(raw) > 0 {
			break
		}
	}
	start := t.line
	// raw aliases t.buf's backing array; unquoting writes behind the read
	// position, so it works in place, but a continuation line needs a
	// separate read buffer.
	t.ends = t.ends[:0]
	out := raw[:0]
	pos := 0
	for {
		if pos < len(raw) && raw[pos] == '"' {
			pos++
			for {
				i := bytes.IndexByte(raw[pos:], '"')
				if i < 0 {
					// The field continues on the next line.
					out = append(out, raw[pos:]...)
					out = append(out, '\n')
					rest, err := t.readLine(nil)
					if err == io.EOF {
						return nil, 0, fmt.Errorf("line %d: quoted field never closed", start)
					}
					if err != nil {
						return nil, 0, err
					}
					// Continue over a fresh copy: out may outgrow raw.
					merged := append(out, rest...)
					if len(merged) > maxRecordBytes {
						return nil, 0, fmt.Errorf("line %d: record longer than %d bytes (an unclosed quote?)", start, maxRecordBytes)
					}
					raw = merged
					pos = len(out)
					out = merged[:len(out)]
					continue
				}
				out = append(out, raw[pos:pos+i]...)
				pos += i + 1
				if pos < len(raw) && raw[pos] == '"' {
					out = append(out, '"')
					pos++
					continue
				}
				break
			}
		}
		// Unquoted text, or text after a closing quote, up to the delimiter.
		i := bytes.IndexByte(raw[pos:], t.delim)
		if i < 0 {
			out = append(out, raw[pos:]...)
			t.ends = append(t.ends, len(out))
			break
		}
		out = append(out, raw[pos:pos+i]...)
		t.ends = append(t.ends, len(out))
		pos += i + 1
	}
	t.buf = out
	t.fields = t.fields[:0]
	from := 0
	for _, e := range t.ends {
		t.fields = append(t.fields, out[from:e])
		from = e
	}
	return t.fields, start, nil
}

// delimiterByte reads the csv.delimiter key; 0 means detect.
func delimiterByte(s string) (byte, error) {
	switch s {
	case "":
		return 0, nil
	case "tab", "\\t", "\t":
		return '\t', nil
	}
	if len(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r' || s[0] >= 0x80 {
		return 0, fmt.Errorf("%q: the delimiter is one ASCII character (or \"tab\")", s)
	}
	return s[0], nil
}

// detectDelimiter picks, among , ; tab and |, the one occurring most
// often outside quotes in the first line.
func detectDelimiter(first []byte) byte {
	candidates := []byte{',', ';', '\t', '|'}
	var counts [4]int
	inQuote := false
	for _, c := range first {
		if c == '"' {
			inQuote = !inQuote
			continue
		}
		if c == '\n' && !inQuote {
			break
		}
		if inQuote {
			continue
		}
		for i, d := range candidates {
			if c == d {
				counts[i]++
			}
		}
	}
	best := 0
	for i := range counts {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return candidates[best]
}

// csvReader maps CSV records onto offer fields.
type csvReader struct {
	tok  *csvTokenizer
	cols [numFields]int // field → column index, -1 unmapped
	row  Row
}

// newCSVReader reads the header (unless there is none) and resolves the
// column mapping; a mapped column missing from the header is an error.
func newCSVReader(r io.Reader, name string, opts CSVOptions, columns Columns) (*csvReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	delim, err := delimiterByte(opts.Delimiter)
	if err != nil {
		return nil, userErrorf("%s: %v", name, err)
	}
	if delim == 0 {
		peek, _ := br.Peek(32 << 10)
		delim = detectDelimiter(peek)
	}
	c := &csvReader{tok: newCSVTokenizer(br, delim)}
	mapped := columns.list()
	for i := range c.cols {
		c.cols[i] = -1
	}
	if opts.NoHeader {
		for i, col := range mapped {
			if col != "" {
				n, _ := columnNumber(col)
				c.cols[i] = n - 1
			}
		}
		return c, nil
	}
	header, _, err := c.tok.next()
	if err == io.EOF {
		return nil, userErrorf("%s: the file is empty (no header row)", name)
	}
	if err != nil {
		return nil, userErrorf("%s:%v", name, err)
	}
	index := make(map[string]int, len(header))
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = string(trimSpace(h))
		key := strings.ToLower(names[i])
		if _, dup := index[key]; !dup {
			index[key] = i
		}
	}
	for i, col := range mapped {
		if col == "" {
			continue
		}
		at, ok := index[strings.ToLower(strings.TrimSpace(col))]
		if !ok {
			return nil, userErrorf("%s:%d: column %q (%s) is not in the header (it has: %s)",
				name, c.tok.line, col, fieldNames[i], strings.Join(names, ", "))
		}
		c.cols[i] = at
	}
	return c, nil
}

// Next returns the next record.
func (c *csvReader) Next() (*Row, error) {
	fields, line, err := c.tok.next()
	if err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, err
	}
	c.row.reset(line)
	for f, at := range c.cols {
		if at >= 0 && at < len(fields) {
			c.row.Fields[f] = fields[at]
			c.row.Has[f] = true
		}
	}
	return &c.row, nil
}

// Where formats a line number.
func (c *csvReader) Where(line int) string { return fmt.Sprint(line) }
