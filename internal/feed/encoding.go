package feed

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// encodingOf returns the decoder of a configured encoding; nil is UTF-8.
// "latin-1" reads as Windows-1252, its superset: that is what spreadsheet
// exports labelled Latin-1 really are (€ at 0x80, curly quotes at 0x93).
func encodingOf(name string) (encoding.Encoding, error) {
	switch strings.ToLower(strings.ReplaceAll(name, "_", "-")) {
	case "", "utf-8", "utf8":
		return nil, nil
	case "latin-1", "latin1", "iso-8859-1", "windows-1252", "cp1252":
		return charmap.Windows1252, nil
	case "iso-8859-15", "latin-9", "latin9":
		return charmap.ISO8859_15, nil
	}
	return nil, fmt.Errorf("unknown encoding %q (known: utf-8, latin-1, windows-1252, iso-8859-15)", name)
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
	gzipMagic  = []byte{0x1F, 0x8B}
)

// decodeInput turns a feed's bytes into UTF-8 text: it gunzips a gzip
// stream (whatever the name says), drops a UTF-8 byte-order mark (which
// wins over the configured encoding: the file says what it is), refuses
// UTF-16 with a clear message, and decodes a single-byte encoding.
func decodeInput(r io.Reader, enc string) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(3)
	if bytes.HasPrefix(head, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		br = bufio.NewReaderSize(zr, 64<<10)
		head, _ = br.Peek(3)
	}
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		_, _ = br.Discard(len(bomUTF8))
		return br, nil
	case bytes.HasPrefix(head, bomUTF16LE), bytes.HasPrefix(head, bomUTF16BE):
		return nil, userErrorf("the file is UTF-16; export it as UTF-8 (or Latin-1)")
	}
	e, err := encodingOf(enc)
	if err != nil {
		return nil, userErrorf("%v", err)
	}
	if e == nil {
		return br, nil
	}
	return transform.NewReader(br, e.NewDecoder()), nil
}
